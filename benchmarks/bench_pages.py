"""What a reader's browser loads per page, and how soon a widget page's first control works.

    .venv/bin/python benchmarks/bench_pages.py [--site _build/html] [--repeat 3] [--width 1280] [--lighthouse]
                                               [--lighthouse-runs 3] [--pages chapters/lstm ...]

Serves the built site on localhost with gzip, as a static host does (benchmarks/lighthouse.py), and opens
every page of _toc.yml in Debian's Chromium with every outside request blocked, one fresh browser context
per visit (empty cache). For each page it prints
  - bytes loaded: the uncompressed bodies of every response (HTML, scripts, styles, fonts, images),
    and how many of them belong to the widget front end (the loader, require.js, the widget manager);
  - the median time from navigation start to DOMContentLoaded (the page parsed, deferred scripts run);
  - on pages with widgets, the time from navigation start to the first working control: a script
    injected before the page's own watches for the first widget control and, as soon as it exists,
    moves it (an input event on a slider, a click on an option button) and checks that the widget
    took the new setting (its data-index changes). Median and best of --repeat visits;
  - with --lighthouse, Lighthouse 12's four scores (performance, accessibility, best practices, SEO)
    and first contentful paint, mobile and desktop presets (`npm ci --prefix benchmarks` first); with
    --lighthouse-runs 3, the run with the median performance score of three (scores vary from run to run).
The load average is printed too: on a shared machine it dominates the timings. Targets (issue 15):
at most 2 MB per page, first control within 0.5 s; Lighthouse performance at least 75 mobile and 90
desktop, accessibility 100, best practices and SEO at least 95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.lighthouse import lighthouse, serve_gzip  # noqa: E402
from tests.site.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.site.toc import toc_files  # noqa: E402

WIDGET_FILES = ("widget-loader.js", "unrolled-widget.js", "require.js", "embed-amd.js",
                "widget-manager-setup.js", "anywidget/index.js")

# Runs before any script of the page. Watches the document for the first control of a book widget
# (a MutationObserver: checked right after each change to the page, not at the next frame), moves it
# as soon as it exists, and records when the widget answered (window.__firstControl, ms since navigation).
FIRST_CONTROL = """(() => {
  function attempt() {
    const root = document.querySelector(".uw");
    const control = root && root.querySelector(
      "input[type=range]:not(:disabled), [role=radio]:not([aria-checked=true]):not(:disabled)");
    if (!control) return false;
    const before = root.dataset.index;
    if (control.type === "range") {
      control.value = String(+control.value > 0 ? +control.value - 1 : +control.value + 1);
      control.dispatchEvent(new Event("input", {bubbles: true}));
    } else {
      control.click();
    }
    if (root.dataset.index === before) return false;
    window.__firstControl = performance.now();
    return true;
  }
  const watch = new MutationObserver(() => { if (attempt()) watch.disconnect(); });
  watch.observe(document, {childList: true, subtree: true});
})();"""


def visit(browser, base: str, page_name: str, width: int, has_widgets: bool):
    """(bytes loaded, bytes of the widget front end, first-control ms or None, DOMContentLoaded ms)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    responses = []
    inside = (base, "data:", "blob:")
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(inside)
               else route.abort())
    page.on("response", lambda response: responses.append(response))
    if has_widgets:
        page.add_init_script(FIRST_CONTROL)
    page.goto(f"{base}{page_name}.html", wait_until="load")
    first = None
    if has_widgets:
        page.wait_for_function("() => window.__firstControl !== undefined", timeout=60_000)
        first = page.evaluate("() => window.__firstControl")
    ready = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventStart")
    page.wait_for_load_state("networkidle")
    total = widget = 0
    for response in responses:
        if not response.ok or response.url.startswith(("data:", "blob:")):
            continue
        size = len(response.body())
        total += size
        if response.url.split("?")[0].endswith(WIDGET_FILES):
            widget += size
    context.close()
    return total, widget, first, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=REPO / "_build" / "html", help="the built site")
    parser.add_argument("--repeat", type=int, default=3, help="visits per widget page for the timing")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse, mobile and desktop")
    parser.add_argument("--pages", nargs="*", default=None, help="pages to measure (default: every page of _toc.yml)")
    parser.add_argument("--lighthouse-runs", type=int, default=1,
                        help="Lighthouse runs per page and preset; the run with the median performance score is shown")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server, base = serve_gzip(args.site)
    print(f"site {args.site}, viewport {args.width} px, load average before: {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    lighthouse_head = f"{'mobile: perf a11y best seo FCP s':>36}{'desktop: perf a11y best seo FCP s':>37}"
    print(f"{'page':<32}{'KB loaded':>11}{'of which widget JS':>20}{'DOMContentLoaded':>18}"
          f"{'first control ms (median, best)':>34}" + (lighthouse_head if args.lighthouse else ""))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_name in args.pages or toc_files():
            path = args.site / f"{page_name}.html"
            if not path.exists():
                print(f"{page_name:<32}  (not in this build)")
                continue
            html = path.read_text(errors="replace")
            # the saved widget state is in the page, or (frontend/unrolled_widgets.py) in a script of its own
            states = args.site / "_static" / "widget-states" / f"{page_name}.js"
            saved = html + (states.read_text(errors="replace") if states.is_file() else "")
            has_widgets = "widget-view+json" in html and 'AnyModel' in saved
            visits = [visit(browser, base, page_name, args.width, has_widgets)
                      for _ in range(args.repeat if has_widgets else 1)]
            total, widget, _, _ = visits[0]
            times = [v[2] for v in visits if v[2] is not None]
            ready = statistics.median(v[3] for v in visits)
            timing = f"{statistics.median(times):>12.0f}, {min(times):.0f}" if times else ""
            scores = ""
            if args.lighthouse:
                for form_factor in ("mobile", "desktop"):
                    runs = [lighthouse(f"{base}{page_name}.html", form_factor) for _ in range(args.lighthouse_runs)]
                    good = sorted((run for run in runs if "error" not in run), key=lambda run: run["performance"])
                    result = good[(len(good) - 1) // 2] if good else runs[0]
                    scores += (f"{result['performance']:>12}{result['accessibility']:>5}"
                               f"{result['best-practices']:>5}{result['seo']:>5}{result['fcp_s']:>7.1f}"
                               if "error" not in result
                               else f"{result['error']:>34}")
            print(f"{page_name:<32}{total / 1000:>11.0f}{widget / 1000:>20.0f}{ready:>18.0f}{timing:>26}"
                  + scores)
            sys.stdout.flush()
        browser.close()
    server.shutdown()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
