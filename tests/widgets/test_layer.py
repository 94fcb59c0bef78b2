"""The widget layer: grid evaluation, encoding and decoding, argument checks."""

import base64
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import widgets
from widgets import Field, Slider, build, diagram, heatmap, line_plot, table, text
from widgets.grid import U16_MISSING, U16_STEPS, decode_field, decode_rows, evaluate_field, memoized
from widgets.view import PLACEHOLDER

A_VALUES = [0.0, 0.25, 0.5, 1.0, 2.0]
KINDS = ["sin", "cos", "zero"]


def curve(a, kind):
    x = np.linspace(0.0, 3.0, 7)
    return {"sin": np.sin(a * x), "cos": np.cos(a * x), "zero": np.zeros_like(x)}[kind]


def sliders():
    return [Slider("a", A_VALUES, "amplitude", ".2f"), Slider("kind", KINDS, "kind"),
            Slider("n", [1, 2, 3], "n", "d")]


def spec_of(fields):
    return [s.spec() for s in fields]


@pytest.mark.parametrize("enc, tolerance", [("f32", 1e-7), ("f64", 0.0), ("u16", 2.0 / 65534)])
def test_every_grid_point_decodes_to_the_function_value(enc, tolerance):
    s = sliders()
    encoded = evaluate_field(Field("y", curve, ["a", "kind"], enc=enc), s)
    for ia, a in enumerate(A_VALUES):
        for ik, kind in enumerate(KINDS):
            got = decode_field(encoded, spec_of(s), [ia, ik, 2])
            np.testing.assert_allclose(got, curve(a, kind), rtol=0, atol=tolerance + 1e-12)


def test_rows_are_stored_once_and_the_lookup_table_shares_them():
    s = sliders()
    encoded = evaluate_field(Field("y", curve, ["a", "kind"]), s)
    # a = 0 gives sin = 0 = zero-curve and cos = 1; "zero" is the same for every a
    assert encoded["count"] < len(A_VALUES) * len(KINDS)
    distinct = {curve(a, k).astype(np.float32).tobytes() for a in A_VALUES for k in KINDS}
    assert encoded["count"] == len(distinct)


def test_log_fields_bring_zeros_back_as_exact_zeros_and_keep_tiny_values():
    s = [Slider("k", [0, 1, 2], "k", "d")]
    values = {0: np.array([1.0, 1e-40, 0.0]), 1: np.array([1e-300, 5.0, 1e12]), 2: np.array([0.0, 0.0, 0.0])}
    encoded = evaluate_field(Field("g", lambda k: values[k], ["k"], log=True), s)
    for k in range(3):
        got = decode_field(encoded, spec_of(s), [k])
        np.testing.assert_allclose(got, values[k], rtol=1e-5, atol=0)
        assert np.all((got == 0) == (values[k] == 0))


def test_json_fields_return_the_same_value():
    s = sliders()
    def fn(kind, n):
        return {"items": [["text", n, 0, kind * n, "", "start"]], "box": [0, 0, n, 1]}

    encoded = evaluate_field(Field("d", fn, ["kind", "n"], enc="json"), s)
    assert decode_field(encoded, spec_of(s), [4, 1, 2]) == fn("cos", 3)
    assert json.loads(json.dumps(encoded))["rows"]  # the state must survive JSON


def test_vectorized_fields_equal_pointwise_ones():
    s = sliders()
    pointwise = evaluate_field(Field("p", lambda a, n: np.array([a * n, a + n]), ["a", "n"]), s)
    vector = evaluate_field(Field("v", lambda a, n: np.stack([a * n, a + n], axis=1), ["a", "n"], vectorized=True), s)
    for ia in range(len(A_VALUES)):
        for i_n in range(3):
            idx = [ia, 0, i_n]
            np.testing.assert_array_equal(decode_field(vector, spec_of(s), idx),
                                          decode_field(pointwise, spec_of(s), idx))


