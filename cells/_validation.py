"""Checks on what callers pass in, so that mistakes surface as a clear ValueError.

Every message names what was expected and what was given. Arrays are never broadcast:
a shape that does not match exactly is an error, because silent broadcasting in a
recurrent network produces plausible-looking numbers that are simply wrong.
"""

import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def check_positive_int(name, value):
    """Return `value` as an int if it is a positive integer (bools are refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def check_choice(name, value, choices):
    """Return `value` if it is one of `choices`."""
    if not isinstance(value, str) or value not in choices:
        expected = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {expected}; got {value!r}")
    return value


def check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_dtype(dtype):
    """The parameter dtype of a cell or layer: float32 or float64."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64; got {dtype!r}") from None
    if dtype not in [np.dtype(d) for d in FLOAT_DTYPES]:
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    return dtype


def as_generator(rng):
    """None (fresh entropy), an int seed, or an existing np.random.Generator."""
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise ValueError(f"rng must be None, an int seed or a numpy.random.Generator; got {rng!r}")


def _describe(shape):
    return "(" + ", ".join("?" if s is None else str(s) for s in shape) + ")"


def check_array(name, value, shape, dtype=np.float64, labels=None):
    """Return `value` as a finite array of `dtype` with exactly `shape`.

    `shape` is a tuple whose entries are ints or None (any length). `labels` are the
    symbolic names of the axes, e.g. ("T", "B", "d"), used in the message.
    Real numbers of any precision are accepted and converted to `dtype` (None: keep the
    float precision given); bools, complex
    numbers, strings and objects are refused.
    """
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold real numbers; got an array of dtype {array.dtype}")
    expected = _describe(shape)
    if labels is not None:
        expected = "(" + ", ".join(labels) + ") = " + expected
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        raise ValueError(f"{name} must have shape {expected}; got {tuple(array.shape)}")
    if dtype is None:  # keep a float precision as given; integers become float64
        dtype = array.dtype if array.dtype.kind == "f" else np.float64
    array = array.astype(dtype, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite; it contains NaN or infinity")
    return array


def check_same_shapes(names, arrays):
    """Elementwise maths on several arrays: all must have the same shape, nothing broadcasts."""
    arrays = [check_array(n, a, np.shape(a), dtype=None) for n, a in zip(names, arrays)]
    first = arrays[0].shape
    for name, array in zip(names[1:], arrays[1:]):
        if array.shape != first:
            raise ValueError(
                f"{names[0]} and {name} must have the same shape (no broadcasting); "
                f"got {first} and {array.shape}"
            )
    return arrays
