"""The vanishing-gradients chapter's checkers: every reference solution passes, typical mistakes
get the feedback written for them, and non-answers get a sentence naming what was expected.

Reference answers here are worked out independently of exercises.vanishing: by hand-written
arithmetic, by logarithms, or with PyTorch.
"""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from exercises import vanishing as ex


def run(checker, answer, capsys):
    """The checker's verdict and its printed feedback, with line wrapping undone."""
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------------ one step back by hand
def torch_one_step_back():
    """dL/dh_{t-1} by autograd: h_t = tanh(a) with a = W h_{t-1} + atanh(h_t) at h_{t-1} = 0."""
    weight = torch.tensor(ex.ONE_STEP_WEIGHT_HH)
    h_prev = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    h_t = torch.tanh(weight @ h_prev + torch.atanh(torch.tensor(ex.ONE_STEP_H_T)))
    (h_t @ torch.tensor(ex.ONE_STEP_D_H_T)).backward()
    return h_prev.grad.numpy()


def test_one_step_reference(capsys):
    by_hand = [0.5 * 0.75 * 1 + 2.0 * 0.75 * 2, -1.0 * 0.75 * 1 + 0.25 * 0.75 * 2]  # W^T (slope * g)
    assert np.allclose(by_hand, torch_one_step_back())
    ok, out = run(ex.check_one_step_back, by_hand, capsys)
    assert ok and out.startswith("Correct.")
    ok, _ = run(ex.check_one_step_back, np.array([3.375, -0.375]), capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ([0.5 * 0.75 - 1.0 * 1.5, 2.0 * 0.75 + 0.25 * 1.5], "not its transpose"),   # W, not W^T
    ([0.5 * 1 + 2.0 * 2, -1.0 * 1 + 0.25 * 2], "left out the slope of tanh"),    # W^T g
    ([0.5 * 1 - 1.0 * 2, 2.0 * 1 + 0.25 * 2], "Two things are missing"),          # W g
    ([0.5 * 0.25 + 2.0 * -0.75 * 2, -1.0 * 0.25 + 0.25 * -0.75 * 2], "slope of the logistic sigmoid"),
    ([0.5 * 0.5 + 2.0 * 1.5 * 2, -1.0 * 0.5 + 0.25 * 1.5 * 2], "(squared), not 1 - h_t"),
    ([3.0, 1.0], "Entries 0 and 1 are off"),
    ([3.375, 1.0], "Entry 1 is off"),
])
def test_one_step_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_one_step_back, answer, capsys)
    assert not ok and out.startswith("Not yet.")
    assert feedback in out
    assert "3.375" not in out and "0.375" not in out


@pytest.mark.parametrize("answer", [[3.3755, -0.3745], [3.376, -0.374], [3.374, -0.375]])
def test_one_step_accepts_three_decimals(answer, capsys):
    ok, out = run(ex.check_one_step_back, answer, capsys)
    assert ok and out.startswith("Correct.")


@pytest.mark.parametrize("answer, feedback", [
    ([3.37, -0.37], "round less"),      # 3.375 and -0.375 cut to two decimals
    ([3.38, -0.38], "round less"),      # rounded half up to two decimals
    ([3.375, -0.38], "round less"),     # one entry rounded too far
    ([3.372, -0.375], "not correct to three decimals"),   # three decimals, and off by 0.003
    ([3.37, -0.378], "not correct to three decimals"),    # a three-decimal entry misses: not a rounding slip
])
def test_one_step_near_misses_say_how_they_miss(answer, feedback, capsys):
    ok, out = run(ex.check_one_step_back, answer, capsys)
    assert not ok and feedback in out
    assert "transpose" not in out and "slope" not in out  # not told the method is wrong
    assert "3.375" not in out and "0.375" not in out


def test_one_step_prompt_states_the_precision_its_checker_applies():
    """Review of issue 20, finding 9: [3.37, -0.37] was told the method was wrong, and the prompt stated no
    precision."""
    chapter = Path(__file__).resolve().parents[2] / "chapters" / "vanishing-gradients.ipynb"
    text = next(cell.source for cell in nbformat.read(chapter, 4).cells
                if ":label: ex-vanishing-one-step" in cell.source)
    assert "three decimal places" in text


