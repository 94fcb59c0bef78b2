"""minGRU and minLSTM against torch autograd (float64): outputs, h_T and every gradient.

The reference is written here with torch ops from Feng et al.'s (2024) equations, in the book's
convention (z = 1 keeps the state), independently of cells/minimal.py.
"""

import numpy as np
import pytest
import torch

import cells


def torch_min_gru(params, x, h0, bias):
    W = params["weight_ih"]
    h = W.shape[0] // 2
    hs, state = [], h0
    for t in range(x.shape[0]):
        u = x[t] @ W.T + (params["bias_ih"] if bias else 0)
        z = torch.sigmoid(u[:, :h])
        n = u[:, h:]
        state = z * state + (1 - z) * n
        hs.append(state)
    return torch.stack(hs), state


def torch_min_lstm(params, x, h0, bias):
    W = params["weight_ih"]
    h = W.shape[0] // 3
    hs, state = [], h0
    for t in range(x.shape[0]):
        u = x[t] @ W.T + (params["bias_ih"] if bias else 0)
        i, f, g = torch.sigmoid(u[:, :h]), torch.sigmoid(u[:, h:2 * h]), u[:, 2 * h:]
        state = f / (f + i) * state + i / (f + i) * g
        hs.append(state)
    return torch.stack(hs), state


REFERENCES = {"MinGRU": torch_min_gru, "MinLSTM": torch_min_lstm}


def torch_reference(layer, kind, x, h0, d_out, d_final):
    """One direction, one layer: outputs, h_T, dx, dh0, grads (keys without the _l0 suffix)."""
    params = {name[:-3]: torch.tensor(v, requires_grad=True) for name, v in layer.params().items()}
    xt, h0t = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    outputs, final = REFERENCES[kind](params, xt, h0t, layer.bias)
    loss = (outputs * torch.from_numpy(d_out)).sum() + (final * torch.from_numpy(d_final)).sum()
    loss.backward()
    grads = {name: p.grad.numpy() for name, p in params.items()}
    return outputs.detach().numpy(), final.detach().numpy(), xt.grad.numpy(), h0t.grad.numpy(), grads


