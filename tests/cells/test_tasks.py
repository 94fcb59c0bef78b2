"""The synthetic tasks: their layout, and their baselines shown by simulating the memoryless guess."""

import numpy as np
import pytest

import cells
from cells import tasks


def test_adding_problem_layout():
    x, y = tasks.adding_problem(200, 30, rng=0)
    assert x.shape == (30, 200, 2) and y.shape == (200, 1)
    markers = x[..., 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers[:15].sum(axis=0), 1)  # one marker in each half
    np.testing.assert_array_equal(markers[15:].sum(axis=0), 1)
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * markers).sum(axis=0))
    assert 0 <= x[..., 0].min() and x[..., 0].max() < 1


def test_adding_baseline_by_simulation():
    """Predicting the constant 1 scores about 0.167; no constant predictor does better."""
    _, y = tasks.adding_problem(200_000, 4, rng=1)
    simulated = cells.mse_loss(np.ones_like(y), y)[0]
    assert simulated == pytest.approx(tasks.adding_problem_baseline(), abs=2e-3)
    assert simulated == pytest.approx(0.167, abs=2e-3)
    assert cells.mse_loss(np.full_like(y, 0.9), y)[0] > simulated


def test_copy_memory_layout_and_baseline_by_simulation():
    T, N = 30, 2000
    x, y = tasks.copy_memory(N, T, rng=2)
    assert x.shape == (T + 20, N, 10) and y.shape == (T + 20, N)
    np.testing.assert_array_equal(x.sum(axis=2), 1)  # one-hot
    symbols = x[:10].argmax(axis=2)
    assert symbols.min() >= 1 and symbols.max() <= 8
    np.testing.assert_array_equal(y[-10:], symbols)
    np.testing.assert_array_equal(y[:-10], 0)
    np.testing.assert_array_equal(x[T + 9].argmax(axis=1), 9)  # delimiter right before the copy
    # The memoryless strategy: certain "blank" until the delimiter, then a uniform guess among 1..8.
    logits = np.full((T + 20, N, 9), -60.0)
    logits[:-10, :, 0] = 60.0
    logits[-10:, :, 1:] = 0.0
    simulated = cells.cross_entropy(logits, y)[0]
    assert simulated == pytest.approx(tasks.copy_memory_baseline(T), rel=1e-6)
    assert simulated == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-6)


def test_temporal_order_layout_and_chance_baseline():
    T, N = 100, 4000
    x, y = tasks.temporal_order(N, T, rng=3)
    assert x.shape == (T, N, 8) and y.shape == (N,)
    symbols = x.argmax(axis=2)
    assert (symbols[0] == 6).all() and (symbols[-1] == 7).all()
    relevant = (symbols == 4) | (symbols == 5)
    np.testing.assert_array_equal(relevant.sum(axis=0), 2)
    times = np.argwhere(relevant.T)[:, 1].reshape(N, 2)
    assert (10 <= times[:, 0]).all() and (times[:, 0] < 20).all()
    assert (50 <= times[:, 1]).all() and (times[:, 1] < 60).all()
    first, second = symbols[times[:, 0], np.arange(N)], symbols[times[:, 1], np.arange(N)]
    np.testing.assert_array_equal(y, 2 * (first == 5) + (second == 5))
    counts = np.bincount(y, minlength=4) / N
    assert np.abs(counts - 0.25).max() < 0.03
    uniform = cells.cross_entropy(np.zeros((N, 4)), y)[0]
    assert uniform == pytest.approx(tasks.temporal_order_baseline())


def test_tasks_are_deterministic_with_a_seed_and_validate():
    a, b = tasks.adding_problem(5, 10, rng=7), tasks.adding_problem(5, 10, rng=7)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], tasks.adding_problem(5, 10, rng=8)[0])
    with pytest.raises(ValueError, match=r"T >= 2.*got T=1"):
        tasks.adding_problem(5, 1)
    with pytest.raises(ValueError, match=r"num_samples must be a positive integer; got 0"):
        tasks.copy_memory(0, 10)
