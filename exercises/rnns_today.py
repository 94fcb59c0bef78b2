"""Checkers for the exercises of the last chapter (chapters/rnns-today.ipynb): minGRU, minLSTM and the scan.

Every ``check_<name>(answer)`` follows the book's protocol (``exercises.feedback``): it prints feedback
starting with "Correct." or "Not yet.", returns True or False, answers the placeholder ``...`` with a
request for an answer, and never raises at a reader. Reference answers come from ``cells``: a step through
``cells.MinGRUCell`` and ``cells.MinLSTMCell``, compositions and scans through ``cells.scan``, counts from
``cells.count_params``, never re-derived here.
"""

import math

import numpy as np

import cells

from . import variants
from .feedback import (
    GIVE_DECIMALS,
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
    "MINGRU_STEP",
    "MINLSTM_STEP",
    "COUNT_SIZES",
    "MAPS",
    "SCAN_LENGTH",
    "TWO_UNITS",
    "parameters",
    "check_mingru_step",
    "check_minlstm_step",
    "check_mingru_param_count",
    "check_composed_map",
    "check_scan_work_depth",
    "check_two_unit_sum",
    "check_linear_scan",
]

# The numbers each exercise gives the reader; the chapter's exercise texts quote them.
# One minGRU unit: old state, the update gate's pre-activation a_z and the candidate n = W_in x + b_in.
MINGRU_STEP = {"h_prev": 0.5, "a_z": 1.0, "n": -0.4}
# One minLSTM unit: the gate values i and f (after the sigmoid), old state and candidate g.
MINLSTM_STEP = {"i": 0.6, "f": 0.9, "h_prev": 1.0, "g": -0.5}
COUNT_SIZES = {"input_size": 20, "hidden_size": 64}
# Two steps as affine maps (a, b): h -> a h + b, first then second.
MAPS = {"first": [0.5, 2.0], "second": [0.8, -1.0]}
SCAN_LENGTH = {"T": 100}
# Two minGRU units that start from h_0 = 0, whose gates are fully open (z = 1: keep) away from the markers and
# take these values at both markers.
TWO_UNITS = {"z_marker": [0.5, 0.8]}


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints.

    What each draw of another seed guarantees (tests/exercises/test_rnns_today.py asserts it):

    - MINGRU_STEP: h_prev a non-zero tenth in [-0.9, 0.9], a_z in {-2, -1, 1, 2} (so z != 1/2 and Feng et
      al.'s convention gives another h_t), n a non-zero tenth in [-1, 1] other than h_prev.
    - COUNT_SIZES: input size 8-80 and hidden size from usual ones, the count other than the book's.
    - MAPS: a_1, a_2 tenths in (0, 1] and b_1, b_2 non-zero tenths in [-2, 2], so that the composition in
      the wrong order gives a different b.
    - SCAN_LENGTH: T from 20 to 1,000 other than 100 and not a power of two.
    """
    seed = variants.active_seed() if seed is None else seed
    book = {"MINGRU_STEP": dict(MINGRU_STEP), "MINLSTM_STEP": dict(MINLSTM_STEP), "COUNT_SIZES": dict(COUNT_SIZES),
            "MAPS": {k: list(v) for k, v in MAPS.items()}, "SCAN_LENGTH": dict(SCAN_LENGTH),
            "TWO_UNITS": {"z_marker": list(TWO_UNITS["z_marker"])}}
    if seed == 0:
        return book
    rng = variants.generator(seed, "rnns_today")
    tenths = [round(0.1 * k, 1) for k in range(-10, 11) if k]
    while True:
        step = {"h_prev": float(rng.choice([v for v in tenths if abs(v) <= 0.9])),
                "a_z": float(rng.choice([-2.0, -1.0, 1.0, 2.0])), "n": float(rng.choice(tenths))}
        if step["n"] != step["h_prev"] and step != MINGRU_STEP:
            break
    book_count = cells.count_params("mingru", **COUNT_SIZES).total
    while True:
        sizes = {"input_size": int(rng.integers(8, 81)),
                 "hidden_size": int(rng.choice([16, 32, 48, 64, 96, 100, 128, 200, 256]))}
        if sizes["input_size"] != sizes["hidden_size"] and cells.count_params("mingru", **sizes).total != book_count:
            break
    while True:
        a1, a2 = (float(rng.choice([round(0.1 * k, 1) for k in range(1, 11)])) for _ in range(2))
        b1, b2 = (float(rng.choice([round(0.1 * k, 1) for k in range(-20, 21) if k])) for _ in range(2))
        maps = {"first": [a1, b1], "second": [a2, b2]}
        if abs((a2 * b1 + b2) - (a1 * b2 + b1)) > 0.05 and maps != MAPS:
            break
    while True:
        T = int(rng.integers(20, 1001))
        if T != SCAN_LENGTH["T"] and T & (T - 1):
            break
    return dict(book, MINGRU_STEP=step, COUNT_SIZES=sizes, MAPS=maps, SCAN_LENGTH={"T": T})


def _close(a, b, tol=1e-3):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _near(given, reference):
    return _close(given, reference) or rounded_too_early(given, reference)


# ---------------------------------------------------------------- one minGRU step
def _mingru_step(h_prev, a_z, n):
    """One step of a one-unit cells.MinGRUCell whose pre-activations are set through its bias -> (z, h_t)."""
    cell = cells.MinGRUCell(1, 1, rng=0)
    cell.weight_ih[:] = 0.0
    cell.bias_ih[:] = [a_z, n]
    h, cache = cell.step(np.zeros((1, 1)), np.full((1, 1), h_prev))
    return float(cache.gates["z"][0, 0]), float(h[0, 0])


@checker
def check_mingru_step(answer):
    """answer = h_t of the unit in the active seed's MINGRU_STEP, to three decimals."""
    given = as_number(answer, "h_t")
    s = parameters()["MINGRU_STEP"]
    z, h = _mingru_step(s["h_prev"], s["a_z"], s["n"])
    if _close(given, h):
        return right(f"z_t = sigma({s['a_z']:g}) = {z:.3f} of the old state is kept and {1 - z:.3f} of the "
                     "candidate written, with no tanh and no reset gate.")
    if _close(given, (1 - z) * s["h_prev"] + z * s["n"]):
        return wrong("That is Feng et al.'s convention, h_t = (1 - z) h_(t-1) + z n. This book keeps the GRU "
                     "chapter's: z near 1 keeps, h_t = z h_(t-1) + (1 - z) n_t.")
    if _close(given, z * s["h_prev"] + (1 - z) * math.tanh(s["n"])):
        return wrong("minGRU's candidate has no tanh: n_t = W_in x_t + b_in is used as it is.")
    if _close(given, s["a_z"] * s["h_prev"] + (1 - s["a_z"]) * s["n"]):
        return wrong("You used the pre-activation a_z as the gate; the gate is z_t = sigma(a_z).")
    if rounded_too_early(given, h):
        return wrong(GIVE_DECIMALS)
    return wrong("Compute z_t = sigma(a_z), then h_t = z_t h_(t-1) + (1 - z_t) n_t.")


# ---------------------------------------------------------------- one minLSTM step
def _minlstm_step(i, f, h_prev, g):
    """One step of a one-unit cells.MinLSTMCell with its gate values set through the bias -> h_t."""
    cell = cells.MinLSTMCell(1, 1, rng=0)
    cell.weight_ih[:] = 0.0
    cell.bias_ih[:] = [math.log(i / (1 - i)), math.log(f / (1 - f)), g]
    h, _ = cell.step(np.zeros((1, 1)), np.full((1, 1), h_prev))
    return float(h[0, 0])


@checker
def check_minlstm_step(answer):
    """answer = h_t of the unit in MINLSTM_STEP, to three decimals."""
    given = as_number(answer, "h_t")
    s = parameters()["MINLSTM_STEP"]
    h = _minlstm_step(**s)
    if _close(given, h):
        total = s["f"] + s["i"]
        return right(f"f' = {s['f'] / total:.2f} and i' = {s['i'] / total:.2f} add up to 1, so h_t is a weighted "
                     "average of the old state and the candidate.")
    if _close(given, s["f"] * s["h_prev"] + s["i"] * s["g"]):
        return wrong("You used f and i as they are. minLSTM divides both by their sum first: f' = f / (f + i), "
                     "i' = i / (f + i).")
    if _close(given, s["f"] * s["h_prev"] + (1 - s["f"]) * s["g"]):
        return wrong("You tied the input gate to 1 - f, as a GRU would. minLSTM keeps both gates and divides each "
                     "by their sum.")
    if rounded_too_early(given, h):
        return wrong(GIVE_DECIMALS)
    return wrong("Normalise the gates, f' = f / (f + i) and i' = i / (f + i), then h_t = f' h_(t-1) + i' g_t.")


# ---------------------------------------------------------------- parameters
@checker
def check_mingru_param_count(answer):
    """answer = the parameters of cells.MinGRU(COUNT_SIZES), biases included."""
    given = as_whole_number(answer, "the number of parameters")
    s = parameters()["COUNT_SIZES"]
    d, h = s["input_size"], s["hidden_size"]
    count = cells.count_params("mingru", d, h)
    if given == count.total:
        gru = cells.count_params("gru", d, h).total
        return right(f"{count.weights:,} weights and {count.biases:,} biases, {count.total / gru:.0%} of a GRU "
                     f"of the same size ({gru:,}).")
    if given == count.weights:
        return wrong("Those are the weights; add the bias vector bias_ih, one number per row of weight_ih.")
    if given == count.total + 2 * h * h or given == count.weights + 2 * h * h:
        return wrong("minGRU has no recurrent matrix W_hh: nothing multiplies h_(t-1) but the update gate.")
    if given == cells.count_params("gru", d, h).total:
        return wrong("That is the standard GRU. minGRU has two blocks (z and n), and only input weights.")
    if given == count.weights + h:
        return wrong("One bias per unit is too few: bias_ih has one number per row of weight_ih, 2h of them.")
    if given == cells.count_params("minlstm", d, h).total:
        return wrong("Three blocks is minLSTM (i, f, g). minGRU has two, z and n.")
    return wrong("Two blocks of h rows, z and n, each reading the d inputs, plus one bias per row.")


# ---------------------------------------------------------------- composing two steps
@checker
def check_composed_map(answer):
    """answer = (a, b) of the map 'first, then second' of MAPS."""
    a_given, b_given = (as_number(v, what) for v, what in zip(as_tuple(answer, 2, "a pair (a, b)"), ("a", "b")))
    maps = parameters()["MAPS"]
    a, b = cells.scan.combine(tuple(maps["first"]), tuple(maps["second"]))
    if _close(a_given, a) and _close(b_given, b):
        return right("Apply the first map, then the second: a2 (a1 h + b1) + b2 = (a2 a1) h + (a2 b1 + b2).")
    wrong_order = cells.scan.combine(tuple(maps["second"]), tuple(maps["first"]))
    if _close(a_given, wrong_order[0]) and _close(b_given, wrong_order[1]):
        return wrong("That is the second map first. The order matters for b: the first step's b1 is "
                     "multiplied by the second step's a2.")
    if _close(a_given, a):
        return wrong("a is right. For b, write a2 (a1 h + b1) + b2 and collect what does not multiply h.")
    return wrong("Substitute: the first map gives a1 h + b1, and the second map is applied to that.")


# ---------------------------------------------------------------- work and depth
@checker
def check_scan_work_depth(answer):
    """answer = (combines, steps) of the scan on SCAN_LENGTH maps, counted as the chapter and its widget count."""
    work, depth = (as_whole_number(v, what) for v, what in
                   zip(as_tuple(answer, 2, "a pair (combines, steps)"), ("the combines", "the steps")))
    T = parameters()["SCAN_LENGTH"]["T"]
    levels = cells.scan.scan_levels(T)
    N = levels["size"]
    ref_work = sum(len(level) for level in levels["up"] + levels["down"]) + T
    ref_depth = len(levels["up"]) + len(levels["down"]) + 1
    if (work, depth) == (ref_work, ref_depth):
        return right(f"N = {N}: {N - 1} combines up, {N - 1} down and {T} to apply them, in "
                     f"{len(levels['up'])} + {len(levels['down'])} + 1 steps; the loop needs {T} of each.")
    if depth == ref_depth and work == 2 * (T - 1) + T:
        return wrong(f"The depth is right. The tree works on N = {N} maps, T rounded up to a power of two, so "
                     "each sweep has N - 1 combines.")
    if (work, depth) == (2 * (N - 1), ref_depth - 1):
        return wrong("You counted the two sweeps; add the last step, which applies each prefix to map t.")
    if work == ref_work and depth == ref_depth - 1:
        return wrong("The work is right. The last step, which applies every prefix to map t at once, is one more "
                     "step of depth after the two sweeps.")
    if depth == ref_depth:
        return wrong("The depth is right. Work: N - 1 combines up, N - 1 down, then T, with N = T rounded up to a "
                     "power of two.")
    return wrong("Round T up to a power of two, N. Each sweep has log2(N) levels and N - 1 combines; the last "
                 "step adds one level and T combines.")


# ---------------------------------------------------------------- two units add
def _unit_states(z_marker, values, T=12, first=2, second=8):
    """h_T of minGRU units with z = 1 off the markers and z_marker at both, candidate = the value (cells.scan)."""
    rows = []
    for z_m in z_marker:
        a = np.ones((T, len(values)))
        a[[first, second]] = z_m
        b = np.zeros((T, len(values)))
        b[first], b[second] = (1 - z_m) * values[:, 0], (1 - z_m) * values[:, 1]
        rows.append(cells.scan.sequential(a, b, np.zeros(len(values)))[-1])
    return np.stack(rows, axis=1)


@checker
def check_two_unit_sum(answer):
    """answer = (c_1, c_2): head weights with c_1 h_T(1) + c_2 h_T(2) = v_1 + v_2 for the units of TWO_UNITS."""
    c = np.array([as_number(v, f"c_{k + 1}") for k, v in enumerate(as_tuple(answer, 2, "a pair (c_1, c_2)"))])
    z_marker = parameters()["TWO_UNITS"]["z_marker"]
    values = np.random.default_rng(0).uniform(0, 1, size=(200, 2))
    states = _unit_states(z_marker, values)
    error = np.abs(states @ c - values.sum(axis=1)).max()
    if error < 2e-3:
        return right("The head combines two unequal weightings of v_1 and v_2 into equal ones; neither unit "
                     "alone can weigh them equally.")
    if np.abs(states @ c[::-1] - values.sum(axis=1)).max() < 2e-3:
        return wrong("Your two weights are the right numbers in the wrong order: c_1 belongs to the unit with "
                     f"z = {z_marker[0]:g} at the markers, c_2 to the one with z = {z_marker[1]:g}.")
    first_only = np.abs(states @ c - values[:, 0]).max() < 2e-3
    second_only = np.abs(states @ c - values[:, 1]).max() < 2e-3
    if first_only or second_only:
        return wrong(f"Your head reads v_{1 if first_only else 2} alone. Both numbers need weight 1.")
    return wrong(f"Off by up to {error:.3f} on random values. Write h_T = (1 - z) z v_1 + (1 - z) v_2 for each "
                 "unit and solve the two equations 'weight of v_1 = 1' and 'weight of v_2 = 1'.")


# ---------------------------------------------------------------- writing the scan
@checker
def check_linear_scan(answer):
    """answer = a function linear_scan(a, b, h0) -> all h_t, (T, ...) like a and b."""
    function = as_function(answer, "linear_scan")
    rng = np.random.default_rng(1)
    for T, shape in ((1, (3,)), (7, (2, 3)), (50, (4,))):
        a, b, h0 = rng.uniform(0, 1.1, (T,) + shape), rng.normal(size=(T,) + shape), rng.normal(size=shape)
        expected = cells.scan.sequential(a, b, h0)
        got = as_array(call_reader(function, a, b, h0, context="linear_scan(a, b, h0)"), "what linear_scan returns")
        if got.shape != expected.shape:
            if got.shape == (T + 1,) + shape:
                return wrong("Your result has T + 1 rows: leave h_0 out; h_1 .. h_T only.")
            return wrong(f"For a and b of shape {a.shape} the result should have that shape too; got {got.shape}.")
        if not np.allclose(got, expected, atol=1e-9):
            if np.allclose(got, cells.scan.sequential(a, b, np.zeros(shape)), atol=1e-9):
                return wrong("Your h_t start from zero; start from h0.")
            if T > 1 and np.allclose(got, np.broadcast_to(got[-1], got.shape), atol=1e-12):
                return wrong("Every row of your result is the last state: the list holds one array that the loop "
                             "changed in place (h *= a). Build a new array each step, h = a_t * h + b_t, or copy it.")
            return wrong(f"Off by up to {np.abs(got - expected).max():.3g} at T = {T}: h_t = a_t h_(t-1) + b_t.")
    return right("Your scan agrees with cells.scan.sequential. Any grouping of the combines gives the same h_t.")
