"""Checkers for the exercises of the LSTM chapter (chapters/lstm.ipynb).

Each ``check_<name>(answer)`` prints feedback that says *why* an answer is wrong
(never the solution) and returns True or False. Reference answers come from the
``cells`` library, never from a second implementation of the maths here.
Input that is not an answer at all (a string for a number, a missing gate)
raises ValueError naming what was expected and what was given.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

import cells

from ._answers import finite_number

__all__ = [
    "ONE_STEP",
    "HALF_LIFE_STEPS",
    "BIAS_GAIN_STEPS",
    "TORCH_COUNT_SIZES",
    "STACKED_SIZES",
    "OVERWRITE_MEMORY",
    "check_one_step_by_hand",
    "check_forget_gate_half_life",
    "check_forget_bias_gain",
    "check_param_count_torch",
    "check_param_count_stacked",
    "check_gate_recipe_overwrite",
    "check_lstm_step",
    "check_coupled_gates_step",
]

# The numbers each exercise gives the reader. The chapter's exercise texts quote them.
ONE_STEP = {"c_prev": 2.0, "i": 0.9, "f": 0.5, "g": -0.6, "o": 0.8}
HALF_LIFE_STEPS = 50
BIAS_GAIN_STEPS = 50
TORCH_COUNT_SIZES = {"input_size": 40, "hidden_size": 256}
STACKED_SIZES = {"input_size": 13, "hidden_size": 100, "num_layers": 2}
OVERWRITE_MEMORY = {"c_prev": 0.8, "g": -0.5, "tolerance": 0.05}

_RIGHT = "Correct! "
_WRONG = "Not yet. "


def _report(ok: bool, message: str) -> bool:
    first_word = message.split(maxsplit=1)[0].strip(",.;:")
    if "_" not in first_word and len(first_word) > 1:  # "c_t is ...", "h and c ..." keep their symbol
        message = message[:1].upper() + message[1:]
    # Wrapped, so that the feedback reads without scrolling in a notebook and on the page.
    print(textwrap.fill((_RIGHT if ok else _WRONG) + message, width=76))
    return ok


def _close(a: float, b: float, rel: float = 1e-3, abs_tol: float = 1e-3) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _state_update(c_prev, i, f, g, o):
    """cells' pointwise update on scalars; returns python floats (c, h)."""
    c, h = cells.lstm_state_update(*(np.asarray(v, dtype=float) for v in (c_prev, i, f, g, o)))
    return float(c), float(h)


def _carried_fraction(forget_gate: float, steps: int) -> float:
    """What is left of a unit memory after `steps` steps with the input gate shut, run through cells."""
    c = 1.0
    for _ in range(steps):
        c, _h = _state_update(c, 0.0, forget_gate, 0.0, 1.0)
    return c


