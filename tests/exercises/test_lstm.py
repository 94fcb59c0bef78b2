"""The LSTM chapter's checkers: every reference solution passes, typical mistakes get the right feedback.

Reference answers here are computed independently of exercises.lstm: by hand-written
arithmetic, or by PyTorch.
"""

import math

import numpy as np
import pytest
import torch

import cells
from exercises import lstm as ex


def sigmoid(a):
    return 1.0 / (1.0 + math.exp(-a))


def run(checker, answer, capsys):
    """The checker's verdict and its printed feedback, with line wrapping undone."""
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


# ------------------------------------------------------------------ one step by hand
def test_one_step_reference(capsys):
    c = 0.5 * 2.0 + 0.9 * (-0.6)
    ok, out = run(ex.check_one_step_by_hand, (c, 0.8 * math.tanh(c)), capsys)
    assert ok and out.startswith("Correct.")


def test_one_step_accepts_three_decimals(capsys):
    ok, _ = run(ex.check_one_step_by_hand, (0.46, 0.344), capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ((0.9 * 2.0 + 0.5 * -0.6, 0.3), "swapped"),                # f and i exchanged
    ((0.5 * 2.0 - 0.6, 0.3), "input gate i_t scales it"),      # candidate added without i
    ((2.0 + 0.9 * -0.6, 0.3), "forget gate f_t scales"),        # old memory kept whole
    ((0.46, 0.8 * 0.46), "squashed by tanh first"),             # h = o * c
    ((0.46, math.tanh(0.8 * 0.46)), "tanh after the output gate"),
    ((0.46, 0.8 * math.tanh(2.0)), "old memory c_{t-1}"),
    ((0.46, math.tanh(0.46)), "left out the output gate"),
])
def test_one_step_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_one_step_by_hand, answer, capsys)
    assert not ok
    assert out.startswith("Not yet.")
    assert feedback in out


@pytest.mark.parametrize("answer, feedback", [
    ((0.46, 0.34), "h_t is rounded too far: round less"),   # h_t = 0.8 tanh(0.46) = 0.3442, to two decimals
    ((0.46, 0.343), "h_t is close, but not correct to three decimals"),   # 0.3442 cut off, not rounded
    ((0.46, 0.346), "h_t is close, but not correct to three decimals"),
])
def test_one_step_names_a_rounding_slip(answer, feedback, capsys):
    assert abs(answer[1] - 0.8 * math.tanh(0.46)) <= 5e-3   # each is the answer, imprecisely
    ok, out = run(ex.check_one_step_by_hand, answer, capsys)
    assert not ok and out.startswith("Not yet.") and feedback in out


def test_one_step_far_answers_are_not_told_to_round(capsys):
    ok, out = run(ex.check_one_step_by_hand, (0.46, 0.3), capsys)
    assert not ok and "round" not in out and "close" not in out


def test_one_step_feedback_never_reveals_the_answer(capsys):
    _, out = run(ex.check_one_step_by_hand, (1.5, 0.3), capsys)
    assert "0.46" not in out and "0.344" not in out


@pytest.mark.parametrize("answer, feedback", [
    (0.46, "Expected a pair (c_t, h_t); got the float 0.46."),
    (("0.46", 0.3), "Expected c_t (one number); got the string '0.46'."),
    ((0.46, math.nan), "Expected h_t (a finite number); got the float nan."),
])
def test_one_step_non_answers_say_what_was_expected(answer, feedback, capsys):
    ok, out = run(ex.check_one_step_by_hand, answer, capsys)
    assert not ok and out == "Not yet. " + feedback


# ------------------------------------------------------------------ gate recipe
def test_overwrite_reference(capsys):
    ok, out = run(ex.check_gate_recipe_overwrite, {"i": 1.0, "f": 0.0, "o": 0.0}, capsys)
    assert ok and "-0.50" in out


