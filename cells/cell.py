"""What the three recurrent cells share: their weights, their initialisation, their checks.

A *cell* here is PyTorch's and Keras's sense of the word: one layer at one time step, a
vector of `hidden_size` units. It holds G blocks of weights stacked row-wise, exactly like
torch.nn.RNNCell / LSTMCell / GRUCell (G = 1, 4, 3):

    weight_ih (G*h, d)   weight_hh (G*h, h)   bias_ih (G*h,)   bias_hh (G*h,)

and every block starts uniform in (-1/sqrt(h), 1/sqrt(h)), as in PyTorch.
"""

from dataclasses import dataclass, field

import numpy as np

from ._validation import as_generator, check_array, check_bool, check_dtype, check_positive_int


@dataclass
class StepCache:
    """What one `step` remembers for its `step_backward`.

    `gates` holds the gate activations, each (B, h): {"i", "f", "g", "o"} for an LSTM,
    {"r", "z", "n"} for a GRU, empty for a plain RNN. `values` holds other intermediates.
    """

    x: np.ndarray
    h_prev: np.ndarray
    gates: dict
    c_prev: np.ndarray = None
    values: dict = field(default_factory=dict)


class RecurrentCell:
    """Base class; subclasses set `num_gates` and implement step / step_backward and the
    sequence versions forward_sequence / backward_sequence."""

    num_gates = 1
    has_cell_state = False  # True for the LSTM, whose state is the pair (h, c)
    bias_names = ("bias_ih", "bias_hh")  # None when the cell is built with bias=False

    def __init__(self, input_size, hidden_size, bias=True, rng=None, dtype=np.float64):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = check_bool("bias", bias)
        self.dtype = check_dtype(dtype)
        rng = as_generator(rng)
        bound = 1.0 / np.sqrt(self.hidden_size)
        # Drawn in PyTorch's parameter order, so a seed gives the same layout every time.
        for name, shape in self._parameter_shapes().items():
            setattr(self, name, rng.uniform(-bound, bound, size=shape).astype(self.dtype))
        if not self.bias:
            for name in self.bias_names:
                setattr(self, name, None)

    def params(self):
        """The parameter arrays themselves (not copies), keyed by PyTorch's names."""
        return {name: getattr(self, name) for name in self._parameter_shapes()}

    def zero_state(self, batch_size):
        h = np.zeros((batch_size, self.hidden_size), dtype=self.dtype)
        return (h, h.copy()) if self.has_cell_state else h

    def __repr__(self):
        return (f"{type(self).__name__}(input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}, bias={self.bias})")

    def _check_input(self, x_t):
        return check_array("x_t", x_t, (None, self.input_size), self.dtype, labels=("B", "d"))

    def _check_hidden(self, name, value, batch_size):
        return check_array(name, value, (batch_size, self.hidden_size), self.dtype, labels=("B", "h"))

    def _check_state(self, state, batch_size):
        """None means zeros; an LSTM state is the pair (h, c)."""
        if state is None:
            return self.zero_state(batch_size)
        if self.has_cell_state:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise ValueError(f"an LSTM state must be a pair (h, c); got {type(state).__name__}")
            return (self._check_hidden("h", state[0], batch_size),
                    self._check_hidden("c", state[1], batch_size))
        return self._check_hidden("state", state, batch_size)

    def _check_parameters(self):
        """Callers may overwrite the weights; catch a wrong shape before the maths does."""
        for name, shape in self._parameter_shapes().items():
            value = getattr(self, name)
            if value is None:
                raise ValueError(f"{name} is None but this cell was built with bias=True")
            if not isinstance(value, np.ndarray) or value.shape != shape:
                got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
                raise ValueError(f"{name} must be an array of shape {shape}; got {got}")

    def _parameter_shapes(self):
        """Every parameter's shape, in PyTorch's order."""
        rows = self.num_gates * self.hidden_size
        shapes = {"weight_ih": (rows, self.input_size), "weight_hh": (rows, self.hidden_size)}
        if self.bias:
            shapes.update(bias_ih=(rows,), bias_hh=(rows,))
        return shapes

    def forward_sequence(self, x, state):
        """All T steps: -> (outputs, final_state, cache). This default is unroll's step-by-step
        loop; the RNN, LSTM and GRU cells override it with a faster arrangement of the same maths."""
        from .unroll import unroll  # unroll.py builds on this module, so import at call time

        return unroll(self, x, state)

    def backward_sequence(self, cache, d_outputs, d_final_state=None):
        """Backward of forward_sequence: -> (dx, d_initial_state, grads)."""
        from .unroll import backprop_through_time

        dx, d_initial_state, grads, _ = backprop_through_time(self, cache, d_outputs, d_final_state)
        return dx, d_initial_state, grads

    # The sequence kernels of the RNN, LSTM and GRU share one arrangement. Inside them vectors
    # are columns (h, B), as in the equations, and step t multiplies one stacked weight matrix
    # [W_ih, W_hh, b] by one stacked column z[t] = [x_t; h_{t-1}; 1], so all the pre-activations
    # of a step are a single product; the loop writes h_t straight into z[t + 1].

    def _input_stack(self, x, h0, extra_rows=0):
        """x (T, B, d), h0 (B, h) -> z (T + 1, d + h + 1 + extra_rows, B), z[t] = [x_t; h_{t-1}; 1]
        followed by `extra_rows` rows the caller fills (no row of ones without a bias). The loop
        fills in h_1 ... h_T."""
        T, B, d = x.shape
        h = self.hidden_size
        z = np.empty((T + 1, d + h + self.bias + extra_rows, B), dtype=self.dtype)
        z[:T, :d] = x.transpose(0, 2, 1)
        z[T, :d] = 0.0  # z[T] only holds h_T
        z[0, d:d + h] = h0.T
        if self.bias:
            z[:, d + h] = 1.0
        return z

    def _stacked_weights(self):
        """[W_ih, W_hh, b_ih + b_hh] (G*h, d + h + 1): what multiplies z[t]."""
        blocks = [self.weight_ih, self.weight_hh]
        if self.bias:
            blocks.append((self.bias_ih + self.bias_hh)[:, None])
        return np.concatenate(blocks, axis=1)

    def _state_rows(self, z, h0):
        """The states h_0 ... h_T back as rows (T + 1, B, h), from the stack z."""
        d = self.input_size
        hs = np.empty((z.shape[0], h0.shape[0], self.hidden_size), dtype=self.dtype)
        hs[0] = h0
        hs[1:] = z[1:, d:d + self.hidden_size].transpose(0, 2, 1)
        return hs

    def _sequence_gradients(self, x, h_prev, da, w_x):
        """After a backward loop: -> (dx, dW_x, dW_h, db), each one product over all T*B columns.

        da (T, R, B) holds the pre-activation gradients of a stack of R rows, h_prev (T, B, h)
        the states h_{t-1} as rows, w_x (R, d) the input weights of the stack. The sums over t
        and the batch of da_t x_t^T, da_t h_{t-1}^T and da_t are dW_x, dW_h and db (None
        without a bias); dx_t = w_x^T da_t. dW_h only covers the first G*h rows (G gates): the
        rows W_hh sees.
        """
        T, B, d = x.shape
        # (T, R, B) -> (R, T*B): each column one (t, sequence) pair, each row one unit
        columns = np.ascontiguousarray(da.transpose(1, 0, 2)).reshape(-1, T * B)
        h_rows = np.ascontiguousarray(h_prev).reshape(T * B, -1)
        dw_x = columns @ x.reshape(T * B, d)
        dw_h = columns[:self.num_gates * self.hidden_size] @ h_rows
        db = columns.sum(axis=1) if self.bias else None
        return (columns.T @ w_x).reshape(T, B, d), dw_x, dw_h, db

    def _named_gradients(self, dw_x, dw_h, db):
        """Gradients keyed like params() when both biases enter as their sum (RNN, LSTM)."""
        grads = {"weight_ih": dw_x, "weight_hh": dw_h}
        if self.bias:
            grads["bias_ih"], grads["bias_hh"] = db, db.copy()
        return grads

    def _zero_grads(self):
        return {name: np.zeros_like(p) for name, p in self.params().items()}
