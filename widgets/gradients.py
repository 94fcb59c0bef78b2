"""Vanishing-gradient explorer: how fast ||dL/dh_{T-k}|| shrinks (or grows) with the distance k.

A layer of 16 units reads T random inputs; the loss looks only at the last hidden state,
L = u . h_T with a fixed unit vector u, so ||dL/dh_T|| = 1. Backpropagation through time in
`cells` (float64) gives dL/dh_t at every step; the widget plots its norm against k = T - t.

The recurrent matrix is spectral_radius * Q with Q orthogonal (for the LSTM and the GRU, every
gate block of weight_hh is scaled so), so its spectral radius and its largest singular value are
both rho. For the plain RNN each step multiplies the gradient by W_hh^T diag(phi'(a_t)), hence

    ||dL/dh_{T-k}|| <= (rho * max phi')^k          max phi' = 1 (tanh, relu, identity), 1/4 (sigmoid)

the bound drawn dashed. The LSTM's cell state gives the gradient a path with no weight matrix.

The layer's weights, inputs and loss direction are drawn from cells.experiments.rng(SEED), so they
follow the book's experiment seed (UNROLLED_EXPERIMENT_SEED; the default 0 keeps draw SEED = 0); a
built page precomputes the sliders' grid under the build's seed.
"""

import numpy as np

import cells
from cells import experiments

from .grid import Field, Slider, memoized
from .view import build, line_plot, text

HIDDEN_SIZE = 16
INPUT_SIZE = 4
MAX_LENGTH = 50
SEED = 0
RADII = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0]
ACTIVATIONS = ["tanh", "sigmoid", "identity", "relu"]
CELLS = ["RNN", "LSTM", "LSTM, forget bias +1", "GRU"]
LENGTHS = [1, 2, 5, 10, 20, 35, 50]
MAX_SLOPE = {"tanh": 1.0, "sigmoid": 0.25, "identity": 1.0, "relu": 1.0}
YLIM = [1e-20, 1e16]


def _check(activation, cell, sequence_length):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}; got {cell!r}")
    if isinstance(sequence_length, bool) or not isinstance(sequence_length, (int, np.integer)) \
            or not 1 <= sequence_length <= MAX_LENGTH:
        raise ValueError(f"sequence_length must be an integer from 1 to {MAX_LENGTH}; got {sequence_length!r}")


def _make_cell(cell, activation, radii):
    """One cell holding len(radii) independent copies of a 16-unit layer, copy r with
    spectral radius radii[r]: block-diagonal recurrent weights, so the copies never interact."""
    h, copies = HIDDEN_SIZE, len(radii)
    # `big` is only a container: every one of its arrays is overwritten below from `base`
    rng = experiments.rng(SEED)
    if cell == "RNN":
        base = cells.RNNCell(INPUT_SIZE, h, nonlinearity=activation, rng=rng)
        big = cells.RNNCell(INPUT_SIZE, h * copies, nonlinearity=activation, rng=0)
    elif cell == "GRU":
        base = cells.GRUCell(INPUT_SIZE, h, rng=rng)
        big = cells.GRUCell(INPUT_SIZE, h * copies, rng=0)
    else:
        base = cells.LSTMCell(INPUT_SIZE, h, rng=rng)
        big = cells.LSTMCell(INPUT_SIZE, h * copies, rng=0)
        if cell == "LSTM, forget bias +1":
            base.bias_ih[h:2 * h] += 1.0  # PyTorch's order i, f, g, o: the second block is the forget gate
    gates = base.weight_hh.shape[0] // h
    orthogonal = [cells.random_orthogonal(h, rng=rng) for _ in range(gates)]
    H = h * copies
    big.weight_hh[:] = 0.0
    for k in range(gates):
        for r, rho in enumerate(radii):
            rows = slice(k * H + r * h, k * H + (r + 1) * h)
            big.weight_hh[rows, r * h:(r + 1) * h] = rho * orthogonal[k]
            big.weight_ih[rows] = base.weight_ih[k * h:(k + 1) * h]
            big.bias_ih[rows] = base.bias_ih[k * h:(k + 1) * h]
            big.bias_hh[rows] = base.bias_hh[k * h:(k + 1) * h]
    return big, rng


def norms_by_distance(spectral_radius, activation="tanh", cell="RNN", sequence_length=MAX_LENGTH):
    """||dL/dh_{T-k}|| for k = 0..T-1 (T = sequence_length), by cells.backprop_through_time.

    spectral_radius may be a 1-D array: the settings then share one run (independent copies
    side by side) and the result has shape (len, T). `activation` only affects the plain RNN.
    """
    _check(activation, cell, sequence_length)
    radii = np.atleast_1d(np.asarray(spectral_radius, dtype=np.float64))
    if radii.ndim != 1 or not np.all(np.isfinite(radii)) or np.any(radii < 0):
        raise ValueError("spectral_radius must be a finite number >= 0 (or a 1-D array of them); "
                         f"got {spectral_radius!r}")
    big, rng = _make_cell(cell, activation, radii)
    T, h, copies = sequence_length, HIDDEN_SIZE, len(radii)
    x = rng.normal(size=(MAX_LENGTH, 1, INPUT_SIZE))[:T]
    u = rng.normal(size=h)
    u /= np.linalg.norm(u)
    outputs, _, caches = cells.unroll(big, x)
    d_outputs = np.zeros_like(outputs)
    d_outputs[-1, 0] = np.tile(u, copies)
    *_, d_hidden = cells.backprop_through_time(big, caches, d_outputs)
    norms = np.linalg.norm(d_hidden[:, 0, :].reshape(T, copies, h), axis=2)  # (T, copies), t = 1..T
    norms = norms[::-1].T  # k = T - t = 0, 1, ..., T-1
    return norms[0] if np.ndim(spectral_radius) == 0 else norms


