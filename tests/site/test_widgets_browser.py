"""Every widget on every page of the built site works offline and draws what Python computed.

The static site shows widgets with the book's own loader (frontend/static/widget-loader.js), which
runs widgets/widget.js, the same front end Jupyter runs. For each page whose embedded widget state
holds widgets.GridWidget models, the test opens the page with the network blocked, then for every
widget: moves every control by pointer (an input event on a slider, a click on an option button)
and by keyboard (arrows on a slider; arrows around a group of option buttons, which wrap), presses
every preset, and after each move compares what the SVG and text show (data-* attributes written
by the renderers) with the state decoded in Python by widgets.grid.decode_field, which indexes the
grid exactly as the front end does (a tally panel: widgets.view.tally_result for the typed numbers).
A control that the state says has no effect in the current setting must be disabled, show the
reason, and truly change nothing; and no control is silent: from the first state of every widget,
every option, slider position and typed number that leaves the drawing as it was belongs to a
control that is disabled with its reason. It fails on any console error or outside request. At phone width (390 px) no widget or saved progress bar may be wider
than the column, and every widget control must be at least 44 px tall.
"""

import ast
import json
import os
import re
from html import unescape
from pathlib import Path

import numpy as np
import pytest

from frontend.unrolled_widgets import SCRIPT, front_end, site_script, states_path
from widgets.grid import decode_field
from widgets.view import PLACEHOLDER, tally_result

STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)
STATES_PUSH = re.compile(r"\.push\(JSON\.parse\((\".*\")\)\);\s*$", re.S)
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
  if (kind === "units") return {kind, values: pairs(".uw-units-head .uw-v", "v")};
  if (kind === "table") return {kind, values: pairs("td", "v")};
  if (kind === "tally") return {kind, values: pairs(".uw-v, td[data-key]", "v"),
                                error: (fig.querySelector("[data-error]") || {}).textContent || ""};
  const svg = fig.querySelector("svg");
  return {kind, items: +svg.dataset.items, shapes: svg.querySelectorAll("rect, circle").length};
})"""


def read_states_script(path):
    """The state a _static/widget-states/<page>.js script pushes (frontend/unrolled_widgets.states_script)."""
    text = path.read_text(encoding="utf-8")
    match = STATES_PUSH.search(text)
    assert match, f"{path} does not push a widget state"
    return json.loads(json.loads(match.group(1)))


def saved_widget_states(site_dir):
    """(path, html, {model id: model}) for every built page that saved widget state: in a script of its own
    (the site as built by frontend/unrolled_widgets.py), or inline in the page."""
    for path in sorted(site_dir.rglob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        match = STATE.search(html)
        if match:
            yield path, html, json.loads(match.group(1))["state"]
            continue
        states = site_dir / states_path(path.relative_to(site_dir).with_suffix("").as_posix())
        if states.is_file():
            yield path, html, read_states_script(states)["state"]


def grid_widget_pages(site_dir):
    """{page path: (list of model ids in view order, {model id: state})} for pages with GridWidgets."""
    pages = {}
    for path, html, models in saved_widget_states(site_dir):
        grid = {mid: m["state"] for mid, m in models.items()
                if m.get("model_name") == "AnyModel" and "sliders" in m["state"].get("spec", {})}
        views = [json.loads(v)["model_id"] for v in VIEW.findall(html)]
        views = [mid for mid in views if mid in grid]
        if views:
            pages[path.relative_to(site_dir).as_posix()] = (views, grid)
    return pages


def effective_numbers(spec, index, typed):
    """The typed numbers as a drawing uses them: a disabled one counts as its `off` value."""
    out = {}
    for number in spec.get("numbers", []):
        key = number.get("disabledWhen")
        off = key and decode_field(spec["fields"][key], spec["sliders"], index)
        out[number["name"]] = number["off"] if off else typed[number["name"]]
    return out


def expected_panels(spec, index, typed=None):
    """What each panel must show at slider indices `index` (and typed numbers), from the stored state alone."""
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
        elif kind == "tally":
            numbers = effective_numbers(spec, index, typed)
            result = tally_result(get(p["plan"]), {sym: numbers[name] for sym, name in p["symbols"].items()})
            if result["error"]:
                out.append({"error": result["error"]})
                continue
            values = [("total", result["total"]), ("weights", result["weights"]), ("biases", result["biases"])]
            values += [(a["role"], a["size"]) for part in result["parts"] for a in part["arrays"] if a["size"]]
            out.append(values)
        elif kind == "units":  # the unit and its r; tests/site/test_units_browser.py checks the shading
            out.append([(p["fields"][k], get(p["fields"][k])) for k in ("unit", "r")])
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


def check_drawing(root, spec, index, where, typed=None):
    """The panels of `root` show exactly what the state holds for `index` (and the typed numbers)."""
    drawn = root.evaluate(READ_PANELS)
    expected = expected_panels(spec, index, typed)
    assert len(drawn) == len(expected), where
    for k, (got, want) in enumerate(zip(drawn, expected)):
        context = f"{where}, panel {k} ({got['kind']})"
        if isinstance(want, dict) and "error" in want:
            assert got["error"] == want["error"], context
            continue
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


def test_pages_share_one_copy_of_the_widget_front_end_and_keep_their_states_out_of_the_html(site_dir):
    """frontend/unrolled_widgets.py: the states name the site's copy of widgets/widget.js and .css
    instead of carrying them; the copy is the current front end with the loader; each widget page loads
    it and its own state script, both async, and carries no state inline; pages without widgets load
    neither."""
    esm, css, version = front_end()
    assert (site_dir / "_static" / SCRIPT).read_text() == site_script(esm, css, version)
    pages = grid_widget_pages(site_dir)
    assert pages
    for path in pages:
        html = (site_dir / path).read_text(encoding="utf-8")
        assert not STATE.search(html), f"{path} still carries its widget state inline"
        states = states_path(path.removesuffix(".html"))
        for script in (SCRIPT, states):
            tag = re.search(rf'<script [^>]*src="[^"]*{re.escape(script)}\?v=[0-9a-f]+"[^>]*>', html)
            assert tag and 'async="async"' in tag.group(0), f"{path} does not load {script} async"
        models = read_states_script(site_dir / states)["state"]
        for model in models.values():
            if model["model_name"] == "AnyModel":
                state = model["state"]
                assert "_esm" not in state and "_css" not in state, f"{path}: a widget still carries its front end"
                assert state["_unrolled_front_end"] == version, path
        assert "require.js" not in html and "embed-amd.js" not in html, f"{path} still loads the widget manager"
    for path in site_dir.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if "widget-view+json" not in html:
            assert "widget-states/" not in html and SCRIPT not in html, f"{path} has no widget but loads their code"


def test_the_first_widget_is_drawn_while_the_page_is_parsed_and_the_others_near_the_viewport(site_dir, open_page):
    """frontend/widget-loader.js: the first widget of a page works before DOMContentLoaded; a widget far
    below the first screen is not drawn until the reader scrolls near it, and then is."""
    pages = grid_widget_pages(site_dir)
    path = "chapters/lstm.html"
    assert path in pages and len(pages[path][0]) >= 3, f"{path} should hold several widgets"
    count = len(pages[path][0])
    site_page = open_page(path, draw_all_widgets=False)
    page = site_page.page
    # set by the loader as the first widget is drawn; compared with the page's own DOMContentLoaded
    drawn_at = page.evaluate("() => window.unrolledWidgets.firstDrawnAt")
    parsed_at = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventStart")
    assert drawn_at is not None and drawn_at < parsed_at, (drawn_at, parsed_at)
    hosts = page.query_selector_all(".uw-host:not(.uw-saved)")
    assert len(hosts) == count, f"{path}: {count} widgets saved, {len(hosts)} placed"
    drawn = [h.query_selector(".uw") is not None for h in hosts]
    assert drawn[0] and not drawn[-1], f"{path}: drawn at load {drawn}"
    for n, host in enumerate(hosts):
        host.scroll_into_view_if_needed()
        page.wait_for_function("(h) => !!h.querySelector('.uw')", arg=host)
        root = host.query_selector(".uw")
        model_id = pages[path][0][n]
        state = pages[path][1][model_id]
        check_drawing(root, state["spec"], list(state["index"]), f"{path} widget {n}, drawn when scrolled to",
                      state.get("typed"))
    site_page.assert_clean()


def saved_progress_bars(site_dir):
    """{page: [(texts of the HTML parts, value, max) per saved tqdm bar, in view order]}."""
    pages = {}
    for path, html, models in saved_widget_states(site_dir):
        bars = []
        for view in VIEW.findall(html):
            model = models.get(json.loads(view)["model_id"])
            if not model or model["model_name"] != "HBoxModel":
                continue
            parts = [models[ref.removeprefix("IPY_MODEL_")] for ref in model["state"]["children"]]
            texts = [p["state"]["value"] for p in parts if p["model_name"] == "HTMLModel"]
            progress = [p["state"] for p in parts if p["model_name"] == "FloatProgressModel"]
            bars.append((texts, progress[0]["value"], progress[0]["max"]))
        if bars:
            pages[path.relative_to(site_dir).as_posix()] = bars
    return pages


def test_saved_progress_bars_show_their_final_text_and_bar(site_dir, open_page):
    pages = saved_progress_bars(site_dir)
    assert pages, "no page saves a tqdm progress bar"
    for path, bars in pages.items():
        site_page = open_page(path)
        rows = site_page.page.evaluate("""() => [...document.querySelectorAll('.uw-host > .uw-saved-row')].map((row) => ({
          texts: [...row.querySelectorAll('span')].map((s) => s.textContent),
          value: row.querySelector('progress').value, max: row.querySelector('progress').max}))""")
        assert len(rows) == len(bars), f"{path}: {len(bars)} bars saved, {len(rows)} shown"
        for row, (texts, value, maximum) in zip(rows, bars):
            # tqdm's figure spaces become plain ones, so the line can wrap; entities are decoded
            want = [unescape(t).replace("\u2007", " ") for t in texts if t]
            assert row["texts"] == want, path
            assert (row["value"], row["max"]) == (value, maximum), path
        site_page.assert_clean()


def _no_effect(spec, index, k, typed=None):
    """True if no setting of control k changes what any panel shows at `index`."""
    shown = expected_panels(spec, index, typed)
    return all(_same(shown, expected_panels(spec, index[:k] + [j] + index[k + 1:], typed))
               for j in range(len(spec["sliders"][k]["values"])))


def _reason(spec, slider, index):
    key = slider.get("disabledWhen")
    return decode_field(spec["fields"][key], spec["sliders"], index) if key else ""


def test_every_control_of_every_widget_moves_offline_and_draws_the_stored_values(site_dir, open_page):
    pages = grid_widget_pages(site_dir)
    assert pages, f"no page under {site_dir} embeds a widgets.GridWidget"
    SCREENS.mkdir(parents=True, exist_ok=True)
    moved = keyboard = presses = widgets_seen = expected_controls = disabled = choices = single = 0
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
            typed = dict(grid[model_id].get("typed") or {})
            assert root.get_attribute("data-spec") == spec["id"], f"{path}: widget {n} is not the one embedded here"
            where = f"{path} widget {n} ({spec['title']})"
            check_drawing(root, spec, index, where + " as loaded", typed)
            widgets_seen += 1
            name = f"{Path(path).stem}-{n}"
            root.screenshot(path=str(SCREENS / f"{name}-before.png"))
            controls = root.query_selector_all(".uw-ctl:not(.uw-num)")
            assert [c.get_attribute("data-name") for c in controls] == [s["name"] for s in spec["sliders"]], where
            assert [c.get_attribute("data-name") for c in root.query_selector_all(".uw-ctl.uw-num")] == \
                [s["name"] for s in spec.get("numbers", [])], where
            expected_controls += len(controls)
            for k, (slider, control) in enumerate(zip(spec["sliders"], controls)):
                size = len(slider["values"])
                is_choice = 2 <= size and (slider.get("buttons") or size <= 4) and \
                    any(isinstance(v, str) for v in slider["values"])
                radios = control.query_selector_all("[role=radio]")
                element = control.query_selector("input[type=range]")
                if is_choice:
                    # named options: a labelled group of option buttons, one checked, no slider
                    assert element is None and len(radios) == size, f"{where}: {slider['name']} should be option buttons"
                    group = control.query_selector("[role=radiogroup]")
                    label = root.query_selector(f"#{group.get_attribute('aria-labelledby')}")
                    assert [r.inner_text().strip().lstrip("\u2713").strip() for r in radios] == slider["display"]
                    assert [r.get_attribute("aria-checked") for r in radios] == \
                        ["true" if j == index[k] else "false" for j in range(size)], f"{where}: {slider['name']}"
                    choices += 1
                else:
                    label = root.query_selector(f"label[for='{element.get_attribute('id')}']")
                assert label is not None and label.inner_text().strip() == slider["label"], f"{where}: control {k} label"
                if size < 2:
                    single += 1
                    continue
                why = _reason(spec, slider, index)
                shown_why = control.query_selector(".uw-why")
                if why:
                    # no effect in this setting: disabled, saying why, and truly without effect
                    assert shown_why.is_visible() and shown_why.inner_text() == why, f"{where}: {slider['name']}"
                    assert all(r.is_disabled() for r in radios) if is_choice else element.is_disabled(), where
                    assert _no_effect(spec, index, k, typed), f"{where}: {slider['name']} is disabled but would change a panel"
                    disabled += 1
                    continue
                assert not shown_why.is_visible(), f"{where}: {slider['name']} says it has no effect"
                # 1. a pointer: an input event, as a drag sends, or a click on another option
                before, old = snapshot(root), index[k]
                index[k] = old + 1 if old + 1 < size else old - 1
                if is_choice:
                    radios[index[k]].click()
                else:
                    element.evaluate("(e, v) => { e.value = String(v); e.dispatchEvent(new Event('input', {bubbles: true})); }",
                                     index[k])
                assert root.get_attribute("data-index") == ",".join(map(str, index)), where
                check_drawing(root, spec, index, f"{where}, {slider['name']} -> {index[k]}", typed)
                if not _same(expected_panels(spec, index, typed),
                             expected_panels(spec, index[:k] + [old] + index[k + 1:], typed)):
                    assert snapshot(root) != before, f"{where}: moving {slider['name']} did not change the drawing"
                if is_choice:
                    assert radios[index[k]].get_attribute("aria-checked") == "true", where
                else:
                    assert element.get_attribute("aria-valuetext") == slider["display"][index[k]]
                moved += 1
                # 2. the keyboard: arrows on the slider, or around the group of options (wrapping)
                (radios[index[k]] if is_choice else element).focus()
                if is_choice:
                    key, target = "ArrowRight", (index[k] + 1) % size
                else:
                    key, target = ("ArrowRight", index[k] + 1) if index[k] + 1 < size else ("ArrowLeft", index[k] - 1)
                page.keyboard.press(key)
                index[k] = target
                assert root.get_attribute("data-index") == ",".join(map(str, index)), f"{where}: {key} on {slider['name']}"
                check_drawing(root, spec, index, f"{where}, {key} on {slider['name']}", typed)
                if is_choice:
                    assert page.evaluate("() => document.activeElement.getAttribute('aria-checked')") == "true"
                keyboard += 1
            root.screenshot(path=str(SCREENS / f"{name}-after.png"))
            names = [s["name"] for s in spec["sliders"]]
            for p, button in zip(spec["presets"], root.query_selector_all("button[data-preset]")):
                button.click()
                for slider_name, k in p["index"].items():
                    index[names.index(slider_name)] = k
                typed.update(p.get("typed", {}))
                assert root.get_attribute("data-index") == ",".join(map(str, index)), f"{where}: preset {p['label']}"
                check_drawing(root, spec, index, f"{where}, preset {p['label']}", typed)
                presses += 1
            # every control, enabled or not, says whether it has an effect in the setting reached
            for k, (slider, control) in enumerate(zip(spec["sliders"], controls)):
                why = _reason(spec, slider, index)
                assert control.query_selector(".uw-why").inner_text() == why, f"{where}: {slider['name']} after presets"
        site_page.assert_clean()
    print(f"\n{len(pages)} pages, {widgets_seen} widgets, {moved} controls moved by pointer, {keyboard} by the "
          f"keyboard, {choices} groups of option buttons, {disabled} disabled with a reason, {presses} presets "
          f"pressed (of {expected_controls} controls)")
    assert moved == keyboard > 0 and choices > 0
    assert moved + disabled + single == expected_controls


MOVE = """(e, v) => { e.value = String(v); e.dispatchEvent(new Event('input', {bubbles: true})); }"""


def test_no_control_is_silent_from_the_first_state(site_dir, open_page):
    """From the first state of every widget on every page (lazy ones drawn as a reader scrolling would meet
    them), click every option, move every slider to every position and type other numbers: a control none
    of whose settings changes the drawing must be disabled and say why. After each control the widget is
    set back, and must draw as it did."""
    pages = grid_widget_pages(site_dir)
    tried = disabled = 0
    for path, (views, grid) in pages.items():
        site_page = open_page(path)
        page = site_page.page
        page.wait_for_function(f"() => document.querySelectorAll('.uw').length >= {len(views)}")
        for n, (root, model_id) in enumerate(zip(page.query_selector_all(".uw"), views)):
            spec = grid[model_id]["spec"]
            where = f"{path} widget {n} ({spec['title']})"
            first = snapshot(root)
            controls = root.query_selector_all(".uw-ctl:not(.uw-num)")
            for k, (slider, control) in enumerate(zip(spec["sliders"], controls)):
                if len(slider["values"]) < 2:
                    continue
                radios = control.query_selector_all("[role=radio]")
                element = control.query_selector("input[type=range]")
                if (all(r.is_disabled() for r in radios) if radios else element.is_disabled()):
                    assert control.query_selector(".uw-why").inner_text().strip(), f"{where}: {slider['name']} " \
                        "is disabled without a reason"
                    disabled += 1
                    continue
                at = int(root.get_attribute("data-index").split(",")[k])
                changed = []
                for j in range(len(slider["values"])):
                    if j == at:
                        continue
                    radios[j].click() if radios else element.evaluate(MOVE, j)
                    changed.append(snapshot(root) != first)
                radios[at].click() if radios else element.evaluate(MOVE, at)
                assert snapshot(root) == first, f"{where}: {slider['name']} set back does not draw as before"
                tried += 1
                assert any(changed), f"{where}: {slider['name']} changes nothing from the first state and is " \
                    "not disabled"
            for number, control in zip(spec.get("numbers", []), root.query_selector_all(".uw-ctl.uw-num")):
                field = control.query_selector("input")
                if field.is_disabled():
                    assert control.query_selector(".uw-why").inner_text().strip(), where
                    disabled += 1
                    continue
                old = int(field.input_value())
                changed = []
                for value in {old + 1 if old < number["max"] else old - 1, number["min"], number["max"]} - {old}:
                    field.fill(str(value))
                    changed.append(snapshot(root) != first)
                field.fill(str(old))
                assert snapshot(root) == first, f"{where}: {number['name']} set back does not draw as before"
                tried += 1
                assert any(changed), f"{where}: typing {number['name']} changes nothing and it is not disabled"
        site_page.assert_clean()
    print(f"\n{tried} controls tried from the first state, {disabled} disabled with a reason")
    assert tried > 0


def test_widgets_and_saved_progress_bars_fit_a_phone_column_with_finger_sized_controls(site_dir, open_page):
    """At 390 px, no widget or saved progress bar is wider than the column, and every control of a
    widget is at least 44 px tall."""
    pages = grid_widget_pages(site_dir)
    for path in pages:
        site_page = open_page(path)
        page = site_page.page
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function("() => document.querySelectorAll('.uw').length > 0")
        report = page.evaluate("""() => {
          const column = document.querySelector('article').getBoundingClientRect();
          return [...document.querySelectorAll('.uw-host')].map((host) => {
            const box = host.getBoundingClientRect();
            return {
              kind: host.querySelector('.uw') ? 'widget' : 'saved',
              overflow: Math.max(host.scrollWidth - host.clientWidth, box.right - column.right),
              small: [...host.querySelectorAll('.uw input, .uw button')].map((c) => c.getBoundingClientRect())
                .filter((r) => r.width && r.height < 44).length,
            };
          });
        }""")
        assert report, f"{path}: nothing drawn"
        for n, r in enumerate(report):
            assert r["overflow"] <= 1, f"{path} output {n} ({r['kind']}) is wider than the phone column: {r}"
            assert r["small"] == 0, f"{path} output {n}: {r['small']} controls shorter than 44 px"
        site_page.screenshot(f"phone-{Path(path).stem}")
        site_page.assert_clean()


def _same(a, b):
    try:
        np.testing.assert_equal(a, b)
        return True
    except AssertionError:
        return False


# --- live, in JupyterLab --------------------------------------------------------------------

LIVE_WIDGETS = ["lstm_gates", "gru_gates", "vanishing_gradients", "unit_vs_cell", "param_counter"]


def _live_notebook(folder):
    import nbformat

    cells = [nbformat.v4.new_code_cell(f"import widgets\nws = {{n: getattr(widgets, n)() for n in {LIVE_WIDGETS!r}}}")]
    cells += [nbformat.v4.new_code_cell(f"ws[{name!r}]") for name in LIVE_WIDGETS]
    cells.append(nbformat.v4.new_code_cell("print({n: [w.index, w.typed] for n, w in ws.items()})"))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(notebook, folder / "live.ipynb")
    # the unit explorer takes a network: two small random LSTMs over a bracket passage
    cells = [nbformat.v4.new_code_cell(
        "import numpy as np\nimport cells\nimport widgets\n"
        "passage = '(a(b)) ab ((a)) b (ab) (()) a'\n"
        "depth = np.cumsum([{'(': 1, ')': -1}.get(ch, 0) for ch in passage])\n"
        "w = widgets.unit_explorer([(f'draw {n}', cells.LSTM(5, 8, rng=n), None) for n in (1, 2)], '()ab ', passage,\n"
        "                          {'depth': depth})"),
        nbformat.v4.new_code_cell("w"),
        nbformat.v4.new_code_cell("print(w.value)")]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=notebook.metadata)
    nbformat.write(notebook, folder / "units.ipynb")


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab from the project's environment on loopback, with a token; stopped after the tests."""
    import secrets
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    folder = tmp_path_factory.mktemp("live")
    _live_notebook(folder)
    # Every cell stays in the page (JupyterLab 4 otherwise detaches cells scrolled out of view), and no
    # news is fetched; the reader's own settings and workspaces are not touched.
    settings = folder / ".settings"
    for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                           "apputils-extension/notification": {"fetchNews": "false"}}.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    log = open(folder / "jupyterlab.log", "w")
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
               # nothing that would ask the internet: no news, no update check, no extension catalogue
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
    if os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
                              env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "JUPYTER_RUNTIME_DIR": str(folder),
                                   "JUPYTERLAB_SETTINGS_DIR": str(settings),
                                   "JUPYTERLAB_WORKSPACES_DIR": str(folder / ".workspaces")})
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {(folder / 'jupyterlab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_live_widgets_in_jupyterlab_redraw_and_the_kernel_sees_the_new_setting(browser, jupyterlab):
    base, token = jupyterlab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    outside, errors = [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "ws://127.0.0.1", "data:", "blob:"))
               else (outside.append(r.request.url), r.abort()))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}lab/tree/live.ipynb?token={token}")
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        # Run All Cells; JupyterLab drops the command while its kernel connection is still settling,
        # so try again until the first cell has run
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        for attempt in range(8):
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_function("() => /\\d/.test(document.querySelector('.jp-Notebook .jp-InputPrompt').textContent)",
                                       timeout=20_000)
                break
            except Exception:
                assert attempt < 7, "JupyterLab never ran the notebook"
        page.wait_for_function(f"() => document.querySelectorAll('.jp-Notebook .uw').length === {len(LIVE_WIDGETS)}")
        last = page.locator(".jp-Notebook .jp-Cell").nth(len(LIVE_WIDGETS) + 1)
        last.locator(".jp-OutputArea-output").wait_for()
        roots = page.locator(".jp-Notebook .uw")

        # a slider of the LSTM widget, and an option button of the parameter counter
        lstm, counter = roots.nth(0), roots.nth(4)
        before = lstm.locator(".uw-draw").first.inner_html()
        lstm.locator("input[type=range]").first.evaluate(
            "(e) => { e.value = String(+e.value - 1); e.dispatchEvent(new Event('input', {bubbles: true})); }")
        assert lstm.locator(".uw-draw").first.inner_html() != before, "the LSTM drawing did not change"
        counter.locator("[role=radio]", has_text="Keras").click()
        assert counter.locator("[role=radio]", has_text="Keras").get_attribute("aria-checked") == "true"
        # typed sizes: the kernel answers with cells.count_params (keras.layers.GRU(20) on 10 features: 1,920)
        counter.locator("[role=radio]", has_text="GRU").click()
        counter.locator(".uw-num[data-name=input_size] input").fill("10")
        counter.locator(".uw-num[data-name=hidden_size] input").fill("20")
        counter.locator(".uw-note-text", has_text="computed by cells.count_params in the kernel").wait_for()
        assert counter.locator(".uw-v[data-key=total]").inner_text() == "1,920"
        expected = {"lstm_gates": lstm.get_attribute("data-index"), "param_counter": counter.get_attribute("data-index")}

        # the kernel-side widgets hold what the page shows: print their indices again (Ctrl+Enter runs
        # the cell in place)
        prompt = last.locator(".jp-InputPrompt")
        ran_before = prompt.text_content()  # read before the cell runs again: "[7]:"
        last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        page.wait_for_function("([n, before]) => { const p = document.querySelectorAll('.jp-Notebook .jp-Cell')[n]"
                               ".querySelector('.jp-InputPrompt').textContent; return /\\d/.test(p) && p !== before; }",
                               arg=[len(LIVE_WIDGETS) + 1, ran_before])
        printed = last.locator(".jp-OutputArea-output").inner_text()
        kernel = ast.literal_eval(printed.strip())  # {name: [indices, typed numbers]} printed by the kernel
        for name, shown in expected.items():
            assert ",".join(map(str, kernel[name][0])) == shown, f"{name}: kernel {kernel[name]}, page {shown}"
        assert kernel["param_counter"][1] | {"input_size": 10, "hidden_size": 20} == kernel["param_counter"][1]
        assert not outside, f"requests outside the machine: {outside}"
        assert not errors, f"console errors: {errors}"
    except Exception:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "jupyterlab-failure.png"))  # for a person to look at
        raise
    finally:
        context.close()


