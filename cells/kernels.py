"""The sequence kernels: each cell's T steps at once, forward and backward, for the layers.

`step` and `step_backward` in rnn.py, lstm.py, gru.py and ungated.py are the equations, one time step
at a time, and `cells.unroll` loops over them. The layers (layers.py) run the same equations through
the kernels below instead: the same numbers (tests/cells/test_cell_gradients.py checks every kernel
against the step-by-step path), several times faster. A small layer's time goes on numpy *calls*
(about a microsecond each before any arithmetic), so every trick takes calls out of the loop over t.
Each trick is explained once, here; each kernel's docstring says which equations it fuses and which
tricks it uses.

1. Columns. Inside a kernel a vector is a column (h, B), as in the equations: each gate's part of a
   pre-activation is a contiguous block of rows, and W a is `W @ a`, with no transposes in the loop.

2. One stacked product per step. z[t] = [x_t; h_{t-1}; 1] (d + h + 1, B) stacks what the weights
   multiply, and W = [W_ih, W_hh, b_ih + b_hh] the weights, so all pre-activations of a step are the
   single product W z[t]. The stack holds every t, (T + 1, d + h + 1, B): the loop writes h_t
   straight into z[t + 1], which is the next step's input (the loop's views of the stack, made
   before it starts, see those writes). Afterwards the stack gives the states back as rows. Without
   a bias there is no row of ones. A cell that needs more than x and h (the ungated cell's c_{t-1})
   appends rows to the stack.

3. One tanh for every sigmoid. sigma(a) = (1 + tanh(a / 2)) / 2, so the rows of W that feed a
   sigmoid are halved once, before the loop; one tanh call then serves sigmoid and tanh gates
   together, and `*= half; += shift` (0.5 and 0.5 on sigmoid rows, 1 and 0 on tanh rows) turns the
   sigmoid rows' tanh into sigma.

4. Products of stacked blocks, summed by halves. A sum of two products, like c_t = f_t c_{t-1} +
   i_t g_t, is one multiply of two stacked blocks, [f; g] * [c_{t-1}; i], and one add of the two
   halves of the result, when the operands are stored next to each other.

5. Factors before the loop. Backward, each pre-activation's gradient is what arrives at the state
   (dh_t or dc_t) times a factor that depends only on the forward's values, e.g.
   da_o = dh_t * tanh(c_t) o (1 - o). All those factors are computed for every t before the loop, in
   a few whole-array calls, into the array that will hold the gradients; the loop multiplies them by
   dh_t in place and they become da_t.

6. Derivatives from outputs. sigma' = y (1 - y) and tanh' = 1 - y^2 use values the forward kept, often
   as y - y * y reusing a stored product: g i (1 - i) = g i - (g i) i; tanh(c) o (1 - o) = h - h o.

7. Weight gradients after the loop. dW = sum over t of da_t z[t]^T is one product over all T*B columns
   once the loop is done (`_sequence_gradients`), not T small products inside it.

8. Nothing allocated in a loop: every call writes into an array made before it (`out=`), and the loop
   walks over views of those arrays (zip over arrays yields one view per t).
"""

from typing import NamedTuple

import numpy as np

from .pointwise import ACTIVATIONS

# Shared by the kernels (tricks 2 and 7).


def _input_stack(cell, x, h0, extra_rows=0):
    """x (T, B, d), h0 (B, h) -> z (T + 1, d + h + 1 + extra_rows, B), z[t] = [x_t; h_{t-1}; 1]
    followed by `extra_rows` rows the caller fills (no row of ones without a bias). The loop
    fills in h_1 ... h_T."""
    T, B, d = x.shape
    h = cell.hidden_size
    z = np.empty((T + 1, d + h + cell.bias + extra_rows, B), dtype=cell.dtype)
    z[:T, :d] = x.transpose(0, 2, 1)
    z[T, :d] = 0.0  # z[T] only holds h_T
    z[0, d:d + h] = h0.T
    if cell.bias:
        z[:, d + h] = 1.0
    return z


