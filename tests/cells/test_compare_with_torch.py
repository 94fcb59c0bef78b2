"""cells.compare_with_torch: the referee the chapters call, tested on every model it accepts."""

import numpy as np
import pytest
import torch

import cells
import cells.torch_bridge

RNG = np.random.default_rng(0)

MODELS = {
    "Dense": (lambda: cells.Dense(3, 4, rng=0), (5, 3), ["weight", "bias"]),
    "MLP": (lambda: cells.MLP([3, 16, 16, 2], rng=1), (5, 3),
            ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]),
    "RNN": (lambda: cells.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True, rng=2),
            (2, 6, 3), None),
    "LSTM": (lambda: cells.LSTM(3, 4, rng=3), (6, 2, 3), None),
    "GRU": (lambda: cells.GRU(3, 4, num_layers=2, rng=4), (6, 2, 3), None),
    "RNNCell": (lambda: cells.RNNCell(3, 4, rng=5), (6, 2, 3), None),
    "LSTMCell": (lambda: cells.LSTMCell(3, 4, rng=6), (6, 2, 3), None),
    "GRUCell": (lambda: cells.GRUCell(3, 4, rng=7), (6, 2, 3), None),
}


@pytest.mark.parametrize("kind", MODELS)
def test_every_model_agrees_with_torch_over_output_and_every_gradient(kind):
    build, x_shape, _ = MODELS[kind]
    model = build()
    differences = cells.compare_with_torch(model, RNG.standard_normal(x_shape))
    parameters = ["dL/d" + name for name in model.params()]
    states = {"RNN": ["h_n"], "GRU": ["h_n"], "LSTM": ["h_n", "c_n"]}.get(kind, [])
    if kind.endswith("Cell"):
        states = ["dL/dh_t"]
    assert list(differences) == ["output"] + states + ["dL/dx"] + parameters
    assert max(differences.values()) < 1e-12, differences


def test_parameter_names_are_pytorchs():
    _, _, names = MODELS["MLP"]
    differences = cells.compare_with_torch(MODELS["MLP"][0](), RNG.standard_normal((4, 3)))
    assert [k[4:] for k in differences if k.startswith("dL/d") and k != "dL/dx"] == names


@pytest.mark.parametrize("kind", ["Dense", "LSTM", "GRUCell"])
def test_a_wrong_weight_shows_up_as_a_large_difference(kind, monkeypatch):
    # The helper must be able to fail: give torch a module whose first weight is off by 0.1.
    build, x_shape, _ = MODELS[kind]
    real_to_torch = cells.torch_bridge.to_torch

    def spoiled(model):
        module = real_to_torch(model)
        with torch.no_grad():
            next(module.parameters()).add_(0.1)
        return module

    monkeypatch.setattr(cells.torch_bridge, "to_torch", spoiled)
    differences = cells.compare_with_torch(build(), RNG.standard_normal(x_shape))
    assert differences["output"] > 1e-3 and differences["dL/dx"] > 1e-3


def test_the_given_upstream_gradient_is_the_one_used():
    # With dL/doutput = 0 every gradient is zero on both sides; with ones they are not, and the
    # numpy side equals a hand computation for Dense: dL/dW = dY^T X.
    dense = cells.Dense(3, 2, rng=0)
    x = RNG.standard_normal((4, 3))
    assert cells.compare_with_torch(dense, x, d_output=np.zeros((4, 2)))["dL/dweight"] == 0.0
    ones = np.ones((4, 2))
    assert cells.compare_with_torch(dense, x, d_output=ones)["dL/dweight"] < 1e-12
    _, grads = dense.backward(ones)
    np.testing.assert_allclose(grads["weight"], ones.T @ x, rtol=1e-12)


def test_float32_models_are_compared_in_float32():
    layer = cells.GRU(3, 5, rng=0, dtype=np.float32)
    differences = cells.compare_with_torch(layer, RNG.standard_normal((7, 2, 3)))
    assert 0 < max(differences.values()) < 1e-5  # float32 rounding, not float64's


@pytest.mark.parametrize("call, message", [
    (lambda: cells.compare_with_torch("an LSTM", np.zeros((2, 1, 3))), "expects a cells Dense, MLP"),
    (lambda: cells.compare_with_torch(cells.UngatedMemoryCell(3, 4, rng=0), np.zeros((2, 1, 3))),
     "got UngatedMemoryCell"),
    (lambda: cells.compare_with_torch(cells.Dense(3, 4, rng=0), np.zeros((5, 2))), "x must have shape"),
    (lambda: cells.compare_with_torch(cells.RNN(3, 4, rng=0), np.zeros((2, 1, 3)), d_output=np.zeros((2, 4))),
     "d_output must have shape"),
    (lambda: cells.compare_with_torch(cells.RNN(3, 4, nonlinearity="identity", rng=0), np.zeros((2, 1, 3))),
     "nonlinearity 'tanh' or 'relu'"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
