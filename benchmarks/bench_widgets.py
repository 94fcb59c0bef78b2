"""Benchmark of the book's widgets: embedded state size, build-time evaluation, redraw time in Chromium.

    .venv/bin/python benchmarks/bench_widgets.py [--moves 40] [--site _build/html]

For every signature widget it prints
  - the state it embeds in a static page (JSON bytes: the precomputed grid, and all of it
    including the front end's JavaScript and CSS), target < 300 KB;
  - the time to evaluate the grid when the notebook runs (best and median of 3 builds, each in a
    fresh interpreter);
  - in Debian's Chromium, the median and 95th percentile time from a control's input event (or an
    option button's click) to the redrawn SVG with layout done (the handler redraws synchronously;
    the time includes forcing style and layout), over `--moves` moves of every enabled control,
    target < 16 ms (one frame), and the
    median of the widget's own script time (pick the rows, build and insert the SVG).
The load average is printed too: on a shared machine it dominates the redraw times.
The redraw runs on a page that loads the widget's real front end and state with a minimal
stand-in for the anywidget model (get / set / on / save_changes). With --site it also times the
widgets on the built site, where the book's loader (frontend/widget-loader.js) renders them.
benchmarks/bench_pages.py measures what a widget page loads and how soon its first control works.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import widgets

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDGETS = {
    "lstm_gates": widgets.lstm_gates,
    "gru_gates": widgets.gru_gates,
    "vanishing_gradients": widgets.vanishing_gradients,
    "unit_vs_cell": widgets.unit_vs_cell,
    "param_counter": widgets.param_counter,
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>%(css)s</style></head><body>
<div id="root"></div><script type="module">
const state = %(state)s;
const listeners = {};
const model = {
  get: (k) => state[k],
  set: (k, v) => { state[k] = v; (listeners["change:" + k] || []).forEach((f) => f()); },
  on: (e, f) => { (listeners[e] = listeners[e] || []).push(f); },
  off: () => {},
  save_changes: () => {},
};
const url = URL.createObjectURL(new Blob([%(esm)s], {type: "text/javascript"}));
const mod = await import(url);
await mod.default.render({model, el: document.getElementById("root")});
window.READY = true;
</script></body></html>"""

# Moves every enabled control `moves` times, back and forth over its range (a slider by an input event,
# a group of option buttons by clicks); returns the milliseconds per move.
TIME_MOVES = """async ([moves]) => {
  const times = [], scripts = [];
  for (const root of document.querySelectorAll(".uw")) {
    for (const control of root.querySelectorAll(".uw-ctl")) {
      const input = control.querySelector("input[type=range]");
      const options = [...control.querySelectorAll("[role=radio]")];
      const count = input ? +input.max + 1 : options.length;
      if (count < 2 || (input && input.disabled) || options.some((b) => b.disabled)) continue;
      let dir = 1, at = input ? +input.value : options.findIndex((b) => b.getAttribute("aria-checked") === "true");
      for (let m = 0; m < moves; m++) {
        let v = at + dir;
        if (v >= count || v < 0) { dir = -dir; v = at + dir; }
        at = v;
        const t0 = performance.now();
        if (input) {
          input.value = String(v);
          input.dispatchEvent(new Event("input", {bubbles: true}));
        } else {
          options[v].click();
        }
        root.getBoundingClientRect();              // force style and layout of the new drawing
        root.querySelector("svg, .uw-line-text")?.getBoundingClientRect();
        times.push(performance.now() - t0);
        scripts.push(+root.dataset.drawMs);  // the widget's own work: pick rows, build and insert the SVG
        await new Promise((r) => requestAnimationFrame(r));
      }
    }
  }
  return [times, scripts];
}"""


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measure_build(name, repeats=3):
    """Seconds to build the widget in a fresh interpreter (no cache warm from an earlier build)."""
    code = f"import time, widgets; t = time.perf_counter(); widgets.{name}(); print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True).split()[-1])
             for _ in range(repeats)]
    return min(times), statistics.median(times)


def data_size(widget):
    return len(json.dumps({"spec": widget.spec, "index": widget.index}, separators=(",", ":")))


def time_redraws(browser, widget, moves, folder):
    path = Path(folder) / "page.html"
    state = {"spec": widget.spec, "index": list(widget.index)}
    path.write_text(PAGE % {"css": widget._css, "state": json.dumps(state), "esm": json.dumps(widget._esm)})
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.READY === true")
    times, scripts = page.evaluate(TIME_MOVES, [moves])
    page.close()
    if errors:
        raise RuntimeError(f"console errors: {errors}")
    return times, scripts


def time_site(browser, site_dir, moves):
    """Median redraw per page of the built site (the book's loader and front end)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    results = {}
    for html in sorted(Path(site_dir).rglob("*.html")):
        if "widget-view+json" not in html.read_text(errors="replace"):
            continue
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:")) else r.abort())
        page.goto(base + html.relative_to(site_dir).as_posix(), wait_until="load")
        # the loader draws widgets as they come near the viewport: time them all
        page.evaluate("() => window.unrolledWidgets && window.unrolledWidgets.drawAll()")
        try:
            page.wait_for_selector(".uw", timeout=60_000)
        except Exception:  # a page whose widgets are not ours
            page.close()
            continue
        times, _ = page.evaluate(TIME_MOVES, [moves])
        results[html.relative_to(site_dir).as_posix()] = times
        page.close()
    server.shutdown()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=40, help="moves per control (default 40)")
    parser.add_argument("--site", type=Path, help="also time the widgets on this built site (_build/html)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'widget':<22}{'data KB':>9}{'total KB':>10}{'eval best s':>13}{'eval med s':>12}"
          f"{'moves':>7}{'redraw med ms':>15}{'p95 ms':>9}{'script med ms':>15}")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, make in WIDGETS.items():
            best, median = measure_build(name)
            widget = make()
            times, scripts = time_redraws(browser, widget, args.moves, folder)
            print(f"{name:<22}{data_size(widget) / 1000:>9.1f}{widget.state_size() / 1000:>10.1f}{best:>13.2f}"
                  f"{median:>12.2f}{len(times):>7}{statistics.median(times):>15.2f}{percentile(times, 0.95):>9.2f}"
                  f"{statistics.median(scripts):>15.2f}")
            sys.stdout.flush()
        if args.site:
            print(f"\non the built site {args.site}:")
            for page, times in time_site(browser, args.site, args.moves).items():
                print(f"  {page:<40} moves {len(times):>5}  redraw median {statistics.median(times):6.2f} ms"
                      f"  p95 {percentile(times, 0.95):6.2f} ms")
        browser.close()
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
