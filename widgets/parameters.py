"""The parameter counter: framework x cell type x any sizes -> how many numbers a recurrent network learns.

The reader types their own sizes (input size d, hidden size h, layers, PyTorch's proj_size, the outputs
of a dense head) and picks the framework, the cell, bidirectional and Keras's GRU reset_after. The
rules come from `cells.counting.network_plan` (the arrays each framework stores, with their shapes in
symbols), the same rules `cells.count_params` evaluates, and are shipped to the page as a JSON field for
every setting of the choices: the page evaluates them for the typed sizes (widget.js, `tally`); live in
Jupyter the kernel answers with `cells.count_params` itself. Tests hold count_params against PyTorch and
Keras, and a browser test holds the page to count_params.

The framework vocabulary here (`FRAMEWORKS`, `KINDS`, `count`) is shared with `widgets.unrolled_network`.
"""

import cells
from cells.counting import network_plan

from .grid import Field, Number, Slider
from .view import build, tally

FRAMEWORKS = ["PyTorch", "Keras", "TensorFlow 1"]
CONVENTION = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}
KINDS = ["RNN", "LSTM", "GRU"]
KIND_KEY = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
YES_NO = ["no", "yes"]
# the plan's symbols and the typed numbers that give them
SYMBOLS = {"d": "input_size", "h": "hidden_size", "L": "num_layers", "p": "proj_size", "n": "head"}


def count(framework, kind, input_size, hidden_size, num_layers, bidirectional, reset_after="True", proj_size=0,
          head=0):
    """cells.count_params for the widget's settings (choices as the widget spells them)."""
    return cells.count_params(KIND_KEY[kind], input_size, hidden_size, num_layers=num_layers,
                              bidirectional=bidirectional == "yes", convention=CONVENTION[framework],
                              reset_after=reset_after == "True", proj_size=proj_size, head=head)


def plan(framework, kind, bidirectional, reset_after):
    """The counting rules for these choices (cells.counting.network_plan), with labels for the page."""
    rules = network_plan(KIND_KEY[kind], CONVENTION[framework], bidirectional == "yes",
                         reset_after=reset_after == "True")
    each = ", each direction" if bidirectional == "yes" else ""
    labels = {"first": "layer 1" + each, "rest": "each of layers 2 to L" + each, "head": "dense head"}
    for part in rules["parts"]:
        part["label"] = labels[part["layer"]]
    return rules


def reset_after_off(framework, kind):
    """Why reset_after has no effect here ("" where it has one)."""
    if (framework, kind) == ("Keras", "GRU"):
        return ""
    if kind != "GRU":
        return f"reset_after is an option of Keras's GRU only; the {kind} has no reset gate."
    return {"PyTorch": "PyTorch's GRU always applies the reset gate after W_hn h (like reset_after=True).",
            "TensorFlow 1": "TF1's GRUCell always applies the reset gate before the kernel (like reset_after=False)."
            }[framework]


def proj_size_off(framework, kind):
    if (framework, kind) == ("PyTorch", "LSTM"):
        return ""
    return "Only PyTorch's LSTM has proj_size."


def counted(framework, kind, bidirectional, reset_after, input_size, hidden_size, num_layers, proj_size, head):
    """What the tally panel shows, from cells.count_params itself (the kernel's answer, live in Jupyter):
    the format of widgets.view.tally_result, the symbolic shapes and labels from the plan."""
    try:
        c = count(framework, kind, input_size, hidden_size, num_layers, bidirectional, reset_after, proj_size, head)
    except ValueError as error:
        return {"error": str(error)}
    rules = plan(framework, kind, bidirectional, reset_after)
    directions = 2 if bidirectional == "yes" else 1
    first = {"first": (0, "forward"), "rest": (1, "forward"), "head": ("head", "head")}
    times = {"first": directions, "rest": directions * (num_layers - 1), "head": 1 if head else 0}
    parts = []
    for part in rules["parts"]:
        if not times[part["layer"]]:
            continue
        layer, direction = first[part["layer"]]
        stored = [a for a in c.arrays if (a["layer"], a["direction"]) == (layer, direction)]
        arrays = [{"name": rule["name"], "shape": rule["shape"], "numbers": list(a["shape"]), "size": a["size"],
                   "role": a["role"]} for rule, a in zip(part["arrays"], stored)]
        subtotal = sum(a["size"] for a in arrays)
        if subtotal:
            parts.append({"label": part["label"], "times": times[part["layer"]], "subtotal": subtotal,
                          "arrays": arrays})
    return {"error": "", "total": c.total, "weights": c.weights, "biases": c.biases, "parts": parts}


def param_counter(framework="PyTorch", kind="LSTM", input_size=28, hidden_size=128, num_layers=1,
                  bidirectional="no", reset_after="True", proj_size=0, head=0):
    """Framework x cell type x typed sizes -> the parameter count, array by array."""
    sliders = [
        Slider("framework", FRAMEWORKS, "framework"),
        Slider("kind", KINDS, "cell type"),
        Slider("bidirectional", YES_NO, "bidirectional"),
        Slider("reset_after", ["True", "False"], "Keras GRU reset_after", disabled_when="reset_after_off"),
    ]
    numbers = [
        Number("input_size", "input size d", 28),
        Number("hidden_size", "hidden size h (units)", 128),
        Number("num_layers", "layers L", 1, maximum=1000),
        Number("proj_size", "PyTorch LSTM proj_size p (0: none)", 0, minimum=0, disabled_when="proj_size_off"),
        Number("head", "dense head outputs n (0: none)", 0, minimum=0),
    ]
    fields = [
        Field("plan", plan, ["framework", "kind", "bidirectional", "reset_after"], enc="json"),
        Field("reset_after_off", reset_after_off, ["framework", "kind"], enc="json"),
        Field("proj_size_off", proj_size_off, ["framework", "kind"], enc="json"),
    ]
    panels = [tally("plan", SYMBOLS, title="Count: every array the framework stores")]
    presets = {
        "Keras GRU(20) on 10 features": {"framework": "Keras", "kind": "GRU", "input_size": 10, "hidden_size": 20,
                                         "num_layers": 1, "bidirectional": "no", "reset_after": "True", "head": 0},
        "same, reset_after=False": {"framework": "Keras", "kind": "GRU", "input_size": 10, "hidden_size": 20,
                                    "num_layers": 1, "bidirectional": "no", "reset_after": "False", "head": 0},
        "Keras LSTM(128) on 28, Dense(10)": {"framework": "Keras", "kind": "LSTM", "input_size": 28,
                                             "hidden_size": 128, "num_layers": 1, "bidirectional": "no", "head": 10},
        "PyTorch LSTM(28, 128), Linear(128, 10)": {"framework": "PyTorch", "kind": "LSTM", "input_size": 28,
                                                   "hidden_size": 128, "num_layers": 1, "bidirectional": "no",
                                                   "proj_size": 0, "head": 10},
        "TF1 BasicLSTMCell(128) on 28": {"framework": "TensorFlow 1", "kind": "LSTM", "input_size": 28,
                                         "hidden_size": 128, "num_layers": 1, "bidirectional": "no", "head": 0},
    }
    settings = {"framework": framework, "kind": kind, "input_size": input_size, "hidden_size": hidden_size,
                "num_layers": num_layers, "bidirectional": bidirectional, "reset_after": reset_after,
                "proj_size": proj_size, "head": head}
    return build("Parameter counter", sliders, fields, panels, presets,
                 caption="Type your own sizes: how many numbers a recurrent network learns, array by array. "
                         "The count never depends on the sequence length.",
                 settings=settings, numbers=numbers, live=counted)