# ---------------------------------------------------------------- exercise: one step by hand
def check_one_step_by_hand(answer) -> bool:
    """answer = (c_t, h_t) for the gate values in ONE_STEP, to 3 decimals."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ValueError(f"expected a pair (c_t, h_t), got {type(answer).__name__}: {answer!r}")
    c_ans = finite_number(answer[0], "c_t")
    h_ans = finite_number(answer[1], "h_t")
    s = ONE_STEP
    c_ref, h_ref = _state_update(s["c_prev"], s["i"], s["f"], s["g"], s["o"])

    if _close(c_ans, c_ref) and _close(h_ans, h_ref):
        return _report(True, "c_t keeps half the old memory and adds the gated candidate; h_t reads tanh(c_t) through the output gate.")
    if not _close(c_ans, c_ref):
        swapped, _ = _state_update(s["c_prev"], s["f"], s["i"], s["g"], s["o"])
        no_input_gate, _ = _state_update(s["c_prev"], 1.0, s["f"], s["g"], s["o"])
        no_forget_gate, _ = _state_update(s["c_prev"], s["i"], 1.0, s["g"], s["o"])
        if _close(c_ans, swapped):
            return _report(False, "your c_t looks like f and i swapped places: the forget gate f multiplies the old memory "
                                  "c_{t-1}, the input gate i multiplies the candidate g_t.")
        if _close(c_ans, no_input_gate):
            return _report(False, "your c_t adds the whole candidate g_t; the input gate i_t scales it first (i_t * g_t).")
        if _close(c_ans, no_forget_gate):
            return _report(False, "your c_t keeps all of c_{t-1}; the forget gate f_t scales the old memory first (f_t * c_{t-1}).")
        return _report(False, "c_t is off. It is the old memory scaled by the forget gate plus the candidate scaled by the "
                              "input gate, all elementwise.")
    # c_t is right, h_t is not
    o, c_prev = s["o"], s["c_prev"]
    if _close(h_ans, o * c_ref):
        return _report(False, "c_t is right. For h_t you multiplied o_t by c_t directly; the cell state is squashed by tanh first.")
    if _close(h_ans, math.tanh(o * c_ref)):
        return _report(False, "c_t is right. For h_t you applied tanh after the output gate; tanh acts on c_t, then o_t scales it.")
    if _close(h_ans, o * math.tanh(c_prev)):
        return _report(False, "c_t is right. For h_t you read the old memory c_{t-1}; the output reads the new cell state c_t.")
    if _close(h_ans, math.tanh(c_ref)):
        return _report(False, "c_t is right. For h_t you left out the output gate o_t.")
    return _report(False, "c_t is right, h_t is not: h_t = o_t * tanh(c_t). Check your tanh (radians, not degrees).")


# ---------------------------------------------------------------- exercise: half-life of a memory
def check_forget_gate_half_life(answer) -> bool:
    """answer = the smallest constant forget gate that keeps half a memory over HALF_LIFE_STEPS steps."""
    f = finite_number(answer, "the forget-gate value")
    steps = HALF_LIFE_STEPS
    if not 0.0 <= f <= 1.0:
        return _report(False, f"a forget gate is a sigmoid output, between 0 and 1; you gave {f:g}.")
    # The smallest f with f**steps >= 1/2, found by running the cell (bisection on cells' own update).
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        if _carried_fraction(mid, steps) >= 0.5:
            high = mid
        else:
            low = mid
    smallest = high
    if abs(f - smallest) <= 5e-4:
        return _report(True, f"with this forget gate about half the memory survives {steps} steps: a gate that looks "
                             "almost fully open still loses half in a few dozen steps.")
    kept = _carried_fraction(f, steps)
    if _close(f, 1.0 - 1.0 / steps, rel=0, abs_tol=2e-4):
        return _report(False, f"1 - 1/{steps} is a linear guess. The forget gate multiplies the memory once per step, so "
                              f"the factors compound: with f = {f:g} only {100 * kept:.1f}% is left after {steps} steps.")
    if _close(f, 0.5 / steps, rel=0, abs_tol=1e-4) or _close(f, 0.5, rel=0, abs_tol=1e-4):
        return _report(False, f"with f = {f:g} the memory is multiplied by {f:g} at every step, so after {steps} steps "
                              f"{100 * kept:.2g}% of it is left. Half must survive all {steps} multiplications together.")
    if kept < 0.5:
        return _report(False, f"with f = {f:g} only {100 * kept:.1f}% of the memory is left after {steps} steps: "
                              "the gate must be more open.")
    return _report(False, f"with f = {f:g}, {100 * kept:.1f}% of the memory is left after {steps} steps, more than half; "
                          "the exercise asks for the smallest such gate.")


# ---------------------------------------------------------------- exercise: the forget-bias gain
def check_forget_bias_gain(answer) -> bool:
    """answer = by what factor a forget bias of +1 (instead of 0) multiplies the gradient carried
    along the cell state over BIAS_GAIN_STEPS steps, when the rest of the forget pre-activation is 0."""
    gain = finite_number(answer, "the gain factor")
    steps = BIAS_GAIN_STEPS
    with_bias = _carried_fraction(_sigmoid(1.0), steps)
    without_bias = _carried_fraction(_sigmoid(0.0), steps)
    reference = with_bias / without_bias
    if gain > 0 and abs(math.log(gain) - math.log(reference)) < 0.02:
        return _report(True, "the gain is about "
                             f"10^{math.log10(reference):.0f}: a small shift in each forget gate, compounded over {steps} steps.")
    if gain <= 0:
        return _report(False, "the gain is a ratio of two positive gradients, so it is positive.")
    one_step = _sigmoid(1.0) / _sigmoid(0.0)
    double_bias = _carried_fraction(_sigmoid(2.0), steps) / without_bias
    hints = [
        (with_bias, "that is the fraction carried with bias +1 alone; the exercise asks how many times larger it is than with bias 0."),
        (without_bias, "that is the fraction carried with bias 0; the exercise asks for the ratio of bias +1 to bias 0."),
        (1.0 / reference, "you divided the wrong way round: the bias makes the carried gradient larger, so the gain is above 1."),
        (one_step, "that is the gain of a single step. Along the cell state the forget gates multiply, once per step."),
        (steps * one_step, f"the per-step gains multiply, they do not add: {steps} steps give a power, not a product with {steps}."),
        (1.0 + steps * (one_step - 1.0), "that is a linear approximation; the per-step gains compound."),
        (double_bias, "that is the gain for a bias of +2, which is what you get by adding 1 to both of PyTorch's bias vectors "
                      "(bias_ih and bias_hh). The exercise adds +1 to the pre-activation once."),
        (math.exp(steps), "the bias shifts the pre-activation, not the gate: the gate becomes sigmoid(1), not e times larger."),
    ]
    for value, message in hints:
        if value > 0 and abs(math.log(gain) - math.log(value)) < 0.02:
            return _report(False, message)
    direction = "too small" if gain < reference else "too large"
    return _report(False, f"{gain:.3g} is {direction}. Compare the forget gate with and without the bias, then follow the "
                          f"gradient through {steps} steps of c_t = f_t * c_(t-1) + ...")


# ---------------------------------------------------------------- exercise: counting parameters (PyTorch)
def _count(kind, input_size, hidden_size, **kwargs) -> int:
    return int(cells.count_params(kind, input_size, hidden_size, **kwargs).total)


def _integer(answer, what: str) -> int:
    value = finite_number(answer, what)
    if value != int(value):
        raise ValueError(f"expected {what} as a whole number, got {answer!r}")
    return int(value)


def check_param_count_torch(answer) -> bool:
    """answer = number of parameters of torch.nn.LSTM(input_size=40, hidden_size=256)."""
    n = _integer(answer, "a parameter count")
    d, h = TORCH_COUNT_SIZES["input_size"], TORCH_COUNT_SIZES["hidden_size"]
    reference = _count("lstm", d, h, convention="torch")
    if n == reference:
        return _report(True, "four gate blocks, each with weights on x_t and on h_(t-1), plus PyTorch's two bias vectors.")
    weights = _count("lstm", d, h, bias=False)
    candidates = [
        (_count("lstm", d, h, convention="keras"),
         "you counted one bias vector per gate block; PyTorch keeps two (bias_ih and bias_hh), both of length 4h."),
        (weights, "you counted the weights only; add the biases."),
        (_count("gru", d, h, convention="torch"), "that is a GRU's count: it has three gate blocks, an LSTM has four (i, f, g, o)."),
        (_count("rnn", d, h, convention="torch"), "that is a plain RNN's count; an LSTM has four such blocks (i, f, g, o)."),
        (reference - 4 * h * h, "you left out the recurrent weights weight_hh (4h x h): every gate also looks at h_(t-1)."),
        (reference - 4 * h * d, "you left out the input weights weight_ih (4h x d): every gate also looks at x_t."),
        (reference // 4, "that is one gate block; an LSTM has four (i, f, g, o)."),
    ]
    for value, message in candidates:
        if n == value:
            return _report(False, message)
    if n > reference and n % reference == 0:
        return _report(False, f"your count is {n // reference} times too large. Weights are shared across time steps: "
                              "the count does not depend on the sequence length.")
    return _report(False, f"{n:,} is {'too small' if n < reference else 'too large'}. "
                          "Count the shapes of weight_ih, weight_hh, bias_ih and bias_hh.")


# ---------------------------------------------------------------- exercise: stacked bidirectional (Keras)
def check_param_count_stacked(answer) -> bool:
    """answer = parameters of two stacked Bidirectional(LSTM(100)) layers in Keras on input size 13."""
    n = _integer(answer, "a parameter count")
    d, h, layers = STACKED_SIZES["input_size"], STACKED_SIZES["hidden_size"], STACKED_SIZES["num_layers"]
    reference = _count("lstm", d, h, num_layers=layers, bidirectional=True, convention="keras")
    if n == reference:
        return _report(True, "the second layer sees both directions of the first, so its input size is 2h.")
    first = _count("lstm", d, h, bidirectional=True, convention="keras")
    candidates = [
        (first + _count("lstm", h, h, bidirectional=True, convention="keras"),
         "layer 2 reads the concatenated outputs of both directions of layer 1, so its input size is 2h, not h."),
        (first + _count("lstm", d, h, bidirectional=True, convention="keras"),
         "layer 2 does not read x_t: its input is the output of layer 1, of size 2h (two directions)."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=True, convention="torch"),
         "that is PyTorch's count, with two bias vectors per block; Keras keeps one."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=False, convention="keras"),
         "that is a one-directional stack; a bidirectional layer has a second, independent set of weights for the reverse direction."),
        (first, "that is the first layer only; the exercise stacks two."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=True, bias=False),
         "you counted the weights only; Keras adds one bias vector of length 4h per direction and layer."),
    ]
    for value, message in candidates:
        if n == value:
            return _report(False, message)
    return _report(False, f"{n:,} is {'too small' if n < reference else 'too large'}. Count layer by layer and direction "
                          "by direction; write down each layer's input size first.")


# ---------------------------------------------------------------- exercise: a gate recipe
def check_gate_recipe_overwrite(answer) -> bool:
    """answer = {"i": ..., "f": ..., "o": ...}: overwrite the memory with the candidate and say nothing."""
    if not isinstance(answer, dict):
        raise ValueError(f"expected a dict with keys 'i', 'f', 'o', got {type(answer).__name__}: {answer!r}")
    missing = {"i", "f", "o"} - set(answer)
    if missing:
        raise ValueError(f"expected a dict with keys 'i', 'f', 'o'; missing {sorted(missing)}")
    gates = {name: finite_number(answer[name], f"gate {name}") for name in ("i", "f", "o")}
    for name, value in gates.items():
        if not 0.0 <= value <= 1.0:
            return _report(False, f"gate {name} = {value:g}, but gates are sigmoid outputs, between 0 and 1.")
    c_prev, g, tol = OVERWRITE_MEMORY["c_prev"], OVERWRITE_MEMORY["g"], OVERWRITE_MEMORY["tolerance"]
    c, h = _state_update(c_prev, gates["i"], gates["f"], g, gates["o"])
    c, h = c + 0.0, h + 0.0  # no "-0.00" in the feedback
    problems = []
    if abs(gates["f"] * c_prev) > tol:
        problems.append(f"the new memory still carries {100 * gates['f']:.0f}% of the old one: that gate keeps the past")
    if abs(gates["i"] * g - g) > tol:
        problems.append(f"only {100 * gates['i']:.0f}% of the candidate is written: that gate lets the new content in")
    if abs(h) > tol:
        problems.append(f"the output is h_t = {h:.2f}, so the cell is not silent: that gate decides what is read out")
    if not problems:
        return _report(True, f"c_t = {c:.2f} is the candidate alone and h_t = {h:.2f}: the memory was replaced and nothing was shown.")
    return _report(False, "; ".join(problems) + ".")


# ---------------------------------------------------------------- helpers for the code exercises
def _random_case(rng, input_size=3, hidden_size=5, batch=4):
    cell = cells.LSTMCell(input_size, hidden_size, rng=rng)
    # Non-zero biases, so that a step that drops one of them is caught.
    cell.bias_ih = rng.uniform(-1, 1, size=cell.bias_ih.shape)
    cell.bias_hh = rng.uniform(-1, 1, size=cell.bias_hh.shape)
    x = rng.normal(size=(batch, input_size))
    h_prev = rng.normal(size=(batch, hidden_size))
    c_prev = rng.normal(size=(batch, hidden_size))
    return cell, x, h_prev, c_prev


def _as_pair(result, what):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return None, f"{what} should return a pair (h, c), it returned {type(result).__name__}."
    try:
        h, c = (np.asarray(v, dtype=float) for v in result)
    except (TypeError, ValueError):
        return None, f"{what} should return two arrays (h, c); could not read them as numbers."
    return (h, c), None


def _same(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-7, atol=1e-9)


_MATCH = "match"


def _run_reader_step(step, args, what, inputs, h_ref, c_ref):
    """Call the reader's `step(*args)` -> (verdict, h, c). The verdict is _MATCH, a message to
    report (an exception, unreadable or misshapen results, (c, h) instead of (h, c)), or None
    when the results are readable but wrong and need a closer look."""
    try:
        result = step(*args)
    except Exception as error:  # the reader's code: report, do not crash the checker
        return f"your function raised {type(error).__name__}: {error}. {inputs}", None, None
    pair, problem = _as_pair(result, what)
    if problem:
        return problem, None, None
    h, c = pair
    if h.shape != h_ref.shape or c.shape != c_ref.shape:
        return (f"h and c should both have shape {h_ref.shape} (batch, hidden), got {h.shape} and {c.shape}.",
                h, c)
    if _same(h, h_ref) and _same(c, c_ref):
        return _MATCH, h, c
    if _same(h, c_ref) and _same(c, h_ref):
        return "your values are right but in the wrong order: return (h, c), like cell.step.", h, c
    return None, h, c


def _block_permuted(cell, order):
    """A copy of `cell` whose gate blocks are re-ordered: block k of the copy is block order[k] of `cell`."""
    h = cell.hidden_size
    twin = cells.LSTMCell(cell.input_size, h, rng=0)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        blocks = np.split(getattr(cell, name), 4, axis=0)
        setattr(twin, name, np.concatenate([blocks[k] for k in order], axis=0))
    return twin


# ---------------------------------------------------------------- exercise: write the step yourself
def check_lstm_step(lstm_step) -> bool:
    """lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> (h, c), PyTorch gate order i, f, g, o."""
    if not callable(lstm_step):
        raise ValueError(f"expected your function lstm_step, got {type(lstm_step).__name__}")
    rng = np.random.default_rng(2024)
    for trial in range(3):
        cell, x, h_prev, c_prev = _random_case(rng)
        (h_ref, c_ref), _ = cell.step(x, (h_prev, c_prev))
        args = (x, h_prev, c_prev, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        inputs = "Inputs are x (B, d), h_prev and c_prev (B, h), weight_ih (4h, d), weight_hh (4h, h), biases (4h,)."
        verdict, h, c = _run_reader_step(lstm_step, args, "lstm_step", inputs, h_ref, c_ref)
        if verdict == _MATCH:
            continue
        if verdict:
            return _report(False, verdict)
        # Wrong gate order: the same cell with its blocks in another order reproduces the reader's result.
        orders = {(0, 1, 3, 2): "i, f, o, g", (1, 0, 2, 3): "f, i, g, o", (0, 2, 1, 3): "i, g, f, o (TensorFlow 1's i, j, f, o)"}
        for order, name in orders.items():
            (h_perm, c_perm), _ = _block_permuted(cell, order).step(x, (h_prev, c_prev))
            if _same(h, h_perm) and _same(c, c_perm):
                return _report(False, f"you sliced the four blocks in the order {name}. PyTorch (and this book) stacks them "
                                      "as i, f, g, o: rows [0:h] input gate, [h:2h] forget gate, [2h:3h] candidate, [3h:4h] output gate.")
        _, cache = cell.step(x, (h_prev, c_prev))
        gates = cache.gates
        if _same(c, c_ref):
            if _same(h, gates["o"] * c_ref):
                return _report(False, "c is right; h is not: squash the cell state with tanh before the output gate scales it.")
            if _same(h, np.tanh(c_ref)):
                return _report(False, "c is right; h is not: the output gate o_t scales tanh(c_t).")
            return _report(False, "c is right; h is not. h_t = o_t * tanh(c_t), elementwise.")
        g_sigmoid = 1.0 / (1.0 + np.exp(-np.arctanh(np.clip(gates["g"], -1 + 1e-15, 1 - 1e-15))))
        c_sig, _h = cells.lstm_state_update(c_prev, gates["i"], gates["f"], g_sigmoid, gates["o"])
        if _same(c, c_sig):
            return _report(False, "the candidate g_t uses tanh, not a sigmoid: it must be able to write negative values.")
        for bias_name in ("bias_hh", "bias_ih"):
            twin = _block_permuted(cell, (0, 1, 2, 3))
            setattr(twin, bias_name, np.zeros_like(getattr(cell, bias_name)))
            (h_nb, c_nb), _ = twin.step(x, (h_prev, c_prev))
            if _same(h, h_nb) and _same(c, c_nb):
                return _report(False, f"you left out {bias_name}. PyTorch adds both bias vectors to every gate's pre-activation.")
        c_no_forget, _h = cells.lstm_state_update(c_prev, gates["i"], np.ones_like(gates["f"]), gates["g"], gates["o"])
        if _same(c, c_no_forget):
            return _report(False, "your c ignores the forget gate: the old memory is c_{t-1} * f_t, elementwise.")
        if _same(c, gates["i"] * gates["g"]):
            return _report(False, "your c forgets everything: the old memory f_t * c_{t-1} must be added to i_t * g_t.")
        return _report(False, "h and c differ from the reference. Compute the pre-activations "
                              "x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh (shape (B, 4h)), split them into "
                              "four blocks of h columns, and check each nonlinearity.")
    return _report(True, "your step matches cells.LSTMCell on random weights and inputs, including the biases.")


# ---------------------------------------------------------------- exercise: modify the cell (coupled gates)
def check_coupled_gates_step(coupled_step) -> bool:
    """coupled_step(cell, x, state) -> (h, c): the LSTM step with the forget gate tied to the input gate, f_t = 1 - i_t."""
    if not callable(coupled_step):
        raise ValueError(f"expected your function coupled_step, got {type(coupled_step).__name__}")
    rng = np.random.default_rng(7)
    for trial in range(3):
        cell, x, h_prev, c_prev = _random_case(rng)
        (h_std, c_std), cache = cell.step(x, (h_prev, c_prev))
        gates = cache.gates
        c_ref, h_ref = cells.lstm_state_update(c_prev, gates["i"], 1.0 - gates["i"], gates["g"], gates["o"])
        inputs = "It receives a cells.LSTMCell, x of shape (B, d) and state = (h_prev, c_prev)."
        verdict, h, c = _run_reader_step(coupled_step, (cell, x, (h_prev, c_prev)), "coupled_step", inputs, h_ref, c_ref)
        if verdict == _MATCH:
            continue
        if verdict:
            return _report(False, verdict)
        if _same(h, h_std) and _same(c, c_std):
            return _report(False, "this is still the standard LSTM step: the forget gate is not yet tied to the input gate.")
        c_other, h_other = cells.lstm_state_update(c_prev, 1.0 - gates["f"], gates["f"], gates["g"], gates["o"])
        if _same(h, h_other) and _same(c, c_other):
            return _report(False, "you derived the input gate from the forget gate (i = 1 - f). This exercise keeps the input "
                                  "gate and derives the forget gate from it: f_t = 1 - i_t.")
        c_same, h_same = cells.lstm_state_update(c_prev, gates["i"], gates["i"], gates["g"], gates["o"])
        if _same(h, h_same) and _same(c, c_same):
            return _report(False, "you used the input gate for both; the forget gate is its complement, 1 - i_t.")
        if _same(c, c_ref):
            return _report(False, "c is right; h is not. The output side is unchanged: h_t = o_t * tanh(c_t).")
        return _report(False, "h and c differ from the coupled step. Take i, g, o from the cell's gates, set f = 1 - i, and "
                              "apply the usual update c_t = f_t * c_(t-1) + i_t * g_t, h_t = o_t * tanh(c_t).")
    return _report(True, "the memory now only makes room for as much new content as it forgets.")
