"""The exercise protocol, in one place: every checker of every chapter is written with these helpers.

A checker is a function ``check_<name>(answer)`` decorated with :func:`checker`. It

- prints feedback that starts with "Correct." (:func:`right`, returns True) or "Not yet."
  (:func:`wrong`, returns False), wrapped at 76 characters so that it reads without scrolling;
- answers the placeholder ``...`` (and None, and a template that still holds ``...``, such as
  ``{"i": ..., "f": ..., "o": ...}``) with "Replace ... with your answer, then run the cell again."
  and returns False (:func:`unanswered`, done by the decorator);
- reads the answer with the ``as_...`` helpers below. When the answer is not of the expected kind
  (a string for a number, NaN, a bool, a list where a number belongs, a function that raises or
  returns junk), they raise :class:`NotAnAnswer` with one sentence saying what was expected and
  what was given; the decorator prints it after "Not yet." and returns False;
- runs a reader's function only through :func:`call_reader`, which turns whatever the function
  raises into such a sentence, naming the exception's type and message.

So a checker never raises at a reader. A mistake in a checker itself is reported politely too,
unless :data:`STRICT` is set (the tests set it, so that a checker's own bug fails a test).

Example::

    @checker
    def check_param_count(answer):
        count = as_whole_number(answer, "the number of parameters")
        if count == cells.count_params("rnn", 28, 128).total:
            return right("W_ih, W_hh and the two bias vectors.")
        return wrong("Add up W_ih, W_hh, b_ih and b_hh.")
"""

import functools
import math
import numbers
import reprlib
import textwrap

import numpy as np

__all__ = [
    "WIDTH",
    "PLACEHOLDER",
    "STRICT",
    "NotAnAnswer",
    "say",
    "right",
    "wrong",
    "unanswered",
    "checker",
    "describe",
    "call_reader",
    "as_number",
    "as_whole_number",
    "as_tuple",
    "as_shape",
    "as_array",
    "as_function",
    "rounded_too_early",
    "GIVE_DECIMALS",
]

WIDTH = 76
PLACEHOLDER = "Replace ... with your answer, then run the cell again."
NONE_GIVEN = ("Your answer is None, not a value. Replace ... with your answer; if it comes from a function, "
              "that function has no return statement.")
GIVE_DECIMALS = "Close: your numbers agree to fewer decimals. Give three decimals, rounded rather than cut off."
STRICT = False  # True: a checker's own bug raises (tests); False: it is reported as feedback (readers)

_describe = reprlib.Repr()
_describe.maxstring, _describe.maxother, _describe.maxlist, _describe.maxtuple = 40, 40, 6, 6


class NotAnAnswer(Exception):
    """Raised by the ``as_...`` helpers and :func:`call_reader`; its message is the feedback sentence."""


def say(text):
    """Print feedback wrapped at WIDTH characters."""
    print(textwrap.fill(" ".join(str(text).split()), width=WIDTH))


def right(message):
    say("Correct. " + message)
    return True


def wrong(message):
    say("Not yet. " + message)
    return False


def _has_placeholder(answer, depth=0):
    """... anywhere in the answer, as in a template such as {"i": ..., "f": ..., "o": ...}."""
    if answer is Ellipsis:
        return True
    if depth < 3 and isinstance(answer, (tuple, list, dict)):
        items = answer.values() if isinstance(answer, dict) else answer
        return any(_has_placeholder(item, depth + 1) for item in items)
    return False


def unanswered(answer):
    """True (after asking for an answer) when the reader has not replaced the placeholder: the answer
    is ..., or a template that still holds ... somewhere, such as (..., ...); or it is None, which
    gets a sentence of its own (a function without ``return`` gives None)."""
    if answer is None:
        say(NONE_GIVEN)
        return True
    if _has_placeholder(answer):
        say(PLACEHOLDER)
        return True
    return False


def checker(check):
    """Make ``check(answer)`` follow the protocol: placeholder, NotAnAnswer, and never an exception."""

    @functools.wraps(check)
    def protocol(answer):
        if unanswered(answer):
            return False
        try:
            return bool(check(answer))
        except NotAnAnswer as problem:
            return wrong(str(problem))
        except Exception as error:  # a bug in the checker: the reader still gets a sentence
            if STRICT:
                raise
            return wrong(f"The checker could not read your answer ({describe(answer)}): "
                         f"{type(error).__name__}: {error}.")

    return protocol


