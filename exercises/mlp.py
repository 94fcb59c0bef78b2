"""Checkers for the exercises of the chapter "From the MLP to sequences".

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
    as_number,
    as_shape,
    as_whole_number,
    call_reader,
    checker,
    right,
    wrong,
)

__all__ = [
    "parameters",
    "check_layer_output_shape",
    "check_unit_by_hand",
    "check_dense_param_count",
    "check_mlp_param_count",
    "check_dense_input_grad",
    "check_window_weights",
    "check_recurrence_step",
]


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the module's constants, the ones the chapter prints.

    What a draw (seed > 0) guarantees, besides plausible sizes (the tests check it over many seeds):

    - LAYER: in_features, out_features and batch are three different numbers from 2 to 12, so the
      input's, the weights' and the transposed shapes are all told apart from the answer;
    - DENSE: a layer of 64 to 1024 inputs and 16 to 200 units, not the book's; inputs != units, so a
      bias per input (a slip the checker names) never gives the right count;
    - UNIT: weights and inputs in halves (nonzero), a bias of 0.1 to 0.5 either sign; the
      pre-activation z has 0.4 <= |z| <= 1.6 (tanh far from both z and +-1), and the answer, tanh(z),
      is at least 0.01 away from every slip the checker names (z, tanh(z - b), z - b, sigmoid(z),
      -tanh(z)) and from the book's answer;
    - MLP_COUNT: four sizes [n0, n1, n2, n3], strictly decreasing (an input, two hidden layers, the
      classes), not the book's, so the count differs from the book's;
    - WINDOW: T = 8..40 steps, d = 2..8 features, 16 to 128 units; T * d != d + units, so the
      flattened layer's weights are never the recurrent layer's count; the count is not the book's;
    - RECURRENCE: b_ih stays 0 (the text says so); the pre-activation z has 0.4 <= |z| <= 1.6, and
      h_t is at least 0.01 away from each slip (z, the state without W_hh h_{t-1}, without b_hh) and
      from the book's h_t.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"LAYER": {"in_features": LAYER_IN, "out_features": LAYER_OUT, "batch": LAYER_BATCH},
                "DENSE": {"in_features": DENSE_IN, "out_features": DENSE_OUT},
                "UNIT": {"weights": UNIT_WEIGHTS, "bias": UNIT_BIAS, "x": UNIT_INPUT},
                "MLP_COUNT": dict(zip(("n0", "n1", "n2", "n3"), MLP_SIZES)),
                "WINDOW": {"steps": WINDOW_STEPS, "features": WINDOW_FEATURES, "units": WINDOW_UNITS},
                "RECURRENCE": dict(STEP_VALUES)}
    rng = variants.generator(seed, "mlp")
    layer_in, layer_out, batch = rng.choice(np.arange(2, 13), size=3, replace=False)  # three distinct axes
    return {"LAYER": {"in_features": int(layer_in), "out_features": int(layer_out), "batch": int(batch)},
            "DENSE": _draw_dense(rng),
            "UNIT": _draw_unit(variants.generator(seed, "mlp-unit")),
            "MLP_COUNT": _draw_mlp_sizes(variants.generator(seed, "mlp-count")),
            "WINDOW": _draw_window(variants.generator(seed, "mlp-window")),
            "RECURRENCE": _draw_recurrence(variants.generator(seed, "mlp-recurrence"))}


def _pick(rng, values):
    return float(rng.choice(values))


def _apart(value, others, gap=0.01):
    return all(abs(value - other) >= gap for other in others)


def _draw_dense(rng):
    while True:
        dense_in = int(rng.choice([64, 100, 256, 300, 512, 784, 1024]))
        dense_out = int(rng.choice([16, 32, 50, 64, 100, 128, 200]))
        if dense_in != dense_out and (dense_in, dense_out) != (DENSE_IN, DENSE_OUT):
            return {"in_features": dense_in, "out_features": dense_out}


def _draw_unit(rng):
    halves = [-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0]
    book = np.tanh(np.dot(UNIT_WEIGHTS, UNIT_INPUT) + UNIT_BIAS)
    while True:
        weights = tuple(_pick(rng, halves) for _ in range(3))
        x = tuple(_pick(rng, halves) for _ in range(3))
        bias = _pick(rng, [-0.5, -0.3, -0.2, -0.1, 0.1, 0.2, 0.3, 0.5])
        z = float(np.dot(weights, x)) + bias
        answer = np.tanh(z)
        slips = (z, np.tanh(z - bias), z - bias, 1 / (1 + np.exp(-z)), -answer, book)
        if 0.4 <= abs(z) <= 1.6 and _apart(answer, slips):
            return {"weights": weights, "bias": bias, "x": x}


def _draw_mlp_sizes(rng):
    while True:
        sizes = (int(rng.choice([100, 256, 300, 512, 784, 1024])), int(rng.choice([64, 96, 128, 200, 256])),
                 int(rng.choice([16, 32, 48, 64])), int(rng.choice([2, 3, 5, 10, 26])))
        if all(a > b for a, b in zip(sizes, sizes[1:])) and sizes != MLP_SIZES:
            return dict(zip(("n0", "n1", "n2", "n3"), sizes))


def _draw_window(rng):
    while True:
        steps, features = int(rng.integers(8, 41)), int(rng.integers(2, 9))
        units = int(rng.choice([16, 32, 48, 64, 100, 128]))
        book = WINDOW_STEPS * WINDOW_FEATURES * WINDOW_UNITS
        if steps * features != features + units and steps * features * units != book:
            return {"steps": steps, "features": features, "units": units}


def _draw_recurrence(rng):
    book = np.tanh(STEP_VALUES["weight_ih"] * STEP_VALUES["x"] + STEP_VALUES["weight_hh"] * STEP_VALUES["h_prev"]
                   + STEP_VALUES["bias_hh"])
    while True:
        values = {"weight_ih": _pick(rng, [-1.0, -0.5, 0.5, 1.0, 1.5]), "bias_ih": 0.0,
                  "weight_hh": _pick(rng, [-0.8, -0.5, 0.5, 0.7, 0.8, 0.9, 1.2]),
                  "bias_hh": _pick(rng, [-0.3, -0.2, -0.1, 0.1, 0.2, 0.3]),
                  "h_prev": _pick(rng, [-0.8, -0.6, -0.5, -0.4, -0.2, 0.2, 0.4, 0.5, 0.6, 0.8]),
                  "x": _pick(rng, [-1.0, 0.5, 1.0, 2.0])}
        memory = values["weight_hh"] * values["h_prev"]
        z = values["weight_ih"] * values["x"] + memory + values["bias_hh"]
        answer = np.tanh(z)
        slips = (z, np.tanh(z - memory), np.tanh(z - values["bias_hh"]), book)
        if 0.4 <= abs(z) <= 1.6 and _apart(answer, slips):
            return values


def _param_total(layer):
    return int(sum(np.asarray(value).size for value in layer.params().values()))


# Exercise: the shape of a dense layer's output ---------------------------------------

LAYER_IN, LAYER_OUT, LAYER_BATCH = 5, 3, 8


@checker
def check_layer_output_shape(answer):
    """cells.Dense(in_features=5, out_features=3) receives a batch of 8 inputs: output shape? (The book's
    sizes; the active seed's LAYER.)"""
    sizes = parameters()["LAYER"]
    layer_in, layer_out, batch = sizes["in_features"], sizes["out_features"], sizes["batch"]
    layer = cells.Dense(layer_in, layer_out, rng=0)
    expected = tuple(layer.forward(np.zeros((batch, layer_in))).shape)
    shape = as_shape(answer)
    if shape == expected:
        return right("One row per example in the batch, one column per unit of the layer.")
    if len(shape) != 2:
        return wrong(
            f"You gave {len(shape)} axes. A dense layer applied to a batch returns two axes: "
            "the batch axis and one axis for the layer's units."
        )
    if shape == expected[::-1]:
        return wrong("The right numbers in the wrong order: the batch axis comes first, as in PyTorch.")
    if shape == (batch, layer_in):
        return wrong(
            "That is the shape of the input. Each unit of the layer turns the whole input vector "
            "into one number, so the second axis counts the layer's units."
        )
    if shape == (layer_out, layer_in) or shape == (layer_in, layer_out):
        return wrong("That is the shape of the weight matrix, not of what the layer outputs for a batch.")
    return wrong("Check the two axes: how many examples are in the batch, and how many units does the layer "
                 "have?")


# Exercise: one unit by hand -------------------------------------------------------------

# The two by-hand exercises ask for three decimal places: a correct answer rounded to them is at most 5e-4 off.
# One rounded to two decimals (up to 5e-3 off) has the right method and too little precision; every slip a
# checker names lies at least 0.01 from the answer (see `parameters`), so the two bands never meet a slip.
BY_HAND_TOLERANCE = 1e-3
BY_HAND_ROUNDED = 5e-3 + 1e-9
ROUND_LESS = ("Your method is right, but the number is rounded too far: round less. The exercise asks for three "
              "decimal places; keep every digit until tanh, then round once.")
NOT_THREE_DECIMALS = ("Close, but not correct to three decimals: recompute, keeping every digit until tanh, then "
                      "round once to three decimal places.")


def _near_miss(value, expected):
    """The feedback for an answer that is off by more than BY_HAND_TOLERANCE but within BY_HAND_ROUNDED, or None.

    Only an answer with two decimals or fewer was rounded too far; one with three that misses is simply
    inaccurate (-0.381, 0.813), and "round less" would send its reader the wrong way."""
    if abs(value - expected) > BY_HAND_ROUNDED:
        return None
    return ROUND_LESS if round(value, 2) == value else NOT_THREE_DECIMALS

UNIT_WEIGHTS = (0.5, -1.0, 2.0)
UNIT_BIAS = 0.1
UNIT_INPUT = (1.0, 2.0, 0.5)


def _unit_layer(unit, bias=True):
    layer = cells.Dense(len(unit["weights"]), 1, bias=bias, rng=0)
    layer.weight[...] = np.array([unit["weights"]])
    if bias:
        layer.bias[...] = unit["bias"]
    return layer


def _unit_pre_activation(unit, bias=True):
    return float(_unit_layer(unit, bias).forward(np.array([unit["x"]]))[0, 0])


@checker
def check_unit_by_hand(answer):
    """The output of one tanh unit with w = (0.5, -1, 2), b = 0.1 on x = (1, 2, 0.5) (the book's numbers;
    the active seed's UNIT), to three decimal places; two decimals are told to round less, three that miss
    to recompute."""
    value = as_number(answer, "the unit's output")
    unit = parameters()["UNIT"]
    pre_activation = _unit_pre_activation(unit)
    expected = float(np.tanh(pre_activation))

    def close(target):
        return abs(value - target) < BY_HAND_TOLERANCE

    if close(expected):
        return right("Weighted sum, plus bias, through tanh.")
    near_miss = _near_miss(value, expected)
    if near_miss:
        return wrong(near_miss)
    if close(pre_activation):
        return wrong("That is the weighted sum plus bias (the pre-activation). The unit still applies tanh "
                     "to it.")
    if close(np.tanh(_unit_pre_activation(unit, bias=False))):
        return wrong("You applied tanh to the weighted sum, but the bias is missing.")
    if close(_unit_pre_activation(unit, bias=False)):
        return wrong("That is the weighted sum alone: add the bias, then apply tanh.")
    if close(1.0 / (1.0 + np.exp(-pre_activation))):
        return wrong("That is the logistic sigmoid of the pre-activation; this unit uses tanh.")
    if close(-expected):
        return wrong("The size is right but the sign is not: recheck the sign of each product w_k x_k.")
    return wrong("Compute w_1 x_1 + w_2 x_2 + w_3 x_3 + b first, then apply tanh to that number.")


# Exercise: parameters of one dense layer ----------------------------------------------------

DENSE_IN, DENSE_OUT = 784, 128


@checker
def check_dense_param_count(answer):
    """Number of parameters of cells.Dense(784, 128) (the same as torch.nn.Linear(784, 128)); the book's
    sizes, the active seed's DENSE."""
    sizes = parameters()["DENSE"]
    dense_in, dense_out = sizes["in_features"], sizes["out_features"]
    count = as_whole_number(answer, "a number of parameters")
    expected = _param_total(cells.Dense(dense_in, dense_out, rng=0))
    weights = dense_in * dense_out
    if count == expected:
        return right("A weight for every (unit, input) pair and one bias per unit.")
    if count == weights:
        return wrong("You counted the weights. Each unit also has a bias.")
    if count == weights + dense_in:
        return wrong("There is one bias per unit (per output), not one per input.")
    if count == dense_in + dense_out or count == dense_in + 2 * dense_out:
        return wrong("The weights form a matrix: every unit has its own weight for every input.")
    return wrong("Count the weight matrix (units x inputs), then the bias vector.")


# Exercise: parameters of an MLP ---------------------------------------------------------------

MLP_SIZES = (784, 128, 64, 10)


@checker
def check_mlp_param_count(answer):
    """Number of parameters of cells.MLP([784, 128, 64, 10]) (the book's sizes; the active seed's
    MLP_COUNT)."""
    count = as_whole_number(answer, "a number of parameters")
    sizes = list(parameters()["MLP_COUNT"].values())
    expected = _param_total(cells.MLP(sizes, rng=0))
    pairs = list(zip(sizes[:-1], sizes[1:]))
    weights = sum(n_in * n_out for n_in, n_out in pairs)
    first_layer = sizes[0] * sizes[1] + sizes[1]
    if count == expected:
        return right(f"{len(pairs)} dense layers, each with its weight matrix and bias vector.")
    if count == weights:
        return wrong("Those are the weights of all layers; add one bias per unit in every layer.")
    if count == first_layer:
        return wrong("That is only the first layer. The MLP has a dense layer between every pair of sizes.")
    if count == weights + sum(sizes):
        return wrong("The input vector has no biases: only the units of each layer do.")
    if count == weights + sum(sizes[:-1]):
        return wrong("Biases belong to the units a layer computes (its outputs), not to its inputs.")
    return wrong(
        f"The sizes {sizes} describe {len(pairs)} dense layers. "
        "Count weights and biases of each, then add them up."
    )


# Exercise: the gradient a dense layer passes down ------------------------------------------------


@checker
def check_dense_input_grad(fn):
    """fn(d_output, weight) -> dL/dx for a batch, as a dense layer's backward pass computes it."""
    as_function(fn, "dense_input_grad")
    rng = np.random.default_rng(7)
    batch, n_in, n_out = 4, 5, 3
    layer = cells.Dense(n_in, n_out, rng=rng)
    x = rng.standard_normal((batch, n_in))
    layer.forward(x)
    d_output = rng.standard_normal((batch, n_out))
    expected, _ = layer.backward(d_output)
    result = call_reader(fn, d_output.copy(), layer.weight.copy())
    if result is None:
        return wrong("Your function returned None: finish its body.")
    result = as_array(result, "your function to return an array")
    if result.shape != expected.shape:
        if result.shape == (n_in, n_out) or result.shape == (n_out, n_in):
            return wrong(
                f"Your result has shape {result.shape}, the shape of the weight matrix; dL/dx "
                f"has one row per example, like x: {expected.shape} here (batch {batch}, {n_in} inputs)."
            )
        if result.shape == d_output.shape:
            return wrong("Your result has the shape of dL/dy. dL/dx must have the shape of x.")
        return wrong(f"Your result has shape {result.shape}; dL/dx has the shape of x, "
                     f"{expected.shape} here.")
    if np.allclose(result, expected):
        return right("Each input receives the error of every unit, weighted by that unit's weight on it.")
    if np.allclose(result, -expected):
        return wrong("Right up to the sign: the backward pass of y = x W^T + b has no minus sign.")
    return wrong("Write y = x W^T + b for the batch and differentiate with respect to x. Which matrix "
                 "multiplies d_output?")


# Exercise: an MLP over a window of time steps ---------------------------------------------------------

WINDOW_STEPS, WINDOW_FEATURES, WINDOW_UNITS = 20, 3, 64


@checker
def check_window_weights(answer):
    """First-layer weights (not biases) of an MLP reading a flattened window of 20 steps x 3 features
    with 64 units (the book's sizes; the active seed's WINDOW). Not the 3 x 64 input weights a layer
    reusing its weights at every step would need."""
    count = as_whole_number(answer, "a number of weights")
    window = parameters()["WINDOW"]
    steps, features, units = window["steps"], window["features"], window["units"]
    first_layer = cells.Dense(steps * features, units, rng=0)
    expected = int(first_layer.weight.size)
    if count == expected:
        return right("Every unit has its own weight for every feature at every position of the window.")
    if count == expected + units:
        return wrong("That includes the biases; the question asks for the weights only.")
    if count == cells.count_params("rnn", features, units, bias=False).total:
        return wrong("That counts a recurrent layer's weights, W_ih and W_hh. The question is about the MLP "
                     "that reads the whole window at once: the weights of its first layer.")
    if count == features * units:
        return wrong(
            "That would be true if the layer reused the same weights at every time step. "
            "A dense layer on the flattened window has separate weights for each position."
        )
    if count == steps * units:
        return wrong("Each time step contributes several features, and each feature gets its own weight.")
    return wrong("Flatten the window first: how long is the input vector? Then every unit has one weight per "
                 "input.")


# Exercise: one step of the recurrence -------------------------------------------------------------------

STEP_VALUES = {"weight_ih": 0.5, "bias_ih": 0.0, "weight_hh": 0.9, "bias_hh": 0.1, "h_prev": 0.6, "x": 1.0}


def _recurrence_step(values, weight_hh=None, nonlinearity="tanh"):
    cell = cells.RNNCell(1, 1, nonlinearity=nonlinearity, rng=0)
    cell.weight_ih[...] = values["weight_ih"]
    cell.bias_ih[...] = values["bias_ih"]
    cell.weight_hh[...] = values["weight_hh"] if weight_hh is None else weight_hh
    cell.bias_hh[...] = values["bias_hh"]
    h_prev = np.array([[values["h_prev"]]])
    h_new, _ = cell.step(np.array([[values["x"]]]), h_prev)
    return float(np.asarray(h_new).reshape(-1)[0])


@checker
def check_recurrence_step(answer):
    """h_t for one hidden unit: W_ih=0.5, b_ih=0, W_hh=0.9, b_hh=0.1, h_{t-1}=0.6, x_t=1 (the book's
    numbers; the active seed's RECURRENCE), to three decimal places. An answer within BY_HAND_TOLERANCE
    passes; one rounded to two decimals is told to round less, one with three decimals that misses (0.813)
    to recompute."""
    value = as_number(answer, "h_t")
    values = parameters()["RECURRENCE"]
    expected = _recurrence_step(values)

    def close(target):
        return abs(value - target) < BY_HAND_TOLERANCE

    if close(expected):
        return right("The new state mixes the input with the previous state, then squashes the sum "
                     "with tanh.")
    near_miss = _near_miss(value, expected)
    if near_miss:
        return wrong(near_miss)
    if close(_recurrence_step(values, nonlinearity="identity")):
        return wrong("That is the sum inside the brackets; h_t is tanh of it.")
    if close(_recurrence_step(values, weight_hh=0.0)):
        return wrong("You left out the previous state: the term W_hh h_{t-1} is what carries memory forward.")
    if close(np.tanh(values["weight_ih"] * values["x"] + values["bias_ih"] + values["weight_hh"] * values["h_prev"])):
        return wrong("Almost: the bias b_hh is missing.")
    return wrong("Compute W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, then apply tanh.")
