"""The language-model chapter's checkers: reference solutions pass, typical mistakes get the right feedback, junk
gets a sentence and False (never an exception). References are computed here independently of the checkers:
math.log2, a softmax written out, PyTorch's parameter count, numpy's corrcoef, a depth counted by hand."""

import math

import numpy as np
import pytest
import torch

from exercises import language_model as ex
from exercises.feedback import PLACEHOLDER

CHECKERS = [ex.check_bits_uniform, ex.check_temperature, ex.check_lm_param_count, ex.check_depth_labels,
            ex.check_pearson, ex.check_balanced]


def run(checker, answer, capsys):
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("checker", CHECKERS)
def test_placeholder_asks_for_an_answer(checker, capsys):
    ok, out = run(checker, ..., capsys)
    assert ok is False and out == PLACEHOLDER


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("junk", ["0.5", float("nan"), [1, 2, 3], True, object(), lambda *args: 1 / 0,
                                  lambda *args: "x", lambda *args: None])
def test_junk_gets_a_sentence_and_false(checker, junk, capsys):
    ok, out = run(checker, junk, capsys)
    assert ok is False and out.startswith("Not yet.") and "Traceback" not in out


def test_bits_uniform(capsys):
    assert run(ex.check_bits_uniform, 2.807, capsys)[0]
    for answer, feedback in [(math.log(7), "nats"), (1 / 7, "probability"), (math.log10(7), "base 10"),
                             (2.81, "decimals"), (3.0, "Not quite")]:
        ok, out = run(ex.check_bits_uniform, answer, capsys)
        assert not ok and feedback in out, (answer, out)
        assert "2.807" not in out


def test_temperature(capsys):
    p = math.exp(4) / (math.exp(4) + math.exp(2) + 1)
    assert run(ex.check_temperature, round(p, 3), capsys)[0]
    at_one = math.exp(2) / (math.exp(2) + math.exp(1) + 1)
    times = math.exp(1) / (math.exp(1) + math.exp(0.5) + 1)
    for answer, feedback in [(at_one, "temperature 1"), (times, "multiplied"), (1.5, "between 0 and 1"),
                             (0.87, "decimals")]:
        ok, out = run(ex.check_temperature, answer, capsys)
        assert not ok and feedback in out, (answer, out)
        assert f"{p:.3f}" not in out


def torch_count(V, h):
    layer, head = torch.nn.LSTM(V, h), torch.nn.Linear(h, V)
    return sum(p.numel() for m in (layer, head) for p in m.parameters())


def test_lm_param_count(capsys):
    reference = torch_count(96, 64)
    assert reference == 47_712
    assert run(ex.check_lm_param_count, reference, capsys)[0]
    layer = sum(p.numel() for p in torch.nn.LSTM(96, 64).parameters())
    gru = sum(p.numel() for p in torch.nn.GRU(96, 64).parameters()) + 64 * 96 + 96
    for answer, feedback in [(layer, "LSTM alone"), (reference - 4 * 64, "Keras"), (reference - 96, "bias too"),
                             (reference + 96 * 64, "embedding"), (gru, "GRU"), (1000, "too small")]:
        ok, out = run(ex.check_lm_param_count, answer, capsys)
        assert not ok and feedback in out, (answer, out)
        assert f"{reference:,}" not in out


def right_depth(text):
    depth, labels = 0, []
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        labels.append(depth)
    return labels


def test_depth_labels(capsys):
    assert run(ex.check_depth_labels, right_depth, capsys)[0]
    assert run(ex.check_depth_labels, lambda text: np.array(right_depth(text)), capsys)[0]
    before = lambda text: [0] + right_depth(text)[:-1]  # noqa: E731
    clipped = lambda text: [max(d, 0) for d in right_depth(text)]  # noqa: E731
    short = lambda text: right_depth(text)[:-1]  # noqa: E731
    for answer, feedback in [(before, "before each character"), (clipped, "below 0"), (short, "one label")]:
        ok, out = run(ex.check_depth_labels, answer, capsys)
        assert not ok and feedback in out, out


def test_pearson(capsys):
    def pearson(values, labels):
        return np.array([np.corrcoef(values[:, j], labels)[0, 1] for j in range(values.shape[1])])

    assert run(ex.check_pearson, pearson, capsys)[0]
    covariance = lambda v, y: ((v - v.mean(0)) * (y - y.mean())[:, None]).mean(0)  # noqa: E731
    for answer, feedback in [(covariance, "covariance"), (lambda v, y: np.abs(pearson(v, y)), "sign"),
                             (lambda v, y: (v * y[:, None]).sum(0) / np.sqrt((v ** 2).sum(0) * (y ** 2).sum()),
                              "means first"),
                             (lambda v, y: pearson(v, y)[:2], "one r per unit"),
                             (lambda v, y: pearson(v, y) * 0.9, "off by")]:
        ok, out = run(ex.check_pearson, answer, capsys)
        assert not ok and feedback in out, out


def test_balanced(capsys):
    def is_balanced(line):
        depth = 0
        for character in line:
            depth += (character == "(") - (character == ")")
            if depth < 0:
                return False
        return depth == 0

    assert run(ex.check_balanced, is_balanced, capsys)[0]
    ok, out = run(ex.check_balanced, lambda line: line.count("(") == line.count(")"), capsys)
    assert not ok and "nothing open" in out
    ok, out = run(ex.check_balanced, lambda line: True, capsys)
    assert not ok and "should be False" in out
    ok, out = run(ex.check_balanced, lambda line: 1, capsys)
    assert not ok and "True or False" in out
