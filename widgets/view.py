"""The widget itself: an anywidget whose state holds the encoded grid and a list of panels.

`build(...)` evaluates every field over the slider grid, fixes the axes of every plot over the
whole grid (so curves move, not axes), and returns a `GridWidget`. The front end
(`widget.js`, self-contained, no imports) draws the panels as SVG and only indexes into the
stored rows when a slider moves. Live in Jupyter the same object syncs the slider indices
back, so `w.value` is what the reader has set.

Panels (plain dicts, made by the helpers below):
    line_plot  several series against a shared x, optional log-scaled y, legend, ticks
    heatmap    rows of values coloured on a fixed scale (gate activations, Jacobians)
    diagram    boxes, circles, arrows and text given as JSON primitives
    text       sentences with {placeholders} filled from sliders and fields
    table      columns of numbers with row labels
    bar_chart  horizontal stacked bars (weights and biases per layer)
    tally      arrays whose shapes are sums of symbols, counted for the typed numbers (the parameter counter)
    units      a passage shaded by one unit of a recurrent layer, which the page itself runs (widgets/units.py)

Typed numbers (`widgets.grid.Number`) sit outside the grid: a `tally` panel reads a JSON field of rules
(`cells.counting.network_plan`'s format) at the choices' setting and evaluates it for the typed values,
in the page (widget.js) or, live in Jupyter, in the kernel (`live`, a function of every setting).
"""

import hashlib
import json
import math
import pathlib
import re

import anywidget
import numpy as np
import traitlets

from cells.counting import evaluate

from .grid import CODEC, Field, Number, Slider, decode_field, decode_rows, evaluate_field

_HERE = pathlib.Path(__file__).parent


class GridWidget(anywidget.AnyWidget):
    """A widget drawn from a precomputed grid. `index` (synced) holds one grid index per slider."""

    _esm = (_HERE / "widget.js").read_text()
    _css = (_HERE / "widget.css").read_text()
    spec = traitlets.Dict().tag(sync=True)
    index = traitlets.List(traitlets.Int()).tag(sync=True)
    typed = traitlets.Dict().tag(sync=True)  # the typed numbers, {name: whole number}
    live = traitlets.Dict().tag(sync=True)  # the kernel's tally results for {index, typed}, from `live_fn`
    values = traitlets.Dict()  # the current slider values and typed numbers, kept in step with both

    def __init__(self, spec, index, sliders, numbers=(), typed=None, live_fn=None, **kwargs):
        self._sliders, self._numbers, self._live_fn = sliders, list(numbers), live_fn
        super().__init__(spec=spec, index=index, typed=dict(typed or {}), **kwargs)
        self._update_values(None)
        self.observe(self._update_values, names=["index", "typed"])

    def _update_values(self, change):
        values = {s.name: s.values[i] for s, i in zip(self._sliders, self.index)}
        values.update(self.effective_numbers())
        self.values = values
        if self._live_fn is not None:
            panels = self.spec["panels"]
            results = {str(k): self._live_fn(**values) for k, p in enumerate(panels) if p["kind"] == "tally"}
            self.live = {"index": list(self.index), "typed": dict(self.typed), "results": results}

    def effective_numbers(self):
        """The typed numbers as the drawing uses them: a disabled one (no effect here) counts as its `off` value."""
        out = {}
        for n in self._numbers:
            why = decode_field(self.spec["fields"][n.disabled_when], self.spec["sliders"], self.index) \
                if n.disabled_when else ""
            out[n.name] = n.off if why else int(self.typed.get(n.name, n.default))
        return out

    @property
    def value(self):
        return dict(self.values)

    def set(self, **settings):
        """Move sliders from Python, e.g. w.set(forget=0.9); snaps to the grid, checks the range."""
        index, typed = list(self.index), dict(self.typed)
        by_name = {s.name: k for k, s in enumerate(self._sliders)}
        numbers = {n.name: n for n in self._numbers}
        for name, value in settings.items():
            if name in numbers:
                typed[name] = numbers[name].check(value)
            elif name in by_name:
                index[by_name[name]] = self._sliders[by_name[name]].index_of(value)
            else:
                raise ValueError(f"unknown slider {name!r}; expected one of {sorted(by_name) + sorted(numbers)}")
        with self.hold_trait_notifications():
            self.index, self.typed = index, typed
        return self

    def field(self, key):
        """The value of field `key` at the current sliders, decoded exactly as the browser does."""
        fields = self.spec["fields"]
        if key not in fields:
            raise ValueError(f"unknown field {key!r}; expected one of {sorted(fields)}")
        return decode_field(fields[key], self.spec["sliders"], self.index)

    def tally(self, panel):
        """What tally panel number `panel` shows at the current settings, evaluated as the page does."""
        spec = self.spec["panels"][panel]
        plan = self.field(spec["plan"])
        numbers = self.effective_numbers()
        return tally_result(plan, {symbol: numbers[name] for symbol, name in spec["symbols"].items()})

    def state_size(self):
        """Bytes of JSON this widget embeds in a static page (its data plus the front end)."""
        state = self.get_state()
        return len(json.dumps(state, separators=(",", ":")))


