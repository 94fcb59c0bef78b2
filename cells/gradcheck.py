"""Checking a hand-written gradient against finite differences.

For a scalar loss L and one parameter entry w, the central difference

    dL/dw  ~  (L(w + eps) - L(w - eps)) / (2 eps)

has error O(eps^2), so in float64 with eps = 1e-6 it agrees with a correct analytic gradient
to about 1e-8. A disagreement names the parameter and the entry, which points at the one
equation of the backward pass that is wrong.
"""

import numpy as np

from ._validation import as_generator


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences."""


def numerical_gradient(f, array, index, eps=1e-6):
    """Central difference of f() with respect to array[index]; `array` is restored afterwards."""
    original = array[index]
    array[index] = original + eps
    loss_plus = float(f())
    array[index] = original - eps
    loss_minus = float(f())
    array[index] = original
    return (loss_plus - loss_minus) / (2 * eps)


def gradcheck(f, params, grads, eps=1e-6, rtol=1e-5, atol=1e-7, max_entries=None, rng=None,
              raise_on_failure=True):
    """Compare `grads` with finite differences of the loss `f()` -> dict name -> worst error.

    f:      a function of no arguments that returns the scalar loss computed from `params`
            (it must read the arrays in `params`, which are nudged in place and restored).
    params: dict name -> float64 array;  grads: dict name -> analytic gradient, same shapes.
    max_entries: check at most this many randomly chosen entries per parameter (None: all).
    The error of an entry is |analytic - numerical| / (atol + rtol * |numerical|); it passes
    when <= 1. With raise_on_failure, the first failing entry raises GradcheckError.
    """
    if set(params) != set(grads):
        raise ValueError(f"params and grads must have the same names; got {sorted(params)} and {sorted(grads)}")
    rng = as_generator(0 if rng is None else rng)
    worst = {}
    for name, array in params.items():
        grad = np.asarray(grads[name])
        if not isinstance(array, np.ndarray) or array.dtype != np.float64:
            raise ValueError(f"params[{name!r}] must be a float64 numpy array (finite differences "
                             f"need the precision); got {getattr(array, 'dtype', type(array).__name__)}")
        if grad.shape != array.shape:
            raise ValueError(f"grads[{name!r}] must have shape {array.shape}; got {grad.shape}")
        indices = list(np.ndindex(array.shape))
        if max_entries is not None and len(indices) > max_entries:
            chosen = rng.choice(len(indices), size=max_entries, replace=False)
            indices = [indices[k] for k in sorted(chosen)]
        worst[name] = 0.0
        for index in indices:
            numerical = numerical_gradient(f, array, index, eps)
            error = abs(grad[index] - numerical) / (atol + rtol * abs(numerical))
            worst[name] = max(worst[name], error)
            if raise_on_failure and error > 1:
                raise GradcheckError(f"gradient of {name}{list(index)} is wrong: analytic {grad[index]:.10g}, "
                                     f"finite difference {numerical:.10g}")
    return worst
