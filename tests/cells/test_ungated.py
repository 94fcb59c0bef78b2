"""The ablation cell for "why gates?": its equations, its gradients, and the gradient-norm helper."""

import numpy as np

import cells


def test_ungated_step_follows_its_equations():
    cell = cells.UngatedMemoryCell(2, 3, rng=0)
    rng = np.random.default_rng(1)
    x, h, c = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    (h_new, c_new), cache = cell.step(x, (h, c))
    expected_c = np.tanh(np.concatenate([x, h, c], 1) @ cell.weight_c.T + cell.bias_c)
    o = 1 / (1 + np.exp(-(np.concatenate([x, h], 1) @ cell.weight_o.T + cell.bias_o)))
    np.testing.assert_allclose(c_new, expected_c, rtol=0, atol=1e-14)
    np.testing.assert_allclose(h_new, o * np.tanh(expected_c), rtol=0, atol=1e-14)
    assert set(cache.gates) == {"o", "c_candidate"}
    assert cell.weight_c.shape == (3, 2 + 3 + 3) and cell.weight_o.shape == (3, 2 + 3)


def test_ungated_gradients_by_finite_differences_through_layer():
    layer = cells.UngatedMemory(2, 3, num_layers=2, bidirectional=True, rng=0)
    rng = np.random.default_rng(2)
    x, P = rng.normal(size=(5, 2, 2)), rng.normal(size=(5, 2, 6))
    state = (rng.normal(size=(4, 2, 3)), rng.normal(size=(4, 2, 3)))

    def loss():
        return np.sum(layer.forward(x, state)[0] * P)

    loss()
    dx, grads = layer.backward(P)
    dh0, dc0 = layer.d_initial_state  # read now: every forward in gradcheck resets it
    assert set(grads) == {f"{w}_l{k}{s}" for w in ("weight_c", "bias_c", "weight_o", "bias_o")
                          for k in (0, 1) for s in ("", "_reverse")}
    for name, param in layer.params().items():
        cells.gradcheck(loss, {name: param}, {name: grads[name]}, max_entries=8)
    cells.gradcheck(loss, {"x": x, "h0": state[0], "c0": state[1]},
                    {"x": dx, "h0": dh0, "c0": dc0})


def test_gradient_norms_is_the_norm_of_d_hidden_for_a_last_step_loss():
    cell = cells.LSTMCell(2, 5, rng=3)
    x = np.random.default_rng(4).normal(size=(12, 3, 2))
    norms = cells.gradient_norms(cell, x)
    _, _, caches = cells.unroll(cell, x)
    d_outputs = np.zeros((12, 3, 5))
    d_outputs[-1] = 1.0
    *_, d_hidden = cells.backprop_through_time(cell, caches, d_outputs)
    assert norms.shape == (12,)
    assert norms[-1] == np.sqrt(5)  # dL/dh_T = ones(5) for every sequence
    np.testing.assert_allclose(norms, np.linalg.norm(d_hidden, axis=2).mean(axis=1))


def test_ungated_memory_loses_the_gradient_faster_than_lstm_with_open_forget_gate():
    """The point of the ablation: with a forget bias of +3 the LSTM's c path carries the
    gradient much further back than the ungated cell's rewritten memory."""
    x = np.random.default_rng(5).normal(size=(60, 8, 1))
    lstm = cells.LSTMCell(1, 8, rng=6)
    lstm.bias_ih[8:16] += 3.0  # forget gate close to 1
    ungated = cells.UngatedMemoryCell(1, 8, rng=6)
    assert cells.gradient_norms(lstm, x)[0] > 100 * cells.gradient_norms(ungated, x)[0]
