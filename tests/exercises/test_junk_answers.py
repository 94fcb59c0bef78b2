"""Every checker of every chapter, given junk, prints feedback and returns False; none raises.

The checkers are found, not listed: every ``check_*`` name in the ``__all__`` of every public module
of ``exercises``, so a new chapter's checker module is covered as soon as it exists. The junk covers
what readers really type or pass: strings, bools, NaN and infinities, lists where a number belongs,
dicts and sets, arrays of the wrong shape, and functions that raise, take the wrong arguments or
return junk. (conftest.py makes the checkers strict, so a checker's own bug fails here.) Each runs under
the book's numbers and under a course's seed, whose checkers compare with other numbers.
"""

import importlib
import math
import pkgutil

import numpy as np
import pytest

import exercises
from exercises import variants


def _checkers():
    found = []
    for module_info in pkgutil.iter_modules(exercises.__path__):
        if module_info.name.startswith("_") or module_info.name == "feedback":
            continue
        module = importlib.import_module(f"exercises.{module_info.name}")
        names = [name for name in getattr(module, "__all__", ()) if name.startswith("check_")]
        found += [getattr(module, name) for name in names]
    return found


CHECKERS = _checkers()


def _raises(*args, **kwargs):
    raise RuntimeError("the reader's bug")


def _generator(*args):
    yield 1


def _prints(*args):
    print("debugging output")


JUNK = {
    "empty string": "",
    "word": "abc",
    "number as string": "0.5",
    "bytes": b"1",
    "empty list": [],
    "one-item list": [0.5],
    "three-item list": [1, 2, 3],
    "pair": (1, 2),
    "ragged pair": ((1, 2), (3,)),
    "pair with a string": ("0.46", 0.3),
    "pair of nan": (math.nan, math.nan),
    "pair of bools": (True, False),
    "empty dict": {},
    "dict of a wrong key": {"a": 1},
    "gate dict of junk": {"i": "x", "f": None, "o": []},
    "gradient dict of junk": {"weight_hh": "x", "bias_hh": None},
    "empty set": set(),
    "set of numbers": {1, 2},
    "set with None": {None},
    "float": 1.5,
    "negative int": -1,
    "zero": 0,
    "int too large for a float": 10**400,
    "True": True,
    "False": False,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "numpy nan": np.float64("nan"),
    "numpy bool": np.bool_(True),
    "empty array": np.array([]),
    "3x3 array": np.zeros((3, 3)),
    "array of strings": np.array(["a", "b"]),
    "complex": 1j,
    "object": object(),
    "class": int,
    "builtin function": len,
    "numpy function": np.ones,
    "function of no arguments": lambda: None,
    "function of one argument": lambda x: x,
    "function returning None": lambda *args: None,
    "function that raises": _raises,
    "function that prints": _prints,
    "function returning a string": lambda *args: "junk",
    "function returning a ragged list": lambda *args: [[1, 2], [3]],
    "function returning a nan pair": lambda *args: (math.nan, math.nan),
    "function returning nan arrays": lambda *args: (np.full(3, np.nan), np.full(3, np.nan)),
    "function returning a dict": lambda *args: {"h": 1},
    "function returning a huge int": lambda *args: 10**400,
    "function returning objects": lambda *args: (object(), object()),
    "function returning complex": lambda *args: np.array([1j]),
    "generator function": _generator,
}


def test_every_chapter_module_is_found():
    modules = {checker.__module__ for checker in CHECKERS}
    assert {"exercises.mlp", "exercises.rnn", "exercises.vanishing", "exercises.lstm"} <= modules
    assert len(CHECKERS) >= 29


@pytest.mark.parametrize("seed", [0, 2027])
@pytest.mark.parametrize("junk", JUNK.values(), ids=JUNK.keys())
@pytest.mark.parametrize("check", CHECKERS, ids=lambda check: f"{check.__module__}.{check.__name__}")
def test_junk_gets_feedback_and_false(check, junk, seed, capsys):
    with variants.using_seed(seed):
        result = check(junk)
    out = capsys.readouterr().out
    assert result is False
    lines = [line for line in out.splitlines() if line != "debugging output"]
    assert lines and lines[0].startswith("Not yet."), out
    assert all(len(line) <= 76 for line in lines), out


@pytest.mark.parametrize("placeholder", [..., (..., ...), {"i": ..., "f": ..., "o": ...}],
                         ids=["ellipsis", "pair of ellipses", "dict template"])
@pytest.mark.parametrize("check", CHECKERS, ids=lambda check: f"{check.__module__}.{check.__name__}")
def test_the_placeholder_asks_for_an_answer(check, placeholder, capsys):
    assert check(placeholder) is False
    assert capsys.readouterr().out == "Replace ... with your answer, then run the cell again.\n"


@pytest.mark.parametrize("check", CHECKERS, ids=lambda check: f"{check.__module__}.{check.__name__}")
def test_none_gets_its_own_sentence(check, capsys):
    assert check(None) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Your answer is None") and "return statement" in out
