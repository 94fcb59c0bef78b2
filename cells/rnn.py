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
        self._check_parameters()
        x_t = self._check_input(x_t)
        h_prev = self._check_state(state, x_t.shape[0])
        phi, _ = ACTIVATIONS[self.nonlinearity]
        a = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        h = phi(a)
        return h, StepCache(x=x_t, h_prev=h_prev, gates={}, values={"h": h})

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self._check_hidden("d_new_state", d_new_state, cache.x.shape[0])
        _, phi_prime = ACTIVATIONS[self.nonlinearity]
        da = dh * phi_prime(cache.values["h"])
        grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev}
        if self.bias:
            grads["bias_ih"] = da.sum(axis=0)
            grads["bias_hh"] = da.sum(axis=0)
        return da @ self.weight_ih, da @ self.weight_hh, grads

    def forward_sequence(self, x, h0):
        """All T steps, for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache).

        The same equations as `step`, arranged for speed as RecurrentCell describes: states are
        columns (h, B), and each step is one product [W_ih, W_hh, b] [x_t; h_{t-1}; 1] and one
        call of phi, which writes h_t straight into the next step's column.
        """
        T, B, d = x.shape
        h = self.hidden_size
        phi, _ = ACTIVATIONS[self.nonlinearity]
        z = self._input_stack(x, h0)
        w = self._stacked_weights()
        a = np.empty((h, B), dtype=self.dtype)
        for z_t, h_next in zip(z[:T], z[1:, d:d + h]):
            np.dot(w, z_t, out=a)
            phi(a, out=h_next)
        hs = self._state_rows(z, h0)
        return hs[1:], hs[T].copy(), (x, hs, z[1:, d:d + h])

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, dh0, grads).

        The loop carries only dL/dh_t back; the weight gradients are sums over t of outer
        products, computed after the loop as one product over all T*B columns.
        """
        x, hs, h_columns = cache
        T, B, d = x.shape
        h = self.hidden_size
        _, phi_prime = ACTIVATIONS[self.nonlinearity]
        slope = phi_prime(h_columns)  # phi'(a_t) for every t at once, from h_t = phi(a_t)
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache
        da = np.empty((T, h, B), dtype=self.dtype)
        dh = np.zeros((h, B), dtype=self.dtype) if d_final_state is None else np.array(d_final_state, dtype=self.dtype).T.copy()
        w_hh_t = np.ascontiguousarray(self.weight_hh.T)
        for d_out, slope_t, da_t in zip(d_outputs[::-1], slope[::-1], da[::-1]):
            dh += d_out
            np.multiply(dh, slope_t, out=da_t)
            np.dot(w_hh_t, da_t, out=dh)  # dh_{t-1} = W_hh^T da_t
        dx, dw_x, dw_h, db = self._sequence_gradients(x, hs[:-1], da, self.weight_ih)
        return dx, dh.T.copy(), self._named_gradients(dw_x, dw_h, db)
