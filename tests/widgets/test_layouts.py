"""widgets.layouts (where each gate's weights live) against real Keras 3 and real PyTorch, and the
unit-versus-cell widget's "vocabulary of Keras" against what Keras itself reports."""

import io
import re
from contextlib import redirect_stdout

import keras
import numpy as np
import pytest
import torch

import cells
import widgets
from widgets import layouts

SIZES = [(1, 1), (3, 2), (28, 128), (6, 3)]
KERAS_LAYERS = {"LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU, "RNN": keras.layers.SimpleRNN}
TORCH_LAYERS = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN": torch.nn.RNN}
SAME_MEANING = {"i": "i", "f": "f", "g": "c", "o": "o", "r": "r", "z": "z", "n": "h", "a": "a"}


@pytest.fixture(scope="module")
def widget():
    return layouts.weight_layouts()


@pytest.mark.parametrize("kind", layouts.KINDS)
@pytest.mark.parametrize("d,h", SIZES)
@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_layout_names_and_shapes_are_real_keras_weights(kind, d, h, reset_after):
    options = {"reset_after": reset_after} if kind == "GRU" else {}
    layer = KERAS_LAYERS[kind](h, **options)
    layer.build((None, None, d))
    real = [(w.path.rsplit("/", 1)[1], tuple(w.shape)) for w in layer.weights]
    drawn = [(a["name"], a["shape"]) for a in layouts.layout("Keras", kind, d, h, reset_after)]
    assert drawn == real


@pytest.mark.parametrize("kind", layouts.KINDS)
@pytest.mark.parametrize("d,h", SIZES)
def test_pytorch_layout_names_and_shapes_are_real_torch_parameters(kind, d, h):
    real = [(name, tuple(p.shape)) for name, p in TORCH_LAYERS[kind](d, h).named_parameters()]
    assert [(a["name"], a["shape"]) for a in layouts.layout("PyTorch", kind, d, h)] == real


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_gate_blocks_sit_where_the_drawing_says(kind, reset_after):
    """Mark one PyTorch gate block of a cells layer, move it to real Keras weights, and find the mark in
    the column block the drawing labels with the same gate."""
    d, h = 3, 2
    torch_gates = layouts.layout("PyTorch", kind, d, h)[0]["gates"]
    keras_gates = layouts.layout("Keras", kind, d, h, reset_after)[0]["gates"]
    options = {"reset_after": reset_after} if kind == "GRU" else {}
    for k, gate in enumerate(torch_gates):
        layer = {"LSTM": cells.LSTM, "GRU": cells.GRU}[kind](d, h, batch_first=True, rng=0, **options)
        cell = layer.cells[0][0]
        cell.weight_ih[...] = 0
        cell.weight_ih[k * h : (k + 1) * h] = 1.0
        kernel = cells.to_keras(layer).get_weights()[0]
        column = keras_gates.index(SAME_MEANING[gate])
        assert np.all(kernel[:, column * h : (column + 1) * h] == 1.0) and np.count_nonzero(kernel) == d * h


@pytest.mark.parametrize("framework", layouts.FRAMEWORKS)
@pytest.mark.parametrize("kind", layouts.KINDS)
@pytest.mark.parametrize("reset_after", [True, False])
def test_every_layout_holds_as_many_numbers_as_count_params(framework, kind, reset_after):
    arrays = layouts.layout(framework, kind, 5, 4, reset_after)
    convention = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}[framework]
    expected = cells.count_params(
        kind.lower(), 5, 4, convention=convention, reset_after=reset_after if framework == "Keras" else True
    )
    assert sum(int(np.prod(a["shape"])) for a in arrays) == expected.total


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_tf1_layout_is_what_to_tf1_builds(kind):
    cell = {
        "LSTM": cells.LSTMCell(5, 4, rng=0),
        "GRU": cells.GRUCell(5, 4, rng=0, reset_after=False),
        "RNN": cells.RNNCell(5, 4, rng=0),
    }[kind]
    built = {name: array.shape for name, array in cells.to_tf1(cell).items()}
    assert {a["name"]: a["shape"] for a in layouts.layout("TensorFlow 1", kind, 5, 4)} == built


@pytest.mark.parametrize(
    "settings",
    [
        dict(framework="Keras", kind="GRU", input_size=28, hidden_size=128, reset_after="False"),
        dict(framework="PyTorch", kind="LSTM", input_size=1, hidden_size=1, reset_after="True"),
        dict(framework="TensorFlow 1", kind="GRU", input_size=6, hidden_size=3, reset_after="False"),
        dict(framework="TensorFlow 1", kind="RNN", input_size=28, hidden_size=1, reset_after="True"),
    ],
)
def test_the_page_shows_what_python_computes(widget, settings):
    widget.set(**settings)
    assert widget.field("blocks") == layouts.drawing(**settings)
    count = layouts.count(**settings)
    assert (widget.field("total"), widget.field("weights"), widget.field("biases")) == (
        count.total,
        count.weights,
        count.biases,
    )
    arrays = layouts.layout(
        settings["framework"],
        settings["kind"],
        settings["input_size"],
        settings["hidden_size"],
        settings["reset_after"] == "True" or (settings["framework"], settings["kind"]) != ("Keras", "GRU"),
    )
    for k, array in enumerate(arrays):
        assert (widget.field(f"a{k}"), widget.field(f"b{k}"))[: len(array["shape"])] == array["shape"]
        template = widget.field(f"line{k}")
        filled = re.sub(r"\{([ab]\d):d\}", lambda m: str(int(widget.field(m.group(1)))), template)
        assert filled.startswith(f"{array['name']} (") and f" = {array['shape']}:" in filled


