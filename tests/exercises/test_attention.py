"""The attention epilogue's checkers: right answers pass, typical slips get their feedback, junk gets a
sentence and False, and no feedback gives the answer away.

Expected values are worked out by hand from the exercise texts, not taken from the checkers.
"""

import math

import numpy as np
import pytest

from exercises import attention as ex

# q = (1, 1) against m_1 = (2, 0), m_2 = (0, 1), m_3 = (-1, 0): scores 2, 1, -1.
SCORES = np.array([2.0, 1.0, -1.0])
WEIGHTS = np.exp(SCORES) / np.exp(SCORES).sum()
CONTEXT = np.array([2.0 * WEIGHTS[0] - 1.0 * WEIGHTS[2], WEIGHTS[1]])  # a_1 (2, 0) + a_2 (0, 1) + a_3 (-1, 0)
# Additive attention, h = 64, a = 32: W_q and W_m 32 x 64, v 32, W_c 64 x 128, b_c 64.
ADDITIVE_COUNT = 2 * 32 * 64 + 32 + 64 * 128 + 64


def good_weights(q, m):
    scores = m @ q
    e = np.exp(scores - scores.max())
    return e / e.sum()


def naive_weights(q, m):
    e = np.exp(m @ q)
    return e / e.sum()


def negated_weights(q, m):
    return good_weights(-q, m)


def raising_function(q, m):
    raise KeyError("oops")


def returns_nothing(q, m):
    pass


def run(checker, answer, capsys):
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


RIGHT = [
    (ex.check_weights_by_hand, WEIGHTS.round(3)),
    (ex.check_context_by_hand, list(CONTEXT.round(3))),
    (ex.check_weights_shape, (5, 3, 7)),
    (ex.check_additive_param_count, ADDITIVE_COUNT),
    (ex.check_attention_weights_function, good_weights),
    (ex.check_reversal_position, 16),
    (ex.check_bottleneck_numbers, (64, 20 * 64)),
]
CHECKERS = [checker for checker, _ in RIGHT]


@pytest.mark.parametrize("checker, answer", RIGHT, ids=[c.__name__ for c, _ in RIGHT])
def test_right_answers_pass(checker, answer, capsys):
    ok, out = run(checker, answer, capsys)
    assert ok is True and out.startswith("Correct.")


@pytest.mark.parametrize("checker, answer, feedback", [
    (ex.check_weights_by_hand, SCORES, "the scores q . m_s themselves"),
    (ex.check_weights_by_hand, [1 / 3] * 3, "Equal weights ignore the query"),
    (ex.check_weights_by_hand, SCORES / SCORES.sum(), "divided the scores by their sum"),
    (ex.check_weights_by_hand, [0.5, 0.5, 0.5], "add up to 1"),
    (ex.check_context_by_hand, [2.0, 0.0], "hard attention"),
    (ex.check_context_by_hand, [1 / 3, 1 / 3], "ignores the attention weights"),
    (ex.check_weights_shape, (5, 7, 3), "wrong order"),
    (ex.check_weights_shape, (5, 7), "batch axis"),
    (ex.check_weights_shape, (5, 3, 4), "summed away"),
    (ex.check_additive_param_count, 2 * 32 * 64 + 32, "scoring part only"),
    (ex.check_additive_param_count, 64 * 128 + 64, "combination only"),
    (ex.check_additive_param_count, ADDITIVE_COUNT - 32, "One vector is missing"),
    (ex.check_additive_param_count, 20 * ADDITIVE_COUNT, "shared by every time step"),
    (ex.check_attention_weights_function, naive_weights, "subtract the largest score"),
    (ex.check_attention_weights_function, negated_weights, "least similar"),
    (ex.check_attention_weights_function, raising_function, "raised KeyError: 'oops'"),
    (ex.check_attention_weights_function, returns_nothing, "returned None"),
    (ex.check_weights_by_hand, [0.71, 0.26, 0.04], "rounded too far"),  # two decimals: adds up to 1.01
    (ex.check_weights_by_hand, [0.70, 0.26, 0.04], "rounded too far"),  # two decimals nudged to add up to 1
    (ex.check_context_by_hand, [1.38, 0.26], "rounded too far"),
    (ex.check_weights_by_hand, [0.709, 0.256, 0.035], "check each exp"),  # three decimals, off: not rounding
    (ex.check_context_by_hand, CONTEXT[::-1].round(3), "swapped"),
    (ex.check_context_by_hand, [0.26, 1.38], "swapped"),
    (ex.check_additive_param_count, 2 * 64 * 64 + 64 + 64 * 128 + 64, "attention size to be the hidden size"),
    (ex.check_reversal_position, 15, "counted from 0"),
    (ex.check_reversal_position, 15, "20 - t"),
    (ex.check_reversal_position, 18, "the memory row the chapter's trained model reads"),
    (ex.check_reversal_position, 5, "copy"),
    (ex.check_reversal_position, 21, "positions 1 to 20"),
    (ex.check_bottleneck_numbers, (20 * 64, 64), "The other way round"),
    (ex.check_bottleneck_numbers, (20 * 64, 20 * 64), "last state"),
    (ex.check_bottleneck_numbers, (64, 64), "every encoder state"),
])
def test_typical_slips_get_specific_feedback(checker, answer, feedback, capsys):
    ok, out = run(checker, answer, capsys)
    assert ok is False and out.startswith("Not yet.")
    assert feedback in out


JUNK = ["abc", math.nan, True, [1, 2], {"a": 1}, np.zeros((2, 2)), print, object(), -math.inf, ("x", "y")]


@pytest.mark.parametrize("checker", CHECKERS, ids=[c.__name__ for c in CHECKERS])
@pytest.mark.parametrize("junk", JUNK, ids=[repr(j)[:20] for j in JUNK])
def test_junk_gets_a_sentence_and_false_never_an_exception(checker, junk, capsys):
    ok, out = run(checker, junk, capsys)
    assert ok is False
    # "in", not "startswith": print, called as the reader's function, prints first
    assert "Not yet." in out and not out.endswith("Not yet.")


@pytest.mark.parametrize("checker", CHECKERS, ids=[c.__name__ for c in CHECKERS])
def test_placeholder_asks_for_an_answer(checker, capsys):
    ok, out = run(checker, ..., capsys)
    assert ok is False and out == "Replace ... with your answer, then run the cell again."


def test_feedback_never_contains_the_answer(capsys):
    wrong_answers = [(ex.check_weights_by_hand, SCORES), (ex.check_context_by_hand, [0.0, 0.0]),
                     (ex.check_additive_param_count, 5), (ex.check_reversal_position, 3),
                     (ex.check_bottleneck_numbers, (1, 2)), (ex.check_weights_shape, (1, 2, 3))]
    secrets = [f"{WEIGHTS[0]:.3f}", f"{CONTEXT[0]:.3f}", str(ADDITIVE_COUNT), "16", "1280", "(5, 3, 7)"]
    for (checker, answer), secret in zip(wrong_answers, secrets):
        _, out = run(checker, answer, capsys)
        assert secret not in out, (checker.__name__, out)
