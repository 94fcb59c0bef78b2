"""Checkers for the exercises of the chapter "Recurrent networks".

Each ``check_<name>(answer)`` prints feedback that points at the specific slip a reader
made and returns True or False. Reference answers are computed with ``cells``; the
feedback never prints them.
"""

import numpy as np

import cells

from . import variants
from .feedback import (
    as_array,
    as_function,
    as_shape,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    right,
    wrong,
)

__all__ = [
    "parameters",
    "check_rnn_shapes",
    "check_rnn_param_count",
    "check_params_for_long_sequences",
    "check_unrolled_counts",
    "check_bidirectional",
    "check_activation_matrix",
    "check_unrolled_forward",
]


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the module's constants, the ones the chapter prints; the
    checkers read their numbers from here.

    What a draw (seed > 0) guarantees, besides plausible sizes (the tests check it over many seeds):

    - SHAPES: batch, steps, input_size, hidden_size and num_layers (2 or 3) are five different numbers,
      so every slip the checker names (time-first, the input's shape, batch-first h_n, ...) is a
      shape of its own; the pair of shapes is not the book's;
    - COUNT (shared by the exercises "count" and "long", whose texts say "the same" layer):
      input_size 8..64, hidden_size 16..256, the training length ``steps`` (10..100) and the long
      length ``long_steps`` (500 to 10,000) differ from input_size and hidden_size, so the length read
      as an input size is a count of its own; input_size != hidden_size, so a count without W_ih differs
      from one without W_hh (the checker names each); the count is not the book's;
    - UNROLL: 2..5 layers over 3..9 steps, layers != steps (so counting columns is told apart from
      counting rows); (boxes, matrices) is not the book's;
    - BIDIR: input_size 3..24, hidden_size 8..32, two layers; input_size differs from hidden_size and
      from 2 * hidden_size (layer 2's input), so each slip is told apart; not the book's;
    - MATRIX: units, steps, features and batch are four different numbers; (steps, units) is not the
      book's.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        batch, steps, _ = SHAPES_INPUT
        return {
            "SHAPES": {"batch": batch, "steps": steps, "input_size": SHAPES_SETUP["input_size"],
                       "hidden_size": SHAPES_SETUP["hidden_size"], "num_layers": SHAPES_SETUP["num_layers"]},
            "COUNT": {"input_size": COUNT_INPUT, "hidden_size": COUNT_HIDDEN, "steps": COUNT_STEPS,
                      "long_steps": COUNT_LONG_STEPS},
            "UNROLL": {"layers": UNROLL_LAYERS, "steps": UNROLL_STEPS},
            "BIDIR": {"input_size": BIDIR_INPUT, "hidden_size": BIDIR_HIDDEN, "num_layers": BIDIR_LAYERS},
            "MATRIX": {"units": MATRIX_UNITS, "steps": MATRIX_STEPS, "features": MATRIX_FEATURES,
                       "batch": MATRIX_BATCH},
        }
    return {name: draw(variants.generator(seed, f"rnn-{name.lower()}")) for name, draw in _DRAWS.items()}


def _draw_shapes(rng):
    while True:
        shapes = {"batch": int(rng.integers(2, 17)), "steps": int(rng.integers(3, 31)),
                  "input_size": int(rng.integers(2, 17)), "hidden_size": int(rng.choice([8, 12, 16, 20, 24, 32, 64])),
                  "num_layers": int(rng.choice([2, 3]))}
        book = {"batch": 4, "steps": 7, "hidden_size": 20, "num_layers": 2}
        if len(set(shapes.values())) == 5 and any(shapes[key] != value for key, value in book.items()):
            return shapes


def _draw_count(rng):
    while True:
        count = {"input_size": int(rng.integers(8, 65)),
                 "hidden_size": int(rng.choice([16, 32, 50, 64, 100, 128, 256])),
                 "steps": int(rng.integers(10, 101)),
                 "long_steps": int(rng.choice([500, 1000, 2000, 5000, 10000]))}
        sizes = (count["input_size"], count["hidden_size"])
        if count["steps"] not in sizes and len(set(sizes)) == 2 and sizes != (COUNT_INPUT, COUNT_HIDDEN):
            return count


def _draw_unroll(rng):
    while True:
        layers, steps = int(rng.integers(2, 6)), int(rng.integers(3, 10))
        if layers != steps and (layers, steps) != (UNROLL_LAYERS, UNROLL_STEPS):
            return {"layers": layers, "steps": steps}


def _draw_bidirectional(rng):
    while True:
        input_size, hidden_size = int(rng.integers(3, 25)), int(rng.choice([8, 10, 12, 16, 20, 24, 32]))
        book = (input_size, hidden_size) == (BIDIR_INPUT, BIDIR_HIDDEN)
        if input_size not in (hidden_size, 2 * hidden_size) and not book:
            return {"input_size": input_size, "hidden_size": hidden_size, "num_layers": 2}


def _draw_matrix(rng):
    while True:
        matrix = {"units": int(rng.choice([8, 16, 20, 24, 32, 48, 64, 100, 128])), "steps": int(rng.integers(10, 201)),
                  "features": int(rng.integers(2, 13)), "batch": int(rng.choice([4, 8, 16, 32, 64]))}
        if len(set(matrix.values())) == 4 and (matrix["steps"], matrix["units"]) != (MATRIX_STEPS, MATRIX_UNITS):
            return matrix



# Exercise: shapes of output and h_n ----------------------------------------------------------------

SHAPES_SETUP = {"input_size": 10, "hidden_size": 20, "num_layers": 2, "batch_first": True}
SHAPES_INPUT = (4, 7, 10)


@checker
def check_rnn_shapes(answer):
    """(output.shape, h_n.shape) of RNN(10, 20, num_layers=2, batch_first=True) on x of shape (4, 7, 10)
    (the book's sizes; the active seed's SHAPES)."""
    pair = as_tuple(answer, 2, "a pair of shapes (output_shape, h_n_shape)")
    output_shape = as_shape(pair[0], "output_shape as a tuple of whole numbers, e.g. (2, 3, 4)")
    h_n_shape = as_shape(pair[1], "h_n_shape as a tuple of whole numbers, e.g. (2, 3, 4)")
    sizes = parameters()["SHAPES"]
    batch, steps, hidden, layers = sizes["batch"], sizes["steps"], sizes["hidden_size"], sizes["num_layers"]
    layer = cells.RNN(sizes["input_size"], hidden, num_layers=layers, batch_first=True, rng=0)
    x_shape = (batch, steps, sizes["input_size"])
    output, h_n = layer.forward(np.zeros(x_shape))
    expected_output, expected_h_n = tuple(output.shape), tuple(h_n.shape)
    output_ok, h_n_ok = output_shape == expected_output, h_n_shape == expected_h_n
    if output_ok and h_n_ok:
        return right("output holds the top layer's h_t at every step; h_n holds every layer's last h_t.")
    notes = []
    if not output_ok:
        if output_shape == (steps, batch, hidden):
            notes.append("output: with batch_first=True the output is batch-first too, like the input.")
        elif output_shape == x_shape:
            notes.append("output: that is the input's shape; the output's last axis counts hidden units.")
        elif output_shape in ((batch, steps, hidden * layers), (batch, steps, 2 * hidden)):
            notes.append(
                "output: it holds only the top layer's states, so num_layers does not widen it; "
                "the last axis doubles only for a bidirectional layer."
            )
        elif output_shape == (batch, hidden):
            notes.append("output: that is one step's state; output keeps a state for every time step.")
        else:
            notes.append("output: one hidden vector per example and per time step.")
    if not h_n_ok:
        if h_n_shape == (batch, layers, hidden):
            notes.append("h_n: batch_first does not apply to h_n; its first axis is always num_layers * "
                         "num_directions.")
        elif h_n_shape == (batch, hidden) or h_n_shape == (1, batch, hidden):
            notes.append("h_n: there is one final state per layer, and this network has more than one layer.")
        elif h_n_shape == (steps, batch, hidden) or h_n_shape == (batch, steps, hidden):
            notes.append("h_n: that holds every time step; h_n is only the last step, for every layer.")
        else:
            notes.append("h_n: one final hidden vector per layer (and direction) and per example.")
    return wrong(" ".join(notes))


# Exercise: parameters of an RNN layer ------------------------------------------------------------------

COUNT_INPUT, COUNT_HIDDEN, COUNT_STEPS, COUNT_LONG_STEPS = 28, 128, 28, 1000


def _rnn_count(**kwargs):
    sizes = parameters()["COUNT"]
    return cells.count_params("rnn", sizes["input_size"], sizes["hidden_size"], **kwargs)


@checker
def check_rnn_param_count(answer):
    """Parameters of torch.nn.RNN(input_size=28, hidden_size=128) (one layer; the book's sizes, the
    active seed's COUNT)."""
    count = as_whole_number(answer, "a number of parameters")
    expected = _rnn_count().total
    sizes = parameters()["COUNT"]
    hidden = sizes["hidden_size"]
    input_weights = sizes["input_size"] * hidden
    recurrent_weights = hidden * hidden
    if count == expected:
        return right("W_ih (h x d), W_hh (h x h) and PyTorch's two bias vectors b_ih and b_hh.")
    if count == _rnn_count(convention="keras").total:
        return wrong("That is the Keras/TensorFlow count, with one bias vector. PyTorch keeps two, b_ih and "
                     "b_hh.")
    if count == input_weights + recurrent_weights:
        return wrong("You counted the weights; add the biases (PyTorch has two vectors of length h).")
    if count in (input_weights + hidden, input_weights + 2 * hidden):
        return wrong("The recurrent weights W_hh are missing: every unit reads every unit's previous state.")
    if count in (recurrent_weights + hidden, recurrent_weights + 2 * hidden):
        return wrong("The input weights W_ih are missing: every unit reads every input feature.")
    if count == 2 * expected:
        return wrong("That is twice the count: the parameters of two directions (a bidirectional layer) or of "
                     "every weight counted twice. This layer has one direction and one set of weights.")
    if count == sizes["steps"] * expected:
        return wrong("You multiplied by the time steps; one set of weights serves every step.")
    if count > expected and count % expected == 0:
        return wrong("You multiplied by something, perhaps the time steps; one set of weights serves every "
                     "step.")
    return wrong("Add up W_ih (hidden x input), W_hh (hidden x hidden), b_ih and b_hh.")


@checker
def check_params_for_long_sequences(answer):
    """Parameters of the same torch.nn.RNN(28, 128) when sequences are 1000 steps long instead of 28 (the
    book's numbers; the active seed's COUNT)."""
    count = as_whole_number(answer, "a number of parameters")
    expected = _rnn_count().total
    if count == expected:
        return right("Nothing changes: the layer reuses the same weights at every time step, however many "
                     "there are.")
    if count > expected and count % expected == 0:
        return wrong(
            "You scaled the count with the number of steps. The unrolled drawing has one copy per step, "
            "but all copies are the same weights."
        )
    if count == _rnn_count(convention="keras").total:
        return wrong("The length is irrelevant, but that is the Keras count with one bias vector; this is "
                     "torch.nn.RNN.")
    sizes = parameters()["COUNT"]
    hidden, long_steps = sizes["hidden_size"], sizes["long_steps"]
    length_as_input = (long_steps * hidden + hidden * hidden + 2 * hidden, (long_steps + hidden) * hidden)
    if count in length_as_input:
        return wrong("The sequence length is not the input size: each step still brings "
                     f"{sizes['input_size']} features.")
    return wrong("Which of the layer's weight matrices has a shape that depends on T?")


# Exercise: drawn copies versus distinct weights --------------------------------------------------------

UNROLL_LAYERS, UNROLL_STEPS = 3, 5


@checker
def check_unrolled_counts(answer):
    """(boxes in the unrolled drawing, distinct W_hh matrices) for a 3-layer RNN over 5 steps (the book's
    numbers; the active seed's UNROLL)."""
    pair = as_tuple(answer, 2, "a pair of whole numbers (boxes_drawn, distinct_recurrent_matrices)")
    boxes = as_whole_number(pair[0], "boxes_drawn")
    matrices = as_whole_number(pair[1], "distinct_recurrent_matrices")
    unroll = parameters()["UNROLL"]
    unroll_layers, unroll_steps = unroll["layers"], unroll["steps"]
    layer = cells.RNN(4, 6, num_layers=unroll_layers, rng=0)
    expected_matrices = sum(1 for name in layer.params() if name.startswith("weight_hh"))
    expected_boxes = unroll_steps * expected_matrices
    notes = []
    if boxes != expected_boxes:
        if boxes in (unroll_steps, unroll_layers):
            notes.append("boxes: the drawing has a copy for every layer at every time step.")
        else:
            notes.append("boxes: time runs across (one column per step), layers stack upward (one row each).")
    if matrices != expected_matrices:
        if matrices == expected_boxes:
            notes.append(
                "matrices: the drawn copies are not separate weights. Along a row every copy uses the same "
                "W_hh."
            )
        elif matrices == 1:
            notes.append("matrices: weights are shared across time, not across layers; each layer has its "
                         "own.")
        elif matrices == unroll_steps:
            notes.append("matrices: copies at different time steps share their weights.")
        else:
            notes.append("matrices: count the rows of the drawing, not the columns.")
    if not notes:
        return right("Many boxes, few weight matrices: a box is a layer at one time step, reusing its "
                     "layer's weights.")
    return wrong(" ".join(notes))


# Exercise: a bidirectional stack -------------------------------------------------------------------

BIDIR_INPUT, BIDIR_HIDDEN, BIDIR_LAYERS = 8, 16, 2


@checker
def check_bidirectional(answer):
    """(output's last dim, input size of layer 2, total parameters) of
    RNN(8, 16, num_layers=2, bidirectional=True) (the book's sizes; the active seed's BIDIR)."""
    names = ("output_features", "layer_2_input_size", "total_parameters")
    triple = as_tuple(answer, 3, f"three whole numbers ({', '.join(names)})")
    features, layer2_input, total = (as_whole_number(item, name)
                                     for item, name in zip(triple, names))
    sizes = parameters()["BIDIR"]
    input_size, hidden_size, num_layers = sizes["input_size"], sizes["hidden_size"], sizes["num_layers"]
    layer = cells.RNN(input_size, hidden_size, num_layers=num_layers, bidirectional=True, rng=0)
    output, _ = layer.forward(np.zeros((3, 1, input_size)))
    expected_features = int(output.shape[-1])
    expected_layer2_input = int(layer.params()["weight_ih_l1"].shape[1])
    expected_total = cells.count_params(
        "rnn", input_size, hidden_size, num_layers=num_layers, bidirectional=True
    ).total
    notes = []
    if features != expected_features:
        if features == hidden_size:
            notes.append("output: each step's output joins the forward and the backward state.")
        else:
            notes.append("output: concatenate one hidden vector per direction.")
    if layer2_input != expected_layer2_input:
        if layer2_input in (input_size, hidden_size):
            notes.append("layer 2: it reads layer 1's output, which has both directions' states side "
                         "by side.")
        else:
            notes.append("layer 2: its input at each step is layer 1's output at that step.")
    if total != expected_total:
        single = cells.count_params("rnn", input_size, hidden_size, num_layers=num_layers).total
        if total == single:
            notes.append("total: that is the unidirectional count; each direction has its own weights.")
        elif total == 2 * cells.count_params("rnn", input_size, hidden_size).total * num_layers:
            wider = 2 * hidden_size > input_size  # layer 2 reads both directions' states
            notes.append(f"total: layer 2's W_ih is {'larger' if wider else 'smaller'} than layer 1's, because its "
                         f"input is {'wider' if wider else 'narrower'}.")
        else:
            notes.append("total: count W_ih, W_hh, b_ih, b_hh for each layer and each direction.")
    if not notes:
        return right("Two directions, each with its own weights; layer 2 reads both directions' states.")
    return wrong(" ".join(notes))


# Exercise: the activation matrix --------------------------------------------------------------------

MATRIX_UNITS, MATRIX_STEPS, MATRIX_FEATURES, MATRIX_BATCH = 32, 50, 3, 16


@checker
def check_activation_matrix(answer):
    """Shape of the (time steps x units) activation matrix of one sequence: 32 units, 50 steps, 3 features
    (the book's sizes; the active seed's MATRIX)."""
    shape = as_shape(answer)
    sizes = parameters()["MATRIX"]
    layer = cells.RNN(sizes["features"], sizes["units"], batch_first=True, rng=0)
    output, _ = layer.forward(np.zeros((sizes["batch"], sizes["steps"], sizes["features"])))
    expected = tuple(output[0].shape)
    if shape == expected:
        return right("One row per time step, one column per hidden unit.")
    if shape == expected[::-1]:
        return wrong("Right numbers, other order: in this book (and in the layer's output) rows are time "
                     "steps.")
    if len(shape) == 3:
        return wrong("That shape includes the batch; the question asks for a single sequence.")
    if shape == (sizes["steps"], sizes["features"]):
        return wrong("That is the input sequence. The activations have one column per unit.")
    if sizes["units"] not in shape:
        return wrong("Which number is units? It sets the size of h_t, one column of the matrix.")
    return wrong("One axis counts time steps, the other counts hidden units.")


# Exercise: the unrolled network as a loop ----------------------------------------------------------------


def _reference_layer(rng):
    layer = cells.RNN(3, 4, rng=rng)
    return layer, layer.params()


@checker
def check_unrolled_forward(fn):
    """fn(x, weight_ih, weight_hh, bias_ih, bias_hh) -> outputs (T, B, h), matching cells.RNN."""
    as_function(fn, "unrolled_forward")
    rng = np.random.default_rng(11)
    layer, params = _reference_layer(rng)
    x = rng.standard_normal((6, 2, 3))
    expected, _ = layer.forward(x)
    args = [params[name].copy() for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    result = call_reader(fn, x.copy(), *args)
    if result is None:
        return wrong("Your function returned None: finish its body.")
    result = as_array(result, "your function to return an array")
    if result.shape != expected.shape:
        if result.shape == expected.shape[1:]:
            return wrong("You returned only one step's state. Return h_t for every t, stacked along the "
                         "first axis.")
        return wrong(f"Your outputs have shape {result.shape}; for x of shape {x.shape} they should be (T, "
                     "B, h).")
    if np.allclose(result, expected):
        return right("T layers, one set of weights: that is the unrolled RNN.")
    if np.allclose(result[0], expected[0]):
        return wrong(
            "The first step is right, later ones are not: check the recurrent term W_hh h_{t-1}. "
            "Is h_{t-1} updated after each step, and is W_hh applied like W_ih (x_t @ W.T for a batch)?"
        )
    if np.allclose(result[0], 0) and np.allclose(result[1:], expected[:-1]):
        return wrong("Off by one step: you returned h_0, ..., h_{T-1}. Row t is the state after reading x_t, so "
                     "the rows are h_1, ..., h_T (h_0 = 0 is the starting state, not an output).")
    weight_ih, weight_hh, bias_ih, bias_hh = args
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    linear = []
    for x_t in x:
        state = x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh
        linear.append(state)
    if np.allclose(result, np.stack(linear)):
        return wrong("Your states grow without bound: apply tanh at every step.")
    state = np.zeros_like(state)
    without_bias_hh = []
    for x_t in x:
        state = np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh.T)
        without_bias_hh.append(state)
    if np.allclose(result, np.stack(without_bias_hh)):
        return wrong("Almost: the bias b_hh is missing. PyTorch's layer adds two bias vectors, b_ih and b_hh.")
    return wrong("Check h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with h_0 = 0; for a batch, x_t "
                 "W_ih^T.")


_DRAWS = {"SHAPES": _draw_shapes, "COUNT": _draw_count, "UNROLL": _draw_unroll, "BIDIR": _draw_bidirectional,
          "MATRIX": _draw_matrix}