@pytest.mark.parametrize("answer, feedback", [
    ([1.0, 2.0, 3.0], "Expected dL/dh_{t-1} of shape (2,); got shape (3,)."),
    ("3.375, -0.375", "Expected dL/dh_{t-1} (numbers only); got the string '3.375, -0.375'."),
])
def test_one_step_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_one_step_back, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ steps until the bound is small
def smallest_k(gamma):
    return math.floor(math.log(1e-3) / math.log(0.9 * gamma)) + 1


def test_steps_reference(capsys):
    assert (smallest_k(1.0), smallest_k(0.25)) == (66, 5)
    ok, out = run(ex.check_steps_until_small, (66, 5), capsys)
    assert ok and out.startswith("Correct.")
    ok, _ = run(ex.check_steps_until_small, [66.0, np.int64(5)], capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ((65, 5), "k_tanh is one step short"),
    ((66, 4), "k_sigmoid is one step short"),
    ((66, 66), "k_sigmoid equals the tanh count"),
    ((10, 5), "far from 1e-3"),
    ((66, 5.5), "whole number"),
    ((70, 5), "not the smallest such k"),
    ((66, 6), "k_sigmoid is not the smallest such k"),   # one step too many: not a sign slip
    ((67, 5), "k_tanh is not the smallest such k"),
])
def test_steps_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_steps_until_small, answer, capsys)
    assert not ok and feedback in out
    if feedback.endswith("not the smallest such k"):
        assert "flips the inequality" not in out
    if answer[0] != 66:
        assert "66" not in out


def test_steps_huge_k_is_not_printed_digit_by_digit(capsys):
    ok, out = run(ex.check_steps_until_small, (1e308, 5), capsys)
    assert not ok and "k_tanh" in out and "k_sigmoid is right" in out
    assert not re.search(r"\d{20}", out) and len(out) < 400


@pytest.mark.parametrize("answer, feedback", [
    (66, "Expected a pair (k_tanh, k_sigmoid); got the int 66."),
    ((66, "five"), "Expected k_sigmoid (one number); got the string 'five'."),
])
def test_steps_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_steps_until_small, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ clip by the global norm
def test_clip_reference(capsys):
    factor = 2.6 / math.sqrt(3**2 + 4**2 + 12**2)
    answer = {"weight_hh": [[3 * factor, 0.0], [0.0, 4 * factor]], "bias_hh": [12 * factor, 0.0]}
    ok, out = run(ex.check_clip_by_global_norm, answer, capsys)
    assert ok and out.startswith("Correct.")


def test_clip_agrees_with_torch(capsys):
    params = [torch.zeros(2, 2, requires_grad=True), torch.zeros(2, requires_grad=True)]
    params[0].grad = torch.tensor([[3.0, 0.0], [0.0, 4.0]])
    params[1].grad = torch.tensor([12.0, 0.0])
    torch.nn.utils.clip_grad_norm_(params, 2.6)
    ok, _ = run(ex.check_clip_by_global_norm,
                {"weight_hh": params[0].grad.numpy(), "bias_hh": params[1].grad.numpy()}, capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ({"weight_hh": [[3, 0], [0, 4]], "bias_hh": [12, 0]}, "left the gradients unchanged"),
    ({"weight_hh": [[3 * 0.52, 0], [0, 4 * 0.52]], "bias_hh": [2.6, 0]}, "each tensor by its own norm"),
    ({"weight_hh": [[2.6, 0], [0, 2.6]], "bias_hh": [2.6, 0]}, "clipping by value"),
    ({"weight_hh": [[0.3, 0], [0, 0.4]], "bias_hh": [1.2, 0]}, "has norm 1.3"),
    ({"weight_hh": [[0.6, 0], [0, 0.8]], "bias_hh": [2.6, 0]}, "not all scaled by the same factor"),
])
def test_clip_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_clip_by_global_norm, answer, capsys)
    assert not ok and feedback in out
    assert "2.4" not in out and "0.2" not in out


