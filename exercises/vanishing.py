"""Checkers for the exercises of the chapter "Backpropagation through time and vanishing gradients"
(chapters/vanishing-gradients.ipynb).

Each ``check_<name>(answer)`` prints feedback aimed at the mistake it recognises (never the
solution) and returns True or False. Reference answers come from ``cells``: a cell's
step_backward, backprop_through_time on RNNs built so that the chapter's bound is met exactly,
and clip_grad_norm. (The three-number baseline is a mean and a variance, stated in its docstring.)
Every checker follows the protocol of :mod:`exercises.feedback`: a placeholder (``...`` or None)
gets a reminder, and an answer that is not an answer at all (a string for a number, a wrong shape)
gets a sentence naming what was expected and what was given; no checker raises.

Precision: ``check_one_step_back`` accepts each entry within BY_HAND_TOLERANCE = 1e-3 (the exercise asks for
three decimals); an answer whose entries that miss are within a rounding to two decimals
(:func:`exercises.feedback.rounded_too_early`) is told to round less when they have two decimals or fewer, to
recompute when they have three. ``check_exploding_rho`` accepts rho within
EXPLODE_RHO_TOLERANCE = 1e-3 of the value at which ``cells`` measures the exercise's factor (EXPLODE_FACTOR in the
book), so rho to three decimals passes (1.096 or 1.097 for the book's 100^(1/50) = 1.09648).
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
    call_reader,
    checker,
    describe,
    right,
    rounded_too_early,
    wrong,
)

__all__ = [
    "ONE_STEP_WEIGHT_HH", "ONE_STEP_H_T", "ONE_STEP_D_H_T", "BY_HAND_TOLERANCE",
    "STEPS_SIGMA_MAX", "STEPS_TOLERANCE",
    "CLIP_GRADS", "CLIP_MAX_NORM", "EXPLODE_STEPS", "EXPLODE_FACTOR", "EXPLODE_RHO_TOLERANCE", "STATEMENTS",
    "parameters",
    "check_one_step_back",
    "check_steps_until_small",
    "check_clip_by_global_norm",
    "check_exploding_rho",
    "check_three_number_baseline",
    "check_relu_backward",
    "check_true_statements",
]

# Exercise "one step back by hand": a hidden size of 2, h_t = tanh(a_t) with a_t chosen so that
# h_t = (0.5, -0.5), and the incoming gradient dL/dh_t = (1, 2).
ONE_STEP_WEIGHT_HH = np.array([[0.5, -1.0], [2.0, 0.25]])
ONE_STEP_H_T = np.array([0.5, -0.5])
ONE_STEP_D_H_T = np.array([1.0, 2.0])

# Precision of a by-hand answer asked for to three decimals (as in exercises.mlp).
BY_HAND_TOLERANCE = 1e-3 + 1e-9
ROUND_LESS = ("Your method is right, but the numbers are rounded too far: round less. The exercise asks for three "
              "decimal places; keep every digit until the end, then round once.")
NOT_THREE_DECIMALS = ("Close, but not correct to three decimals: recompute, keeping every digit until the end, then "
                      "round once to three decimal places.")

# Exercise "how many steps until the bound is small".
STEPS_SIGMA_MAX = 0.9
STEPS_EXPONENT = -3
STEPS_TOLERANCE = 10.0**STEPS_EXPONENT

# Exercise "clip by global norm".
CLIP_GRADS = {"weight_hh": np.array([[3.0, 0.0], [0.0, 4.0]]), "bias_hh": np.array([12.0, 0.0])}
CLIP_MAX_NORM = 2.6
CLIP_GLOBAL_NORM = 13.0  # sqrt(3^2 + 4^2 + 12^2), what the reader computes first

# Exercise "how fast does a linear RNN explode": W_hh = rho * Q, Q orthogonal.
EXPLODE_STEPS = 50
EXPLODE_FACTOR = 100.0
EXPLODE_HIDDEN = 8
EXPLODE_RHO_TOLERANCE = 1e-3  # rho to three decimals

# Exercise "the baseline of a three-number adding problem": each number uniform on [low, high].
THREE_INTERVAL = (0.0, 1.0)

# Exercise "true statements": the numbers the statements state (a course's seed draws others, and
# D and E are then true or false by their numbers: see parameters).
STATEMENTS_SIGMA_A = 0.8
STATEMENTS_SIGMA_B = 1.5
STATEMENTS_RHO_D = 0.9
STATEMENTS_SIGMA_E = 3.0
# The book's wording and truth values (seed 0). Under a course's seed the numbers, and the truth of D and E,
# come from parameters()["STATEMENTS"]; the checker reads only these texts' letters.
STATEMENTS = {
    "A": (True, "With tanh, sigma_max(W_hh) = 0.8 and a loss that reads h_T alone, "
                "||dL/dh_{T-k}|| <= 0.8^k ||dL/dh_T||."),
    "B": (False, "If sigma_max(W_hh) = 1.5, the gradient must explode."),
    "C": (False, "Clipping the gradient norm makes the vanished long-range terms large enough to learn from."),
    "D": (True, "A linear RNN (no activation) with W_hh = 0.9 Q, Q orthogonal, has vanishing gradients."),
    "E": (True, "With the logistic sigmoid, sigma_max(W_hh) = 3 guarantees vanishing gradients."),
    "F": (False, "A network whose gradients vanish learns nothing at all."),
}

_STATEMENT_FEEDBACK = {  # why each false statement is false
    "B": "sigma_max > 1/gamma is necessary for exploding, not sufficient. "
         "Saturated tanh units have derivative near 0 and can pull the product back down.",
    "C": "clipping only ever shrinks a gradient. A vanished long-range term is already small, "
         "so clipping leaves it untouched (and scaling the whole gradient up would scale the short-range "
         "terms that drown it alike).",
    "F": "the weight gradient is a sum over time steps; the short-range terms do not vanish, "
         "so the network still learns short dependencies (the T = 10 run in the chapter did).",
}


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the module's constants, the ones the chapter prints; the
    checkers read their numbers from here.

    What a draw (seed > 0) guarantees (the tests check it over many seeds):

    - ONE_STEP: W_hh in quarters between -2 and 2 (nonzero, not symmetric), h_t with entries in
      {+-0.2, +-0.5, +-0.6, +-0.8} (slopes 0.96, 0.75, 0.64, 0.36), dL/dh_t whole numbers from -3 to
      3 (nonzero); the answer has at most four decimals and differs by at least 0.05 (in some entry)
      from every slip the checker names and from the book's answer;
    - STEPS: sigma_max from 0.5 to 0.95 and a threshold 10^-2, 10^-3 or 10^-4; for tanh (gamma = 1) and
      the sigmoid (gamma = 1/4), ln(threshold) / ln(gamma sigma_max) is at least 0.05 away from a whole
      number (so the smallest k is unambiguous, by hand and in the worst case that ``cells`` runs),
      k_tanh stays below 200 (the steps that run) and k_sigmoid >= 2; the pair is not the book's;
    - CLIP: three nonzero entries (weight_hh's diagonal and bias_hh's first entry) whose squares add up
      to a square, global_norm (a whole number); max_norm = factor * global_norm with factor in
      {0.1, 0.2, 0.25, 0.4, 0.5}, so clipping applies and every clipped entry has at most three
      decimals; clipping each tensor by its own norm, or by value, gives another answer; not the book's;
    - EXPLODE: a factor (10 to 1000) after 20 to 100 steps; rho = factor^(1/steps) lies in (1.01, 1.5),
      at least 2e-3 from the book's rho and from the slips that add the steps up;
    - THREE: an interval [low, high] of width 3, 4, 6 or 10 (so the MSE, width^2 / 4, is never its own
      square root) and low + high != 0 (so the mean of two numbers differs from that of three);
    - STATEMENTS: the numbers of statements A, B, D and E. A is true and B false whatever their numbers; A's
      sigma_max is below 1 (A states a vanishing bound) and B's above 1 (B is the necessary-but-not-sufficient
      trap its feedback explains); D's rho (0.5 to 1.2, never 1) and E's sigma_max (1.5 to 8, never 4) fall on either
      side of 1 and of 1/gamma = 4, so D and E are true or false by the seed; the set of true statements is
      never the book's {A, D, E}.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {
            "ONE_STEP": {"weight_hh": ONE_STEP_WEIGHT_HH.tolist(), "h_t": ONE_STEP_H_T.tolist(),
                         "d_h_t": ONE_STEP_D_H_T.tolist()},
            "STEPS": {"sigma_max": STEPS_SIGMA_MAX, "exponent": STEPS_EXPONENT},
            "CLIP": {"weight_hh": CLIP_GRADS["weight_hh"].tolist(), "bias_hh": CLIP_GRADS["bias_hh"].tolist(),
                     "max_norm": CLIP_MAX_NORM, "global_norm": CLIP_GLOBAL_NORM},
            "EXPLODE": {"factor": EXPLODE_FACTOR, "steps": EXPLODE_STEPS},
            "THREE": {"low": THREE_INTERVAL[0], "high": THREE_INTERVAL[1]},
            "STATEMENTS": {"sigma_a": STATEMENTS_SIGMA_A, "sigma_b": STATEMENTS_SIGMA_B,
                           "rho_d": STATEMENTS_RHO_D, "sigma_e": STATEMENTS_SIGMA_E,
                           "true": sorted(_true_letters(STATEMENTS_RHO_D, STATEMENTS_SIGMA_E))},
        }
    return {name: draw(variants.generator(seed, f"vanishing-{name.lower()}")) for name, draw in _DRAWS.items()}


def _one_step_slips(weight, h_t, d_h_t):
    """dL/dh_{t-1} and the slips check_one_step_back names, by the formulas (numpy arrays)."""
    slope = 1.0 - h_t**2
    right_answer = weight.T @ (slope * d_h_t)
    slips = [weight @ (slope * d_h_t), weight.T @ d_h_t, weight @ d_h_t, weight.T @ (h_t * (1.0 - h_t) * d_h_t),
             weight.T @ ((1.0 - h_t) * d_h_t), weight.T @ ((1.0 - np.tanh(h_t) ** 2) * d_h_t),
             slope * (weight.T @ d_h_t)]
    return right_answer, slips


def _draw_one_step(rng):
    quarters = [value / 4 for value in range(-8, 9) if value]
    book, _ = _one_step_slips(ONE_STEP_WEIGHT_HH, ONE_STEP_H_T, ONE_STEP_D_H_T)
    while True:
        weight = rng.choice(quarters, size=(2, 2))
        h_t = rng.choice([-0.8, -0.6, -0.5, -0.2, 0.2, 0.5, 0.6, 0.8], size=2)
        d_h_t = rng.choice([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0], size=2)
        right_answer, slips = _one_step_slips(weight, h_t, d_h_t)
        if np.allclose(weight, weight.T) or not np.allclose(right_answer, np.round(right_answer, 4)):
            continue
        if min(np.max(np.abs(right_answer - other)) for other in slips + [book]) >= 0.05:
            return {"weight_hh": weight.tolist(), "h_t": h_t.tolist(), "d_h_t": d_h_t.tolist()}


def _draw_steps(rng):
    while True:
        sigma_max = float(rng.choice([0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]))
        exponent = int(rng.choice([-2, -3, -4]))
        ratios = [math.log(10.0**exponent) / math.log(gamma * sigma_max) for gamma in (1.0, 0.25)]
        ks = [math.floor(ratio) + 1 for ratio in ratios]
        clear = all(0.05 <= ratio - math.floor(ratio) <= 0.95 for ratio in ratios)
        if clear and ks[0] < 200 and ks[1] >= 2 and (sigma_max, exponent) != (STEPS_SIGMA_MAX, STEPS_EXPONENT):
            return {"sigma_max": sigma_max, "exponent": exponent}


_SQUARE_SUMS = [(1, 2, 2, 3), (2, 4, 4, 6), (2, 3, 6, 7), (1, 4, 8, 9), (4, 4, 7, 9), (3, 6, 6, 9), (2, 6, 9, 11),
                (6, 6, 7, 11), (4, 8, 8, 12), (3, 4, 12, 13), (2, 5, 14, 15), (2, 10, 11, 15)]


def _draw_clip(rng):
    while True:
        *entries, norm = _SQUARE_SUMS[rng.integers(len(_SQUARE_SUMS))]
        a, b, c = (float(value * rng.choice([-1, 1])) for value in rng.permutation(entries))
        factor = float(rng.choice([0.1, 0.2, 0.25, 0.4, 0.5]))
        clip = {"weight_hh": [[a, 0.0], [0.0, b]], "bias_hh": [c, 0.0], "max_norm": round(factor * norm, 6),
                "global_norm": float(norm)}
        if (clip["weight_hh"], clip["bias_hh"], clip["max_norm"]) != (CLIP_GRADS["weight_hh"].tolist(),
                                                                     CLIP_GRADS["bias_hh"].tolist(), CLIP_MAX_NORM):
            return clip


def _draw_explode(rng):
    book = EXPLODE_FACTOR ** (1 / EXPLODE_STEPS)
    while True:
        factor, steps = int(rng.choice([10, 20, 50, 100, 1000])), int(rng.choice([20, 25, 30, 40, 50, 60, 80, 100]))
        rho = factor ** (1 / steps)
        added_up = (factor / steps, 1 + (factor - 1) / steps)
        if 1.01 < rho < 1.5 and all(abs(rho - other) >= 2e-3 for other in (book, *added_up)):
            return {"factor": factor, "steps": steps}


def _draw_three(rng):
    while True:
        low, width = float(rng.choice([-2, -1, 0, 1, 2, 5, 10])), float(rng.choice([3, 4, 6, 10]))
        if 2 * low + width != 0:
            return {"low": low, "high": low + width}


def _true_letters(rho_d, sigma_e):
    """The true statements: A always, B, C and F never; D when a linear RNN's gradient shrinks by
    rho_d < 1 a step; E when the sigmoid's bound (sigma_e / 4)^k shrinks, sigma_e < 1/gamma = 4."""
    return {"A"} | ({"D"} if rho_d < 1 else set()) | ({"E"} if sigma_e < 4 else set())


