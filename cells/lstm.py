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

from .cell import RecurrentCell, StepCache
from .pointwise import lstm_state_update, sigmoid


class LSTMCell(RecurrentCell):
    """One LSTM layer at one time step, like torch.nn.LSTMCell. Its state is the pair (h, c)."""

    num_gates = 4
    has_cell_state = True

    def step(self, x_t, state=None):
        """x_t (B, d), state (h_{t-1}, c_{t-1}) or None -> ((h_t, c_t), cache)."""
        self._check_parameters()
        x_t = self._check_input(x_t)
        h_prev, c_prev = self._check_state(state, x_t.shape[0])
        a = x_t @ self.weight_ih.T + h_prev @ self.weight_hh.T
        if self.bias:
            a = a + self.bias_ih + self.bias_hh
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
        c, h = lstm_state_update(c_prev, i, f, g, o)
        cache = StepCache(x=x_t, h_prev=h_prev, c_prev=c_prev,
                          gates={"i": i, "f": f, "g": g, "o": o}, values={"c": c})
        return (h, c), cache

    def step_backward(self, d_new_state, cache):
        """(dL/dh_t, dL/dc_t) -> (dL/dx_t, (dL/dh_{t-1}, dL/dc_{t-1}), grads). dc may be None."""
        if not isinstance(d_new_state, (tuple, list)) or len(d_new_state) != 2:
            raise ValueError("d_new_state of an LSTM must be a pair (dh, dc); "
                             f"got {type(d_new_state).__name__}")
        B = cache.x.shape[0]
        dh = self._check_hidden("dh", d_new_state[0], B)
        dc = np.zeros_like(dh) if d_new_state[1] is None else self._check_hidden("dc", d_new_state[1], B)
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
        """All T steps, for the layers: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), cache).

        The same equations as `step`, arranged so that each time step is one matrix product
        and seven elementwise numpy calls (calls, not arithmetic, are what a small LSTM's time
        goes on). Inside, vectors are columns (h, B), as in the equations, and two stacks hold
        everything a step reads and writes:

            z[t] = [x_t; h_{t-1}; 1]              (d + h + 1, B)  what the weights multiply
            s[t] = [c_{t-1}; i_t; f_t; g_t; o_t]  (5h, B)         c_{t-1} sits before the gates

        so the four pre-activations are ONE product W z[t] with W = [W_ih, W_hh, b_ih + b_hh],
        and c_t = f_t * c_{t-1} + i_t * g_t is one product of two blocks,
        [f_t; g_t] * [c_{t-1}; i_t], and one sum of its halves, written straight into s[t + 1].
        One tanh call serves all four gates: sigma(a) = (1 + tanh(a / 2)) / 2, so the i, f and
        o rows of W are halved in advance and their tanh turned into sigma afterwards.
        """
        T, B, d = x.shape
        h = self.hidden_size
        z = self._input_stack(x, state[0])
        w = self._stacked_weights()
        w[:2 * h] *= 0.5  # the sigma rows i, f ...
        w[3 * h:] *= 0.5  # ... and o
        half = np.full((4 * h, B), 0.5, dtype=self.dtype)  # sigma rows: tanh -> sigma
        half[2 * h:3 * h] = 1.0  # g rows stay tanh
        shift = 1.0 - half
        s = np.empty((T + 1, 5 * h, B), dtype=self.dtype)
        s[0, :h] = state[1].T
        tanh_c = np.empty((T, h, B), dtype=self.dtype)
        products = np.empty((T, 2 * h, B), dtype=self.dtype)  # kept: the backward reuses them
        views = zip(z[:T], s[:T, h:], s[:T, 2 * h:4 * h], s[:T, :2 * h], products, s[1:, :h], tanh_c,
                    s[:T, 4 * h:], z[1:, d:d + h])
        for z_t, gates, f_g, c_i, products_t, c_next, tanh_c_t, o, h_next in views:
            np.dot(w, z_t, out=gates)  # the pre-activations of i, f, g, o
            np.tanh(gates, out=gates)
            gates *= half
            gates += shift
            np.multiply(f_g, c_i, out=products_t)  # [f c_{t-1}; g i]
            np.add(products_t[:h], products_t[h:], out=c_next)  # c_t
            np.tanh(c_next, out=tanh_c_t)
            np.multiply(o, tanh_c_t, out=h_next)  # h_t
        hs = self._state_rows(z, state[0])  # hs[t + 1] is h_t
        return hs[1:], (hs[T].copy(), s[T, :h].T.copy()), (x, hs, z[1:, d:d + h], s, tanh_c, products)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, (dh0, dc0), grads).

        Per step, what the loop needs is

            dc_t = dh_t * o_t (1 - tanh(c_t)^2) + dc_{t+1} * f_{t+1}
            da_t = [dc_t * g i(1-i); dc_t * c_{t-1} f(1-f); dc_t * i (1-g^2); dh_t * tanh(c_t) o(1-o)]
            dh_{t-1} = W_hh^T da_t + dL/dh_{t-1} from the output

        Every factor that does not depend on the incoming gradient is computed for all t
        before the loop. dh and dc live in one stack [dh; dc], multiplied by the stacked factors
        [o (1 - tanh(c)^2); f_{t+1}] and summed by halves, so dc_t is two calls. The weight
        gradients, sums over t of da_t z[t]^T, are products over all T*B columns after the loop.
        """
        x, hs, h_columns, s, tanh_c, products = cache
        T, B, d = x.shape
        h = self.hidden_size
        i, f, g, o = (s[:T, k * h:(k + 1) * h] for k in range(1, 5))
        f_c, g_i = products[:, :h], products[:, h:]  # f c_{t-1} and g i, from the forward
        # Each factor x (1 - x) is written x - x * x, reusing what the forward computed. The
        # loop multiplies the factors by dc_t and dh_t in place: they become da.
        da = np.empty((T, 4 * h, B), dtype=self.dtype)
        by_dc = da[:, :3 * h].reshape(T, 3, h, B)  # da_t[:3h] = dc_t * by_dc[t]
        by_dh = da[:, 3 * h:]  # da_t[3h:] = dh_t * by_dh[t]
        np.subtract(g_i, np.multiply(g_i, i, out=by_dc[:, 0]), out=by_dc[:, 0])  # g i (1 - i)
        np.subtract(f_c, np.multiply(f_c, f, out=by_dc[:, 1]), out=by_dc[:, 1])  # c_{t-1} f (1 - f)
        np.subtract(i, np.multiply(g_i, g, out=by_dc[:, 2]), out=by_dc[:, 2])  # i (1 - g^2)
        np.multiply(h_columns, o, out=by_dh)
        np.subtract(h_columns, by_dh, out=by_dh)  # tanh(c) o (1 - o) = h - h o
        carry = np.empty((T, 2 * h, B), dtype=self.dtype)  # [o (1 - tanh(c_t)^2); f_{t+1}]
        np.multiply(h_columns, tanh_c, out=carry[:, :h])
        np.subtract(o, carry[:, :h], out=carry[:, :h])
        carry[:T - 1, h:] = f[1:]
        carry[T - 1, h:] = 1.0  # dc_T arrives from d_final_state as it is
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache

        grad = np.zeros((2 * h, B), dtype=self.dtype)  # the stack [dh; dc]
        if d_final_state is not None:
            grad[:h], grad[h:] = d_final_state[0].T, d_final_state[1].T
        dh, dc = grad[:h], grad[h:]
        scratch = np.empty((2 * h, B), dtype=self.dtype)
        w_hh_t = np.ascontiguousarray(self.weight_hh.T)
        views = zip(d_outputs[::-1], carry[::-1], by_dc[::-1], by_dh[::-1], da[::-1])
        for d_out, carry_t, by_dc_t, by_dh_t, da_t in views:
            dh += d_out
            np.multiply(grad, carry_t, out=scratch)  # [dh_t o (1 - tanh(c_t)^2); dc_{t+1} f_{t+1}]
            np.add(scratch[:h], scratch[h:], out=dc)  # dc_t
            by_dc_t *= dc  # now da_t[:3h]
            by_dh_t *= dh  # now da_t[3h:]
            np.dot(w_hh_t, da_t, out=dh)  # dh_{t-1}, before its output term
        dc *= f[0]  # the initial c0 reaches the first step through its forget gate
        dx, dw_x, dw_h, db = self._sequence_gradients(x, hs[:-1], da, self.weight_ih)
        return dx, (dh.T.copy(), dc.T.copy()), self._named_gradients(dw_x, dw_h, db)
