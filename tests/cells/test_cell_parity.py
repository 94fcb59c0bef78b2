"""One-step cells and their unrolling against torch.nn.RNNCell / LSTMCell / GRUCell in float64."""

import numpy as np
import pytest
import torch

import cells

from .reference_torch import torch_cell_like, torch_unroll_and_backward

CELLS = {"rnn": cells.RNNCell, "lstm": cells.LSTMCell, "gru": cells.GRUCell}


def random_configs(count, seed):
    """Seeded random shapes and options: each case is reproducible from its id."""
    rng = np.random.default_rng(seed)
    configs = []
    for case in range(count):
        kind = ["rnn", "lstm", "gru"][case % 3]
        configs.append(pytest.param(dict(
            kind=kind, T=int(rng.integers(1, 9)), B=int(rng.integers(1, 5)),
            d=int(rng.integers(1, 7)), h=int(rng.integers(1, 8)), bias=bool(rng.integers(2)),
            nonlinearity=str(rng.choice(["tanh", "relu"])), seed=int(rng.integers(1 << 30)),
        ), id=f"{kind}-{case}"))
    return configs


def make_cell(config):
    kwargs = {"nonlinearity": config["nonlinearity"]} if config["kind"] == "rnn" else {}
    return CELLS[config["kind"]](config["d"], config["h"], bias=config["bias"], rng=config["seed"], **kwargs)


def random_state(kind, rng, B, h, scale=1.0):
    if kind == "lstm":
        return (scale * rng.normal(size=(B, h)), scale * rng.normal(size=(B, h)))
    return scale * rng.normal(size=(B, h))


@pytest.mark.parametrize("config", random_configs(36, seed=2024))
def test_unroll_and_bptt_match_torch(config):
    kind, T, B, d, h = (config[k] for k in ("kind", "T", "B", "d", "h"))
    cell = make_cell(config)
    module = torch_cell_like(cell, kind)
    rng = np.random.default_rng(config["seed"])
    x, state = rng.normal(size=(T, B, d)), random_state(kind, rng, B, h)
    d_outputs, d_final = rng.normal(size=(T, B, h)), random_state(kind, rng, B, h)

    outputs, final, caches = cells.unroll(cell, x, state)
    dx, d_initial, grads, d_hidden = cells.backprop_through_time(cell, caches, d_outputs, d_final)
    ref_out, ref_final, ref_dx, ref_d_initial, ref_grads, ref_d_hidden = torch_unroll_and_backward(
        module, kind, x, state, d_outputs, d_final)

    np.testing.assert_allclose(outputs, ref_out, rtol=0, atol=1e-10)
    np.testing.assert_allclose(np.asarray(final), np.asarray(ref_final), rtol=0, atol=1e-10)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-8)
    np.testing.assert_allclose(np.asarray(d_initial), np.asarray(ref_d_initial), rtol=0, atol=1e-8)
    np.testing.assert_allclose(d_hidden, ref_d_hidden, rtol=0, atol=1e-8)
    assert set(grads) == set(ref_grads)
    for name in grads:
        np.testing.assert_allclose(grads[name], ref_grads[name], rtol=0, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_step_gates_are_the_torch_gates(kind):
    """cache.gates holds the activations the equations define, checked from torch's weights."""
    cell = CELLS[kind](3, 4, rng=5)
    rng = np.random.default_rng(1)
    x, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    c_prev = rng.normal(size=(2, 4))
    state = (h_prev, c_prev) if kind == "lstm" else h_prev
    new_state, cache = cell.step(x, state)
    xt, ht = torch.from_numpy(x), torch.from_numpy(h_prev)
    w_ih, w_hh = torch.from_numpy(cell.weight_ih), torch.from_numpy(cell.weight_hh)
    b_ih, b_hh = torch.from_numpy(cell.bias_ih), torch.from_numpy(cell.bias_hh)
    from_x, from_h = xt @ w_ih.T + b_ih, ht @ w_hh.T + b_hh
    if kind == "lstm":
        a = (from_x + from_h).chunk(4, dim=1)
        expected = {"i": torch.sigmoid(a[0]), "f": torch.sigmoid(a[1]), "g": torch.tanh(a[2]),
                    "o": torch.sigmoid(a[3])}
        ref = torch.nn.LSTMCell(3, 4, dtype=torch.float64)
    elif kind == "gru":
        xr, xz, xn = from_x.chunk(3, dim=1)
        hr, hz, hn = from_h.chunk(3, dim=1)
        r = torch.sigmoid(xr + hr)
        expected = {"r": r, "z": torch.sigmoid(xz + hz), "n": torch.tanh(xn + r * hn)}
        ref = torch.nn.GRUCell(3, 4, dtype=torch.float64)
    else:
        expected = {}
        ref = torch.nn.RNNCell(3, 4, dtype=torch.float64)
    assert set(cache.gates) == set(expected)
    for name, value in expected.items():
        assert cache.gates[name].shape == (2, 4)
        np.testing.assert_allclose(cache.gates[name], value.numpy(), rtol=0, atol=1e-12, err_msg=name)
    with torch.no_grad():
        for name, value in cell.params().items():
            getattr(ref, name).copy_(torch.from_numpy(value))
        ref_state = ref(xt, (ht, torch.from_numpy(c_prev)) if kind == "lstm" else ht)
    if kind == "lstm":
        np.testing.assert_allclose(new_state[0], ref_state[0].numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(new_state[1], ref_state[1].numpy(), rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(new_state, ref_state.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_none_state_means_zeros(kind):
    cell = CELLS[kind](2, 3, rng=0)
    x = np.random.default_rng(0).normal(size=(4, 2, 2))
    out_none, _, _ = cells.unroll(cell, x)
    zeros = np.zeros((2, 3))
    out_zero, _, _ = cells.unroll(cell, x, (zeros, zeros) if kind == "lstm" else zeros)
    np.testing.assert_array_equal(out_none, out_zero)
    module = torch_cell_like(cell, kind)
    with torch.no_grad():
        first = module(torch.from_numpy(x[0]))
    first_h = first[0] if kind == "lstm" else first
    np.testing.assert_allclose(out_none[0], first_h.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_cell_computes_in_float32_like_torch(kind):
    """No silent upcast: a float32 cell's outputs and gradients are float32 and match torch's float32."""
    cell = CELLS[kind](3, 4, rng=0, dtype=np.float32)
    rng = np.random.default_rng(0)
    x, d_outputs = rng.normal(size=(20, 2, 3)), rng.normal(size=(20, 2, 4)).astype(np.float32)
    outputs, _, caches = cells.unroll(cell, x.astype(np.float32))
    dx, d_initial, grads, d_hidden = cells.backprop_through_time(cell, caches, d_outputs)
    assert outputs.dtype == dx.dtype == d_hidden.dtype == grads["weight_hh"].dtype == np.float32
    module = TORCH_CELLS_32[kind](3, 4)
    with torch.no_grad():
        for name, value in cell.params().items():
            getattr(module, name).copy_(torch.from_numpy(value))
    xt = torch.tensor(x.astype(np.float32), requires_grad=True)
    s, hs = None, []
    for t in range(20):
        s = module(xt[t], s)
        hs.append(s[0] if kind == "lstm" else s)
    (torch.stack(hs) * torch.from_numpy(d_outputs)).sum().backward()
    np.testing.assert_allclose(outputs, torch.stack(hs).detach().numpy(), rtol=0, atol=1e-5)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-4)


TORCH_CELLS_32 = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}
