"""A character-level language model, and the tools to look for units that track something nameable.

    x_t = onehot(c_t)  or  E[c_t]                     the character read at step t
    h_t = layer(x_t, h_{t-1})                         any recurrent layer: RNN, GRU, LSTM, ...
    s_t = W_hy h_t + b_y,  p(c_{t+1} | c_1..c_t) = softmax(s_t)
    L = -mean over t of log p(c_{t+1})                cross-entropy in nats; L / ln 2 is bits per character

Sampling draws c_{t+1} from softmax(s_t / tau): temperature tau < 1 sharpens the distribution
(safer, more repetitive text), tau > 1 flattens it. Finding a unit: Karpathy, Johnson and Fei-Fei (2015) found units
that track quotes, brackets and line length by looking at their activations over text; to make the search
quantitative, run the trained network over held-out text, keep every unit's value at every character, and
correlate each unit with a label of the characters (bracket depth, inside quotes, ...) by Pearson's

    r = cov(a, y) / (std(a) std(y))       over all characters, one r per unit.

The best unit is the one with the largest |r|; an untrained network's best unit is the control
(with many units, one correlates a little by chance).

The recurrent layer may be any object with the interface of cells.GRU: forward(x (T, B, d)) ->
(outputs (T, B, h), final state), backward(d_outputs) -> (dx, grads), params(). Sampling passes
the previous final state as forward(x, state) and falls back to re-running the whole prefix for a
layer whose forward takes no state. The states for inspection are h for every layer; for a
one-layer, one-direction cells.LSTM also c and the gates i, f, g, o, for a cells.GRU r, z, n (read
from the layer's caches); a layer with an `inspection_states()` method may add its own (a dict
name -> array (T, B, h) for the last forward).
"""

import numpy as np

from . import corpora, kernels
from ._validation import as_generator, check_positive_int
from .dense import Dense
from .embedding import Embedding, check_indices
from .layers import GRU, LSTM, RNN, RecurrentLayer
from .losses import cross_entropy
from .training import Adam, train

LAYERS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}