def _stacked_weights(cell):
    """[W_ih, W_hh, b_ih + b_hh] (G*h, d + h + 1): what multiplies z[t]."""
    blocks = [cell.weight_ih, cell.weight_hh]
    if cell.bias:
        blocks.append((cell.bias_ih + cell.bias_hh)[:, None])
    return np.concatenate(blocks, axis=1)


def _state_rows(cell, z, h0):
    """The states h_0 ... h_T back as rows (T + 1, B, h), from the stack z."""
    d = cell.input_size
    hs = np.empty((z.shape[0], h0.shape[0], cell.hidden_size), dtype=cell.dtype)
    hs[0] = h0
    hs[1:] = z[1:, d:d + cell.hidden_size].transpose(0, 2, 1)
    return hs


def _initial_gradient(cell, d_final_state, B):
    """dL/dh_T as a column (h, B): zeros when nothing reaches the final state."""
    if d_final_state is None:
        return np.zeros((cell.hidden_size, B), dtype=cell.dtype)
    return np.array(d_final_state, dtype=cell.dtype).T.copy()


def _as_columns(d_outputs):
    """dL/d outputs (T, B, h) -> (T, h, B), contiguous, like the kernels' caches (trick 1)."""
    return np.ascontiguousarray(d_outputs.transpose(0, 2, 1))


def _sequence_gradients(cell, x, h_prev, da, w_x, recurrent_rows=None):
    """After a backward loop: -> (dx, dW_x, dW_h, db), each one product over all T*B columns.

    da (T, R, B) holds the pre-activation gradients of a stack of R rows, h_prev (T, B, h) the
    states h_{t-1} as rows, w_x (R, d) the input weights of the stack. The sums over t and the batch
    of da_t x_t^T, da_t h_{t-1}^T and da_t are dW_x, dW_h and db (None without a bias);
    dx_t = w_x^T da_t. dW_h covers the first `recurrent_rows` rows (default G*h: the rows W_hh sees).
    """
    T, B, d = x.shape
    rows = cell.num_gates * cell.hidden_size if recurrent_rows is None else recurrent_rows
    columns = np.ascontiguousarray(da.transpose(1, 0, 2)).reshape(-1, T * B)  # one column per (t, sequence)
    h_rows = np.ascontiguousarray(h_prev).reshape(T * B, -1)
    dw_x = columns @ x.reshape(T * B, d)
    dw_h = columns[:rows] @ h_rows
    db = columns.sum(axis=1) if cell.bias else None
    return (columns.T @ w_x).reshape(T, B, d), dw_x, dw_h, db


def _named_gradients(cell, dw_x, dw_h, db):
    """Gradients keyed like params() when both biases enter as their sum (RNN, LSTM)."""
    grads = {"weight_ih": dw_x, "weight_hh": dw_h}
    if cell.bias:
        grads["bias_ih"], grads["bias_hh"] = db, db.copy()
    return grads


# The plain RNN.


class RNNCache(NamedTuple):
    x: np.ndarray  # (T, B, d) the inputs
    hs: np.ndarray  # (T + 1, B, h) the states h_0 ... h_T as rows
    h: np.ndarray  # (T, h, B) h_1 ... h_T as columns


def rnn_forward(cell, x, h0):
    """h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) for t = 1..T: x (T, B, d), h0 (B, h)
    -> (outputs, h_T, RNNCache). Tricks 1, 2, 8: per step one product and one call of phi,
    which writes h_t into the next step's column."""
    T, B, d = x.shape
    h = cell.hidden_size
    phi, _ = ACTIVATIONS[cell.nonlinearity]
    z = _input_stack(cell, x, h0)
    w = _stacked_weights(cell)
    a = np.empty((h, B), dtype=cell.dtype)
    for z_t, h_next in zip(z[:T], z[1:, d:d + h]):
        np.dot(w, z_t, out=a)
        phi(a, out=h_next)
    hs = _state_rows(cell, z, h0)
    return hs[1:], hs[T].copy(), RNNCache(x, hs, z[1:, d:d + h])