def rnn_bound(spectral_radius, activation="tanh", sequence_length=MAX_LENGTH):
    """(rho * max phi')^k for k = 0..T-1: the plain RNN's gradient norm cannot exceed it."""
    _check(activation, "RNN", sequence_length)
    return (spectral_radius * MAX_SLOPE[activation]) ** np.arange(sequence_length, dtype=np.float64)


def _pad(values):
    out = np.full(MAX_LENGTH, np.nan)
    out[:len(values)] = values
    return out


@memoized
def _all_norms(spectral_radius, activation, cell, sequence_length):
    """The vectorized field: every grid point, one run per (cell, activation, T)."""
    out = np.full((len(spectral_radius), MAX_LENGTH), np.nan)
    runs = {}
    for n, (act, kind, T) in enumerate(zip(activation, cell, sequence_length)):
        act = act if kind == "RNN" else "tanh"  # the activation slider only changes the plain RNN
        runs.setdefault((act, kind, int(T)), []).append(n)
    for (act, kind, T), rows in runs.items():
        radii = spectral_radius[rows]
        unique, inverse = np.unique(radii, return_inverse=True)
        norms = norms_by_distance(unique, act, kind, T)
        out[rows, :T] = norms[inverse]
    return out


def activation_note(cell, spectral_radius, sequence_length):
    """Why the activation has no effect on the drawing here ("" where it has one)."""
    if cell != "RNN":
        return (f"No effect here: only the plain RNN uses this activation; the {cell.split(',')[0]} uses its own "
                "sigmoid gates and tanh.")
    if sequence_length == 1:
        return "No effect here: with T = 1 there is no earlier step for the gradient to reach."
    if spectral_radius == 0:
        return "No effect here: with \u03c1 = 0, W_hh = 0 and no gradient reaches an earlier step, whatever \u03c6."
    return ""


def vanishing_gradients(spectral_radius=0.9, activation="tanh", cell="RNN", sequence_length=50):
    """Spectral radius, activation, cell type and sequence length -> ||dL/dh_{T-k}|| against k (log scale).

    Computed by cells.backprop_through_time in float64; the bound (rho max phi')^k is drawn for
    the plain RNN. Values below 1e-20 (including exact zeros, e.g. at spectral radius 0) are
    drawn on the floor and the plot says so.
    """
    sliders = [
        Slider("spectral_radius", RADII, "spectral radius \u03c1 of W_hh", ".2f"),
        Slider("activation", ACTIVATIONS, "activation (plain RNN)", disabled_when="note"),
        Slider("cell", CELLS, "cell type"),
        Slider("sequence_length", LENGTHS, "sequence length T", "d"),
    ]
    deps = ["spectral_radius", "activation", "cell", "sequence_length"]
    fields = [
        Field("norms", _all_norms, deps, log=True, vectorized=True),
        Field("bound", lambda spectral_radius, activation, cell, sequence_length:
              _pad(rnn_bound(spectral_radius, activation, sequence_length)) if cell == "RNN"
              else np.full(MAX_LENGTH, np.nan), deps, log=True),
        Field("first", lambda **kw: _all_norms(**kw)[np.arange(len(kw["cell"])), kw["sequence_length"] - 1],
              deps, enc="f64", vectorized=True),
        # why the activation control has no effect ("" where it has one)
        Field("note", activation_note, ["cell", "spectral_radius", "sequence_length"], enc="json"),
    ]
    panels = [
        line_plot([{"key": "norms", "label": "||dL/dh_(T-k)|| from BPTT", "color": 0},
                   {"key": "bound", "label": "bound (\u03c1 \u00b7 max \u03c6')^k, plain RNN", "color": 3,
                    "dash": True}],
                  list(range(MAX_LENGTH)), xlabel="distance k = T - t (steps back from the loss)",
                  ylabel="gradient norm", log_y=True, ylim=YLIM, xlim=[0, MAX_LENGTH - 1],
                  title="Gradient reaching earlier steps (log scale)"),
        text(["Gradient reaching the first step (k = T - 1): {first:.3g}, with \u03c1 = {spectral_radius}, "
              "{cell}, T = {sequence_length}."]),
    ]
    presets = {
        "vanishing (tanh, \u03c1 = 0.9)": {"spectral_radius": 0.9, "activation": "tanh", "cell": "RNN",
                                           "sequence_length": 50},
        "exploding (identity, \u03c1 = 1.25)": {"spectral_radius": 1.25, "activation": "identity", "cell": "RNN",
                                              "sequence_length": 50},
        "LSTM, forget bias +1": {"cell": "LSTM, forget bias +1", "sequence_length": 50},
    }
    settings = {"spectral_radius": spectral_radius, "activation": activation, "cell": cell,
                "sequence_length": sequence_length}
    return build("Vanishing and exploding gradients", sliders, fields, panels, presets,
                 caption="Loss on the last step only; gradient norm at each earlier step, computed by "
                         "backpropagation through time in cells (float64).", settings=settings)
