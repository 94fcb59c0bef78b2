"""What every checker needs: feedback lines, the unanswered placeholder, and reading a reader's answer.

The readers' answers arrive as whatever they typed: ints, floats, numpy scalars, lists, torch.Size.
These helpers turn them into plain Python values, or None when the answer is not of the expected kind,
so that each checker can say what it expected instead of failing deep inside numpy.
"""

import math
import numbers

import numpy as np


def right(message):
    print("Correct. " + message)
    return True


def wrong(message):
    print("Not yet. " + message)
    return False


def unanswered(answer):
    """True (after saying so) when the reader has not replaced the placeholder yet."""
    if answer is Ellipsis or answer is None:
        print("Replace ... with your answer, then run the cell again.")
        return True
    return False


def as_int(answer):
    """The answer as a Python int, or None when it is not a whole number."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real) and float(answer).is_integer():
        return int(answer)
    return None


def as_float(answer):
    """The answer as a Python float (a one-element array counts), or None."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        try:
            array = np.asarray(answer, dtype=float)
        except (TypeError, ValueError):
            return None
        return float(array) if array.size == 1 else None
    return float(answer)


def as_shape(answer):
    """The answer as a tuple of ints (tuples, lists and torch.Size all work), or None."""
    try:
        items = tuple(answer)
    except TypeError:
        return None
    ints = tuple(as_int(item) for item in items)
    return None if any(item is None for item in ints) else ints


def finite_number(answer, what):
    """The answer as a finite Python float; a ValueError naming ``what`` for anything else."""
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Real, np.floating, np.integer)):
        raise ValueError(f"expected {what} as a single number, got {type(answer).__name__}: {answer!r}")
    value = float(answer)
    if not math.isfinite(value):
        raise ValueError(f"expected {what} as a finite number, got {value!r}")
    return value
