"""The LSTM cell, in PyTorch's gate order i, f, g, o.

    i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)     input gate
    f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)     forget gate
    g_t = tanh (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate
    o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)     output gate
    c_t = f_t * c_{t-1} + i_t * g_t
    h_t = o_t * tanh(c_t)

W_ih stacks the four blocks W_ii, W_if, W_ig, W_io row-wise (shape (4h, d)); W_hh and the
biases likewise. Backpropagation through one step, given dL/dh_t and dL/dc_t from later:

    do_t      = dh_t * tanh(c_t)
    dc_t     += dh_t * o_t * (1 - tanh(c_t)^2)
    di_t      = dc_t * g_t          dg_t = dc_t * i_t          df_t = dc_t * c_{t-1}
    dc_{t-1}  = dc_t * f_t          (no weight matrix on this path: the constant error carousel)
    da_t      = [di * i(1-i), df * f(1-f), dg * (1-g^2), do * o(1-o)]   (pre-activations)
    dx_t      = W_ih^T da_t         dh_{t-1} = W_hh^T da_t
    dW_ih    += da_t x_t^T          dW_hh   += da_t h_{t-1}^T          db_ih, db_hh += da_t
"""

import numpy as np

from . import kernels
from .cell import RecurrentCell, StepCache
from .pointwise import lstm_state_update, sigmoid


class LSTMCell(RecurrentCell):
    """One LSTM layer at one time step, like torch.nn.LSTMCell. Its state is the pair (h, c)."""

    num_gates = 4
    has_cell_state = True

    def step(self, x_t, state=None):
        """x_t (B, d), state (h_{t-1}, c_{t-1}) or None -> ((h_t, c_t), cache)."""
        self.check_parameters()
        x_t = self.check_input(x_t)
        h_prev, c_prev = self.check_state(state, x_t.shape[0])
        a = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T  # W_ih x_t + W_hh h_{t-1}, rows as a batch
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # the four blocks' pre-activations
        i = sigmoid(a_i)  # input gate
        f = sigmoid(a_f)  # forget gate
        g = np.tanh(a_g)  # candidate
        o = sigmoid(a_o)  # output gate
        c, h = lstm_state_update(c_prev, i, f, g, o)  # c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
        cache = StepCache(x=x_t, h_prev=h_prev, c_prev=c_prev,
                          gates={"i": i, "f": f, "g": g, "o": o}, values={"c": c})
        return (h, c), cache

    def step_backward(self, d_new_state, cache):
        """(dL/dh_t, dL/dc_t) -> (dL/dx_t, (dL/dh_{t-1}, dL/dc_{t-1}), grads). dc may be None."""
        if not isinstance(d_new_state, (tuple, list)) or len(d_new_state) != 2:
            raise ValueError("d_new_state of an LSTM must be a pair (dh, dc); "
                             f"got {type(d_new_state).__name__}")
        B = cache.x.shape[0]
        dh = self.check_hidden("dh", d_new_state[0], B)
        dc = np.zeros_like(dh) if d_new_state[1] is None else self.check_hidden("dc", d_new_state[1], B)
        i, f, g, o = (cache.gates[k] for k in "ifgo")
        tanh_c = np.tanh(cache.values["c"])
        do = dh * tanh_c
        dc = dc + dh * o * (1.0 - tanh_c ** 2)
        di, dg, df = dc * g, dc * i, dc * cache.c_prev
        dc_prev = dc * f
        da = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)], axis=1)
        grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev}
        if self.bias:
            grads["bias_ih"] = da.sum(axis=0)
            grads["bias_hh"] = da.sum(axis=0)
        return da @ self.weight_ih, (da @ self.weight_hh, dc_prev), grads

    def forward_sequence(self, x, state):
        """All T steps for the layers: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), cache),
        fused (kernels.py)."""
        return kernels.lstm_forward(self, x, state)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for forward_sequence: -> (dx, (dh0, dc0), grads)."""
        return kernels.lstm_backward(self, cache, d_outputs, d_final_state)
