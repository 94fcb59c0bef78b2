"""The exercise protocol, pinned once: exercises.feedback, which every checker is written with."""

import math

import numpy as np
import pytest
import torch

from exercises import feedback
from exercises.feedback import (
    NotAnAnswer,
    as_array,
    as_function,
    as_number,
    as_shape,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    describe,
    right,
    rounded_too_early,
    wrong,
)


@checker
def check_half(answer):
    """A checker written as the protocol asks: 0.5 is right."""
    if as_number(answer, "a probability") == 0.5:
        return right("Half.")
    return wrong("Think of a fair coin.")


def test_right_and_wrong_print_their_first_word_and_return_a_bool(capsys):
    assert right("Well done.") is True
    assert capsys.readouterr().out == "Correct. Well done.\n"
    assert wrong("Look again.") is False
    assert capsys.readouterr().out == "Not yet. Look again.\n"


def test_feedback_is_wrapped_at_76_characters(capsys):
    wrong("word " * 60)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 3
    assert max(len(line) for line in lines) <= 76
    assert lines[0].startswith("Not yet. word")


@pytest.mark.parametrize("placeholder", [..., (..., 0.3), [[1, ...]], {"i": ..., "f": 0.0, "o": 0.0}])
def test_the_placeholder_asks_for_an_answer_and_returns_false(placeholder, capsys):
    assert check_half(placeholder) is False
    assert capsys.readouterr().out == "Replace ... with your answer, then run the cell again.\n"


def test_none_is_not_taken_for_the_placeholder(capsys):
    # answer = my_function() where my_function has no return statement
    assert check_half(None) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Your answer is None") and "return statement" in out


def test_none_inside_an_answer_says_where_it_may_come_from():
    with pytest.raises(NotAnAnswer, match=r"got None \(a function without a return statement"):
        as_array(None, "the new state h")
    with pytest.raises(NotAnAnswer, match="got None"):
        as_number(None, "h_t")


def test_a_one_dimensional_array_is_a_tuple():
    assert as_tuple(np.array([0.5, 0.25]), 2, "a pair") == (0.5, 0.25)
    with pytest.raises(NotAnAnswer):
        as_tuple(np.zeros((2, 2)), 2, "a pair")


@pytest.mark.parametrize(("given", "close"), [(0.54, True), (0.536, True), (0.5373, False), (0.53705, False),
                                              (0.53, False), (0.5, False)])
def test_rounded_too_early(given, close):
    # reference 0.53705: two decimals (0.54) or cut off (0.536) are close; 0.5373 and 0.53705 are within a
    # rounding at three decimals; 0.53 is off by more than a rounding at two.
    assert rounded_too_early(given, 0.53705) is close


def test_a_decorated_checker_keeps_its_name_and_docstring():
    assert check_half.__name__ == "check_half"
    assert "fair" not in check_half.__doc__ and "protocol asks" in check_half.__doc__


@pytest.mark.parametrize("answer, expected, given", [
    ("0.5", "Expected a probability (one number)", "got the string '0.5'"),
    (True, "Expected a probability (one number)", "got the bool True"),
    ([0.5], "Expected a probability (one number)", "got the list [0.5]"),
    (math.nan, "Expected a probability (a finite number)", "got the float nan"),
    (-math.inf, "(a finite number)", "got the float -inf"),
    pytest.param(10**400, "(a finite number)", "got the int", id="int-too-large-for-a-float"),
    (np.zeros(3), "(one number)", "got an array of shape (3,)"),
    (print, "(one number)", "got the function print"),
])
def test_a_malformed_answer_gets_what_was_expected_and_what_was_given(answer, expected, given, capsys):
    assert check_half(answer) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Not yet. Expected a probability")
    assert expected in out and given in out


@pytest.mark.parametrize("answer", [0.5, np.float32(0.5), np.array(0.5), np.array([0.5]), torch.tensor(0.5)])
def test_numbers_from_python_numpy_and_torch_are_numbers(answer, capsys):
    assert check_half(answer) is True
    assert capsys.readouterr().out.startswith("Correct.")


def test_whole_numbers():
    assert as_whole_number(100480.0, "a count") == 100480
    assert as_whole_number(np.int64(7), "a count") == 7
    for junk in (3.5, "7", True, [7]):
        with pytest.raises(NotAnAnswer, match="Expected a count"):
            as_whole_number(junk, "a count")


def test_tuples_and_shapes():
    assert as_tuple([1, "x"], 2, "a pair") == (1, "x")
    for junk in ("ab", {1: 2, 3: 4}, {1, 2}, (1, 2, 3), 12):
        with pytest.raises(NotAnAnswer, match="Expected a pair"):
            as_tuple(junk, 2, "a pair")
    assert as_shape(torch.Size([8, 3])) == (8, 3)
    assert as_shape([np.int64(2), 7]) == (2, 7)
    for junk in ("8x3", (8.5, 3), (True, 3), (-1, 3), 8, {8: 3}):
        with pytest.raises(NotAnAnswer, match="Expected a shape"):
            as_shape(junk)


def test_arrays():
    np.testing.assert_array_equal(as_array([[1, 2], [3, 4]], "W", shape=(2, 2)), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(NotAnAnswer, match=r"of shape \(2,\); got shape \(3,\)"):
        as_array([1, 2, 3], "a gradient", shape=(2,))
    for junk in ("12", [1, "a"], [[1, 2], [3]], [1, math.nan], np.array([1j]), {"a": 1}, print):
        with pytest.raises(NotAnAnswer, match="Expected a gradient"):
            as_array(junk, "a gradient")


def test_functions():
    assert as_function(len, "step") is len
    for junk in (42, "step", int):
        with pytest.raises(NotAnAnswer, match=r"your function itself \(pass step, without brackets\)"):
            as_function(junk, "step")


def test_call_reader_reports_the_exception_type_and_message_in_one_sentence():
    def broken(x):
        return np.ones((2, 3)) @ np.ones((2, 3))

    assert call_reader(lambda x: x + 1, 1) == 2
    with pytest.raises(NotAnAnswer) as problem:
        call_reader(broken, 1, context="case 2")
    sentence = str(problem.value)
    assert sentence.startswith("Your function raised ValueError: matmul")
    assert sentence.endswith("(case 2).")
    assert "\n" not in sentence
    with pytest.raises(NotAnAnswer, match="raised TypeError"):
        call_reader(lambda: None, 1)  # called with the wrong number of arguments


def test_a_checker_that_breaks_reports_a_sentence_unless_strict(monkeypatch, capsys):
    @checker
    def check_buggy(answer):
        return {}["missing"]

    monkeypatch.setattr(feedback, "STRICT", False)
    assert check_buggy(1) is False
    out = " ".join(capsys.readouterr().out.split())
    assert out.startswith("Not yet. The checker could not read your answer (the int 1): KeyError")
    monkeypatch.setattr(feedback, "STRICT", True)
    with pytest.raises(KeyError):
        check_buggy(1)


def test_describe():
    assert describe("abc") == "the string 'abc'"
    assert describe(None) == "None"
    assert describe(np.ones((3, 3))) == "an array of shape (3, 3)"
    assert len(describe(list(range(1000)))) < 60
