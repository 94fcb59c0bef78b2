"""Checkers for the exercises of the GRU chapter (chapters/gru.ipynb).

Every ``check_<name>(answer)`` follows the book's protocol (``exercises.feedback``): it prints
feedback starting with "Correct." or "Not yet.", returns True or False, answers the placeholder
``...`` with a request for an answer, and never raises at a reader. Reference answers come from
``cells``: the GRU's arithmetic is run through ``cells.GRUCell``, ``cells.gru_state_update``,
``cells.sigmoid`` and ``cells.count_params``, never re-derived here.
"""

import math

import numpy as np

import cells

from . import variants
from .feedback import (
    GIVE_DECIMALS,
    NotAnAnswer,
    as_array,
    as_function,
    as_number,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    right,
    rounded_too_early,
    wrong,
)

__all__ = [
    "ONE_STEP",
    "OTHER_CONVENTION",
    "KERAS_SIZES",
    "HALF_LIFE_STEPS",
    "parameters",
    "check_one_step_by_hand",
    "check_z_convention",
    "check_keras_param_count",
    "check_plain_rnn_gates",
    "check_update_half_life",
    "check_gru_step",
]

# The numbers each exercise gives the reader; the chapter's exercise texts quote them.
# One step: pre-activations of one unit, a_r and a_z, and the candidate's two terms
# x_n = W_in x + b_in and h_n = W_hn h_prev + b_hn (reset after the product, PyTorch's form).
ONE_STEP = {"h_prev": 0.8, "a_r": 0.0, "a_z": 1.0, "x_n": 0.9, "h_n": -0.6}
# A unit of a GRU written as h = z' * n + (1 - z') * h_prev: its gate value at one step and its bias.
OTHER_CONVENTION = {"z_prime": 0.9, "bias": 2.0}
# keras.layers.GRU(64, reset_after=False) on sequences of 20 features.
KERAS_SIZES = {"input_size": 20, "hidden_size": 64}
HALF_LIFE_STEPS = 50


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints; the
    checkers read their numbers from here.

    What each draw of another seed guarantees (tests/exercises/test_gru_variants.py asserts it):

    - ONE_STEP: h_prev a non-zero tenth with |h_prev| in [0.2, 0.9]; a_r in {-1, 0, 1}; a_z in
      {-2, -1, 1, 2}, so z != 1/2 and the two conventions give different h_t; x_n and h_n non-zero
      tenths in [-1, 1] with x_n + h_n != 0; n_t differs from h_prev by more than 0.05, from the
      candidate without the reset gate by more than 0.01, and (n_t, h_t) from the book's answer; the
      candidate without tanh, with the reset gate on both terms or with a_r for r_t is more than 0.005
      from n_t, so that those slips do not pass.
    - OTHER_CONVENTION: z' a tenth in (0, 1) other than 0.5 (at 0.5 the value would not change);
      b' in {0.5, 1.0, ..., 3.0} (positive, as trained update biases that keep are); never the book's pair.
    - KERAS_SIZES: input size 8-80, hidden size from usual ones (16 to 256), the two different, and a
      count other than the book's.
    - HALF_LIFE: steps from 20 to 200 other than 50; the answers (logit(2^(-1/steps))) of two step
      counts are more than 0.02 apart, so the book's answer fails at the stated two decimals.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"ONE_STEP": dict(ONE_STEP), "OTHER_CONVENTION": dict(OTHER_CONVENTION),
                "KERAS_SIZES": dict(KERAS_SIZES), "HALF_LIFE": {"steps": HALF_LIFE_STEPS}}
    rng = variants.generator(seed, "gru")
    while True:
        one_step = _draw_one_step(rng)
        if _one_step_is_clear(one_step, slips=False):
            break
    # A draw in which a slip the checker names (tanh left out, the reset gate applied to both terms or
    # read as its pre-activation) comes out near n_t is drawn again, from a generator of its own, so that
    # the numbers drawn below stay what they were for every seed.
    again = variants.generator(seed, "gru one step")
    while not _one_step_is_clear(one_step):
        one_step = _draw_one_step(again)
    while True:
        other = {"z_prime": float(rng.choice([0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9])),
                 "bias": float(rng.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]))}
        if other != OTHER_CONVENTION:
            break
    while True:
        sizes = {"input_size": int(rng.integers(8, 81)),
                 "hidden_size": int(rng.choice([16, 32, 48, 64, 96, 100, 128, 200, 256]))}
        book_count = _count("gru", 20, 64, convention="keras", reset_after=False)
        if (sizes["input_size"] != sizes["hidden_size"]
                and _count("gru", sizes["input_size"], sizes["hidden_size"], convention="keras",
                           reset_after=False) != book_count):
            break
    steps = int(rng.choice([20, 25, 30, 40, 60, 75, 80, 100, 120, 150, 200]))
    return {"ONE_STEP": one_step, "OTHER_CONVENTION": other, "KERAS_SIZES": sizes, "HALF_LIFE": {"steps": steps}}