def _draw_statements(rng):
    book = _true_letters(STATEMENTS_RHO_D, STATEMENTS_SIGMA_E)
    while True:
        rho_d = float(rng.choice([0.5, 0.8, 0.95, 1.05, 1.1, 1.2]))
        sigma_e = float(rng.choice([1.5, 2.0, 3.5, 5.0, 6.0, 8.0]))
        true = _true_letters(rho_d, sigma_e)
        if true != book:
            return {"sigma_a": float(rng.choice([0.5, 0.6, 0.7, 0.75, 0.9, 0.95])),
                    "sigma_b": float(rng.choice([1.2, 1.25, 2.0, 2.5, 3.0])),
                    "rho_d": rho_d, "sigma_e": sigma_e, "true": sorted(true)}



def _orthogonal(size, rng, scale=1.0):
    return cells.random_orthogonal(size, scale=scale, rng=rng)


def _ratios(cell, x, h0):
    """r[k] = ||dL/dh_{T-k}|| / ||dL/dh_T|| for k = 0..T-1, the loss on h_T only (cells.gradient_norms)."""
    norms = cells.gradient_norms(cell, x, h0)
    return norms[::-1] / norms[-1]


# ----------------------------------------------------------------------------------------------
# 1. One step back by hand


def _one_step_numbers():
    numbers = parameters()["ONE_STEP"]
    return (np.array(numbers["weight_hh"], dtype=float), np.array(numbers["h_t"], dtype=float),
            np.array(numbers["d_h_t"], dtype=float))


