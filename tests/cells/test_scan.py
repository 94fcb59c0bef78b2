"""The parallel scan and the log-space scan equal the step-by-step loop of h_t = a_t * h_{t-1} + b_t."""

import numpy as np
import pytest

from cells import scan


def loop(a, b, h0):
    """Independent reference: the recurrence written out in plain Python floats per element."""
    out = np.empty_like(b)
    for index in np.ndindex(*a.shape[1:]):
        h = float(h0[index])
        for t in range(a.shape[0]):
            h = float(a[(t,) + index]) * h + float(b[(t,) + index])
            out[(t,) + index] = h
    return out


@pytest.mark.parametrize("T", [1, 2, 3, 5, 7, 8, 13, 31, 64, 100])
def test_parallel_scan_equals_the_loop(T):
    rng = np.random.default_rng(T)
    a, b, h0 = rng.uniform(-1.1, 1.1, (T, 3, 4)), rng.normal(size=(T, 3, 4)), rng.normal(size=(3, 4))
    expected = loop(a, b, h0)
    np.testing.assert_allclose(scan.sequential(a, b, h0), expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(scan.parallel_scan(a, b, h0), expected, rtol=0, atol=1e-10)


def test_log_space_scan_equals_the_loop_for_positive_terms():
    rng = np.random.default_rng(0)
    a, b, h0 = rng.uniform(0.05, 1, (45, 2, 3)), rng.uniform(0.1, 2, (45, 2, 3)), rng.uniform(0.1, 2, (2, 3))
    np.testing.assert_allclose(scan.log_space_scan(np.log(a), np.log(b), np.log(h0)), loop(a, b, h0),
                               rtol=1e-10, atol=1e-10)


def test_combine_is_associative_and_means_one_map_then_the_other():
    rng = np.random.default_rng(1)
    m1, m2, m3 = ((rng.normal(), rng.normal()) for _ in range(3))
    left = scan.combine(scan.combine(m1, m2), m3)
    right = scan.combine(m1, scan.combine(m2, m3))
    np.testing.assert_allclose(left, right, rtol=1e-12)
    h = 0.7
    a, b = scan.combine(m1, m2)
    np.testing.assert_allclose(a * h + b, m2[0] * (m1[0] * h + m1[1]) + m2[1])


@pytest.mark.parametrize("T", [1, 2, 5, 8, 9, 100])
def test_levels_work_and_depth(T):
    plan = scan.scan_levels(T)
    size = plan["size"]
    assert size >= T and size // 2 < max(T, 1) or size == 1
    depth = int(np.log2(size))
    assert len(plan["up"]) == depth and len(plan["down"]) == depth
    assert sum(len(level) for level in plan["up"]) == size - 1
    assert sum(len(level) for level in plan["down"]) == size - 1
    for level in plan["up"] + plan["down"]:  # a level's combines touch distinct nodes: they can run at once
        nodes = [n for pair in level for n in pair]
        assert len(nodes) == len(set(nodes))


def test_errors():
    with pytest.raises(ValueError, match="same shape"):
        scan.sequential(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="h0"):
        scan.parallel_scan(np.ones((3, 2)), np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="at least one time step"):
        scan.parallel_scan(np.ones((0, 2)), np.ones((0, 2)))
