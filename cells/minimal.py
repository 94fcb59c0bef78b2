"""minGRU and minLSTM (Feng et al. 2024): the GRU and the LSTM with gates that read x_t alone.

In this book's GRU convention (cells/gru.py: z_t = 1 keeps the old state), with PyTorch-style blocks:

    minGRU   z_t = sigma(W_iz x_t + b_iz)                    update gate: no W_hz h_{t-1}
             n_t = W_in x_t + b_in                           candidate: no reset gate, no tanh
             h_t = z_t * h_{t-1} + (1 - z_t) * n_t           weight_ih (2h, d) = [W_iz; W_in], bias_ih (2h)

Feng et al. write h_t = (1 - z_t) * h_{t-1} + z_t * h~_t: their z_t is our 1 - z_t, which is the same
layer with W_iz and b_iz negated, since sigma(-u) = 1 - sigma(u).

    minLSTM  i_t = sigma(W_ii x_t + b_ii)    f_t = sigma(W_if x_t + b_if)      no W_h* h_{t-1}
             f'_t = f_t / (f_t + i_t)         i'_t = i_t / (f_t + i_t)          normalised: f' + i' = 1
             g_t = W_ig x_t + b_ig                                              candidate: no tanh
             h_t = f'_t * h_{t-1} + i'_t * g_t                                  no output gate, no c
             weight_ih (3h, d) = [W_ii; W_if; W_ig] (the LSTM's order i, f, g), bias_ih (3h)

This minLSTM is Feng et al.'s version with the normalisation of f and i, which keeps the state's scale
independent of the sequence length (h_t stays a weighted average of h_{t-1} and g_t); without it h_t
can grow with the sequence. Neither cell has a recurrent matrix W_hh, and there is one bias per block.

Both are the linear recurrence h_t = a_t * h_{t-1} + b_t of scan.py, with a_t = z_t, b_t = (1 - z_t) * n_t
(minGRU) or a_t = f'_t, b_t = i'_t * g_t (minLSTM). Backward, given the total dL/dh_t (dh_t):

    dh_{t-1} = dh_t * a_t (nothing else: no gate reads h_{t-1})      da_t = dh_t * h_{t-1}      db_t = dh_t
    minGRU   dz_t = da_t - db_t * n_t        dn_t = db_t * (1 - z_t)     du_z = dz_t * z_t (1 - z_t)
    minLSTM  df'_t = da_t    di'_t = db_t * g_t    dg_t = db_t * i'_t
             f' = sigma(v_t), v_t = log f_t - log i_t = softplus(-u_i) - softplus(-u_f)  (finite when both
             gates saturate near 0), so dv_t = (df'_t - di'_t) f'_t i'_t,
             du_i = -dv_t (1 - i_t)     du_f = dv_t (1 - f_t)
    du = the pre-activations' gradients stacked like weight_ih:  dx_t = W_ih^T du,  dW_ih += du x_t^T

Over a sequence the gates for all T steps come from one matrix product, and only the cheap elementwise
recurrence (forward, and dh backward) runs step by step; `coefficients` gives a_t and b_t for the scan.
"""

import numpy as np

from .cell import RecurrentCell, StepCache
from .layers import RecurrentLayer
from .pointwise import sigmoid
from .scan import sequential


