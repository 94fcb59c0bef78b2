"""Checkers for the exercises of the chapter "Recurrent networks".

Each ``check_<name>(answer)`` prints feedback that points at the specific slip a reader
made and returns True or False. Reference answers are computed with ``cells``; the
feedback never prints them.
"""

import numpy as np

import cells

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
    "check_rnn_shapes",
    "check_rnn_param_count",
    "check_params_for_long_sequences",
    "check_unrolled_counts",
    "check_bidirectional",
    "check_activation_matrix",
    "check_unrolled_forward",
]


# Exercise: shapes of output and h_n ----------------------------------------------------------------

SHAPES_SETUP = {"input_size": 10, "hidden_size": 20, "num_layers": 2, "batch_first": True}
SHAPES_INPUT = (4, 7, 10)


@checker
def check_rnn_shapes(answer):
    """(output.shape, h_n.shape) of RNN(10, 20, num_layers=2, batch_first=True) on x of shape (4, 7, 10)."""
    pair = as_tuple(answer, 2, "a pair of shapes (output_shape, h_n_shape)")
    output_shape = as_shape(pair[0], "output_shape as a tuple of whole numbers, e.g. (2, 3, 4)")
    h_n_shape = as_shape(pair[1], "h_n_shape as a tuple of whole numbers, e.g. (2, 3, 4)")
    layer = cells.RNN(**SHAPES_SETUP, rng=0)
    output, h_n = layer.forward(np.zeros(SHAPES_INPUT))
    expected_output, expected_h_n = tuple(output.shape), tuple(h_n.shape)
    batch, steps, _ = SHAPES_INPUT
    hidden, layers = SHAPES_SETUP["hidden_size"], SHAPES_SETUP["num_layers"]
    output_ok, h_n_ok = output_shape == expected_output, h_n_shape == expected_h_n
    if output_ok and h_n_ok:
        return right("output holds the top layer's h_t at every step; h_n holds every layer's last h_t.")
    notes = []
    if not output_ok:
        if output_shape == (steps, batch, hidden):
            notes.append("output: with batch_first=True the output is batch-first too, like the input.")
        elif output_shape == SHAPES_INPUT:
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

COUNT_INPUT, COUNT_HIDDEN, COUNT_STEPS = 28, 128, 28


def _rnn_count(**kwargs):
    return cells.count_params("rnn", COUNT_INPUT, COUNT_HIDDEN, **kwargs)


@checker
def check_rnn_param_count(answer):
    """Parameters of torch.nn.RNN(input_size=28, hidden_size=128) (one layer)."""
    count = as_whole_number(answer, "a number of parameters")
    expected = _rnn_count().total
    input_weights = COUNT_INPUT * COUNT_HIDDEN
    recurrent_weights = COUNT_HIDDEN * COUNT_HIDDEN
    if count == expected:
        return right("W_ih (h x d), W_hh (h x h) and PyTorch's two bias vectors b_ih and b_hh.")
    if count == _rnn_count(convention="keras").total:
        return wrong("That is the Keras/TensorFlow count, with one bias vector. PyTorch keeps two, b_ih and "
                     "b_hh.")
    if count == input_weights + recurrent_weights:
        return wrong("You counted the weights; add the biases (PyTorch has two vectors of length h).")
    if count in (input_weights + COUNT_HIDDEN, input_weights + 2 * COUNT_HIDDEN):
        return wrong("The recurrent weights W_hh are missing: every unit reads every unit's previous state.")
    if count in (recurrent_weights + COUNT_HIDDEN, recurrent_weights + 2 * COUNT_HIDDEN):
        return wrong("The input weights W_ih are missing: every unit reads every input feature.")
    if count > expected and count % expected == 0:
        return wrong("You multiplied by something, perhaps the time steps; one set of weights serves every "
                     "step.")
    return wrong("Add up W_ih (hidden x input), W_hh (hidden x hidden), b_ih and b_hh.")


@checker
def check_params_for_long_sequences(answer):
    """Parameters of the same torch.nn.RNN(28, 128) when sequences are 1000 steps long instead of 28."""
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
    length_as_input = (1000 * COUNT_HIDDEN + COUNT_HIDDEN * COUNT_HIDDEN + 2 * COUNT_HIDDEN,
                       (1000 + COUNT_HIDDEN) * COUNT_HIDDEN)
    if count in length_as_input:
        return wrong("The sequence length is not the input size: each step still brings 28 features.")
    return wrong("Which of the layer's weight matrices has a shape that depends on T?")


# Exercise: drawn copies versus distinct weights --------------------------------------------------------

UNROLL_LAYERS, UNROLL_STEPS = 3, 5