@pytest.mark.parametrize("answer, feedback", [
    ({"weight_hh": [[0.6, 0], [0, 0.8]]},
     'Expected a dict with the keys "weight_hh" and "bias_hh"; got [\'weight_hh\'].'),
    ({"weight_hh": [0.6, 0.8], "bias_hh": [2.4, 0.0]},
     'Expected answer["weight_hh"] of shape (2, 2); got shape (2,).'),
])
def test_clip_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_clip_by_global_norm, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ how fast a linear RNN explodes
def test_explode_reference(capsys):
    ok, out = run(ex.check_exploding_rho, 10 ** (2 / 50), capsys)
    assert ok and out.startswith("Correct.") and "factor of 100" in out
    ok, _ = run(ex.check_exploding_rho, 1.0965, capsys)  # four decimals are enough
    assert ok


@pytest.mark.parametrize("answer", [1.096, 1.097])
def test_explode_accepts_rho_to_three_decimals(answer, capsys):
    """Issue 11, item 17: 100^(1/50) = 1.09648; both three-decimal neighbours pass."""
    assert 1.096 < 100 ** (1 / 50) < 1.097
    ok, out = run(ex.check_exploding_rho, answer, capsys)
    assert ok and out.startswith("Correct.")


@pytest.mark.parametrize("answer, feedback", [(1.095, "Make rho larger"), (1.098, "Make rho smaller")])
def test_explode_rejects_rho_off_in_the_third_decimal(answer, feedback, capsys):
    ok, out = run(ex.check_exploding_rho, answer, capsys)
    assert not ok and feedback in out


def test_explode_agrees_with_torch():
    """A linear RNN in torch: the gradient 50 steps back grows by rho^50 with W_hh = rho Q."""
    rho = 10 ** (2 / 50)
    generator = torch.Generator().manual_seed(0)
    q, _ = torch.linalg.qr(torch.randn(8, 8, generator=generator, dtype=torch.float64))
    states = [torch.randn(8, dtype=torch.float64, requires_grad=True)]
    for _ in range(50):
        states.append(rho * q @ states[-1])
    grad_last = torch.randn(8, generator=generator, dtype=torch.float64)
    (states[-1] @ grad_last).backward()
    assert math.isclose(states[0].grad.norm().item() / grad_last.norm().item(), 100, rel_tol=1e-9)


@pytest.mark.parametrize("answer, feedback", [
    (2.0, "multiply; they do not add"),
    (1.12, "Make rho smaller"),
    (1.08, "Make rho larger"),
    (0.9, "the gradient shrinks"),
    (-1.1, "positive number"),
    (50, "far too large"),
])
def test_explode_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_exploding_rho, answer, capsys)
    assert not ok and feedback in out
    assert "1.096" not in out


@pytest.mark.parametrize("answer, feedback", [
    ("1.0965", "Expected rho (one number); got the string '1.0965'."),
    (True, "Expected rho (one number); got the bool True."),
])
def test_explode_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_exploding_rho, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ three-number baseline
def test_three_reference(capsys):
    ok, out = run(ex.check_three_number_baseline, (1.5, 0.25), capsys)
    assert ok and out.startswith("Correct.")


def test_three_reference_matches_a_simulation():
    target = np.random.default_rng(0).uniform(size=(200_000, 3)).sum(axis=1)
    constant, mse = ex.three_number_reference()
    assert abs(target.mean() - constant) < 0.005
    assert abs(np.mean((target - constant) ** 2) - mse) < 0.005


@pytest.mark.parametrize("answer, feedback", [
    ((1.0, 0.25), "1 is the mean of a sum of two numbers"),
    ((1.5, 2 / 12), "two-number baseline"),
    ((1.5, 1 / 12), "variance of one uniform number"),
    ((1.5, 9 / 12), "the 3 is not squared"),
    ((1.5, 0.5), "is a standard deviation"),
    ((1.5, 0.4), "the variance of one uniform(0, 1) number is 1/12"),
    ((0.5, 0.25), "the mean of the target"),
])
def test_three_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_three_number_baseline, answer, capsys)
    assert not ok and feedback in out
    assert "0.25" not in out and "1.5" not in out.replace("1.5,", "")


