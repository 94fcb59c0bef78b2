"""Lighthouse 12 over the built site, served with gzip as a static host serves it.

    npm ci --prefix benchmarks                  # once: Lighthouse 12.2.3, pinned in benchmarks/package.json
    .venv/bin/python benchmarks/lighthouse.py [--site _build/html] [--pages chapters/lstm ...]

For every page of _toc.yml (or the ones named) it runs Lighthouse twice in Debian's Chromium, with the
mobile preset (a mid-range phone on a slow 4G link, simulated) and the desktop preset, and prints the
four scores (performance, accessibility, best practices, SEO) with the first contentful paint. Lighthouse
13 needs Node 22; 12.2.3 runs on Node 20. Six of its audits error on this Chromium ("frame_sequence"):
they are left out of the scores, which still come. benchmarks/bench_pages.py imports ``serve_gzip`` and
``lighthouse`` from here.

Targets (issue 15): performance at least 90 desktop and 75 mobile, accessibility 100, best practices and
SEO at least 95.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.site.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.site.toc import toc_files  # noqa: E402

LIGHTHOUSE = REPO / "benchmarks" / "node_modules" / "lighthouse" / "cli" / "index.js"
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".xml"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text compressed with gzip when the browser accepts it (as GitHub Pages, Netlify...)."""

    cache: dict[Path, bytes] = {}

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and path.suffix in COMPRESSIBLE):
            return super().send_head()
        if path not in self.cache:
            self.cache[path] = gzip.compress(path.read_bytes(), compresslevel=6)
        body = self.cache[path]
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return io.BytesIO(body)


def serve_gzip(site: Path):
    """(server, base URL) of a threaded local server over ``site``, compressing text with gzip."""
    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


# The metrics behind the performance score (Lighthouse 12's weights: TBT 30 %, LCP 25 %, CLS 25 %, FCP 10 %,
# SI 10 %), and the diagnostics that say where the time goes.
METRICS = {"fcp_s": "first-contentful-paint", "lcp_s": "largest-contentful-paint", "tbt_s": "total-blocking-time",
           "si_s": "speed-index", "cls": "cumulative-layout-shift"}


def lighthouse(url: str, form_factor: str, save: Path | None = None) -> dict:
    """One run: {category: score 0-100, 'fcp_s', 'lcp_s', 'tbt_s', 'si_s' (seconds), 'cls', 'dom_size',
    'main_thread_s': {group: seconds}, 'lcp_element': str, 'failing': [audit ids]}; the JSON report is
    kept as ``save`` when given."""
    if not LIGHTHOUSE.is_file():
        sys.exit(f"expected Lighthouse at {LIGHTHOUSE}; run `npm ci --prefix benchmarks` first")
    flags = " ".join(arg for arg in CHROMIUM_ARGS if arg != "--headless") + " --headless=new"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        command = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet",
                   f"--chrome-flags={flags}", "--max-wait-for-load=120000"]
        if form_factor == "desktop":
            command.append("--preset=desktop")
        subprocess.run(command, check=False, env={**os.environ, "CHROME_PATH": CHROMIUM},
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        if not report.is_file():
            return {"error": "no report"}
        result = json.loads(report.read_text())
        if save is not None:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(report.read_text())
    audits = result["audits"]
    scores = {name: round(100 * (result["categories"][name]["score"] or 0)) for name in CATEGORIES}
    for key, audit_id in METRICS.items():
        value = audits.get(audit_id, {}).get("numericValue")
        scores[key] = value / 1000 if value is not None and key.endswith("_s") else value
    scores["dom_size"] = audits.get("dom-size", {}).get("numericValue")
    breakdown = (audits.get("mainthread-work-breakdown", {}).get("details") or {}).get("items", [])
    scores["main_thread_s"] = {item["groupLabel"]: item["duration"] / 1000 for item in breakdown}
    lcp_items = (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", [])
    scores["lcp_element"] = next((item["items"][0]["node"].get("selector", "") for item in lcp_items
                                  if item.get("items") and "node" in item["items"][0]), "")
    scores["failing"] = sorted(
        audit_id for audit_id, audit in result["audits"].items()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") in
        ("binary", "numeric", "metricSavings")
        and any(audit_id in [ref["id"] for ref in result["categories"][c]["auditRefs"] if ref["weight"] > 0]
                for c in CATEGORIES)
    )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=REPO / "_build" / "html", help="the built site")
    parser.add_argument("--pages", nargs="*", default=None, help="pages to measure (default: every page)")
    parser.add_argument("--show-failing", action="store_true", help="list the weighted audits below 0.9")
    parser.add_argument("--details", action="store_true",
                        help="print the metrics behind the score, DOM size, main thread work, LCP element")
    parser.add_argument("--form-factors", nargs="*", default=["mobile", "desktop"], choices=["mobile", "desktop"])
    parser.add_argument("--save", type=Path, default=None, help="keep each JSON report in this folder")
    args = parser.parse_args()
    server, base = serve_gzip(args.site)
    print(f"site {args.site} served with gzip; load average before: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"{'page':<32}{'form':>8}{'perf':>6}{'a11y':>6}{'best':>6}{'seo':>6}{'FCP s':>8}")
    for page in args.pages or toc_files():
        for form_factor in args.form_factors:
            save = args.save / f"{page.replace('/', '-')}-{form_factor}.json" if args.save else None
            scores = lighthouse(f"{base}{page}.html", form_factor, save)
            if "error" in scores:
                print(f"{page:<32}{form_factor:>8}  {scores['error']}")
                continue
            print(f"{page:<32}{form_factor:>8}{scores['performance']:>6}{scores['accessibility']:>6}"
                  f"{scores['best-practices']:>6}{scores['seo']:>6}{scores['fcp_s']:>8.1f}")
            if args.details:
                work = ", ".join(f"{group} {seconds:.2f}" for group, seconds in
                                 sorted(scores["main_thread_s"].items(), key=lambda item: -item[1]))
                print(f"{'':<40}LCP {scores['lcp_s']:.1f} s, TBT {scores['tbt_s']:.2f} s, SI {scores['si_s']:.1f} s, "
                      f"CLS {scores['cls']:.3f}, DOM {scores['dom_size']:.0f} elements; LCP element "
                      f"{scores['lcp_element']}\n{'':<40}main thread s: {work}")
            if args.show_failing and scores["failing"]:
                print(f"{'':<40}below 0.9: {', '.join(scores['failing'])}")
            sys.stdout.flush()
    server.shutdown()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
