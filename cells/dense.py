"""The fully connected layer and the multilayer perceptron (torch.nn.Linear's layout).

    Dense:  y = W x + b              W (out_features, in_features), b (out_features,)
    MLP:    a_0 = x,  a_k = phi(W_k a_{k-1} + b_k) for hidden layers,  y = W_L a_{L-1} + b_L

Backward, given dL/dy:  dL/dx = W^T dy,  dL/dW = dy x^T,  dL/db = dy  (summed over the batch).
Inputs may have any leading axes (..., in_features), like torch.nn.Linear; a readout head on
every time step of an RNN output (T, B, h) is then one Dense call.
"""

import numpy as np

from ._validation import as_generator, check_array, check_bool, check_choice, check_dtype, check_positive_int
from .pointwise import ACTIVATIONS


class Dense:
    """y = x @ W.T + b, initialised like torch.nn.Linear: uniform(-1/sqrt(in), 1/sqrt(in)).

    Like torch.nn.Linear, `weight` and `bias` are the arrays, and Dense(..., bias=False) leaves
    `bias` None.
    """

    def __init__(self, in_features, out_features, bias=True, rng=None, dtype=np.float64):
        self.in_features = check_positive_int("in_features", in_features)
        self.out_features = check_positive_int("out_features", out_features)
        bias = check_bool("bias", bias)
        self.dtype = check_dtype(dtype)
        rng = as_generator(rng)
        bound = 1.0 / np.sqrt(self.in_features)
        self.weight = rng.uniform(-bound, bound, (self.out_features, self.in_features)).astype(self.dtype)
        self.bias = rng.uniform(-bound, bound, self.out_features).astype(self.dtype) if bias else None
        self._x = None

    def __repr__(self):
        return f"Dense({self.in_features}, {self.out_features}, bias={self.bias is not None})"

    def params(self):
        return {"weight": self.weight} if self.bias is None else {"weight": self.weight, "bias": self.bias}

    def forward(self, x):
        """x (..., in_features) -> y (..., out_features)."""
        shape = (self.out_features, self.in_features)
        weight_ok = isinstance(self.weight, np.ndarray) and self.weight.shape == shape
        if not weight_ok:
            raise ValueError(f"weight must be an array of shape {(self.out_features, self.in_features)}; "
                             f"got {getattr(self.weight, 'shape', type(self.weight).__name__)}")
        bias_ok = isinstance(self.bias, np.ndarray) and self.bias.shape == (self.out_features,)
        if self.bias is not None and not bias_ok:
            raise ValueError(f"bias must be None or an array of shape {(self.out_features,)}; "
                             f"got {getattr(self.bias, 'shape', type(self.bias).__name__)}")
        leading = (None,) * max(np.ndim(x) - 1, 0)
        x = check_array("x", x, leading + (self.in_features,), self.dtype)
        self._x = x
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y

    def backward(self, dy):
        """dL/dy (..., out_features) -> (dL/dx, {"weight": dL/dW, "bias": dL/db})."""
        if self._x is None:
            raise ValueError("backward needs the input of a forward call; call forward(x) first")
        x = self._x
        dy = check_array("dy", dy, x.shape[:-1] + (self.out_features,), self.dtype)
        rows_dy, rows_x = dy.reshape(-1, self.out_features), x.reshape(-1, self.in_features)
        grads = {"weight": rows_dy.T @ rows_x}
        if self.bias is not None:
            grads["bias"] = rows_dy.sum(axis=0)
        return dy @ self.weight, grads


class MLP:
    """Dense layers with `activation` between them; the last layer is linear.

    sizes = [in, hidden_1, ..., out]. Parameter names follow the torch.nn.Sequential of
    Linear and activation modules it corresponds to: "0.weight", "0.bias", "2.weight", ...
    """

    def __init__(self, sizes, activation="tanh", rng=None, dtype=np.float64):
        if not isinstance(sizes, (list, tuple)) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list [in, ..., out] of at least two sizes; got {sizes!r}")
        sizes = [check_positive_int(f"sizes[{k}]", s) for k, s in enumerate(sizes)]
        self.activation = check_choice("activation", activation, tuple(ACTIVATIONS))
        rng = as_generator(rng)
        self.sizes = sizes
        self.layers = [Dense(a, b, rng=rng, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        self._activations = None

    def __repr__(self):
        return f"MLP({self.sizes}, activation={self.activation!r})"

    def params(self):
        return {f"{2 * k}.{name}": value for k, layer in enumerate(self.layers)
                for name, value in layer.params().items()}

    def forward(self, x):
        phi, _ = ACTIVATIONS[self.activation]
        self._activations = []
        a = x
        for k, layer in enumerate(self.layers):
            a = layer.forward(a)
            if k < len(self.layers) - 1:
                a = phi(a)
                self._activations.append(a)
        return a

    def backward(self, dy):
        """dL/dy -> (dL/dx, grads keyed like params())."""
        if self._activations is None:
            raise ValueError("backward needs the caches of a forward call; call forward(x) first")
        _, phi_prime = ACTIVATIONS[self.activation]
        grads = {}
        d = dy
        for k in reversed(range(len(self.layers))):
            if k < len(self.layers) - 1:
                d = d * phi_prime(self._activations[k])
            d, layer_grads = self.layers[k].backward(d)
            for name, g in layer_grads.items():
                grads[f"{2 * k}.{name}"] = g
        return d, {name: grads[name] for name in self.params()}