@pytest.mark.parametrize("answer, slip", [
    ({"i": 1, "f": 0, "o": 0.09}, "not silent"),   # issue 20: these three were accepted, but the
    ({"i": 0.95, "f": 0, "o": 0}, "only 95% of the candidate"),   # exercise asks for c_t = g_t and
    ({"i": 1, "f": 0.06, "o": 0.1}, "carries 6% of the old one"),  # h_t = 0 exactly
    ({"i": 0.99, "f": 0.01, "o": 0.02}, "not silent"),
    ({"i": 0.999, "f": 0.0, "o": 0.0}, "only 99.9% of the candidate"),
])
def test_overwrite_close_is_not_exact(answer, slip, capsys):
    ok, out = run(ex.check_gate_recipe_overwrite, answer, capsys)
    assert not ok
    assert "Close, but the exercise asks for c_t = g_t and h_t = 0 exactly" in out and slip in out


def test_overwrite_feedback_tells_a_near_miss_from_the_candidate(capsys):
    # c_t = 0.001 * 0.8 + 0.999 * -0.5 = -0.4987: shown with the digits that tell it from -0.50
    ok, out = run(ex.check_gate_recipe_overwrite, {"i": 0.999, "f": 0.001, "o": 0.0}, capsys)
    assert not ok and "c_t = -0.499, not the candidate" in out and "carries 0.1% of the old one" in out


def test_overwrite_accepts_the_recipe_up_to_rounding(capsys):
    ok, _ = run(ex.check_gate_recipe_overwrite, {"i": 1 - 1e-15, "f": 1e-15, "o": 0}, capsys)
    assert ok


@pytest.mark.parametrize("answer, feedback", [
    ({"i": 1.0, "f": 1.0, "o": 0.0}, "carries 100% of the old one"),
    ({"i": 0.0, "f": 0.0, "o": 0.0}, "0% of the candidate is written"),
    ({"i": 1.0, "f": 0.0, "o": 1.0}, "not silent"),
    ({"i": 1.5, "f": 0.0, "o": 0.0}, "between 0 and 1"),
])
def test_overwrite_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_gate_recipe_overwrite, answer, capsys)
    assert not ok and feedback in out


def test_overwrite_corrections_add_up(capsys):
    """Issue 11, item 16: two small slips (6% kept, 90% written) move c_t from -0.50 to -0.40."""
    ok, out = run(ex.check_gate_recipe_overwrite, {"i": 0.9, "f": 0.0625, "o": 0.0}, capsys)
    c_t = 0.0625 * 0.8 + 0.9 * -0.5
    assert round(c_t, 2) == -0.40
    assert not ok
    assert "c_t = -0.40, not the candidate g_t = -0.50" in out
    assert "carries 6% of the old one" in out and "only 90% of the candidate is written" in out
    assert "candidate alone" not in out


def test_overwrite_rejects_missing_gate(capsys):
    ok, out = run(ex.check_gate_recipe_overwrite, {"i": 1.0, "f": 0.0}, capsys)
    assert not ok and out.startswith('Not yet. Expected a dict with the keys "i", "f" and "o"')
    assert "got ['f', 'i']" in out


# ------------------------------------------------------------------ half-life
def smallest_four_decimal_gate():
    """By brute force: the smallest f = k / 10^4 with f^50 >= 1/2."""
    return next(k / 10_000 for k in range(10_000) if (k / 10_000) ** 50 >= 0.5)


def test_half_life_key_is_the_smallest_four_decimal_gate_that_keeps_half():
    assert smallest_four_decimal_gate() == 0.9863
    assert 0.9863**50 >= 0.5 > 0.9862**50
    assert ex.half_life_reference() == smallest_four_decimal_gate()


@pytest.mark.parametrize("answer", [0.9863, 2 ** (-1 / 50), 0.98625])
def test_half_life_accepts_the_key_and_the_exact_threshold(answer, capsys):
    ok, out = run(ex.check_forget_gate_half_life, answer, capsys)
    assert ok and out.startswith("Correct.")


