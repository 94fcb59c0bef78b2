"""Where each gate's weights live: PyTorch's, Keras's and TensorFlow 1's arrays drawn as labelled blocks.

The same cell (input size d, hidden size h, G gate blocks) is stored three ways:

    PyTorch       weight_ih_l0 (G*h, d), weight_hh_l0 (G*h, h), bias_ih_l0 and bias_hh_l0 (G*h,)
                  gate blocks are row blocks: LSTM i, f, g, o; GRU r, z, n
    Keras 3       kernel (d, G*h), recurrent_kernel (h, G*h), bias (G*h,), GRU with reset_after=True (2, G*h)
                  gate blocks are column blocks: LSTM i, f, c, o; GRU z, r, h
    TensorFlow 1  one kernel ([d + h], G*h) that multiplies [x_t, h_{t-1}], and a bias (G*h,)
                  BasicLSTMCell columns i, j, f, o (j the candidate; forget_bias = 1 is added when it runs);
                  GRUCell gates/kernel ([d + h], 2h) columns r, u and candidate/kernel ([d + h], h)

`layout` is the pure description (tested against real Keras and PyTorch); `weight_layouts` draws it.
"""

import cells

from .grid import Field, Slider
from .parameters import reset_after_off
from .view import build, diagram, text

FRAMEWORKS = ["PyTorch", "Keras", "TensorFlow 1"]
KINDS = ["LSTM", "GRU", "RNN"]
KIND_KEY = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
CONVENTION = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}
# One colour per gate *meaning*, the same in every framework: the candidate is always green.
GATE_COLOURS = {
    "i": "c0",
    "f": "c1",
    "g": "c2",
    "c": "c2",
    "j": "c2",
    "o": "c3",
    "r": "c0",
    "z": "c1",
    "u": "c1",
    "n": "c2",
    "h": "c2",
    "a": "c0",
}
GATE_WORDS = {
    "i": "input gate",
    "f": "forget gate",
    "g": "candidate",
    "c": "candidate",
    "j": "candidate",
    "o": "output gate",
    "r": "reset gate",
    "z": "update gate",
    "u": "update gate",
    "n": "candidate",
    "h": "candidate",
    "a": "the one block, h_t before tanh",
}
GATES = {
    ("PyTorch", "LSTM"): "ifgo",
    ("PyTorch", "GRU"): "rzn",
    ("PyTorch", "RNN"): "a",
    ("Keras", "LSTM"): "ifco",
    ("Keras", "GRU"): "zrh",
    ("Keras", "RNN"): "a",
    ("TensorFlow 1", "LSTM"): "ijfo",
    ("TensorFlow 1", "RNN"): "a",
}


def _array(name, gates, hidden_size, gate_axis, parts, note=""):
    """One stored array: gate blocks of hidden_size along gate_axis, `parts` [(label, size)] across."""
    other = sum(size for _, size in parts)
    length = len(gates) * hidden_size
    shape = (length, other) if gate_axis == 0 else (other, length)
    if parts == [("", 1)]:  # a bias vector
        shape = (length,)
    return {
        "name": name,
        "gates": list(gates),
        "gate_axis": gate_axis,
        "parts": parts,
        "shape": shape,
        "note": note,
    }


