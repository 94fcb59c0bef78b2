"""Moving weights between this library and Keras 3. The only module that imports keras.

Keras stores each cell as three arrays, transposed with respect to PyTorch (inputs are rows,
gate units are columns) and with the gate blocks in its own order:

    kernel            (d, G*h)  = W_ih^T     column blocks in Keras's order
    recurrent_kernel  (h, G*h)  = W_hh^T
    bias              (G*h,)    = b_ih + b_hh   one bias: the two only ever enter as a sum
                      (2, G*h)  = [b_ih; b_hh]  GRU with reset_after=True: b_hn sits inside r * (...)

    gate order        LSTM  Keras i, f, c, o  = PyTorch i, f, g, o   (c is PyTorch's g)
                      GRU   Keras z, r, h     ; PyTorch r, z, n      (the first two blocks swap)
                      SimpleRNN  one block

    from_keras(layer) -> the cells layer (batch_first=True) computing Keras's sequence output
    to_keras(layer)   -> a built Keras layer (return_sequences=True) computing the cells layer's output

Keras is imported when first needed. If it has not been imported yet and KERAS_BACKEND is not
set, this module sets KERAS_BACKEND=torch first: the book installs torch, not TensorFlow.
"""

import os
import sys
import warnings

import numpy as np

from ._validation import check_dtype
from .gru import GRUCell
from .layers import GRU, LSTM, RNN
from .lstm import LSTMCell
from .rnn import RNNCell

# For each Keras gate block, the PyTorch block it holds.
KERAS_BLOCKS = {"lstm": (0, 1, 2, 3), "gru": (1, 0, 2), "rnn": (0,)}
KERAS_GATE_NAMES = {"lstm": ("i", "f", "c", "o"), "gru": ("z", "r", "h"), "rnn": ("h",)}
# Keras's names for the activations the cells have, and the cells' names for them.
RNN_ACTIVATIONS = {"tanh": "tanh", "relu": "relu", "sigmoid": "sigmoid", "linear": "identity"}
ACCEPTED = (
    "keras.layers.LSTM, GRU, SimpleRNN, RNN around one LSTMCell/GRUCell/SimpleRNNCell, "
    "Bidirectional around any of these, a Sequential of such layers, or an LSTMCell, GRUCell "
    "or SimpleRNNCell"
)


def _keras():
    if "keras" not in sys.modules:
        os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except ImportError as error:  # the book's pages run without Keras; only this bridge needs it
        raise ImportError(
            'cells.from_keras / cells.to_keras need Keras 3: pip install "keras>=3.8,<4"'
        ) from error
    return keras


def keras_order(kind, array, axis):
    """Reorder gate blocks along `axis` between PyTorch's and Keras's order (the map is its own inverse)."""
    blocks = np.split(array, len(KERAS_BLOCKS[kind]), axis=axis)
    return np.concatenate([blocks[k] for k in KERAS_BLOCKS[kind]], axis=axis)


def keras_arrays(kind, cell, reset_after=True):
    """A cells cell's parameters as Keras's [kernel, recurrent_kernel(, bias)] for that cell."""
    arrays = [keras_order(kind, cell.weight_ih.T, 1), keras_order(kind, cell.weight_hh.T, 1)]
    if cell.bias:
        if kind == "gru" and reset_after:
            arrays.append(keras_order(kind, np.stack([cell.bias_ih, cell.bias_hh]), 1))
        else:
            arrays.append(keras_order(kind, cell.bias_ih + cell.bias_hh, 0))
    return arrays


def cell_arrays(kind, arrays, dtype, reset_after=True):
    """Keras's [kernel, recurrent_kernel(, bias)] -> PyTorch-named arrays for a cells cell."""
    params = {"weight_ih": keras_order(kind, arrays[0], 1).T, "weight_hh": keras_order(kind, arrays[1], 1).T}
    if len(arrays) == 3:
        bias = np.asarray(arrays[2])
        if kind == "gru" and reset_after:
            params["bias_ih"], params["bias_hh"] = keras_order(kind, bias, 1)
        else:  # one bias: it all goes to b_ih, and b_hh is zero
            params["bias_ih"], params["bias_hh"] = keras_order(kind, bias, 0), np.zeros_like(bias)
    return {name: np.array(value, dtype=dtype) for name, value in params.items()}