@pytest.mark.parametrize("answer, feedback", [
    (0.9862, "49.92% of the memory is left after 50 steps: just under half"),  # issue 11, item 14
    (0.9858, "only 48.9% of the memory is left after 50 steps"),  # accepted before issue 11
    (0.9864, "more than half"),
])
def test_half_life_rejects_four_decimal_values_next_to_the_key(answer, feedback, capsys):
    ok, out = run(ex.check_forget_gate_half_life, answer, capsys)
    assert not ok and feedback in out


@pytest.mark.parametrize("answer, feedback", [
    (1 - 1 / 50, "linear guess"),
    (0.5, "all 50 multiplications"),
    (0.9, "must be more open"),
    (0.999, "the smallest such gate"),
    (1.2, "between 0 and 1"),
])
def test_half_life_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_forget_gate_half_life, answer, capsys)
    assert not ok and feedback in out


# ------------------------------------------------------------------ forget-bias gain
@pytest.mark.parametrize("answer", [
    (sigmoid(1.0) / sigmoid(0.0)) ** 50,  # 1.77e8
    1.8e8,  # two significant figures, as asked
    (0.73 / 0.5) ** 50,  # 1.65e8: sigma(1) rounded to 0.73, as the chapter prints it (issue 11, item 15)
    1.7e8,  # 1.65e8 to two significant figures
    1.77e8, (0.731 / 0.5) ** 50,
])
def test_bias_gain_accepts_what_two_significant_figures_allow(answer, capsys):
    ok, out = run(ex.check_forget_bias_gain, answer, capsys)
    assert ok and out.startswith("Correct.")


@pytest.mark.parametrize("answer, direction", [
    (1.5e8, "too small"), (1.9e8, "too large"), (2e8, "too large"),
    (1e8, "too small"), (1.77e9, "too large"),
])
def test_bias_gain_rejects_values_outside_that_precision(answer, direction, capsys):
    ok, out = run(ex.check_forget_bias_gain, answer, capsys)
    assert not ok and direction in out


def test_bias_gain_names_a_cut_off_second_figure(capsys):
    # (0.73 / 0.5) ** 50 = 1.6506e8 rounds to 1.7e8; cutting it off after two figures gives 1.6e8
    assert 1.65e8 < (0.73 / 0.5) ** 50 < 1.66e8
    ok, out = run(ex.check_forget_bias_gain, 1.6e8, capsys)
    assert not ok and "cut off rather than rounded" in out and "1.7e+08" in out


def test_bias_gain_precision_is_stated_for_the_chapter():
    assert ex.BIAS_GAIN_SIGNIFICANT_FIGURES == 2 and ex.BIAS_GAIN_SIGMOID_DECIMALS == 2
    assert ex.HALF_LIFE_DECIMALS == 4


@pytest.mark.parametrize("answer, feedback", [
    (sigmoid(1.0) ** 50, "with bias +1 alone"),
    (0.5 ** 50, "with bias 0"),
    (sigmoid(1.0) / 0.5, "a single step"),
    (50 * sigmoid(1.0) / 0.5, "multiply, they do not add"),
    ((sigmoid(2.0) / 0.5) ** 50, "both of PyTorch's bias vectors"),
    ((0.5 / sigmoid(1.0)) ** 50, "wrong way round"),
    (-3.0, "positive"),
    (1e3, "too small"),
])
def test_bias_gain_mistakes(answer, feedback, capsys):
    ok, out = run(ex.check_forget_bias_gain, answer, capsys)
    assert not ok and feedback in out


# ------------------------------------------------------------------ counting, PyTorch
def torch_count(module):
    return sum(p.numel() for p in module.parameters())


def test_count_torch_reference(capsys):
    n = torch_count(torch.nn.LSTM(input_size=40, hidden_size=256))
    ok, _ = run(ex.check_param_count_torch, n, capsys)
    assert ok


