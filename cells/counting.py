"""How many parameters a recurrent network has, in PyTorch's, Keras's and TensorFlow 1's books.

One set of weights serves every time step, so the count does not depend on T. A layer with
G gate blocks (G = 1 plain RNN, 4 LSTM, 3 GRU), input size d and hidden size h has

    weights = G * h * (d + h)                      (W_ih and W_hh, or Keras's kernel and recurrent_kernel)
    biases  = 2 * G * h   PyTorch (b_ih and b_hh; kept for cuDNN compatibility)
            =     G * h   Keras and TF1 (one bias per gate)
            = 2 * G * h   Keras GRU with reset_after=True (the default since TF 2), whose reset gate
                          multiplies W_hn h + b_hn, so the recurrent bias cannot be folded away

minGRU and minLSTM (minimal.py; G = 2, 3) have no recurrent weights: G * h * d weights and G * h biases.

PyTorch's LSTM with proj_size = p > 0 projects h_t down to p numbers (h_t = W_hr (o * tanh c_t)): it adds
W_hr (p, h), and W_hh reads the p numbers instead of h. Stacked layers: layer 1 sees d inputs, every
later layer sees what a layer outputs (h, or p) times the directions. Bidirectional layers have two
independent sets (forward and reverse). A dense head of n outputs on top adds n * inputs + n.

The rules are data. `layer_arrays` lists the arrays one direction of one layer stores, in the
framework's names and order, each shape written in symbols ("4h", "d + h"); `network_plan` puts the
layers and the head together, with how many times each part repeats ("2L - 2") and the checks the
sizes must pass. `count_params` evaluates the plan. The parameter counter widget ships the same plan,
as JSON, to the page, whose small evaluator (widgets/widget.js) does the arithmetic there: the rules
live here only.

Plan format (JSON): a size is a list of terms [coefficient, symbol] ("" for a constant), summed;
the symbols are d, h, L (layers), p (proj_size, 0 for none), n (head outputs, 0 for none), and r,
derived as the first non-zero of the symbols in `plan["derived"]["r"]` (what one direction outputs).

    {"derived": {"r": ["p", "h"]}, "legend": "r = p if proj_size p > 0, else h",
     "checks": [{"positive": size, "message": text}],        every size must be > 0, or the message
     "parts": [{"label", "layer": "first" | "rest" | "head",
                "times": size,                                 how many such parts the network has
                "arrays": [{"name", "shape": ["4h", "d"], "dims": [size, ...], "role": "weight" | "bias"}]}]}
"""

import numbers
import re
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_bool, check_choice, check_positive_int

GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3, "mingru": 2, "minlstm": 3}
MINIMAL_KINDS = ("mingru", "minlstm")  # minimal.py: no W_hh and one bias per block; PyTorch names only
CONVENTIONS = ("torch", "keras", "tf1")
SYMBOLS = ("d", "h", "L", "p", "n", "r")
_TERM = re.compile(r"\s*([+-]?)\s*(\d*)([a-zA-Z]?)\s*")


@dataclass
class ParamCount:
    """total = weights + biases; breakdown lists one dict per (layer, direction), then the head if any;
    arrays lists every stored array: (layer or "head", direction, name, shape, size, role)."""

    total: int
    weights: int
    biases: int
    breakdown: list = field(default_factory=list)
    arrays: list = field(default_factory=list)


def size_terms(text):
    """'4h' -> [[4, 'h']]; 'd + h' -> [[1, 'd'], [1, 'h']]; '2L - 2' -> [[2, 'L'], [-2, '']] (like terms added)."""
    terms, position = {}, 0
    text = text.strip()
    while position < len(text):
        match = _TERM.match(text, position)
        sign, digits, symbol = match.groups()
        if match.end() == position or not (digits or symbol) or (symbol and symbol not in SYMBOLS):
            raise ValueError(f"cannot read the size {text!r} at {text[position:]!r}")
        if position and not sign:
            raise ValueError(f"cannot read the size {text!r}: terms are joined by + or -")
        coefficient = (-1 if sign == "-" else 1) * (int(digits) if digits else 1)
        terms[symbol] = terms.get(symbol, 0) + coefficient
        position = match.end()
    return [[c, s] for s, c in terms.items() if c]


