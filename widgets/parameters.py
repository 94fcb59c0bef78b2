"""The parameter counter: framework x cell type x sizes -> how many numbers a recurrent layer learns.

The counts come from `cells.count_params` (tests check it against PyTorch and Keras), and the gate
blocks per cell type from `cells.counting.GATE_BLOCKS`: a layer with G gate blocks, input size d and
hidden size h has G * h * (d + h) weights and one or two bias vectors of G * h, whatever T is.
The framework vocabulary here (`FRAMEWORKS`, `KINDS`, `count`) is shared with `widgets.unrolled_network`.
"""

import cells
from cells.counting import GATE_BLOCKS

from .grid import Field, Slider
from .view import bar_chart, build, table, text

FRAMEWORKS = ["PyTorch", "Keras", "TensorFlow 1"]
CONVENTION = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}
KINDS = ["RNN", "LSTM", "GRU"]
KIND_KEY = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
YES_NO = ["no", "yes"]


def count(framework, kind, input_size, hidden_size, num_layers, bidirectional):
    """cells.count_params for the widget's settings (Keras GRU: reset_after=True, its default)."""
    return cells.count_params(KIND_KEY[kind], input_size, hidden_size, num_layers=num_layers,
                              bidirectional=bidirectional == "yes", convention=CONVENTION[framework])


LAYER_ROWS = [f"layer {layer + 1} {direction}" for layer in range(3) for direction in ("forward", "reverse")]


def breakdown(framework, kind, input_size, hidden_size, num_layers, bidirectional, what):
    """Weights or biases per (layer, direction) as 6 numbers; NaN where there is no such layer."""
    rows = [float("nan")] * len(LAYER_ROWS)
    for part in count(framework, kind, input_size, hidden_size, num_layers, bidirectional).breakdown:
        rows[2 * part["layer"] + (part["direction"] == "reverse")] = part[what]
    return rows


def param_counter(framework="PyTorch", kind="LSTM", input_size=28, hidden_size=128, num_layers=1,
                  bidirectional="no"):
    """Framework x cell type x sizes -> the parameter count, with weights, biases and a per-layer table."""
    sliders = [
        Slider("framework", FRAMEWORKS, "framework"),
        Slider("kind", KINDS, "cell type"),
        Slider("input_size", [1, 2, 4, 8, 16, 28, 32, 64, 100, 128, 256, 300, 512], "input size d", "d"),
        Slider("hidden_size", [1, 2, 4, 8, 16, 32, 50, 64, 100, 128, 256, 512], "hidden size h", "d"),
        Slider("num_layers", [1, 2, 3], "layers", "d"),
        Slider("bidirectional", YES_NO, "bidirectional"),
    ]
    sizes = [s.name for s in sliders]
    fields = [
        Field("total", lambda **kw: count(**kw).total, sizes, enc="f64"),
        Field("weights", lambda **kw: count(**kw).weights, sizes, enc="f64"),
        Field("biases", lambda **kw: count(**kw).biases, sizes, enc="f64"),
        Field("layer_weights", lambda **kw: breakdown(**kw, what="weights"), sizes),
        Field("layer_biases", lambda **kw: breakdown(**kw, what="biases"), sizes),
        Field("formula", lambda framework, kind: _formula(framework, kind), ["framework", "kind"], enc="json"),
    ]
    panels = [
        text(["Total parameters: {total:,d} = {weights:,d} weights + {biases:,d} biases", {"key": "formula"}],
             title="Count (cells.count_params)"),
        bar_chart([{"key": "layer_weights", "label": "weights", "color": 0},
                   {"key": "layer_biases", "label": "biases", "color": 1}],
                  LAYER_ROWS, title="Per layer and direction"),
        table([{"label": "weights", "key": "layer_weights"}, {"label": "biases", "key": "layer_biases"}],
              LAYER_ROWS, row_title="layer, direction"),
    ]
    presets = {
        "d = 28, h = 128 LSTM (PyTorch)": {"framework": "PyTorch", "kind": "LSTM", "input_size": 28,
                                          "hidden_size": 128, "num_layers": 1, "bidirectional": "no"},
        "same in Keras": {"framework": "Keras", "kind": "LSTM", "input_size": 28, "hidden_size": 128,
                          "num_layers": 1, "bidirectional": "no"},
    }
    settings = {"framework": framework, "kind": kind, "input_size": input_size, "hidden_size": hidden_size,
                "num_layers": num_layers, "bidirectional": bidirectional}
    return build("Parameter counter", sliders, fields, panels, presets,
                 caption="How many numbers a recurrent layer learns. The count never depends on the sequence length.",
                 settings=settings)


def _formula(framework, kind):
    blocks = GATE_BLOCKS[KIND_KEY[kind]]
    bias = {"PyTorch": "2 bias vectors (b_ih and b_hh)", "Keras": "1 bias vector",
            "TensorFlow 1": "1 bias vector"}[framework]
    if framework == "Keras" and kind == "GRU":
        bias = "2 bias vectors (reset_after=True, the default)"
    return (f"Per layer and direction: {blocks} block{'s' if blocks > 1 else ''} \u00d7 h \u00d7 (input + h) "
            f"weights, and {bias} of {blocks} \u00d7 h; layers above the first read h \u00d7 directions inputs.")