def test_count_torch_mistakes(capsys):
    d, h = 40, 256
    full = torch_count(torch.nn.LSTM(d, h))
    cases = [
        (full - 4 * h, "PyTorch keeps two (bias_ih and bias_hh)"),
        (torch_count(torch.nn.LSTM(d, h, bias=False)), "weights only"),
        (torch_count(torch.nn.GRU(d, h)), "a GRU's count"),
        (torch_count(torch.nn.RNN(d, h)), "plain RNN"),
        (full - 4 * h * h, "left out the recurrent weights"),
        (full - 4 * h * d, "left out the input weights"),
        (full * 100, "does not depend on the sequence length"),
        (12345, "too small"),
    ]
    for answer, feedback in cases:
        ok, out = run(ex.check_param_count_torch, answer, capsys)
        assert not ok, answer
        assert feedback in out, (answer, out)


def test_count_rejects_fractions(capsys):
    ok, out = run(ex.check_param_count_torch, 305152.5, capsys)
    assert not ok and out == "Not yet. Expected a parameter count (a whole number); got the float 305152.5."


# ------------------------------------------------------------------ counting, stacked bidirectional Keras
def keras_lstm(d, h):
    return 4 * h * (d + h) + 4 * h  # Keras: kernel, recurrent_kernel, one bias


def test_count_stacked_reference(capsys):
    n = 2 * keras_lstm(13, 100) + 2 * keras_lstm(200, 100)
    assert n == 332_000  # worked by hand in the chapter's solution
    ok, _ = run(ex.check_param_count_stacked, n, capsys)
    assert ok


def test_count_stacked_mistakes(capsys):
    first = 2 * keras_lstm(13, 100)
    torch_total = torch_count(torch.nn.LSTM(13, 100, num_layers=2, bidirectional=True))
    cases = [
        (first + 2 * keras_lstm(100, 100), "input size is 2h, not h"),
        (first + 2 * keras_lstm(13, 100), "does not read x_t"),
        (torch_total, "PyTorch's count"),
        (keras_lstm(13, 100) + keras_lstm(100, 100), "one-directional"),
        (first, "first layer only"),
    ]
    for answer, feedback in cases:
        ok, out = run(ex.check_param_count_stacked, answer, capsys)
        assert not ok, answer
        assert feedback in out, (answer, out)


# ------------------------------------------------------------------ write the step
def torch_lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
    """A reference solution that uses PyTorch's own cell."""
    module = torch.nn.LSTMCell(weight_ih.shape[1], weight_hh.shape[1]).double()
    with torch.no_grad():
        parameters = dict(weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh)
        for name, value in parameters.items():
            getattr(module, name).copy_(torch.from_numpy(np.asarray(value)))
        h, c = module(torch.from_numpy(x), (torch.from_numpy(h_prev), torch.from_numpy(c_prev)))
    return h.numpy(), c.numpy()


def numpy_lstm_step(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh, order="ifgo",
                    h_uses_tanh=True, use_bias_hh=True, candidate="tanh"):
    pre = x @ weight_ih.T + bias_ih + h_prev @ weight_hh.T + (bias_hh if use_bias_hh else 0)
    block = dict(zip(order, np.split(pre, 4, axis=1)))
    i, f, o = (1 / (1 + np.exp(-block[k])) for k in "ifo")
    g = np.tanh(block["g"]) if candidate == "tanh" else 1 / (1 + np.exp(-block["g"]))
    c = f * c_prev + i * g
    h = o * (np.tanh(c) if h_uses_tanh else c)
    return h, c


def test_lstm_step_references(capsys):
    ok, _ = run(ex.check_lstm_step, torch_lstm_step, capsys)
    assert ok
    ok, _ = run(ex.check_lstm_step, numpy_lstm_step, capsys)
    assert ok


