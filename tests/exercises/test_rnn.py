"""The checkers of the chapter "Recurrent networks": reference answers pass, typical slips get
the feedback written for them, and no feedback gives the answer away.

Expected values here are worked out by hand from the exercise texts, not taken from the checkers.
"""

import numpy as np
import pytest

from exercises import rnn

# torch.nn.RNN(28, 128): W_ih 128x28, W_hh 128x128, two biases of 128.
TORCH_COUNT = 128 * 28 + 128 * 128 + 2 * 128
# RNN(8, 16, num_layers=2, bidirectional=True): per direction 16*8+16*16+32 and 16*32+16*16+32.
BIDIR_COUNT = 2 * (16 * 8 + 16 * 16 + 32) + 2 * (16 * 32 + 16 * 16 + 32)


def unrolled_forward(x, weight_ih, weight_hh, bias_ih, bias_hh):
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    states = []
    for x_t in x:
        state = np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh)
        states.append(state)
    return np.stack(states)


def last_state_only(x, weight_ih, weight_hh, bias_ih, bias_hh):
    return unrolled_forward(x, weight_ih, weight_hh, bias_ih, bias_hh)[-1]


def without_tanh(x, weight_ih, weight_hh, bias_ih, bias_hh):
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    states = []
    for x_t in x:
        state = x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh
        states.append(state)
    return np.stack(states)


def state_never_updated(x, weight_ih, weight_hh, bias_ih, bias_hh):
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    return np.stack([np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh) for x_t in x])


def states_before_each_step(x, weight_ih, weight_hh, bias_ih, bias_hh):
    """Stores h_{t-1} instead of h_t: returns h_0, ..., h_{T-1} (review of issue 20, item 10)."""
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    states = []
    for x_t in x:
        states.append(state)
        state = np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh.T + bias_hh)
    return np.stack(states)


def without_bias_hh(x, weight_ih, weight_hh, bias_ih, bias_hh):
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    states = []
    for x_t in x:
        state = np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh.T)
        states.append(state)
    return np.stack(states)


def transposed_weights(x, weight_ih, weight_hh, bias_ih, bias_hh):
    state = np.zeros((x.shape[1], weight_hh.shape[0]))
    states = []
    for x_t in x:
        state = np.tanh(x_t @ weight_ih.T + bias_ih + state @ weight_hh + bias_hh)
        states.append(state)
    return np.stack(states)


def run(checker, answer, capsys):
    """The checker's verdict and its printed feedback, with line wrapping undone."""
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("checker, answer", [
    (rnn.check_rnn_shapes, ((4, 7, 20), (2, 4, 20))),
    (rnn.check_rnn_shapes, [[4, 7, 20], [2, 4, 20]]),
    (rnn.check_rnn_param_count, TORCH_COUNT),
    (rnn.check_params_for_long_sequences, TORCH_COUNT),
    (rnn.check_unrolled_counts, (15, 3)),
    (rnn.check_bidirectional, (32, 32, BIDIR_COUNT)),
    (rnn.check_activation_matrix, (50, 32)),
    (rnn.check_unrolled_forward, unrolled_forward),
])
def test_reference_answers_pass(checker, answer, capsys):
    result, out = run(checker, answer, capsys)
    assert result is True
    assert out.startswith("Correct.")