def _series_range(field, log):
    """min and max of the finite (positive, on a log axis; then as log10) values in all rows of a field."""
    if field["enc"] == "json":
        raise ValueError("a plotted field must be numeric")
    data = decode_rows(field)
    data = data[np.isfinite(data)]
    if log:
        data = np.log10(data[data > 0])
    return (float(data.min()), float(data.max())) if data.size else None


def _nice_range(lo, hi):
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.05 * (hi - lo)
    return [lo - pad, hi + pad]


def line_plot(series, x, xlabel="", ylabel="", title="", log_y=False, ylim=None, xlim=None):
    """series: list of dicts {key, label, color (palette index), dash (bool)}; x: list of numbers
    or the key of a field. ylim: fixed limits (on a log axis, the data limits; values at or below
    ylim[0] are drawn on the floor and the drawing says so)."""
    if not series:
        raise ValueError("line_plot needs at least one series; got none")
    return {"kind": "line", "series": [dict(s) for s in series], "x": x, "xlabel": xlabel,
            "ylabel": ylabel, "title": title, "logY": bool(log_y), "ylim": ylim, "xlim": xlim}


def heatmap(rows, row_labels, col_labels, vmin, vmax, title="", xlabel="", diverging=False, show_values=False):
    """rows: a list of keys of 1-D fields, one heatmap row each (so each row can depend on its own
    sliders). Colours run over [vmin, vmax]; values outside are clamped. The front end does not
    split a 2-D field into rows, so a single key is refused here rather than drawn as nothing."""
    if isinstance(rows, str) or not isinstance(rows, (list, tuple)) or not rows:
        raise ValueError(f"heatmap rows must be a non-empty list of keys of 1-D fields, one per row; "
                         f"got {rows!r}")
    if not vmax > vmin:
        raise ValueError(f"heatmap needs vmin < vmax; got vmin={vmin!r}, vmax={vmax!r}")
    return {"kind": "heatmap", "rows": list(rows), "rowLabels": list(row_labels),
            "colLabels": list(col_labels),
            "vmin": vmin, "vmax": vmax, "title": title, "xlabel": xlabel, "diverging": bool(diverging),
            "showValues": bool(show_values)}


def diagram(layers, title="", min_width=0):
    """layers: keys of JSON fields, each {"box": [x0, y0, x1, y1], "items": [...]}, drawn in order.

    Items: ["rect", x, y, w, h, cls, text], ["circle", cx, cy, r, cls, text],
    ["arrow", x1, y1, x2, y2, cls], ["line", x1, y1, x2, y2, cls], ["text", x, y, text, cls, anchor].
    cls is a space-separated list from: box, hl, unit, muted, faint, small, bold, c0..c5, dashed.
    """
    return {"kind": "diagram", "layers": list(layers), "title": title, "minWidth": min_width}


def text(lines, title=""):
    """lines: template strings such as "dc_T/dc_0 = {grad:.4g}", or {"key": k} for a JSON field
    holding the template. Placeholders name a slider (its displayed value) or a field."""
    return {"kind": "text", "lines": list(lines), "title": title}


def table(columns, row_labels, title="", fmt=",.0f", row_title=""):
    """columns: list of {label, key} of 1-D numeric fields of equal length; rows whose first
    column is NaN are hidden. row_labels: a list, or {"key": k} for a JSON field; row_title heads
    their column."""
    panel = {"kind": "table", "columns": list(columns), "rowLabels": row_labels, "title": title, "fmt": fmt}
    if row_title:
        panel["rowTitle"] = row_title
    return panel


# {name} or {name:format spec} in a text panel; widget.js holds the same pattern (a test compares them)
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def tally(plan, symbols, title=""):
    """plan: the key of a JSON field holding rules in `cells.counting.network_plan`'s format; symbols:
    {symbol: name of a typed Number}. The panel lists every array with its shape in symbols and in
    numbers, part by part, and the totals; the page evaluates the rules (widget.js), `tally_result` here."""
    return {"kind": "tally", "plan": plan, "symbols": dict(symbols), "title": title}