def one_step_back_reference():
    """dL/dh_{t-1} for the exercise's numbers, computed by ``cells.RNNCell.step_backward``."""
    weight, h_t, d_h_t = _one_step_numbers()
    cell = cells.RNNCell(1, 2, rng=0)
    cell.weight_hh = weight.copy()
    cell.weight_ih = np.zeros((2, 1))
    cell.bias_hh = np.zeros(2)
    # With h_{t-1} = 0 and x_t = 0 the pre-activation is the bias, so h_t = tanh(bias_ih).
    cell.bias_ih = np.arctanh(h_t)
    _, cache = cell.step(np.zeros((1, 1)), np.zeros((1, 2)))
    _, d_prev, _ = cell.step_backward(d_h_t[None, :], cache)
    return d_prev[0]


@checker
def check_one_step_back(answer):
    """Answer: dL/dh_{t-1} = W_hh^T diag(1 - h_t^2) dL/dh_t for the exercise's numbers (2 numbers), to three
    decimals (each entry within BY_HAND_TOLERANCE). Entries that miss by no more than a rounding to two decimals:
    told to round less if they have two decimals or fewer, to recompute if they have three."""
    array = as_array(answer, "dL/dh_{t-1}", shape=(2,))
    reference = one_step_back_reference()
    if np.allclose(array, reference, rtol=0, atol=BY_HAND_TOLERANCE):
        return right("The slope 1 - h_t^2 scales each unit, then W_hh^T sends the gradient back one step.")
    missed = [(float(value), float(ref)) for value, ref in zip(array, reference)
              if abs(value - ref) > BY_HAND_TOLERANCE]
    if all(rounded_too_early(value, ref) for value, ref in missed):
        return wrong(ROUND_LESS if all(round(value, 2) == value for value, _ in missed) else NOT_THREE_DECIMALS)
    weight, h_t, d_h = _one_step_numbers()
    derivative = 1.0 - h_t**2
    mistakes = [
        (weight @ (derivative * d_h),
         "You multiplied by W_hh, not its transpose. Going backwards, unit j of h_{t-1} collects from every "
         "unit i of h_t through the weight W_hh[i, j]: that is row j of W_hh^T."),
        (weight.T @ d_h,
         "You left out the slope of tanh. The gradient passes through h_t = tanh(a_t), so multiply by "
         "1 - h_t^2 elementwise before applying W_hh^T."),
        (weight @ d_h,
         "Two things are missing: the slope of tanh (1 - h_t^2) and the transpose of W_hh."),
        (weight.T @ (h_t * (1.0 - h_t) * d_h),
         "You used h (1 - h), the slope of the logistic sigmoid. For tanh the slope is 1 - h^2."),
        (weight.T @ ((1.0 - h_t) * d_h),
         "The slope of tanh is 1 - h_t^2 (squared), not 1 - h_t."),
        (weight.T @ ((1.0 - np.tanh(h_t) ** 2) * d_h),
         "You applied tanh to h_t again. h_t already is tanh(a_t), so the slope is 1 - h_t^2."),
        (derivative * (weight.T @ d_h),
         "You applied the slope after W_hh^T. The slope belongs to the units of h_t, where the gradient "
         "arrives, so it comes first: W_hh^T (slope * dL/dh_t)."),
    ]
    for value, message in mistakes:
        if np.allclose(array, value, atol=1e-3):
            return wrong(message)
    off = np.flatnonzero(~np.isclose(array, reference, rtol=0, atol=BY_HAND_TOLERANCE))
    which = f"Entry {off[0]} is" if len(off) == 1 else f"Entries {' and '.join(str(i) for i in off)} are"
    return wrong(f"{which} off. Compute the elementwise product (1 - h_t^2) * dL/dh_t "
                 "first, then multiply it by W_hh^T.")