def test_widget_state_round_trips_and_python_keeps_the_slider_values():
    w = build("t", sliders(), [Field("y", curve, ["a", "kind"])],
              [line_plot([{"key": "y", "label": "y"}], list(range(7)))], settings={"a": 0.5, "kind": "cos"})
    assert w.value == {"a": 0.5, "kind": "cos", "n": 1}
    np.testing.assert_allclose(w.field("y"), curve(0.5, "cos"), rtol=1e-6, atol=1e-7)
    w.index = [4, 0, 2]  # what the browser sends back
    assert w.value == {"a": 2.0, "kind": "sin", "n": 3}
    w.set(a=0.3)  # snaps to the nearest grid value
    assert w.value["a"] == 0.25
    assert json.loads(json.dumps(w.get_state()))["spec"]["title"] == "t"


def test_fixed_axes_cover_the_whole_grid():
    w = build("t", sliders(), [Field("y", curve, ["a", "kind"])],
              [line_plot([{"key": "y", "label": "y"}], list(range(7)))])
    lo, hi = w.spec["panels"][0]["ylim"]
    every = np.concatenate([curve(a, k) for a in A_VALUES for k in KINDS])
    assert lo < every.min() and hi > every.max()


@pytest.mark.parametrize("make, message", [
    (lambda: Slider("a", []), "at least one value"),
    (lambda: Slider("a", [1, 0.5]), "must increase"),
    (lambda: Slider("a", [0, "x"]), "all numbers or all strings"),
    (lambda: Slider("a", [0, math.inf]), "finite"),
    (lambda: Slider("a b", [0, 1]), "identifier"),
    (lambda: Slider("a", [0, 1], default=3), "between 0 and 1; got 3"),
    (lambda: Slider("kind", ["x", "y"], default="z"), "one of 'x', 'y'; got 'z'"),
    (lambda: Slider("a", [0, 1], default="0.5"), "a number between 0 and 1; got '0.5'"),
    (lambda: Slider("a", [0, 1], default=True), "got True"),
    (lambda: Field("y", curve, ["a"], enc="f16"), "enc must be one of"),
    (lambda: build("t", sliders(), [Field("y", curve, ["a", "nope"])], []), "not a slider"),
    (lambda: build("t", sliders(), [Field("y", curve, ["a", "kind"])],
                   [line_plot([{"key": "z", "label": "z"}], [0])]), "refers to field 'z'"),
    (lambda: build("t", sliders(), [Field("a", curve, ["a", "kind"])], []), "also a slider name"),
    (lambda: build("t", sliders(), [Field("y", curve, ["a", "kind"])],
                   [text(["{y:.2f}"])]), "must be a scalar"),
    (lambda: build("t", sliders(), [Field("y", lambda a: np.ones(int(a * 4) + 1), ["a"])], []), "one shape"),
    (lambda: build("t", sliders(), [], [], settings={"a": 7}), "between 0 and 2; got 7"),
    (lambda: build("t", sliders(), [], [], presets={"p": {"kind": "tan"}}), "got 'tan'"),
    (lambda: heatmap(["y"], ["r"], ["c"], 1.0, 0.0), "vmin < vmax"),
    (lambda: heatmap("y", ["r"], ["c"], 0.0, 1.0), "list of keys of 1-D fields"),
    (lambda: build("t", sliders(), [Field("m", lambda a: np.ones((2, 2)) * a, ["a"])],
                   [heatmap(["m"], ["r"], ["c1", "c2"], 0.0, 1.0)]),
     "heatmap row 'm' must be a 1-D numeric field"),
    (lambda: build("t", sliders(), [Field("y", curve, ["a", "kind"])],
                   [line_plot([{"key": "y", "label": "y"}], list(range(7)), log_y=True, ylim=[0, 1])]), "0 < ylim"),
])
def test_bad_arguments_name_what_was_expected_and_given(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_moving_a_slider_from_python_checks_the_name_and_range():
    w = build("t", sliders(), [], [])
    with pytest.raises(ValueError, match="unknown slider 'b'"):
        w.set(b=1)
    with pytest.raises(ValueError, match="a must be a number between 0 and 2; got -1"):
        w.set(a=-1)
    with pytest.raises(ValueError, match="unknown field 'q'"):
        w.field("q")


def test_every_panel_kind_builds():
    w = build("t", sliders(), [
        Field("y", curve, ["a", "kind"]),
        Field("row1", lambda a: np.array([a, -a]), ["a"]),
        Field("row2", lambda n: np.array([0.5, float(n)]), ["n"]),
        Field("d", lambda n: {"box": [0, 0, 10, 10], "items": [["circle", 5, 5, n, "unit", "h"]]}, ["n"], enc="json"),
        Field("s", lambda a: a * 2, ["a"]),
        Field("col", lambda n: [n, float("nan")], ["n"]),
    ], [line_plot([{"key": "y", "label": "y"}], list(range(7)), log_y=True),
        heatmap(["row1", "row2"], ["r1", "r2"], ["c1", "c2"], -2, 2), diagram(["d"]),
        text(["{a} and {s:.3f}"]), table([{"label": "c", "key": "col"}], ["one", "two"])])
    assert [p["kind"] for p in w.spec["panels"]] == ["line", "heatmap", "diagram", "text", "table"]
    lo, hi = w.spec["panels"][0]["ylim"]
    assert 0 < lo < hi  # a log axis chosen from the positive values only, zeros ignored


def test_the_front_end_reads_the_codec_and_the_placeholder_pattern_that_python_defines():
    source = (Path(widgets.__file__).parent / "widget.js").read_text()
    js = re.search(r"const PLACEHOLDER = /(.*)/g;", source)
    assert js and js.group(1) == PLACEHOLDER.pattern
    assert source.count("PLACEHOLDER") >= 2 and source.count("[A-Za-z_]") == 1  # defined once, used
    # no encoding constant is typed into the front end: it decodes with what the state ships
    assert str(U16_MISSING) not in source and str(U16_STEPS) not in source
    w = build("t", sliders(), [Field("y", curve, ["a", "kind"], enc="u16")],
              [line_plot([{"key": "y", "label": "y"}], list(range(7)))])
    assert w.spec["codec"] == {"u16Missing": U16_MISSING, "u16Steps": U16_STEPS}


def test_each_panel_ships_the_sliders_it_depends_on():
    w = build("t", sliders(), [
        Field("y", curve, ["a", "kind"]),
        Field("s", lambda n: n * 2.0, ["n"]),
        Field("label", lambda kind: "{a} for " + kind, ["kind"], enc="json"),
    ], [line_plot([{"key": "y", "label": "y"}], list(range(7))), text(["{s:.1f}"]), text([{"key": "label"}]),
        text(["no placeholder"])])
    # sliders: a = 0, kind = 1, n = 2; the third panel reads kind through its template field, a by name
    assert [p["deps"] for p in w.spec["panels"]] == [[0, 1], [2], [0, 1], []]


def test_decode_rows_is_the_decoder_behind_decode_field():
    s = sliders()
    for enc in ("f32", "f64", "u16"):
        encoded = evaluate_field(Field("y", curve, ["a", "kind"], enc=enc), s)
        rows = decode_rows(encoded)
        assert rows.shape == (encoded["count"], 7)
        lut = np.frombuffer(base64.b64decode(encoded["lut"]), dtype="<u2")
        for flat, (ia, ik) in enumerate(itertools.product(range(len(A_VALUES)), range(len(KINDS)))):
            np.testing.assert_array_equal(decode_field(encoded, spec_of(s), [ia, ik, 0]), rows[lut[flat]])
    missing = evaluate_field(Field("m", lambda a: [a, float("nan")], ["a"], enc="u16"), s)
    assert np.isnan(decode_rows(missing)[:, 1]).all()


def test_memoized_runs_once_per_distinct_argument_values():
    calls = []

    @memoized
    def run(x, kind="a"):
        calls.append(1)
        return x * 2

    first = run(np.arange(3.0), kind="a")
    again = run(np.arange(3.0), kind="a")  # a new array with the same content
    assert again is first and len(calls) == 1
    run(np.arange(3.0), kind="b")
    run(np.arange(4.0), kind="a")
    assert len(calls) == 3


def test_a_control_can_say_when_it_has_no_effect():
    s = [Slider("a", A_VALUES, "amplitude", ".2f", disabled_when="a_off"), Slider("kind", KINDS, "kind")]
    fields = [Field("y", curve, ["a", "kind"]),
              Field("a_off", lambda kind: "no effect: the zero curve has no amplitude" if kind == "zero" else "",
                    ["kind"], enc="json")]
    w = build("t", s, fields, [line_plot([{"key": "y", "label": "y"}], list(range(7)))])
    assert w.spec["sliders"][0]["disabledWhen"] == "a_off" and "disabledWhen" not in w.spec["sliders"][1]
    w.set(kind="zero")
    assert w.field("a_off").startswith("no effect")
    w.set(kind="sin")
    assert w.field("a_off") == ""


@pytest.mark.parametrize("disabled_when, fields, message", [
    ("nope", [], "disabled_when must name a JSON field; got 'nope'"),
    ("num", [Field("num", lambda kind: 1.0, ["kind"])], "disabled_when must name a JSON field; got 'num'"),
    ("self", [Field("self", lambda a: "", ["a"], enc="json")], "must not depend on the slider itself"),
    ("flag", [Field("flag", lambda kind: kind == "zero", ["kind"], enc="json")], "must hold strings"),
])
def test_a_bad_disabled_when_is_named(disabled_when, fields, message):
    s = [Slider("a", A_VALUES, disabled_when=disabled_when), Slider("kind", KINDS)]
    with pytest.raises(ValueError, match=message):
        build("t", s, fields, [])


def test_a_table_heads_its_row_labels_only_when_asked():
    assert "rowTitle" not in table([{"label": "c", "key": "col"}], ["one"])
    assert table([{"label": "c", "key": "col"}], ["one"], row_title="layer")["rowTitle"] == "layer"


# --- typed numbers and tally panels -------------------------------------------------------

def _tally_widget(live=None):
    """A toy tally: a dense layer of `n` outputs on `m` inputs (weights m * n, biases n), with and without bias."""
    from cells.counting import size_terms

    def rules(bias):
        arrays = [{"name": "W", "shape": ["n", "m"], "dims": [size_terms("n"), size_terms("d")], "role": "weight"}]
        if bias == "yes":
            arrays.append({"name": "b", "shape": ["n"], "dims": [size_terms("n")], "role": "bias"})
        return {"derived": {"r": ["n"]}, "checks": [], "parts": [{"label": "dense", "times": size_terms("1"),
                                                                   "arrays": arrays}]}

    return build("t", [Slider("bias", ["no", "yes"], "bias")], [Field("plan", rules, ["bias"], enc="json")],
                 [widgets.tally("plan", {"d": "m", "n": "n"})], settings={"n": 3},
                 numbers=[widgets.Number("m", "inputs m", 4), widgets.Number("n", "outputs n", 2, minimum=0)],
                 live=live)


def test_a_tally_counts_the_typed_numbers_and_the_kernel_answers_live():
    calls = []
    w = _tally_widget(live=lambda bias, m, n: calls.append((bias, m, n)) or {"error": "", "total": m * n})
    assert w.value == {"bias": "no", "m": 4, "n": 3} and w.typed == {"m": 4, "n": 3}
    assert w.tally(0)["total"] == 12 and w.spec["numbers"][1] == {"name": "n", "label": "outputs n", "min": 0,
                                                                    "max": 100_000, "off": 0}
    w.set(bias="yes", m=10)
    assert (w.tally(0)["weights"], w.tally(0)["biases"]) == (30, 3)
    assert w.live == {"index": [1], "typed": {"m": 10, "n": 3}, "results": {"0": {"error": "", "total": 30}}}
    w.set(n=0)  # a part that holds no parameter is left out
    assert w.tally(0) == {"error": "", "total": 0, "weights": 0, "biases": 0, "parts": []}


@pytest.mark.parametrize("value", [0, -1, 2.5, "3", True, 100_001])
def test_a_typed_number_refuses_what_is_not_a_whole_number_in_range(value):
    with pytest.raises(ValueError, match=r"m must be a whole number from 1 to 100,000; got "):
        widgets.Number("m", "inputs m", 4).check(value)


def test_a_tally_must_name_a_json_plan_and_typed_numbers():
    with pytest.raises(ValueError, match="tally symbols must name typed numbers"):
        build("t", [Slider("bias", ["no", "yes"])], [Field("plan", lambda bias: {}, ["bias"], enc="json")],
              [widgets.tally("plan", {"d": "nope"})])
    with pytest.raises(ValueError, match="tally plan 'plan' must be a JSON field"):
        build("t", [Slider("bias", ["no", "yes"])], [Field("plan", lambda bias: 1.0, ["bias"])],
              [widgets.tally("plan", {})])
    with pytest.raises(ValueError, match="names must be distinct"):
        build("t", [Slider("m", ["no", "yes"])], [], [], numbers=[widgets.Number("m", "m", 1)])