def _describe_cell(keras, cell):
    """The settings of a Keras recurrent cell -> (kind, options), or a ValueError for what does not map."""
    kinds = {keras.layers.LSTMCell: "lstm", keras.layers.GRUCell: "gru", keras.layers.SimpleRNNCell: "rnn"}
    kind = kinds.get(type(cell))
    if kind is None:
        raise ValueError(f"from_keras expects {ACCEPTED}; got a {type(cell).__name__} inside")
    config = cell.get_config()
    options = {"units": config["units"], "use_bias": config["use_bias"]}
    activation = config["activation"]
    if kind == "rnn":
        if activation not in RNN_ACTIVATIONS:
            raise ValueError(
                f"SimpleRNN activation must be one of {', '.join(map(repr, RNN_ACTIVATIONS))} "
                f"(the cells have these); got {activation!r}"
            )
        options["nonlinearity"] = RNN_ACTIVATIONS[activation]
    else:
        name = type(cell).__name__
        if activation != "tanh":
            raise ValueError(
                f"{name} activation must be 'tanh' (the cells' candidate uses tanh); got {activation!r}"
            )
        if config["recurrent_activation"] != "sigmoid":
            raise ValueError(
                f"{name} recurrent_activation must be 'sigmoid' (the cells' gates use the logistic "
                f"sigmoid); got {config['recurrent_activation']!r}"
            )
    if kind == "gru":
        options["reset_after"] = config["reset_after"]
    dropouts = {k: config.get(k, 0.0) for k in ("dropout", "recurrent_dropout") if config.get(k, 0.0)}
    if dropouts:
        settings = ", ".join(f"{k}={v}" for k, v in dropouts.items())
        warnings.warn(
            f"{type(cell).__name__} has {settings}: dropout only acts while Keras trains, so the "
            "cells layer computes the inference output (no dropout)",
            stacklevel=4,
        )
    return kind, options


def _unwrap(keras, layer):
    """A Keras recurrent layer (not Bidirectional) -> its cell, refusing what has no cells equivalent."""
    if not isinstance(layer, keras.layers.RNN):
        raise ValueError(f"from_keras expects {ACCEPTED}; got {type(layer).__name__}")
    if not layer.built:
        raise ValueError(
            f"the Keras {type(layer).__name__} is not built yet, so it has no weights: call it on a "
            "batch or use layer.build((None, None, input_size)) first"
        )
    if layer.stateful:
        raise ValueError(
            f"{type(layer).__name__} has stateful=True: it carries its state from one call to the "
            "next, which a cells layer does not; expected stateful=False"
        )
    if layer.go_backwards:
        raise ValueError(
            f"{type(layer).__name__} has go_backwards=True: it reads the sequence backwards and "
            "returns its outputs in that reversed order, which no cells layer does; expected "
            "go_backwards=False (flip the input yourself, or use Bidirectional)"
        )
    cell = layer.cell
    if isinstance(cell, keras.layers.StackedRNNCells):
        raise ValueError(
            "from_keras expects an RNN around a single cell; got StackedRNNCells (use a Sequential "
            "of one recurrent layer per level)"
        )
    return cell


