"""The GRU chapter's checkers: reference solutions pass, typical mistakes get the right feedback, junk gets a
sentence and False (never an exception).

Reference answers here are computed independently of exercises.gru: by arithmetic written out below, or by
PyTorch (torch.nn.GRUCell, and a Keras-sized count written from the layer's shapes).
"""

import math

import numpy as np
import pytest
import torch

from exercises import gru as ex
from exercises.feedback import PLACEHOLDER
from exercises.variants import using_seed

CHECKERS = [ex.check_one_step_by_hand, ex.check_z_convention, ex.check_keras_param_count,
            ex.check_plain_rnn_gates, ex.check_update_half_life, ex.check_gru_step]


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


def run(checker, answer, capsys):
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------------ the protocol, for every checker
@pytest.mark.parametrize("checker", CHECKERS)
def test_placeholder_asks_for_an_answer(checker, capsys):
    ok, out = run(checker, ..., capsys)
    assert ok is False and out == PLACEHOLDER


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("junk", ["0.5", float("nan"), [1, 2, 3], {"a": 1}, True, object(), (None, None),
                                  np.zeros((2, 2)), lambda *args: 1 / 0])
def test_junk_gets_a_sentence_and_false(checker, junk, capsys):
    ok, out = run(checker, junk, capsys)
    assert ok is False
    assert out.startswith("Not yet.")
    assert "Traceback" not in out


# ------------------------------------------------------------------ one step by hand
def one_step_reference():
    s = ex.ONE_STEP
    r, z = sigmoid(s["a_r"]), sigmoid(s["a_z"])
    n = math.tanh(s["x_n"] + r * s["h_n"])
    return n, (1 - z) * n + z * s["h_prev"]


def test_one_step_reference(capsys):
    ok, out = run(ex.check_one_step_by_hand, one_step_reference(), capsys)
    assert ok and out.startswith("Correct.")
    ok, _ = run(ex.check_one_step_by_hand, (0.537, 0.729), capsys)  # three decimals, worked by hand
    assert ok


def test_one_step_mistakes(capsys):
    s = ex.ONE_STEP
    r, z = sigmoid(s["a_r"]), sigmoid(s["a_z"])
    n, h = one_step_reference()
    cases = [
        ((math.tanh(s["x_n"] + s["h_n"]), h), "whole recurrent term"),
        ((math.tanh(r * (s["x_n"] + s["h_n"])), h), "scales the input term too"),
        ((s["x_n"] + r * s["h_n"], h), "squashed by tanh"),
        ((n, z * n + (1 - z) * s["h_prev"]), "other convention"),
        ((n, (1 - s["a_z"]) * n + s["a_z"] * s["h_prev"]), "pre-activation a_z"),
        ((n, 0.9), "h_t is not"),
    ]
    for answer, feedback in cases:
        ok, out = run(ex.check_one_step_by_hand, answer, capsys)
        assert not ok and out.startswith("Not yet.") and feedback in out, (answer, out)
        assert f"{h:.3f}" not in out and f"{n:.3f}" not in out  # never the solution


# ------------------------------------------------------------------ z conventions
def test_z_convention_reference(capsys):
    ok, out = run(ex.check_z_convention, (1 - ex.OTHER_CONVENTION["z_prime"], -ex.OTHER_CONVENTION["bias"]), capsys)
    assert ok, out


@pytest.mark.parametrize("answer, feedback", [
    ((0.9, -2.0), "z is unchanged"),
    ((-0.9, -2.0), "between 0 and 1"),
    ((0.1, 2.0), "bias is unchanged"),
    ((0.1, -1.0), "1 - b'"),
    ((0.1, 0.5), "bias is off"),
])
def test_z_convention_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_z_convention, answer, capsys)
    assert not ok and feedback in out


# ------------------------------------------------------------------ Keras count, reset_after=False
def keras_gru(d, h, reset_after):
    weights = d * 3 * h + h * 3 * h               # kernel (d, 3h) and recurrent_kernel (h, 3h)
    return weights + (2 if reset_after else 1) * 3 * h


def test_keras_count_reference(capsys):
    n = keras_gru(20, 64, reset_after=False)
    assert n == 16_320  # by hand: 3 * 64 * 84 + 192
    ok, _ = run(ex.check_keras_param_count, n, capsys)
    assert ok
    ok, _ = run(ex.check_keras_param_count, float(n), capsys)
    assert ok