def layout(framework, kind, input_size, hidden_size, reset_after=True):
    """The arrays `framework` stores for one layer (one direction) of `kind`, in its order, as dicts with
    name, shape, gates (the block order along gate_axis), gate_axis and parts (what the other axis holds).

    reset_after only concerns a Keras GRU (PyTorch's GRU is always reset-after, TF1's always reset-before).
    """
    if framework not in FRAMEWORKS or kind not in KINDS:
        raise ValueError(
            f"framework must be one of {FRAMEWORKS} and kind one of {KINDS}; got {framework!r} and {kind!r}"
        )
    d, h = input_size, hidden_size
    if framework == "PyTorch":
        gates = GATES[framework, kind]
        return [
            _array("weight_ih_l0", gates, h, 0, [("x", d)]),
            _array("weight_hh_l0", gates, h, 0, [("h", h)]),
            _array("bias_ih_l0", gates, h, 0, [("", 1)]),
            _array("bias_hh_l0", gates, h, 0, [("", 1)]),
        ]
    if framework == "Keras":
        gates = GATES[framework, kind]
        bias_rows = [("input bias", 1), ("recurrent bias", 1)] if kind == "GRU" and reset_after else [("", 1)]
        return [
            _array("kernel", gates, h, 1, [("x", d)]),
            _array("recurrent_kernel", gates, h, 1, [("h", h)]),
            _array("bias", gates, h, 1, bias_rows),
        ]
    if kind == "GRU":
        return [
            _array("gates/kernel", "ru", h, 1, [("x", d), ("h", h)]),
            _array("gates/bias", "ru", h, 1, [("", 1)]),
            _array("candidate/kernel", "h", h, 1, [("x", d), ("r * h", h)]),
            _array("candidate/bias", "h", h, 1, [("", 1)]),
        ]
    gates = GATES[framework, kind]
    note = "forget_bias = 1 is added to f when the cell runs, not stored" if kind == "LSTM" else ""
    return [_array("kernel", gates, h, 1, [("x", d), ("h", h)]), _array("bias", gates, h, 1, [("", 1)], note)]


def _settings(framework, kind, reset_after):
    """reset_after only matters for a Keras GRU: elsewhere every setting draws the same (stored once)."""
    return "True" if (framework, kind) != ("Keras", "GRU") else reset_after


def shape_text(array, numbers=None):
    """(4h, d) = (8, 3): the shape in symbols and in numbers (`numbers` replaces array["shape"])."""
    numbers = array["shape"] if numbers is None else numbers
    gates = len(array["gates"])
    length = f"{gates}h" if gates > 1 else "h"
    if len(numbers) == 1:
        return f"({length},) = ({numbers[0]},)"
    symbols = {"x": "d", "h": "h", "r * h": "h"}
    if all(label not in symbols for label, _ in array["parts"]):  # Keras's GRU bias: two rows
        return f"(2, {length}) = ({numbers[0]}, {numbers[1]})"
    other = " + ".join(symbols[label] for label, _ in array["parts"])
    other = f"[{other}]" if "+" in other else other
    pair = (length, other) if array["gate_axis"] == 0 else (other, length)
    return f"({pair[0]}, {pair[1]}) = ({numbers[0]}, {numbers[1]})"


WIDTH, TALL, THIN, GAP, NAME = 440, 300, 8, 26, 6.0  # NAME: width of one letter of a name


def _scale(arrays, hidden_size, gate_axis):
    """Units per stored number, the same for every array so that their sizes compare; the drawing
    fits in about WIDTH x TALL."""
    length = max(len(a["gates"]) for a in arrays) * hidden_size
    across = sum(size for a in arrays for _, size in a["parts"])
    if gate_axis == 1:
        return min(26.0, WIDTH / length, TALL / across)
    scale = min(26.0, TALL / length)
    while scale > 0.05 and _row_width(arrays, scale) > WIDTH:  # side by side, each with its name above
        scale *= 0.9
    return scale


def _row_width(arrays, scale):
    return sum(
        max(sum(max(size * scale, THIN) for _, size in a["parts"]), NAME * len(a["name"])) for a in arrays
    ) + GAP * (len(arrays) - 1)


def _rounded(items):
    return [[round(v, 1) if isinstance(v, float) else v for v in item] for item in items]