def _layer_settings(keras, layer):
    """One Keras level (a recurrent layer, or a Bidirectional) -> (kind, options, [cell per direction])."""
    if isinstance(layer, keras.layers.Bidirectional):
        if layer.merge_mode != "concat":
            raise ValueError(
                "Bidirectional merge_mode must be 'concat' (a cells layer puts the two directions "
                f"side by side); got {layer.merge_mode!r}"
            )
        forward, backward = layer.forward_layer, layer.backward_layer
        if not backward.go_backwards:  # Keras sets it; a hand-made backward_layer might not
            raise ValueError("the Bidirectional's backward_layer must have go_backwards=True; got False")
        settings = []
        for part in (forward, backward):
            if not part.built:
                raise ValueError(
                    "the Keras Bidirectional is not built yet, so it has no weights: call it on a "
                    "batch or use layer.build((None, None, input_size)) first"
                )
            if part.stateful:
                raise ValueError(
                    "the Bidirectional's layers have stateful=True, which a cells layer does not "
                    "do; expected stateful=False"
                )
            settings.append(_describe_cell(keras, part.cell))
        if settings[0] != settings[1] or type(forward.cell) is not type(backward.cell):
            raise ValueError(
                "the Bidirectional's forward and backward layers must be of the same kind and "
                f"settings; got {settings[0]} and {settings[1]}"
            )
        return settings[0][0], settings[0][1], [forward.cell, backward.cell]
    kind, options = _describe_cell(keras, _unwrap(keras, layer))
    return kind, options, [layer.cell]


def _weights(cell):
    return [np.asarray(w.numpy()) for w in cell.weights]


def from_keras(layer, dtype=np.float64):
    """The cells equivalent of a built Keras recurrent layer, weights copied (float64 unless `dtype` says).

    A layer (LSTM, GRU, SimpleRNN, RNN around one cell, Bidirectional with merge_mode='concat')
    becomes a cells RNN / LSTM / GRU with batch_first=True whose forward(x)[0] is the Keras
    layer's output with return_sequences=True. A Sequential of such layers, all of one kind and
    size, becomes one stacked cells layer (num_layers = the number of layers). A Keras
    LSTMCell / GRUCell / SimpleRNNCell becomes the matching cells cell.
    Dropout is ignored, with a warning: it only acts while Keras trains.
    """
    keras = _keras()
    dtype = check_dtype(dtype)
    cell_classes = {"lstm": LSTMCell, "gru": GRUCell, "rnn": RNNCell}
    layer_classes = {"lstm": LSTM, "gru": GRU, "rnn": RNN}

    if isinstance(layer, keras.layers.Layer) and type(layer) in (
        keras.layers.LSTMCell,
        keras.layers.GRUCell,
        keras.layers.SimpleRNNCell,
    ):
        if not layer.built:
            raise ValueError(
                f"the Keras {type(layer).__name__} is not built yet, so it has no weights: use "
                "cell.build((None, input_size)) first"
            )
        kind, options = _describe_cell(keras, layer)
        weights = _weights(layer)
        cell = cell_classes[kind](
            weights[0].shape[0],
            options["units"],
            bias=options["use_bias"],
            dtype=dtype,
            **_cell_options(kind, options),
        )
        for name, value in cell_arrays(kind, weights, dtype, options.get("reset_after", True)).items():
            setattr(cell, name, value)
        return cell

    if isinstance(layer, keras.Sequential):
        levels = [level for level in layer.layers if not isinstance(level, keras.layers.InputLayer)]
        if not levels:
            raise ValueError(f"from_keras expects {ACCEPTED}; got an empty Sequential")
        found = [type(level).__name__ for level in levels]
        if not all(isinstance(level, (keras.layers.RNN, keras.layers.Bidirectional)) for level in levels):
            raise ValueError(
                f"a Sequential must hold recurrent layers only (all of one kind); got {', '.join(found)}"
            )
    elif isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional)):
        levels = [layer]
    else:
        raise ValueError(f"from_keras expects {ACCEPTED}; got {type(layer).__name__}")

    described = [_layer_settings(keras, level) for level in levels]
    kind, options, first_cells = described[0]
    bidirectional = isinstance(levels[0], keras.layers.Bidirectional)
    for level, (other_kind, other_options, _) in zip(levels[1:], described[1:]):
        if (other_kind, other_options, isinstance(level, keras.layers.Bidirectional)) != (
            kind,
            options,
            bidirectional,
        ):
            raise ValueError(
                "a Sequential becomes one stacked cells layer only if every level has the same kind, "
                f"units, settings and directions; got {', '.join(type(v).__name__ for v in levels)} "
                f"with settings {[o for _, o, _ in described]}"
            )
    input_size = _weights(first_cells[0])[0].shape[0]
    result = layer_classes[kind](
        input_size,
        options["units"],
        num_layers=len(levels),
        bias=options["use_bias"],
        batch_first=True,
        bidirectional=bidirectional,
        dtype=dtype,
        **_cell_options(kind, options),
    )
    for ours, (_, _, theirs) in zip(result.cells, described):
        for cell, keras_cell in zip(ours, theirs):
            arrays = cell_arrays(kind, _weights(keras_cell), dtype, options.get("reset_after", True))
            for name, value in arrays.items():
                expected = getattr(cell, name).shape
                if value.shape != expected:
                    raise ValueError(
                        f"a level of the Sequential reads inputs of another size than the level "
                        f"below gives: {name} should be {expected}, got {value.shape}"
                    )
                setattr(cell, name, value)
    return result


