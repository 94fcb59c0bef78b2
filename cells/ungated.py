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

from .cell import RecurrentCell, StepCache
from .layers import RecurrentLayer
from .pointwise import sigmoid


class UngatedMemoryCell(RecurrentCell):
    """State (h, c) like an LSTM cell; parameters weight_c (h, d + 2h), bias_c, weight_o (h, d + h), bias_o."""

    has_cell_state = True
    num_gates = 2  # blocks of rows in the stacked product below: the memory c and the gate o
    bias_names = ("bias_c", "bias_o")

    def _parameter_shapes(self):
        d, h = self.input_size, self.hidden_size
        shapes = {"weight_c": (h, d + 2 * h), "weight_o": (h, d + h)}
        if self.bias:
            shapes.update(bias_c=(h,), bias_o=(h,))
        return shapes

    def step(self, x_t, state=None):
        """x_t (B, d), state (h_{t-1}, c_{t-1}) or None -> ((h_t, c_t), cache)."""
        self._check_parameters()
        x_t = self._check_input(x_t)
        h_prev, c_prev = self._check_state(state, x_t.shape[0])
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
        dh = self._check_hidden("dh", d_new_state[0], B)
        dc = np.zeros_like(dh) if d_new_state[1] is None else self._check_hidden("dc", d_new_state[1], B)
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
        """All T steps, for the layers: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), cache).

        Arranged as RecurrentCell describes, with c_{t-1} as extra rows of the stacked column:
        one product per step, z[t] = [x_t; h_{t-1}; 1; c_{t-1}] times the rows

            c:  [W_c (x and h columns), b_c, W_c (c columns)]     ->  a_c
            o:  [W_o,                   b_o, 0              ]     ->  a_o (halved: sigma through tanh)

        and tanh(a_c) is written straight into z[t + 1] as c_t.
        """
        T, B, d = x.shape
        h = self.hidden_size
        z = self._input_stack(x, state[0], extra_rows=h)
        z[0, -h:] = state[1].T
        w = self._memory_stack()
        w[h:] *= 0.5
        pre = np.empty((2 * h, B), dtype=self.dtype)
        o, tanh_c = np.empty((T, h, B), dtype=self.dtype), np.empty((T, h, B), dtype=self.dtype)
        for z_t, c_next, o_t, tanh_c_t, h_next in zip(z[:T], z[1:, -h:], o, tanh_c, z[1:, d:d + h]):
            np.dot(w, z_t, out=pre)
            np.tanh(pre[:h], out=c_next)  # c_t
            np.tanh(pre[h:], out=o_t)
            o_t *= 0.5
            o_t += 0.5
            np.tanh(c_next, out=tanh_c_t)
            np.multiply(o_t, tanh_c_t, out=h_next)  # h_t
        hs = self._state_rows(z, state[0])
        return hs[1:], (hs[T].copy(), z[T, -h:].T.copy()), (x, hs, z, o, tanh_c)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, (dh0, dc0), grads).

        Per step, with dh_t and dc_t (what reaches c_t from the next step's product):

            da_c = (dh_t o (1 - tanh(c_t)^2) + dc_t) (1 - c_t^2)     da_o = dh_t tanh(c_t) o (1 - o)
            [dh_{t-1}; dc_{t-1}] = (the h and c columns of the stack)^T [da_c; da_o]

        so da_c is [dh; dc] times factors known before the loop, summed by halves.
        """
        x, hs, z, o, tanh_c = cache
        T, B, d = x.shape
        h = self.hidden_size
        c, h_columns = z[1:, -h:], z[1:, d:d + h]
        da = np.empty((T, 2 * h, B), dtype=self.dtype)
        by_dh = da[:, h:]  # da_o = dh * by_dh, multiplied in place in the loop
        np.multiply(h_columns, o, out=by_dh)
        np.subtract(h_columns, by_dh, out=by_dh)  # tanh(c) o (1 - o) = h - h o
        factors = np.empty((T, 2 * h, B), dtype=self.dtype)  # [o (1 - tanh(c)^2) (1 - c^2); 1 - c^2]
        slope = factors[:, h:]
        np.multiply(c, c, out=slope)
        np.subtract(1.0, slope, out=slope)
        np.multiply(h_columns, tanh_c, out=factors[:, :h])
        np.subtract(o, factors[:, :h], out=factors[:, :h])
        factors[:, :h] *= slope
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache

        grad = np.zeros((2 * h, B), dtype=self.dtype)  # the stack [dh; dc]
        if d_final_state is not None:
            grad[:h], grad[h:] = d_final_state[0].T, d_final_state[1].T
        dh = grad[:h]
        w = self._memory_stack()
        w_back = np.ascontiguousarray(np.concatenate([w[:, d:d + h], w[:, -h:]], axis=1).T)
        scratch = np.empty((2 * h, B), dtype=self.dtype)
        for d_out, factors_t, da_t in zip(d_outputs[::-1], factors[::-1], da[::-1]):
            dh += d_out
            np.multiply(grad, factors_t, out=scratch)
            np.add(scratch[:h], scratch[h:], out=da_t[:h])  # da_c
            da_t[h:] *= dh  # da_o
            np.dot(w_back, da_t, out=grad)  # [dh_{t-1}; dc_{t-1}], before the output's term
        w_x = np.concatenate([self.weight_c[:, :d], self.weight_o[:, :d]])
        dx, dw_x, dw_h, db = self._sequence_gradients(x, hs[:-1], da, w_x)
        dw_cc = np.tensordot(da[:, :h], z[:T, -h:], axes=([0, 2], [0, 2]))  # sum of da_c c_{t-1}^T
        grads = {"weight_c": np.concatenate([dw_x[:h], dw_h[:h], dw_cc], axis=1),
                 "weight_o": np.concatenate([dw_x[h:], dw_h[h:]], axis=1)}
        if self.bias:
            grads["bias_c"], grads["bias_o"] = db[:h], db[h:]
        grads = {name: grads[name] for name in self.params()}
        return dx, (grad[:h].T.copy(), grad[h:].T.copy()), grads

    def _memory_stack(self):
        """The rows [c; o] of forward_sequence's product, (2h, d + h + 1 + h)."""
        d, h = self.input_size, self.hidden_size
        w = np.zeros((2 * h, d + h + self.bias + h), dtype=self.dtype)
        w[:h, :d + h], w[:h, -h:] = self.weight_c[:, :d + h], self.weight_c[:, d + h:]
        w[h:, :d + h] = self.weight_o
        if self.bias:
            w[:h, d + h], w[h:, d + h] = self.bias_c, self.bias_o
        return w

class UngatedMemory(RecurrentLayer):
    """A layer of UngatedMemoryCell, with the constructor and return structure of cells.LSTM."""

    cell_class = UngatedMemoryCell