@pytest.mark.parametrize("kind", ["MinGRU", "MinLSTM"])
@pytest.mark.parametrize("config", range(12))
def test_layer_equals_torch_autograd(kind, config):
    rng = np.random.default_rng(100 + config)
    T, B, d, h = (int(v) for v in rng.integers(1, [9, 5, 6, 7], endpoint=True))
    bias = bool(config % 3)
    layer = getattr(cells, kind)(d, h, bias=bias, rng=int(rng.integers(1000)))
    for p in layer.params().values():  # larger weights than the default, so gates saturate somewhat
        p *= 3.0
    x, h0 = rng.normal(size=(T, B, d)), rng.normal(size=(1, B, h))
    d_out, d_final = rng.normal(size=(T, B, h)), rng.normal(size=(1, B, h))
    outputs, h_n = layer.forward(x, h0)
    dx, grads = layer.backward(d_out, d_final)
    ref_out, ref_final, ref_dx, ref_dh0, ref_grads = torch_reference(layer, kind, x, h0[0], d_out, d_final[0])
    np.testing.assert_allclose(outputs, ref_out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(h_n[0], ref_final, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.d_initial_state[0], ref_dh0, rtol=0, atol=1e-10)
    assert set(grads) == {name + "_l0" for name in ref_grads}
    for name, g in ref_grads.items():
        np.testing.assert_allclose(grads[name + "_l0"], g, rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("cls", [cells.MinGRUCell, cells.MinLSTMCell])
def test_step_and_step_backward_agree_with_the_sequence_path(cls):
    rng = np.random.default_rng(7)
    cell = cls(3, 4, rng=1)
    x, h0, d_out = rng.normal(size=(6, 2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(6, 2, 4))
    outputs, final, cache = cell.forward_sequence(x, h0)
    hs, caches, state = [], [], h0
    for t in range(6):
        state, c = cell.step(x[t], state)
        hs.append(state)
        caches.append(c)
    np.testing.assert_allclose(np.stack(hs), outputs, rtol=0, atol=1e-13)
    dx_seq, dh0_seq, grads_seq = cell.backward_sequence(cache, d_out)
    dh, grads = np.zeros((2, 4)), cell.zero_grads()
    dxs = [None] * 6
    for t in reversed(range(6)):
        dxs[t], dh, g = cell.step_backward(dh + d_out[t], caches[t])
        for name in grads:
            grads[name] += g[name]
    np.testing.assert_allclose(np.stack(dxs), dx_seq, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dh, dh0_seq, rtol=0, atol=1e-12)
    for name in grads:
        np.testing.assert_allclose(grads[name], grads_seq[name], rtol=0, atol=1e-12)


def test_stacked_bidirectional_layers_by_finite_differences():
    for cls in (cells.MinGRU, cells.MinLSTM):
        layer = cls(2, 3, num_layers=2, bidirectional=True, rng=0)
        rng = np.random.default_rng(2)
        x, P, h0 = rng.normal(size=(5, 2, 2)), rng.normal(size=(5, 2, 6)), rng.normal(size=(4, 2, 3))

        def loss():
            return np.sum(layer.forward(x, h0)[0] * P)

        loss()
        dx, grads = layer.backward(P)
        dh0 = layer.d_initial_state
        for name, param in layer.params().items():
            cells.gradcheck(loss, {name: param}, {name: grads[name]}, max_entries=8)
        cells.gradcheck(loss, {"x": x, "h0": h0}, {"x": dx, "h0": dh0})


def test_parameters_layout_and_feng_convention():
    gru = cells.MinGRU(5, 4, rng=0)
    assert {k: v.shape for k, v in gru.params().items()} == {"weight_ih_l0": (8, 5), "bias_ih_l0": (8,)}
    lstm = cells.MinLSTM(5, 4, bias=False, rng=0)
    assert {k: v.shape for k, v in lstm.params().items()} == {"weight_ih_l0": (12, 5)}
    # Feng et al.'s h_t = (1 - z) h_{t-1} + z h~: their gate is ours with the z block negated.
    x = np.random.default_rng(3).normal(size=(7, 2, 5))
    W, b = gru.params()["weight_ih_l0"], gru.params()["bias_ih_l0"]
    z_feng = 1 / (1 + np.exp(-(x @ -W[:4].T - b[:4])))
    h, expected = np.zeros((2, 4)), []
    for t in range(7):
        h = (1 - z_feng[t]) * h + z_feng[t] * (x[t] @ W[4:].T + b[4:])
        expected.append(h)
    np.testing.assert_allclose(gru.forward(x)[0], np.stack(expected), rtol=0, atol=1e-12)


def test_minlstm_state_stays_within_the_candidates_range():
    """f' + i' = 1 makes h_t a convex mix of h_{t-1} and g_t (Feng et al.'s length independence)."""
    cell = cells.MinLSTMCell(3, 4, rng=5)
    x = np.random.default_rng(6).normal(size=(200, 3, 3))
    outputs, _, _ = cell.forward_sequence(x, np.zeros((3, 4)))
    g = x @ cell.weight_ih[8:].T + cell.bias_ih[8:]
    assert np.all(outputs <= np.maximum(g.max(axis=0), 0) + 1e-12)
    assert np.all(outputs >= np.minimum(g.min(axis=0), 0) - 1e-12)


def test_float32_and_clear_errors():
    layer = cells.MinGRU(2, 3, dtype=np.float32, rng=0)
    out, h_n = layer.forward(np.ones((4, 2, 2)))
    assert out.dtype == np.float32 and h_n.dtype == np.float32
    dx, grads = layer.backward(np.ones((4, 2, 3), dtype=np.float32))
    assert dx.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    with pytest.raises(ValueError, match="x must have shape"):
        layer.forward(np.ones((4, 2, 3)))
    with pytest.raises(ValueError, match="weight_ih"):
        layer.cells[0][0].weight_ih = np.ones((3, 2))
        layer.forward(np.ones((4, 2, 2)))
    with pytest.raises(ValueError, match="hidden_size"):
        cells.MinLSTM(2, 0)
    with pytest.raises(ValueError, match="call forward"):
        cells.MinLSTM(2, 3).backward(np.ones((1, 1, 3)))


def test_coefficients_give_the_layer_through_the_scan():
    cell = cells.MinGRUCell(3, 5, rng=2)
    x, h0 = np.random.default_rng(4).normal(size=(37, 2, 3)), np.random.default_rng(5).normal(size=(2, 5))
    a, b = cell.coefficients(x)
    np.testing.assert_allclose(cells.scan.parallel_scan(a, b, h0), cell.forward_sequence(x, h0)[0],
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["minGRU", "minLSTM"])
def test_minimal_layers_train_on_the_adding_problem(kind):
    """The layer trains through cells.train inside a SequenceModel (adding_run), below half the baseline."""
    history = cells.experiments.adding_run(kind, T=10, steps=1500, hidden_size=16, seed=0, progress=False)
    baseline = 2 / 12  # always predicting 1: the variance of a sum of two U(0, 1)
    assert cells.experiments.last_evaluations(history, last=3) < 0.5 * baseline


def test_parameter_counts_next_to_the_gru():
    d, h = 7, 5
    for kind, cls, blocks in (("mingru", cells.MinGRU, 2), ("minlstm", cells.MinLSTM, 3)):
        for layers, bidirectional in ((1, False), (2, True)):
            layer = cls(d, h, num_layers=layers, bidirectional=bidirectional, rng=0)
            count = cells.count_params(kind, d, h, num_layers=layers, bidirectional=bidirectional)
            assert count.total == sum(p.size for p in layer.params().values())
        assert cells.count_params(kind, d, h).total == blocks * h * (d + 1)  # by hand: G h d weights, G h biases
    gru = cells.count_params("gru", d, h).total
    assert gru == 3 * h * (d + h) + 2 * 3 * h
    assert cells.count_params("mingru", d, h).total < gru
    with pytest.raises(ValueError, match="PyTorch-style"):
        cells.count_params("mingru", d, h, convention="keras")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_minlstm_stays_finite_when_both_gates_saturate(dtype):
    """f / (f + i) with f and i both rounding to 0 would be 0 / 0; the layer computes the same ratio in log space."""
    cell = cells.MinLSTMCell(1, 2, rng=0, dtype=dtype)
    cell.weight_ih[:] = 0.0
    cell.bias_ih[:] = np.array([-60.0, -50.0, -50.0, -60.0, 0.5, -0.5], dtype=dtype)  # i: u = -60, -50; f: -50, -60
    x, h0 = np.zeros((3, 1, 1), dtype=dtype), np.ones((1, 2), dtype=dtype)
    outputs, _, cache = cell.forward_sequence(x, h0)
    # by hand: f' = 1 / (1 + e^(u_i - u_f)) = 1 / (1 + e^-10) for unit 0 and 1 / (1 + e^10) for unit 1
    f0, f1 = 1 / (1 + np.exp(-10.0)), 1 / (1 + np.exp(10.0))
    expected = [[f0 ** k * 1 + (1 - f0 ** k) * 0.5, f1 ** k * 1 + (1 - f1 ** k) * -0.5] for k in (1, 2, 3)]
    np.testing.assert_allclose(outputs[:, 0], expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    dx, dh0, grads = cell.backward_sequence(cache, np.ones_like(outputs))
    assert all(np.all(np.isfinite(g)) for g in [dx, dh0, *grads.values()])
