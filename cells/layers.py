"""Sequence layers like torch.nn.RNN, LSTM and GRU: stacked, optionally bidirectional.

A layer is a grid of cells, `cells[layer][direction]`. Layer 0 reads x (T, B, d); every
later layer reads the outputs of the one below, which for a bidirectional layer are the
forward and reverse hidden states side by side, so its input size is h * directions.
The reverse direction is the same kind of cell run over the sequence from t = T to t = 1:

    forward:  h_t^->  = cell^->(x_t, h_{t-1}^->)        reverse:  h_t^<- = cell^<-(x_t, h_{t+1}^<-)
    output_t = [h_t^->, h_t^<-]                         (T, B, directions * h)

Return values follow PyTorch exactly: `output, h_n` (LSTM: `output, (h_n, c_n)`), with
h_n of shape (num_layers * directions, B, h) ordered layer by layer, forward before reverse.
Parameters carry PyTorch's names: weight_ih_l0, weight_hh_l0, bias_ih_l0, ..., *_reverse.
"""

import numpy as np

from ._validation import as_generator, check_array, check_bool, check_dtype, check_positive_int
from .gru import GRUCell
from .lstm import LSTMCell
from .rnn import RNNCell


class RecurrentLayer:
    """Base class; RNN, LSTM and GRU below only choose the cell."""

    cell_class = None

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, rng=None, dtype=np.float64, **cell_options):
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        self.bias = check_bool("bias", bias)
        self.batch_first = check_bool("batch_first", batch_first)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.dtype = check_dtype(dtype)
        self.num_directions = 2 if self.bidirectional else 1
        rng = as_generator(rng)
        # One generator for all cells, drawn in PyTorch's parameter order, so a seed fixes everything.
        self.cells = [
            [self.cell_class(self.input_size if layer == 0 else self.hidden_size * self.num_directions,
                             self.hidden_size, bias=self.bias, rng=rng, dtype=self.dtype, **cell_options)
             for _ in range(self.num_directions)]
            for layer in range(self.num_layers)
        ]
        self._caches = None
        self.d_initial_state = None

    @property
    def has_cell_state(self):
        return self.cell_class.has_cell_state

    def __repr__(self):
        return (f"{type(self).__name__}({self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"bias={self.bias}, batch_first={self.batch_first}, bidirectional={self.bidirectional})")

    @staticmethod
    def suffix(layer, direction):
        """PyTorch's parameter-name suffix: _l0, _l1_reverse, ..."""
        return f"_l{layer}" + ("_reverse" if direction == 1 else "")

    def params(self):
        """The parameter arrays themselves, keyed by PyTorch's names (weight_ih_l0, ...)."""
        return {name + self.suffix(layer, direction): value
                for layer, pair in enumerate(self.cells)
                for direction, cell in enumerate(pair)
                for name, value in cell.params().items()}

    def forward(self, x, state=None):
        """x (T, B, d), or (B, T, d) with batch_first, or unbatched (T, d) -> output, h_n.

        state: h_0 (num_layers * directions, B, h), for an LSTM the pair (h_0, c_0); None is zeros.
        """
        for pair in self.cells:
            for cell in pair:
                cell.check_parameters()
        x, unbatched = self._check_input(x)
        T, B, _ = x.shape
        state = self._check_state(state, B, unbatched)
        caches, finals = [], []
        layer_input = x
        for layer, pair in enumerate(self.cells):
            outputs = []
            for direction, cell in enumerate(pair):
                index = layer * self.num_directions + direction
                initial = (state[0][index], state[1][index]) if self.has_cell_state else state[index]
                # The reverse cell reads the sequence backwards and its outputs are put back in time order.
                sequence = layer_input if direction == 0 else np.ascontiguousarray(layer_input[::-1])
                out, final, cache = cell.forward_sequence(sequence, initial)
                outputs.append(out if direction == 0 else out[::-1])
                finals.append(final)
                caches.append(cache)
            layer_input = np.concatenate(outputs, axis=2) if len(outputs) == 2 else outputs[0].copy()
        self._caches = (caches, T, B, unbatched)
        self.d_initial_state = None
        output = self._from_time_major(layer_input, unbatched)
        if self.has_cell_state:
            h_n = np.stack([f[0] for f in finals])
            c_n = np.stack([f[1] for f in finals])
            return output, (self._squeeze(h_n, unbatched), self._squeeze(c_n, unbatched))
        return output, self._squeeze(np.stack(finals), unbatched)

    def backward(self, d_output, d_state=None):
        """Backpropagation through time for the last `forward` -> (dx, grads).

        d_output has the shape of output; d_state the shape of h_n (LSTM: a pair, either may
        be None). grads is keyed like params(); the gradient with respect to the initial
        state is left in `self.d_initial_state` (same structure as the state).
        """
        if self._caches is None:
            raise ValueError("backward needs the caches of a forward call; call forward(x) first")
        caches, T, B, unbatched = self._caches
        D, h = self.num_directions, self.hidden_size
        out_shape = (T, D * h) if unbatched else ((B, T, D * h) if self.batch_first else (T, B, D * h))
        d_output = check_array("d_output", d_output, out_shape, self.dtype)
        if unbatched:
            d_output = d_output[:, None]
        elif self.batch_first:
            d_output = d_output.transpose(1, 0, 2)
        d_finals = self._check_d_state(d_state, B, unbatched)

        grads, d_initial = {}, [None] * (self.num_layers * D)
        d_layer_output = d_output
        for layer in reversed(range(self.num_layers)):
            d_layer_input = None
            for direction, cell in enumerate(self.cells[layer]):
                index = layer * D + direction
                d_out = d_layer_output[:, :, direction * h:(direction + 1) * h]
                if direction == 1:
                    d_out = d_out[::-1]
                d_final = (d_finals[0][index], d_finals[1][index]) if self.has_cell_state else d_finals[index]
                dx, d_initial[index], cell_grads = cell.backward_sequence(caches[index], d_out, d_final)
                if direction == 1:
                    dx = dx[::-1]
                d_layer_input = dx if d_layer_input is None else d_layer_input + dx
                for name, g in cell_grads.items():
                    grads[name + self.suffix(layer, direction)] = g
            d_layer_output = d_layer_input

        if self.has_cell_state:
            self.d_initial_state = tuple(self._squeeze(np.stack([d[k] for d in d_initial]), unbatched)
                                         for k in (0, 1))
        else:
            self.d_initial_state = self._squeeze(np.stack(d_initial), unbatched)
        grads = {name: grads[name] for name in self.params()}  # PyTorch's order
        return self._from_time_major(d_layer_output, unbatched), grads

    def _check_input(self, x):
        array = np.asarray(x)
        unbatched = array.ndim == 2
        if unbatched:
            x = check_array("x", array, (None, self.input_size), self.dtype, labels=("T", "d"))[:, None]
        elif self.batch_first:
            x = check_array("x", array, (None, None, self.input_size), self.dtype, labels=("B", "T", "d"))
            x = np.ascontiguousarray(x.transpose(1, 0, 2))
        else:
            x = check_array("x", array, (None, None, self.input_size), self.dtype, labels=("T", "B", "d"))
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"x must hold at least one time step and one sequence; got shape {array.shape}")
        return x, unbatched

    def _state_shape(self, B, unbatched):
        L = self.num_layers * self.num_directions
        return (L, self.hidden_size) if unbatched else (L, B, self.hidden_size)

    def _check_state_arrays(self, names, value, B, unbatched):
        shape = self._state_shape(B, unbatched)
        labels = ("num_layers * directions", "h") if unbatched else ("num_layers * directions", "B", "h")
        if self.has_cell_state:
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"{names[0][:-2]} of an LSTM must be a pair ({names[0]}, {names[1]}); "
                                 f"got {type(value).__name__}")
            pairs = zip(names, value)
        else:
            pairs = [(names[0], value)]
        checked = []
        for name, v in pairs:
            if v is None:
                checked.append(np.zeros(shape, dtype=self.dtype))
            else:
                checked.append(check_array(name, v, shape, self.dtype, labels=labels))
        if unbatched:
            checked = [c[:, None] for c in checked]
        return checked

    def _check_state(self, state, B, unbatched):
        if state is None:
            zeros = np.zeros((self.num_layers * self.num_directions, B, self.hidden_size), dtype=self.dtype)
            return (zeros, zeros) if self.has_cell_state else zeros
        checked = self._check_state_arrays(("state_h", "state_c"), state, B, unbatched)
        return tuple(checked) if self.has_cell_state else checked[0]

    def _check_d_state(self, d_state, B, unbatched):
        if d_state is None:
            d_state = (None, None) if self.has_cell_state else None
        checked = self._check_state_arrays(("d_state_h", "d_state_c"), d_state, B, unbatched)
        return tuple(checked) if self.has_cell_state else checked[0]

    def _from_time_major(self, array, unbatched):
        if unbatched:
            return array[:, 0]
        return array.transpose(1, 0, 2) if self.batch_first else array

    @staticmethod
    def _squeeze(array, unbatched):
        return array[:, 0] if unbatched else array


class RNN(RecurrentLayer):
    """Like torch.nn.RNN: h_t = phi(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), phi tanh or relu."""

    cell_class = RNNCell

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, bidirectional=False, rng=None, dtype=np.float64):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional, rng, dtype,
                         nonlinearity=nonlinearity)
        self.nonlinearity = nonlinearity


class LSTM(RecurrentLayer):
    """Like torch.nn.LSTM (no proj_size): gates i, f, g, o; returns output, (h_n, c_n)."""

    cell_class = LSTMCell


class GRU(RecurrentLayer):
    """Like torch.nn.GRU: gates r, z, n; h_t = (1 - z_t) * n_t + z_t * h_{t-1}.

    reset_after=False applies the reset gate before the recurrent product, W_hn (r_t * h_{t-1}),
    as Cho et al. (2014) and Keras's reset_after=False do; torch.nn.GRU cannot represent it.
    """

    cell_class = GRUCell

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 bidirectional=False, rng=None, dtype=np.float64, *, reset_after=True):
        reset_after = check_bool("reset_after", reset_after)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, bidirectional, rng, dtype,
                         reset_after=reset_after)
        self.reset_after = reset_after

    def __repr__(self):
        return super().__repr__()[:-1] + f", reset_after={self.reset_after})"
