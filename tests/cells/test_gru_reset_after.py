"""The GRU's reset_after switch. False is Cho et al.'s (2014) candidate,
n = tanh(W_in x + b_in + W_hn (r * h) + b_hn).

torch.nn.GRU only computes reset_after=True, so the reference for False is the equations written
with torch ops and differentiated by autograd (tests/cells/reference_torch.py).
"""

import numpy as np
import pytest
import torch

import cells

from .reference_torch import torch_gru_reset_before


def random_inputs(rng, T, B, d, h):
    return (rng.normal(size=(T, B, d)), rng.normal(size=(B, h)), rng.normal(size=(T, B, h)),
            rng.normal(size=(B, h)))


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("T, B, d, h", [(1, 1, 1, 1), (6, 3, 2, 5), (9, 2, 4, 3)])
def test_reset_before_step_path_matches_torch_autograd(T, B, d, h, bias):
    cell = cells.GRUCell(d, h, bias=bias, rng=T * 100 + h, reset_after=False)
    x, h0, d_outputs, d_final = random_inputs(np.random.default_rng(h), T, B, d, h)
    outputs, final, caches = cells.unroll(cell, x, h0)
    dx, dh0, grads, d_hidden = cells.backprop_through_time(cell, caches, d_outputs, d_final)
    ref_out, ref_final, ref_dx, ref_dh0, ref_grads, ref_d_hidden = torch_gru_reset_before(
        cell.params(), x, h0, d_outputs, d_final)
    np.testing.assert_allclose(outputs, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(final, ref_final, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(dh0, ref_dh0, rtol=0, atol=1e-10)
    np.testing.assert_allclose(d_hidden, ref_d_hidden, rtol=0, atol=1e-10)
    assert set(grads) == set(ref_grads)
    for name in grads:
        np.testing.assert_allclose(grads[name], ref_grads[name], rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("bias", [True, False])
def test_reset_before_layer_matches_torch_autograd(bias):
    """The layer's fast sequence kernel, checked against the reference directly (not via unroll)."""
    T, B, d, h = 7, 3, 2, 4
    layer = cells.GRU(d, h, bias=bias, rng=3, reset_after=False)
    x, h0, d_outputs, d_final = random_inputs(np.random.default_rng(5), T, B, d, h)
    output, h_n = layer.forward(x, h0[None])
    dx, grads = layer.backward(d_outputs, d_final[None])
    params = layer.cells[0][0].params()
    reference = torch_gru_reset_before(params, x, h0, d_outputs, d_final)
    ref_out, ref_final, ref_dx, ref_dh0, ref_grads, _ = reference
    np.testing.assert_allclose(output, ref_out, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n[0], ref_final, rtol=0, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx, rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.d_initial_state[0], ref_dh0, rtol=0, atol=1e-10)
    for name in ref_grads:
        np.testing.assert_allclose(grads[name + "_l0"], ref_grads[name], rtol=0, atol=1e-10, err_msg=name)


def test_reset_before_stacked_bidirectional_layer_equals_its_cells_unrolled():
    layer = cells.GRU(3, 4, num_layers=2, bidirectional=True, rng=8, reset_after=False)
    x = np.random.default_rng(2).normal(size=(5, 2, 3))
    output, _ = layer.forward(x)
    forward_cell, reverse_cell = layer.cells[0]
    ours, _, _ = cells.unroll(forward_cell, x)
    theirs, _, _ = cells.unroll(reverse_cell, x[::-1])
    first_layer = np.concatenate([ours, theirs[::-1]], axis=2)
    top, _, _ = cells.unroll(layer.cells[1][0], first_layer)
    np.testing.assert_allclose(output[:, :, :4], top, rtol=0, atol=1e-12)


def test_reset_after_default_is_pytorchs_gru():
    """reset_after=True (the default) is torch.nn.GRU, outputs and gradients."""
    torch.manual_seed(0)
    module = torch.nn.GRU(3, 4, dtype=torch.float64)
    layer = cells.from_torch(module)
    assert layer.reset_after is True and layer.cells[0][0].reset_after is True
    x = np.random.default_rng(0).normal(size=(6, 2, 3))
    d_output = np.random.default_rng(1).normal(size=(6, 2, 4))
    output, _ = layer.forward(x)
    _, grads = layer.backward(d_output)
    ref_output, _ = module(torch.from_numpy(x))
    (ref_output * torch.from_numpy(d_output)).sum().backward()
    np.testing.assert_allclose(output, ref_output.detach().numpy(), rtol=0, atol=1e-12)
    for name, parameter in module.named_parameters():
        np.testing.assert_allclose(grads[name], parameter.grad.numpy(), rtol=0, atol=1e-10, err_msg=name)


def test_the_two_placements_are_different_functions():
    """Same arrays, different candidate: they differ once h_{t-1} is not zero, and agree on a first
    step from h_0 = 0 without biases (both candidates are then tanh(W_in x))."""
    after = cells.GRUCell(3, 4, rng=1)
    before = cells.GRUCell(3, 4, rng=1, reset_after=False)
    x, h_prev = np.random.default_rng(4).normal(size=(2, 3)), np.random.default_rng(5).normal(size=(2, 4))
    assert np.abs(after.step(x, h_prev)[0] - before.step(x, h_prev)[0]).max() > 1e-3
    after, before = (cells.GRUCell(3, 4, bias=False, rng=1, reset_after=flag) for flag in (True, False))
    np.testing.assert_allclose(after.step(x)[0], before.step(x)[0], rtol=0, atol=1e-15)


def test_reset_after_is_exposed_in_repr_and_attributes():
    cell = cells.GRUCell(2, 3, rng=0, reset_after=False)
    layer = cells.GRU(2, 3, num_layers=2, rng=0, reset_after=False)
    assert cell.reset_after is False and layer.reset_after is False
    assert all(c.reset_after is False for pair in layer.cells for c in pair)
    assert "reset_after=False" in repr(cell) and "reset_after=False" in repr(layer)
    assert "reset_after=True" in repr(cells.GRU(2, 3, rng=0))


def test_same_arrays_as_pytorch_so_the_torch_count_holds():
    """reset_after only moves b_hn: the arrays, and the PyTorch count, are the same."""
    layer = cells.GRU(5, 7, num_layers=2, bidirectional=True, rng=0, reset_after=False)
    shapes = {name: value.shape for name, value in layer.params().items()}
    assert shapes == {name: value.shape for name, value in cells.GRU(5, 7, num_layers=2, bidirectional=True,
                                                                       rng=0).params().items()}
    total = sum(value.size for value in layer.params().values())
    assert total == cells.count_params("gru", 5, 7, num_layers=2, bidirectional=True).total


@pytest.mark.parametrize("bad", [None, 0, 1, "False"])
def test_reset_after_must_be_a_bool(bad):
    with pytest.raises(ValueError, match=r"reset_after must be True or False"):
        cells.GRUCell(2, 3, reset_after=bad)
    with pytest.raises(ValueError, match=r"reset_after must be True or False"):
        cells.GRU(2, 3, reset_after=bad)


def test_to_torch_refuses_reset_before_with_a_clear_error():
    for model in (cells.GRU(2, 3, rng=0, reset_after=False), cells.GRUCell(2, 3, rng=0, reset_after=False)):
        with pytest.raises(ValueError, match=r"reset_after=False.*torch"):
            cells.to_torch(model)
    assert isinstance(cells.to_torch(cells.GRU(2, 3, rng=0)), torch.nn.GRU)