def test_the_unit_explorer_runs_live_in_jupyterlab_and_the_kernel_sees_the_new_setting(browser, jupyterlab):
    """The unit explorer's forward pass runs in JupyterLab's page too: typed text is shaded as it is typed
    (JupyterLab does not take the keys), and a quantity chosen in the page reaches the kernel's w.value."""
    base, token = jupyterlab
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    outside, errors = [], []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "ws://127.0.0.1", "data:", "blob:"))
               else (outside.append(r.request.url), r.abort()))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}lab/workspaces/units/tree/units.ipynb?token={token}")  # a workspace of its own
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for()
        for attempt in range(8):
            page.locator(".jp-Notebook .jp-Cell").first.click()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                page.wait_for_function("() => /\\d/.test(document.querySelector('.jp-Notebook .jp-InputPrompt').textContent)",
                                       timeout=20_000)
                break
            except Exception:
                assert attempt < 7, "JupyterLab never ran the notebook"
        root = page.locator(".jp-Notebook .uw").first
        root.locator(".uw-panel-units .uw-text[data-role=passage]").wait_for()
        assert root.locator(".uw-text[data-role=passage] .uw-ch[data-t]").count() == 29
        box = root.locator("textarea.uw-type")
        box.fill("")
        box.click()
        page.keyboard.type("(ab)")  # typed keys stay in the box: JupyterLab's shortcuts do not see them
        assert box.input_value() == "(ab)"
        assert root.locator(".uw-text[data-role=typed] .uw-ch[data-t]").count() == 4
        root.locator("[role=radio]", has_text="c (cell state)").click()
        assert root.locator(".uw-units-head").inner_text().count("c (cell state)") == 1
        last = page.locator(".jp-Notebook .jp-Cell").nth(2)
        prompt = last.locator(".jp-InputPrompt")
        ran_before = prompt.text_content()
        last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        page.wait_for_function("([before]) => { const p = document.querySelectorAll('.jp-Notebook .jp-Cell')[2]"
                               ".querySelector('.jp-InputPrompt').textContent; return /\\d/.test(p) && p !== before; }",
                               arg=[ran_before])
        value = ast.literal_eval(last.locator(".jp-OutputArea-output").inner_text().strip())
        assert value["quantity"] == "c (cell state)" and value["checkpoint"] == "draw 2", value
        assert not outside, f"requests outside the machine: {outside}"
        assert not errors, f"console errors: {errors}"
    except Exception:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / "jupyterlab-units-failure.png"))
        raise
    finally:
        context.close()