def size_text(terms):
    """The inverse of size_terms, for display: [[3, 'h']] -> '3h'."""
    out = ""
    for c, s in terms:
        body = str(abs(c)) if not s or abs(c) != 1 else ""
        out += (" - " if c < 0 else " + ") + body + s if out else ("-" if c < 0 else "") + body + s
    return out or "0"


def _array(name, shape, role):
    dims = [size_terms(d) for d in shape]
    return {"name": name, "shape": [size_text(d) for d in dims], "dims": dims, "role": role}


def layer_arrays(kind, convention="torch", inputs="d", bias=True, reset_after=True, projection=False):
    """The arrays one direction of one layer stores, in the framework's names and order.

    `inputs` is the size the layer reads, in symbols ("d" for the first layer). With `projection`
    (PyTorch's LSTM proj_size), the recurrent weights read r, the projected output, and W_hr is added.
    """
    G = GATE_BLOCKS[kind]
    blocks = f"{G}h"
    if kind in MINIMAL_KINDS:
        arrays = [_array("weight_ih", [blocks, inputs], "weight")]
        return arrays + ([_array("bias_ih", [blocks], "bias")] if bias else [])
    if convention == "torch":
        arrays = [_array("weight_ih", [blocks, inputs], "weight"),
                  _array("weight_hh", [blocks, "r" if projection else "h"], "weight")]
        if bias:
            arrays += [_array("bias_ih", [blocks], "bias"), _array("bias_hh", [blocks], "bias")]
        if projection:
            arrays.append(_array("weight_hr", ["p", "h"], "weight"))
        return arrays
    if convention == "keras":
        arrays = [_array("kernel", [inputs, blocks], "weight"), _array("recurrent_kernel", ["h", blocks], "weight")]
        if bias:
            arrays.append(_array("bias", ["2", blocks] if kind == "gru" and reset_after else [blocks], "bias"))
        return arrays
    both = f"{inputs} + h"  # TF1 multiplies the concatenation [x_t, h_(t-1)] by one kernel
    if kind == "gru":
        return [_array("gates/kernel", [both, "2h"], "weight"), _array("gates/bias", ["2h"], "bias"),
                _array("candidate/kernel", [both, "h"], "weight"), _array("candidate/bias", ["h"], "bias")]
    return [_array("kernel", [both, blocks], "weight"), _array("bias", [blocks], "bias")]


def head_arrays(convention="torch", inputs="r", bias=True):
    """A dense layer of n outputs on `inputs` numbers: torch.nn.Linear, keras.layers.Dense, tf.layers.dense."""
    if convention == "torch":
        arrays = [_array("head weight", ["n", inputs], "weight")]
    else:
        arrays = [_array("head kernel", [inputs, "n"], "weight")]
    return arrays + ([_array("head bias", ["n"], "bias")] if bias else [])


def network_plan(kind, convention="torch", bidirectional=False, bias=True, reset_after=True):
    """The whole network's rules as JSON data (the format is in the module docstring)."""
    kind = check_choice("kind", kind, tuple(GATE_BLOCKS))
    convention = check_choice("convention", convention, CONVENTIONS)
    bidirectional, bias = check_bool("bidirectional", bidirectional), check_bool("bias", bias)
    reset_after = check_bool("reset_after", reset_after)
    if convention == "tf1" and not bias:
        raise ValueError("TF1's RNN cells always have a bias; got bias=False with convention='tf1'")
    if kind in MINIMAL_KINDS and convention != "torch":
        raise ValueError(f"{kind} (cells.minimal) is counted in PyTorch-style names only; "
                         f"got convention={convention!r}")
    projection = convention == "torch" and kind == "lstm"
    directions = 2 if bidirectional else 1
    # what a later layer, and the head, read: every direction's output joined (r: h, or p when projected)
    between = f"{directions}{'r' if projection else 'h'}"
    options = dict(bias=bias, reset_after=reset_after, projection=projection)
    checks = [{"positive": size_terms("h - p"),
               "message": "proj_size p must be smaller than hidden_size h (PyTorch refuses p >= h)"}]
    if not projection:
        checks = [{"positive": size_terms("1 - p"), "message": "proj_size is an option of PyTorch's LSTM only"}]
    return {
        "derived": {"r": ["p", "h"] if projection else ["h"]},
        "legend": "r = p if proj_size p > 0, else h" if projection else "",
        "checks": checks,
        "parts": [
            {"label": "layer 1", "layer": "first", "times": size_terms(f"{directions}"),
             "arrays": layer_arrays(kind, convention, "d", **options)},
            {"label": "each later layer", "layer": "rest", "times": size_terms(f"{directions}L - {directions}"),
             "arrays": layer_arrays(kind, convention, between, **options)},
            {"label": "dense head", "layer": "head", "times": size_terms("1"),
             "arrays": head_arrays(convention, between, bias=bias)},
        ],
    }


