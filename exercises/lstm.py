"""Checkers for the exercises of the LSTM chapter (chapters/lstm.ipynb).

Each ``check_<name>(answer)`` follows the protocol of :mod:`exercises.feedback`: it prints
feedback that says *why* an answer is wrong (never the solution) and returns True or False, and
a malformed answer gets a sentence saying what was expected. Reference answers come from
``cells`` (``cells.sigmoid``, ``cells.lstm_state_update``, ``cells.count_params``, ``cells.LSTMCell``),
never from a second implementation of the maths here.

Precision each exercise asks for (the chapter's exercise texts quote these constants):

- half-life: the smallest forget gate, to HALF_LIFE_DECIMALS = 4 decimals, that keeps at least
  half of a memory over HALF_LIFE_STEPS = 50 steps. Its more precise value (the real threshold
  2^(-1/50)) is accepted too; a four-decimal value that keeps less than half is not.
- forget-bias gain: the factor to BIAS_GAIN_SIGNIFICANT_FIGURES = 2 significant figures, with
  sigma(1) taken exactly or rounded to BIAS_GAIN_SIGMOID_DECIMALS = 2 decimals (0.73, as the
  chapter prints it). The two results differ in their second significant figure (1.77e8 and 1.65e8
  for 50 steps: rounding the gate by 0.15% moves its 50th power by 7%), so every answer between them,
  widened by half a unit in the second significant figure, is accepted: from 1.6006e8 to 1.8246e8,
  that is 1.7e8 and 1.8e8 at two significant figures. 1.6e8 is rejected: it is neither result rounded
  (it is 1.65e8 cut off, and the checker says so).
"""

import math

import numpy as np

import cells

from . import variants
from .feedback import (
    NotAnAnswer,
    as_array,
    as_function,
    as_number,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    describe,
    right,
    rounded_too_early,
    wrong,
)

