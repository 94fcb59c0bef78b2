"""Recurrent matrices whose size we control: orthogonal matrices, spectral radius, largest singular value.

Two numbers describe how a square matrix W stretches vectors when it is applied over and over:

    spectral radius   rho(W)       = max |eigenvalue of W|       how fast W^k v grows or shrinks for large k
    largest singular  sigma_max(W) = max ||W v|| / ||v||         the most W can stretch any v in one step

rho(W) <= sigma_max(W) always, with equality when W is normal (W^T W = W W^T), for example symmetric or
orthogonal. A bound on the gradient that must hold after *every* step uses sigma_max; the long-run rate
of the product W^k is rho (Gelfand: ||W^k||^(1/k) -> rho). For W = rho * Q with Q orthogonal (Q^T Q = I)
the two coincide: every singular value and every eigenvalue has size exactly rho, and ||W^k v|| = rho^k ||v||
for every v and every k. That is why the book builds its test matrices that way.
"""

import numbers

import numpy as np

from ._validation import as_generator, check_array, check_dtype, check_positive_int


def _check_scale(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite real number; got {value!r}")
    return float(value)


def _check_square(matrix):
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
        raise ValueError(f"matrix must be a non-empty square 2-d array (n, n); got shape {array.shape}")
    return check_array("matrix", array, array.shape, dtype=None)


def random_orthogonal(size, scale=1.0, rng=None, dtype=np.float64):
    """scale * Q with Q a random orthogonal (size, size) matrix, drawn uniformly (Haar measure).

    Q comes from the QR factorisation of a Gaussian matrix, A = QR; multiplying column j of Q by the
    sign of R[j, j] makes the factorisation unique, and with it Q uniformly distributed (Mezzadri 2007).
    Every singular value and every |eigenvalue| of the result equals |scale|.
    """
    size = check_positive_int("size", size)
    scale = _check_scale("scale", scale)
    dtype = check_dtype(dtype)
    rng = as_generator(rng)
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    signs = np.where(np.diag(r) < 0, -1.0, 1.0)
    return (scale * q * signs).astype(dtype)


def spectral_radius(matrix):
    """rho(W) = max |eigenvalue of W| of a square matrix."""
    matrix = _check_square(matrix)
    return float(np.abs(np.linalg.eigvals(matrix)).max())


def largest_singular_value(matrix):
    """sigma_max(W) = max ||W v|| / ||v||, the matrix 2-norm (any 2-d matrix)."""
    array = np.asarray(matrix)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"matrix must be a non-empty 2-d array; got shape {array.shape}")
    array = check_array("matrix", array, array.shape, dtype=None)
    return float(np.linalg.norm(array, ord=2))


def scale_to_spectral_radius(matrix, rho):
    """A copy of the square `matrix` multiplied by the number that makes its spectral radius `rho`.

    Scaling W by c scales every eigenvalue by c, so rho(cW) = |c| rho(W); c = rho / rho(W). The largest
    singular value scales by the same c and stays >= rho (equal only for a normal matrix).
    """
    rho = _check_scale("rho", rho)
    if rho < 0:
        raise ValueError(f"rho is a spectral radius, so it must be >= 0; got {rho!r}")
    matrix = _check_square(matrix)
    current = spectral_radius(matrix)
    if current == 0:
        raise ValueError("matrix has spectral radius 0 (every eigenvalue is zero), so no scaling can "
                         f"give it spectral radius {rho}")
    return matrix * (rho / current)
