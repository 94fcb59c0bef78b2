"""The pointwise maths of the cells: squashing functions and the two state updates.

These are the parts of an LSTM and a GRU that involve no weights. The widgets drive
`lstm_state_update` and `gru_state_update` with hand-set gate values and the cells call the
same functions, so a slider and a trained network show the same arithmetic.

    sigma(x) = 1 / (1 + exp(-x))
    LSTM:  c_t = f_t * c_{t-1} + i_t * g_t        h_t = o_t * tanh(c_t)
    GRU:   h_t = (1 - z_t) * n_t + z_t * h_{t-1}   (PyTorch's convention; some texts swap z and 1 - z)
"""

import numpy as np

from ._validation import check_same_shapes


def sigmoid(x, out=None):
    """sigma(x) = 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2.

    The two are equal; the tanh form never overflows, so large negative inputs give 0
    without a RuntimeWarning. `out` may be `x` itself for an in-place update.
    """
    out = np.multiply(x, 0.5, out=out)
    out = np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def relu(x, out=None):
    return np.maximum(x, 0.0, out=out)


def identity(x, out=None):
    if out is None:
        return np.array(x, copy=True)
    out[...] = x
    return out


# Each activation with its derivative written in terms of its *output* y = phi(a), which is
# what backpropagation has at hand: tanh' = 1 - y^2, sigma' = y (1 - y), relu' = [y > 0].
ACTIVATIONS = {
    "tanh": (np.tanh, lambda y: 1.0 - y * y),
    "relu": (relu, lambda y: (y > 0).astype(y.dtype)),
    "sigmoid": (sigmoid, lambda y: y * (1.0 - y)),
    "identity": (identity, lambda y: np.ones_like(y)),
}


def lstm_state_update(c_prev, i, f, g, o):
    """One LSTM memory update from gate values: returns (c, h).

        c = f * c_prev + i * g
        h = o * tanh(c)

    All five arguments must have the same shape (scalars are fine); nothing is broadcast.
    """
    c_prev, i, f, g, o = check_same_shapes(("c_prev", "i", "f", "g", "o"), (c_prev, i, f, g, o))
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return c[()], h[()]


def gru_state_update(h_prev, z, n):
    """One GRU hidden-state update from gate values (PyTorch's convention): returns h.

        h = (1 - z) * n + z * h_prev

    z = 1 keeps the old state, z = 0 replaces it by the candidate n. Same shapes required.
    """
    h_prev, z, n = check_same_shapes(("h_prev", "z", "n"), (h_prev, z, n))
    h = (1.0 - z) * n + z * h_prev
    return h[()]