# ----------------------------------------------------------------------------------------------
# 2. How many steps until the bound is small


def _worst_case_ratios(gamma, sigma_max, steps, hidden_size=4):
    """The bound's worst case, met exactly by `cells`: a linear RNN (gamma = 1), or a sigmoid RNN held
    at a_t = 0, where its slope is exactly 1/4 (gamma = 1/4); W_hh = sigma_max * Q with Q orthogonal."""
    rng = np.random.default_rng(1)
    nonlinearity = {1.0: "identity", 0.25: "sigmoid"}[gamma]
    cell = cells.RNNCell(1, hidden_size, nonlinearity=nonlinearity, rng=rng)
    cell.weight_hh = _orthogonal(hidden_size, rng, scale=sigma_max)
    h0 = np.full((1, hidden_size), 0.5)
    if nonlinearity == "sigmoid":
        # sigma(0) = 0.5: with h0 = 0.5 and this bias every pre-activation is 0, so h_t stays 0.5.
        cell.bias_ih = -cell.weight_hh @ h0[0]
        cell.bias_hh = np.zeros(hidden_size)
    return _ratios(cell, np.zeros((steps + 1, 1, 1)), h0)


def steps_until_small_reference():
    """(k for tanh, k for sigmoid): the smallest k at which the bound (gamma * sigma_max)^k drops below
    the threshold (0.9 and 1e-3 in the book), read off the worst case run in `cells`."""
    numbers = parameters()["STEPS"]
    tolerance = 10.0 ** numbers["exponent"]
    return tuple(int(np.argmax(_worst_case_ratios(gamma, numbers["sigma_max"], 200) < tolerance))
                 for gamma in (1.0, 0.25))


