"""An ablation for "why gates?": a memory cell whose new memory is computed by one network.

A reader's natural proposal: instead of gates that mix old and new memory, let one layer
read [x_t, h_{t-1}, c_{t-1}] and output the new memory directly. The output side is the LSTM's:

    c_t = tanh(W_c [x_t, h_{t-1}, c_{t-1}] + b_c)       no forget or input gate: c is rewritten each step
    o_t = sigma(W_o [x_t, h_{t-1}] + b_o)
    h_t = o_t * tanh(c_t)

Unlike the LSTM's c_t = f_t * c_{t-1} + i_t * g_t, the path from c_{t-1} to c_t passes through a
weight matrix and a tanh at every step, so its gradient shrinks like a plain RNN's. Backward,
given dh_t and dc_t from later steps:

    do_t = dh_t * tanh(c_t)             dc_t += dh_t * o_t * (1 - tanh(c_t)^2)
    da_c = dc_t * (1 - c_t^2)           da_o = do_t * o_t (1 - o_t)
    d[x_t, h_{t-1}, c_{t-1}] = W_c^T da_c  (+ W_o^T da_o on the [x_t, h_{t-1}] part)
"""

import numpy as np

from . import kernels
from .cell import RecurrentCell, StepCache
from .layers import RecurrentLayer
from .pointwise import sigmoid


class UngatedMemoryCell(RecurrentCell):
    """State (h, c) like an LSTM's. Parameters weight_c (h, d + 2h), bias_c, weight_o (h, d + h), bias_o."""

    has_cell_state = True
    num_gates = 2  # blocks of rows in the stacked product below: the memory c and the gate o
    bias_names = ("bias_c", "bias_o")

    def parameter_shapes(self):
        d, h = self.input_size, self.hidden_size
        shapes = {"weight_c": (h, d + 2 * h), "weight_o": (h, d + h)}
        if self.bias:
            shapes.update(bias_c=(h,), bias_o=(h,))
        return shapes

    def step(self, x_t, state=None):
        """x_t (B, d), state (h_{t-1}, c_{t-1}) or None -> ((h_t, c_t), cache)."""
        self.check_parameters()
        x_t = self.check_input(x_t)
        h_prev, c_prev = self.check_state(state, x_t.shape[0])
        xh = np.concatenate([x_t, h_prev], axis=1)
        xhc = np.concatenate([xh, c_prev], axis=1)
        a_c, a_o = xhc @ self.weight_c.T, xh @ self.weight_o.T
        if self.bias:
            a_c, a_o = a_c + self.bias_c, a_o + self.bias_o
        c = np.tanh(a_c)
        o = sigmoid(a_o)
        h = o * np.tanh(c)
        cache = StepCache(x=x_t, h_prev=h_prev, c_prev=c_prev, gates={"o": o, "c_candidate": c},
                          values={"c": c, "xh": xh, "xhc": xhc})
        return (h, c), cache

    def step_backward(self, d_new_state, cache):
        """(dL/dh_t, dL/dc_t) -> (dL/dx_t, (dL/dh_{t-1}, dL/dc_{t-1}), grads). dc may be None."""
        if not isinstance(d_new_state, (tuple, list)) or len(d_new_state) != 2:
            raise ValueError(f"d_new_state must be a pair (dh, dc); got {type(d_new_state).__name__}")
        B, d, h = cache.x.shape[0], self.input_size, self.hidden_size
        dh = self.check_hidden("dh", d_new_state[0], B)
        dc = np.zeros_like(dh) if d_new_state[1] is None else self.check_hidden("dc", d_new_state[1], B)
        c, o = cache.values["c"], cache.gates["o"]
        tanh_c = np.tanh(c)
        do = dh * tanh_c
        dc = dc + dh * o * (1 - tanh_c ** 2)
        da_c = dc * (1 - c ** 2)
        da_o = do * o * (1 - o)
        d_xhc = da_c @ self.weight_c
        d_xh = d_xhc[:, :d + h] + da_o @ self.weight_o
        grads = {"weight_c": da_c.T @ cache.values["xhc"], "weight_o": da_o.T @ cache.values["xh"]}
        if self.bias:
            grads["bias_c"], grads["bias_o"] = da_c.sum(axis=0), da_o.sum(axis=0)
        grads = {name: grads[name] for name in self.params()}
        return d_xh[:, :d], (d_xh[:, d:], d_xhc[:, d + h:]), grads


    def forward_sequence(self, x, state):
        """All T steps for the layers: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), cache),
        fused (kernels.py)."""
        return kernels.ungated_forward(self, x, state)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for forward_sequence: -> (dx, (dh0, dc0), grads)."""
        return kernels.ungated_backward(self, cache, d_outputs, d_final_state)


class UngatedMemory(RecurrentLayer):
    """A layer of UngatedMemoryCell, with the constructor and return structure of cells.LSTM."""

    cell_class = UngatedMemoryCell
