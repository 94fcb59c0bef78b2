"""TensorFlow 1's single-matrix layout, in numpy (TF1 is retired; its arithmetic is short enough to mirror).

TF1's cells multiply the row [x_t, h_{t-1}] (d + h numbers) by one kernel whose columns hold the
gate blocks, where PyTorch keeps W_ih and W_hh apart and stores gate blocks as rows:

    BasicLSTMCell  kernel (d + h, 4h), columns i, j, f, o (j is the candidate, PyTorch's g); bias (4h,)
                   i, j, f, o = split([x_t, h_{t-1}] @ kernel + bias, 4)
                   c_t = sigmoid(f + forget_bias) * c_{t-1} + sigmoid(i) * tanh(j)     forget_bias = 1.0
                   h_t = tanh(c_t) * sigmoid(o)
    GRUCell        gates/kernel (d + h, 2h), columns r, u; gates/bias (2h,)
                   candidate/kernel (d + h, h); candidate/bias (h,)
                   r, u = split(sigmoid([x_t, h_{t-1}] @ gates/kernel + gates/bias), 2)
                   c = tanh([x_t, r * h_{t-1}] @ candidate/kernel + candidate/bias)
                   h_t = u * h_{t-1} + (1 - u) * c          (u is PyTorch's z; r multiplies h *before*
                                                             the product: a cells GRU with reset_after=False)
    BasicRNNCell   kernel (d + h, h), bias (h,);  h_t = tanh([x_t, h_{t-1}] @ kernel + bias)

So per gate the weights form one [d + h, h] block: the "[hidden_size + input_size, hidden_size]"
matrix that older texts quote. forget_bias is not stored: it is added each time the cell runs, so
the stored f bias is PyTorch's b_if + b_hf minus forget_bias.
"""

import numpy as np

from .gru import GRUCell
from .lstm import LSTMCell
from .pointwise import sigmoid
from .rnn import RNNCell

TF1_LSTM_BLOCKS = (0, 2, 1, 3)  # TF1's i, j, f, o are PyTorch's blocks i, g, f, o


def _blocks(array, order, axis=0):
    parts = np.split(array, len(order), axis=axis)
    return np.concatenate([parts[k] for k in order], axis=axis)


def to_tf1(cell, forget_bias=1.0):
    """The arrays TF1 stores for this cells cell, keyed by TF1's variable names.

    LSTMCell -> BasicLSTMCell's kernel and bias (for the given forget_bias); GRUCell with
    reset_after=False -> GRUCell's four arrays; RNNCell (tanh) -> BasicRNNCell's kernel and bias.
    """
    if not isinstance(cell, (LSTMCell, GRUCell, RNNCell)):
        raise ValueError(f"to_tf1 expects a cells LSTMCell, GRUCell or RNNCell; got {type(cell).__name__}")
    if not cell.bias:
        raise ValueError("TF1's cells always have a bias; got a cell built with bias=False")
    stacked = np.concatenate([cell.weight_ih, cell.weight_hh], axis=1)  # (G*h, d + h): rows see [x, h]
    bias = cell.bias_ih + cell.bias_hh
    h = cell.hidden_size
    if isinstance(cell, LSTMCell):
        bias = bias.copy()
        bias[h : 2 * h] -= (
            forget_bias  # f's block, in PyTorch's order; TF1 adds forget_bias back when it runs
        )
        return {"kernel": _blocks(stacked, TF1_LSTM_BLOCKS).T, "bias": _blocks(bias, TF1_LSTM_BLOCKS)}
    if isinstance(cell, RNNCell):
        if cell.nonlinearity != "tanh":
            raise ValueError(f"BasicRNNCell uses tanh; got a cell with nonlinearity={cell.nonlinearity!r}")
        return {"kernel": stacked.T, "bias": bias}
    if cell.reset_after:
        raise ValueError(
            "TF1's GRUCell applies r before the recurrent product, W (r * h); expected a cells "
            "GRUCell with reset_after=False, got reset_after=True"
        )
    return {
        "gates/kernel": stacked[: 2 * h].T,
        "gates/bias": bias[: 2 * h],
        "candidate/kernel": stacked[2 * h :].T,
        "candidate/bias": bias[2 * h :],
    }


def tf1_step(arrays, x_t, state, forget_bias=1.0):
    """One step of TF1's BasicLSTMCell, GRUCell or BasicRNNCell, written as TF1 computes it.

    arrays: as returned by to_tf1. x_t (B, d); state h (B, h), or (c, h) for the LSTM, in TF1's
    LSTMStateTuple order. Returns the new state in the same form.
    """
    if "gates/kernel" in arrays:
        h_prev = state
        value = sigmoid(np.concatenate([x_t, h_prev], axis=1) @ arrays["gates/kernel"] + arrays["gates/bias"])
        r, u = np.split(value, 2, axis=1)
        candidate = np.tanh(
            np.concatenate([x_t, r * h_prev], axis=1) @ arrays["candidate/kernel"] + arrays["candidate/bias"]
        )
        return u * h_prev + (1 - u) * candidate
    kernel, bias = arrays["kernel"], arrays["bias"]
    if isinstance(state, tuple):
        c_prev, h_prev = state
        i, j, f, o = np.split(np.concatenate([x_t, h_prev], axis=1) @ kernel + bias, 4, axis=1)
        c = sigmoid(f + forget_bias) * c_prev + sigmoid(i) * np.tanh(j)
        return c, np.tanh(c) * sigmoid(o)
    return np.tanh(np.concatenate([x_t, state], axis=1) @ kernel + bias)