@checker
def check_steps_until_small(answer):
    """Answer: the pair (k_tanh, k_sigmoid), whole numbers of steps."""
    k_tanh, k_sigmoid = as_tuple(answer, 2, "a pair (k_tanh, k_sigmoid)")
    values = {"k_tanh": as_number(k_tanh, "k_tanh"), "k_sigmoid": as_number(k_sigmoid, "k_sigmoid")}
    reference = dict(zip(values, steps_until_small_reference()))
    numbers = parameters()["STEPS"]
    sigma, tolerance, written = numbers["sigma_max"], 10.0 ** numbers["exponent"], f"1e{numbers['exponent']}"
    gammas = {"k_tanh": 1.0, "k_sigmoid": 0.25}
    messages, ok = [], True
    for name, value in values.items():
        gamma, ref = gammas[name], reference[name]
        if value != int(value):
            messages.append(f"{name} should be a whole number of steps, got {value:g}.")
        elif int(value) == ref:
            messages.append(f"{name} is right.")
            continue
        elif int(value) == ref - 1:
            messages.append(f"{name} is one step short: at k = {int(value)} the bound ({gamma:g} * {sigma:g})^k = "
                            f"{(gamma * sigma) ** value:.3g} is still above {written}. Round up, not down.")
        elif int(value) == ref + 1:
            messages.append(f"{name} is not the smallest such k; check by computing (gamma * {sigma:g})^k "
                            "for your k and the one before it.")
        elif name == "k_sigmoid" and int(value) == reference["k_tanh"]:
            messages.append("k_sigmoid equals the tanh count, but the sigmoid's slope is at most 1/4, "
                            f"so each step multiplies by at most {sigma:g} / 4.")
        elif value > 0 and abs((gamma * sigma) ** value - tolerance) / tolerance > 0.5:
            messages.append(f"{name}: with k = {value:g} the bound is {(gamma * sigma) ** value:.3g}, "
                            f"far from {written}. Solve (gamma * {sigma:g})^k < {written} with logarithms; the "
                            "log of a number below 1 is negative, which flips the inequality.")
        else:
            messages.append(f"{name} is not the smallest such k; check by computing (gamma * {sigma:g})^k "
                            "for your k and the one before it.")
        ok = False
    return (right if ok else wrong)(" ".join(messages))


# ----------------------------------------------------------------------------------------------
# 3. Clip by global norm


def _clip_numbers():
    numbers = parameters()["CLIP"]
    grads = {name: np.array(numbers[name], dtype=float) for name in CLIP_GRADS}
    return grads, numbers["max_norm"]


def clip_reference():
    """The exercise's gradients clipped by ``cells.clip_grad_norm``."""
    grads, max_norm = _clip_numbers()
    cells.clip_grad_norm(grads, max_norm)
    return grads