def describe(value):
    """A short phrase for what the reader gave: "the string 'abc'", "an array of shape (3, 3)"."""
    if value is None or value is Ellipsis:
        return repr(value) if value is None else "..."
    if callable(value) and not isinstance(value, type):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        numeric = value.dtype.kind in "fiu"
        return f"an array of shape {value.shape}" + ("" if numeric else f" and dtype {value.dtype}")
    kind = "string" if isinstance(value, str) else type(value).__name__
    return f"the {kind} {_describe.repr(value)}"


def call_reader(function, *args, context=""):
    """``function(*args)``, or NotAnAnswer naming what it raised (type and message) in one sentence."""
    try:
        return function(*args)
    except Exception as error:  # the reader's code may fail in any way: report it, do not crash
        message = " ".join(str(error).split())
        if len(message) > 200:
            message = message[:197] + "..."
        where = f" ({context})" if context else ""
        raise NotAnAnswer(f"Your function raised {type(error).__name__}: {message}{where}.") from None


def _expected(what, value):
    return NotAnAnswer(f"Expected {what}; got {describe(value)}.")


def _number(answer, what, kind):
    value = answer
    if hasattr(value, "item") and not isinstance(value, numbers.Number):  # numpy and torch arrays
        try:
            size = value.numel() if hasattr(value, "numel") else np.size(value)
            value = value.item() if size == 1 else value
        except Exception:  # an exotic array-like: treated as not a number below
            pass
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _expected(f"{what} ({kind})", answer)
    try:
        number = float(value)
    except (OverflowError, TypeError, ValueError):
        raise _expected(f"{what} (a finite number)", answer) from None
    if not math.isfinite(number):
        raise _expected(f"{what} (a finite number)", answer)
    return number


def as_number(answer, what="the answer"):
    """The answer as a finite Python float. Numbers, numpy scalars and one-element arrays count."""
    return _number(answer, what, "one number")


def as_whole_number(answer, what="the answer"):
    """The answer as a Python int; 100480.0 counts, 3.5 does not."""
    if isinstance(answer, numbers.Integral) and not isinstance(answer, (bool, np.bool_)):
        return int(answer)
    number = _number(answer, what, "a whole number")
    if not number.is_integer():
        raise _expected(f"{what} (a whole number)", answer)
    return int(number)


def as_tuple(answer, length, what):
    """The answer as a tuple of ``length`` items; a tuple, a list or a one-dimensional numpy array (not a
    string, dict or set)."""
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = tuple(answer)
    if not isinstance(answer, (tuple, list)) or len(answer) != length:
        raise _expected(what, answer)
    return tuple(answer)


def as_shape(answer, what="a shape, a tuple of whole numbers such as (2, 7)"):
    """The answer as a tuple of non-negative ints; tuples, lists and torch.Size all work."""
    if isinstance(answer, (str, bytes, dict, set, frozenset)) or not hasattr(answer, "__iter__"):
        raise _expected(what, answer)
    try:
        items = tuple(answer)
    except Exception:
        raise _expected(what, answer) from None
    shape = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral) or item < 0:
            raise _expected(what, answer)
        shape.append(int(item))
    return tuple(shape)


def as_array(answer, what, shape=None):
    """The answer as a float numpy array with finite entries (and exactly ``shape``, when given)."""
    if answer is None:  # what a function without a return statement gives
        raise NotAnAnswer(f"Expected {what}; got None (a function without a return statement returns None).")
    if isinstance(answer, (str, bytes, dict, set, frozenset)) or callable(answer):
        raise _expected(f"{what} (numbers only)", answer)
    try:
        if np.iscomplexobj(answer):  # numpy would silently drop the imaginary part
            raise TypeError("complex")
        array = np.asarray(answer, dtype=float)
    except Exception:  # strings, ragged lists, complex numbers, objects
        raise _expected(f"{what} (numbers only)", answer) from None
    if shape is not None and array.shape != tuple(shape):
        raise NotAnAnswer(f"Expected {what} of shape {tuple(shape)}; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise _expected(f"{what} (finite numbers only)", answer)
    return array


def as_function(answer, name):
    """The answer itself when it can be called; NotAnAnswer otherwise."""
    if not callable(answer) or isinstance(answer, type):
        raise _expected(f"your function itself (pass {name}, without brackets)", answer)
    return answer


def rounded_too_early(given, reference, decimals=3):
    """True when ``given`` misses ``reference`` by more than a rounding at ``decimals`` decimals but agrees
    with it to one decimal fewer: the answer rounded to fewer decimals, or cut off rather than rounded
    (then say :data:`GIVE_DECIMALS`). Check a checker's named slips first: this only says "close"."""
    gap = abs(float(given) - float(reference))
    return 0.5 * 10.0 ** -decimals < gap <= 0.5 * 10.0 ** (1 - decimals) + 1e-12
