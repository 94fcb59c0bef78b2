"""Orthogonal matrices, spectral radius and largest singular value, checked against their definitions."""

import numpy as np
import pytest

import cells


@pytest.mark.parametrize("scale", [1.0, 0.5, 1.25, -0.9])
def test_random_orthogonal_has_every_singular_value_and_eigenvalue_equal_to_the_scale(scale):
    w = cells.random_orthogonal(16, scale, rng=3)
    assert w.shape == (16, 16) and w.dtype == np.float64
    np.testing.assert_allclose(w.T @ w, scale**2 * np.eye(16), rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False), abs(scale), rtol=1e-12)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(w)), abs(scale), rtol=1e-10)
    # ||W^k v|| = |scale|^k ||v|| for every v: the property the vanishing-gradients chapter relies on
    v = np.random.default_rng(0).standard_normal(16)
    np.testing.assert_allclose(np.linalg.norm(np.linalg.matrix_power(w, 30) @ v),
                               abs(scale) ** 30 * np.linalg.norm(v), rtol=1e-9)


def test_random_orthogonal_is_reproducible_and_takes_a_dtype():
    np.testing.assert_array_equal(cells.random_orthogonal(5, rng=1), cells.random_orthogonal(5, rng=1))
    assert not np.allclose(cells.random_orthogonal(5, rng=1), cells.random_orthogonal(5, rng=2))
    generator = np.random.default_rng(7)
    first, second = cells.random_orthogonal(5, rng=generator), cells.random_orthogonal(5, rng=generator)
    assert not np.allclose(first, second)
    single = cells.random_orthogonal(6, 2.0, rng=0, dtype=np.float32)
    assert single.dtype == np.float32
    np.testing.assert_allclose(single.T @ single, 4 * np.eye(6), atol=1e-5)


def test_random_orthogonal_is_uniform_over_the_group():
    # Under the uniform (Haar) distribution every entry has mean 0 and mean square 1/n, and the
    # diagonal is no more often positive than negative. The QR factor without the sign correction
    # fails this: its diagonal entries lean to one sign.
    rng = np.random.default_rng(11)
    draws = np.stack([cells.random_orthogonal(3, rng=rng) for _ in range(4000)])
    assert abs(draws[:, 0, 0].mean()) < 0.03
    assert abs(draws[:, 1, 1].mean()) < 0.03
    assert abs((draws[:, 0, 0] ** 2).mean() - 1 / 3) < 0.02
    uncorrected = np.stack([np.linalg.qr(rng.standard_normal((3, 3)))[0] for _ in range(4000)])
    assert abs(uncorrected[:, 0, 0].mean()) > 0.2  # the test above can tell the difference


def test_spectral_radius_and_largest_singular_value_differ_for_a_non_normal_matrix():
    angle = 0.3
    rotation = 0.7 * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    assert cells.spectral_radius(rotation) == pytest.approx(0.7, rel=1e-12)
    assert cells.largest_singular_value(rotation) == pytest.approx(0.7, rel=1e-12)
    triangular = np.array([[0.5, 10.0], [0.0, 0.3]])  # eigenvalues 0.5 and 0.3 on the diagonal
    assert cells.spectral_radius(triangular) == pytest.approx(0.5, rel=1e-12)
    assert cells.largest_singular_value(triangular) > 10.0  # it stretches e_2 to (10, 0.3)
    assert cells.largest_singular_value(np.diag([3.0, -4.0])) == pytest.approx(4.0)
    assert cells.largest_singular_value(np.ones((2, 3))) == pytest.approx(np.sqrt(6))


def test_scale_to_spectral_radius():
    w = np.random.default_rng(4).standard_normal((64, 64))
    original = w.copy()
    scaled = cells.scale_to_spectral_radius(w, 0.5)
    np.testing.assert_array_equal(w, original)  # a copy; the input is left alone
    assert np.abs(np.linalg.eigvals(scaled)).max() == pytest.approx(0.5, rel=1e-10)
    ratio = scaled / w
    np.testing.assert_allclose(ratio, ratio[0, 0], rtol=1e-12)  # one common factor
    # A random Gaussian matrix is far from normal: its largest singular value is well above rho.
    assert cells.largest_singular_value(scaled) > 0.8


@pytest.mark.parametrize("call, message", [
    (lambda: cells.random_orthogonal(0), "size must be a positive integer"),
    (lambda: cells.random_orthogonal(3, scale="big"), "scale must be a finite real number"),
    (lambda: cells.random_orthogonal(3, scale=True), "scale must be a finite real number"),
    (lambda: cells.random_orthogonal(3, scale=float("nan")), "scale must be a finite real number"),
    (lambda: cells.random_orthogonal(3, dtype=np.int64), "dtype must be float32 or float64"),
    (lambda: cells.spectral_radius(np.ones((2, 3))), "square 2-d array"),
    (lambda: cells.spectral_radius([1.0, 2.0]), "square 2-d array"),
    (lambda: cells.spectral_radius(np.array([[np.nan]])), "finite"),
    (lambda: cells.largest_singular_value(np.ones(3)), "2-d array"),
    (lambda: cells.scale_to_spectral_radius(np.eye(2), -1.0), "must be >= 0"),
    (lambda: cells.scale_to_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 0.5), "spectral radius 0"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