@pytest.mark.parametrize("answer, feedback", [
    (0.25, "Expected a pair (best_constant, mse); got the float 0.25."),
    ((1.5, None), "Expected mse (one number); got None."),
])
def test_three_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_three_number_baseline, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ BPTT for a ReLU RNN
def relu_d_hidden(outputs, weight_hh, d_outputs):
    """The solution in the chapter."""
    d_hidden = np.zeros_like(outputs)
    d_hidden[-1] = d_outputs[-1]
    for t in range(len(outputs) - 1, 0, -1):
        delta = d_hidden[t] * (outputs[t] > 0)
        d_hidden[t - 1] = d_outputs[t - 1] + delta @ weight_hh
    return d_hidden


def test_relu_solution_agrees_with_torch():
    torch.manual_seed(0)
    rnn = torch.nn.RNN(3, 5, nonlinearity="relu", dtype=torch.float64)
    x = torch.randn(7, 2, 3, dtype=torch.float64)
    h = torch.zeros(2, 5, dtype=torch.float64)
    states = []
    for t in range(7):
        h = torch.relu(x[t] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        h.retain_grad()
        states.append(h)
    d_outputs = torch.randn(7, 2, 5, dtype=torch.float64)
    sum((d_outputs[t] * states[t]).sum() for t in range(7)).backward()
    expected = np.stack([s.grad.numpy() for s in states])
    outputs = np.stack([s.detach().numpy() for s in states])
    got = relu_d_hidden(outputs, rnn.weight_hh_l0.detach().numpy(), d_outputs.numpy())
    assert np.allclose(got, expected, atol=1e-12)


def test_relu_reference(capsys):
    ok, out = run(ex.check_relu_backward, relu_d_hidden, capsys)
    assert ok and out.startswith("Correct.")


def tanh_slope(outputs, weight_hh, d_outputs):
    d_hidden = np.zeros_like(outputs)
    d_hidden[-1] = d_outputs[-1]
    for t in range(len(outputs) - 1, 0, -1):
        d_hidden[t - 1] = d_outputs[t - 1] + (d_hidden[t] * (1 - outputs[t] ** 2)) @ weight_hh
    return d_hidden


def no_transpose(outputs, weight_hh, d_outputs):
    return relu_d_hidden(outputs, weight_hh.T, d_outputs)


def no_direct_term(outputs, weight_hh, d_outputs):
    only_last = np.zeros_like(d_outputs)
    only_last[-1] = d_outputs[-1]
    return relu_d_hidden(outputs, weight_hh, only_last)


def slope_one_step_early(outputs, weight_hh, d_outputs):
    d_hidden = np.zeros_like(outputs)
    d_hidden[-1] = d_outputs[-1]
    for t in range(len(outputs) - 1, 0, -1):
        d_hidden[t - 1] = d_outputs[t - 1] + (d_hidden[t] * (outputs[t - 1] > 0)) @ weight_hh
    return d_hidden


def linear(outputs, weight_hh, d_outputs):
    return relu_d_hidden(np.ones_like(outputs), weight_hh, d_outputs)


def slope_at_zero_too(outputs, weight_hh, d_outputs):
    """The slope tested with >= 0, true for every output of a ReLU."""
    d_hidden = np.zeros_like(outputs)
    d_hidden[-1] = d_outputs[-1]
    for t in range(len(outputs) - 1, 0, -1):
        d_hidden[t - 1] = d_outputs[t - 1] + (d_hidden[t] * (outputs[t] >= 0)) @ weight_hh
    return d_hidden


def template(outputs, weight_hh, d_outputs):
    return np.zeros_like(outputs)


def forgets_last_step(outputs, weight_hh, d_outputs):
    d_hidden = relu_d_hidden(outputs, weight_hh, d_outputs)
    d_hidden[-1] = 0.0
    return d_hidden


def wrong_in_the_middle(outputs, weight_hh, d_outputs):
    d_hidden = relu_d_hidden(outputs, weight_hh, d_outputs)
    if len(d_hidden) > 2:
        d_hidden[1] += 1.0
    return d_hidden


def transposed_shape(outputs, weight_hh, d_outputs):
    return relu_d_hidden(outputs, weight_hh, d_outputs).transpose(1, 0, 2)


def raises(outputs, weight_hh, d_outputs):
    return outputs @ np.ones((2, 2))


@pytest.mark.parametrize("answer, feedback", [
    (tanh_slope, "slope of tanh"),
    (no_transpose, "W_hh where W_hh^T belongs"),
    (no_direct_term, "dropped the direct term"),
    (slope_one_step_early, "Off by one step"),
    (linear, "the ReLU's slope is left out"),
    (slope_at_zero_too, "h >= 0, which holds everywhere for a ReLU's output"),
    (template, "all zeros"),
    (forgets_last_step, "d_hidden[T - 1] should be exactly d_outputs[T - 1]"),
    (wrong_in_the_middle, "but d_hidden[1] is not"),
    (transposed_shape, "should have shape (T, B, h)"),
    (raises, "Your function raised ValueError"),
])
def test_relu_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_relu_backward, answer, capsys)
    assert not ok and out.startswith("Not yet.") and feedback in out


