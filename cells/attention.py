"""Attention: at every output step the decoder reads all the encoder's states, not just the last.

The encoder leaves one state per input step, the memory m_1 ... m_S (the (time steps x units)
matrix of outputs a recurrent layer returns). For every decoder state q_t, the query:

    score          e_{t,s} = q_t . m_s                                  "dot"       (Luong et al. 2015)
                   e_{t,s} = v . tanh(W_q q_t + W_m m_s)                "additive"  (Bahdanau et al. 2015)
    softmax        a_{t,s} = exp(e_{t,s}) / sum_s' exp(e_{t,s'})        over the encoder's steps s
    weighted sum   c_t = sum_s a_{t,s} m_s                              the context vector
    combine        h~_t = tanh(W_c [c_t; q_t] + b_c)                    attentional state (Luong et al. 2015,
                                                                        who leave out b_c)

The weights a_{t,1..S} are positive and sum to 1: where the decoder looks at step t.
Backward, given dL/dh~_t (u = W_c [c_t; q_t] + b_c):

    du = dh~ * (1 - h~^2)       [dc_t; dq_t] = W_c^T du       dW_c = sum du [c; q]^T,  db_c = sum du
    da_{t,s} = dc_t . m_s       dm_s += sum_t a_{t,s} dc_t
    de_{t,s} = a_{t,s} (da_{t,s} - sum_s' a_{t,s'} da_{t,s'})                       the softmax's Jacobian
    dot:       dq_t += sum_s de_{t,s} m_s                 dm_s += sum_t de_{t,s} q_t
    additive:  k_{t,s} = tanh(W_q q_t + W_m m_s),  dp_{t,s} = de_{t,s} v * (1 - k_{t,s}^2)
               dv = sum de_{t,s} k_{t,s}    dW_q = sum dp q^T    dW_m = sum dp m^T
               dq_t += W_q^T sum_s dp_{t,s}                 dm_s += W_m^T sum_t dp_{t,s}

Shapes are time-major like the layers: queries (T, B, h), memory (S, B, h), weights (T, B, S).
"""

import numpy as np

from ._validation import as_generator, check_array, check_choice, check_dtype, check_positive_int

SCORES = ("dot", "additive")


def softmax(scores, axis=-1):
    """exp(e) / sum exp(e) along `axis`, shifted by the maximum so that exp never overflows."""
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


