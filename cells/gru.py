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

        The same equations as `step`, arranged for speed: the input terms of all three gates
        for all t are one (T*B, d) x (d, 3h) product before the loop (b_hr and b_hz are
        folded in there; b_hn must stay inside r * (...)), one (B, h) x (h, 3h) product per
        step adds the recurrent terms, and results go into preallocated arrays.
        """
        T, B, d = x.shape
        h = self.hidden_size
        gates = (x.reshape(T * B, d) @ self.weight_ih.T).reshape(T, B, 3 * h)
        if self.bias:
            gates += self.bias_ih
            gates[:, :, :2 * h] += self.bias_hh[:2 * h]
        hs = np.empty((T + 1, B, h), dtype=self.dtype)  # hs[t + 1] is h_t
        hs[0] = h0
        h_ns = np.empty((T, B, h), dtype=self.dtype)  # W_hn h_{t-1} + b_hn, needed by dr
        from_h = np.empty((B, 3 * h), dtype=self.dtype)
        for t in range(T):
            np.matmul(hs[t], self.weight_hh.T, out=from_h)
            rz, n = gates[t, :, :2 * h], gates[t, :, 2 * h:]  # pre-activations become gates in place
            rz += from_h[:, :2 * h]
            sigmoid(rz, out=rz)
            r, z = rz[:, :h], rz[:, h:]
            if self.bias:
                np.add(from_h[:, 2 * h:], self.bias_hh[2 * h:], out=h_ns[t])
            else:
                h_ns[t] = from_h[:, 2 * h:]
            n += r * h_ns[t]
            np.tanh(n, out=n)
            # h_t = (1 - z) * n + z * h_{t-1}, written as n + z * (h_{t-1} - n)
            np.subtract(hs[t], n, out=hs[t + 1])
            hs[t + 1] *= z
            hs[t + 1] += n
        return hs[1:], hs[T], (x, hs, gates, h_ns)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, dh0, grads).

        All three recurrent-side pre-activation gradients are dh_t times a factor known
        before the loop, [(1-z)(1-n^2) h_n r(1-r), (h_{t-1} - n) z(1-z), (1-z)(1-n^2) r],
        so each step is one multiply, one (B, 3h) x (3h, h) product and dh * z.
        """
        x, hs, gates, h_ns = cache
        T, B, d = x.shape
        h = self.hidden_size
        thirds = gates.reshape(T, B, 3, h)
        r, z, n = (thirds[:, :, k] for k in range(3))
        dn_pre = (1 - z) * (1 - n * n)  # da_n = dh * dn_pre
        factors = np.empty((T, B, 3, h), dtype=self.dtype)
        factors[:, :, 0] = dn_pre * h_ns * r * (1 - r)
        factors[:, :, 1] = (hs[:-1] - n) * z * (1 - z)
        factors[:, :, 2] = dn_pre * r

        da_h = np.empty((T, B, 3, h), dtype=self.dtype)
        d_hidden = np.empty((T, B, h), dtype=self.dtype)
        dh = np.zeros((B, h), dtype=self.dtype) if d_final_state is None else np.array(d_final_state, dtype=self.dtype)
        through_weights = np.empty((B, h), dtype=self.dtype)
        for t in reversed(range(T)):
            dh += d_outputs[t]
            d_hidden[t] = dh
            np.multiply(dh[:, None, :], factors[t], out=da_h[t])
            np.matmul(da_h[t].reshape(B, 3 * h), self.weight_hh, out=through_weights)
            dh *= z[t]  # dh_{t-1} = dh_t * z_t + W_hh^T da^h
            dh += through_weights
        da_x = da_h.copy()
        da_x[:, :, 2] = d_hidden * dn_pre  # the input side sees da_n without the factor r
        rows_x, rows_h = da_x.reshape(T * B, 3 * h), da_h.reshape(T * B, 3 * h)
        grads = {"weight_ih": rows_x.T @ x.reshape(T * B, d),
                 "weight_hh": rows_h.T @ hs[:-1].reshape(T * B, h)}
        if self.bias:
            grads["bias_ih"] = rows_x.sum(axis=0)
            grads["bias_hh"] = rows_h.sum(axis=0)
        dx = (rows_x @ self.weight_ih).reshape(T, B, d)
        return dx, dh, grads
