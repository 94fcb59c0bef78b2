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
        self._check_parameters()
        x_t = self._check_input(x_t)
        h_prev = self._check_state(state, x_t.shape[0])
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
        r = sigmoid(x_r + h_r)
        z = sigmoid(x_z + h_z)
        w_hn = self.weight_hh[2 * h:]
        values = {}
        if self.reset_after:
            values["h_n"] = h_prev @ w_hn.T + b_hn  # W_hn h_{t-1} + b_hn
            n = np.tanh(x_n + r * values["h_n"])
        else:
            n = np.tanh(x_n + (r * h_prev) @ w_hn.T + b_hn)
        h_new = gru_state_update(h_prev, z, n)
        return h_new, StepCache(x=x_t, h_prev=h_prev, gates={"r": r, "z": z, "n": n}, values=values)

    def step_backward(self, d_new_state, cache):
        """dL/dh_t -> (dL/dx_t, dL/dh_{t-1}, grads of this step keyed like params())."""
        dh = self._check_hidden("d_new_state", d_new_state, cache.x.shape[0])
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
        """All T steps, for the layers: x (T, B, d), h0 (B, h) -> (outputs, h_T, cache)."""
        if self.reset_after:
            return self._forward_reset_after(x, h0)
        return self._forward_reset_before(x, h0)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backpropagation through time for `forward_sequence`: -> (dx, dh0, grads)."""
        if self.reset_after:
            return self._backward_reset_after(cache, d_outputs, d_final_state)
        return self._backward_reset_before(cache, d_outputs, d_final_state)

    def _forward_reset_after(self, x, h0):
        """The same equations as `step`, arranged for speed as RecurrentCell describes: states
        are columns (h, B), and each step is one product of a stacked weight matrix with
        [x_t; h_{t-1}; 1]. The candidate needs its input and recurrent terms apart (r_t
        multiplies only the second), so the stack has four blocks of rows:

            r:    [W_ir, W_hr, b_ir + b_hr]     ->  a_r
            z:    [W_iz, W_hz, b_iz + b_hz]     ->  a_z
            h_n:  [0,    W_hn, b_hn]            ->  W_hn h_{t-1} + b_hn
            x_n:  [W_in, 0,    b_in]            ->  W_in x_t + b_in

        The r and z rows are halved in advance, so sigma(a) = (1 + tanh(a / 2)) / 2 is one
        tanh call and two scalar operations on both gates at once.
        """
        T, B, d = x.shape
        h = self.hidden_size
        z_in = self._input_stack(x, h0)
        w = self._gate_stack()
        w[:2 * h] *= 0.5
        pre = np.empty((T, 4 * h, B), dtype=self.dtype)  # [r; z; W_hn h + b_hn; W_in x + b_in]
        n = np.empty((T, h, B), dtype=self.dtype)
        views = zip(z_in[:T], pre, n, z_in[:T, d:d + h], z_in[1:, d:d + h])
        for z_t, pre_t, n_t, h_prev, h_next in views:
            np.dot(w, z_t, out=pre_t)
            r_z = pre_t[:2 * h]
            np.tanh(r_z, out=r_z)
            r_z *= 0.5
            r_z += 0.5
            np.multiply(pre_t[:h], pre_t[2 * h:3 * h], out=n_t)  # r * (W_hn h_{t-1} + b_hn)
            n_t += pre_t[3 * h:]
            np.tanh(n_t, out=n_t)
            # h_t = (1 - z) * n + z * h_{t-1}, written as n + z * (h_{t-1} - n)
            np.subtract(h_prev, n_t, out=h_next)
            h_next *= pre_t[h:2 * h]
            h_next += n_t
        hs = self._state_rows(z_in, h0)
        return hs[1:], hs[T].copy(), (x, hs, z_in[:T + 1, d:d + h], pre, n)

    def _backward_reset_after(self, cache, d_outputs, d_final_state):
        """The gradients of the four row blocks of the stack are all dh_t times a factor known
        before the loop:

            r:    (1-z)(1-n^2) h_n r(1-r)       z:    (h_{t-1} - n) z(1-z)
            h_n:  (1-z)(1-n^2) r                x_n:  (1-z)(1-n^2)

        so each step is one multiply, one (h, 3h) x (3h, B) product and dh * z. The weight
        gradients come out of one product over all T*B columns after the loop; the input
        weights see blocks r, z, x_n and the recurrent ones r, z, h_n.
        """
        x, hs, h_columns, pre, n = cache
        T, B, d = x.shape
        h = self.hidden_size
        r, z, h_n = pre[:, :h], pre[:, h:2 * h], pre[:, 2 * h:3 * h]
        da = np.empty((T, 4 * h, B), dtype=self.dtype)  # the factors, until the loop multiplies them by dh
        factors = da.reshape(T, 4, h, B)
        by_n = factors[:, 3]
        np.multiply(n, n, out=by_n)
        np.subtract(1.0, by_n, out=by_n)
        by_n *= 1.0 - z  # (1-z)(1-n^2)
        np.multiply(by_n, r, out=factors[:, 2])
        np.multiply(factors[:, 2], h_n, out=factors[:, 0])
        factors[:, 0] *= 1.0 - r
        np.subtract(h_columns[:T], n, out=factors[:, 1])
        factors[:, 1] *= z
        factors[:, 1] *= 1.0 - z
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))  # columns, like the cache

        dh = np.zeros((h, B), dtype=self.dtype) if d_final_state is None else np.array(d_final_state, dtype=self.dtype).T.copy()
        through_weights = np.empty((h, B), dtype=self.dtype)
        w_hh_t = np.ascontiguousarray(self.weight_hh.T)  # (h, 3h): sees r, z, h_n
        for d_out, factors_t, da_t, z_t in zip(d_outputs[::-1], factors[::-1], da[::-1], z[::-1]):
            dh += d_out
            factors_t *= dh  # now da_t
            np.dot(w_hh_t, da_t[:3 * h], out=through_weights)
            dh *= z_t  # dh_{t-1} = dh_t * z_t + W_hh^T da^h
            dh += through_weights
        w_x = np.concatenate([self.weight_ih[:2 * h], np.zeros((h, d), self.dtype), self.weight_ih[2 * h:]])
        dx, dw_x, dw_h, db = self._sequence_gradients(x, hs[:-1], da, w_x)
        grads = {"weight_ih": np.concatenate([dw_x[:2 * h], dw_x[3 * h:]]), "weight_hh": dw_h}
        if self.bias:
            grads["bias_ih"] = np.concatenate([db[:2 * h], db[3 * h:]])
            grads["bias_hh"] = db[:3 * h]
        return dx, dh.T.copy(), grads

    def _forward_reset_before(self, x, h0):
        """reset_after=False: the candidate's recurrent product needs r_t first, so two products
        per step: [W_ir, W_hr, b_r; W_iz, W_hz, b_z; W_in, 0, b_in + b_hn] [x_t; h_{t-1}; 1]
        (r and z rows halved: one tanh for both sigmoids), then W_hn (r_t * h_{t-1})."""
        T, B, d = x.shape
        h = self.hidden_size
        z_in = self._input_stack(x, h0)
        w = self._stacked_weights()  # its n rows hold b_in + b_hn: b_hn sits outside r here
        w[2 * h:, d:d + h] = 0.0
        w[:2 * h] *= 0.5
        w_hn = self.weight_hh[2 * h:]
        pre = np.empty((T, 3 * h, B), dtype=self.dtype)  # [r; z; W_in x_t + b_in + b_hn]
        rh = np.empty((T, h, B), dtype=self.dtype)  # r_t * h_{t-1}
        n = np.empty((T, h, B), dtype=self.dtype)
        for z_t, pre_t, rh_t, n_t, h_prev, h_next in zip(z_in[:T], pre, rh, n, z_in[:T, d:d + h],
                                                         z_in[1:, d:d + h]):
            np.dot(w, z_t, out=pre_t)
            r_z = pre_t[:2 * h]
            np.tanh(r_z, out=r_z)
            r_z *= 0.5
            r_z += 0.5
            np.multiply(pre_t[:h], h_prev, out=rh_t)
            np.dot(w_hn, rh_t, out=n_t)
            n_t += pre_t[2 * h:]
            np.tanh(n_t, out=n_t)
            np.subtract(h_prev, n_t, out=h_next)  # h_t = n + z * (h_{t-1} - n)
            h_next *= pre_t[h:2 * h]
            h_next += n_t
        hs = self._state_rows(z_in, h0)
        return hs[1:], hs[T].copy(), (x, hs, z_in[:T + 1, d:d + h], pre, rh, n)

    def _backward_reset_before(self, cache, d_outputs, d_final_state):
        """Per step, with factors known before the loop:
            da_n = dh_t (1-z)(1-n^2)      d(r h) = W_hn^T da_n       da_r = d(r h) h_{t-1} r(1-r)
            da_z = dh_t (h_{t-1} - n) z(1-z)       dh_{t-1} = dh_t z + d(r h) r + W_h[rz]^T [da_r; da_z]
        """
        x, hs, h_columns, pre, rh, n = cache
        T, B, d = x.shape
        h = self.hidden_size
        r, z, h_prev = pre[:, :h], pre[:, h:2 * h], h_columns[:T]
        by_n = (1.0 - z) * (1.0 - n * n)
        by_z = (h_prev - n) * z * (1.0 - z)
        by_r = h_prev * r * (1.0 - r)
        d_outputs = np.ascontiguousarray(d_outputs.transpose(0, 2, 1))
        dh = np.zeros((h, B), dtype=self.dtype) if d_final_state is None else np.array(d_final_state, dtype=self.dtype).T.copy()
        da = np.empty((T, 3 * h, B), dtype=self.dtype)  # [da_r; da_z; da_n]
        d_rh, through_weights = np.empty((h, B), dtype=self.dtype), np.empty((h, B), dtype=self.dtype)
        w_hn_t = np.ascontiguousarray(self.weight_hh[2 * h:].T)
        w_rz_t = np.ascontiguousarray(self.weight_hh[:2 * h].T)
        for t in reversed(range(T)):
            da_t = da[t]
            dh += d_outputs[t]
            np.multiply(dh, by_n[t], out=da_t[2 * h:])
            np.dot(w_hn_t, da_t[2 * h:], out=d_rh)
            np.multiply(d_rh, by_r[t], out=da_t[:h])
            np.multiply(dh, by_z[t], out=da_t[h:2 * h])
            dh *= z[t]
            d_rh *= r[t]
            dh += d_rh
            np.dot(w_rz_t, da_t[:2 * h], out=through_weights)
            dh += through_weights
        columns = np.ascontiguousarray(da.transpose(1, 0, 2)).reshape(3 * h, T * B)
        h_rows = np.ascontiguousarray(hs[:-1]).reshape(T * B, h)
        rh_rows = np.ascontiguousarray(rh.transpose(0, 2, 1)).reshape(T * B, h)
        grads = {"weight_ih": columns @ x.reshape(T * B, d),
                 "weight_hh": np.concatenate([columns[:2 * h] @ h_rows, columns[2 * h:] @ rh_rows])}
        if self.bias:
            grads["bias_ih"] = columns.sum(axis=1)
            grads["bias_hh"] = grads["bias_ih"].copy()
        dx = (columns.T @ self.weight_ih).reshape(T, B, d)
        return dx, dh.T.copy(), grads

    def _gate_stack(self):
        """The four row blocks [r; z; h_n; x_n] of forward_sequence, (4h, d + h + 1)."""
        h, d = self.hidden_size, self.input_size
        w = np.zeros((4 * h, d + h + self.bias), dtype=self.dtype)
        w[:2 * h, :d] = self.weight_ih[:2 * h]
        w[3 * h:, :d] = self.weight_ih[2 * h:]
        w[:3 * h, d:d + h] = self.weight_hh
        if self.bias:
            w[:2 * h, -1] = self.bias_ih[:2 * h] + self.bias_hh[:2 * h]
            w[2 * h:3 * h, -1] = self.bias_hh[2 * h:]
            w[3 * h:, -1] = self.bias_ih[2 * h:]
        return w