def test_every_drawing_fits_its_box_and_the_state_stays_small(widget):
    for framework in layouts.FRAMEWORKS:
        for kind in layouts.KINDS:
            for d in (1, 28):
                for h in (1, 128):
                    drawn = layouts.drawing(framework, kind, d, h, "False")
                    x0, y0, x1, y1 = drawn["box"]
                    assert x1 - x0 <= 600 and y1 - y0 <= 560, (framework, kind, d, h, drawn["box"])
                    for item in drawn["items"]:
                        if item[0] == "rect":
                            assert x0 <= item[1] and item[1] + item[3] <= x1 and y0 <= item[2] <= y1
    assert widget.state_size() < 300_000


def test_layout_refuses_unknown_names():
    with pytest.raises(ValueError, match=r"framework must be one of .*got 'JAX' and 'LSTM'"):
        layouts.layout("JAX", "LSTM", 3, 2)


def fill(template, widget):
    """A text template of the page, its placeholders filled from sliders and fields as widget.js does."""

    def value(match):
        name, spec = match.group(1), match.group(2) or ""
        raw = widget.value[name] if name in widget.value else widget.field(name)
        return format(int(raw), spec.replace("d", "") + "d") if not isinstance(raw, str) else raw

    return re.sub(r"\{(\w+)(?::([^}]*))?\}", value, template)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", ["no", "yes"])
def test_unit_vs_cell_keras_vocabulary_is_what_real_keras_reports(kind, bidirectional):
    """The unit-versus-cell widget set to "vocabulary of: Keras" names classes and an argument that
    exist in Keras, prints the shapes Keras returns and the total that Keras's own summary prints."""
    d, h, T, levels_, B = 28, 4, 5, 2, 3
    widget = widgets.unit_vs_cell(
        input_size=d,
        hidden_size=h,
        time_steps=T,
        num_layers=levels_,
        bidirectional=bidirectional,
        framework="Keras",
        kind=kind,
    )
    cell_line, unit_line, layer_line = (fill(widget.field(f"vocab{k}"), widget) for k in range(3))
    cell_class = re.search(r"keras\.layers\.(\w+Cell)", cell_line).group(1)
    layer_class = re.search(r"keras\.layers\.(\w+);", layer_line).group(1)
    assert cell_class == type(getattr(keras.layers, cell_class)(h)).__name__
    argument = re.search(r"(\w+) = (\d+) is the number", unit_line)
    assert argument.group(1) == "units" and int(argument.group(2)) == h
    assert getattr(keras.layers, layer_class)(h).get_config()["units"] == h
    assert layer_class == {"RNN": "SimpleRNN"}.get(kind, kind)

    def keras_layer(**options):
        layer = getattr(keras.layers, layer_class)(h, return_sequences=True, **options)
        return keras.layers.Bidirectional(layer) if bidirectional == "yes" else layer

    code = fill(widget.field("code"), widget)
    wrapped = f"Bidirectional({layer_class}(units={h}, return_sequences=True))"
    assert code == f"{levels_} \u00d7 keras.layers." + (wrapped if bidirectional == "yes" else wrapped[14:-1])
    inputs, outputs = np.zeros((B, T, d), dtype=np.float32), None
    for _ in range(levels_):
        outputs = keras_layer(return_state=True)(inputs)
        inputs = outputs[0]
    sequence, states = outputs[0], outputs[1:]
    directions = 2 if bidirectional == "yes" else 1
    shapes = fill(widget.field("shapes"), widget)
    assert f"output (B, {T}, {h * directions})" in shapes and tuple(sequence.shape) == (B, T, h * directions)
    assert f"input (B, {T}, {d})" in shapes and f"per layer and direction (B, {h})" in shapes
    per_direction = 2 if kind == "LSTM" else 1
    assert len(states) == per_direction * directions and all(tuple(s.shape) == (B, h) for s in states)
    assert ("for h and for c" in shapes) == (kind == "LSTM")

    model = keras.Sequential([keras.Input((None, d))] + [keras_layer() for _ in range(levels_)])
    printed = io.StringIO()
    with redirect_stdout(printed):
        model.summary(print_fn=print)
    total = int(re.search(r"Total params: ([\d,]+)", printed.getvalue()).group(1).replace(",", ""))
    assert total == widget.field("total")