def drawing(framework, kind, input_size, hidden_size, reset_after="True"):
    """The arrays as blocks: JSON for widgets.view.diagram. Sizes are to scale, except that no strip is
    drawn thinner than 8 units, so a bias stays visible.

    PyTorch's arrays stand side by side with their gate blocks as rows; Keras's and TF1's lie one
    below the other with their gate blocks as columns. A dashed line splits TF1's [x; h] rows.
    """
    arrays = layout(
        framework, kind, input_size, hidden_size, _settings(framework, kind, reset_after) == "True"
    )
    gate_axis = arrays[0]["gate_axis"]
    s = _scale(arrays, hidden_size, gate_axis)
    block = hidden_size * s
    items = []
    x, y = (60.0, 30.0) if gate_axis == 0 else (100.0, 30.0)
    right = bottom = 0.0
    for number, array in enumerate(arrays):
        thickness = [max(size * s, THIN) for _, size in array["parts"]]
        length, across = len(array["gates"]) * block, sum(thickness)
        w, h_ = (across, length) if gate_axis == 0 else (length, across)
        slot = max(w, NAME * len(array["name"])) if gate_axis == 0 else w  # room for the name above
        left = x + (slot - w) / 2
        items.append(["text", left + w / 2, y - 8, array["name"], "bold small", "middle"])
        offset = 0.0
        for part, (label, _) in enumerate(array["parts"]):
            for k in range(len(array["gates"])):
                fill = "box" if (k + part) % 2 == 0 else "hl"  # neighbours alternate, so blocks stand apart
                if gate_axis == 0:
                    items.append(["rect", left + offset, y + k * block, thickness[part], block, fill, ""])
                else:
                    items.append(["rect", left + k * block, y + offset, block, thickness[part], fill, ""])
            if label and gate_axis == 1:
                items.append(["text", left - 6, y + offset + thickness[part] / 2 + 4, label, "small", "end"])
            elif label:
                items.append(
                    ["text", left + offset + thickness[part] / 2, y + h_ + 14, label, "small", "middle"]
                )
            offset += thickness[part]
        if (
            gate_axis == 1
            and [label for label, _ in array["parts"]][:1] == ["x"]
            and len(array["parts"]) == 2
        ):
            items.append(["line", left - 4, y + thickness[0], left + w + 4, y + thickness[0], "dashed"])
        for k, gate in enumerate(array["gates"]):  # gate letters, coloured by meaning
            if gate_axis == 1:
                items.append(
                    [
                        "text",
                        left + (k + 0.5) * block,
                        y + h_ + 13,
                        gate,
                        "bold " + GATE_COLOURS[gate],
                        "middle",
                    ]
                )
            elif number == 0:
                items.append(
                    ["text", left - 6, y + (k + 0.5) * block + 4, gate, "bold " + GATE_COLOURS[gate], "end"]
                )
        right, bottom = max(right, left + max(w, slot)), max(bottom, y + h_ + 14)
        if gate_axis == 0:
            x += slot + GAP
        else:
            y += h_ + GAP + 16
    return {"box": [0, 0, max(right + 20, 320), bottom + 10], "items": _rounded(items)}


def description(framework, kind, reset_after="True", numbers=None):
    """One line per array: its name, shape and what each block holds. The shape's numbers are the
    placeholders {a0}, {b0}, {a1}, ... (array k's shape), filled in by the page, unless `numbers`
    (a list of shapes) is given."""
    arrays = layout(framework, kind, 1, 1, _settings(framework, kind, reset_after) == "True")
    lines, previous = [], None
    for k, array in enumerate(arrays):
        direction = "row" if array["gate_axis"] == 0 else "column"
        blocks = f"{direction} blocks " + ", ".join(f"{g} ({GATE_WORDS[g]})" for g in array["gates"])
        if len(array["gates"]) == 1:
            blocks = f"one block ({GATE_WORDS[array['gates'][0]]})"
        if array["gates"] == previous:
            blocks = "the same blocks"
        previous = array["gates"]
        shape = numbers[k] if numbers else (f"{{a{k}:d}}", f"{{b{k}:d}}")[: len(array["shape"])]
        line = f"{array['name']} {shape_text(array, shape)}: {blocks}"
        if array["note"]:
            line += f"; {array['note']}"
        lines.append(line + ".")
    return lines