@checker
def check_clip_by_global_norm(answer):
    """Answer: a dict with the clipped "weight_hh" (2 x 2) and "bias_hh" (2 numbers)."""
    if not isinstance(answer, dict) or set(answer) != set(CLIP_GRADS):
        got = sorted(map(str, answer)) if isinstance(answer, dict) else type(answer).__name__
        raise NotAnAnswer(f'Expected a dict with the keys "weight_hh" and "bias_hh"; got {got}.')
    grads, max_norm = _clip_numbers()
    arrays = {name: as_array(answer[name], f'answer["{name}"]', shape=grad.shape)
              for name, grad in grads.items()}
    reference = clip_reference()

    def matches(candidate):
        return all(np.allclose(arrays[n], candidate[n], atol=1e-3) for n in CLIP_GRADS)

    if matches(reference):
        return right("One factor for every tensor: the update keeps its direction and its norm is max_norm.")
    if matches(grads):
        return wrong("You left the gradients unchanged. Their global norm is above max_norm, "
                              "so clipping must scale them down.")
    per_tensor = {n: g * min(1.0, max_norm / np.linalg.norm(g)) for n, g in grads.items()}
    if matches(per_tensor):
        return wrong("You clipped each tensor by its own norm. Clipping by the global norm takes "
                              "all tensors together, so every tensor is scaled by the same factor.")
    by_value = {n: np.clip(g, -max_norm, max_norm) for n, g in grads.items()}
    if matches(by_value):
        return wrong("That is clipping by value (each entry cut to [-max_norm, max_norm]), which "
                              "changes the direction of the gradient. Clipping by norm rescales the whole "
                              "gradient.")
    nonzero = [arrays[n][grads[n] != 0] / grads[n][grads[n] != 0] for n in grads]
    factors = np.concatenate(nonzero)
    zeros_kept = all(np.allclose(arrays[n][grads[n] == 0], 0.0) for n in grads)
    if zeros_kept and np.allclose(factors, factors[0]):
        total = math.sqrt(sum(float(np.sum(a**2)) for a in arrays.values()))
        return wrong(f"You scaled everything by one factor, good, but your result has norm {total:.4g}; "
                              "after clipping it should be exactly max_norm.")
    return wrong("The entries are not all scaled by the same factor. Compute one norm over all "
                          "entries of both tensors, then multiply every entry by max_norm / norm.")


# ----------------------------------------------------------------------------------------------
# 4. How fast does a linear RNN explode


def linear_rnn_ratio(rho, steps=None, hidden_size=EXPLODE_HIDDEN):
    """||dL/dh_{T-steps}|| / ||dL/dh_T|| for a linear RNN (identity activation) with W_hh = rho * Q
    (steps: the exercise's, 50 in the book)."""
    steps = parameters()["EXPLODE"]["steps"] if steps is None else steps
    rng = np.random.default_rng(0)
    cell = cells.RNNCell(1, hidden_size, nonlinearity="identity", rng=rng)
    cell.weight_hh = _orthogonal(hidden_size, rng, scale=rho)
    x = rng.standard_normal((steps + 1, 1, 1))
    return float(_ratios(cell, x, None)[steps])


def exploding_rho_reference():
    """The rho at which cells measures a gradient `factor` times larger `steps` steps back (100 and 50
    in the book; bisection on linear_rnn_ratio, which grows with rho)."""
    numbers = parameters()["EXPLODE"]
    low, high = 1.0, 2.0
    for _ in range(40):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if linear_rnn_ratio(mid, numbers["steps"]) < numbers["factor"] else (low, mid)
    return 0.5 * (low + high)


@checker
def check_exploding_rho(answer):
    """Answer: the rho for which the gradient of the linear RNN is 100 times larger 50 steps back (the
    book's numbers; the active seed's EXPLODE), to three decimals (within EXPLODE_RHO_TOLERANCE)."""
    rho = as_number(answer, "rho")
    numbers = parameters()["EXPLODE"]
    factor, steps = numbers["factor"], numbers["steps"]
    if rho <= 0:
        return wrong("rho scales an orthogonal matrix here: use a positive number.")
    if rho > 10:
        return wrong(f"rho = {rho:g} is far too large: {steps} steps multiply the gradient by rho {steps} times.")
    measured = linear_rnn_ratio(rho, steps)
    if abs(rho - exploding_rho_reference()) <= EXPLODE_RHO_TOLERANCE:
        return right(f"With rho = {rho:g}, cells measures a factor of {measured:.4g} after {steps} steps.")
    added_up = (factor / steps, 1 + (factor - 1) / steps)
    if any(math.isclose(rho, value, rel_tol=1e-3) for value in added_up):
        return wrong("The per-step factors multiply; they do not add up.")
    if rho < 1:
        return wrong(f"With rho = {rho:g} < 1 the gradient shrinks (cells measures a factor of "
                     f"{measured:.3g}). To grow, each step must multiply by more than 1.")
    direction = "smaller" if measured > factor else "larger"
    return wrong(f"With your rho, cells measures a factor of {measured:.4g} after {steps} "
                 f"steps, not {factor:g}. Make rho {direction}.")