__all__ = [
    "ONE_STEP",
    "HALF_LIFE_STEPS",
    "HALF_LIFE_DECIMALS",
    "BIAS_GAIN_STEPS",
    "BIAS_GAIN_SIGNIFICANT_FIGURES",
    "BIAS_GAIN_SIGMOID_DECIMALS",
    "TORCH_COUNT_SIZES",
    "STACKED_SIZES",
    "OVERWRITE_MEMORY",
    "parameters",
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
HALF_LIFE_DECIMALS = 4
BIAS_GAIN_STEPS = 50
BIAS_GAIN_SIGNIFICANT_FIGURES = 2
BIAS_GAIN_SIGMOID_DECIMALS = 2
TORCH_COUNT_SIZES = {"input_size": 40, "hidden_size": 256}
STACKED_SIZES = {"input_size": 13, "hidden_size": 100, "num_layers": 2}
OVERWRITE_MEMORY = {"c_prev": 0.8, "g": -0.5, "tolerance": 1e-9}  # "exactly": rounding error only


def parameters(seed=None) -> dict:
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints; the
    checkers below read their numbers from here, so a course's seed changes them all.

    What each draw of another seed guarantees (tests/exercises/test_lstm_variants.py asserts it):

    - ONE_STEP: gates i, f, o are distinct tenths in (0, 1) (i != f, so that swapping them shows);
      c_prev a non-zero multiple of 0.1 with |c_prev| in [0.5, 2.5]; g a non-zero tenth in (-1, 1);
      |c_t| >= 0.1, and every slip the checker names (f and i swapped, a gate left out, h_t without
      tanh or with it misplaced, h_t from c_{t-1}) gives a c_t or h_t more than 0.005 from the answer,
      so that no slip passes; the answer is not the book's.
    - TORCH_COUNT_SIZES, STACKED_SIZES: input sizes 8-80 and 5-40, hidden sizes from a list of usual
      ones (32 to 512).
    - OVERWRITE_MEMORY: c_prev and g of opposite signs, |g| in {0.5, ..., 0.9}, |c_prev| in
      {0.5, ..., 0.9, 1.5, 2.0} (never the widget's 1): then f * c_prev + i * g = g forces f = 0 and
      i = 1 and h_t = 0 forces o = 0, so the recipe {"i": 1, "f": 0, "o": 0} stays the only answer
      (the tolerance, 1e-9, leaves room for rounding only). The answer is the book's in every seed.
    - HALF_LIFE: steps from 20 to 200 other than 50, so the answer (2^(-1/steps) rounded up to four
      decimals) differs from the book's; the threshold is never within 1e-7 of a four-decimal value.
    - BIAS_GAIN: steps from 20 to 100 other than 50; the gains of neighbouring step counts are 1.46
      times apart, more than the accepted band, so the book's answer fails.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"ONE_STEP": dict(ONE_STEP), "TORCH_COUNT_SIZES": dict(TORCH_COUNT_SIZES),
                "STACKED_SIZES": dict(STACKED_SIZES), "OVERWRITE_MEMORY": dict(OVERWRITE_MEMORY),
                "HALF_LIFE": {"steps": HALF_LIFE_STEPS}, "BIAS_GAIN": {"steps": BIAS_GAIN_STEPS}}
    rng = variants.generator(seed, "lstm")
    tenths = np.round(np.arange(0.1, 1.0, 0.1), 1)
    one_step = _draw_one_step(rng, tenths)
    # A draw in which a slip the checker names comes out (nearly) right is drawn again, from a generator of
    # its own, so that the numbers drawn below stay what they were for every seed.
    again = variants.generator(seed, "lstm one step")
    while not _one_step_is_clear(one_step):
        one_step = _draw_one_step(again, tenths)
    hidden_sizes = [32, 48, 64, 96, 100, 128, 200, 256, 320, 512]
    torch_sizes = {"input_size": int(rng.integers(8, 81)), "hidden_size": int(rng.choice(hidden_sizes))}
    stacked_sizes = {"input_size": int(rng.integers(5, 41)), "hidden_size": int(rng.choice(hidden_sizes)),
                     "num_layers": 2}
    # Drawn after the numbers above, so that adding these left the older exercises' numbers as they were.
    sign = float(rng.choice([-1, 1]))
    overwrite = {"c_prev": sign * float(rng.choice([0.5, 0.6, 0.7, 0.8, 0.9, 1.5, 2.0])),
                 "g": -sign * float(rng.choice([0.5, 0.6, 0.7, 0.8, 0.9])),
                 "tolerance": OVERWRITE_MEMORY["tolerance"]}
    return {
        "ONE_STEP": one_step,
        "TORCH_COUNT_SIZES": torch_sizes,
        "STACKED_SIZES": stacked_sizes,
        "OVERWRITE_MEMORY": overwrite,
        "HALF_LIFE": {"steps": int(rng.choice([20, 25, 30, 40, 60, 75, 80, 100, 120, 150, 200]))},
        "BIAS_GAIN": {"steps": int(rng.choice([20, 25, 30, 40, 60, 75, 80, 100]))},
    }


def _draw_one_step(rng, tenths) -> dict:
    i, f, o = rng.choice(tenths, size=3, replace=False)  # i != f, so that swapping them shows
    memory = rng.choice([-1, 1]) * rng.choice(np.round(np.arange(0.5, 2.6, 0.1), 1))
    candidate = rng.choice([-1, 1]) * rng.choice(tenths)
    return {"c_prev": float(memory), "i": float(i), "f": float(f), "g": float(candidate), "o": float(o)}


ONE_STEP_MARGIN = 0.005  # a slip's c_t or h_t, rounded to 3 decimals, stays outside the checker's tolerance


def _one_step_is_clear(s) -> bool:
    """Whether a drawn ONE_STEP tells the answer from every slip check_one_step_by_hand names (f and i
    swapped, a gate left out, tanh left out or misplaced, the old memory read out), by more than
    ONE_STEP_MARGIN, with |c_t| >= 0.1 and an answer other than the book's. Without this, a small c_t
    (tanh(c) close to c) let h_t = o_t * c_t, without the tanh, pass as correct."""
    c_prev, i, f, g, o = (s[k] for k in ("c_prev", "i", "f", "g", "o"))
    c, h = _state_update(c_prev, i, f, g, o)
    c_slips = [_state_update(c_prev, f, i, g, o)[0], _state_update(c_prev, 1.0, f, g, o)[0],
               _state_update(c_prev, i, 1.0, g, o)[0]]
    h_slips = [o * c, math.tanh(o * c), o * math.tanh(c_prev), math.tanh(c)]
    book_c, book_h = _state_update(*(ONE_STEP[k] for k in ("c_prev", "i", "f", "g", "o")))
    return (abs(c) >= 0.1 and all(abs(slip - c) > ONE_STEP_MARGIN for slip in c_slips)
            and all(abs(slip - h) > ONE_STEP_MARGIN for slip in h_slips)
            and max(abs(c - book_c), abs(h - book_h)) > ONE_STEP_MARGIN)


def _close(a: float, b: float, rel: float = 1e-3, abs_tol: float = 1e-3) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_tol)


