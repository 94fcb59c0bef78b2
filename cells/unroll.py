"""Unrolling a cell over a sequence, and backpropagation through time, step by step.

Unrolled over T steps, one recurrent layer is a feed-forward network with T layers that
share their weights:

    state_0 = given (or zeros);   state_t, cache_t = cell.step(x_t, state_{t-1})   t = 1..T

Backpropagation through time walks the same chain backwards. The gradient reaching h_t is
the sum of what the loss says about the output at t and what flows back from step t + 1:

    dL/dh_t (total) = d_outputs[t] + dL/dh_t (through step t + 1)

and because the weights are shared, their gradient is the sum over t of each step's share.
These functions call `step` and `step_backward` literally, so every intermediate is visible;
the layers in `layers.py` run the same maths through the cells' faster sequence methods.
"""

import numpy as np

from ._validation import check_array
from .cell import RecurrentCell


def _check_cell(cell):
    if not isinstance(cell, RecurrentCell):
        raise ValueError(f"cell must be an RNNCell, LSTMCell or GRUCell; got {type(cell).__name__}")


def unroll(cell, x, state=None):
    """Run `cell` over x (T, B, d) -> (outputs (T, B, h), final_state, caches).

    `outputs[t]` is h_t; `caches[t].gates` holds the gate activations at step t.
    For an LSTM, state and final_state are pairs (h, c).
    """
    _check_cell(cell)
    x = check_array("x", x, (None, None, cell.input_size), cell.dtype, labels=("T", "B", "d"))
    T, B, _ = x.shape
    if T == 0 or B == 0:
        raise ValueError(f"x must have at least one time step and one sequence; got shape {x.shape}")
    outputs = np.empty((T, B, cell.hidden_size), dtype=cell.dtype)
    caches = []
    for t in range(T):
        state, cache = cell.step(x[t], state)
        outputs[t] = state[0] if cell.has_cell_state else state
        caches.append(cache)
    return outputs, state, caches


def backprop_through_time(cell, caches, d_outputs, d_final_state=None):
    """Backward pass of `unroll` -> (dx (T, B, d), d_initial_state, grads, d_hidden (T, B, h)).

    d_outputs (T, B, h) is dL/doutputs; d_final_state is dL/dfinal_state (for an LSTM a pair
    (dh, dc), either may be None). `d_hidden[t]` is the total dL/dh_t, through all later
    steps: its norm against t shows gradients vanishing or exploding.
    """
    _check_cell(cell)
    T = len(caches)
    if T == 0:
        raise ValueError("caches must hold at least one step; got an empty list")
    B, h = caches[0].x.shape[0], cell.hidden_size
    d_outputs = check_array("d_outputs", d_outputs, (T, B, h), cell.dtype, labels=("T", "B", "h"))
    zeros = np.zeros((B, h), dtype=cell.dtype)
    if cell.has_cell_state:
        dh, dc = (None, None) if d_final_state is None else d_final_state
        dh = zeros if dh is None else cell.check_hidden("d_final_state[0]", dh, B)
        dc = zeros if dc is None else cell.check_hidden("d_final_state[1]", dc, B)
    else:
        dh = zeros if d_final_state is None else cell.check_hidden("d_final_state", d_final_state, B)

    grads = cell.zero_grads()
    dx = np.empty((T, B, cell.input_size), dtype=cell.dtype)
    d_hidden = np.empty((T, B, h), dtype=cell.dtype)
    for t in reversed(range(T)):
        dh = dh + d_outputs[t]
        d_hidden[t] = dh
        d_new_state = (dh, dc) if cell.has_cell_state else dh
        dx[t], d_prev, step_grads = cell.step_backward(d_new_state, caches[t])
        for name, g in step_grads.items():
            grads[name] += g  # shared weights: the gradient is the sum of every step's share
        if cell.has_cell_state:
            dh, dc = d_prev
        else:
            dh = d_prev
    d_initial_state = (dh, dc) if cell.has_cell_state else dh
    return dx, d_initial_state, grads, d_hidden


def gradient_norms(cell, x, state=None):
    """How much of a loss at the last step reaches each earlier step: -> (T,) norms.

    L = sum of the last output h_T (d_outputs zero except d_outputs[-1] = 1); entry t is the mean
    over the batch of ||dL/dh_t||, read from backprop_through_time's d_hidden. Plotted against
    T - t it shows the gradient vanishing (or exploding) with distance.
    """
    _, _, caches = unroll(cell, x, state)
    T, B = len(caches), caches[0].x.shape[0]
    d_outputs = np.zeros((T, B, cell.hidden_size), dtype=cell.dtype)
    d_outputs[-1] = 1.0
    *_, d_hidden = backprop_through_time(cell, caches, d_outputs)
    return np.linalg.norm(d_hidden, axis=2).mean(axis=1)