# ----------------------------------------------------------------------------------------------
# 5. The baseline of a three-number adding problem


def three_number_reference():
    """(best constant, its MSE) for a target that is the sum of three independent uniform(a, b)
    numbers: the mean 3 (a + b) / 2 and the variance 3 (b - a)^2 / 12 (each uniform number has variance
    (b - a)^2 / 12; in the book a = 0, b = 1: 3/2 and 3/12)."""
    interval = parameters()["THREE"]
    low, high = interval["low"], interval["high"]
    return 3 * (low + high) / 2, 3 * (high - low) ** 2 / 12


@checker
def check_three_number_baseline(answer):
    """Answer: the pair (best_constant, mse)."""
    constant, mse = as_tuple(answer, 2, "a pair (best_constant, mse)")
    constant, mse = as_number(constant, "best_constant"), as_number(mse, "mse")
    ref_constant, ref_mse = three_number_reference()
    interval = parameters()["THREE"]
    low, high = interval["low"], interval["high"]
    one = (high - low) ** 2  # one uniform number's variance is one / 12
    messages, ok = [], True
    if math.isclose(constant, ref_constant, abs_tol=1e-3):
        messages.append("best_constant is right.")
    elif math.isclose(constant, low + high, abs_tol=1e-3):
        messages.append(f"best_constant: {low + high:g} is the mean of a sum of two numbers; here there are three.")
        ok = False
    else:
        messages.append("best_constant: the constant with the smallest squared error is the mean of the "
                        "target.")
        ok = False
    if math.isclose(mse, ref_mse, abs_tol=2e-3):
        messages.append("mse is right.")
    else:
        ok = False
        if math.isclose(mse, 2 * one / 12, abs_tol=2e-3):
            messages.append("mse: that is the two-number baseline. Each independent number adds its own "
                            "variance.")
        elif math.isclose(mse, one / 12, abs_tol=2e-3):
            messages.append(f"mse: {one:g}/12 is the variance of one uniform number; the target adds three of "
                            "them.")
        elif math.isclose(mse, 9 * one / 12, abs_tol=2e-3):
            messages.append("mse: variances of independent numbers add, so the 3 is not squared.")
        elif any(math.isclose(mse, value, abs_tol=2e-3)
                 for value in (math.sqrt(3 * one / 12), 3 * math.sqrt(one / 12))):
            messages.append("mse: that is a standard deviation. The MSE of the best constant is a variance.")
        else:
            messages.append("mse: the MSE of predicting the mean is the variance of the target; "
                            f"the variance of one uniform({low:g}, {high:g}) number is {one:g}/12.")
    return (right if ok else wrong)(" ".join(messages))


# ----------------------------------------------------------------------------------------------
# 6. Backpropagation through time for a ReLU RNN, written by hand


def _relu_case(seed, steps, batch, hidden_size, input_size=3):
    """A random ReLU RNN, its hidden states, random direct gradients and the d_hidden of `cells`."""
    rng = np.random.default_rng(seed)
    cell = cells.RNNCell(input_size, hidden_size, nonlinearity="relu", rng=rng)
    x = rng.standard_normal((steps, batch, input_size))
    outputs, _, caches = cells.unroll(cell, x)
    d_outputs = rng.standard_normal(outputs.shape)
    d_hidden = cells.backprop_through_time(cell, caches, d_outputs)[3]
    return cell, outputs, d_outputs, d_hidden


def _relu_mistakes(outputs, weight_hh, d_outputs):
    """d_hidden as the typical mistakes compute it, each with the feedback it deserves."""
    def backward(slope, transpose=True, direct=True, shift=0):
        d_hidden = np.zeros_like(outputs)
        d_hidden[-1] = d_outputs[-1]
        for t in range(len(outputs) - 1, 0, -1):
            delta = d_hidden[t] * slope[t - shift]
            back = delta @ weight_hh if transpose else delta @ weight_hh.T
            d_hidden[t - 1] = back + (d_outputs[t - 1] if direct else 0.0)
        return d_hidden

    relu_slope = (outputs > 0).astype(float)
    return [
        (backward(1.0 - outputs**2),
         "You used the slope of tanh, 1 - h^2. The ReLU's slope is 1 where the unit is active (h > 0) "
         "and 0 where it is not."),
        (backward(relu_slope, transpose=False),
         "You applied W_hh where W_hh^T belongs. With batches as rows, W_hh^T v is written v @ W_hh."),
        (backward(relu_slope, direct=False),
         "You dropped the direct term: d_hidden[t - 1] also collects d_outputs[t - 1], what the loss "
         "says about h_{t-1} itself."),
        (backward(relu_slope, shift=1),
         "Off by one step: the slope between h_{t-1} and h_t is the one of h_t = relu(a_t), so use the "
         "slope at step t, not t - 1."),
        (backward(np.ones_like(outputs)),
         "Your recursion passes every unit's gradient on unchanged, as a linear RNN's does: either the ReLU's slope "
         "is left out, or it is tested with h >= 0, which holds everywhere for a ReLU's output. The slope is 1 "
         "where h > 0 and 0 elsewhere."),
    ]