def _cell_options(kind, options):
    if kind == "rnn":
        return {"nonlinearity": options["nonlinearity"]}
    if kind == "gru":
        return {"reset_after": options["reset_after"]}
    return {}


def _kind_of(layer):
    for classes, kind in (((LSTM, LSTMCell), "lstm"), ((GRU, GRUCell), "gru"), ((RNN, RNNCell), "rnn")):
        if isinstance(layer, classes):
            return kind
    raise ValueError(
        f"to_keras expects a cells RNN, LSTM, GRU, RNNCell, LSTMCell or GRUCell; got {type(layer).__name__}"
    )


def _keras_cell_options(kind, layer):
    if kind == "rnn":
        names = {v: k for k, v in RNN_ACTIVATIONS.items()}
        return {"activation": names[layer.nonlinearity]}
    if kind == "gru":
        return {"reset_after": layer.reset_after}
    return {}


def to_keras(layer, dtype="float32"):
    """The Keras 3 equivalent of a cells layer or cell, built, weights copied.

    A layer becomes keras.layers.LSTM / GRU / SimpleRNN with return_sequences=True (wrapped in
    Bidirectional(merge_mode='concat') if bidirectional); Keras is batch-major, so it reads
    (B, T, d) whatever the layer's batch_first. A stacked layer (num_layers > 1) becomes a
    keras.Sequential of one such layer per level. A cell becomes the matching Keras cell.
    `dtype` is the Keras layer's dtype, float32 by default, as in Keras. (On the torch backend of
    Keras 3.15, a float64 layer still rounds some products to float32, so float64 buys nothing.)
    """
    keras = _keras()
    kind = _kind_of(layer)
    dtype = str(check_dtype(dtype))
    options = {"use_bias": layer.bias, "dtype": dtype, **_keras_cell_options(kind, layer)}
    reset_after = options.get("reset_after", True)

    if isinstance(layer, (LSTMCell, GRUCell, RNNCell)):
        cell_class = {
            "lstm": keras.layers.LSTMCell,
            "gru": keras.layers.GRUCell,
            "rnn": keras.layers.SimpleRNNCell,
        }
        cell = cell_class[kind](layer.hidden_size, **options)
        cell.build((None, layer.input_size))
        cell.set_weights(keras_arrays(kind, layer, reset_after))
        return cell

    layer_class = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}[kind]
    levels = []
    for index, pair in enumerate(layer.cells):
        level = layer_class(layer.hidden_size, return_sequences=True, **options)
        if layer.bidirectional:
            level = keras.layers.Bidirectional(level, merge_mode="concat", dtype=dtype)
        level.build((None, None, pair[0].input_size))
        parts = [level.forward_layer, level.backward_layer] if layer.bidirectional else [level]
        for part, cell in zip(parts, pair):
            part.set_weights(keras_arrays(kind, cell, reset_after))
        levels.append(level)
    if len(levels) == 1:
        return levels[0]
    model = keras.Sequential([keras.Input((None, layer.input_size), dtype=dtype)] + levels)
    return model