def _gate(pre_activation: float) -> float:
    """A gate's value for a given pre-activation, by cells.sigmoid."""
    return float(cells.sigmoid(np.array([pre_activation], dtype=float))[0])


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
@checker
def check_one_step_by_hand(answer) -> bool:
    """answer = (c_t, h_t) for the gate values of the active seed's ONE_STEP, to 3 decimals."""
    pair = as_tuple(answer, 2, "a pair (c_t, h_t)")
    c_ans, h_ans = as_number(pair[0], "c_t"), as_number(pair[1], "h_t")
    s = parameters()["ONE_STEP"]
    c_ref, h_ref = _state_update(s["c_prev"], s["i"], s["f"], s["g"], s["o"])

    if _close(c_ans, c_ref) and _close(h_ans, h_ref):
        kept = "half" if s["f"] == 0.5 else f"{s['f']:.0%} of"  # the book's gates keep half
        return right(f"c_t keeps {kept} the old memory and adds the gated candidate; "
                     "h_t reads tanh(c_t) through the output gate.")
    if not _close(c_ans, c_ref):
        if _one_step_c_slip(s, c_ans) is None and rounded_too_early(c_ans, c_ref):
            return wrong(_rounding_message("c_t", c_ans, h_ans, h_ref))
        swapped, _ = _state_update(s["c_prev"], s["f"], s["i"], s["g"], s["o"])
        no_input_gate, _ = _state_update(s["c_prev"], 1.0, s["f"], s["g"], s["o"])
        no_forget_gate, _ = _state_update(s["c_prev"], s["i"], 1.0, s["g"], s["o"])
        if _close(c_ans, swapped):
            return wrong("Your c_t looks like f and i swapped places: the forget gate f multiplies the old "
                         "memory c_{t-1}, the input gate i multiplies the candidate g_t.")
        if _close(c_ans, no_input_gate):
            return wrong("Your c_t adds the whole candidate g_t; the input gate i_t scales it first (i_t * "
                         "g_t).")
        if _close(c_ans, no_forget_gate):
            return wrong("Your c_t keeps all of c_{t-1}; the forget gate f_t scales the old memory first "
                         "(f_t * c_{t-1}).")
        return wrong("c_t is off. It is the old memory scaled by the forget gate plus the candidate scaled "
                     "by the input gate, all elementwise.")
    # c_t is right, h_t is not
    o, c_prev = s["o"], s["c_prev"]
    if _close(h_ans, o * c_ref):
        return wrong("c_t is right. For h_t you multiplied o_t by c_t directly; the cell state is squashed "
                     "by tanh first.")
    if _close(h_ans, math.tanh(o * c_ref)):
        return wrong("c_t is right. For h_t you applied tanh after the output gate; tanh acts on c_t, "
                     "then o_t scales it.")
    if _close(h_ans, o * math.tanh(c_prev)):
        return wrong("c_t is right. For h_t you read the old memory c_{t-1}; the output reads the new "
                     "cell state c_t.")
    if _close(h_ans, math.tanh(c_ref)):
        return wrong("c_t is right. For h_t you left out the output gate o_t.")
    if rounded_too_early(h_ans, h_ref):
        return wrong(_rounding_message("h_t", h_ans))
    return wrong("c_t is right, h_t is not: h_t = o_t * tanh(c_t). Check your tanh (radians, not degrees).")


# An answer off by no more than rounding to two decimals (feedback.rounded_too_early) has the right method and
# too little precision. The slips above are named first: a drawn ONE_STEP keeps each slip ONE_STEP_MARGIN away.
def _rounding_message(name: str, answer: float, h_ans: float = None, h_ref: float = None) -> str:
    """'Round less' for a value given to two decimals or fewer; 'close, but not to three decimals' otherwise."""
    if abs(answer * 100 - round(answer * 100)) < 1e-6:
        text = (f"Your method is right, but {name} is rounded too far: round less. The exercise asks for three "
                "decimals; keep every digit until the end, then round once.")
    else:
        text = (f"Your method is right and {name} is close, but not correct to three decimals: keep every digit "
                "until the end, then round once (round, do not cut off).")
    if h_ans is not None and not _close(h_ans, h_ref) and not rounded_too_early(h_ans, h_ref):
        text += " Then recompute h_t = o_t * tanh(c_t) from it."
    return text


def _one_step_c_slip(s, c_ans):
    """The slip check_one_step_by_hand names for this c_t, or None."""
    slips = (_state_update(s["c_prev"], s["f"], s["i"], s["g"], s["o"])[0],
             _state_update(s["c_prev"], 1.0, s["f"], s["g"], s["o"])[0],
             _state_update(s["c_prev"], s["i"], 1.0, s["g"], s["o"])[0])
    return next((slip for slip in slips if _close(c_ans, slip)), None)


# ---------------------------------------------------------------- exercise: half-life of a memory
def half_life_threshold(steps=None) -> float:
    """The smallest constant forget gate f with f^steps >= 1/2, found by bisection on cells' own update
    (steps: the active seed's, 50 in the book)."""
    steps = parameters()["HALF_LIFE"]["steps"] if steps is None else steps
    low, high = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (low + high)
        if _carried_fraction(mid, steps) >= 0.5:
            high = mid
        else:
            low = mid
    return high


