"""Losses against torch.nn.functional, and by finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import cells


def torch_value_and_grad(fn, prediction, *args):
    p = torch.tensor(prediction, requires_grad=True)
    value = fn(p, *args)
    value.backward()
    return value.item(), p.grad.numpy()


def test_mse_matches_torch():
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss, grad = cells.mse_loss(pred, target)
    ref_loss, ref_grad = torch_value_and_grad(F.mse_loss, pred, torch.from_numpy(target))
    assert loss == pytest.approx(ref_loss, abs=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-12)


def test_bce_with_logits_matches_torch_even_for_huge_logits():
    logits = np.array([[-800.0, -3.0], [0.5, 700.0]])
    target = np.array([[0.0, 1.0], [1.0, 0.0]])
    loss, grad = cells.binary_cross_entropy_with_logits(logits, target)
    ref_loss, ref_grad = torch_value_and_grad(F.binary_cross_entropy_with_logits, logits, torch.from_numpy(target))
    assert np.isfinite(loss) and loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-12)


def test_cross_entropy_matches_torch_over_time_and_batch():
    rng = np.random.default_rng(1)
    logits, target = rng.normal(size=(6, 4, 9)), rng.integers(0, 9, size=(6, 4))
    loss, grad = cells.cross_entropy(logits, target)
    ref_loss, ref_grad = torch_value_and_grad(
        lambda p: F.cross_entropy(p.reshape(-1, 9), torch.from_numpy(target).reshape(-1)), logits)
    assert loss == pytest.approx(ref_loss, abs=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=0, atol=1e-12)


def test_losses_by_finite_differences():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(3, 5))
    target = rng.integers(0, 5, size=3)
    _, grad = cells.cross_entropy(logits, target)
    cells.gradcheck(lambda: cells.cross_entropy(logits, target)[0], {"logits": logits}, {"logits": grad})


def test_loss_errors():
    with pytest.raises(ValueError, match=r"target must have shape \(4, 1\); got \(4,\)"):
        cells.mse_loss(np.zeros((4, 1)), np.zeros(4))  # would broadcast to (4, 4)
    with pytest.raises(ValueError, match=r"target must be integer class indices of shape \(3,\)"):
        cells.cross_entropy(np.zeros((3, 5)), np.zeros(3))
    with pytest.raises(ValueError, match=r"target classes must lie in 0..4; got 0..5"):
        cells.cross_entropy(np.zeros((2, 5)), np.array([0, 5]))
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]"):
        cells.binary_cross_entropy_with_logits(np.zeros(2), np.array([0.0, 2.0]))