def rnn_backward(cell, cache, d_outputs, d_final_state=None):
    """da_t = dh_t phi'(a_t), dh_{t-1} = W_hh^T da_t + dL/dh_{t-1} from the output -> (dx, dh0, grads).
    Tricks 5, 6 (phi' for every t from h_t = phi(a_t)), 7."""
    x, hs, h_columns = cache
    T, B, d = x.shape
    h = cell.hidden_size
    _, phi_prime = ACTIVATIONS[cell.nonlinearity]
    slope = phi_prime(h_columns)
    d_outputs = _as_columns(d_outputs)
    da = np.empty((T, h, B), dtype=cell.dtype)
    dh = _initial_gradient(cell, d_final_state, B)
    w_hh_t = np.ascontiguousarray(cell.weight_hh.T)
    for d_out, slope_t, da_t in zip(d_outputs[::-1], slope[::-1], da[::-1]):
        dh += d_out
        np.multiply(dh, slope_t, out=da_t)
        np.dot(w_hh_t, da_t, out=dh)  # dh_{t-1} = W_hh^T da_t
    dx, dw_x, dw_h, db = _sequence_gradients(cell, x, hs[:-1], da, cell.weight_ih)
    return dx, dh.T.copy(), _named_gradients(cell, dw_x, dw_h, db)


# The LSTM.


class LSTMCache(NamedTuple):
    x: np.ndarray  # (T, B, d) the inputs
    hs: np.ndarray  # (T + 1, B, h) h_0 ... h_T as rows
    h: np.ndarray  # (T, h, B) h_1 ... h_T as columns
    s: np.ndarray  # (T + 1, 5h, B) s[t] = [c_{t-1}; i_t; f_t; g_t; o_t]; s[T] holds only c_T
    tanh_c: np.ndarray  # (T, h, B) tanh(c_t)
    products: np.ndarray  # (T, 2h, B) [f_t c_{t-1}; g_t i_t]


def lstm_forward(cell, x, state):
    """The LSTM equations for t = 1..T: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), LSTMCache).

        [i; f; g; o] = [sigma; sigma; tanh; sigma](W z[t])       one product, one tanh (tricks 2, 3)
        c_t = f_t c_{t-1} + i_t g_t                              [f; g] * [c_{t-1}; i], summed by halves (4)
        h_t = o_t tanh(c_t)                                      written into z[t + 1]

    A second stack s[t] = [c_{t-1}; i_t; f_t; g_t; o_t] keeps c_{t-1} just above the gates, so
    [c_{t-1}; i_t] and [f_t; g_t] are adjacent blocks, and c_t goes straight into s[t + 1]. Seven
    elementwise calls per step; the products [f c_{t-1}; g i] are kept for the backward.
    """
    T, B, d = x.shape
    h = cell.hidden_size
    z = _input_stack(cell, x, state[0])
    w = _stacked_weights(cell)
    w[:2 * h] *= 0.5  # the sigma rows i, f ...
    w[3 * h:] *= 0.5  # ... and o
    half = np.full((4 * h, B), 0.5, dtype=cell.dtype)  # sigma rows: tanh -> sigma
    half[2 * h:3 * h] = 1.0  # g rows stay tanh
    shift = 1.0 - half
    s = np.empty((T + 1, 5 * h, B), dtype=cell.dtype)
    s[0, :h] = state[1].T
    tanh_c = np.empty((T, h, B), dtype=cell.dtype)
    products = np.empty((T, 2 * h, B), dtype=cell.dtype)
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
    hs = _state_rows(cell, z, state[0])
    cache = LSTMCache(x, hs, z[1:, d:d + h], s, tanh_c, products)
    return hs[1:], (hs[T].copy(), s[T, :h].T.copy()), cache


