"""The unit explorer: which unit of a trained character-level network tracks something you can name.

In the spirit of LSTMVis (Strobelt et al. 2018) and of Karpathy, Johnson and Fei-Fei (2015): a passage
with each character shaded by one unit's value, the units ranked by how well they follow a label the
reader picks, a slider over saved training checkpoints, and a text box where the reader types their own
text and the network reads it in the page.

Usage (for a chapter; the size the page gets is about 5.4 bytes per parameter per checkpoint):

    w = widgets.unit_explorer(
        [("untrained", layer0, None), ("after 20,000 characters", layer1, None), ...],  # (title, layer, embedding)
        alphabet="()ab",                        # the characters the network reads, in its input order
        passage=held_out_text[:600],            # text of the alphabet, shown shaded
        labels={"bracket depth": depth, "inside quotes": quoted})   # one number per passage character

With `cells.language_model.CharLanguageModel` and its saved snapshots, copy the layer at each one:

    checkpoints = []
    for title, snapshot in zip(titles, run["checkpoints"]):
        model.load(snapshot)
        embedding = None if model.embedding is None else model.embedding.weight.copy()
        checkpoints.append((title, copy.deepcopy(model.rnn), embedding))

Each layer is a one-layer, one-direction `cells.RNN`, `cells.GRU` or `cells.LSTM` (all checkpoints the
same kind and sizes); its embedding is a (len(alphabet), d) matrix (or a `cells.Embedding`), or None when
the layer reads one-hot vectors of the alphabet. The reader picks the quantity (h; for an LSTM also c and
the gates i, f, g, o; for a GRU r, z, n), the label, the unit by its rank in |Pearson r| with the label
over the passage (r is shown), and the checkpoint (the last one first). The passage (at most 3,000
characters; a long one scrolls in its box) is what the ranking reads: make it long enough for a stable r.
`unit_activity` and `rank_units` are the computations the widget shows, callable on their own (a chapter
glues their numbers).

How it works. The ranking is computed here, over the grid of (checkpoint, quantity, label, rank), and
stored like any `widgets.view` field. The shading is not: each checkpoint's arrays ship with the page
(float32, base64, about 5 bytes a parameter) and widget.js runs the cell's forward pass itself, on the
passage and on whatever the reader types, in Jupyter and on the static page alike. Everything here
uses the layer with its weights rounded to float32 exactly as shipped (`shipped_layer`), so the
numbers Python ranks by are the numbers the page shades with (to about 1e-12). Characters outside
the alphabet get a sentence in the page, and the shading stops before them. The widget is a
`widgets.view.GridWidget` with one panel of kind "units" (drawn by `drawUnits` in widget.js).
"""

import base64
import copy

import numpy as np

import cells
from cells.language_model import CharLanguageModel, correlations

from .grid import Field, Slider
from .view import build

# every quantity a cell has, as the reader's option (its key is the letter before the space)
QUANTITIES = {
    "RNN": ["h (hidden state)"],
    "LSTM": ["h (hidden state)", "c (cell state)", "i (input gate)", "f (forget gate)", "g (candidate)",
             "o (output gate)"],
    "GRU": ["h (hidden state)", "r (reset gate)", "z (update gate)", "n (candidate)"],
}
GATES = set("ifozr")  # sigmoid outputs in (0, 1); g and n are tanh outputs in (-1, 1)
MAX_PASSAGE = 3000
MAX_TYPED = 1000
TOP = 8  # how many ranked units the page lists


def _kind(layer):
    for kind in ("LSTM", "GRU", "RNN"):
        if isinstance(layer, getattr(cells, kind)):
            return kind
    raise ValueError(f"each checkpoint's layer must be a cells.RNN, cells.GRU or cells.LSTM; got {layer!r}")


def _check_alphabet(alphabet):
    if not isinstance(alphabet, str) or not alphabet:
        raise ValueError(f"alphabet must be a non-empty string of the characters the network reads; got {alphabet!r}")
    if len(set(alphabet)) != len(alphabet):
        twice = sorted({ch for ch in alphabet if alphabet.count(ch) > 1})
        raise ValueError(f"alphabet must not repeat a character; {twice!r} appear more than once")
    return alphabet