def half_life_reference(steps=None, decimals=HALF_LIFE_DECIMALS) -> float:
    """The exercise's answer: the smallest value with `decimals` decimals that keeps at least half."""
    steps = parameters()["HALF_LIFE"]["steps"] if steps is None else steps
    unit = 10.0**-decimals
    value = round(math.ceil(half_life_threshold(steps) / unit) * unit, decimals)
    while _carried_fraction(value, steps) < 0.5:  # guards against the division's rounding
        value = round(value + unit, decimals)
    return value


@checker
def check_forget_gate_half_life(answer) -> bool:
    """answer = the smallest constant forget gate, to 4 decimals, that keeps at least half a memory
    over the active seed's HALF_LIFE steps (50 in the book). The unrounded threshold is accepted too."""
    f = as_number(answer, "the forget-gate value")
    steps, decimals = parameters()["HALF_LIFE"]["steps"], HALF_LIFE_DECIMALS
    if not 0.0 <= f <= 1.0:
        return wrong(f"A forget gate is a sigmoid output, between 0 and 1; you gave {f:g}.")
    kept = _carried_fraction(f, steps)
    reference = half_life_reference(steps)
    keeps_half = kept >= 0.5 - 1e-12  # the exact threshold may come out a rounding error below one half
    if keeps_half and f <= reference + 1e-12:
        return right(f"With this forget gate at least half the memory survives {steps} steps, and with any "
                     f"less open one it does not: a gate that looks almost fully open still loses half its memory "
                     f"in about {steps} steps.")
    if _close(f, 1.0 - 1.0 / steps, rel=0, abs_tol=2e-4):
        return wrong(f"1 - 1/{steps} is a linear guess. The forget gate multiplies the memory once per step, "
                     f"so the factors compound: with f = {f:g} only {100 * kept:.1f}% is left after {steps} "
                     "steps.")
    if _close(f, 0.5 / steps, rel=0, abs_tol=1e-4) or _close(f, 0.5, rel=0, abs_tol=1e-4):
        return wrong(f"With f = {f:g} the memory is multiplied by {f:g} at every step, so after {steps} "
                     "steps "
                     f"{100 * kept:.2g}% of it is left. Half must survive all {steps} multiplications "
                     "together.")
    if not keeps_half and f > reference - 1.5 * 10.0**-decimals:
        return wrong(f"With f = {f:g}, {100 * kept:.2f}% of the memory is left after {steps} steps: just "
                     "under "
                     f"half. Rounding the threshold to the nearest {decimals}-decimal value can land below "
                     "it; "
                     "the smallest value that keeps at least half is found by rounding up.")
    if not keeps_half:
        return wrong(f"With f = {f:g} only {100 * kept:.1f}% of the memory is left after {steps} steps: "
                     "the gate must be more open.")
    return wrong(f"With f = {f:g}, {100 * kept:.1f}% of the memory is left after {steps} steps, more than "
                 "half; "
                 f"the exercise asks for the smallest such gate, to {decimals} decimals.")


# ---------------------------------------------------------------- exercise: the forget-bias gain
def forget_bias_gain(sigmoid_of_one=None, steps=None) -> float:
    """How many times more gradient a forget bias of +1 (instead of 0) carries back `steps` steps
    along the cell state, run through cells: prod of f with f = sigma(1), over prod with f = sigma(0).
    `sigmoid_of_one` replaces sigma(1) by a rounded value, as a reader working by hand may use.
    steps: the active seed's (50 in the book)."""
    steps = parameters()["BIAS_GAIN"]["steps"] if steps is None else steps
    forget_with_bias = _gate(1.0) if sigmoid_of_one is None else sigmoid_of_one
    return _carried_fraction(forget_with_bias, steps) / _carried_fraction(_gate(0.0), steps)


def forget_bias_gain_accepted(steps=None) -> tuple:
    """(low, high): the answers the exercise's precision allows. The gain computed with sigma(1)
    exact and rounded to BIAS_GAIN_SIGMOID_DECIMALS decimals, each widened by half a unit of its
    last significant figure (BIAS_GAIN_SIGNIFICANT_FIGURES), so that any correct rounding passes."""
    gains = (forget_bias_gain(steps=steps),
             forget_bias_gain(round(_gate(1.0), BIAS_GAIN_SIGMOID_DECIMALS), steps=steps))

    def half_unit(value):
        return 0.5 * 10.0 ** (math.floor(math.log10(value)) - (BIAS_GAIN_SIGNIFICANT_FIGURES - 1))

    low, high = min(gains), max(gains)
    return low - half_unit(low), high + half_unit(high)