_TENTHS = [round(0.1 * k, 1) for k in range(-10, 11) if k]
ONE_STEP_MARGIN = 0.005  # a slip's n_t, rounded to 3 decimals, stays outside the checker's tolerance


def _draw_one_step(rng):
    return {"h_prev": float(rng.choice([v for v in _TENTHS if 0.2 <= abs(v) <= 0.9])),
            "a_r": float(rng.choice([-1.0, 0.0, 1.0])), "a_z": float(rng.choice([-2.0, -1.0, 1.0, 2.0])),
            "x_n": float(rng.choice(_TENTHS)), "h_n": float(rng.choice(_TENTHS))}


def _one_step_is_clear(s, slips=True):
    """Whether a drawn ONE_STEP makes a clear exercise (see parameters). With ``slips``, also whether
    the candidate without tanh, with the reset gate on both terms, or with a_r in place of r_t is more
    than ONE_STEP_MARGIN from n_t (without this, a small pre-activation let a forgotten tanh pass)."""
    r, z, n, h = _one_unit_step(**s)
    _, _, n_no_reset, _ = _one_unit_step(100.0, *(s[k] for k in ("a_z", "x_n", "h_n", "h_prev")))
    book = _one_unit_step(**ONE_STEP)
    clear = (s["x_n"] + s["h_n"] != 0 and abs(n - s["h_prev"]) > 0.05
             and abs(n - n_no_reset) > 0.01 and (abs(n - book[2]) > 0.01 or abs(h - book[3]) > 0.01))
    if not slips:
        return clear
    n_slips = [s["x_n"] + r * s["h_n"], math.tanh(r * (s["x_n"] + s["h_n"])), math.tanh(s["x_n"] + s["a_r"] * s["h_n"])]
    return clear and all(abs(slip - n) > ONE_STEP_MARGIN for slip in n_slips)


def _sentence(text):
    return text[:1].upper() + text[1:]


def _close(a, b, tol=1e-3):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _near(given, reference):
    """Within the checker's tolerance, or right to fewer decimals than the three asked for."""
    return _close(given, reference) or rounded_too_early(given, reference)


NOT_THREE_DECIMALS = ("Close, but not correct to three decimals. Keep every digit until the end, then round "
                      "once to three decimals.")


def _rounding_slip(*answers):
    """The feedback for answers that are each near their reference: GIVE_DECIMALS when every answer has two
    decimals or fewer (rounded too far); otherwise the answer is close but wrong at the third decimal, and is
    not told to round less."""
    in_hundredths = all(abs(a * 100 - round(a * 100)) < 1e-6 for a in answers)
    return GIVE_DECIMALS if in_hundredths else NOT_THREE_DECIMALS


def _share(fraction):
    """A fraction as a percentage that prints a share near 0 or 1 neither as 0% nor as 100%."""
    if fraction in (0.0, 1.0) or 0.005 <= fraction <= 0.995:
        return f"{fraction:.0%}"
    return f"{100 * fraction:.1g}%" if fraction < 0.005 else f"{100 * fraction:.4g}%"