class CharLanguageModel:
    """Characters -> one-hot (or an Embedding) -> recurrent layer -> Dense -> next-character logits.

    alphabet:  a string of distinct characters; character k is class k.
    cell:      "rnn", "gru" or "lstm" with hidden_size, or a recurrent layer object whose input size
               is len(alphabet) (one-hot) or embedding_dim.
    The layer is drawn first from `rng`, then the embedding, then the head.
    """

    def __init__(self, alphabet, hidden_size=None, cell="lstm", embedding_dim=None, rng=None, dtype=np.float64):
        if not isinstance(alphabet, str) or not alphabet or len(set(alphabet)) != len(alphabet):
            raise ValueError(f"alphabet must be a non-empty string of distinct characters; got {alphabet!r}")
        self.alphabet = alphabet
        self.vocab_size = len(alphabet)
        self._codes = {c: k for k, c in enumerate(alphabet)}
        rng = as_generator(rng)
        input_size = self.vocab_size if embedding_dim is None else check_positive_int("embedding_dim",
                                                                                     embedding_dim)
        if isinstance(cell, str):
            if cell not in LAYERS:
                raise ValueError(f"cell must be one of {', '.join(map(repr, LAYERS))} or a layer; got {cell!r}")
            self.rnn = LAYERS[cell](input_size, check_positive_int("hidden_size", hidden_size), rng=rng, dtype=dtype)
        else:
            missing = [m for m in ("forward", "backward", "params") if not callable(getattr(cell, m, None))]
            if missing:
                raise ValueError(f"cell must be 'rnn', 'gru', 'lstm' or a layer with forward, backward and params; "
                                 f"{type(cell).__name__} has no {', '.join(missing)}")
            if getattr(cell, "input_size", input_size) != input_size:
                raise ValueError(f"the layer's input_size must be {input_size} (len(alphabet) for one-hot, else "
                                 f"embedding_dim); got {cell.input_size}")
            self.rnn = cell
        self.hidden_size = self.rnn.hidden_size
        self.dtype = np.dtype(getattr(self.rnn, "dtype", dtype))
        self.embedding = None if embedding_dim is None else Embedding(self.vocab_size, input_size, rng=rng,
                                                                      dtype=self.dtype)
        features = self.hidden_size * getattr(self.rnn, "num_directions", 1)
        self.head = Dense(features, self.vocab_size, rng=rng, dtype=self.dtype)
        self._one_hot = np.eye(self.vocab_size, dtype=self.dtype)
        self._unbatched = None
        self._outputs = self.final_state = None

    def __repr__(self):
        inputs = "one-hot" if self.embedding is None else repr(self.embedding)
        return f"CharLanguageModel({self.alphabet!r}, {inputs}, {self.rnn!r})"

    # Text <-> indices.

    def encode(self, text):
        """A string -> (T,) int64; a list of equal-length strings -> (T, B), one column per string."""
        if isinstance(text, str):
            strings, unbatched = [text], True
        elif isinstance(text, (list, tuple)) and text and all(isinstance(s, str) for s in text):
            strings, unbatched = list(text), False
        else:
            raise ValueError(f"text must be a string or a non-empty list of strings; got {type(text).__name__}")
        if len({len(s) for s in strings}) != 1 or not strings[0]:
            raise ValueError("the strings must be non-empty and of one length")
        unknown = sorted(set("".join(strings)) - set(self.alphabet))
        if unknown:
            raise ValueError(f"characters {''.join(unknown)!r} are not in the alphabet {self.alphabet!r}")
        codes = np.array([[self._codes[c] for c in s] for s in strings], dtype=np.int64).T
        return codes[:, 0] if unbatched else codes

    def decode(self, indices):
        """(T,) indices -> a string."""
        return "".join(self.alphabet[k] for k in check_indices("indices", indices, self.vocab_size).reshape(-1))

    # The model.

    def params(self):
        """'embedding.weight' (if any), 'rnn.<layer's names>', 'head.weight', 'head.bias': the arrays themselves."""
        named = {} if self.embedding is None else {"embedding.weight": self.embedding.weight}
        named.update({"rnn." + k: v for k, v in self.rnn.params().items()})
        named.update({"head." + k: v for k, v in self.head.params().items()})
        return named

    def _inputs(self, indices):
        indices = check_indices("indices", indices, self.vocab_size)
        if indices.ndim not in (1, 2) or indices.shape[0] == 0:
            raise ValueError(f"indices must have shape (T,) or (T, B) with T >= 1; got {indices.shape}")
        self._unbatched = indices.ndim == 1
        indices = indices[:, None] if self._unbatched else indices
        return self._one_hot[indices] if self.embedding is None else self.embedding.forward(indices)

    def _run(self, x, state):
        if state is None:
            return self.rnn.forward(x)
        return self.rnn.forward(x, state)

    def forward(self, indices, state=None):
        """indices (T, B) (or (T,)) -> logits (T, B, vocab_size) (or (T, vocab_size)).

        state: the layer's initial state (None: zeros); the final one is left in `self.final_state`."""
        outputs, self.final_state = self._run(self._inputs(indices), state)
        self._outputs = outputs
        logits = self.head.forward(outputs)
        return logits[:, 0] if self._unbatched else logits

    def backward(self, d_logits):
        """dL/dlogits -> (dL/dx for the layer's inputs, grads keyed like params())."""
        if self._unbatched is None:
            raise ValueError("backward needs the caches of a forward call; call forward(indices) first")
        d_logits = np.asarray(d_logits)
        d_outputs, head_grads = self.head.backward(d_logits[:, None] if self._unbatched else d_logits)
        dx, rnn_grads = self.rnn.backward(d_outputs)
        grads = {}
        if self.embedding is not None:
            grads["embedding.weight"] = self.embedding.backward(dx)["weight"]
        grads.update({"rnn." + k: v for k, v in rnn_grads.items()})
        grads.update({"head." + k: v for k, v in head_grads.items()})
        return (dx[:, 0] if self._unbatched else dx), grads

    def loss(self, indices):
        """Mean cross-entropy (nats) of predicting indices[1:] from indices[:-1]."""
        x, y = next_character_pairs(indices)
        return cross_entropy(self.forward(x), y)[0]

    def bits_per_character(self, indices):
        """Held-out bits per character: the cross-entropy of the next character in bits (log base 2)."""
        return self.loss(indices) / np.log(2)

    def snapshot(self):
        """A copy of every parameter (for checkpoints during training): name -> array."""
        return {name: value.copy() for name, value in self.params().items()}

    def load(self, snapshot):
        """Write a snapshot's arrays into the parameters, in place."""
        params = self.params()
        if set(snapshot) != set(params):
            raise ValueError(f"snapshot must have the names {sorted(params)}; got {sorted(snapshot)}")
        for name, value in snapshot.items():
            if np.shape(value) != params[name].shape:
                raise ValueError(f"snapshot[{name!r}] must have shape {params[name].shape}; got {np.shape(value)}")
            params[name][...] = value

    # Sampling.

    def sample(self, length, temperature=1.0, rng=None, prime="\n"):
        """Generate `length` characters after `prime`, each drawn from softmax(logits / temperature)."""
        length = check_positive_int("length", length)
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not temperature > 0:
            raise ValueError(f"temperature must be a positive number; got {temperature!r}")
        rng = as_generator(rng)
        history = list(self.encode(prime))
        logits = self.forward(np.array(history)[:, None])[-1, 0]
        state, stateful = self.final_state, True
        out = []
        for _ in range(length):
            scaled = logits / temperature
            p = np.exp(scaled - scaled.max())
            k = int(rng.choice(self.vocab_size, p=p / p.sum()))
            out.append(k)
            history.append(k)
            if stateful:
                try:
                    logits = self.forward(np.array([[k]]), state)[-1, 0]
                    state = self.final_state
                    continue
                except TypeError:  # a layer whose forward takes no state: run the whole prefix
                    stateful = False
            logits = self.forward(np.array(history)[:, None])[-1, 0]
        return self.decode(np.array(out))

    # Inspection.

    def states(self, indices):
        """Run the network over indices (T,) or (T, B) -> dict name -> values at every character,
        (T, h) or (T, B, h): "h" always; "c", "i", "f", "g", "o" for an LSTM, "r", "z", "n" for a GRU."""
        self.forward(indices)
        found = {}
        caches = getattr(self.rnn, "_caches", None)
        if isinstance(self.rnn, RecurrentLayer) and self.rnn.num_layers == 1 and self.rnn.num_directions == 1:
            cache = caches[0][0]
            h = self.hidden_size
            columns = {}
            if isinstance(cache, kernels.LSTMCache):
                T = cache.x.shape[0]
                columns = {name: cache.s[:T, k * h:(k + 1) * h] for k, name in enumerate("ifgo", start=1)}
                columns["c"] = cache.s[1:T + 1, :h]
            elif isinstance(cache, (kernels.GRUCache, kernels.GRUResetBeforeCache)):
                columns = {"r": cache.pre[:, :h], "z": cache.pre[:, h:2 * h], "n": cache.n}
            found = {name: value.transpose(0, 2, 1).copy() for name, value in columns.items()}
        elif callable(getattr(self.rnn, "inspection_states", None)):
            found = dict(self.rnn.inspection_states())
        found = {"h": np.asarray(self._outputs).copy(), **found}
        return {name: value[:, 0] for name, value in found.items()} if self._unbatched else found


