"""The GRU cell, in PyTorch's gate order r, z, n and PyTorch's convention.

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)            reset gate
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)            update gate
    n_t = tanh (W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))    candidate (reset_after=True)
    n_t = tanh (W_in x_t + b_in + W_hn (r_t * h_{t-1}) + b_hn)    candidate (reset_after=False)
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

Some texts swap the roles of z and 1 - z; here z_t = 1 keeps the old state. By default the
reset gate multiplies the recurrent term *after* the matrix product, as in PyTorch, cuDNN and
Keras's default (reset_after=True), which is why b_hn is a separate bias. With reset_after=False
it multiplies the old state *before* the product, as in Cho et al. (2014) and Keras's
reset_after=False; the parameter arrays are the same, and b_hn simply sits outside r.
Backpropagation through one step, given dL/dh_t:

    dz_t = dh_t * (h_{t-1} - n_t)      da_n = dh_t * (1 - z_t) * (1 - n_t^2)
    reset after:   dr_t = da_n * (W_hn h_{t-1} + b_hn)    da^h_n = r_t * da_n   (at W_hn h_{t-1} + b_hn)
    reset before:  d(r h) = W_hn^T da_n    dr_t = d(r h) * h_{t-1}    da^h_n = da_n
    da_r = dr_t * r(1-r)           da_z = dz_t * z(1-z)
    input side:     da^x = [da_r, da_z, da_n]      -> dx_t = W_ih^T da^x,  dW_ih += da^x x_t^T
    recurrent side: da^h = [da_r, da_z, da^h_n]    -> dW_hh += da^h times what each block multiplies
    dh_{t-1} = dh_t * z_t + W_hh^T da^h  (reset after)   or  ... + d(r h) * r_t  (reset before)
"""

import numpy as np

from . import kernels
from ._validation import check_bool
from .cell import RecurrentCell, StepCache
from .pointwise import gru_state_update, sigmoid


class GRUCell(RecurrentCell):
    """One GRU layer at one time step, like torch.nn.GRUCell (reset_after=False: Cho et al.'s GRU)."""

    num_gates = 3

    def __init__(self, input_size, hidden_size, bias=True, rng=None, dtype=np.float64, *, reset_after=True):
        self.reset_after = check_bool("reset_after", reset_after)
        super().__init__(input_size, hidden_size, bias=bias, rng=rng, dtype=dtype)

    def __repr__(self):
        return super().__repr__()[:-1] + f", reset_after={self.reset_after})"

    def step(self, x_t, state=None):
        """x_t (B, d), state h_{t-1} (B, h) or None -> (h_t, cache)."""
        self.check_parameters()
        x_t = self.check_input(x_t)
        h_prev = self.check_state(state, x_t.shape[0])
        h = self.hidden_size
        from_x = x_t @ self.weight_ih.T
        from_h = h_prev @ self.weight_hh[:2 * h].T
        b_hn = 0.0
        if self.bias:
            from_x = from_x + self.bias_ih
            from_h = from_h + self.bias_hh[:2 * h]
            b_hn = self.bias_hh[2 * h:]
        x_r, x_z, x_n = np.split(from_x, 3, axis=1)
        h_r, h_z = np.split(from_h, 2, axis=1)
        r = sigmoid(x_r + h_r)  # reset gate
        z = sigmoid(x_z + h_z)  # update gate
        w_hn = self.weight_hh[2 * h:]
        values = {}
        if self.reset_after:
            values["h_n"] = h_prev @ w_hn.T + b_hn  # W_hn h_{t-1} + b_hn
            n = np.tanh(x_n + r * values["h_n"])  # candidate
        else:
            n = np.tanh(x_n + (r * h_prev) @ w_hn.T + b_hn)  # candidate, Cho et al.'s
        h_new = gru_state_update(h_prev, z, n)  # h_t = (1 - z) n + z h_{t-1}
        return h_new, StepCache(x=x_t, h_prev=h_prev, gates={"r": r, "z": z, "n": n}, values=values)

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self.check_hidden("d_new_state", d_new_state, cache.x.shape[0])
        h_prev, h = cache.h_prev, self.hidden_size
        r, z, n = (cache.gates[k] for k in "rzn")
        dz = dh * (h_prev - n)
        da_n = dh * (1 - z) * (1 - n ** 2)
        w_hn = self.weight_hh[2 * h:]
        if self.reset_after:
            dr = da_n * cache.values["h_n"]
            da_hn = r * da_n  # the gradient at W_hn h_{t-1} + b_hn
            dh_prev = da_hn @ w_hn
            hn_input = h_prev  # what W_hn multiplies
        else:
            d_rh = da_n @ w_hn  # the gradient at r_t * h_{t-1}
            dr = d_rh * h_prev
            da_hn = da_n
            dh_prev = d_rh * r
            hn_input = r * h_prev
        da_rz = np.concatenate([dr * r * (1 - r), dz * z * (1 - z)], axis=1)
        da_x = np.concatenate([da_rz, da_n], axis=1)
        dh_prev = dh_prev + dh * z + da_rz @ self.weight_hh[:2 * h]
        grads = {"weight_ih": da_x.T @ cache.x,
                 "weight_hh": np.concatenate([da_rz.T @ h_prev, da_hn.T @ hn_input])}
        if self.bias:
            grads["bias_ih"] = da_x.sum(axis=0)
            grads["bias_hh"] = np.concatenate([da_rz, da_hn], axis=1).sum(axis=0)
        return da_x @ self.weight_ih, dh_prev, grads

    def forward_sequence(self, x, h0):
        """All T steps for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache), fused (kernels.py)."""
        forward = kernels.gru_forward if self.reset_after else kernels.gru_reset_before_forward
        return forward(self, x, h0)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for forward_sequence: -> (dx, dh0, grads)."""
        backward = kernels.gru_backward if self.reset_after else kernels.gru_reset_before_backward
        return backward(self, cache, d_outputs, d_final_state)
