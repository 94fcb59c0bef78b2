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

        The same equations as `step`, arranged for speed. Inside, states are columns (h, B) as
        in the equations, so W_hh h_{t-1} is `W_hh @ h` and each gate is a contiguous block of
        rows (ufuncs on contiguous memory run about twice as fast as on strided slices). The
        input terms of all four gates for all t are one (T*B, d) x (d, 4h) product before the
        loop; inside it, one (4h, h) x (h, B) product adds the recurrent terms, and every
        result goes into a preallocated array.
        """
        T, B, d = x.shape
        h = self.hidden_size
        # sigma(a) = (1 + tanh(a / 2)) / 2, so with the rows of i, f and o halved in advance one
        # tanh call serves all four gates: gates = scale * tanh(scale * a) + (1 - scale), where
        # scale is 1/2 on the i, f, o rows and 1 on the g rows. (scale and offset are full
        # (4h, B) arrays: a broadcast (4h, 1) column makes each in-loop operation twice as slow.)
        scale = np.full((4 * h, B), 0.5, dtype=self.dtype)
        scale[2 * h:3 * h] = 1.0
        offset = 1.0 - scale
        a = x.reshape(T * B, d) @ (self.weight_ih * scale[:, :1]).T
        if self.bias:
            a += (self.bias_ih + self.bias_hh) * scale[:, 0]
        gates = np.ascontiguousarray(a.reshape(T, B, 4 * h).transpose(0, 2, 1))  # (T, 4h, B)
        w_hh = self.weight_hh * scale[:, :1]
        hs = np.empty((T + 1, h, B), dtype=self.dtype)  # hs[t + 1] is h_t, cs likewise
        cs = np.empty((T + 1, h, B), dtype=self.dtype)
        tanh_cs = np.empty((T, h, B), dtype=self.dtype)
        hs[0], cs[0] = state[0].T, state[1].T
        recurrent = np.empty((4 * h, B), dtype=self.dtype)
        input_part = np.empty((h, B), dtype=self.dtype)
        for t in range(T):
            a_t = gates[t]  # the pre-activations become the gates, in place
            np.matmul(w_hh, hs[t], out=recurrent)
            a_t += recurrent
            np.tanh(a_t, out=a_t)
            a_t *= scale
            a_t += offset
            i, f, g, o = a_t[:h], a_t[h:2 * h], a_t[2 * h:3 * h], a_t[3 * h:]
            c = cs[t + 1]
            np.multiply(f, cs[t], out=c)  # c_t = f_t * c_{t-1} + i_t * g_t
            np.multiply(i, g, out=input_part)
            c += input_part
            np.tanh(c, out=tanh_cs[t])  # h_t = o_t * tanh(c_t)
            np.multiply(o, tanh_cs[t], out=hs[t + 1])
        outputs = hs[1:].transpose(0, 2, 1)  # back to rows: (T, B, h)
        return outputs, (hs[T].T.copy(), cs[T].T.copy()), (x, hs, cs, tanh_cs, gates)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, (dh0, dc0), grads).

        Every factor that does not depend on the incoming gradient (o * (1 - tanh(c)^2),
        g * i(1-i), ...) is computed for all t before the loop, so each step is a handful
        of multiply-adds and one (h, 4h) x (4h, B) product. The weight gradients, sums over t
        of da_t x_t^T and da_t h_{t-1}^T, are one product over all T*B columns after the loop.
        """
        x, hs, cs, tanh_cs, gates = cache
        T, B, d = x.shape
        h = self.hidden_size
        i, f, g, o = gates[:, :h], gates[:, h:2 * h], gates[:, 2 * h:3 * h], gates[:, 3 * h:]
        # da_t = [dc_t * g i(1-i), dc_t * c_{t-1} f(1-f), dc_t * i (1-g^2), dh_t * tanh(c_t) o(1-o)]
        by_dc = np.empty((T, 3, h, B), dtype=self.dtype)
        np.multiply(g * i, 1 - i, out=by_dc[:, 0])
        np.multiply(cs[:-1] * f, 1 - f, out=by_dc[:, 1])
        np.multiply(i, 1 - g * g, out=by_dc[:, 2])
        by_dh = tanh_cs * o * (1 - o)
        dc_from_dh = o * (1 - tanh_cs * tanh_cs)
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache

        da = np.empty((T, 4 * h, B), dtype=self.dtype)
        if d_final_state is None:
            dh, dc = np.zeros((h, B), dtype=self.dtype), np.zeros((h, B), dtype=self.dtype)
        else:
            dh, dc = (np.array(v, dtype=self.dtype).T.copy() for v in d_final_state)
        scratch = np.empty((h, B), dtype=self.dtype)
        for t in reversed(range(T)):
            dh += d_outputs[t]
            np.multiply(dh, dc_from_dh[t], out=scratch)
            dc += scratch  # dc_t += dh_t * o_t * (1 - tanh(c_t)^2)
            np.multiply(dc, by_dc[t], out=da[t, :3 * h].reshape(3, h, B))
            np.multiply(dh, by_dh[t], out=da[t, 3 * h:])
            np.matmul(self.weight_hh.T, da[t], out=dh)  # dh_{t-1} = W_hh^T da_t
            dc *= f[t]  # dc_{t-1} = dc_t * f_t
        dx, grads = self._sequence_gradients(x, hs, da, da)
        return dx, (dh.T.copy(), dc.T.copy()), grads