class LinearRecurrentCell(RecurrentCell):
    """Base class of minGRU and minLSTM: gates from x_t alone, h_t = a_t * h_{t-1} + b_t.

    A subclass sets `num_gates` and `gate_names`, and provides `_coefficients(u)` (pre-activations u
    (..., G h) -> a, b, gates) and `_coefficients_backward(da, db, gates)` -> du.
    """

    bias_names = ("bias_ih",)

    def parameter_shapes(self):
        rows = self.num_gates * self.hidden_size
        shapes = {"weight_ih": (rows, self.input_size)}
        if self.bias:
            shapes["bias_ih"] = (rows,)
        return shapes

    def _pre_activations(self, x):
        u = x @ self.weight_ih.T
        return u + self.bias_ih if self.bias else u

    def coefficients(self, x):
        """x (T, B, d) or (B, d) -> (a, b): the recurrence's coefficients, each (T, B, h) or (B, h)."""
        self.check_parameters()
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ValueError(f"x must have shape (T, B, d) or (B, d) with d = {self.input_size}; got {x.shape}")
        a, b, _ = self._coefficients(self._pre_activations(x))
        return a, b

    def step(self, x_t, state=None):
        """x_t (B, d), state h_{t-1} (B, h) or None -> (h_t, cache)."""
        self.check_parameters()
        x_t = self.check_input(x_t)
        h_prev = self.check_state(state, x_t.shape[0])
        a, b, gates = self._coefficients(self._pre_activations(x_t))
        return a * h_prev + b, StepCache(x=x_t, h_prev=h_prev, gates=gates, values={"a": a})

    def _input_gradients(self, du, x):
        """du (..., G h), x (..., d) -> (dx, grads): the product W_ih x + b_ih, backward."""
        du2, x2 = du.reshape(-1, du.shape[-1]), x.reshape(-1, x.shape[-1])
        grads = {"weight_ih": du2.T @ x2}
        if self.bias:
            grads["bias_ih"] = du2.sum(axis=0)
        return du @ self.weight_ih, grads

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self.check_hidden("d_new_state", d_new_state, cache.x.shape[0])
        du = self._coefficients_backward(dh * cache.h_prev, dh, cache.gates)
        dx, grads = self._input_gradients(du, cache.x)
        return dx, dh * cache.values["a"], grads

    def forward_sequence(self, x, h0):
        """All T steps for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache)."""
        a, b, gates = self._coefficients(self._pre_activations(x))
        hs = sequential(a, b, h0)
        return hs, hs[-1].copy(), (x, h0, hs, a, gates)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for forward_sequence: -> (dx, dh0, grads).

        The total gradient on h_t obeys its own linear recurrence, run backwards in time:
        dh_t = d_outputs_t + a_{t+1} * dh_{t+1}, starting from dh_T = d_outputs_T + d_final_state.
        """
        x, h0, hs, a, gates = cache
        d_final = np.zeros_like(h0) if d_final_state is None else d_final_state
        a_next = np.concatenate([a[1:], np.ones_like(a[:1])])  # a_{t+1}; d_final enters with weight 1
        dh = sequential(a_next[::-1], d_outputs[::-1], d_final)[::-1]
        h_prev = np.concatenate([h0[None], hs[:-1]])
        du = self._coefficients_backward(dh * h_prev, dh, gates)
        dx, grads = self._input_gradients(du, x)
        return dx, dh[0] * a[0], grads


class MinGRUCell(LinearRecurrentCell):
    """minGRU at one time step: z_t = sigma(W_iz x_t + b_iz), h_t = z_t h_{t-1} + (1 - z_t)(W_in x_t + b_in)."""

    num_gates = 2

    def _coefficients(self, u):
        h = self.hidden_size
        z = sigmoid(u[..., :h])  # update gate
        n = u[..., h:]  # candidate
        return z, (1 - z) * n, {"z": z, "n": n}

    def _coefficients_backward(self, da, db, gates):
        z, n = gates["z"], gates["n"]
        dz = da - db * n
        return np.concatenate([dz * z * (1 - z), db * (1 - z)], axis=-1)


class MinLSTMCell(LinearRecurrentCell):
    """minLSTM at one time step: h_t = f'_t h_{t-1} + i'_t (W_ig x_t + b_ig), f' and i' normalised to sum 1."""

    num_gates = 3

    def _coefficients(self, u):
        h = self.hidden_size
        u_i, u_f = u[..., :h], u[..., h:2 * h]
        g = u[..., 2 * h:]  # candidate
        # f' = f / (f + i) = sigma(v) with v = log f - log i = softplus(-u_i) - softplus(-u_f): the same number,
        # but finite where both gates saturate near 0 (f + i would round to 0 there, and f / (f + i) to 0 / 0).
        v = np.logaddexp(0, -u_i) - np.logaddexp(0, -u_f)
        f_norm = sigmoid(v)
        i_norm = 1 - f_norm
        gates = {"i": sigmoid(u_i), "f": sigmoid(u_f), "g": g, "f_norm": f_norm, "i_norm": i_norm,
                 "not_i": sigmoid(-u_i), "not_f": sigmoid(-u_f)}
        return f_norm, i_norm * g, gates

    def _coefficients_backward(self, da, db, gates):
        # dv = (df' - di') f' (1 - f'), and dv/du_i = -(1 - i), dv/du_f = 1 - f (the same as differentiating
        # f / (f + i) and i / (f + i) through f and i, written to stay finite when both gates saturate)
        f_norm, i_norm = gates["f_norm"], gates["i_norm"]
        dv = (da - db * gates["g"]) * f_norm * i_norm
        return np.concatenate([-dv * gates["not_i"], dv * gates["not_f"], db * i_norm], axis=-1)


class MinGRU(RecurrentLayer):
    """A layer of MinGRUCell with the interface of cells.GRU: forward(x, h0) -> (output, h_n), backward.

    Parameters weight_ih_l0 (2h, d) = [W_iz; W_in], bias_ih_l0 (2h); stacked and bidirectional like GRU.
    """

    cell_class = MinGRUCell


class MinLSTM(RecurrentLayer):
    """A layer of MinLSTMCell with the interface of cells.GRU (one state h, no c): output, h_n.

    Parameters weight_ih_l0 (3h, d) = [W_ii; W_if; W_ig], bias_ih_l0 (3h).
    """

    cell_class = MinLSTMCell
