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

    def __init__(self, input_size, hidden_size, bias=True, rng=None, dtype=np.float64):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = check_bool("bias", bias)
        self.dtype = check_dtype(dtype)
        rng = as_generator(rng)
        rows, bound = self.num_gates * self.hidden_size, 1.0 / np.sqrt(self.hidden_size)

        def uniform(*shape):
            return rng.uniform(-bound, bound, size=shape).astype(self.dtype)

        # Drawn in PyTorch's parameter order, so a seed gives the same layout every time.
        self.weight_ih = uniform(rows, self.input_size)
        self.weight_hh = uniform(rows, self.hidden_size)
        self.bias_ih = uniform(rows) if self.bias else None
        self.bias_hh = uniform(rows) if self.bias else None

    def params(self):
        """The parameter arrays themselves (not copies), keyed by PyTorch's names."""
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        return {name: getattr(self, name) for name in names}

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
        rows = self.num_gates * self.hidden_size
        for name, shape in self._parameter_shapes(rows).items():
            value = getattr(self, name)
            if value is None:
                raise ValueError(f"{name} is None but this cell was built with bias=True")
            if not isinstance(value, np.ndarray) or value.shape != shape:
                got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
                raise ValueError(f"{name} must be an array of shape {shape}; got {got}")

    def _parameter_shapes(self, rows):
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

    def _sequence_gradients(self, x, h_prev, da_x, da_h):
        """After a backward loop over columns: -> (dx (T, B, d), grads).

        da_x (T, G*h, B) is the pre-activation gradient seen by the input weights, da_h the one
        seen by the recurrent weights (the same array except in the GRU), h_prev (T, B, h) the
        states h_{t-1} as rows. Sums over t and the batch of da_t x_t^T and da_t h_{t-1}^T
        become one matrix product each, over all T*B columns at once; dx_t = W_ih^T da_t likewise.
        """
        T, B, d = x.shape
        # (T, G*h, B) -> (G*h, T*B): each column one (t, sequence) pair, each row one unit
        columns_x = np.ascontiguousarray(da_x.transpose(1, 0, 2)).reshape(-1, T * B)
        columns_h = columns_x if da_h is da_x else np.ascontiguousarray(da_h.transpose(1, 0, 2)).reshape(-1, T * B)
        h_prev_rows = np.ascontiguousarray(h_prev).reshape(T * B, -1)
        grads = {"weight_ih": columns_x @ x.reshape(T * B, d), "weight_hh": columns_h @ h_prev_rows}
        if self.bias:
            grads["bias_ih"] = columns_x.sum(axis=1)
            grads["bias_hh"] = grads["bias_ih"].copy() if da_h is da_x else columns_h.sum(axis=1)
        return (columns_x.T @ self.weight_ih).reshape(T, B, d), grads

    def _zero_grads(self):
        return {name: np.zeros_like(p) for name, p in self.params().items()}
