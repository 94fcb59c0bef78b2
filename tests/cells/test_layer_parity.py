"""Layers against torch.nn.RNN / LSTM / GRU in float64: forward to 1e-10, gradients to 1e-8.

Every configuration is drawn from a seeded generator (its id says which), covering stacking,
bidirectional, batch_first, bias=False, relu, given or zero initial states, and unbatched input.
"""

import numpy as np
import pytest
import torch

import cells

TORCH_LAYERS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def random_configs(count, seed):
    rng = np.random.default_rng(seed)
    configs = []
    for case in range(count):
        kind = ["rnn", "lstm", "gru"][case % 3]
        config = dict(kind=kind, T=int(rng.integers(1, 7)), B=int(rng.integers(1, 4)),
                      d=int(rng.integers(1, 6)),
                      h=int(rng.integers(1, 6)), num_layers=int(rng.integers(1, 4)),
                      bidirectional=bool(rng.integers(2)), batch_first=bool(rng.integers(2)),
                      bias=bool(rng.integers(2)), nonlinearity=str(rng.choice(["tanh", "relu"])),
                      given_state=bool(rng.integers(2)), d_state=bool(rng.integers(2)),
                      unbatched=bool(rng.random() < 0.15), seed=int(rng.integers(1 << 30)))
        configs.append(pytest.param(config, id=f"{kind}-{case}"))
    return configs


def build_torch(config):
    options = {"nonlinearity": config["nonlinearity"]} if config["kind"] == "rnn" else {}
    torch.manual_seed(config["seed"])
    return TORCH_LAYERS[config["kind"]](config["d"], config["h"], num_layers=config["num_layers"],
                                       bias=config["bias"], batch_first=config["batch_first"],
                                       bidirectional=config["bidirectional"], dtype=torch.float64, **options)


def as_tensors(value):
    if isinstance(value, tuple):
        return tuple(torch.tensor(v, requires_grad=True) for v in value)
    return torch.tensor(value, requires_grad=True)


def flat(value):
    return list(value) if isinstance(value, tuple) else [value]


@pytest.mark.parametrize("config", random_configs(60, seed=17))
def test_from_torch_forward_and_backward_match_autograd(config):
    module = build_torch(config)
    layer = cells.from_torch(module)
    rng = np.random.default_rng(config["seed"])
    kind, T, B, d, h = (config[k] for k in ("kind", "T", "B", "d", "h"))
    D = 2 if config["bidirectional"] else 1
    L = config["num_layers"] * D
    if config["unbatched"]:
        x_shape, state_shape = (T, d), (L, h)
    else:
        x_shape, state_shape = ((B, T, d) if config["batch_first"] else (T, B, d)), (L, B, h)
    x = rng.normal(size=x_shape)
    state = None
    if config["given_state"]:
        state = (tuple(rng.normal(size=state_shape) for _ in range(2)) if kind == "lstm"
                 else rng.normal(size=state_shape))

    output, final = layer.forward(x, state)
    xt = torch.tensor(x, requires_grad=True)
    state_t = as_tensors(state) if state is not None else None
    ref_output, ref_final = module(xt, state_t)

    np.testing.assert_allclose(output, ref_output.detach().numpy(), rtol=0, atol=1e-10)
    assert output.shape == tuple(ref_output.shape)
    assert isinstance(final, tuple) == isinstance(ref_final, tuple)
    for ours, theirs in zip(flat(final), flat(ref_final)):
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=0, atol=1e-10)

    d_output = rng.normal(size=output.shape)
    d_state = None
    loss = (ref_output * torch.from_numpy(d_output)).sum()
    if config["d_state"]:
        d_state = (tuple(rng.normal(size=f.shape) for f in final) if kind == "lstm"
                   else rng.normal(size=final.shape))
        for theirs, g in zip(flat(ref_final), flat(d_state)):
            loss = loss + (theirs * torch.from_numpy(g)).sum()
    loss.backward()
    dx, grads = layer.backward(d_output, d_state)

    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-8)
    ref_grads = {name: p.grad.numpy() for name, p in module.named_parameters()}
    assert list(grads) == list(ref_grads)  # same names, same order
    for name, g in grads.items():
        np.testing.assert_allclose(g, ref_grads[name], rtol=0, atol=1e-8, err_msg=name)
    if state_t is not None:
        assert isinstance(layer.d_initial_state, tuple) == (kind == "lstm")
        for ours, theirs in zip(flat(layer.d_initial_state), flat(state_t)):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=0, atol=1e-8)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_to_torch_round_trip(kind):
    layer_class = {"rnn": cells.RNN, "lstm": cells.LSTM, "gru": cells.GRU}[kind]
    layer = layer_class(3, 5, num_layers=2, bidirectional=True, batch_first=True, rng=9)
    module = cells.to_torch(layer)
    assert isinstance(module, TORCH_LAYERS[kind]) and module.batch_first and module.bidirectional
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    output, _ = layer.forward(x)
    with torch.no_grad():
        ref_output, _ = module(torch.from_numpy(x))
    np.testing.assert_allclose(output, ref_output.numpy(), rtol=0, atol=1e-10)
    back = cells.from_torch(module)
    for name, value in layer.params().items():
        np.testing.assert_array_equal(back.params()[name], value)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cells_round_trip_through_torch_cells(kind):
    cell = {"rnn": cells.RNNCell, "lstm": cells.LSTMCell, "gru": cells.GRUCell}[kind](3, 4, rng=2)
    module = cells.to_torch(cell)
    back = cells.from_torch(module)
    assert type(back) is type(cell)
    for name, value in cell.params().items():
        np.testing.assert_array_equal(back.params()[name], value)


def test_proj_size_and_dropout_refused_clearly():
    with pytest.raises(ValueError, match=r"proj_size.*expected proj_size=0; got 3"):
        cells.from_torch(torch.nn.LSTM(4, 5, proj_size=3))
    with pytest.raises(ValueError, match=r"expected dropout=0, got dropout=0.5"):
        cells.from_torch(torch.nn.GRU(4, 5, num_layers=2, dropout=0.5))
    with pytest.raises(ValueError, match=r"from_torch expects .*; got Conv1d"):
        cells.from_torch(torch.nn.Conv1d(2, 3, 1))
    with pytest.raises(ValueError, match=r"nonlinearity 'tanh' or 'relu'; got 'identity'"):
        cells.to_torch(cells.RNN(2, 3, nonlinearity="identity", rng=0))
    with pytest.raises(ValueError, match=r"to_torch expects .*; got dict"):
        cells.to_torch({})


def test_float32_module_weights_copied_exactly():
    module = torch.nn.LSTM(3, 4)  # float32 by default
    layer = cells.from_torch(module)
    assert layer.dtype == np.float64
    np.testing.assert_array_equal(layer.params()["weight_hh_l0"], module.weight_hh_l0.detach().numpy())
