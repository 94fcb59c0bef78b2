"""The GRU cell, in PyTorch's gate order r, z, n and PyTorch's convention.

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)            reset gate
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)            update gate
    n_t = tanh (W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))    candidate
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

Some texts swap the roles of z and 1 - z; here z_t = 1 keeps the old state. The reset gate
multiplies the recurrent term *after* the matrix product (Keras calls this reset_after=True),
which is why b_hn is a separate bias. Backpropagation through one step, given dL/dh_t:

    dn_t = dh_t * (1 - z_t)        dz_t = dh_t * (h_{t-1} - n_t)     dh_{t-1} = dh_t * z_t + ...
    da_n = dn_t * (1 - n_t^2)      dr_t = da_n * (W_hn h_{t-1} + b_hn)
    da_r = dr_t * r(1-r)           da_z = dz_t * z(1-z)
    input side:     da^x = [da_r, da_z, da_n]      -> dx_t = W_ih^T da^x,  dW_ih += da^x x_t^T
    recurrent side: da^h = [da_r, da_z, r * da_n]  -> dh_{t-1} += W_hh^T da^h, dW_hh += da^h h_{t-1}^T
"""

import numpy as np

from .cell import RecurrentCell, StepCache
from .pointwise import gru_state_update, sigmoid


class GRUCell(RecurrentCell):
    """One GRU layer at one time step, like torch.nn.GRUCell."""

    num_gates = 3

    def step(self, x_t, state=None):
        """x_t (B, d), state h_{t-1} (B, h) or None -> (h_t, cache)."""
        self._check_parameters()
        x_t = self._check_input(x_t)
        h_prev = self._check_state(state, x_t.shape[0])
        from_x = x_t @ self.weight_ih.T
        from_h = h_prev @ self.weight_hh.T
        if self.bias:
            from_x = from_x + self.bias_ih
            from_h = from_h + self.bias_hh
        x_r, x_z, x_n = np.split(from_x, 3, axis=1)
        h_r, h_z, h_n = np.split(from_h, 3, axis=1)  # h_n = W_hn h_{t-1} + b_hn
        r = sigmoid(x_r + h_r)
        z = sigmoid(x_z + h_z)
        n = np.tanh(x_n + r * h_n)
        h = gru_state_update(h_prev, z, n)
        return h, StepCache(x=x_t, h_prev=h_prev, gates={"r": r, "z": z, "n": n}, values={"h_n": h_n})

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self._check_hidden("d_new_state", d_new_state, cache.x.shape[0])
        r, z, n = (cache.gates[k] for k in "rzn")
        dn = dh * (1 - z)
        dz = dh * (cache.h_prev - n)
        da_n = dn * (1 - n ** 2)
        dr = da_n * cache.values["h_n"]
        da_r, da_z = dr * r * (1 - r), dz * z * (1 - z)
        da_x = np.concatenate([da_r, da_z, da_n], axis=1)
        da_h = np.concatenate([da_r, da_z, r * da_n], axis=1)
        dh_prev = dh * z + da_h @ self.weight_hh
        grads = {"weight_ih": da_x.T @ cache.x, "weight_hh": da_h.T @ cache.h_prev}
        if self.bias:
            grads["bias_ih"] = da_x.sum(axis=0)
            grads["bias_hh"] = da_h.sum(axis=0)
        return da_x @ self.weight_ih, dh_prev, grads

    def forward_sequence(self, x, h0):
        """All T steps, for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache).

        The same equations as `step`, arranged for speed as in LSTMCell.forward_sequence:
        states are columns (h, B), so each gate is a contiguous block of rows; the input
        terms of all three gates for all t are one product before the loop (b_hr and b_hz are
        folded in there; b_hn must stay inside r * (...)); one (3h, h) x (h, B) product per
        step adds the recurrent terms; results go into preallocated arrays.
        """
        T, B, d = x.shape
        h = self.hidden_size
        a = x.reshape(T * B, d) @ self.weight_ih.T
        if self.bias:
            a += self.bias_ih
            a[:, :2 * h] += self.bias_hh[:2 * h]
        gates = np.ascontiguousarray(a.reshape(T, B, 3 * h).transpose(0, 2, 1))  # (T, 3h, B)
        # b_hn as a full (h, B) array: broadcasting an (h, 1) column inside the loop is twice as slow
        b_hn = np.repeat(self.bias_hh[2 * h:, None], B, axis=1) if self.bias else np.zeros((h, B), self.dtype)
        hs = np.empty((T + 1, h, B), dtype=self.dtype)  # hs[t + 1] is h_t
        hs[0] = h0.T
        h_ns = np.empty((T, h, B), dtype=self.dtype)  # W_hn h_{t-1} + b_hn, needed by dr
        from_h = np.empty((3 * h, B), dtype=self.dtype)
        reset_part = np.empty((h, B), dtype=self.dtype)
        for t in range(T):
            np.matmul(self.weight_hh, hs[t], out=from_h)
            rz, n = gates[t, :2 * h], gates[t, 2 * h:]  # pre-activations become gates in place
            rz += from_h[:2 * h]
            sigmoid(rz, out=rz)
            r, z = rz[:h], rz[h:]
            np.add(from_h[2 * h:], b_hn, out=h_ns[t])
            np.multiply(r, h_ns[t], out=reset_part)
            n += reset_part
            np.tanh(n, out=n)
            # h_t = (1 - z) * n + z * h_{t-1}, written as n + z * (h_{t-1} - n)
            np.subtract(hs[t], n, out=hs[t + 1])
            hs[t + 1] *= z
            hs[t + 1] += n
        outputs = hs[1:].transpose(0, 2, 1)  # back to rows: (T, B, h)
        return outputs, hs[T].T.copy(), (x, hs, gates, h_ns)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, dh0, grads).

        All three recurrent-side pre-activation gradients are dh_t times a factor known
        before the loop, [(1-z)(1-n^2) h_n r(1-r), (h_{t-1} - n) z(1-z), (1-z)(1-n^2) r],
        so each step is one multiply, one (h, 3h) x (3h, B) product and dh * z.
        """
        x, hs, gates, h_ns = cache
        T, B, d = x.shape
        h = self.hidden_size
        r, z, n = gates[:, :h], gates[:, h:2 * h], gates[:, 2 * h:]
        dn_pre = (1 - z) * (1 - n * n)  # da_n = dh * dn_pre
        factors = np.empty((T, 3, h, B), dtype=self.dtype)
        np.multiply(dn_pre * h_ns, r * (1 - r), out=factors[:, 0])
        np.multiply(hs[:-1] - n, z * (1 - z), out=factors[:, 1])
        np.multiply(dn_pre, r, out=factors[:, 2])
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache

        da_h = np.empty((T, 3 * h, B), dtype=self.dtype)
        d_hidden = np.empty((T, h, B), dtype=self.dtype)
        dh = np.zeros((h, B), dtype=self.dtype) if d_final_state is None else np.array(d_final_state, dtype=self.dtype).T.copy()
        through_weights = np.empty((h, B), dtype=self.dtype)
        for t in reversed(range(T)):
            dh += d_outputs[t]
            d_hidden[t] = dh
            np.multiply(dh, factors[t], out=da_h[t].reshape(3, h, B))
            np.matmul(self.weight_hh.T, da_h[t], out=through_weights)
            dh *= z[t]  # dh_{t-1} = dh_t * z_t + W_hh^T da^h
            dh += through_weights
        da_x = da_h.copy()
        np.multiply(d_hidden, dn_pre, out=da_x[:, 2 * h:])  # the input side sees da_n without the factor r
        dx, grads = self._sequence_gradients(x, hs[:-1].transpose(0, 2, 1), da_x, da_h)
        return dx, dh.T.copy(), grads