def lstm_backward(cell, cache, d_outputs, d_final_state=None):
    """Backpropagation through time for lstm_forward -> (dx, (dh0, dc0), grads). Per step:

        dc_t = dh_t o_t (1 - tanh(c_t)^2) + dc_{t+1} f_{t+1}
        da_t = [dc_t g i(1-i); dc_t c_{t-1} f(1-f); dc_t i (1-g^2); dh_t tanh(c_t) o(1-o)]
        dh_{t-1} = W_hh^T da_t + dL/dh_{t-1} from the output

    Tricks 5, 6, 7, and 4 backwards: dh and dc live in one stack [dh; dc], multiplied by the
    stacked factors [o (1 - tanh(c_t)^2); f_{t+1}] and summed by halves, so dc_t is two calls.
    At t = T there is no f_{T+1}: the factor is 1, because dc_T is given (d_final_state) as it is.
    """
    x, hs, h_columns, s, tanh_c, products = cache
    T, B, d = x.shape
    h = cell.hidden_size
    i, f, g, o = (s[:T, k * h:(k + 1) * h] for k in range(1, 5))
    f_c, g_i = products[:, :h], products[:, h:]
    da = np.empty((T, 4 * h, B), dtype=cell.dtype)
    by_dc = da[:, :3 * h].reshape(T, 3, h, B)  # da_t[:3h] = dc_t * by_dc[t]
    by_dh = da[:, 3 * h:]  # da_t[3h:] = dh_t * by_dh[t]
    np.subtract(g_i, np.multiply(g_i, i, out=by_dc[:, 0]), out=by_dc[:, 0])  # g i (1 - i)
    np.subtract(f_c, np.multiply(f_c, f, out=by_dc[:, 1]), out=by_dc[:, 1])  # c_{t-1} f (1 - f)
    np.subtract(i, np.multiply(g_i, g, out=by_dc[:, 2]), out=by_dc[:, 2])  # i (1 - g^2)
    np.multiply(h_columns, o, out=by_dh)
    np.subtract(h_columns, by_dh, out=by_dh)  # tanh(c) o (1 - o) = h - h o
    carry = np.empty((T, 2 * h, B), dtype=cell.dtype)  # [o (1 - tanh(c_t)^2); f_{t+1}]
    np.multiply(h_columns, tanh_c, out=carry[:, :h])
    np.subtract(o, carry[:, :h], out=carry[:, :h])
    carry[:T - 1, h:] = f[1:]
    carry[T - 1, h:] = 1.0  # dc_T arrives from d_final_state as it is
    d_outputs = _as_columns(d_outputs)

    grad = np.zeros((2 * h, B), dtype=cell.dtype)  # the stack [dh; dc]
    if d_final_state is not None:
        grad[:h], grad[h:] = d_final_state[0].T, d_final_state[1].T
    dh, dc = grad[:h], grad[h:]
    scratch = np.empty((2 * h, B), dtype=cell.dtype)
    w_hh_t = np.ascontiguousarray(cell.weight_hh.T)
    views = zip(d_outputs[::-1], carry[::-1], by_dc[::-1], by_dh[::-1], da[::-1])
    for d_out, carry_t, by_dc_t, by_dh_t, da_t in views:
        dh += d_out
        np.multiply(grad, carry_t, out=scratch)  # [dh_t o (1 - tanh(c_t)^2); dc_{t+1} f_{t+1}]
        np.add(scratch[:h], scratch[h:], out=dc)  # dc_t
        by_dc_t *= dc  # now da_t[:3h]
        by_dh_t *= dh  # now da_t[3h:]
        np.dot(w_hh_t, da_t, out=dh)  # dh_{t-1}, before its output term
    dc *= f[0]  # the initial c0 reaches the first step through its forget gate
    dx, dw_x, dw_h, db = _sequence_gradients(cell, x, hs[:-1], da, cell.weight_ih)
    return dx, (dh.T.copy(), dc.T.copy()), _named_gradients(cell, dw_x, dw_h, db)


# The GRU, reset gate after the recurrent product (PyTorch's; cells.GRU's default).


class GRUCache(NamedTuple):
    x: np.ndarray  # (T, B, d) the inputs
    hs: np.ndarray  # (T + 1, B, h) h_0 ... h_T as rows
    h: np.ndarray  # (T + 1, h, B) h_0 ... h_T as columns
    pre: np.ndarray  # (T, 4h, B) [r_t; z_t; W_hn h_{t-1} + b_hn; W_in x_t + b_in]
    n: np.ndarray  # (T, h, B) the candidates n_t