def test_keras_count_mistakes(capsys):
    d, h = 20, 64
    torch_count = sum(p.numel() for p in torch.nn.GRU(d, h).parameters())
    cases = [
        (keras_gru(d, h, reset_after=True), "reset_after=True"),
        (torch_count, "reset_after=True"),  # PyTorch has two bias vectors too
        (3 * h * (d + h), "weights only"),
        (4 * h * (d + h) + 4 * h, "LSTM"),
        (h * (d + h) + h, "plain RNN"),
        (3 * h * d + 3 * h, "recurrent weights"),
        (100 * keras_gru(d, h, False), "shared across time steps"),
        (123, "too small"),
    ]
    for answer, feedback in cases:
        ok, out = run(ex.check_keras_param_count, answer, capsys)
        assert not ok and feedback in out, (answer, out)


def test_keras_count_rejects_fractions(capsys):
    ok, out = run(ex.check_keras_param_count, 16320.5, capsys)
    assert not ok and "whole number" in out


# ------------------------------------------------------------------ plain RNN gates
def test_plain_rnn_gates_reference(capsys):
    ok, out = run(ex.check_plain_rnn_gates, {"r": 1, "z": 0}, capsys)
    assert ok, out


@pytest.mark.parametrize("answer, feedback", [
    ({"r": 1.0, "z": 1.0}, "swap z and 1 - z"),
    ({"r": 0.0, "z": 0.0}, "feed-forward layer"),
    ({"r": 1.0, "z": 0.3}, "keeps 30%"),
    ({"r": 0.5, "z": 0.0}, "only 50%"),
    ({"r": 1.0, "z": 1e-9}, "keeps 1e-07% of the old one"),   # not "0%": a tiny share is still one
    ({"r": 0.999, "z": 0.0}, "only 99.9%"),      # not "100%"
    ({"r": 2.0, "z": 0.0}, "between 0 and 1"),
])
def test_plain_rnn_gates_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_plain_rnn_gates, answer, capsys)
    assert not ok and feedback in out, out


def test_plain_rnn_gates_needs_both_keys(capsys):
    ok, out = run(ex.check_plain_rnn_gates, {"r": 1.0}, capsys)
    assert not ok and "keys 'r' and 'z'" in out


# ------------------------------------------------------------------ update-gate half-life
def half_life_bias(steps=50):
    z = 0.5 ** (1 / steps)
    return math.log(z / (1 - z))


def test_half_life_reference(capsys):
    ok, out = run(ex.check_update_half_life, half_life_bias(), capsys)
    assert ok, out
    ok, _ = run(ex.check_update_half_life, 4.27, capsys)  # two decimals, as asked
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    (-half_life_bias(), "other convention"),
    (0.5 ** (1 / 50), "gate value z"),
    (math.log(49), "linear guess"),
    (1.0, "must keep more"),
    (8.0, "lower the bias"),
])
def test_half_life_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_update_half_life, answer, capsys)
    assert not ok and feedback in out, out


