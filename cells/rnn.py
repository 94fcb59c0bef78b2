"""The plain (Elman) recurrent cell.

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    h_t = phi(a_t)                      phi in tanh | relu | sigmoid | identity

Backpropagation through one step, given dL/dh_t (everything that reaches h_t):

    da_t      = dL/dh_t * phi'(a_t)
    dL/dx_t   = W_ih^T da_t            dL/dh_{t-1} (this path) = W_hh^T da_t
    dL/dW_ih += da_t x_t^T             dL/dW_hh += da_t h_{t-1}^T
    dL/db_ih += da_t                   dL/db_hh += da_t

In code, batches are rows, so `W x` is written `x @ W.T` and `W^T da` is `da @ W`.
"""

import numpy as np

from . import kernels
from ._validation import check_choice
from .cell import RecurrentCell, StepCache
from .pointwise import ACTIVATIONS


class RNNCell(RecurrentCell):
    """h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), like torch.nn.RNNCell."""

    num_gates = 1

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", bias=True, rng=None,
                 dtype=np.float64):
        self.nonlinearity = check_choice("nonlinearity", nonlinearity, tuple(ACTIVATIONS))
        super().__init__(input_size, hidden_size, bias=bias, rng=rng, dtype=dtype)

    def __repr__(self):
        return super().__repr__()[:-1] + f", nonlinearity={self.nonlinearity!r})"

    def step(self, x_t, state=None):
        """One time step: x_t (B, d), state h_{t-1} (B, h) or None -> (h_t, cache)."""
        self.check_parameters()
        x_t = self.check_input(x_t)
        h_prev = self.check_state(state, x_t.shape[0])
        phi, _ = ACTIVATIONS[self.nonlinearity]
        a = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        h = phi(a)
        return h, StepCache(x=x_t, h_prev=h_prev, gates={}, values={"h": h})

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self.check_hidden("d_new_state", d_new_state, cache.x.shape[0])
        _, phi_prime = ACTIVATIONS[self.nonlinearity]
        da = dh * phi_prime(cache.values["h"])
        grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev}
        if self.bias:
            grads["bias_ih"] = da.sum(axis=0)
            grads["bias_hh"] = da.sum(axis=0)
        return da @ self.weight_ih, da @ self.weight_hh, grads

    def forward_sequence(self, x, h0):
        """All T steps for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache), fused (kernels.py)."""
        return kernels.rnn_forward(self, x, h0)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for forward_sequence: -> (dx, dh0, grads)."""
        return kernels.rnn_backward(self, cache, d_outputs, d_final_state)