def _gru_gate_stack(cell):
    """The four row blocks [r; z; h_n; x_n] of gru_forward's product, (4h, d + h + 1)."""
    h, d = cell.hidden_size, cell.input_size
    w = np.zeros((4 * h, d + h + cell.bias), dtype=cell.dtype)
    w[:2 * h, :d] = cell.weight_ih[:2 * h]
    w[3 * h:, :d] = cell.weight_ih[2 * h:]
    w[:3 * h, d:d + h] = cell.weight_hh
    if cell.bias:
        w[:2 * h, -1] = cell.bias_ih[:2 * h] + cell.bias_hh[:2 * h]
        w[2 * h:3 * h, -1] = cell.bias_hh[2 * h:]
        w[3 * h:, -1] = cell.bias_ih[2 * h:]
    return w


def gru_forward(cell, x, h0):
    """The GRU (reset_after=True) for t = 1..T: x (T, B, d), h0 (B, h) -> (outputs, h_T, GRUCache).

        r_t, z_t = sigma(...), sigma(...)                     one tanh for both (trick 3)
        n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))
        h_t = (1 - z_t) n_t + z_t h_{t-1} = n_t + z_t (h_{t-1} - n_t)

    One product per step (trick 2), but r_t multiplies only the candidate's recurrent term, so the
    candidate's two terms get separate row blocks of the stacked weights:

        r:    [W_ir, W_hr, b_ir + b_hr]     z:    [W_iz, W_hz, b_iz + b_hz]
        h_n:  [0,    W_hn, b_hn]            x_n:  [W_in, 0,    b_in]
    """
    T, B, d = x.shape
    h = cell.hidden_size
    z_in = _input_stack(cell, x, h0)
    w = _gru_gate_stack(cell)
    w[:2 * h] *= 0.5
    pre = np.empty((T, 4 * h, B), dtype=cell.dtype)
    n = np.empty((T, h, B), dtype=cell.dtype)
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
        np.subtract(h_prev, n_t, out=h_next)  # h_t = n + z * (h_{t-1} - n)
        h_next *= pre_t[h:2 * h]
        h_next += n_t
    hs = _state_rows(cell, z_in, h0)
    return hs[1:], hs[T].copy(), GRUCache(x, hs, z_in[:T + 1, d:d + h], pre, n)


def gru_backward(cell, cache, d_outputs, d_final_state=None):
    """Backpropagation through time for gru_forward -> (dx, dh0, grads). The four row blocks'
    gradients are dh_t times factors known before the loop (tricks 5, 6):

        r:    (1-z)(1-n^2) h_n r(1-r)       z:    (h_{t-1} - n) z(1-z)
        h_n:  (1-z)(1-n^2) r                x_n:  (1-z)(1-n^2)

    so each step is one multiply, one (h, 3h) x (3h, B) product and dh * z. After the loop (trick 7)
    the input weights see blocks r, z, x_n and the recurrent ones r, z, h_n.
    """
    x, hs, h_columns, pre, n = cache
    T, B, d = x.shape
    h = cell.hidden_size
    r, z, h_n = pre[:, :h], pre[:, h:2 * h], pre[:, 2 * h:3 * h]
    da = np.empty((T, 4 * h, B), dtype=cell.dtype)  # the factors, until the loop multiplies them by dh
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
    d_outputs = _as_columns(d_outputs)
    dh = _initial_gradient(cell, d_final_state, B)
    through_weights = np.empty((h, B), dtype=cell.dtype)
    w_hh_t = np.ascontiguousarray(cell.weight_hh.T)  # (h, 3h): sees r, z, h_n
    for d_out, factors_t, da_t, z_t in zip(d_outputs[::-1], factors[::-1], da[::-1], z[::-1]):
        dh += d_out
        factors_t *= dh  # now da_t
        np.dot(w_hh_t, da_t[:3 * h], out=through_weights)
        dh *= z_t  # dh_{t-1} = dh_t * z_t + W_hh^T da^h
        dh += through_weights
    w_x = np.concatenate([cell.weight_ih[:2 * h], np.zeros((h, d), cell.dtype), cell.weight_ih[2 * h:]])
    dx, dw_x, dw_h, db = _sequence_gradients(cell, x, hs[:-1], da, w_x)
    grads = {"weight_ih": np.concatenate([dw_x[:2 * h], dw_x[3 * h:]]), "weight_hh": dw_h}
    if cell.bias:
        grads["bias_ih"] = np.concatenate([db[:2 * h], db[3 * h:]])
        grads["bias_hh"] = db[:3 * h]
    return dx, dh.T.copy(), grads