# ------------------------------------------------------------------ write the step
def torch_gru_step(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """A reference solution with PyTorch's own cell."""
    module = torch.nn.GRUCell(weight_ih.shape[1], weight_hh.shape[1]).double()
    with torch.no_grad():
        for name, value in dict(weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh).items():
            getattr(module, name).copy_(torch.from_numpy(np.asarray(value)))
        return module(torch.from_numpy(x), torch.from_numpy(h_prev)).numpy()


def numpy_gru_step(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, order="rzn", convention="torch",
                   reset="after", use_bias_hh=True, use_bias_ih=True, b_hn="inside r"):
    from_x = x @ weight_ih.T + (bias_ih if use_bias_ih else 0)
    hh_bias = bias_hh if use_bias_hh else np.zeros_like(bias_hh)
    block_x = dict(zip(order, np.split(from_x, 3, axis=1)))
    w = dict(zip(order, np.split(weight_hh, 3, axis=0)))
    b = dict(zip(order, np.split(hh_bias, 3)))
    r = 1 / (1 + np.exp(-(block_x["r"] + h_prev @ w["r"].T + b["r"])))
    z = 1 / (1 + np.exp(-(block_x["z"] + h_prev @ w["z"].T + b["z"])))
    if reset == "after" and b_hn == "outside r":   # the bias added after the gate has scaled the product
        n = np.tanh(block_x["n"] + r * (h_prev @ w["n"].T) + b["n"])
    elif reset == "after" and b_hn == "in b_in":    # the bias merged into the input side's
        n = np.tanh((x @ weight_ih.T)[:, 2 * len(b["n"]):] + bias_ih[2 * len(b["n"]):] + b["n"]
                    + r * (h_prev @ w["n"].T))
    elif reset == "none":      # the reset gate forgotten
        n = np.tanh(block_x["n"] + h_prev @ w["n"].T + b["n"])
    elif reset == "both":      # the reset gate applied to both terms
        n = np.tanh(r * (block_x["n"] + h_prev @ w["n"].T + b["n"]))
    elif reset == "after":
        n = np.tanh(block_x["n"] + r * (h_prev @ w["n"].T + b["n"]))
    else:
        n = np.tanh(block_x["n"] + (r * h_prev) @ w["n"].T + b["n"])
    return (1 - z) * n + z * h_prev if convention == "torch" else z * n + (1 - z) * h_prev


def test_gru_step_references(capsys):
    for solution in (torch_gru_step, numpy_gru_step):
        ok, out = run(ex.check_gru_step, solution, capsys)
        assert ok, out


@pytest.mark.parametrize("options, feedback", [
    (dict(convention="other"), "other convention"),
    (dict(reset="before"), "before the product"),
    (dict(order="zrn"), "order z, r, n"),
    (dict(use_bias_hh=False), "left out bias_hh"),
    (dict(use_bias_ih=False), "left out bias_ih"),
    (dict(b_hn="outside r"), "b_hn sits outside the reset gate"),
    (dict(b_hn="in b_in"), "b_hn sits outside the reset gate"),
    (dict(reset="none"), "leaves out the reset gate"),
    (dict(reset="both"), "scales both terms"),
])
def test_gru_step_mistakes(options, feedback, capsys):
    ok, out = run(ex.check_gru_step, lambda *args: numpy_gru_step(*args, **options), capsys)
    assert not ok and feedback in out, out


@pytest.mark.parametrize("solution, feedback", [
    (lambda *args: (numpy_gru_step(*args), None), "returned a tuple"),
    (lambda x, h_prev, *rest: h_prev[:, :2], "of shape (4, 5)"),
    (lambda *args: "h", "got the string"),
    (lambda x, h_prev, w_ih, w_hh, b_ih, b_hh: x @ w_hh, "raised ValueError"),
    (lambda *args: np.full((4, 5), np.nan), "finite"),
])
def test_gru_step_reports_broken_functions(solution, feedback, capsys):
    ok, out = run(ex.check_gru_step, solution, capsys)
    assert not ok and out.startswith("Not yet.") and feedback in out, out


def test_gru_step_needs_a_function(capsys):
    ok, out = run(ex.check_gru_step, numpy_gru_step(np.zeros((1, 3)), np.zeros((1, 5)), np.zeros((15, 3)),
                                                    np.zeros((15, 5)), np.zeros(15), np.zeros(15)), capsys)
    assert not ok and "your function itself" in out


# ------------------------------------------------------------------ what happened, in its own sentence
def test_one_step_slips_of_form_get_their_own_sentence(capsys):
    n, h = one_step_reference()  # 0.5370..., 0.7292... with the book's numbers
    ok, out = run(ex.check_one_step_by_hand, (round(n, 2), round(h, 2)), capsys)  # two decimals
    assert not ok and out == "Not yet. " + ex.GIVE_DECIMALS
    s = ex.parameters(7)["ONE_STEP"]  # a course's numbers, where cutting off matters
    n7 = math.tanh(s["x_n"] + sigmoid(s["a_r"]) * s["h_n"])
    h7 = (1 - sigmoid(s["a_z"])) * n7 + sigmoid(s["a_z"]) * s["h_prev"]
    with using_seed(7):
        ok, out = run(ex.check_one_step_by_hand, (math.trunc(n7 * 100) / 100, math.trunc(h7 * 100) / 100), capsys)
    assert not ok and out == "Not yet. " + ex.GIVE_DECIMALS
    # three decimals, close but wrong at the third: not told to round less
    ok, out = run(ex.check_one_step_by_hand, (round(n, 3) - 0.002, round(h, 3)), capsys)
    assert not ok and out == "Not yet. " + ex.NOT_THREE_DECIMALS
    ok, out = run(ex.check_one_step_by_hand, (round(n, 3), round(h, 3) + 0.003), capsys)
    assert not ok and out == "Not yet. " + ex.NOT_THREE_DECIMALS
    ok, out = run(ex.check_one_step_by_hand, (round(h, 3), round(n, 3)), capsys)  # the pair swapped
    assert not ok and "wrong order" in out and "(n_t, h_t)" in out
    ok, out = run(ex.check_one_step_by_hand, np.array([n, h]), capsys)  # an array for a tuple
    assert ok and out.startswith("Correct.")
    ok, out = run(ex.check_one_step_by_hand, (round(n, 2) + 0.05, h), capsys)  # really off: not "close"
    assert not ok and "Close" not in out


def test_a_step_function_returning_none_is_told_so(capsys):
    ok, out = run(ex.check_gru_step, lambda *args: None, capsys)
    assert not ok and "got None" in out and "return statement" in out