# ---------------------------------------------------------------- one step by hand
def _one_unit_step(a_r, a_z, x_n, h_n, h_prev):
    """One step of a one-unit cells.GRUCell whose pre-activations are set through its biases -> (r, z, n, h)."""
    cell = cells.GRUCell(1, 1, rng=0)
    cell.weight_ih[:] = 0.0
    cell.weight_hh[:] = 0.0
    cell.bias_ih[:] = [a_r, a_z, x_n]
    cell.bias_hh[:] = [0.0, 0.0, h_n]
    h, cache = cell.step(np.zeros((1, 1)), np.full((1, 1), h_prev))
    return tuple(float(cache.gates[k][0, 0]) for k in "rzn") + (float(h[0, 0]),)


@checker
def check_one_step_by_hand(answer):
    """answer = (n_t, h_t) for the unit in the active seed's ONE_STEP, to three decimals."""
    n_answer, h_answer = (as_number(v, what) for v, what in
                          zip(as_tuple(answer, 2, "a pair (n_t, h_t)"), ("n_t", "h_t")))
    s = parameters()["ONE_STEP"]
    r, z, n, h = _one_unit_step(s["a_r"], s["a_z"], s["x_n"], s["h_n"], s["h_prev"])
    if _close(n_answer, n) and _close(h_answer, h):
        reset = "halves" if s["a_r"] == 0 else f"lets {r:.0%} of"  # the book's a_r = 0 halves it
        update = "most" if z > 0.5 else f"only {z:.0%}"
        return right(f"The reset gate {reset} the recurrent term inside the candidate, and the update gate "
                     f"keeps {update} of the old state.")
    if not _close(n_answer, n):
        _, _, n_no_reset, _ = _one_unit_step(100.0, s["a_z"], s["x_n"], s["h_n"], s["h_prev"])
        if _close(n_answer, n_no_reset):
            return wrong("Your n_t uses the whole recurrent term. The reset gate r_t = sigma(a_r) scales "
                         "W_hn h_prev + b_hn before it is added to the input term.")
        if _close(n_answer, math.tanh(r * (s["x_n"] + s["h_n"]))):
            return wrong("Your reset gate scales the input term too; it multiplies only the recurrent term "
                         "W_hn h_prev + b_hn.")
        if _close(n_answer, s["x_n"] + r * s["h_n"]):
            return wrong("Your n_t is the pre-activation; the candidate is squashed by tanh.")
        if _close(n_answer, math.tanh(s["x_n"] + s["a_r"] * s["h_n"])):
            return wrong("You multiplied by the pre-activation a_r; the gate is its sigmoid, r_t = sigma(a_r).")
        if _near(n_answer, n) and _near(h_answer, h):
            return wrong(_rounding_slip(n_answer, h_answer))
        if _near(n_answer, h) and _near(h_answer, n):
            return wrong("Your two numbers are the right ones in the wrong order: the exercise asks for the pair "
                         "(n_t, h_t), the candidate first.")
        return wrong("The candidate n_t is off: n_t = tanh(x_n + r_t * h_n) with r_t = sigma(a_r).")
    if _close(h_answer, z * n + (1 - z) * s["h_prev"]):
        return wrong("The candidate n_t is right. Your h_t uses the other convention, "
                     "h_t = z * n_t + (1 - z) * h_prev; this book (and PyTorch) writes "
                     "h_t = (1 - z_t) * n_t + z_t * h_(t-1), so z near 1 keeps.")
    if _close(h_answer, (1 - s["a_z"]) * n + s["a_z"] * s["h_prev"]):
        return wrong("The candidate n_t is right. For h_t you used the pre-activation a_z as the gate; "
                     "z_t = sigma(a_z).")
    if _near(h_answer, h):
        return wrong(_rounding_slip(h_answer))
    return wrong("The candidate n_t is right, h_t is not: blend the candidate and the old state with the update gate, "
                 "h_t = (1 - z_t) * n_t + z_t * h_(t-1).")