def next_character_pairs(indices):
    """indices (T + 1, ...) -> (x, y) = (indices[:-1], indices[1:]): read a character, predict the next."""
    indices = np.asarray(indices)
    if indices.ndim not in (1, 2) or indices.shape[0] < 2:
        raise ValueError(f"indices must have shape (T + 1,) or (T + 1, B) with T >= 1; got {indices.shape}")
    return indices[:-1], indices[1:]


def window_batches(indices, batch_size, length, rng=None):
    """A data function for cells.train: each call returns (x, y) of shape (length, batch_size),
    windows of a long text (T,) starting at random places, y one character ahead of x."""
    indices = np.asarray(indices)
    batch_size = check_positive_int("batch_size", batch_size)
    length = check_positive_int("length", length)
    if indices.ndim != 1 or indices.shape[0] < length + 1:
        raise ValueError(f"indices must be a 1-D text of at least length + 1 = {length + 1} characters; "
                         f"got shape {indices.shape}")
    rng = as_generator(rng)
    offsets = np.arange(length + 1)[:, None]

    def batch():
        starts = rng.integers(0, indices.shape[0] - length, batch_size)
        return next_character_pairs(indices[starts[None, :] + offsets])

    return batch


def correlations(values, labels):
    """Pearson's r of every unit with a label: values (..., h), labels (...) -> (h,). A unit (or a label)
    that never changes has no correlation: its r is 0."""
    values = np.asarray(values, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    if values.ndim < 1 or values.shape[:-1] != labels.shape or labels.size < 2:
        raise ValueError(f"values must be (..., h) and labels (...) with the same leading shape and at least two "
                         f"entries; got {values.shape} and {labels.shape}")
    a = values.reshape(-1, values.shape[-1])
    a = a - a.mean(axis=0)
    y = labels.reshape(-1) - labels.mean()
    scale = np.sqrt((a * a).sum(axis=0) * (y @ y))
    r = np.zeros(a.shape[1])
    np.divide(y @ a, scale, out=r, where=scale > 1e-12 * max(scale.max(), 1e-300))
    return r


def best_unit(values, labels):
    """-> (unit, r): the unit whose |Pearson r| with the label is largest, and its r (signed)."""
    r = correlations(values, labels)
    unit = int(np.argmax(np.abs(r)))
    return unit, float(r[unit])


# The chapter's runs: train on a generated corpus, keep checkpoints, find the unit.

CORPORA = {
    # name -> (generator (num_sequences, length, rng) -> (texts, labels), alphabet, label name)
    "dyck": (corpora.dyck, "()\nab", "depth"),
    "quotes": (corpora.quotes, ' "abcde', "inside quotes"),
}


def corpus_run(corpus, cell="lstm", hidden_size=16, seed=0, steps=600, batch_size=32, length=64, lr=1e-2,
               max_norm=1.0, held_out=(20, 1000), checkpoints=0, dtype=np.float32, progress=False,
               description=None):
    """Train a CharLanguageModel on fresh text of a generated corpus (CORPORA) -> a dict with the
    model, its History, bits per character and the best unit on held-out text, before and after.

    Every batch is `batch_size` new sequences of length + 1 characters, each starting at the start of
    a line (so the label, depth or inside quotes, is known from the first character). Draws: the model
    from `seed`, the batches from seed + 1000, the held-out text (held_out = (sequences, length)) from
    seed + 999; pass seeds from cells.experiments.seed. `cell` is "rnn", "gru", "lstm", or a function
    (input_size, hidden_size, rng) -> layer (any layer with the cells.GRU interface).
    checkpoints: keep this many snapshots of the parameters, evenly spaced (the last is the trained model),
    plus the untrained one first; the History then holds held-out bits per character at each.
    """
    if corpus not in CORPORA:
        raise ValueError(f"corpus must be one of {', '.join(map(repr, CORPORA))}; got {corpus!r}")
    generate, alphabet, label_name = CORPORA[corpus]
    steps = check_positive_int("steps", steps)
    rng = np.random.default_rng(seed)
    if callable(cell):
        model = CharLanguageModel(alphabet, cell=cell(len(alphabet), hidden_size, rng), rng=rng)
    else:
        model = CharLanguageModel(alphabet, hidden_size, cell=cell, rng=rng, dtype=dtype)
    batches = np.random.default_rng(seed + 1000)
    texts, labels = generate(*held_out, rng=seed + 999)
    held_out_indices, held_out_labels = model.encode(texts), labels.T

    def data():
        return next_character_pairs(model.encode(generate(batch_size, length + 1, rng=batches)[0]))

    def measure():
        return best_unit(model.states(held_out_indices)["h"], held_out_labels), model.bits_per_character(
            held_out_indices)

    (untrained_unit, untrained_r), untrained_bits = measure()
    kept = [model.snapshot()] if checkpoints else []
    every = max(steps // checkpoints, 1) if checkpoints else steps

    def keep(model):
        kept.append(model.snapshot())
        return model.bits_per_character(held_out_indices)

    history = train(model, data, loss="cross_entropy", optimizer=Adam(lr), steps=steps, max_norm=max_norm,
                    evaluate=keep if checkpoints else None, eval_every=every, progress=progress,
                    description=description or f"{cell if isinstance(cell, str) else 'layer'} on {corpus}")
    (unit, r), bits = measure()
    return {"model": model, "history": history, "corpus": corpus, "label": label_name, "seed": seed,
            "characters": steps * batch_size * length, "bits_per_character": bits, "unit": unit, "r": r,
            "untrained_bits_per_character": untrained_bits, "untrained_unit": untrained_unit,
            "untrained_r": untrained_r, "checkpoints": kept, "held_out": (held_out_indices, held_out_labels)}
