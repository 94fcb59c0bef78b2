"""Synthetic long-memory tasks and the score of the best guess that remembers nothing.

All inputs are time-major, x of shape (T, num_samples, features), ready for the layers.

Adding problem (Hochreiter and Schmidhuber 1997; the variant of Le et al. 2015):
    x[..., 0] = values, uniform in [0, 1);  x[..., 1] = markers, exactly two 1s per sequence,
    one in the first half and one in the second;  y = the sum of the two marked values.
    Baseline: a network that ignores x can do no better than predict E[y] = 1, which scores
    MSE = Var(u_1 + u_2) = 2 * (1/12) = 1/6 ~ 0.167.

Copy memory (Arjovsky et al. 2016): ten symbols from {1..8}, then T - 1 blanks (0), then the
    delimiter 9, then ten more blanks; the target is blank for T + 10 steps and then the ten
    symbols. Length T + 20. Baseline: predict blank until the delimiter, then a uniform guess
    among 8 symbols for the last ten steps: cross-entropy 10 ln 8 / (T + 20).

Temporal order (Hochreiter and Schmidhuber 1997, task 6a): random distractors a, b, c, d, a
    start symbol B and an end symbol E, and two relevant symbols X or Y, one at a time in
    [0.1 T, 0.2 T) and one in [0.5 T, 0.6 T). The class (XX, XY, YX, YY) is read at the end.
    Baseline: chance, cross-entropy ln 4 (accuracy 1/4).
"""

import numpy as np

from ._validation import as_generator, check_positive_int

COPY_BLANK, COPY_DELIMITER = 0, 9
TEMPORAL_SYMBOLS = ("a", "b", "c", "d", "X", "Y", "B", "E")


def adding_problem(num_samples, T, rng=None):
    """-> x (T, num_samples, 2) [values, markers], y (num_samples, 1) the sum of the marked values."""
    num_samples = check_positive_int("num_samples", num_samples)
    T = check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2 (one marker in each half); got T={T}")
    rng = as_generator(rng)
    values = rng.uniform(0.0, 1.0, size=(T, num_samples))
    markers = np.zeros((T, num_samples))
    columns = np.arange(num_samples)
    markers[rng.integers(0, T // 2, num_samples), columns] = 1.0
    markers[rng.integers(T // 2, T, num_samples), columns] = 1.0
    x = np.stack([values, markers], axis=2)
    y = (values * markers).sum(axis=0)[:, None]
    return x, y


def adding_problem_baseline():
    """MSE of always predicting 1: the variance of a sum of two independent U(0, 1) values."""
    return 2 * (1.0 / 12.0)


def copy_memory(num_samples, T, rng=None, num_symbols=8, copy_length=10):
    """-> x (T + 2L, num_samples, num_symbols + 2) one-hot, y (T + 2L, num_samples) class indices.

    L = copy_length. Input classes: 0 blank, 1..num_symbols symbols, num_symbols + 1 delimiter;
    target classes 0..num_symbols (blank or a symbol).
    """
    num_samples = check_positive_int("num_samples", num_samples)
    T = check_positive_int("T", T)
    num_symbols = check_positive_int("num_symbols", num_symbols)
    copy_length = check_positive_int("copy_length", copy_length)
    rng = as_generator(rng)
    length = T + 2 * copy_length
    symbols = rng.integers(1, num_symbols + 1, size=(copy_length, num_samples))
    inputs = np.zeros((length, num_samples), dtype=np.int64)
    inputs[:copy_length] = symbols
    inputs[T + copy_length - 1] = num_symbols + 1  # the delimiter: "start copying now"
    targets = np.zeros((length, num_samples), dtype=np.int64)
    targets[-copy_length:] = symbols
    x = np.eye(num_symbols + 2)[inputs]
    return x, targets


def copy_memory_baseline(T, num_symbols=8, copy_length=10):
    """Cross-entropy of the memoryless strategy: copy_length * ln(num_symbols) / (T + 2 copy_length)."""
    T = check_positive_int("T", T)
    return copy_length * np.log(num_symbols) / (T + 2 * copy_length)


def temporal_order(num_samples, T, rng=None):
    """-> x (T, num_samples, 8) one-hot over a, b, c, d, X, Y, B, E; y (num_samples,) class 0..3.

    Class = 2 * [first relevant symbol is Y] + [second is Y]: XX 0, XY 1, YX 2, YY 3.
    """
    num_samples = check_positive_int("num_samples", num_samples)
    T = check_positive_int("T", T)
    if T < 10:
        raise ValueError(f"the temporal-order task needs T >= 10 to place its symbols; got T={T}")
    rng = as_generator(rng)
    symbols = rng.integers(0, 4, size=(T, num_samples))  # distractors a..d
    symbols[0], symbols[-1] = 6, 7  # B and E
    columns = np.arange(num_samples)
    first_time = rng.integers(int(0.1 * T), max(int(0.2 * T), int(0.1 * T) + 1), num_samples)
    second_time = rng.integers(int(0.5 * T), max(int(0.6 * T), int(0.5 * T) + 1), num_samples)
    first_is_y, second_is_y = rng.integers(0, 2, num_samples), rng.integers(0, 2, num_samples)
    symbols[first_time, columns] = 4 + first_is_y
    symbols[second_time, columns] = 4 + second_is_y
    return np.eye(8)[symbols], 2 * first_is_y + second_is_y


def temporal_order_baseline():
    """Cross-entropy of guessing uniformly among the four classes: ln 4."""
    return float(np.log(4))


def digit_reversal(num_samples, length, rng=None, num_digits=10):
    """-> source (length, num_samples) random digits 0..num_digits-1, target the same reversed in time.

    Reversal (Sutskever et al. 2014 reversed their inputs to shorten the path from a word to its
    translation): output step t must recall input step length + 1 - t. A model that remembers
    nothing scores token accuracy 1 / num_digits by guessing.
    """
    num_samples = check_positive_int("num_samples", num_samples)
    length = check_positive_int("length", length)
    num_digits = check_positive_int("num_digits", num_digits)
    source = as_generator(rng).integers(0, num_digits, size=(length, num_samples))
    return source, source[::-1].copy()
