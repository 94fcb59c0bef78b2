"""GRU gate sliders: the update gate z and the reset gate r, and the setting where a GRU is a plain RNN.

One GRU unit (PyTorch's convention, gate order r, z, n) with hand-set gates:

    n_t = tanh(w_in x_t + r * (w_hn h_{t-1}))
    h_t = (1 - z) * n_t + z * h_{t-1}

z = 1 keeps the old state, z = 0 takes the candidate. With r = 1 and z = 0 the GRU computes
h_t = tanh(w_in x_t + w_hn h_{t-1}): exactly a plain RNN with the same weights, drawn dashed.
(Texts that swap z and 1 - z reach the plain RNN at z = 1.) Both curves come from `cells`:
a GRUCell whose gate pre-activations are pinned by its biases, and an RNNCell.
"""

import numpy as np

import cells

from .grid import Field, Slider, memoized
from .view import build, line_plot, text

STEPS = 20
INPUT_WEIGHT = 1.5
GATE_VALUES = [round(0.1 * k, 1) for k in range(11)]
RECURRENT_VALUES = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]


def input_sequence(steps=STEPS):
    """A pulse to remember (steps 1-3) and a negative one later (steps 11-12), zeros between."""
    x = np.zeros(steps)
    x[0:3] = 1.0
    x[10:12] = -1.0
    return x


def _logit(p):
    with np.errstate(divide="ignore"):  # gates of exactly 0 or 1
        return np.log(p) - np.log1p(-p)


def gru_run(reset, update, recurrent_weight, steps=STEPS):
    """(h, n): the GRU's h_t for t = 0..steps (h_0 = 0) and its candidate n_t (n_0 is NaN).

    The arguments may be equal-length 1-D arrays: the settings then run side by side as the
    units of one GRUCell with diagonal weights (units do not interact), and h, n gain a
    leading axis.
    """
    reset, update, recurrent_weight = (np.asarray(v, dtype=np.float64) for v in (reset, update, recurrent_weight))
    scalar = reset.ndim == 0
    reset, update, recurrent_weight = np.broadcast_arrays(
        *(np.atleast_1d(v) for v in (reset, update, recurrent_weight)))
    units = reset.shape[0]
    cell = cells.GRUCell(units, units, rng=0)
    eye, zero = np.eye(units), np.zeros((units, units))
    cell.weight_ih[:] = np.vstack([zero, zero, INPUT_WEIGHT * eye])
    cell.weight_hh[:] = np.vstack([zero, zero, np.diag(recurrent_weight)])
    cell.bias_ih[:] = np.concatenate([_logit(reset), _logit(update), np.zeros(units)])
    cell.bias_hh[:] = 0.0
    x = np.repeat(input_sequence(steps).reshape(steps, 1, 1), units, axis=2)
    outputs, _, caches = cells.unroll(cell, x)
    h = np.concatenate([np.zeros((1, units)), outputs[:, 0, :]]).T
    n = np.concatenate([np.full((1, units), np.nan), [cache.gates["n"][0] for cache in caches]]).T
    return (h[0], n[0]) if scalar else (h, n)


def rnn_run(recurrent_weight, steps=STEPS):
    """h_t for t = 0..steps of a plain tanh RNNCell with the GRU's candidate weights."""
    cell = cells.RNNCell(1, 1, nonlinearity="tanh", rng=0)
    cell.weight_ih[:] = INPUT_WEIGHT
    cell.weight_hh[:] = recurrent_weight
    cell.bias_ih[:] = 0.0
    cell.bias_hh[:] = 0.0
    outputs, _, _ = cells.unroll(cell, input_sequence(steps).reshape(steps, 1, 1))
    return np.concatenate([[0.0], outputs[:, 0, 0]])


_rnn = memoized(rnn_run)


@memoized
def _grid_run(reset, update, recurrent_weight):
    """All settings in one run; the three fields share it."""
    h, n = gru_run(reset, update, recurrent_weight)
    rnn = np.array([_rnn(float(w)) for w in recurrent_weight])
    return {"h": h, "n": n, "gap": np.max(np.abs(h - rnn), axis=1)}


def gru_gates(reset=1.0, update=0.5, recurrent_weight=1.0):
    """Sliders for the reset gate r, the update gate z and the recurrent weight w_hn of one GRU unit.

    Plots the GRU's h_t, its candidate n_t, and a plain RNN with the same weights over a pulse
    input. Preset "plain RNN" sets r = 1, z = 0 (PyTorch's convention): the curves coincide.
    """
    sliders = [
        Slider("reset", GATE_VALUES, "reset gate r", ".1f"),
        Slider("update", GATE_VALUES, "update gate z", ".1f"),
        Slider("recurrent_weight", RECURRENT_VALUES, "recurrent weight w_hn", ".1f"),
    ]
    fields = [
        Field("h", lambda **kw: _grid_run(**kw)["h"], ["reset", "update", "recurrent_weight"], vectorized=True),
        Field("n", lambda **kw: _grid_run(**kw)["n"], ["reset", "update", "recurrent_weight"], vectorized=True),
        Field("rnn", lambda recurrent_weight: _rnn(recurrent_weight), ["recurrent_weight"]),
        Field("x", lambda: np.concatenate([[np.nan], input_sequence()]), []),
        Field("gap", lambda **kw: _grid_run(**kw)["gap"], ["reset", "update", "recurrent_weight"], vectorized=True),
    ]
    panels = [
        line_plot([{"key": "x", "label": "input x_t", "color": 5, "dash": "dot"},
                   {"key": "h", "label": "GRU h_t", "color": 0},
                   {"key": "n", "label": "candidate n_t", "color": 2, "dash": "dot"},
                   {"key": "rnn", "label": "plain RNN h_t", "color": 3, "dash": True}],
                  list(range(STEPS + 1)), xlabel="time step t", ylabel="value", ylim=[-1.1, 1.1],
                  title="A GRU unit and a plain RNN with the same weights"),
        text(["h_t = (1 - z) \u00b7 n_t + z \u00b7 h_{t-1} with z = {update}; "
              "n_t = tanh(1.5 x_t + r \u00b7 w_hn h_{t-1}) with r = {reset}, w_hn = {recurrent_weight}.",
              "Largest gap between the GRU and the plain RNN: {gap:.3g}  "
              "(zero when r = 1 and z = 0: PyTorch's convention; texts that swap z and 1 - z need z = 1)"]),
    ]
    # What the GRU chapter asks the reader to try: keep the memory, overwrite it from the input alone,
    # reset the candidate while the state fades by z, and the setting that is exactly a plain RNN.
    presets = {
        "keep": {"update": 1.0},
        "overwrite": {"reset": 0.0, "update": 0.0},
        "reset": {"reset": 0.0, "update": 0.7},
        "plain RNN": {"reset": 1.0, "update": 0.0},
    }
    settings = {"reset": reset, "update": update, "recurrent_weight": recurrent_weight}
    return build("GRU gates, set by hand", sliders, fields, panels, presets,
                 caption="One GRU unit, PyTorch's convention. The input is a pulse at steps 1-3 and a "
                         "negative one at steps 11-12.", settings=settings)