def tally_result(plan, values):
    """The rules of `plan` evaluated for `values` {symbol: number}: the Python twin of widget.js's tally.

    {"error": text} if a check fails; else {"error": "", "total", "weights", "biases", "parts": [{"label",
    "times", "subtotal", "arrays": [{"name", "shape", "numbers", "size", "role"}]}]}, parts that hold no
    parameter left out.
    """
    values = dict(values)
    values["r"] = next((values[s] for s in plan["derived"]["r"] if values[s]), 0)
    for check in plan["checks"]:
        if evaluate(check["positive"], values) <= 0:
            return {"error": check["message"]}
    totals, parts = {"weight": 0, "bias": 0}, []
    for part in plan["parts"]:
        times, arrays = evaluate(part["times"], values), []
        for array in part["arrays"]:
            numbers = [evaluate(d, values) for d in array["dims"]]
            size = math.prod(numbers)
            arrays.append({"name": array["name"], "shape": array["shape"], "numbers": numbers, "size": size,
                           "role": array["role"]})
            totals[array["role"]] += times * size
        subtotal = sum(a["size"] for a in arrays)
        if times > 0 and subtotal > 0:
            parts.append({"label": part["label"], "times": times, "subtotal": subtotal, "arrays": arrays})
    return {"error": "", "total": totals["weight"] + totals["bias"], "weights": totals["weight"],
            "biases": totals["bias"], "parts": parts}


def bar_chart(series, categories, title=""):
    """Horizontal stacked bars: series are {key, label, color} of 1-D numeric fields, one entry per
    category; categories whose first series value is NaN are hidden. The axis fits the bars shown."""
    if not series:
        raise ValueError("bar_chart needs at least one series; got none")
    return {"kind": "bars", "series": [dict(s) for s in series], "categories": list(categories), "title": title}


def _placeholders(template):
    return [m.group(1) for m in PLACEHOLDER.finditer(template)]


def build(title, sliders, fields, panels, presets=None, caption="", settings=None, numbers=(), live=None):
    """Evaluate `fields` over the grid of `sliders` and return a GridWidget drawing `panels`.

    presets: {button label: {slider or number name: value}}; settings: the initial values.
    numbers: typed `Number`s for tally panels; live: a function of every setting that returns what
    a tally panel shows (`tally_result`'s format), computed by the kernel when the widget is live.
    For example, a decaying memory c_t = f^t:

        w = build("Memory", [Slider("f", [0.5, 0.9, 0.99], "forget gate f", ".2f")],
                  [Field("c", lambda f: f ** np.arange(21), ["f"])],
                  [line_plot([{"key": "c", "label": "c_t"}], list(range(21)), xlabel="t")],
                  presets={"keep": {"f": 0.99}})
    """
    names = [s.name for s in sliders]
    numbers = list(numbers)
    by_number = {n.name: n for n in numbers}
    if len(set(names + list(by_number))) != len(names) + len(numbers):
        raise ValueError(f"slider and number names must be distinct; got {names + [n.name for n in numbers]}")
    # the reader's settings first: a bad one fails before the grid is evaluated
    index = [s.default_index for s in sliders]
    typed = {n.name: n.default for n in numbers}
    for name, value in (settings or {}).items():
        if name in by_number:
            typed[name] = by_number[name].check(value)
            continue
        position = _slider(sliders, name).index_of(value)  # unknown name or bad value: ValueError
        index[names.index(name)] = position
    preset_specs = []
    for label, values in (presets or {}).items():
        preset_specs.append({"label": label,
                             "index": {name: _slider(sliders, name).index_of(v) for name, v in values.items()
                                       if name not in by_number},
                             "typed": {name: by_number[name].check(v) for name, v in values.items()
                                       if name in by_number}})
    encoded = {}
    for f in fields:
        if not isinstance(f, Field):
            raise ValueError(f"fields must be Field objects; got {type(f).__name__}")
        if f.key in names:
            raise ValueError(f"field key {f.key!r} is also a slider name; use another key")
        encoded[f.key] = evaluate_field(f, sliders)
    for s in sliders + numbers:
        _check_disabled_when(s, encoded)
    for panel in panels:
        keys = _check_panel(panel, encoded, names, list(by_number))
        # the sliders the panel depends on, through its fields or directly: a move of any other
        # slider leaves the panel as it is, and the front end skips redrawing it
        deps = {name for key in keys for name in (encoded[key]["deps"] if key in encoded else [key])}
        panel["deps"] = sorted(names.index(name) for name in deps)
    spec = {"title": title, "caption": caption, "sliders": [s.spec() for s in sliders],
            "fields": encoded, "panels": panels, "presets": preset_specs, "codec": CODEC}
    if numbers:
        spec["numbers"] = [n.spec() for n in numbers]
    # a content hash lets a browser test find the state behind a drawing
    spec["id"] = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]
    return GridWidget(spec=spec, index=index, sliders=sliders, numbers=numbers, typed=typed, live_fn=live)


