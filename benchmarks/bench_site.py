"""Site build benchmark: prints cold build time, no-op rebuild time, total site size and the heaviest pages.

    .venv/bin/python benchmarks/bench_site.py

Builds into a temporary folder (an empty execution cache, so every notebook runs: the "cold" figure),
then builds again with nothing changed (the "no-op" figure), then opens every page of _toc.yml in
Chromium with the network blocked and adds up what each page loads (HTML, scripts, styles, fonts,
images) to get its weight. Needs frontend/vendor (run `make book` once first).
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.site.conftest import CHROMIUM, CHROMIUM_ARGS, _QuietHandler  # noqa: E402
from tests.site.toc import toc_files  # noqa: E402

BUILD = [str(REPO / ".venv" / "bin" / "jupyter-book"), "build", str(REPO), "--warningiserror", "--nitpick",
         "--keep-going"]


def timed_build(output: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*BUILD, "--path-output", str(output)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def page_weights(site: Path) -> dict[str, int]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    weights = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_name in toc_files():
            page = browser.new_page()
            loaded = []
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                       else route.abort())
            page.on("response", lambda response: loaded.append(response))
            page.goto(f"{base}{page_name}.html", wait_until="networkidle")
            weights[page_name] = sum(len(r.body()) for r in loaded if r.ok)
            page.close()
        browser.close()
    server.shutdown()
    return weights


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp)
        cold = timed_build(output)
        noop = timed_build(output)
        site = output / "_build" / "html"
        weights = page_weights(site)
        print(f"cold build (every notebook executed): {cold:7.1f} s")
        print(f"no-op rebuild (nothing changed):       {noop:7.1f} s")
        print(f"site size: {folder_size(site) / 1e6:.1f} MB in {sum(1 for p in site.rglob('*') if p.is_file())} files"
              f" (of which _static: {folder_size(site / '_static') / 1e6:.1f} MB)")
        print("heaviest pages (everything the browser loads):")
        for name, weight in sorted(weights.items(), key=lambda item: -item[1])[:5]:
            print(f"  {weight / 1e6:6.2f} MB  {name}")


if __name__ == "__main__":
    main()