# ---------------------------------------------------------------- converting between the z conventions
@checker
def check_z_convention(answer):
    """answer = (z, bias): the active seed's OTHER_CONVENTION gate value and bias, in PyTorch's convention."""
    z_answer, bias_answer = (as_number(v, what) for v, what in
                             zip(as_tuple(answer, 2, "a pair (z, bias)"), ("z", "the bias")))
    other = parameters()["OTHER_CONVENTION"]
    z_prime, b_prime = other["z_prime"], other["bias"]
    # The PyTorch-convention gate keeps what the other one keeps: z = 1 - z'. Its bias b must give
    # sigma(b) = 1 - sigma(b') whatever the rest of the pre-activation is.
    kept_there = z_prime * 0.0 + (1.0 - z_prime) * 1.0  # the other convention, old state 1, candidate 0
    kept_here = float(cells.gru_state_update(np.array(1.0), np.array(z_answer), np.array(0.0)))
    z_ok = abs(kept_here - kept_there) < 1e-6
    # The weighted inputs a flip sign with the weights; for every a the new gate must keep what the old one kept.
    probe = np.linspace(-3, 3, 7)
    bias_ok = np.allclose(cells.sigmoid(-probe + bias_answer), 1.0 - cells.sigmoid(probe + b_prime), atol=1e-6)
    if z_ok and bias_ok:
        return right("The same unit, one sign flipped: every weight and the bias of the update gate change sign.")
    problems = []
    if not z_ok:
        if _close(z_answer, z_prime, tol=1e-6):
            there, here = ("mostly replace", "mostly keep") if z_prime > 0.5 else ("mostly keep", "mostly replace")
            problems.append(f"the gate value z is unchanged, but a gate value of {z_prime:g} means '{there}' there "
                            f"and '{here}' here")
        elif _close(z_answer, -z_prime, tol=1e-6):
            problems.append("a gate value is a sigmoid output, between 0 and 1; the value changes as "
                            "z = 1 - z', not by a sign")
        else:
            problems.append("the gate value z is off: the share of the old state that survives "
                            "must be the same in both conventions")
    if not bias_ok:
        if _close(bias_answer, b_prime, tol=1e-6):
            problems.append("the bias is unchanged, so the gate would still open the same way")
        elif _close(bias_answer, 1.0 - b_prime, tol=1e-6):
            problems.append("1 - b' is the rule for the gate's value, not for its bias: use "
                            "1 - sigma(a) = sigma(-a)")
        else:
            problems.append("the bias is off: use 1 - sigma(a) = sigma(-a)")
    return wrong(_sentence("; ".join(problems)) + ".")


# ---------------------------------------------------------------- counting (Keras, reset_after=False)
def _count(kind, input_size, hidden_size, **kwargs):
    return int(cells.count_params(kind, input_size, hidden_size, **kwargs).total)