# The GRU, reset gate before the recurrent product (Cho et al. 2014; reset_after=False).


class GRUResetBeforeCache(NamedTuple):
    x: np.ndarray  # (T, B, d) the inputs
    hs: np.ndarray  # (T + 1, B, h) h_0 ... h_T as rows
    h: np.ndarray  # (T + 1, h, B) h_0 ... h_T as columns
    pre: np.ndarray  # (T, 3h, B) [r_t; z_t; W_in x_t + b_in + b_hn]
    rh: np.ndarray  # (T, h, B) r_t * h_{t-1}
    n: np.ndarray  # (T, h, B) the candidates n_t


def gru_reset_before_forward(cell, x, h0):
    """The GRU with reset_after=False: x (T, B, d), h0 (B, h) -> (outputs, h_T, GRUResetBeforeCache).

        n_t = tanh(W_in x_t + b_in + W_hn (r_t * h_{t-1}) + b_hn)      (r_t, z_t and h_t as above)

    The candidate's recurrent product needs r_t first, so a step is two products: the stacked one
    (tricks 2, 3) for r, z and the candidate's input term (whose bias row holds b_in + b_hn: b_hn
    sits outside r), then W_hn (r_t * h_{t-1}).
    """
    T, B, d = x.shape
    h = cell.hidden_size
    z_in = _input_stack(cell, x, h0)
    w = _stacked_weights(cell)
    w[2 * h:, d:d + h] = 0.0  # the candidate's recurrent term comes from the second product
    w[:2 * h] *= 0.5
    w_hn = cell.weight_hh[2 * h:]
    pre = np.empty((T, 3 * h, B), dtype=cell.dtype)
    rh = np.empty((T, h, B), dtype=cell.dtype)
    n = np.empty((T, h, B), dtype=cell.dtype)
    views = zip(z_in[:T], pre, rh, n, z_in[:T, d:d + h], z_in[1:, d:d + h])
    for z_t, pre_t, rh_t, n_t, h_prev, h_next in views:
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
    hs = _state_rows(cell, z_in, h0)
    return hs[1:], hs[T].copy(), GRUResetBeforeCache(x, hs, z_in[:T + 1, d:d + h], pre, rh, n)