class Attention:
    """Score, softmax, weighted sum, combine. forward(queries, memory) -> (h~, weights).

    Parameters (initialised like torch.nn.Linear, uniform in +-1/sqrt(fan_in)):
        combine_weight W_c (h, 2h), combine_bias b_c (h,)
        additive only: query_weight W_q (a, h), memory_weight W_m (a, h), score_vector v (a,)
    with a = attention_size (default h).
    """

    def __init__(self, hidden_size, score="dot", attention_size=None, rng=None, dtype=np.float64):
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.score = check_choice("score", score, SCORES)
        self.attention_size = check_positive_int("attention_size", attention_size or hidden_size)
        self.dtype = check_dtype(dtype)
        rng = as_generator(rng)
        h, a = self.hidden_size, self.attention_size

        def uniform(shape, fan_in):
            bound = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-bound, bound, shape).astype(self.dtype)

        if self.score == "additive":
            self.query_weight = uniform((a, h), h)
            self.memory_weight = uniform((a, h), h)
            self.score_vector = uniform((a,), a)
        self.combine_weight = uniform((h, 2 * h), 2 * h)
        self.combine_bias = uniform((h,), 2 * h)
        self._cache = None

    def __repr__(self):
        extra = f", attention_size={self.attention_size}" if self.score == "additive" else ""
        return f"Attention({self.hidden_size}, score={self.score!r}{extra})"

    def _parameter_shapes(self):
        h, a = self.hidden_size, self.attention_size
        shapes = {}
        if self.score == "additive":
            shapes.update(query_weight=(a, h), memory_weight=(a, h), score_vector=(a,))
        shapes.update(combine_weight=(h, 2 * h), combine_bias=(h,))
        return shapes

    def params(self):
        """The parameter arrays themselves, by name."""
        return {name: getattr(self, name) for name in self._parameter_shapes()}

    def scores(self, q, m):
        """e (B, T, S) for batch-major q (B, T, h) and m (B, S, h); also the additive k (or None)."""
        if self.score == "dot":
            return q @ m.transpose(0, 2, 1), None
        k = np.tanh((q @ self.query_weight.T)[:, :, None, :] + (m @ self.memory_weight.T)[:, None, :, :])
        return k @ self.score_vector, k

    def forward(self, queries, memory):
        """queries q (T, B, h), memory m (S, B, h) -> (h~ (T, B, h), attention weights a (T, B, S))."""
        self._check_parameters()
        h = self.hidden_size
        queries = check_array("queries", queries, (None, None, h), self.dtype, labels=("T", "B", "h"))
        T, B, _ = queries.shape
        memory = check_array("memory", memory, (None, B, h), self.dtype, labels=("S", "B", "h"))
        if T == 0 or memory.shape[0] == 0 or B == 0:
            raise ValueError(f"attention needs at least one query, one memory step and one sequence; "
                             f"got queries {queries.shape} and memory {memory.shape}")
        q, m = queries.transpose(1, 0, 2), memory.transpose(1, 0, 2)  # batch-major: (B, T, h), (B, S, h)
        e, k = self.scores(q, m)
        a = softmax(e, axis=-1)
        c = a @ m
        joined = np.concatenate([c, q], axis=-1)
        out = np.tanh(joined @ self.combine_weight.T + self.combine_bias)
        self._cache = (q, m, k, a, joined, out)
        return out.transpose(1, 0, 2), a.transpose(1, 0, 2)

    def backward(self, d_outputs):
        """dL/dh~ (T, B, h) -> (dL/dqueries (T, B, h), dL/dmemory (S, B, h), grads keyed like params())."""
        if self._cache is None:
            raise ValueError("backward needs the caches of a forward call; "
                             "call forward(queries, memory) first")
        q, m, k, a, joined, out = self._cache
        B, T, h = q.shape
        d_out = check_array("d_outputs", d_outputs, (T, B, h), self.dtype, labels=("T", "B", "h"))
        d_out = d_out.transpose(1, 0, 2)
        du = d_out * (1 - out ** 2)
        grads = {"combine_weight": du.reshape(-1, h).T @ joined.reshape(-1, 2 * h),
                 "combine_bias": du.sum(axis=(0, 1))}
        d_joined = du @ self.combine_weight
        dc, dq = d_joined[..., :h], d_joined[..., h:].copy()
        da = dc @ m.transpose(0, 2, 1)  # (B, T, S)
        dm = a.transpose(0, 2, 1) @ dc
        de = a * (da - (a * da).sum(axis=-1, keepdims=True))
        if self.score == "dot":
            dq += de @ m
            dm += de.transpose(0, 2, 1) @ q
        else:
            grads["score_vector"] = np.einsum("bts,btsa->a", de, k)
            dp = de[..., None] * self.score_vector * (1 - k ** 2)  # (B, T, S, a)
            dp_q, dp_m = dp.sum(axis=2), dp.sum(axis=1)  # (B, T, a), (B, S, a)
            grads["query_weight"] = dp_q.reshape(-1, self.attention_size).T @ q.reshape(-1, h)
            grads["memory_weight"] = dp_m.reshape(-1, self.attention_size).T @ m.reshape(-1, h)
            dq += dp_q @ self.query_weight
            dm += dp_m @ self.memory_weight
        grads = {name: grads[name] for name in self._parameter_shapes()}
        return dq.transpose(1, 0, 2), dm.transpose(1, 0, 2), grads

    def _check_parameters(self):
        """Callers may overwrite the weights; catch a wrong shape before the maths does."""
        for name, shape in self._parameter_shapes().items():
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.shape != shape:
                got = value.shape if isinstance(value, np.ndarray) else type(value).__name__
                raise ValueError(f"{name} must be an array of shape {shape}; got {got}")