@checker
def check_keras_param_count(answer):
    """answer = parameters of keras.layers.GRU(64, reset_after=False) on 20 input features (the book's
    sizes; the active seed's KERAS_SIZES)."""
    n = as_whole_number(answer, "a parameter count")
    sizes = parameters()["KERAS_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    reference = _count("gru", d, h, convention="keras", reset_after=False)
    if n == reference:
        return right("Three blocks of weights on x_t and h_(t-1), and one bias vector, because with the reset "
                     "gate before the product the recurrent bias folds into the input bias.")
    hints = [
        (_count("gru", d, h, convention="keras", reset_after=True),
         "That is the count with reset_after=True (Keras's default), which keeps a second, recurrent bias "
         "vector. With reset_after=False one bias vector of length 3h is enough."),
        (_count("gru", d, h, bias=False), "You counted the weights only; add one bias vector of length 3h."),
        (_count("lstm", d, h, convention="keras"), "That is an LSTM's count: a GRU has three gate blocks, not four."),
        (_count("rnn", d, h, convention="keras"), "That is a plain RNN's count; a GRU has three such blocks."),
        (reference - 3 * h * h, "You left out the recurrent weights (3h x h): every block also sees h_(t-1)."),
        (reference - 3 * h * d, "You left out the input weights (3h x d): every block also sees x_t."),
        (reference - 2 * h * h, "The candidate block has recurrent weights too: count 3h x h, not 2h x h."),
    ]
    for value, message in hints:
        if n == value:
            return wrong(message)
    if n > reference and n % reference == 0:
        return wrong(f"Your count is {n // reference} times too large. The weights are shared across time steps.")
    return wrong(f"{n:,} is {'too small' if n < reference else 'too large'}. Write down the shapes of the "
                 "kernel (d x 3h), the recurrent kernel (h x 3h) and the bias.")


# ---------------------------------------------------------------- gate values that make a plain RNN
_PINNED = 1000.0  # sigma(+-1000) is exactly 1.0 or 0.0 in float64


def _pre_activation(gate):
    """A bias that pins a gate at `gate`: exact for 0 and 1."""
    if gate >= 1.0:
        return _PINNED
    if gate <= 0.0:
        return -_PINNED
    return math.log(gate) - math.log1p(-gate)


def _pinned_gap(r, z):
    """Largest difference between a GRU whose gates are held at (r, z) and the plain RNN made of its candidate."""
    rng = np.random.default_rng(11)
    h = 4
    gru = cells.GRUCell(2, h, rng=rng)
    gru.weight_ih[:2 * h] = 0.0
    gru.weight_hh[:2 * h] = 0.0
    gru.bias_ih[:h], gru.bias_ih[h:2 * h] = _pre_activation(r), _pre_activation(z)
    gru.bias_hh[:2 * h] = 0.0
    rnn = cells.RNNCell(2, h, rng=0)
    rnn.weight_ih[:], rnn.weight_hh[:] = gru.weight_ih[2 * h:], gru.weight_hh[2 * h:]
    rnn.bias_ih[:], rnn.bias_hh[:] = gru.bias_ih[2 * h:], gru.bias_hh[2 * h:]
    x = rng.normal(size=(20, 3, 2))
    gru_out, _, _ = cells.unroll(gru, x)
    rnn_out, _, _ = cells.unroll(rnn, x)
    return float(np.abs(gru_out - rnn_out).max())


@checker
def check_plain_rnn_gates(answer):
    """answer = {"r": ..., "z": ...}: gate values (PyTorch's convention) at which a GRU is a plain RNN."""
    if not isinstance(answer, dict) or not {"r", "z"} <= set(answer):
        raise NotAnAnswer(f"Expected a dict with keys 'r' and 'z', such as {{'r': 0.5, 'z': 0.5}}; got "
                          f"{answer!r:.60}.")
    r, z = as_number(answer["r"], "the reset gate r"), as_number(answer["z"], "the update gate z")
    for name, value in (("r", r), ("z", z)):
        if not 0.0 <= value <= 1.0:
            return wrong(f"{name} = {value:g}, but gates are sigmoid outputs, between 0 and 1.")
    gap = _pinned_gap(r, z)
    if gap < 1e-12:
        return right("The update gate takes the whole candidate and the reset gate lets the whole old state "
                     "into it: h_t = tanh(W_in x_t + b_in + W_hn h_(t-1) + b_hn).")
    problems = []
    if z > 0.0:
        problems.append("with z = 1 the old state is kept unchanged in this book's (PyTorch's) convention; "
                        "z = 1 is the plain RNN setting only in texts that swap z and 1 - z" if z == 1.0 else
                        f"with z = {z:g} the new state still keeps {_share(z)} of the old one, while a plain RNN "
                        "replaces its state at every step")
    if r < 1.0:
        problems.append("with r = 0 the candidate ignores h_(t-1): it is a feed-forward layer of x_t alone"
                        if r == 0.0 else
                        f"with r = {r:g} the candidate sees only {_share(r)} of the recurrent term W_hn h_(t-1) + b_hn")
    return wrong(_sentence("; ".join(problems)) + f". (Largest gap to the plain RNN over 20 steps: {gap:.2g}.)")


# ---------------------------------------------------------------- update-gate half-life
def _kept_after(bias, steps):
    """What is left of a unit state after `steps` steps, update gate sigma(bias), candidate 0, run through cells."""
    z = cells.sigmoid(np.array([float(bias)]))
    h = np.array([1.0])
    for _ in range(steps):
        h = cells.gru_state_update(h, z, np.array([0.0]))
    return float(h[0])


@checker
def check_update_half_life(answer):
    """answer = the update-gate bias b for which half the state is left after the active seed's HALF_LIFE
    steps (50 in the book)."""
    b = as_number(answer, "the bias b")
    steps = parameters()["HALF_LIFE"]["steps"]
    low, high = -50.0, 50.0  # bisection on cells' own update: more bias keeps more
    for _ in range(80):
        mid = 0.5 * (low + high)
        low, high = (low, mid) if _kept_after(mid, steps) >= 0.5 else (mid, high)
    reference = high
    if abs(b - reference) <= 0.01:
        return right(f"About {100 * _kept_after(b, steps):.1f}% of the state is left after {steps} steps. A bias "
                     "that large is far from PyTorch's initialisation, where the gate starts near 0.5.")
    kept = _kept_after(b, steps)
    if abs(b + reference) <= 0.01:
        return wrong(f"With b = {b:g} the state is all but gone after {steps} steps (a fraction {kept:.1e} is "
                     "left): that sign belongs to the other convention, where z near 1 replaces the state. Here z "
                     "near 1 keeps it.")
    if 0.0 < b < 1.0 and abs(float(cells.sigmoid(np.array([reference]))[0]) - b) < 1e-3:
        return wrong("That is the gate value z; the exercise asks for the bias b with sigma(b) = z.")
    if abs(b - math.log(steps - 1)) < 0.01:
        return wrong(f"That bias gives z = 1 - 1/{steps}, a linear guess: the update gate multiplies the state once "
                     f"per step, so with it {100 * kept:.1f}% is left after {steps} steps.")
    if kept < 0.5:
        return wrong(f"With b = {b:g}, {100 * kept:.3g}% of the state is left after {steps} steps: the gate must "
                     "keep more.")
    return wrong(f"With b = {b:g}, {100 * kept:.1f}% of the state is left after {steps} steps, more than half: "
                 "lower the bias.")


# ---------------------------------------------------------------- write the step yourself
def _random_cell(rng, reset_after=True, input_size=3, hidden_size=5):
    cell = cells.GRUCell(input_size, hidden_size, rng=rng, reset_after=reset_after)
    # Non-zero biases, so that a step that drops one of them is caught.
    cell.bias_ih = rng.uniform(-1, 1, size=cell.bias_ih.shape)
    cell.bias_hh = rng.uniform(-1, 1, size=cell.bias_hh.shape)
    return cell


def _variant(cell, order=(0, 1, 2), negate_z=False, reset_after=True, drop=None, b_hn_outside_r=False):
    """A copy of `cell` with its blocks re-ordered, its update gate negated, the other reset placement, one
    bias vector zeroed, or b_hn moved out of the reset gate's reach (added to b_in, where r cannot scale it):
    what a reader's step computes after each typical mistake."""
    h = cell.hidden_size
    twin = cells.GRUCell(cell.input_size, h, rng=0, reset_after=reset_after)
    for name, value in cell.params().items():
        blocks = np.split(value, 3, axis=0)
        value = np.concatenate([blocks[k] for k in order], axis=0)
        if negate_z:
            value[h:2 * h] *= -1
        setattr(twin, name, np.zeros_like(value) if name == drop else value)
    if b_hn_outside_r:
        # tanh(W_in x + b_in + r * (W_hn h) + b_hn) = tanh(W_in x + (b_in + b_hn) + r * (W_hn h + 0))
        twin.bias_ih = twin.bias_ih.copy()
        twin.bias_hh = twin.bias_hh.copy()
        twin.bias_ih[2 * h:] += twin.bias_hh[2 * h:]
        twin.bias_hh[2 * h:] = 0.0
    return twin


@checker
def check_gru_step(gru_step):
    """gru_step(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh) -> h, PyTorch's gate order r, z, n."""
    gru_step = as_function(gru_step, "gru_step")
    rng = np.random.default_rng(2025)
    for _ in range(3):
        cell = _random_cell(rng)
        x = rng.normal(size=(4, cell.input_size))
        h_prev = rng.normal(size=(4, cell.hidden_size))
        reference, _ = cell.step(x, h_prev)
        result = call_reader(gru_step, x, h_prev, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh,
                             context="called with x (B, d), h_prev (B, h), weight_ih (3h, d), weight_hh (3h, h) "
                                     "and biases (3h,)")
        if isinstance(result, tuple):
            raise NotAnAnswer(f"Expected gru_step to return one array h of shape {reference.shape}; it returned a "
                              f"tuple of {len(result)} items.")
        h = as_array(result, "the new state h returned by gru_step", shape=reference.shape)
        if np.allclose(h, reference, rtol=1e-7, atol=1e-9):
            continue
        mistakes = [
            (dict(negate_z=True), "You blend with the other convention, h = z * n + (1 - z) * h_prev. PyTorch's is "
                                  "h = (1 - z) * n + z * h_prev: z near 1 keeps the old state."),
            (dict(reset_after=False), "Your reset gate acts before the product, W_hn (r * h_prev) + b_hn: that is "
                                      "Cho et al.'s and Keras's reset_after=False cell. PyTorch applies it after: "
                                      "r * (W_hn h_prev + b_hn)."),
            (dict(order=(1, 0, 2)), "You sliced the blocks in the order z, r, n (Keras's order). PyTorch stacks "
                                    "them r, z, n: rows [0:h] reset, [h:2h] update, [2h:3h] candidate."),
            (dict(b_hn_outside_r=True), "Your b_hn sits outside the reset gate: you add it to the candidate as it "
                                        "is (or fold it into b_in), so r scales W_hn h_prev alone. PyTorch scales "
                                        "the bias too: n = tanh(x_n + r * (W_hn h_prev + b_hn)). That is why "
                                        "b_hn cannot be merged into b_in when the reset gate acts after the "
                                        "product."),
            (dict(drop="bias_hh"), "You left out bias_hh. PyTorch adds both bias vectors; note that b_hn sits "
                                   "inside the reset gate's product."),
            (dict(drop="bias_ih"), "You left out bias_ih. PyTorch adds both bias vectors."),
        ]
        for options, message in mistakes:
            twin_h, _ = _variant(cell, **options).step(x, h_prev)
            if np.allclose(h, twin_h, rtol=1e-7, atol=1e-9):
                return wrong(message)
        _, cache = cell.step(x, h_prev)
        x_n = (x @ cell.weight_ih.T + cell.bias_ih)[:, 2 * cell.hidden_size:]
        h_n = (h_prev @ cell.weight_hh.T + cell.bias_hh)[:, 2 * cell.hidden_size:]
        r, z = cache.gates["r"], cache.gates["z"]
        reset_slips = [
            (np.tanh(x_n + h_n), "Your candidate leaves out the reset gate: n = tanh(x_n + h_n). PyTorch scales "
                                 "the recurrent term by r: n = tanh(x_n + r * (W_hn h_prev + b_hn))."),
            (np.tanh(r * (x_n + h_n)), "Your reset gate scales both terms, r * (x_n + h_n). It scales only the "
                                       "recurrent term: n = tanh(x_n + r * (W_hn h_prev + b_hn))."),
        ]
        for n_slip, message in reset_slips:
            if np.allclose(h, (1 - z) * n_slip + z * h_prev, rtol=1e-7, atol=1e-9):
                return wrong(message)
        if np.allclose(h, cache.gates["n"], rtol=1e-7, atol=1e-9):
            return wrong("You returned the candidate n_t; the new state blends it with h_prev through z.")
        return wrong("Your h differs from cells.GRUCell. Compute x @ weight_ih.T + bias_ih and h_prev @ weight_hh.T "
                     "+ bias_hh (each (B, 3h)), split each into r, z, n blocks of h columns, and check each line.")
    return right("Your step matches cells.GRUCell on random weights, inputs and biases.")