def gru_reset_before_backward(cell, cache, d_outputs, d_final_state=None):
    """Backpropagation through time for gru_reset_before_forward -> (dx, dh0, grads). Per step,
    with the factors computed before the loop (tricks 5, 6, 7):

        da_n = dh_t (1-z)(1-n^2)           d(r h) = W_hn^T da_n        da_r = d(r h) h_{t-1} r(1-r)
        da_z = dh_t (h_{t-1} - n) z(1-z)   dh_{t-1} = dh_t z + d(r h) r + [W_hr; W_hz]^T [da_r; da_z]

    W_hn's gradient is da_n (r h)^T, the other recurrent blocks' [da_r; da_z] h_{t-1}^T.
    """
    x, hs, h_columns, pre, rh, n = cache
    T, B, d = x.shape
    h = cell.hidden_size
    r, z, h_prev = pre[:, :h], pre[:, h:2 * h], h_columns[:T]
    by_n = (1.0 - z) * (1.0 - n * n)
    by_z = (h_prev - n) * z * (1.0 - z)
    by_r = h_prev * r * (1.0 - r)
    d_outputs = _as_columns(d_outputs)
    dh = _initial_gradient(cell, d_final_state, B)
    da = np.empty((T, 3 * h, B), dtype=cell.dtype)  # [da_r; da_z; da_n]
    d_rh, through_weights = np.empty((h, B), dtype=cell.dtype), np.empty((h, B), dtype=cell.dtype)
    w_hn_t = np.ascontiguousarray(cell.weight_hh[2 * h:].T)
    w_rz_t = np.ascontiguousarray(cell.weight_hh[:2 * h].T)
    views = zip(d_outputs[::-1], da[::-1], by_n[::-1], by_r[::-1], by_z[::-1], r[::-1], z[::-1])
    for d_out, da_t, by_n_t, by_r_t, by_z_t, r_t, z_t in views:
        dh += d_out
        np.multiply(dh, by_n_t, out=da_t[2 * h:])  # da_n
        np.dot(w_hn_t, da_t[2 * h:], out=d_rh)  # d(r h)
        np.multiply(d_rh, by_r_t, out=da_t[:h])  # da_r
        np.multiply(dh, by_z_t, out=da_t[h:2 * h])  # da_z
        dh *= z_t
        d_rh *= r_t
        dh += d_rh
        np.dot(w_rz_t, da_t[:2 * h], out=through_weights)
        dh += through_weights
    dx, dw_x, dw_rz, db = _sequence_gradients(cell, x, hs[:-1], da, cell.weight_ih, recurrent_rows=2 * h)
    rh_rows = np.ascontiguousarray(rh.transpose(0, 2, 1)).reshape(T * B, h)
    da_n = np.ascontiguousarray(da[:, 2 * h:].transpose(1, 0, 2)).reshape(h, T * B)
    grads = {"weight_ih": dw_x, "weight_hh": np.concatenate([dw_rz, da_n @ rh_rows])}
    if cell.bias:
        grads["bias_ih"], grads["bias_hh"] = db, db.copy()
    return dx, dh.T.copy(), grads


# The ungated memory cell (the "why gates?" ablation).


class UngatedCache(NamedTuple):
    x: np.ndarray  # (T, B, d) the inputs
    hs: np.ndarray  # (T + 1, B, h) h_0 ... h_T as rows
    z: np.ndarray  # (T + 1, d + h + 1 + h, B) the stack [x_t; h_{t-1}; 1; c_{t-1}]
    o: np.ndarray  # (T, h, B) the output gates
    tanh_c: np.ndarray  # (T, h, B) tanh(c_t)


def _memory_stack(cell):
    """The rows [c; o] of ungated_forward's product, (2h, d + h + 1 + h)."""
    d, h = cell.input_size, cell.hidden_size
    w = np.zeros((2 * h, d + h + cell.bias + h), dtype=cell.dtype)
    w[:h, :d + h], w[:h, -h:] = cell.weight_c[:, :d + h], cell.weight_c[:, d + h:]
    w[h:, :d + h] = cell.weight_o
    if cell.bias:
        w[:h, d + h], w[h:, d + h] = cell.bias_c, cell.bias_o
    return w


def ungated_forward(cell, x, state):
    """The ungated cell for t = 1..T: x (T, B, d), state (h0, c0) -> (outputs, (h_T, c_T), UngatedCache).

    Trick 2 with c_{t-1} appended to the stack: z[t] = [x_t; h_{t-1}; 1; c_{t-1}] times the rows

        c:  [W_c (x and h columns), b_c, W_c (c columns)]     ->  a_c;  c_t = tanh(a_c) into z[t + 1]
        o:  [W_o,                   b_o, 0              ]     ->  a_o, halved (trick 3)
    """
    T, B, d = x.shape
    h = cell.hidden_size
    z = _input_stack(cell, x, state[0], extra_rows=h)
    z[0, -h:] = state[1].T
    w = _memory_stack(cell)
    w[h:] *= 0.5
    pre = np.empty((2 * h, B), dtype=cell.dtype)
    o, tanh_c = np.empty((T, h, B), dtype=cell.dtype), np.empty((T, h, B), dtype=cell.dtype)
    for z_t, c_next, o_t, tanh_c_t, h_next in zip(z[:T], z[1:, -h:], o, tanh_c, z[1:, d:d + h]):
        np.dot(w, z_t, out=pre)
        np.tanh(pre[:h], out=c_next)  # c_t
        np.tanh(pre[h:], out=o_t)
        o_t *= 0.5
        o_t += 0.5
        np.tanh(c_next, out=tanh_c_t)
        np.multiply(o_t, tanh_c_t, out=h_next)  # h_t
    hs = _state_rows(cell, z, state[0])
    return hs[1:], (hs[T].copy(), z[T, -h:].T.copy()), UngatedCache(x, hs, z, o, tanh_c)