@pytest.mark.parametrize("checker, answer, feedback", [
    (rnn.check_rnn_shapes, ((7, 4, 20), (2, 4, 20)), "batch-first too"),
    (rnn.check_rnn_shapes, ((4, 7, 20), (4, 2, 20)), "batch_first does not apply to h_n"),
    (rnn.check_rnn_shapes, ((4, 7, 40), (2, 4, 20)), "num_layers does not widen it"),
    (rnn.check_rnn_shapes, ((4, 7, 20), (4, 20)), "one final state per layer"),
    (rnn.check_rnn_shapes, ((4, 7, 10), (2, 4, 20)), "input's shape"),
    (rnn.check_rnn_shapes, ((4, 7, 20), (4, 7, 20)), "only the last step"),
    (rnn.check_rnn_shapes, (4, 7, 20), "pair of shapes"),
    (rnn.check_rnn_param_count, 128 * 28 + 128 * 128 + 128, "Keras"),
    (rnn.check_rnn_param_count, 128 * 28 + 128 * 128, "add the biases"),
    (rnn.check_rnn_param_count, 128 * 28 + 2 * 128, "recurrent weights W_hh are missing"),
    (rnn.check_rnn_param_count, 128 * 128 + 2 * 128, "input weights W_ih are missing"),
    (rnn.check_rnn_param_count, 28 * TORCH_COUNT, "multiplied by the time steps"),  # the exercise's T = 28
    (rnn.check_rnn_param_count, 3 * TORCH_COUNT, "multiplied"),
    (rnn.check_rnn_param_count, 2 * TORCH_COUNT, "two directions"),  # 40,448: a bidirectional layer's count
    (rnn.check_params_for_long_sequences, 1000 * TORCH_COUNT, "scaled the count with the number of steps"),
    (rnn.check_params_for_long_sequences, 1000 * 128 + 128 * 128 + 2 * 128, "not the input size"),
    (rnn.check_params_for_long_sequences, 128 * 28 + 128 * 128 + 128, "Keras"),
    (rnn.check_unrolled_counts, (15, 15), "drawn copies are not separate weights"),
    (rnn.check_unrolled_counts, (15, 1), "not across layers"),
    (rnn.check_unrolled_counts, (15, 5), "share their weights"),
    (rnn.check_unrolled_counts, (5, 3), "every layer at every time step"),
    (rnn.check_unrolled_counts, 15, "pair of whole numbers"),
    (rnn.check_bidirectional, (16, 32, BIDIR_COUNT), "forward and the backward state"),
    (rnn.check_bidirectional, (32, 16, BIDIR_COUNT), "both directions' states side by side"),
    (rnn.check_bidirectional, (32, 32, (16 * 8 + 16 * 16 + 32) + (16 * 16 + 16 * 16 + 32)),
     "unidirectional count"),
    (rnn.check_bidirectional, (32, 32, 4 * (16 * 8 + 16 * 16 + 32)), "layer 2's W_ih is larger"),
    (rnn.check_activation_matrix, (32, 50), "other order"),
    (rnn.check_activation_matrix, (16, 50, 32), "includes the batch"),
    (rnn.check_activation_matrix, (50, 3), "input sequence"),
    (rnn.check_activation_matrix, (50, 16), "Which number is units"),
    (rnn.check_unrolled_forward, last_state_only, "only one step's state"),
    (rnn.check_unrolled_forward, without_tanh, "apply tanh"),
    (rnn.check_unrolled_forward, state_never_updated, "first step is right"),
    (rnn.check_unrolled_forward, transposed_weights, "recurrent term"),
    (rnn.check_unrolled_forward, states_before_each_step, "Off by one step"),
    (rnn.check_unrolled_forward, without_bias_hh, "b_hh is missing"),
    (rnn.check_unrolled_forward, lambda *args: 1 / 0, "raised ZeroDivisionError"),
])
def test_typical_slips_get_specific_feedback(checker, answer, feedback, capsys):
    result, out = run(checker, answer, capsys)
    assert result is False
    assert out.startswith("Not yet.")
    assert feedback in out


def test_skeleton_function_is_told_it_returned_nothing(capsys):
    def skeleton(x, weight_ih, weight_hh, bias_ih, bias_hh):
        ...

    result, out = run(rnn.check_unrolled_forward, skeleton, capsys)
    assert result is False
    assert "returned None" in out


@pytest.mark.parametrize("checker, wrong, secret", [
    (rnn.check_rnn_param_count, 1, "20224"),
    (rnn.check_rnn_param_count, 1, "20,224"),
    (rnn.check_params_for_long_sequences, 1000 * TORCH_COUNT, "20224"),
    (rnn.check_bidirectional, (1, 1, 1), str(BIDIR_COUNT)),
    (rnn.check_rnn_shapes, ((7, 4, 20), (4, 2, 20)), "(4, 7, 20)"),
    (rnn.check_rnn_shapes, ((7, 4, 20), (4, 2, 20)), "(2, 4, 20)"),
    (rnn.check_activation_matrix, (32, 50), "(50, 32)"),
])
def test_feedback_never_contains_the_answer(checker, wrong, secret, capsys):
    _, out = run(checker, wrong, capsys)
    assert secret not in out