def shape_numbers(framework, kind, input_size, hidden_size, reset_after="True"):
    """The shapes of `layout`'s arrays as 8 numbers a0, b0, a1, b1, ... (NaN past the last array)."""
    arrays = layout(
        framework, kind, input_size, hidden_size, _settings(framework, kind, reset_after) == "True"
    )
    values = [float("nan")] * 8
    for k, array in enumerate(arrays):
        values[2 * k : 2 * k + len(array["shape"])] = array["shape"]
    return values


def count(framework, kind, input_size, hidden_size, reset_after="True"):
    reset_after = _settings(framework, kind, reset_after) == "True"
    return cells.count_params(
        KIND_KEY[kind], input_size, hidden_size, convention=CONVENTION[framework], reset_after=reset_after
    )


def weight_layouts(framework="Keras", kind="LSTM", input_size=3, hidden_size=2, reset_after="True"):
    """Framework x cell type x sizes -> the stored arrays drawn as labelled gate blocks, with their shapes."""
    sliders = [
        Slider("framework", FRAMEWORKS, "framework"),
        Slider("kind", KINDS, "cell type"),
        Slider("input_size", [1, 3, 6, 28], "input size d", "d"),
        Slider("hidden_size", [1, 2, 3, 6, 128], "hidden size h", "d"),
        Slider("reset_after", ["True", "False"], "Keras GRU reset_after", disabled_when="reset_after_off"),
    ]
    deps = ["framework", "kind", "input_size", "hidden_size", "reset_after"]
    names = ["framework", "kind", "reset_after"]
    fields = [
        Field("reset_after_off", reset_after_off, ["framework", "kind"], enc="json"),
        Field("blocks", drawing, deps, enc="json"),
        Field("total", lambda **kw: count(**kw).total, deps, enc="f64"),
        Field("weights", lambda **kw: count(**kw).weights, deps, enc="f64"),
        Field("biases", lambda **kw: count(**kw).biases, deps, enc="f64"),
    ]
    for k in range(4):  # the shapes' numbers, and one template line per array that shows them
        fields.append(Field(f"a{k}", lambda k=k, **kw: shape_numbers(**kw)[2 * k], deps, enc="f64"))
        fields.append(Field(f"b{k}", lambda k=k, **kw: shape_numbers(**kw)[2 * k + 1], deps, enc="f64"))
        fields.append(
            Field(f"line{k}", lambda k=k, **kw: (description(**kw) + ["", "", ""])[k], names, enc="json")
        )
    panels = [
        diagram(
            ["blocks"], title="The stored arrays, to scale; each letter marks one gate's block of h units."
        ),
        text(
            [
                {"key": "line0"},
                {"key": "line1"},
                {"key": "line2"},
                {"key": "line3"},
                "{total:,d} parameters = {weights:,d} weights + {biases:,d} biases "
                "({framework} convention, cells.count_params).",
            ],
            title="Names and shapes",
        ),
    ]
    presets = {
        "d = 28, h = 128 LSTM": {"kind": "LSTM", "input_size": 28, "hidden_size": 128},
        "small LSTM": {"kind": "LSTM", "input_size": 3, "hidden_size": 2},
        "Keras GRU, reset_after=False": {"framework": "Keras", "kind": "GRU", "reset_after": "False"},
    }
    settings = {
        "framework": framework,
        "kind": kind,
        "input_size": input_size,
        "hidden_size": hidden_size,
        "reset_after": reset_after,
    }
    return build(
        "Where the weights live",
        sliders,
        fields,
        panels,
        presets,
        caption="The same layer in PyTorch, Keras and TensorFlow 1: which array holds which gate.",
        settings=settings,
    )