@pytest.mark.parametrize("options, feedback", [
    (dict(order="ifog"), "order i, f, o, g"),
    (dict(order="figo"), "order f, i, g, o"),
    (dict(order="igfo"), "TensorFlow 1"),
    (dict(h_uses_tanh=False), "squash the cell state with tanh"),
    (dict(use_bias_hh=False), "left out bias_hh"),
    (dict(candidate="sigmoid"), "uses tanh, not a sigmoid"),
])
def test_lstm_step_mistakes(options, feedback, capsys):
    ok, out = run(ex.check_lstm_step, lambda *args: numpy_lstm_step(*args, **options), capsys)
    assert not ok and feedback in out


def test_lstm_step_wrong_order_of_results(capsys):
    ok, out = run(ex.check_lstm_step, lambda *args: numpy_lstm_step(*args)[::-1], capsys)
    assert not ok and "return (h, c)" in out


def test_lstm_step_reports_exceptions(capsys):
    def broken(x, h_prev, c_prev, weight_ih, weight_hh, bias_ih, bias_hh):
        return x @ weight_hh  # wrong shapes: numpy raises
    ok, out = run(ex.check_lstm_step, broken, capsys)
    assert not ok and "raised ValueError" in out


# ------------------------------------------------------------------ coupled gates
def coupled_via_torch(cell, x, state):
    """Reference: recompute the gates with torch from the cell's weights, then f = 1 - i."""
    h_prev, c_prev = (torch.from_numpy(s) for s in state)
    pre = (torch.from_numpy(x) @ torch.from_numpy(cell.weight_ih).T + torch.from_numpy(cell.bias_ih)
           + h_prev @ torch.from_numpy(cell.weight_hh).T + torch.from_numpy(cell.bias_hh))
    a_i, _a_f, a_g, a_o = pre.chunk(4, dim=1)
    i, g, o = torch.sigmoid(a_i), torch.tanh(a_g), torch.sigmoid(a_o)
    c = (1 - i) * c_prev + i * g
    return (o * torch.tanh(c)).numpy(), c.numpy()


def coupled_via_cells(cell, x, state):
    """The chapter's solution."""
    _, cache = cell.step(x, state)
    gate = cache.gates
    c, h = cells.lstm_state_update(state[1], gate["i"], 1 - gate["i"], gate["g"], gate["o"])
    return h, c


def test_coupled_references(capsys):
    for solution in (coupled_via_torch, coupled_via_cells):
        ok, out = run(ex.check_coupled_gates_step, solution, capsys)
        assert ok, out


def test_coupled_mistakes(capsys):
    def unchanged(cell, x, state):
        return cell.step(x, state)[0]

    def other_way(cell, x, state):
        gate = cell.step(x, state)[1].gates
        c, h = cells.lstm_state_update(state[1], 1 - gate["f"], gate["f"], gate["g"], gate["o"])
        return h, c

    def same_gate(cell, x, state):
        gate = cell.step(x, state)[1].gates
        c, h = cells.lstm_state_update(state[1], gate["i"], gate["i"], gate["g"], gate["o"])
        return h, c

    cases = [
        (unchanged, "still the standard LSTM step"),
        (other_way, "derived the input gate from the forget gate"),
        (same_gate, "used the input gate for both"),
        (lambda cell, x, state: coupled_via_cells(cell, x, state)[::-1], "return (h, c)"),
        (lambda cell, x, state: coupled_via_cells(cell, x, state)[0], "pair (h, c)"),
    ]
    for solution, feedback in cases:
        ok, out = run(ex.check_coupled_gates_step, solution, capsys)
        assert not ok
        assert feedback in out, out


def test_checkers_reject_non_functions(capsys):
    ok, out = run(ex.check_lstm_step, 42, capsys)
    assert not ok
    assert out == "Not yet. Expected your function itself (pass lstm_step, without brackets); got the int 42."
    ok, out = run(ex.check_coupled_gates_step, "coupled_step", capsys)
    assert not ok and "(pass coupled_step, without brackets); got the string 'coupled_step'." in out
