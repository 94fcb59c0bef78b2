"""The embedding: a token index picks one row of a weight matrix (torch.nn.Embedding's layout).

    x = E[i]                   E (num_embeddings, embedding_dim),  i an integer in 0..num_embeddings-1

It is a Dense layer applied to a one-hot vector, E^T onehot(i), without building the one-hot
vector. Backward, given dL/dx at every position: dL/dE[i] = the sum of dL/dx over the positions
that hold token i (rows no position picked get zero). Indices have no gradient.
"""

import numpy as np

from ._validation import as_generator, check_array, check_dtype, check_positive_int


class Embedding:
    """x = E[i] for integer indices of any shape; initialised like torch.nn.Embedding: N(0, 1)."""

    def __init__(self, num_embeddings, embedding_dim, rng=None, dtype=np.float64):
        self.num_embeddings = check_positive_int("num_embeddings", num_embeddings)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.dtype = check_dtype(dtype)
        shape = (self.num_embeddings, self.embedding_dim)
        self.weight = as_generator(rng).standard_normal(shape).astype(self.dtype)
        self._indices = None

    def __repr__(self):
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"

    def params(self):
        return {"weight": self.weight}

    def forward(self, indices):
        """indices (...) integers -> x (..., embedding_dim)."""
        shape = (self.num_embeddings, self.embedding_dim)
        if not isinstance(self.weight, np.ndarray) or self.weight.shape != shape:
            raise ValueError(f"weight must be an array of shape {shape}; "
                             f"got {getattr(self.weight, 'shape', type(self.weight).__name__)}")
        self._indices = check_indices("indices", indices, self.num_embeddings)
        return self.weight[self._indices]

    def backward(self, dx):
        """dL/dx (..., embedding_dim) -> {"weight": dL/dE} (indices have no gradient)."""
        if self._indices is None:
            raise ValueError("backward needs the indices of a forward call; call forward(indices) first")
        dx = check_array("dx", dx, self._indices.shape + (self.embedding_dim,), self.dtype)
        d_weight = np.zeros_like(self.weight)
        np.add.at(d_weight, self._indices.reshape(-1), dx.reshape(-1, self.embedding_dim))
        return {"weight": d_weight}


def check_indices(name, indices, count):
    """Integer token indices in 0..count-1, as an int64 array; a clear error otherwise."""
    array = np.asarray(indices)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name} must be integer token indices in 0..{count - 1}; "
                         f"got an array of dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= count):
        raise ValueError(f"{name} must lie in 0..{count - 1}; got values from {array.min()} to {array.max()}")
    return array.astype(np.int64, copy=False)
