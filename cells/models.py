"""A recurrent layer with a linear readout: the model every chapter experiment trains.

    readout="last":  y_hat = W h_T + b                 one prediction per sequence (adding problem)
    readout="all":   y_hat_t = W h_t + b for every t    one prediction per step (copy memory)

h_t is the top layer's output (forward and reverse halves side by side if bidirectional;
with "last", the output at the last time step, as `output[-1]` in PyTorch).
"""

import numpy as np

from ._validation import check_choice
from .dense import Dense
from .layers import RecurrentLayer


class SequenceModel:
    """recurrent layer + Dense head. forward(x) -> y_hat; backward(d y_hat) -> (dx, grads)."""

    def __init__(self, recurrent, out_features, readout="last", rng=None):
        if not isinstance(recurrent, RecurrentLayer):
            raise ValueError(f"recurrent must be a cells layer (RNN, LSTM, GRU, ...); got {type(recurrent).__name__}")
        self.rnn = recurrent
        self.readout = check_choice("readout", readout, ("last", "all"))
        features = recurrent.hidden_size * recurrent.num_directions
        self.head = Dense(features, out_features, rng=rng, dtype=recurrent.dtype)
        self._output_shape = None

    def __repr__(self):
        return f"SequenceModel({self.rnn!r}, out_features={self.head.out_features}, readout={self.readout!r})"

    def params(self):
        """'rnn.weight_ih_l0', ..., 'head.weight', 'head.bias': the arrays themselves."""
        named = {"rnn." + k: v for k, v in self.rnn.params().items()}
        named.update({"head." + k: v for k, v in self.head.params().items()})
        return named

    def _time_axis(self):
        unbatched = len(self._output_shape) == 2  # (T, features): time is axis 0 whatever batch_first says
        return 1 if self.rnn.batch_first and not unbatched else 0

    def forward(self, x):
        """x like the layer's input -> (B, out) for "last", or (T, B, out) ((B, T, out) batch_first) for "all"."""
        output, _ = self.rnn.forward(x)
        self._output_shape = output.shape
        if self.readout == "last":
            output = np.take(output, -1, axis=self._time_axis())
        return self.head.forward(output)

    def backward(self, d_prediction):
        """dL/dy_hat -> (dL/dx, grads keyed like params())."""
        if self._output_shape is None:
            raise ValueError("backward needs the caches of a forward call; call forward(x) first")
        d_features, head_grads = self.head.backward(d_prediction)
        if self.readout == "last":
            d_output = np.zeros(self._output_shape, dtype=d_features.dtype)
            if self._time_axis() == 1:
                d_output[:, -1] = d_features
            else:
                d_output[-1] = d_features
        else:
            d_output = d_features
        dx, rnn_grads = self.rnn.backward(d_output)
        grads = {"rnn." + k: v for k, v in rnn_grads.items()}
        grads.update({"head." + k: v for k, v in head_grads.items()})
        return dx, grads
