"""Dense and MLP: against torch.nn.Linear / Sequential, and by finite differences."""

import numpy as np
import pytest
import torch

import cells


@pytest.mark.parametrize("leading", [(5,), (3, 4), ()], ids=["batch", "time-batch", "single"])
def test_dense_matches_torch_linear(leading):
    module = torch.nn.Linear(6, 3, dtype=torch.float64)
    dense = cells.from_torch(module)
    rng = np.random.default_rng(0)
    x, dy = rng.normal(size=leading + (6,)), rng.normal(size=leading + (3,))
    y = dense.forward(x)
    xt = torch.tensor(x, requires_grad=True)
    yt = module(xt)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-12)
    (yt * torch.from_numpy(dy)).sum().backward()
    dx, grads = dense.backward(dy)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["weight"], module.weight.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["bias"], module.bias.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "identity"])
def test_mlp_matches_torch_sequential(activation):
    mlp = cells.MLP([4, 7, 5, 2], activation=activation, rng=3)
    module = cells.to_torch(mlp)
    torch_names = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "identity": "Identity"}
    assert [type(m).__name__ for m in module][:2] == ["Linear", torch_names[activation]]
    rng = np.random.default_rng(1)
    x, dy = rng.normal(size=(8, 4)), rng.normal(size=(8, 2))
    xt = torch.tensor(x, requires_grad=True)
    yt = module(xt)
    np.testing.assert_allclose(mlp.forward(x), yt.detach().numpy(), rtol=0, atol=1e-12)
    (yt * torch.from_numpy(dy)).sum().backward()
    dx, grads = mlp.backward(dy)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-12)
    ref = dict(module.named_parameters())
    assert list(grads) == list(ref) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    for name, g in grads.items():
        np.testing.assert_allclose(g, ref[name].grad.numpy(), rtol=0, atol=1e-12, err_msg=name)
    back = cells.from_torch(module)
    assert back.activation == activation and back.sizes == [4, 7, 5, 2]


def test_mlp_gradients_by_finite_differences():
    mlp = cells.MLP([3, 5, 2], activation="tanh", rng=0)
    rng = np.random.default_rng(2)
    x, P = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    mlp.forward(x)
    dx, grads = mlp.backward(P)
    cells.gradcheck(lambda: np.sum(mlp.forward(x) * P), mlp.params(), grads)
    cells.gradcheck(lambda: np.sum(mlp.forward(x) * P), {"x": x}, {"x": dx})


def test_dense_errors_and_init():
    dense = cells.Dense(4, 2, rng=0)
    assert np.abs(dense.weight).max() <= 0.5 and dense.weight.shape == (2, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(\?, 4\); got \(3, 5\)"):
        dense.forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="call forward"):
        cells.Dense(2, 2, rng=0).backward(np.zeros((1, 2)))
    dense.forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"dy must have shape \(3, 2\); got \(2,\)"):
        dense.backward(np.zeros(2))
    with pytest.raises(ValueError, match=r"sizes must be a list"):
        cells.MLP([3])
    with pytest.raises(ValueError, match=r"activation must be one of .*; got 'gelu'"):
        cells.MLP([3, 2], activation="gelu")
    assert set(cells.Dense(3, 2, bias=False, rng=0).params()) == {"weight"}


def test_bias_switch_is_the_bias_itself_like_torch_linear():
    """One name for the switch: bias=False leaves dense.bias None, as torch.nn.Linear does."""
    without = cells.Dense(3, 2, bias=False, rng=0)
    assert without.bias is None and "bias=False" in repr(without)
    x = np.random.default_rng(0).normal(size=(4, 3))
    np.testing.assert_array_equal(without.forward(x), x @ without.weight.T)
    _, grads = without.backward(np.ones((4, 2)))
    assert set(grads) == {"weight"}
    with_bias = cells.Dense(3, 2, rng=0)
    assert with_bias.bias.shape == (2,) and "bias=True" in repr(with_bias)
    module = cells.to_torch(without)
    assert module.bias is None


def test_a_bias_of_the_wrong_shape_is_refused():
    dense = cells.Dense(3, 2, rng=0)
    dense.bias = np.zeros(3)
    with pytest.raises(ValueError, match=r"bias must be None or an array of shape \(2,\); got \(3,\)"):
        dense.forward(np.zeros((1, 3)))