@checker
def check_forget_bias_gain(answer) -> bool:
    """answer = by what factor a forget bias of +1 (instead of 0) multiplies the gradient carried
    along the cell state over the active seed's BIAS_GAIN steps (50 in the book), when the rest of the
    forget pre-activation is 0, to BIAS_GAIN_SIGNIFICANT_FIGURES significant figures."""
    gain = as_number(answer, "the gain factor")
    steps = parameters()["BIAS_GAIN"]["steps"]
    reference = forget_bias_gain(steps=steps)
    low, high = forget_bias_gain_accepted(steps)
    if low <= gain <= high:
        return right(f"The gain is about 10^{math.log10(reference):.0f}: a small shift in each forget gate, "
                     f"compounded over {steps} steps.")
    if gain <= 0:
        return wrong("The gain is a ratio of two positive gradients, so it is positive.")
    with_bias = _carried_fraction(_gate(1.0), steps)
    without_bias = _carried_fraction(_gate(0.0), steps)
    one_step = _gate(1.0) / _gate(0.0)
    double_bias = _carried_fraction(_gate(2.0), steps) / without_bias
    hints = [
        (with_bias, "That is the fraction carried with bias +1 alone; the exercise asks how many times "
                    "larger "
                    "it is than with bias 0."),
        (without_bias, "That is the fraction carried with bias 0; the exercise asks for the ratio of bias +1 "
                       "to bias 0."),
        (1.0 / reference, "You divided the wrong way round: the bias makes the carried gradient larger, so "
                          "the "
                          "gain is above 1."),
        (one_step, "That is the gain of a single step. Along the cell state the forget gates multiply, once "
                   "per step."),
        (steps * one_step, f"The per-step gains multiply, they do not add: {steps} steps give a power, not a "
                           f"product with {steps}."),
        (1.0 + steps * (one_step - 1.0), "That is a linear approximation; the per-step gains compound."),
        (double_bias, "That is the gain for a bias of +2, which is what you get by adding 1 to both of "
                      "PyTorch's bias vectors (bias_ih and bias_hh). The exercise adds +1 to the "
                      "pre-activation once."),
        (math.exp(steps), "The bias shifts the pre-activation, not the gate: the gate becomes sigmoid(1), "
                          "not "
                          "e times larger."),
    ]
    for value, message in hints:
        if abs(math.log(gain) - math.log(value)) < 0.02:
            return wrong(message)
    for value in (reference, forget_bias_gain(round(_gate(1.0), BIAS_GAIN_SIGMOID_DECIMALS), steps=steps)):
        cut = _cut_off(value, BIAS_GAIN_SIGNIFICANT_FIGURES)
        if not low <= cut <= high and math.isclose(gain, cut, rel_tol=1e-6):
            return wrong(f"Your method is right, but {gain:.2g} looks cut off rather than rounded: {value:.3g} "
                         f"rounds to {float(f'{value:.2g}'):.2g} at two significant figures.")
    direction = "too small" if gain < low else "too large"
    return wrong(f"{gain:.3g} is {direction}. Compare the forget gate with and without the bias, then follow "
                 f"the gradient through {steps} steps of c_t = f_t * c_(t-1) + ... (two significant figures "
                 "are enough).")


def _cut_off(value: float, figures: int) -> float:
    """`value` with its digits after the first `figures` significant ones dropped (truncated, not rounded)."""
    unit = 10.0 ** (math.floor(math.log10(value)) - (figures - 1))
    return math.floor(value / unit + 1e-9) * unit


# ---------------------------------------------------------------- exercise: counting parameters (PyTorch)
def _count(kind, input_size, hidden_size, **kwargs) -> int:
    return int(cells.count_params(kind, input_size, hidden_size, **kwargs).total)


