"""A GRU encoder-decoder (Sutskever et al. 2014; Cho et al. 2014), with or without attention.

Tokens are integers 0..V-1; the decoder also knows a start token, index V. With source
x_1 ... x_S and target y_1 ... y_T:

    encoder    m_s = GRU(E_x[x_s], m_{s-1}),  m_0 = 0                 memory m_1 ... m_S
    decoder    q_t = GRU(E_y[y_{t-1}], q_{t-1}),  q_0 = m_S,  y_0 = <start>
    readout    without attention:  logits_t = W_o q_t + b_o
               with attention:     logits_t = W_o h~_t + b_o,  h~_t = Attention(q_t; m_1 ... m_S)

Training feeds the true previous token y_{t-1} (teacher forcing), so the decoder runs over the
whole target at once and `forward((source, target))` returns the logits of every step. Without
attention, everything the decoder learns about the input passes through the one vector m_S.
At test time `generate` feeds back its own most likely token instead (greedy decoding).
"""

import numpy as np

from ._validation import as_generator, check_choice, check_positive_int
from .attention import SCORES, Attention
from .dense import Dense
from .embedding import Embedding, check_indices
from .layers import GRU


class Seq2Seq:
    """Embeddings, GRU encoder, GRU decoder, optional attention, Dense head over the vocabulary."""

    def __init__(self, vocab_size, hidden_size, embedding_dim=None, attention=None, rng=None,
                 dtype=np.float64):
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim or hidden_size)
        if attention is not None:
            check_choice("attention", attention, SCORES)
        rng = as_generator(rng)
        self.source_embedding = Embedding(self.vocab_size, self.embedding_dim, rng=rng, dtype=dtype)
        self.target_embedding = Embedding(self.vocab_size + 1, self.embedding_dim, rng=rng, dtype=dtype)
        self.encoder = GRU(self.embedding_dim, self.hidden_size, rng=rng, dtype=dtype)
        self.decoder = GRU(self.embedding_dim, self.hidden_size, rng=rng, dtype=dtype)
        self.attention = None
        if attention is not None:
            self.attention = Attention(self.hidden_size, attention, rng=rng, dtype=dtype)
        self.head = Dense(self.hidden_size, self.vocab_size, rng=rng, dtype=dtype)
        self.start_token = self.vocab_size
        self._memory_shape = None

    def __repr__(self):
        return (f"Seq2Seq(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"embedding_dim={self.embedding_dim}, attention={self.attention and self.attention.score!r})")

    def _parts(self):
        parts = {"source_embedding": self.source_embedding, "target_embedding": self.target_embedding,
                 "encoder": self.encoder, "decoder": self.decoder}
        if self.attention is not None:
            parts["attention"] = self.attention
        parts["head"] = self.head
        return parts

    def params(self):
        """'encoder.weight_ih_l0', ..., 'attention.combine_weight', 'head.bias': the arrays themselves."""
        return {f"{part}.{name}": value for part, module in self._parts().items()
                for name, value in module.params().items()}

    def _check_pair(self, x):
        if not isinstance(x, (tuple, list)) or len(x) != 2:
            raise ValueError("Seq2Seq.forward expects a pair (source, target) of token arrays "
                             "(S, B) and (T, B); "
                             f"got {type(x).__name__}")
        source = check_indices("source", x[0], self.vocab_size)
        target = check_indices("target", x[1], self.vocab_size)
        for name, array in (("source", source), ("target", target)):
            if array.ndim != 2 or 0 in array.shape:
                raise ValueError(f"{name} must be a non-empty array of tokens (time steps, batch); "
                                 f"got shape {array.shape}")
        if source.shape[1] != target.shape[1]:
            raise ValueError(f"source and target must hold the same number of sequences; "
                             f"got batches of {source.shape[1]} and {target.shape[1]}")
        return source, target

    def encode(self, source):
        """source (S, B) tokens -> memory (S, B, h): the encoder's state after every input step."""
        memory, _ = self.encoder.forward(self.source_embedding.forward(source))
        return memory

    def forward(self, x):
        """x = (source (S, B), target (T, B)) -> logits (T, B, V), teacher forcing."""
        source, target = self._check_pair(x)
        memory = self.encode(source)
        previous = np.concatenate([np.full((1, target.shape[1]), self.start_token), target[:-1]])
        queries, _ = self.decoder.forward(self.target_embedding.forward(previous), memory[-1:])
        self._memory_shape = memory.shape
        if self.attention is not None:
            queries, _ = self.attention.forward(queries, memory)
        return self.head.forward(queries)

    def backward(self, d_logits):
        """dL/dlogits (T, B, V) -> (None, grads keyed like params()); tokens have no gradient."""
        if self._memory_shape is None:
            raise ValueError("backward needs the caches of a forward call; "
                             "call forward((source, target)) first")
        d_queries, grads = self.head.backward(d_logits)
        grads = {"head." + k: v for k, v in grads.items()}
        d_memory = np.zeros(self._memory_shape, dtype=d_queries.dtype)
        if self.attention is not None:
            d_queries, d_memory, attention_grads = self.attention.backward(d_queries)
            grads.update({"attention." + k: v for k, v in attention_grads.items()})
        d_previous, decoder_grads = self.decoder.backward(d_queries)
        d_memory[-1] += self.decoder.d_initial_state[0]  # q_0 = m_S
        grads.update({"decoder." + k: v for k, v in decoder_grads.items()})
        grads["target_embedding.weight"] = self.target_embedding.backward(d_previous)["weight"]
        d_source, encoder_grads = self.encoder.backward(d_memory)
        grads.update({"encoder." + k: v for k, v in encoder_grads.items()})
        grads["source_embedding.weight"] = self.source_embedding.backward(d_source)["weight"]
        return None, {name: grads[name] for name in self.params()}

    def generate(self, source, length):
        """Greedy decoding: -> (tokens (length, B), attention weights (length, B, S) or None).

        Each step feeds back the decoder's own most likely token, as at test time: no target
        is seen. The weights say where the decoder looked at each output step.
        """
        source = check_indices("source", source, self.vocab_size)
        if source.ndim != 2 or 0 in source.shape:
            raise ValueError("source must be a non-empty array of tokens (time steps, batch); "
                             f"got shape {source.shape}")
        length = check_positive_int("length", length)
        memory = self.encode(source)
        cell = self.decoder.cells[0][0]
        state = memory[-1]
        token = np.full(source.shape[1], self.start_token)
        tokens, weights = [], []
        for _ in range(length):
            state, _ = cell.step(self.target_embedding.weight[token], state)
            features = state
            if self.attention is not None:
                combined, a = self.attention.forward(state[None], memory)
                features = combined[0]
                weights.append(a[0])
            token = np.argmax(self.head.forward(features), axis=-1)
            tokens.append(token)
        return np.stack(tokens), (np.stack(weights) if weights else None)


def sequence_accuracy(predicted, target):
    """-> (token accuracy, whole-sequence accuracy): the share of tokens right, and of sequences
    with every token right. predicted and target are (T, B) token arrays of the same shape."""
    predicted, target = np.asarray(predicted), np.asarray(target)
    if predicted.shape != target.shape or predicted.ndim != 2:
        raise ValueError(f"predicted and target must be (T, B) token arrays of one shape; "
                         f"got {predicted.shape} and {target.shape}")
    right = predicted == target
    return float(right.mean()), float(right.all(axis=0).mean())