@checker
def check_relu_backward(answer):
    """Answer: a function relu_d_hidden(outputs, weight_hh, d_outputs) -> d_hidden of shape (T, B, h)."""
    as_function(answer, "relu_d_hidden")
    for seed, steps, batch, hidden_size in ((0, 6, 2, 4), (1, 9, 3, 5), (2, 1, 1, 3)):
        cell, outputs, d_outputs, reference = _relu_case(seed, steps, batch, hidden_size)
        case = f"T = {steps}, batch {batch}, hidden size {hidden_size}"
        args = (outputs.copy(), cell.weight_hh.copy(), d_outputs.copy())
        result = call_reader(answer, *args, context=f"case: {case}")
        result = as_array(result, "your function to return an array")
        if result.shape != reference.shape:
            return wrong(f"d_hidden should have shape (T, B, h) = {reference.shape}, yours has "
                                  f"{result.shape} (case: {case}).")
        if np.allclose(result, reference, rtol=1e-10, atol=1e-12):
            continue
        if not np.any(result):
            return wrong("Your function returns all zeros: fill in the backward recursion.")
        for mistake, message in _relu_mistakes(outputs, cell.weight_hh, d_outputs):
            if np.allclose(result, mistake, rtol=1e-10, atol=1e-12):
                return wrong(message)
        if not np.allclose(result[-1], reference[-1]):
            return wrong("d_hidden[T - 1] should be exactly d_outputs[T - 1]: nothing comes back "
                                  f"from beyond the last step (case: {case}).")
        last_off = max(t for t in range(steps)
                       if not np.allclose(result[t], reference[t], rtol=1e-10, atol=1e-12))
        return wrong(f"The last step is right but d_hidden[{last_off}] is not (case: {case}). Walk "
                              "backwards from t = T - 1, adding the direct term at every step.")
    return right("Your recursion matches cells.backprop_through_time on three random ReLU RNNs.")


# ----------------------------------------------------------------------------------------------
# 7. Which statements are true


def true_statements_reference():
    return set(parameters()["STATEMENTS"]["true"])


def _why_false(letter, values):
    """Why a statement is false, with the active seed's numbers."""
    if letter == "D":
        return (f"a linear RNN has no activation to shrink the gradient, and Q is orthogonal: every step "
                f"multiplies its norm by exactly rho = {values['rho_d']:g} > 1, so it explodes.")
    if letter == "E":
        return (f"with the sigmoid, gamma = 1/4 and sigma_max = {values['sigma_e']:g} > 1/gamma = 4: the bound "
                f"(gamma * sigma_max)^k = {values['sigma_e'] / 4:g}^k grows, so nothing is guaranteed.")
    return _STATEMENT_FEEDBACK[letter]


@checker
def check_true_statements(answer):
    """Answer: the set of letters of the true statements, e.g. {"A", "F"}."""
    if isinstance(answer, str):
        answer = [letter for letter in answer if letter.isalpha()]
    if not isinstance(answer, (set, frozenset, list, tuple)) or not all(isinstance(x, str) for x in answer):
        raise NotAnAnswer(f'Expected a set of letters such as {{"A", "F"}}; got {describe(answer)}.')
    chosen = {letter.strip().upper() for letter in answer}
    unknown = chosen - set(STATEMENTS)
    if unknown:
        raise NotAnAnswer(f"Expected letters A to F; got {', '.join(repr(x) for x in sorted(unknown))}.")
    reference = true_statements_reference()
    if chosen == reference:
        return right("All the true statements and none of the false ones.")
    values = parameters()["STATEMENTS"]
    messages = [f"{letter} is false: {_why_false(letter, values)}" for letter in sorted(chosen - reference)]
    missing = reference - chosen
    if missing:
        messages.append(f"You left out {len(missing)} true statement{'s' if len(missing) > 1 else ''}: "
                        "check each unchosen one against the bound (gamma * sigma_max)^k.")
    return wrong(" ".join(messages))


_DRAWS = {"ONE_STEP": _draw_one_step, "STEPS": _draw_steps, "CLIP": _draw_clip, "EXPLODE": _draw_explode,
          "THREE": _draw_three, "STATEMENTS": _draw_statements}