def _check_disabled_when(slider, fields):
    key = slider.disabled_when
    if key is None:
        return
    if key not in fields or fields[key]["enc"] != "json":
        raise ValueError(f"slider {slider.name!r}: disabled_when must name a JSON field; got {key!r}")
    if slider.name in fields[key]["deps"]:
        raise ValueError(f"slider {slider.name!r}: its disabled_when field {key!r} must not depend on the "
                         f"slider itself (a disabled control could never be enabled again)")
    reasons = fields[key]["rows"]
    if not all(isinstance(r, str) for r in reasons):
        raise ValueError(f"slider {slider.name!r}: disabled_when field {key!r} must hold strings "
                         f"(the reason, or \"\"); got {reasons!r}")


def _slider(sliders, name):
    for s in sliders:
        if s.name == name:
            return s
    raise ValueError(f"unknown slider {name!r}; expected one of {[s.name for s in sliders]}")


def _check_panel(panel, fields, slider_names, number_names=()):
    """Check references and fix axis limits over the whole grid; return the field keys and slider
    names the panel reads (what it must be redrawn for)."""
    reads = []

    def need(key):
        if key not in fields:
            raise ValueError(f"{panel['kind']} panel refers to field {key!r}; fields are {sorted(fields)}")
        reads.append(key)
        return fields[key]

    if panel["kind"] == "line":
        if isinstance(panel["x"], str):
            need(panel["x"])
            if panel["xlim"] is None:
                panel["xlim"] = list(_series_range(fields[panel["x"]], False))
        elif panel["xlim"] is None:
            panel["xlim"] = [float(min(panel["x"])), float(max(panel["x"]))]
        if panel["xlim"][0] == panel["xlim"][1]:
            panel["xlim"] = [panel["xlim"][0] - 0.5, panel["xlim"][1] + 0.5]
        ranges = [_series_range(need(s["key"]), panel["logY"]) for s in panel["series"]]
        ranges = [r for r in ranges if r is not None]
        if panel["logY"]:
            if panel["ylim"] is None:
                lo = min((r[0] for r in ranges), default=-1.0)
                hi = max((r[1] for r in ranges), default=1.0)
                panel["ylim"] = [10.0 ** math.floor(lo), 10.0 ** math.ceil(hi if hi > lo else lo + 1)]
            if not 0 < panel["ylim"][0] < panel["ylim"][1]:
                raise ValueError(f"a log-scaled plot needs 0 < ylim[0] < ylim[1]; got {panel['ylim']}")
        elif panel["ylim"] is None:
            lo = min((r[0] for r in ranges), default=0.0)
            hi = max((r[1] for r in ranges), default=1.0)
            panel["ylim"] = _nice_range(lo, hi)
    elif panel["kind"] == "heatmap":
        for key in panel["rows"]:
            if need(key)["enc"] == "json" or len(fields[key]["shape"]) != 1:
                raise ValueError(f"heatmap row {key!r} must be a 1-D numeric field; "
                                 f"got shape {fields[key].get('shape')}")
    elif panel["kind"] == "diagram":
        for key in panel["layers"]:
            if need(key)["enc"] != "json":
                raise ValueError(f"diagram layer {key!r} must be a JSON field")
    elif panel["kind"] == "text":
        for line in panel["lines"]:
            templates = [line] if isinstance(line, str) else [t for t in need(line["key"])["rows"]]
            for template in templates:
                for name in _placeholders(template):
                    if name in slider_names:
                        reads.append(name)
                    elif need(name)["enc"] != "json" and need(name)["shape"]:
                        raise ValueError(f"text placeholder {name!r} must be a scalar or JSON field; "
                                         f"got shape {need(name)['shape']}")
    elif panel["kind"] == "bars":
        for s in panel["series"]:
            if need(s["key"])["enc"] == "json" or len(fields[s["key"]]["shape"]) != 1:
                raise ValueError(f"bar series {s['key']!r} must be a 1-D numeric field")
    elif panel["kind"] == "table":
        for column in panel["columns"]:
            need(column["key"])
        if isinstance(panel["rowLabels"], dict):
            need(panel["rowLabels"]["key"])
    elif panel["kind"] == "units":
        for key in panel["fields"].values():
            need(key)
    elif panel["kind"] == "tally":
        if need(panel["plan"])["enc"] != "json":
            raise ValueError(f"tally plan {panel['plan']!r} must be a JSON field")
        unknown = [name for name in panel["symbols"].values() if name not in number_names]
        if unknown:
            raise ValueError(f"tally symbols must name typed numbers {list(number_names)}; got {unknown}")
    else:
        raise ValueError(f"unknown panel kind {panel['kind']!r}; expected line, heatmap, diagram, text, table, "
                         "bars, tally or units")
    return reads


__all__ = ["GridWidget", "Slider", "Number", "Field", "build", "line_plot", "heatmap", "diagram", "text", "table",
           "bar_chart", "tally", "tally_result"]