def encode(alphabet, text, name="text"):
    """The alphabet positions of `text`'s characters; a clear error for a character outside the alphabet."""
    _check_alphabet(alphabet)
    if not isinstance(text, str) or not text:
        raise ValueError(f"{name} must be a non-empty string; got {text!r}")
    where = {ch: k for k, ch in enumerate(alphabet)}
    for position, ch in enumerate(text):
        if ch not in where:
            raise ValueError(f"{name} holds {ch!r} at position {position}, which is not in the alphabet "
                             f"{alphabet!r}")
    return np.array([where[ch] for ch in text], dtype=np.int64)


def _embedding_matrix(embedding, layer, alphabet):
    if embedding is None:
        if layer.input_size != len(alphabet):
            raise ValueError(f"without an embedding the layer reads one-hot vectors of the alphabet, so its "
                             f"input_size must be len(alphabet) = {len(alphabet)}; got {layer.input_size}")
        return None
    matrix = embedding.weight if isinstance(embedding, cells.Embedding) else embedding
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (len(alphabet), layer.input_size):
        raise ValueError(f"the embedding must have shape (len(alphabet), input_size) = "
                         f"{(len(alphabet), layer.input_size)}; got {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError("the embedding holds NaN or infinite values")
    return matrix


def _f32(array):
    return None if array is None else np.asarray(array, dtype=np.float32).astype(np.float64)


def shipped_layer(layer, embedding=None):
    """(a copy of `layer`, the embedding matrix or None), every array rounded to float32 as the page gets them.

    The copy computes in float64, as the page does, whatever the layer's own dtype (a float32 layer would
    round its state at every step)."""
    layer = copy.deepcopy(layer)
    cell = layer.cells[0][0]
    layer.dtype = cell.dtype = np.dtype(np.float64)
    for name in cell.parameter_shapes():
        setattr(cell, name, _f32(getattr(cell, name)))
    return layer, _f32(embedding)


def unit_activity(layer, embedding, alphabet, text):
    """Every quantity of every unit at every character of `text`: {quantity: array (T, h)}.

    The layer's own fused forward pass from a zero state, read through the chapter's
    `CharLanguageModel.states`: h for every cell, c and the gates i, f, g, o for an LSTM, the gates
    r, z, n for a GRU. `embedding` is a (len(alphabet), d) matrix or None for one-hot input.
    """
    _kind(layer)
    codes = encode(alphabet, text)
    matrix = _embedding_matrix(embedding, layer, alphabet)
    model = CharLanguageModel(alphabet, cell=layer, embedding_dim=None if matrix is None else layer.input_size,
                              rng=0, dtype=layer.dtype)
    if matrix is not None:
        model.embedding.weight = matrix.astype(model.dtype)
    return {name: np.asarray(values, dtype=np.float64) for name, values in model.states(codes).items()}


def rank_units(values, label):
    """(units in order of decreasing |Pearson r| with the label, their r), ties keeping the lower unit first.

    r is `cells.language_model.correlations`' (the chapter's): 0 for a unit that never changes."""
    r = correlations(values, label)
    order = np.argsort(-np.abs(r), kind="stable")
    return order, r[order]


def _check_labels(labels, length):
    if not isinstance(labels, dict) or not labels:
        raise ValueError(f"labels must be a non-empty dict {{name: one number per passage character}}; got {labels!r}")
    checked = {}
    for name, values in labels.items():
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"label names must be non-empty strings; got {name!r}")
        array = np.asarray(values)
        if array.dtype == bool:
            array = array.astype(np.float64)
        if array.dtype.kind not in "iuf" or array.shape != (length,):
            raise ValueError(f"label {name!r} must hold one number per passage character, shape ({length},); "
                             f"got {array.dtype} array of shape {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError(f"label {name!r} holds NaN or infinite values")
        if np.all(array == array[0]):
            raise ValueError(f"label {name!r} is the same ({array[0]:g}) at every passage character, so no unit can "
                             f"correlate with it; choose a passage where it varies")
        checked[name] = array
    return checked


def _check_checkpoints(checkpoints, alphabet):
    if isinstance(checkpoints, (str, bytes)) or not hasattr(checkpoints, "__len__") or not len(checkpoints):
        raise ValueError(f"checkpoints must be a non-empty list of (title, layer, embedding); got {checkpoints!r}")
    out = []
    for n, item in enumerate(checkpoints):
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise ValueError(f"checkpoint {n} must be a (title, layer, embedding) triple; got {item!r}")
        title, layer, embedding = item
        if not isinstance(title, str) or not title.strip():
            raise ValueError(f"checkpoint {n}: the title must be a non-empty string such as "
                             f"'after 20,000 characters'; got {title!r}")
        kind = _kind(layer)
        if layer.num_layers != 1 or layer.bidirectional:
            raise ValueError(f"checkpoint {title!r}: the explorer reads a one-layer, one-direction layer; "
                             f"got {layer!r}")
        if not layer.bias:
            raise ValueError(f"checkpoint {title!r}: the explorer needs a layer with biases (bias=True)")
        matrix = _embedding_matrix(embedding, layer, alphabet)
        out.append((title, kind, layer, matrix))
    layers = [id(c[2]) for c in out]
    if len(set(layers)) != len(layers):
        raise ValueError("two checkpoints hold the same layer object, so they would show the same weights; "
                         "save a copy at each checkpoint (copy.deepcopy(layer))")
    titles = [c[0] for c in out]
    if len(set(titles)) != len(titles):
        raise ValueError(f"checkpoint titles must be distinct; got {titles!r}")
    first = out[0]
    for title, kind, layer, matrix in out[1:]:
        same = (kind, layer.input_size, layer.hidden_size, matrix is None) == \
            (first[1], first[2].input_size, first[2].hidden_size, first[3] is None)
        same = same and (kind != "RNN" or layer.cells[0][0].nonlinearity == first[2].cells[0][0].nonlinearity)
        same = same and (kind != "GRU" or layer.cells[0][0].reset_after == first[2].cells[0][0].reset_after)
        if not same:
            raise ValueError(f"every checkpoint must be the same kind of layer with the same sizes and input; "
                             f"{first[0]!r} is {first[2]!r}, {title!r} is {layer!r}")
    return out


def _b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def weights_for_page(layer, embedding):
    """The JSON the page's forward pass reads: the cell's kind, sizes and arrays as float32 base64."""
    kind, cell = _kind(layer), layer.cells[0][0]
    return {"kind": kind, "hidden": layer.hidden_size, "input": layer.input_size,
            "activation": cell.nonlinearity if kind == "RNN" else "",
            "resetAfter": bool(kind == "GRU" and cell.reset_after),
            **{name: _b64(getattr(cell, name)) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")},
            "embedding": None if embedding is None else _b64(embedding)}


def _bounds(kind, activation):
    """The fixed colour range of each quantity; None where the page scales by the largest |value| shown."""
    out = {}
    for option in QUANTITIES[kind]:
        key = option[0]
        if key in GATES:
            out[key] = [0.0, 1.0]
        elif key in "gn" or (key == "h" and kind != "RNN") or (key == "h" and activation == "tanh"):
            out[key] = [-1.0, 1.0]
        elif key == "h" and activation == "sigmoid":
            out[key] = [0.0, 1.0]
        else:
            out[key] = None
    return out


def unit_explorer(checkpoints, alphabet, passage, labels, *, title="Find a unit that tracks something",
                  caption=None, typed=None, checkpoint=None, label=None, quantity=None):
    """A widget over trained checkpoints of one character-level layer (see the module docstring).

    checkpoint, label, quantity: the first setting (the last checkpoint, the first label and h by
    default); typed: the text first shown in the text box (a piece of the passage by default).
    """
    alphabet = _check_alphabet(alphabet)
    codes = encode(alphabet, passage, "passage")
    if len(codes) > MAX_PASSAGE:
        raise ValueError(f"the passage is shaded character by character in the page: at most {MAX_PASSAGE:,} "
                         f"characters; got {len(codes):,}")
    labels = _check_labels(labels, len(passage))
    checked = _check_checkpoints(checkpoints, alphabet)
    kind, hidden = checked[0][1], checked[0][2].hidden_size
    activation = checked[0][2].cells[0][0].nonlinearity if kind == "RNN" else ""
    typed = passage[:80] if typed is None else typed
    if not isinstance(typed, str) or len(typed) > MAX_TYPED:
        raise ValueError(f"typed must be a string of at most {MAX_TYPED} characters; got {typed!r:.60}")
    encode(alphabet, typed, "typed") if typed else None

    titles = [c[0] for c in checked]
    options = QUANTITIES[kind]
    pages, rankings = [], {}
    for title_, _, layer, matrix in checked:
        rounded, rounded_matrix = shipped_layer(layer, matrix)
        pages.append(weights_for_page(rounded, rounded_matrix))
        activity = unit_activity(rounded, rounded_matrix, alphabet, passage)
        for option in options:
            for name, values in labels.items():
                rankings[title_, option, name] = rank_units(activity[option[0]], values)

    reasons = {"checkpoint": "Only one checkpoint was saved." if len(titles) == 1 else "",
               "quantity": "A plain RNN has no gates and no cell state: h is all it has." if kind == "RNN" else "",
               "label": "Only one label was given." if len(labels) == 1 else ""}
    sliders = [
        Slider("checkpoint", titles, "checkpoint", default=titles[-1] if checkpoint is None else checkpoint,
               disabled_when="checkpoint_off" if reasons["checkpoint"] else None),
        Slider("quantity", options, "quantity", default=options[0] if quantity is None else quantity,
               disabled_when="quantity_off" if reasons["quantity"] else None, buttons=True),
        Slider("label", list(labels), "label", default=label,
               disabled_when="label_off" if reasons["label"] else None),
        Slider("unit", list(range(1, hidden + 1)), "unit, ranked by |r| with the label (1 = strongest)", "d"),
    ]
    by_title = dict(zip(titles, pages))

    def ranked(checkpoint, quantity, label):
        return rankings[checkpoint, quantity, label]

    fields = [
        Field("weights", lambda checkpoint: by_title[checkpoint], ["checkpoint"], enc="json"),
        Field("key", lambda quantity: quantity[0], ["quantity"], enc="json"),
        Field("label_name", lambda label: label, ["label"], enc="json"),
        Field("label_values", lambda label: labels[label], ["label"]),
        Field("unit_id", lambda checkpoint, quantity, label, unit: ranked(checkpoint, quantity, label)[0][unit - 1] + 1,
              ["checkpoint", "quantity", "label", "unit"]),
        Field("r", lambda checkpoint, quantity, label, unit: ranked(checkpoint, quantity, label)[1][unit - 1],
              ["checkpoint", "quantity", "label", "unit"], enc="f64"),
        Field("ranking", lambda checkpoint, quantity, label: [
            [int(u) + 1, round(float(r), 4)]
            for u, r in zip(*ranked(checkpoint, quantity, label))][:TOP], ["checkpoint", "quantity", "label"],
            enc="json"),
    ]
    fields += [Field(f"{name}_off", lambda why=why: why, [], enc="json") for name, why in reasons.items() if why]
    panel = {"kind": "units", "title": "", "alphabet": alphabet, "passage": passage, "typed": typed,
             "maxTyped": MAX_TYPED, "hidden": hidden, "bounds": _bounds(kind, activation),
             "fields": {"weights": "weights", "key": "key", "label": "label_name", "labelValues": "label_values",
                        "unit": "unit_id", "r": "r", "ranking": "ranking"}}
    if caption is None:
        article = "A" if kind == "GRU" else "An"
        reading = "one-hot" if checked[0][3] is None else "through an embedding"
        caption = (f"{article} {kind} layer of {hidden} units reading {len(alphabet)} characters {reading}. Each "
                   f"character is shaded by the chosen unit's value after reading it; hover or tap a character for "
                   f"the number. The network runs in this page, also on the text you type.")
    return build(title, sliders, fields, [panel], caption=caption)


__all__ = ["unit_explorer", "unit_activity", "rank_units", "shipped_layer", "weights_for_page",
           "encode", "QUANTITIES"]