@checker
def check_unrolled_counts(answer):
    """(boxes in the unrolled drawing, distinct W_hh matrices) for a 3-layer RNN over 5 steps."""
    pair = as_tuple(answer, 2, "a pair of whole numbers (boxes_drawn, distinct_recurrent_matrices)")
    boxes = as_whole_number(pair[0], "boxes_drawn")
    matrices = as_whole_number(pair[1], "distinct_recurrent_matrices")
    layer = cells.RNN(4, 6, num_layers=UNROLL_LAYERS, rng=0)
    expected_matrices = sum(1 for name in layer.params() if name.startswith("weight_hh"))
    expected_boxes = UNROLL_STEPS * expected_matrices
    notes = []
    if boxes != expected_boxes:
        if boxes in (UNROLL_STEPS, UNROLL_LAYERS):
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
        elif matrices == UNROLL_STEPS:
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
    RNN(8, 16, num_layers=2, bidirectional=True)."""
    names = ("output_features", "layer_2_input_size", "total_parameters")
    triple = as_tuple(answer, 3, f"three whole numbers ({', '.join(names)})")
    features, layer2_input, total = (as_whole_number(item, name)
                                     for item, name in zip(triple, names))
    layer = cells.RNN(BIDIR_INPUT, BIDIR_HIDDEN, num_layers=BIDIR_LAYERS, bidirectional=True, rng=0)
    output, _ = layer.forward(np.zeros((3, 1, BIDIR_INPUT)))
    expected_features = int(output.shape[-1])
    expected_layer2_input = int(layer.params()["weight_ih_l1"].shape[1])
    expected_total = cells.count_params(
        "rnn", BIDIR_INPUT, BIDIR_HIDDEN, num_layers=BIDIR_LAYERS, bidirectional=True
    ).total
    notes = []
    if features != expected_features:
        if features == BIDIR_HIDDEN:
            notes.append("output: each step's output joins the forward and the backward state.")
        else:
            notes.append("output: concatenate one hidden vector per direction.")
    if layer2_input != expected_layer2_input:
        if layer2_input in (BIDIR_INPUT, BIDIR_HIDDEN):
            notes.append("layer 2: it reads layer 1's output, which has both directions' states side "
                         "by side.")
        else:
            notes.append("layer 2: its input at each step is layer 1's output at that step.")
    if total != expected_total:
        single = cells.count_params("rnn", BIDIR_INPUT, BIDIR_HIDDEN, num_layers=BIDIR_LAYERS).total
        if total == single:
            notes.append("total: that is the unidirectional count; each direction has its own weights.")
        elif total == 2 * cells.count_params("rnn", BIDIR_INPUT, BIDIR_HIDDEN).total * BIDIR_LAYERS:
            notes.append("total: layer 2's W_ih is larger than layer 1's, because its input is wider.")
        else:
            notes.append("total: count W_ih, W_hh, b_ih, b_hh for each layer and each direction.")
    if not notes:
        return right("Two directions, each with its own weights; layer 2 reads both directions' states.")
    return wrong(" ".join(notes))


# Exercise: the activation matrix --------------------------------------------------------------------

MATRIX_UNITS, MATRIX_STEPS, MATRIX_FEATURES, MATRIX_BATCH = 32, 50, 3, 16


@checker
def check_activation_matrix(answer):
    """Shape of the (time steps x units) activation matrix of one sequence: 32 units, 50 steps, 3 features."""
    shape = as_shape(answer)
    layer = cells.RNN(MATRIX_FEATURES, MATRIX_UNITS, batch_first=True, rng=0)
    output, _ = layer.forward(np.zeros((MATRIX_BATCH, MATRIX_STEPS, MATRIX_FEATURES)))
    expected = tuple(output[0].shape)
    if shape == expected:
        return right("One row per time step, one column per hidden unit.")
    if shape == expected[::-1]:
        return wrong("Right numbers, other order: in this book (and in the layer's output) rows are time "
                     "steps.")
    if len(shape) == 3:
        return wrong("That shape includes the batch; the question asks for a single sequence.")
    if shape == (MATRIX_STEPS, MATRIX_FEATURES):
        return wrong("That is the input sequence. The activations have one column per unit.")
    if MATRIX_UNITS not in shape:
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
    weight_ih, weight_hh, bias_ih, bias_hh = args
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    linear = []
    for x_t in x:
        state = x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh
        linear.append(state)
    if np.allclose(result, np.stack(linear)):
        return wrong("Your states grow without bound: apply tanh at every step.")
    return wrong("Check h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with h_0 = 0; for a batch, x_t "
                 "W_ih^T.")
