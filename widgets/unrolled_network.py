"""What is a cell, a unit, a layer? The unrolled-network diagram.

The diagram draws a (stacked, possibly bidirectional) recurrent network unrolled in time:
time runs across, layers go up. Every box in a row is the *same* cell (one set of weights)
run at another time step; one box can open to show its units (the entries of h_t) as circles.
The names each framework uses, the tensor shapes and the parameter counts are printed below;
the counts come from `cells.count_params` (through `widgets.parameters.count`), which tests
check against PyTorch.
"""

from .grid import Field, Slider
from .parameters import FRAMEWORKS, KINDS, YES_NO, count
from .view import build, diagram, text

# geometry of the unrolled diagram (SVG units); layer 1, time step 1 sits at a fixed place
LEFT, PITCH_X, BOX_W, BOX_H, PITCH_Y = 78, 120, 84, 44, 72
MAX_DRAWN = 8


def _box_top(row):
    return -(row + 1) * PITCH_Y + (PITCH_Y - BOX_H)


def unrolled_diagram(time_steps, num_layers, bidirectional):
    """The boxes and arrows of the unrolled network: {"box": [x0, y0, x1, y1], "items": [...]}."""
    items = []
    bi = bidirectional == "yes"
    for t in range(time_steps):
        x = LEFT + t * PITCH_X
        items.append(["text", x + BOX_W // 2, 36, f"x_{t + 1}", "bold", "middle"])
        items.append(["text", x + BOX_W // 2, 52, f"t = {t + 1}", "small muted", "middle"])
        items.append(["arrow", x + BOX_W // 2, 22, x + BOX_W // 2, _box_top(0) + BOX_H + 1, ""])
        for layer in range(num_layers):
            top = _box_top(layer)
            name = f"A{layer + 1}"
            if bi:
                half = BOX_W // 2
                items.append(["rect", x, top, half, BOX_H, "box", name + "\u2192"])
                items.append(["rect", x + half, top, half, BOX_H, "box", name + "\u2190"])
            else:
                items.append(["rect", x, top, BOX_W, BOX_H, "box", name])
            if t + 1 < time_steps:
                items.append(["arrow", x + BOX_W, top + 13, x + PITCH_X - 1, top + 13, "c0"])
                if bi:
                    items.append(["arrow", x + PITCH_X, top + 31, x + BOX_W + 1, top + 31, "c3"])
            if layer + 1 < num_layers:
                items.append(["arrow", x + BOX_W // 2, top, x + BOX_W // 2, _box_top(layer + 1) + BOX_H + 1, ""])
        top = _box_top(num_layers - 1)
        items.append(["arrow", x + BOX_W // 2, top, x + BOX_W // 2, top - 16, ""])
        label = f"h_{t + 1}" + (" (\u2192 and \u2190 joined)" if bi and t == 0 else "")
        items.append(["text", x + BOX_W // 2, top - 22, label, "small", "middle"])
    for layer in range(num_layers):
        items.append(["text", 4, _box_top(layer) + BOX_H // 2 + 4, f"layer {layer + 1}", "bold", "start"])
    right = LEFT + (time_steps - 1) * PITCH_X + BOX_W + (100 if bi else 20)
    return {"box": [0, _box_top(num_layers - 1) - 40, max(right, 520), 60], "items": items}


INSET_Y = 80  # the opened cell is drawn below the network, at a fixed place


def opened_highlight(open_cell, bidirectional):
    """Highlight the box of layer 1 at t = 1 and connect it to the opened view."""
    if open_cell == "closed":
        return {"box": [0, 60, 520, 100], "items": [
            ["text", 4, 84, "Set \u201copen one cell\u201d to look inside the box of layer 1 at t = 1.",
             "muted", "start"]]}
    width = BOX_W // 2 if bidirectional == "yes" else BOX_W
    top = _box_top(0)
    return {"box": [0, 60, 520, 290], "items": [
        ["rect", LEFT - 3, top - 3, width + 6, BOX_H + 6, "hl dashed", ""],
        ["line", LEFT - 3, top + BOX_H + 3, 8, INSET_Y + 12, "dashed faint"],
        ["rect", 8, INSET_Y + 12, 500, 196, "muted dashed", ""],
    ]}


def _row(count_, y, prefix, cls):
    """Up to MAX_DRAWN circles named prefix1..; when some are skipped the last is prefix<count>."""
    drawn = min(count_, MAX_DRAWN)
    items = []
    for j in range(drawn):
        skipped = count_ > MAX_DRAWN and j == drawn - 1
        number = count_ if skipped else j + 1
        cx = 70 + (j + 1 if skipped else j) * 34
        items.append(["circle", cx, y, 13, cls, f"{prefix}{number}"])
        if skipped:
            items.append(["text", cx - 34, y + 4, "…", "bold", "middle"])
    return items


def _row_end(count_):
    return 70 + (min(count_, MAX_DRAWN) - (count_ <= MAX_DRAWN)) * 34


H_ROW, C_ROW, X_ROW = INSET_Y + 100, INSET_Y + 60, INSET_Y + 168


def opened_units(open_cell, hidden_size, kind):
    """The units of the opened box as circles: h_t, and c_t for an LSTM."""
    if open_cell == "closed":
        return {"box": [0, 60, 520, 100], "items": []}
    items = [["text", 20, INSET_Y + 32, f"Inside one box: h_t has {hidden_size} unit{'s' if hidden_size > 1 else ''} "
              "(circles)", "bold", "start"]]
    items += _row(hidden_size, H_ROW, "h", "unit")
    end = _row_end(hidden_size)
    items.append(["arrow", end + 16, H_ROW, end + 40, H_ROW, "c0"])
    items.append(["text", end + 44, H_ROW + 4, "h_t: to step t+1 and to the layer above", "small", "start"])
    if kind == "LSTM":
        items += _row(hidden_size, C_ROW, "c", "unit dashed")
        items.append(["text", end + 22, C_ROW + 4, "c_t: one memory cell per unit (the 1997 paper’s “cell”)",
                      "small", "start"])
    return {"box": [0, 60, 520, 290], "items": items}


def opened_inputs(open_cell, input_size):
    """The input x_t as circles, each feeding every unit (drawn for the first unit)."""
    if open_cell == "closed":
        return {"box": [0, 60, 520, 100], "items": []}
    items = []
    for j in range(min(input_size, MAX_DRAWN)):
        cx = 70 + (j + 1 if input_size > MAX_DRAWN and j == MAX_DRAWN - 1 else j) * 34
        items.append(["line", cx, X_ROW - 13, 70, H_ROW + 13, "faint"])
    items += _row(input_size, X_ROW, "x", "")
    items.append(["text", 20, X_ROW + 34, f"x_t: input_size = {input_size}. Every input and every unit of h_(t-1) "
                  "feeds every unit (lines drawn for h1 only).", "small", "start"])
    return {"box": [0, 60, 520, 290], "items": items}


def vocabulary(framework, kind):
    """Three template lines naming the cell, the unit and the layer in `framework`."""
    keras = {"RNN": "SimpleRNN"}.get(kind, kind)
    tf1 = {"RNN": "BasicRNN"}.get(kind, kind)
    cell_word, unit_word, layer_word = {
        "PyTorch": (f"torch.nn.{kind}Cell", "hidden_size", f"torch.nn.{kind} (num_layers stacks rows)"),
        "Keras": (f"keras.layers.{keras}Cell", "units",
                  f"keras.layers.{keras}; stack one per row with return_sequences=True"),
        "TensorFlow 1": (f"tf.nn.rnn_cell.{tf1}Cell", "num_units",
                         "one cell object run over time by tf.nn.dynamic_rnn; MultiRNNCell stacks rows"),
    }[framework]
    return [
        f"Cell (one box, all units at one time step): {cell_word}. The same weights run in every box of a row.",
        f"Unit (one circle): {unit_word} = {{hidden_size}} is the number of circles in h_t, "
        "not the number of time steps.",
        f"Layer (one row): {layer_word}.",
    ]


def code_line(framework, kind, bidirectional):
    bi = bidirectional == "yes"
    if framework == "PyTorch":
        return (f"torch.nn.{kind}(input_size={{input_size}}, hidden_size={{hidden_size}}, "
                f"num_layers={{num_layers}}, bidirectional={bi})")
    if framework == "Keras":
        layer = {"RNN": "SimpleRNN"}.get(kind, kind) + "(units={hidden_size}, return_sequences=True)"
        return "{num_layers} \u00d7 keras.layers." + (f"Bidirectional({layer})" if bi else layer)
    # TensorFlow 1: a new cell object per layer (a list repeating one object would share its weights),
    # and a dtype (or an initial state), without which dynamic_rnn raises. Stacked bidirectional layers,
    # each reading both directions of the layer below, are tf.contrib.rnn.stack_bidirectional_dynamic_rnn.
    cells_ = "[" + {"RNN": "BasicRNN"}.get(kind, kind) + "Cell(num_units={hidden_size}) for _ in range({num_layers})]"
    if bi:
        return f"tf.contrib.rnn.stack_bidirectional_dynamic_rnn({cells_}, {cells_}, x, dtype=tf.float32)"
    return f"tf.nn.dynamic_rnn(MultiRNNCell({cells_}), x, dtype=tf.float32)"


def shapes_line(framework, kind):
    if framework == "PyTorch":
        state = "h_n ({state_rows}, B, {hidden_size})" + (", c_n the same" if kind == "LSTM" else "")
        return "Shapes: input ({time_steps}, B, {input_size}) \u2192 output ({time_steps}, B, {out_features}), " + state
    return ("Shapes: input (B, {time_steps}, {input_size}) \u2192 output (B, {time_steps}, {out_features}); "
            "final state per layer and direction (B, {hidden_size})" + (" for h and for c" if kind == "LSTM" else ""))


def unit_vs_cell(input_size=28, hidden_size=4, time_steps=4, num_layers=2, bidirectional="no",
                 framework="PyTorch", kind="LSTM", open_cell="open"):
    """The unrolled network with framework vocabulary, tensor shapes and parameter counts.

    Sliders: input size, hidden units, time steps, layers, bidirectional, framework, cell type,
    and whether the box of layer 1 at t = 1 is opened to show its units.
    """
    sliders = [
        Slider("input_size", [1, 2, 3, 4, 8, 16, 28, 64, 128], "input size d", "d"),
        Slider("hidden_size", [1, 2, 3, 4, 5, 6, 8, 16, 32, 64, 128, 256], "hidden units h", "d"),
        Slider("time_steps", [1, 2, 3, 4, 5], "time steps T", "d"),
        Slider("num_layers", [1, 2, 3], "layers", "d"),
        Slider("bidirectional", YES_NO, "bidirectional"),
        Slider("framework", FRAMEWORKS, "vocabulary of"),
        Slider("kind", KINDS, "cell type"),
        Slider("open_cell", ["closed", "open"], "open one cell"),
    ]
    sizes = ["framework", "kind", "input_size", "hidden_size", "num_layers", "bidirectional"]
    fields = [
        Field("net", unrolled_diagram, ["time_steps", "num_layers", "bidirectional"], enc="json"),
        Field("highlight", opened_highlight, ["open_cell", "bidirectional"], enc="json"),
        Field("units", opened_units, ["open_cell", "hidden_size", "kind"], enc="json"),
        Field("inputs", opened_inputs, ["open_cell", "input_size"], enc="json"),
        Field("vocab0", lambda framework, kind: vocabulary(framework, kind)[0], ["framework", "kind"], enc="json"),
        Field("vocab1", lambda framework, kind: vocabulary(framework, kind)[1], ["framework", "kind"], enc="json"),
        Field("vocab2", lambda framework, kind: vocabulary(framework, kind)[2], ["framework", "kind"], enc="json"),
        Field("code", code_line, ["framework", "kind", "bidirectional"], enc="json"),
        Field("shapes", shapes_line, ["framework", "kind"], enc="json"),
        Field("out_features", lambda hidden_size, bidirectional: hidden_size * (2 if bidirectional == "yes" else 1),
              ["hidden_size", "bidirectional"]),
        Field("state_rows", lambda num_layers, bidirectional: num_layers * (2 if bidirectional == "yes" else 1),
              ["num_layers", "bidirectional"]),
        Field("boxes", lambda time_steps, num_layers, bidirectional:
              time_steps * num_layers * (2 if bidirectional == "yes" else 1),
              ["time_steps", "num_layers", "bidirectional"]),
        Field("total", lambda **kw: count(**kw).total, sizes, enc="f64"),
        Field("weights", lambda **kw: count(**kw).weights, sizes, enc="f64"),
        Field("biases", lambda **kw: count(**kw).biases, sizes, enc="f64"),
    ]
    panels = [
        diagram(["net", "highlight", "units", "inputs"],
                title="Unrolled: time runs across, layers go up. Boxes with the same name share their weights."),
        text([{"key": "vocab0"}, {"key": "vocab1"}, {"key": "vocab2"}, {"key": "code"}, {"key": "shapes"},
              "{boxes} boxes drawn, but the parameters do not grow with time: {total:,d} = {weights:,d} weights + "
              "{biases:,d} biases ({framework} convention, cells.count_params)."],
             title="What the framework calls it"),
    ]
    presets = {
        "one unit": {"hidden_size": 1, "num_layers": 1, "bidirectional": "no", "open_cell": "open"},
        "MNIST rows (d = 28, h = 128)": {"input_size": 28, "hidden_size": 128, "num_layers": 1, "kind": "LSTM",
                                         "bidirectional": "no"},
        "stacked bidirectional": {"num_layers": 2, "bidirectional": "yes"},
    }
    settings = {"input_size": input_size, "hidden_size": hidden_size, "time_steps": time_steps,
                "num_layers": num_layers, "bidirectional": bidirectional, "framework": framework,
                "kind": kind, "open_cell": open_cell}
    return build("Cell, unit, layer", sliders, fields, panels, presets,
                 caption="A recurrent network unrolled in time, with the words PyTorch, Keras and TensorFlow use.",
                 settings=settings)
