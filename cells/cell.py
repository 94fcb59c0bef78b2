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
    """Base class. A cell sets `num_gates` and provides the maths:

        step(x_t, state) -> (new_state, StepCache)                         the equations, one step
        step_backward(d_new_state, cache) -> (dx_t, d_state, grads)        their hand-written backward
        forward_sequence(x, state) -> (outputs, final_state, cache)        all T steps, for the layers
        backward_sequence(cache, d_outputs, d_final_state) -> (dx, d_initial_state, grads)

    The sequence methods run the same equations through a fused kernel (kernels.py).
    """

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
        for name, shape in self.parameter_shapes().items():
            setattr(self, name, rng.uniform(-bound, bound, size=shape).astype(self.dtype))
        if not self.bias:
            for name in self.bias_names:
                setattr(self, name, None)

    def parameter_shapes(self):
        """Every parameter's shape, in PyTorch's order."""
        rows = self.num_gates * self.hidden_size
        shapes = {"weight_ih": (rows, self.input_size), "weight_hh": (rows, self.hidden_size)}
        if self.bias:
            shapes.update(bias_ih=(rows,), bias_hh=(rows,))
        return shapes

    def params(self):
        """The parameter arrays themselves (not copies), keyed by PyTorch's names."""
        return {name: getattr(self, name) for name in self.parameter_shapes()}

    def zero_grads(self):
        """Zeros shaped like params(): where a sum of gradients over time steps starts."""
        return {name: np.zeros_like(p) for name, p in self.params().items()}

    def zero_state(self, batch_size):
        h = np.zeros((batch_size, self.hidden_size), dtype=self.dtype)
        return (h, h.copy()) if self.has_cell_state else h

    def __repr__(self):
        return (f"{type(self).__name__}(input_size={self.input_size}, "
                f"hidden_size={self.hidden_size}, bias={self.bias})")

    # The checks every caller of a cell shares: they turn a wrong shape or type into a clear error.

    def check_input(self, x_t):
        """One step's input x_t (B, d), as an array of the cell's dtype."""
        return check_array("x_t", x_t, (None, self.input_size), self.dtype, labels=("B", "d"))

    def check_hidden(self, name, value, batch_size):
        """A (B, h) array called `name`: a state, or a gradient with respect to one."""
        return check_array(name, value, (batch_size, self.hidden_size), self.dtype, labels=("B", "h"))

    def check_state(self, state, batch_size):
        """None means zeros; an LSTM state is the pair (h, c)."""
        if state is None:
            return self.zero_state(batch_size)
        if self.has_cell_state:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise ValueError(f"an LSTM state must be a pair (h, c); got {type(state).__name__}")
            return (self.check_hidden("h", state[0], batch_size),
                    self.check_hidden("c", state[1], batch_size))
        return self.check_hidden("state", state, batch_size)

    def check_parameters(self):
        """Callers may overwrite the weights; catch a wrong shape before the maths does."""
        for name, shape in self.parameter_shapes().items():
            value = getattr(self, name)
            if value is None:
                raise ValueError(f"{name} is None but this cell was built with bias=True")
            if not isinstance(value, np.ndarray) or value.shape != shape:
                got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
                raise ValueError(f"{name} must be an array of shape {shape}; got {got}")