@checker
def check_param_count_torch(answer) -> bool:
    """answer = number of parameters of torch.nn.LSTM(input_size=40, hidden_size=256) (the book's sizes;
    the active seed's TORCH_COUNT_SIZES)."""
    n = as_whole_number(answer, "a parameter count")
    sizes = parameters()["TORCH_COUNT_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    reference = _count("lstm", d, h, convention="torch")
    if n == reference:
        return right("Four gate blocks, each with weights on x_t and on h_(t-1), plus PyTorch's two bias "
                     "vectors.")
    weights = _count("lstm", d, h, bias=False)
    candidates = [
        (_count("lstm", d, h, convention="keras"),
         "You counted one bias vector per gate block; PyTorch keeps two (bias_ih and bias_hh), both of "
         "length 4h."),
        (weights, "You counted the weights only; add the biases."),
        (_count("gru", d, h, convention="torch"),
         "That is a GRU's count: it has three gate blocks, an LSTM has four (i, f, g, o)."),
        (_count("rnn", d, h, convention="torch"),
         "That is a plain RNN's count; an LSTM has four such blocks (i, f, g, o)."),
        (reference - 4 * h * h,
         "You left out the recurrent weights weight_hh (4h x h): every gate also looks at h_(t-1)."),
        (reference - 4 * h * d, "You left out the input weights weight_ih (4h x d): every gate also looks at "
                                "x_t."),
        (reference // 4, "That is one gate block; an LSTM has four (i, f, g, o)."),
    ]
    for value, message in candidates:
        if n == value:
            return wrong(message)
    if n > reference and n % reference == 0:
        return wrong(f"Your count is {n // reference} times too large. Weights are shared across time steps: "
                     "the count does not depend on the sequence length.")
    return wrong(f"{n:,} is {'too small' if n < reference else 'too large'}. "
                 "Count the shapes of weight_ih, weight_hh, bias_ih and bias_hh.")


# ---------------------------------------------------------------- exercise: stacked bidirectional (Keras)
@checker
def check_param_count_stacked(answer) -> bool:
    """answer = parameters of two stacked Bidirectional(LSTM(100)) layers in Keras on input size 13 (the
    book's sizes; the active seed's STACKED_SIZES)."""
    n = as_whole_number(answer, "a parameter count")
    sizes = parameters()["STACKED_SIZES"]
    d, h, layers = sizes["input_size"], sizes["hidden_size"], sizes["num_layers"]
    reference = _count("lstm", d, h, num_layers=layers, bidirectional=True, convention="keras")
    if n == reference:
        return right("The second layer sees both directions of the first, so its input size is 2h.")
    first = _count("lstm", d, h, bidirectional=True, convention="keras")
    candidates = [
        (first + _count("lstm", h, h, bidirectional=True, convention="keras"),
         "Layer 2 reads the concatenated outputs of both directions of layer 1, so its input size is 2h, not "
         "h."),
        (first + _count("lstm", d, h, bidirectional=True, convention="keras"),
         "Layer 2 does not read x_t: its input is the output of layer 1, of size 2h (two directions)."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=True, convention="torch"),
         "That is PyTorch's count, with two bias vectors per block; Keras keeps one."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=False, convention="keras"),
         "That is a one-directional stack; a bidirectional layer has a second, independent set of weights "
         "for the reverse direction."),
        (first, "That is the first layer only; the exercise stacks two."),
        (_count("lstm", d, h, num_layers=layers, bidirectional=True, bias=False),
         "You counted the weights only; Keras adds one bias vector of length 4h per direction and layer."),
    ]
    for value, message in candidates:
        if n == value:
            return wrong(message)
    return wrong(f"{n:,} is {'too small' if n < reference else 'too large'}. Count layer by layer and "
                 "direction "
                 "by direction; write down each layer's input size first.")


# ---------------------------------------------------------------- exercise: a gate recipe
def _read_gates(answer) -> dict:
    """The reader's {"i": ..., "f": ..., "o": ...} as three floats."""
    if not isinstance(answer, dict) or set(answer) != {"i", "f", "o"}:
        got = sorted(map(str, answer)) if isinstance(answer, dict) else describe(answer)
        raise NotAnAnswer('Expected a dict with the keys "i", "f" and "o", such as '
                          f'{{"i": 0.5, "f": 0.5, "o": 0.5}}; got {got}.')
    return {name: as_number(answer[name], f"gate {name}") for name in ("i", "f", "o")}


def _percent(fraction) -> str:
    """A gate value as a percentage, with as many decimals as it takes not to round 0.001 to 0% or
    0.999 to 100%."""
    for decimals in range(8):
        text = f"{100 * fraction:.{decimals}f}"
        if fraction in (0.0, 1.0) or float(text) not in (0.0, 100.0):
            break
    return text + "%"


def _apart(value, other) -> str:
    """value with two decimals, or with as many more as it takes to tell it from `other`."""
    for digits in range(2, 12):
        text = f"{value:.{digits}f}"
        if value == other or text != f"{other:.{digits}f}":
            return text
    return repr(value)