def test_relu_rejects_non_functions(capsys):
    ok, out = run(ex.check_relu_backward, np.zeros((3, 1, 2)), capsys)
    assert not ok
    assert out == ("Not yet. Expected your function itself (pass relu_d_hidden, without brackets); "
                   "got an array of shape (3, 1, 2).")


# ------------------------------------------------------------------ which statements are true
def test_statements_reference(capsys):
    ok, out = run(ex.check_true_statements, {"A", "D", "E"}, capsys)
    assert ok and out.startswith("Correct.")
    ok, _ = run(ex.check_true_statements, ["e", "a", "d"], capsys)
    assert ok
    ok, _ = run(ex.check_true_statements, "A, D, E", capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ({"A", "B", "D", "E"}, "B is false: sigma_max > 1/gamma is necessary"),
    ({"A", "C", "D", "E"}, "C is false: clipping only ever shrinks"),
    ({"A", "D", "E", "F"}, "F is false: the weight gradient is a sum"),
    ({"A", "D"}, "You left out 1 true statement:"),
    (set(), "You left out 3 true statements"),
])
def test_statements_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_true_statements, answer, capsys)
    assert not ok and feedback in out
    for letter in "ADE":  # the feedback never names a true statement the reader left out
        if letter not in answer:
            assert f"{letter} is" not in out and f" {letter}," not in out


@pytest.mark.parametrize("answer, feedback", [
    ({"A", "G"}, "Expected letters A to F; got 'G'."),
    (3, 'Expected a set of letters such as {"A", "F"}; got the int 3.'),
    ({1, 2}, 'Expected a set of letters such as {"A", "F"}; got the set {1, 2}.'),
])
def test_statements_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_true_statements, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


def tanh_rnn_ratios(loss_on_every_step):
    """||dL/dh_{T-k}|| / ||dL/dh_T|| for a tanh RNN with sigma_max(W_hh) = 0.8, by torch autograd."""
    generator = torch.Generator().manual_seed(3)
    size, steps = 6, 12
    u, _ = torch.linalg.qr(torch.randn(size, size, generator=generator, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(size, size, generator=generator, dtype=torch.float64))
    weight = u @ torch.diag(torch.linspace(0.8, 0.3, size, dtype=torch.float64)) @ v.T
    states = [torch.randn(size, dtype=torch.float64, requires_grad=True)]
    inputs = torch.randn(steps, size, generator=generator, dtype=torch.float64)
    for x in inputs:
        states.append(torch.tanh(weight @ states[-1] + x))
    for h in states:
        h.retain_grad()
    readout = torch.randn(size, generator=generator, dtype=torch.float64)
    loss = sum(h @ readout for h in states[1:]) if loss_on_every_step else states[-1] @ readout
    loss.backward()
    norms = [h.grad.norm().item() for h in states]
    return [norms[-1 - k] / norms[-1] for k in range(len(states))]


def test_statement_a_is_true_when_the_loss_reads_h_T_alone():
    """Issue 11, item 18: the key says A is true; it holds for a loss on h_T alone, and may fail otherwise."""
    assert ex.STATEMENTS["A"][0] is True and "h_T alone" in ex.STATEMENTS["A"][1]
    alone = tanh_rnn_ratios(loss_on_every_step=False)
    assert all(ratio <= 0.8**k + 1e-12 for k, ratio in enumerate(alone))
    every_step = tanh_rnn_ratios(loss_on_every_step=True)
    assert every_step[1] > 0.8  # the direct term of step T-1 adds to what flows back from h_T