def evaluate(size, values):
    """A size (list of terms) at the symbols' values."""
    return sum(c * (values[s] if s else 1) for c, s in size)


def symbol_values(plan, input_size, hidden_size, num_layers, proj_size=0, head=0):
    """The symbols' values, r derived as the plan says; ValueError with the plan's message if a check fails."""
    values = {"d": input_size, "h": hidden_size, "L": num_layers, "p": proj_size, "n": head}
    values["r"] = next((values[s] for s in plan["derived"]["r"] if values[s]), 0)
    for check in plan["checks"]:
        if evaluate(check["positive"], values) <= 0:
            raise ValueError(f"{check['message']}; got proj_size={proj_size}, hidden_size={hidden_size}")
    return values


def count_params(kind, input_size, hidden_size, num_layers=1, bidirectional=False, bias=True,
                 convention="torch", reset_after=True, proj_size=0, head=0):
    """Count the parameters of a (stacked, possibly bidirectional) RNN, LSTM or GRU (or minGRU, minLSTM:
    kinds "mingru", "minlstm", weight_ih and bias_ih only), and of an optional dense head of `head` outputs.

    `reset_after` only matters for a Keras GRU; `proj_size` (0 for none) is PyTorch's LSTM option.
    TF1's cells always have biases. Evaluates `network_plan`, the rules the parameter counter ships.
    """
    input_size = check_positive_int("input_size", input_size)
    hidden_size = check_positive_int("hidden_size", hidden_size)
    num_layers = check_positive_int("num_layers", num_layers)
    proj_size = _check_count("proj_size", proj_size)
    head = _check_count("head", head)
    plan = network_plan(kind, convention, bidirectional, bias, reset_after)
    values = symbol_values(plan, input_size, hidden_size, num_layers, proj_size, head)
    parts = {part["layer"]: part for part in plan["parts"]}
    directions = ("forward", "reverse") if bidirectional else ("forward",)
    places = [(layer, direction, parts["first" if layer == 0 else "rest"])
              for layer in range(num_layers) for direction in directions]
    if head:
        places.append((num_layers, "head", parts["head"]))
    breakdown, arrays = [], []
    for layer, direction, part in places:
        entry = {"layer": layer, "direction": direction, "weights": 0, "biases": 0}
        for array in part["arrays"]:
            shape = tuple(evaluate(d, values) for d in array["dims"])
            size = 1
            for n in shape:
                size *= n
            entry["weights" if array["role"] == "weight" else "biases"] += size
            arrays.append({"layer": "head" if direction == "head" else layer, "direction": direction,
                           "name": array["name"], "shape": shape, "size": size, "role": array["role"]})
        breakdown.append(entry)
    weights = sum(b["weights"] for b in breakdown)
    biases = sum(b["biases"] for b in breakdown)
    return ParamCount(total=weights + biases, weights=weights, biases=biases, breakdown=breakdown, arrays=arrays)


def _check_count(name, value):
    """A whole number that may be 0 (proj_size and head: 0 means none)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be 0 (none) or a positive integer; got {value!r}")
    return int(value)