@checker
def check_gate_recipe_overwrite(answer) -> bool:
    """answer = {"i": ..., "f": ..., "o": ...}: overwrite the memory with the candidate and say nothing.

    The exercise asks for c_t = g_t and h_t = 0 *exactly*, so only the recipe {"i": 1, "f": 0, "o": 0}
    passes: c_t must equal the candidate and h_t must be 0 to within OVERWRITE_MEMORY["tolerance"] (1e-9,
    room for floating-point rounding and no more). Gates close to the recipe are told that they are close
    and what each one still does (the memory and candidate: the active seed's OVERWRITE_MEMORY)."""
    gates = _read_gates(answer)
    for name, value in gates.items():
        if not 0.0 <= value <= 1.0:
            return wrong(f"Gate {name} = {value:g}, but gates are sigmoid outputs, between 0 and 1.")
    memory = parameters()["OVERWRITE_MEMORY"]
    c_prev, g, tol = memory["c_prev"], memory["g"], memory["tolerance"]
    c, h = _state_update(c_prev, gates["i"], gates["f"], g, gates["o"])
    kept, _ = _state_update(c_prev, 0.0, gates["f"], g, gates["o"])  # what the forget gate keeps: f * c_prev
    written, _ = _state_update(0.0, gates["i"], 0.0, g, gates["o"])  # what the input gate writes: i * g
    c, h = c + 0.0, h + 0.0  # no "-0.00" in the feedback
    c_replaced, silent = abs(c - g) <= tol, abs(h) <= tol
    if c_replaced and silent:
        return right(f"c_t = {c:.2f} is the candidate alone and h_t = {abs(h):.2f}: the memory was replaced "
                     "and nothing was shown.")
    problems = []
    if not c_replaced:
        causes = []
        if abs(kept) > tol:
            causes.append(f"it still carries {_percent(gates['f'])} of the old one (that gate keeps the past)")
        if abs(written - g) > tol:
            causes.append(f"only {_percent(gates['i'])} of the candidate is written "
                          "(that gate lets the new content in)")
        problems.append(f"the new memory is c_t = {_apart(c, g)}, not the candidate g_t = {g:.2f}: "
                        + " and ".join(causes))
    if not silent:
        problems.append(f"the output is h_t = {_apart(h, 0.0)}, so the cell is not silent: that gate decides "
                        "what is read out")
    text = "; ".join(problems) + "."
    text = text[:1].upper() + text[1:]
    if abs(c - g) <= 0.05 and abs(h) <= 0.05:
        text = f"Close, but the exercise asks for c_t = g_t and h_t = 0 exactly. {text}"
    return wrong(text)


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


def _read_h_c(result, name):
    """What the reader's step returned, as two float arrays (h, c); NotAnAnswer for anything else."""
    h, c = as_tuple(result, 2, f"{name} to return a pair (h, c)")
    return as_array(h, f"the h that {name} returns"), as_array(c, f"the c that {name} returns")


def _same(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-7, atol=1e-9)


_MATCH = "match"