def ungated_backward(cell, cache, d_outputs, d_final_state=None):
    """Backpropagation through time for ungated_forward -> (dx, (dh0, dc0), grads). Per step, with
    dh_t and dc_t (what reaches c_t from the next step's product):

        da_c = (dh_t o (1 - tanh(c_t)^2) + dc_t) (1 - c_t^2)     da_o = dh_t tanh(c_t) o (1 - o)
        [dh_{t-1}; dc_{t-1}] = (the h and c columns of the stack)^T [da_c; da_o]

    so da_c is [dh; dc] times factors known before the loop, summed by halves (tricks 4, 5, 6, 7).
    """
    x, hs, z, o, tanh_c = cache
    T, B, d = x.shape
    h = cell.hidden_size
    c, h_columns = z[1:, -h:], z[1:, d:d + h]
    da = np.empty((T, 2 * h, B), dtype=cell.dtype)
    by_dh = da[:, h:]  # da_o = dh * by_dh, multiplied in place in the loop
    np.multiply(h_columns, o, out=by_dh)
    np.subtract(h_columns, by_dh, out=by_dh)  # tanh(c) o (1 - o) = h - h o
    factors = np.empty((T, 2 * h, B), dtype=cell.dtype)  # [o (1 - tanh(c)^2) (1 - c^2); 1 - c^2]
    slope = factors[:, h:]
    np.multiply(c, c, out=slope)
    np.subtract(1.0, slope, out=slope)
    np.multiply(h_columns, tanh_c, out=factors[:, :h])
    np.subtract(o, factors[:, :h], out=factors[:, :h])
    factors[:, :h] *= slope
    d_outputs = _as_columns(d_outputs)

    grad = np.zeros((2 * h, B), dtype=cell.dtype)  # the stack [dh; dc]
    if d_final_state is not None:
        grad[:h], grad[h:] = d_final_state[0].T, d_final_state[1].T
    dh = grad[:h]
    w = _memory_stack(cell)
    w_back = np.ascontiguousarray(np.concatenate([w[:, d:d + h], w[:, -h:]], axis=1).T)
    scratch = np.empty((2 * h, B), dtype=cell.dtype)
    for d_out, factors_t, da_t in zip(d_outputs[::-1], factors[::-1], da[::-1]):
        dh += d_out
        np.multiply(grad, factors_t, out=scratch)
        np.add(scratch[:h], scratch[h:], out=da_t[:h])  # da_c
        da_t[h:] *= dh  # da_o
        np.dot(w_back, da_t, out=grad)  # [dh_{t-1}; dc_{t-1}], before the output's term
    w_x = np.concatenate([cell.weight_c[:, :d], cell.weight_o[:, :d]])
    dx, dw_x, dw_h, db = _sequence_gradients(cell, x, hs[:-1], da, w_x)
    dw_cc = np.tensordot(da[:, :h], z[:T, -h:], axes=([0, 2], [0, 2]))  # sum of da_c c_{t-1}^T
    grads = {"weight_c": np.concatenate([dw_x[:h], dw_h[:h], dw_cc], axis=1),
             "weight_o": np.concatenate([dw_x[h:], dw_h[h:]], axis=1)}
    if cell.bias:
        grads["bias_c"], grads["bias_o"] = db[:h], db[h:]
    grads = {name: grads[name] for name in cell.params()}
    return dx, (grad[:h].T.copy(), grad[h:].T.copy()), grads
