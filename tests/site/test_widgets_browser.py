"""Every widget on every page of the built site moves, offline, and draws what Python computed.

For each page whose embedded widget state holds widgets.GridWidget models, the test opens the
page with the network blocked, then for every widget: moves every slider with an input event
and again with the keyboard (focus + ArrowRight, or ArrowLeft at the end), presses every preset,
and after each move compares what the SVG and text show (data-* attributes written by the
renderers) with the state decoded in Python by widgets.grid.decode_field, which indexes the
grid exactly as the front end does. It counts the sliders it moved and fails on any console error.
"""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from widgets.grid import decode_field
from widgets.view import PLACEHOLDER

STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)
VIEW = re.compile(r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>', re.S)
REPO = Path(__file__).resolve().parents[2]
SCREENS = Path(os.environ.get("UNROLLED_WIDGET_SCREENS", REPO / "_build" / "screenshots" / "widgets"))

READ_PANELS = """(root) => [...root.querySelectorAll("figure.uw-panel")].map((fig) => {
  const kind = /uw-panel-(\\w+)/.exec(fig.className)[1];
  const pairs = (sel, key) => [...fig.querySelectorAll(sel)].map((e) => [e.dataset.key || "", e.dataset[key]]);
  if (kind === "line") return {kind, values: pairs("g.uw-series", "y")};
  if (kind === "heatmap") return {kind, values: pairs("rect.uw-cell", "v")};
  if (kind === "bars") return {kind, values: pairs("rect.uw-bar", "v")};
  if (kind === "text") return {kind, values: pairs(".uw-v", "v")};
  if (kind === "table") return {kind, values: pairs("td", "v")};
  const svg = fig.querySelector("svg");
  return {kind, items: +svg.dataset.items, shapes: svg.querySelectorAll("rect, circle").length};
})"""


def grid_widget_pages(site_dir):
    """{page path: (list of model ids in view order, {model id: state})} for pages with GridWidgets."""
    pages = {}
    for path in sorted(site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        match = STATE.search(html)
        if not match:
            continue
        models = json.loads(match.group(1))["state"]
        grid = {mid: m["state"] for mid, m in models.items()
                if m.get("model_name") == "AnyModel" and "sliders" in m["state"].get("spec", {})}
        views = [json.loads(v)["model_id"] for v in VIEW.findall(html)]
        views = [mid for mid in views if mid in grid]
        if views:
            pages[path.relative_to(site_dir).as_posix()] = (views, grid)
    return pages


def expected_panels(spec, index):
    """What each panel must show at slider indices `index`, from the stored state alone."""
    def get(key):
        return decode_field(spec["fields"][key], spec["sliders"], index)

    names = [s["name"] for s in spec["sliders"]]
    out = []
    for p in spec["panels"]:
        kind = p["kind"]
        if kind == "line":
            out.append([(s["key"], get(s["key"])) for s in p["series"]])
        elif kind == "heatmap":
            rows = get(p["rows"]) if isinstance(p["rows"], str) else np.array([get(k) for k in p["rows"]])
            out.append([("", v) for v in np.ravel(rows)])
        elif kind in ("bars", "table"):
            series = p["series"] if kind == "bars" else p["columns"]
            columns = [get(s["key"]) for s in series]
            shown = ~np.isnan(columns[0])
            if kind == "bars":
                out.append([(s["key"], c[r]) for r in np.flatnonzero(shown) for s, c in zip(series, columns)])
            else:
                out.append([(s["key"], c[r]) for r in np.flatnonzero(shown) for s, c in zip(series, columns)])
        elif kind == "text":
            values = []
            for line in p["lines"]:
                template = line if isinstance(line, str) else get(line["key"])
                for m in PLACEHOLDER.finditer(template):
                    name = m.group(1)
                    if name in names:
                        values.append((name, spec["sliders"][names.index(name)]["display"][index[names.index(name)]]))
                    else:
                        values.append((name, get(name)))
            out.append(values)
        else:
            layers = [get(k) for k in p["layers"]]
            items = sum(len(layer["items"]) for layer in layers)
            shapes = sum(1 for layer in layers for it in layer["items"] if it[0] in ("rect", "circle"))
            out.append({"items": items, "shapes": shapes})
    return out


def _number(text):
    return float("nan") if text in ("NaN", "undefined") else float(text)


def check_drawing(root, spec, index, where):
    """The panels of `root` show exactly what the state holds for `index`."""
    drawn = root.evaluate(READ_PANELS)
    expected = expected_panels(spec, index)
    assert len(drawn) == len(expected), where
    for k, (got, want) in enumerate(zip(drawn, expected)):
        context = f"{where}, panel {k} ({got['kind']})"
        if got["kind"] == "diagram":
            assert (got["items"], got["shapes"]) == (want["items"], want["shapes"]), context
            continue
        assert [key for key, _ in got["values"]] == [key for key, _ in want], context
        for (key, text), (_, value) in zip(got["values"], want):
            if isinstance(value, str):
                assert text == value, f"{context}, {key}"
            else:
                shown = np.array([_number(t) for t in text.split(",")]) if got["kind"] == "line" else _number(text)
                np.testing.assert_allclose(shown, value, rtol=1e-9, atol=0, equal_nan=True, err_msg=f"{context}, {key}")


def snapshot(root):
    return root.evaluate("(r) => [...r.querySelectorAll('.uw-draw')].map((d) => d.innerHTML).join('\\n')")


def test_every_slider_of_every_widget_moves_offline_and_draws_the_stored_values(site_dir, open_page):
    pages = grid_widget_pages(site_dir)
    assert pages, f"no page under {site_dir} embeds a widgets.GridWidget"
    SCREENS.mkdir(parents=True, exist_ok=True)
    moved = keyboard = presses = widgets_seen = expected_sliders = 0
    for path, (views, grid) in pages.items():
        site_page = open_page(path)
        page = site_page.page
        page.wait_for_function(f"() => document.querySelectorAll('.uw').length >= {len(views)}")
        # the theme's sticky header would cover the top of a widget in its screenshots
        page.add_style_tag(content=".bd-header, .bd-header-article, .header-article, .skip-link { display: none !important; }")
        roots = page.query_selector_all(".uw")
        assert len(roots) == len(views), f"{path}: {len(views)} widgets embedded, {len(roots)} drawn"
        for n, (root, model_id) in enumerate(zip(roots, views)):
            spec, index = grid[model_id]["spec"], list(grid[model_id]["index"])
            assert root.get_attribute("data-spec") == spec["id"], f"{path}: widget {n} is not the one embedded here"
            where = f"{path} widget {n} ({spec['title']})"
            check_drawing(root, spec, index, where + " as loaded")
            widgets_seen += 1
            name = f"{Path(path).stem}-{n}"
            root.screenshot(path=str(SCREENS / f"{name}-before.png"))
            inputs = root.query_selector_all("input[type=range]")
            assert len(inputs) == len(spec["sliders"]), where
            expected_sliders += len(inputs)
            for k, (slider, element) in enumerate(zip(spec["sliders"], inputs)):
                label = root.query_selector(f"label[for='{element.get_attribute('id')}']")
                assert label is not None and label.inner_text().strip() == slider["label"], f"{where}: slider {k} label"
                size = len(slider["values"])
                if size < 2:
                    continue
                # 1. an input event, as a mouse drag sends
                before, old = snapshot(root), index[k]
                index[k] = old + 1 if old + 1 < size else old - 1
                element.evaluate("(e, v) => { e.value = String(v); e.dispatchEvent(new Event('input', {bubbles: true})); }",
                                 index[k])
                assert root.get_attribute("data-index") == ",".join(map(str, index)), where
                check_drawing(root, spec, index, f"{where}, slider {slider['name']} -> {index[k]}")
                if not _same(expected_panels(spec, index), expected_panels(spec, index[:k] + [old] + index[k + 1:])):
                    assert snapshot(root) != before, f"{where}: moving {slider['name']} did not change the drawing"
                assert element.get_attribute("aria-valuetext") == slider["display"][index[k]]
                moved += 1
                # 2. the keyboard
                element.focus()
                key, step = ("ArrowRight", 1) if index[k] + 1 < size else ("ArrowLeft", -1)
                page.keyboard.press(key)
                index[k] += step
                assert root.get_attribute("data-index") == ",".join(map(str, index)), f"{where}: {key} on {slider['name']}"
                check_drawing(root, spec, index, f"{where}, {key} on {slider['name']}")
                keyboard += 1
            root.screenshot(path=str(SCREENS / f"{name}-after.png"))
            names = [s["name"] for s in spec["sliders"]]
            for p, button in zip(spec["presets"], root.query_selector_all("button[data-preset]")):
                button.click()
                for slider_name, k in p["index"].items():
                    index[names.index(slider_name)] = k
                assert root.get_attribute("data-index") == ",".join(map(str, index)), f"{where}: preset {p['label']}"
                check_drawing(root, spec, index, f"{where}, preset {p['label']}")
                presses += 1
        site_page.assert_clean()
    print(f"\n{len(pages)} pages, {widgets_seen} widgets, {moved} sliders moved by input events, "
          f"{keyboard} by the keyboard, {presses} presets pressed (of {expected_sliders} sliders)")
    assert moved == keyboard == expected_sliders > 0


def _same(a, b):
    try:
        np.testing.assert_equal(a, b)
        return True
    except AssertionError:
        return False
