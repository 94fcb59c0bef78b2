"""LSTM gate sliders: set the gates by hand and watch the memory keep, fade or be overwritten.

Every gate holds one value for all T steps, and the cell starts with a stored memory c_0 = 1:

    c_t = f * c_{t-1} + i * g        h_t = o * tanh(c_t)        (cells.lstm_state_update)

The gradient of the final memory with respect to the first comes from backpropagation through
an actual `cells.LSTMCell` whose gates are pinned to the slider values (zero weights, biases
set to the gates' pre-activations), and equals the product of the forget gates f_1 ... f_T.
"""

import numpy as np

import cells

from .grid import Field, Slider, memoized
from .view import build, heatmap, line_plot, text

STEPS = 20
C0 = 1.0
FORGET_VALUES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0]
GATE_VALUES = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
CANDIDATE_VALUES = [-1.0, -0.5, 0.0, 0.5, 1.0]
YLIM = [-3.0, 3.0]


def lstm_trajectory(forget, input, output, candidate, steps=STEPS, c0=C0):
    """(c, h): c_t for t = 0..steps, h_t for t = 0..steps (h_0 is NaN: only c_0 is given).

    The gates may be equal-shaped arrays (many settings at once); c and h then gain a
    leading axis of that shape.
    """
    forget, input, output, candidate = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64)
                                                             for v in (forget, input, output, candidate)))
    c = np.empty(forget.shape + (steps + 1,))
    h = np.full(forget.shape + (steps + 1,), np.nan)
    c[..., 0] = c0
    for t in range(1, steps + 1):
        c[..., t], h[..., t] = cells.lstm_state_update(np.array(c[..., t - 1]), input, forget, candidate, output)
    return c, h


def _pinned_cell(forget, input, output, candidate):
    """A one-unit LSTMCell whose gates are exactly the given values at every step."""
    cell = cells.LSTMCell(1, 1, rng=0)
    cell.weight_ih[:] = 0.0
    cell.weight_hh[:] = 0.0
    with np.errstate(divide="ignore"):  # gates of exactly 0 or 1 need infinite pre-activations
        def logit(p):
            return np.log(p) - np.log1p(-p)

        cell.bias_ih[:] = [logit(input), logit(forget), np.arctanh(candidate), logit(output)]
    cell.bias_hh[:] = 0.0
    return cell


def lstm_memory_gradient(forget, input, output, candidate, steps=STEPS, c0=C0):
    """(dc_T/dc_0 by backpropagation through time, product of the forget gates the cell used,
    the gate activations {"i", "f", "g", "o"} as arrays over t = 1..steps)."""
    cell = _pinned_cell(forget, input, output, candidate)
    x = np.zeros((steps, 1, 1))
    state = (np.zeros((1, 1)), np.full((1, 1), c0))
    outputs, _, caches = cells.unroll(cell, x, state)
    d_outputs = np.zeros_like(outputs)
    _, (_, dc0), _, _ = cells.backprop_through_time(cell, caches, d_outputs, (None, np.ones((1, 1))))
    gates = {k: np.array([cache.gates[k][0, 0] for cache in caches]) for k in "ifgo"}
    return float(dc0[0, 0]), float(np.prod(gates["f"])), gates


_cached_gradient = memoized(lstm_memory_gradient, maxsize=128)  # about 45 settings per build


def lstm_gates(forget=0.9, input=0.0, output=1.0, candidate=0.5):
    """Sliders for the forget, input and output gates and the candidate of one LSTM unit.

    Plots c_t and h_t over 20 steps from a stored memory c_0 = 1, shows the gate values the
    cell computed, and dc_T/dc_0 from backpropagation next to the product of forget gates.
    Presets: remember, forget, overwrite, accumulate.
    """
    sliders = [
        Slider("forget", FORGET_VALUES, "forget gate f", ".2f"),
        Slider("input", GATE_VALUES, "input gate i", ".1f"),
        Slider("output", GATE_VALUES, "output gate o", ".1f"),
        Slider("candidate", CANDIDATE_VALUES, "candidate g", ".1f"),
    ]
    neutral = {"forget": 0.5, "input": 0.5, "output": 0.5, "candidate": 0.0}

    def gate_row(gate):
        """One heatmap row: the gate's activations over time; it depends on its own slider only."""
        return lambda **setting: _cached_gradient(**{**neutral, **setting})[2][gate]

    fields = [
        Field("c", lambda forget, input, candidate: lstm_trajectory(forget, input, 1.0, candidate)[0],
              ["forget", "input", "candidate"], vectorized=True),
        Field("h", lambda forget, input, output, candidate: lstm_trajectory(forget, input, output, candidate)[1],
              ["forget", "input", "output", "candidate"], vectorized=True),
        Field("grad", lambda forget: _cached_gradient(forget, 0.5, 0.5, 0.0)[0], ["forget"]),
        Field("prod", lambda forget: _cached_gradient(forget, 0.5, 0.5, 0.0)[1], ["forget"]),
        Field("gate_i", gate_row("i"), ["input"]),
        Field("gate_f", gate_row("f"), ["forget"]),
        Field("gate_g", gate_row("g"), ["candidate"]),
        Field("gate_o", gate_row("o"), ["output"]),
    ]
    t = list(range(STEPS + 1))
    panels = [
        line_plot([{"key": "c", "label": "cell state c_t", "color": 0},
                   {"key": "h", "label": "hidden state h_t", "color": 1, "dash": True}],
                  t, xlabel="time step t", ylabel="value", ylim=YLIM,
                  title="Memory over time (c_0 = 1 is stored before step 1)"),
        text([f"Gradient of the last memory with respect to the first, from backpropagation through "
              f"{STEPS} steps of cells.LSTMCell: dc_T/dc_0 = {{grad:.6g}}",
              f"Product of the {STEPS} forget gates f_1 \u00b7 f_2 \u00b7\u00b7\u00b7 f_T = {{forget}}^{STEPS} "
              f"= {{prod:.6g}}  (no weight matrix on this path: the constant error carousel)"],
             title="Gradient along the cell state"),
        heatmap(["gate_i", "gate_f", "gate_g", "gate_o"],
                ["input i", "forget f", "candidate g", "output o"], [str(k) for k in range(1, STEPS + 1)],
                -1.0, 1.0, xlabel="time step t", diverging=True,
                title="Gate activations the cell computed at each step (colour: -1 blue, 0 white, +1 red)"),
    ]
    presets = {
        "remember": {"forget": 1.0, "input": 0.0, "output": 1.0},
        "forget": {"forget": 0.0, "input": 0.0, "output": 1.0},
        "fade": {"forget": 0.8, "input": 0.0, "output": 1.0},
        "overwrite": {"forget": 0.0, "input": 1.0, "candidate": -0.5, "output": 1.0},
        "accumulate": {"forget": 1.0, "input": 0.2, "candidate": 0.5, "output": 1.0},
    }
    settings = {"forget": forget, "input": input, "output": output, "candidate": candidate}
    return build("LSTM gates, set by hand", sliders, fields, panels, presets,
                 caption="One LSTM unit with a memory c_0 = 1. Each gate keeps the value you set at every step.",
                 settings=settings)