def _run_reader_step(step, args, name, inputs, h_ref, c_ref):
    """Call the reader's `step(*args)` -> (verdict, h, c). The verdict is _MATCH, a message to
    report (misshapen results, (c, h) instead of (h, c)), or None when the results are readable
    but wrong and need a closer look. An exception or unreadable results raise NotAnAnswer."""
    h, c = _read_h_c(call_reader(step, *args, context=inputs), name)
    if h.shape != h_ref.shape or c.shape != c_ref.shape:
        return (f"h and c should both have shape {h_ref.shape} (batch, hidden), got {h.shape} and {c.shape}.",
                h, c)
    if _same(h, h_ref) and _same(c, c_ref):
        return _MATCH, h, c
    if _same(h, c_ref) and _same(c, h_ref):
        return "Your values are right but in the wrong order: return (h, c), like cell.step.", h, c
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
@checker
def check_lstm_step(lstm_step) -> bool:
    """lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> (h, c),
    PyTorch gate order i, f, g, o."""
    as_function(lstm_step, "lstm_step")
    rng = np.random.default_rng(2024)
    for trial in range(3):
        cell, x, h_prev, c_prev = _random_case(rng)
        (h_ref, c_ref), _ = cell.step(x, (h_prev, c_prev))
        args = (x, h_prev, c_prev, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
        inputs = ("inputs: x (B, d), h_prev and c_prev (B, h), weight_ih (4h, d), weight_hh (4h, h), "
                  "biases (4h,)")
        verdict, h, c = _run_reader_step(lstm_step, args, "lstm_step", inputs, h_ref, c_ref)
        if verdict == _MATCH:
            continue
        if verdict:
            return wrong(verdict)
        # Wrong gate order: the same cell with its blocks in another order reproduces the reader's result.
        orders = {(0, 1, 3, 2): "i, f, o, g", (1, 0, 2, 3): "f, i, g, o", (0, 2, 1, 3): "i, g, f, o "
                                                                                        "(TensorFlow 1's i, "
                                                                                        "j, f, o)"}
        for order, name in orders.items():
            (h_perm, c_perm), _ = _block_permuted(cell, order).step(x, (h_prev, c_prev))
            if _same(h, h_perm) and _same(c, c_perm):
                return wrong(f"You sliced the four blocks in the order {name}. PyTorch (and this book) "
                             "stacks them "
                                      "as i, f, g, o: rows [0:h] input gate, [h:2h] forget gate, [2h:3h] "
                                      "candidate, [3h:4h] output gate.")
        _, cache = cell.step(x, (h_prev, c_prev))
        gates = cache.gates
        if _same(c, c_ref):
            if _same(h, gates["o"] * c_ref):
                return wrong("c is right; h is not: squash the cell state with tanh before the output gate "
                             "scales it.")
            if _same(h, np.tanh(c_ref)):
                return wrong("c is right; h is not: the output gate o_t scales tanh(c_t).")
            return wrong("c is right; h is not. h_t = o_t * tanh(c_t), elementwise.")
        g_sigmoid = cells.sigmoid(np.arctanh(np.clip(gates["g"], -1 + 1e-15, 1 - 1e-15)))
        c_sig, _h = cells.lstm_state_update(c_prev, gates["i"], gates["f"], g_sigmoid, gates["o"])
        if _same(c, c_sig):
            return wrong("The candidate g_t uses tanh, not a sigmoid: it must be able to write negative "
                         "values.")
        for bias_name in ("bias_hh", "bias_ih"):
            twin = _block_permuted(cell, (0, 1, 2, 3))
            setattr(twin, bias_name, np.zeros_like(getattr(cell, bias_name)))
            (h_nb, c_nb), _ = twin.step(x, (h_prev, c_prev))
            if _same(h, h_nb) and _same(c, c_nb):
                return wrong(f"You left out {bias_name}. PyTorch adds both bias vectors to every gate's "
                             "pre-activation.")
        no_forget_gate = np.ones_like(gates["f"])
        c_no_forget, _h = cells.lstm_state_update(c_prev, gates["i"], no_forget_gate, gates["g"], gates["o"])
        if _same(c, c_no_forget):
            return wrong("Your c ignores the forget gate: the old memory is c_{t-1} * f_t, elementwise.")
        if _same(c, gates["i"] * gates["g"]):
            return wrong("Your c forgets everything: the old memory f_t * c_{t-1} must be added to "
                         "i_t * g_t.")
        return wrong("h and c differ from the reference. Compute the pre-activations "
                              "x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + bias_hh (shape (B, 4h)), "
                              "split them into "
                              "four blocks of h columns, and check each nonlinearity.")
    return right("Your step matches cells.LSTMCell on random weights and inputs, including the biases.")


# ---------------------------------------------------------------- exercise: modify the cell (coupled gates)
@checker
def check_coupled_gates_step(coupled_step) -> bool:
    """coupled_step(cell, x, state) -> (h, c): the LSTM step with the forget gate tied to the input
    gate, f_t = 1 - i_t."""
    as_function(coupled_step, "coupled_step")
    rng = np.random.default_rng(7)
    for trial in range(3):
        cell, x, h_prev, c_prev = _random_case(rng)
        (h_std, c_std), cache = cell.step(x, (h_prev, c_prev))
        gates = cache.gates
        c_ref, h_ref = cells.lstm_state_update(c_prev, gates["i"], 1.0 - gates["i"], gates["g"], gates["o"])
        inputs = "it receives a cells.LSTMCell, x of shape (B, d) and state = (h_prev, c_prev)"
        args = (cell, x, (h_prev, c_prev))
        verdict, h, c = _run_reader_step(coupled_step, args, "coupled_step", inputs, h_ref, c_ref)
        if verdict == _MATCH:
            continue
        if verdict:
            return wrong(verdict)
        if _same(h, h_std) and _same(c, c_std):
            return wrong("This is still the standard LSTM step: the forget gate is not yet tied to the input "
                         "gate.")
        c_other, h_other = cells.lstm_state_update(c_prev, 1 - gates["f"], gates["f"], gates["g"], gates["o"])
        if _same(h, h_other) and _same(c, c_other):
            return wrong("You derived the input gate from the forget gate (i = 1 - f). This exercise keeps "
                         "the input "
                                  "gate and derives the forget gate from it: f_t = 1 - i_t.")
        c_same, h_same = cells.lstm_state_update(c_prev, gates["i"], gates["i"], gates["g"], gates["o"])
        if _same(h, h_same) and _same(c, c_same):
            return wrong("You used the input gate for both; the forget gate is its complement, 1 - i_t.")
        if _same(c, c_ref):
            return wrong("c is right; h is not. The output side is unchanged: h_t = o_t * tanh(c_t).")
        return wrong("h and c differ from the coupled step. Take i, g, o from the cell's gates, set "
                     "f = 1 - i, and apply the usual update c_t = f_t * c_(t-1) + i_t * g_t, "
                     "h_t = o_t * tanh(c_t).")
    return right("The memory now only makes room for as much new content as it forgets.")
