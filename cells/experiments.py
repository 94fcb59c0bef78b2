"""Training runs for the chapters' experiments: the adding problem, layer against layer.

One run trains a recurrent layer with a linear head (`SequenceModel`) on fresh batches of the
adding problem and scores it on held-out sequences:

    model:    y_hat = W h_T + b,   h_T the last hidden state of one layer of `kind`
    training: Adam, the global gradient norm clipped at `max_norm`, MSE on fresh batches
    score:    held-out MSE every `eval_every` steps; optionally stop once it is below `target`

Every run with the same `seed` sees the same batches, whatever the layer, so runs compare like
with like. A study repeats runs over layers, sequence lengths and seeds under one budget and
reports the *steps to target*: the first evaluation at which the held-out MSE fell below the
target, or None if it did not within the budget. Steps to target measures how fast a layer
learns; a None says only that the budget was too short, never that the layer cannot learn.

One experiment seed for the whole book: every random draw of an experiment derives from the
environment variable UNROLLED_EXPERIMENT_SEED (default 0), through `seed(n)` and `rng(n)`. A chapter
that used seed n draws from seed(n) = n + 100,000 * UNROLLED_EXPERIMENT_SEED, so the default keeps
the book's own numbers and any other value gives every experiment of the book fresh draws at once
(`make book EXPERIMENT_SEED=7`). The runs below derive their seeds the same way. It is not
UNROLLED_SEED, the course's exercise seed: neither moves the other.

A result is read the way a careful experimenter reads it: over seeds, as a median and a range
(`median_and_range`), and from a run's last few evaluations, not its last one (`last_evaluations`).
"""

import os

import numpy as np

from ._validation import check_positive_int
from .gru import GRUCell
from .layers import GRU, LSTM, RNN
from .lstm import LSTMCell
from .minimal import MinGRU, MinLSTM
from .models import SequenceModel
from .tasks import adding_problem
from .training import Adam, train
from .ungated import UngatedMemory

SEED_VARIABLE = "UNROLLED_EXPERIMENT_SEED"
SEED_STRIDE = 100_000  # far more than the seeds a chapter numbers its draws with


def base_seed():
    """The book's experiment seed: the whole number in UNROLLED_EXPERIMENT_SEED, or 0 if it is unset or empty."""
    text = os.environ.get(SEED_VARIABLE, "").strip()
    if not text:
        return 0
    if not text.isdigit():
        raise ValueError(f"{SEED_VARIABLE} must be a whole number of 0 or more (or unset); got {text!r}")
    return int(text)


def seed(n=0):
    """The seed of an experiment's draw number n: n itself under the default experiment seed 0,
    n + 100,000 * UNROLLED_EXPERIMENT_SEED otherwise."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 0 <= n < SEED_STRIDE:
        raise ValueError(f"n must be a whole number from 0 to {SEED_STRIDE - 1}; got {n!r}")
    return int(n) + SEED_STRIDE * base_seed()


def rng(n=0):
    """A numpy Generator for an experiment's draw number n, seeded with seed(n)."""
    return np.random.default_rng(seed(n))


def median_and_range(values):
    """(median, smallest, largest) of a result over seeds: what the book's prose and tables quote."""
    values = np.asarray(list(values), dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"median_and_range needs one or more finite numbers; got {values!r}")
    return float(np.median(values)), float(values.min()), float(values.max())


def last_evaluations(history, last=5):
    """The mean of a run's last `last` held-out evaluations (all of them if it made fewer).

    One evaluation is noise: a curve's final point can spike. Read a run's result from several.
    """
    last = check_positive_int("last", last)
    if not history.eval_losses:
        raise ValueError("last_evaluations needs a History with at least one evaluation; this one has none")
    return float(np.mean(history.eval_losses[-last:]))


# name -> (layer class, value added to the forget gate's bias; None for layers without one)
LAYER_KINDS = {
    "GRU": (GRU, None),
    "LSTM": (LSTM, 0.0),
    "LSTM, forget bias +1": (LSTM, 1.0),
    "plain RNN": (RNN, None),
    "ungated memory": (UngatedMemory, None),
    "minGRU": (MinGRU, None),
    "minLSTM": (MinLSTM, None),
}


def _add_to_second_bias_block(model, amount, layer_class, cell_class, caller, expected):
    """Add `amount` to rows h..2h of `bias_ih` (the second gate block) of a cell, or of every cell of a layer.

    Only bias_ih changes, so that gate's pre-activation moves by exactly `amount` (adding it to bias_hh as
    well would move it twice).
    """
    if isinstance(model, layer_class):
        for row in model.cells:
            for cell in row:
                _add_to_second_bias_block(cell, amount, layer_class, cell_class, caller, expected)
        return model
    if not isinstance(model, cell_class):
        raise ValueError(f"{caller} needs {expected}; got {type(model).__name__}")
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or not np.isfinite(amount):
        raise ValueError(f"amount must be a finite number; got {amount!r}")
    if model.bias_ih is None:
        raise ValueError(f"{caller} needs a cell with biases; this one was built with bias=False")
    h = model.hidden_size
    model.bias_ih[h:2 * h] += amount
    return model


def add_forget_bias(lstm, amount):
    """Add `amount` to the forget-gate slice (rows h..2h of the i, f, g, o blocks) of `bias_ih`, in place.

    Works on an `LSTMCell` and on every cell of an `LSTM` layer. Only bias_ih changes: the
    pre-activation of f_t moves by exactly `amount` (adding it to bias_hh as well would move it twice).
    """
    return _add_to_second_bias_block(lstm, amount, LSTM, LSTMCell, "add_forget_bias",
                                     "an LSTMCell or an LSTM layer")


def make_layer(kind, hidden_size, rng=None, dtype=np.float32, input_size=2):
    """One recurrent layer of `kind` (a key of LAYER_KINDS), drawn from `rng`."""
    if kind not in LAYER_KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, LAYER_KINDS))}; got {kind!r}")
    layer_class, forget_bias = LAYER_KINDS[kind]
    layer = layer_class(input_size, hidden_size, rng=rng, dtype=dtype)
    if forget_bias:
        add_forget_bias(layer, forget_bias)
    return layer


def adding_run(kind, T, steps, hidden_size=32, batch_size=32, lr=1e-3, max_norm=1.0, seed=0,
               held_out=None, eval_every=100, target=None, dtype=np.float32, progress=True,
               description=None, on_step=None):
    """Train one layer of `kind` with a linear head on the adding problem of length T -> History.

    The parameters are drawn from seed(seed) and the batches from seed(1000 + seed), so runs with
    the same seed see the same data (seed(n): see the module's docstring). held_out: an (x, y) pair
    scored every `eval_every` steps (default: 512 sequences drawn from seed(999)). Training stops
    early once the held-out MSE is below `target`. on_step, if given, is called once per training
    step (for a shared progress bar).
    """
    T = check_positive_int("T", T)
    batch_size = check_positive_int("batch_size", batch_size)
    model_rng = rng(seed)
    layer = make_layer(kind, hidden_size, rng=model_rng, dtype=dtype)
    model = SequenceModel(layer, out_features=1, rng=model_rng)
    data_rng = rng(1000 + seed)
    if held_out is None:
        held_out = adding_problem(512, T, rng=rng(999))

    def batches():
        if on_step is not None:
            on_step()
        return adding_problem(batch_size, T, rng=data_rng)

    return train(model, batches, loss="mse", optimizer=Adam(lr=lr), steps=steps, max_norm=max_norm,
                 evaluate=held_out, eval_every=eval_every, target=target, progress=progress,
                 description=description or f"{kind}, T = {T}, seed {seed}")


def steps_to_target(history, target):
    """The first evaluation step at which the held-out loss was below `target`, or None if none was."""
    for step, loss in zip(history.eval_steps, history.eval_losses):
        if loss < target:
            return step
    return None


def adding_study(kinds, lengths, steps, target, seeds=(0,), held_out_size=512, eval_every=100,
                 progress=True, **run_options):
    """Train every kind at every length T and seed, each for at most `steps` steps, stopping at `target`.

    -> dict (kind, T, seed) -> History. One progress bar counts the budget of all runs together;
    a run that reaches the target early hands back the steps it did not need. The held-out set of
    length T (held_out_size sequences, seed(999)) is the same for every kind and seed.
    run_options go to adding_run (hidden_size, batch_size, lr, max_norm, dtype).
    """
    kinds, lengths, seeds = list(kinds), list(lengths), list(seeds)
    for name, values in (("kinds", kinds), ("lengths", lengths), ("seeds", seeds)):
        if not values:
            raise ValueError(f"{name} must name at least one value; got an empty list")
    unknown = [k for k in kinds if k not in LAYER_KINDS]
    if unknown:
        known = ", ".join(map(repr, LAYER_KINDS))
        raise ValueError(f"kinds must be keys of LAYER_KINDS ({known}); got {unknown}")
    steps = check_positive_int("steps", steps)
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not target > 0:
        raise ValueError(f"target must be a positive number (a held-out MSE); got {target!r}")
    from tqdm.auto import tqdm  # imported here: `import cells` needs numpy only

    runs = {}
    total = steps * len(kinds) * len(lengths) * len(seeds)
    with tqdm(total=total, desc="adding problem", unit="step", disable=not progress) as bar:
        for T in lengths:
            held_out = adding_problem(held_out_size, T, rng=rng(999))
            for seed in seeds:
                for kind in kinds:
                    bar.set_postfix_str(f"{kind}, T = {T}, seed {seed}", refresh=False)
                    history = adding_run(kind, T, steps, seed=seed, held_out=held_out, eval_every=eval_every,
                                         target=target, progress=False, on_step=lambda: bar.update(1),
                                         **run_options)
                    bar.update(steps - len(history))  # the budget a run did not need
                    runs[kind, T, seed] = history
    return runs


def steps_table(runs, target):
    """dict (kind, T, seed) -> History  ->  dict (kind, T, seed) -> steps to target (None: not reached)."""
    return {key: steps_to_target(history, target) for key, history in runs.items()}


def marker_blind_mse(T):
    """The least expected MSE on the adding problem of a predictor that cannot tell where the markers are.

    The marked values are one uniform pick among the n1 = T // 2 values of the first half and one
    among the n2 = T - n1 of the second. Knowing every value but not the markers, the best guess is
    the mean of each half. A uniform pick among n values of U(0, 1) differs from their mean by a
    squared error of (1 - 1/n) / 12 on average (a variance: the typical distance is its square root),
    and the two halves' errors are independent, so their variances add:

        MSE = (1 - 1/n1) / 12 + (1 - 1/n2) / 12          = (1/6) (1 - 2/T) for even T.
    """
    T = check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2 (one marker in each half); got T={T}")
    n1, n2 = T // 2, T - T // 2
    return ((1 - 1 / n1) + (1 - 1 / n2)) / 12


def second_marker_only_mse(T):
    """The least expected MSE of a predictor that knows the second marked value but not the first.

    It adds the second value to its best guess of the first, the mean of the first half's values:
    MSE = (1 - 1/n1) / 12 with n1 = T // 2. Predicting 0.5 for the first instead scores 1/12.
    """
    T = check_positive_int("T", T)
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2 (one marker in each half); got T={T}")
    return (1 - 1 / (T // 2)) / 12



# The attention chapter's experiment: reversing digits with a GRU encoder-decoder, with and without attention.

REVERSAL_SETTINGS = dict(length=20, hidden_size=64, embedding_dim=16, batch_size=32, steps=1500, lr=5e-3,
                         eval_every=100, curve_count=200, held_out_count=1000)


def reversal_held_out(length=20, curve_count=200, held_out_count=1000):
    """The reversal experiment's two held-out sets -> (curve, held_out), each a (source, target) pair.

    curve (seed(456)) is decoded at every evaluation of a run; held_out (seed(123)) is kept apart for
    reading a trained model's attention weights. Both are the same for every run of one build.
    """
    from .tasks import digit_reversal

    return (digit_reversal(curve_count, length, rng=seed(456)),
            digit_reversal(held_out_count, length, rng=seed(123)))


def reversal_run(attention, run=0, curve=None, length=20, hidden_size=64, embedding_dim=16, batch_size=32,
                 steps=1500, lr=5e-3, eval_every=100, progress=True, description=None, model_class=None):
    """Train one `Seq2Seq` (attention None, "dot" or "additive") to reverse `length` digits -> (model, History, record).

    Run number `run` draws the parameters from seed(1 + 100 * run) and the batches from
    seed(2 + 100 * run): the two models of one run see the same batches, and run 0 is the chapter's
    own. Adam, the gradient norm clipped at 1, float32, teacher forcing. Every `eval_every` steps
    the model decodes the `curve` (source, target) greedily (default: `reversal_held_out`'s curve);
    History.eval_losses holds the token error 1 - token accuracy; record["by_step"], one row per
    evaluation, the accuracy at each output step (its mean over the steps is the token accuracy), and
    record["sequences"] the share of curve sequences written entirely right. `reversal_result` reads them.
    `model_class`, a subclass of `Seq2Seq` with its constructor, trains a control model instead
    (benchmarks/attention_study.py) on the same initialisation and batches.
    """
    from .seq2seq import Seq2Seq
    from .tasks import digit_reversal
    from .training import train

    if isinstance(run, (bool, np.bool_)) or not isinstance(run, (int, np.integer)) or run < 0:
        raise ValueError(f"run must be a whole number of 0 or more; got {run!r}")
    length = check_positive_int("length", length)
    if curve is None:
        curve, _ = reversal_held_out(length)
    curve_source, curve_target = curve
    if model_class is not None and not (isinstance(model_class, type) and issubclass(model_class, Seq2Seq)):
        raise ValueError(f"model_class must be a subclass of Seq2Seq; got {model_class!r}")
    model = (model_class or Seq2Seq)(10, hidden_size, embedding_dim=embedding_dim, attention=attention,
                                     rng=seed(1 + 100 * run), dtype=np.float32)
    data_rng = rng(2 + 100 * run)
    by_step, sequences = [], []

    def batch():
        source, target = digit_reversal(batch_size, length, rng=data_rng)
        return (source, target), target

    def token_error(model):
        written, _ = model.generate(curve_source, length)
        by_step.append((written == curve_target).mean(axis=1))
        sequences.append(float(np.all(written == curve_target, axis=0).mean()))
        return 1.0 - float(by_step[-1].mean())

    description = description or f"{'with ' + attention if attention else 'without'} attention, run {run}"
    history = train(model, batch, loss="cross_entropy", optimizer=Adam(lr), steps=steps, max_norm=1.0,
                    evaluate=token_error, eval_every=eval_every, progress=progress, description=description)
    return model, history, {"by_step": np.array(by_step), "sequences": np.array(sequences)}


def reversal_result(history, record, last=5):
    """A reversal run's result, each the mean of its last `last` evaluations -> dict:
    "tokens" (token accuracy), "sequences" (share written entirely right), "by_step" (per output step)."""
    last = check_positive_int("last", last)
    if len(record["by_step"]) != len(history.eval_losses) or not history.eval_losses:
        raise ValueError("reversal_result needs the History and the record of one reversal_run with evaluations")
    return {"tokens": 1.0 - last_evaluations(history, last),
            "sequences": float(np.mean(record["sequences"][-last:])),
            "by_step": np.mean(record["by_step"][-last:], axis=0)}


def attention_offsets(weights):
    """(T, B, S) attention weights of a reversal model -> (T, B) offsets of the most-weighted input position.

    Output step t (counted from 1) writes the digit at input position S + 1 - t; the offset is the
    most-weighted position minus that one: 0 on the anti-diagonal, +2 two positions later.
    """
    weights = np.asarray(weights)
    if weights.ndim != 3 or 0 in weights.shape:
        raise ValueError(f"weights must be a non-empty (T, B, S) array; got shape {weights.shape}")
    T, _, S = weights.shape
    peak = weights.argmax(axis=-1) + 1
    return peak - (S + 1 - np.arange(1, T + 1))[:, None]


def offset_steps(offset, S):
    """The output steps (a slice of 0-based indices) at which position S + 1 - t + offset exists (1 to S)."""
    return slice(max(offset, 0), min(S, S + offset))


def offset_share(offsets, offset):
    """The share of the output steps at which position S + 1 - t + offset exists (T = S) whose peak is there."""
    offsets = np.asarray(offsets)
    return float(np.mean(offsets[offset_steps(offset, offsets.shape[0])] == offset))


def linear_probe(train_features, train_labels, test_features, classes):
    """A linear probe: least squares from features (N, h) plus a constant onto one-hot labels -> test labels.

    What a linear read-out can decode from a trained model's states: fit on (train_features,
    train_labels), labels 0 .. classes - 1; predict the most likely class of each row of test_features.
    """
    train_features, test_features = np.asarray(train_features, float), np.asarray(test_features, float)
    train_labels = np.asarray(train_labels)
    if train_features.ndim != 2 or test_features.ndim != 2 or train_features.shape[1] != test_features.shape[1] \
            or train_labels.shape != train_features.shape[:1]:
        raise ValueError(f"features must be (N, h) arrays with one label per training row; got "
                         f"{train_features.shape}, {test_features.shape} and labels {train_labels.shape}")
    def with_constant(x):
        return np.hstack([x, np.ones((len(x), 1))])

    targets = np.eye(check_positive_int("classes", classes))[train_labels]
    weights = np.linalg.lstsq(with_constant(train_features), targets, rcond=None)[0]
    return np.argmax(with_constant(test_features) @ weights, axis=1)


def memory_probe(memory, source, lag=None):
    """What memory row m_s holds, by a linear probe -> (predicted, true) labels of the held-out half.

    memory (S, B, h), the encoder's states; source (S, B) digits. With `lag` L (0, 1, ...): the
    digit x_{s-L} from m_s, for s = L + 1 .. S. With lag None: the position s - 1 (0 to S - 1). The
    probe is fitted on the first half of the sequences and read on the second.
    """
    memory, source = np.asarray(memory), np.asarray(source)
    if memory.ndim != 3 or source.shape != memory.shape[:2] or memory.shape[1] < 2:
        raise ValueError(f"memory must be (S, B, h) with B >= 2 and source (S, B); got {memory.shape} "
                         f"and {source.shape}")
    S, B, h = memory.shape
    if lag is None:
        features, labels, classes = memory, np.broadcast_to(np.arange(S)[:, None], (S, B)), S
    else:
        if isinstance(lag, (bool, np.bool_)) or not isinstance(lag, (int, np.integer)) or not 0 <= lag < S:
            raise ValueError(f"lag must be a whole number from 0 to S - 1 = {S - 1}, or None; got {lag!r}")
        features, labels, classes = memory[lag:], source[:S - lag], 10
    half = B // 2
    predicted = linear_probe(features[:, :half].reshape(-1, h), labels[:, :half].reshape(-1),
                             features[:, half:].reshape(-1, h), classes)
    return predicted, labels[:, half:].reshape(-1)


def window_matches(source, offset, place=None):
    """For reversal with offset k >= 1 -> (T, S, B) bool: does the window ending at row r' repeat step t's?

    Output step t has just read the digits at positions S + 2 - t, ..., S + 1 - t + k (its last k
    inputs); they are the last k digits read into memory row r = S + 1 - t + k. matches[t, r' - 1, b]
    is True where the k digits ending at position r' equal those ending at r (r' = r included); False
    where r or the window ending at r' falls outside the sequence. With `place` j (0 to k - 1), one
    digit only: the j-th of the window, y_{t-1-j} (j = 0 the digit just read), against the digit at
    the same place of the window ending at r'.
    """
    source = np.asarray(source)
    offset = check_positive_int("offset", offset)
    if place is not None and (isinstance(place, (bool, np.bool_)) or not isinstance(place, (int, np.integer))
                              or not 0 <= place < offset):
        raise ValueError(f"place must be a whole number from 0 to offset - 1 = {offset - 1}; got {place!r}")
    S, B = source.shape
    matches = np.zeros((S, S, B), dtype=bool)
    for t in range(1, S + 1):
        r = S + 1 - t + offset
        if r > S:
            continue
        places = slice(None) if place is None else slice(place, place + 1)
        window = source[r - offset:r][places]  # positions r - k + 1 .. r, counted from 1
        for other in range(offset, S + 1):
            matches[t - 1, other - 1] = np.all(source[other - offset:other][places] == window, axis=0)
    return matches


def window_test(source, offsets, offset):
    """Does the decoder find its row by the digits it has just read? -> dict of shares over output steps.

    Hypothesis: at output step t the dot score picks the memory row whose last `offset` digits are the
    ones the decoder has just read (`window_matches`). If so, it is misled where that window of digits
    also ends at another row of the same sequence. Over the steps at which the row exists:
    "unique" and "repeated", the share of steps whose peak sits at `offset` when the window occurs
    once and when it occurs again elsewhere; "misses_on_match", the share of the repeated cases with
    the peak elsewhere that sit on a row where the window repeats; "chance", the share of the other
    rows those windows repeat at (where a miss that ignored the digits would land as often); and the
    numbers of steps of each kind.

    The single-digit arm tells a pair (or window) of digits from one digit: a decoder that matched
    one digit alone would be misled where that digit repeats even though the window does not. Over
    the steps whose window occurs once, for each place j of the window (j = 0 the digit just read,
    `window_matches(..., place=j)`), lists indexed by j: "digit_unique" and "digit_repeated", the
    share of steps on `offset` where that digit occurs at its place of no other row and of another
    row; "digit_misses_on_match", the share of the misses among the latter that sit on a row where
    the digit repeats, and "digit_chance", the share of the other rows it repeats at, over those misses.
    """
    source, offsets = np.asarray(source), np.asarray(offsets)
    S, B = source.shape
    if offsets.shape != (S, B):
        raise ValueError(f"offsets must be (T, B) = {(S, B)} for a source of shape {source.shape}; "
                         f"got {offsets.shape}")
    steps = offset_steps(offset, S)
    matches = window_matches(source, offset)[steps]           # (steps, S, B)
    t = np.arange(1, S + 1)[steps][:, None]
    on = offsets[steps] == offset
    repeated = matches.sum(axis=1) > 1
    peak_row = np.clip(S + 1 - t + offsets[steps], 1, S)
    on_match = np.take_along_axis(matches, (peak_row - 1)[:, None, :], axis=1)[:, 0]
    missed = repeated & ~on
    result = {"unique": float(on[~repeated].mean()), "repeated": float(on[repeated].mean()),
              "misses_on_match": float(on_match[missed].mean()) if missed.any() else float("nan"),
              "chance": float(((matches.sum(axis=1) - 1) / (S - 1))[repeated].mean()),
              "unique_count": int((~repeated).sum()), "repeated_count": int(repeated.sum()),
              "missed_count": int(missed.sum())}

    def share(selected, values):
        return float(values[selected].mean()) if selected.any() else float("nan")

    arms = {key: [] for key in ("digit_unique", "digit_repeated", "digit_misses_on_match", "digit_chance",
                                "digit_unique_count", "digit_repeated_count", "digit_missed_count")}
    for place in range(offset):
        digit = window_matches(source, offset, place)[steps]
        digit_repeated = ~repeated & (digit.sum(axis=1) > 1)
        digit_once = ~repeated & ~digit_repeated
        digit_missed = digit_repeated & ~on
        on_digit = np.take_along_axis(digit, (peak_row - 1)[:, None, :], axis=1)[:, 0]
        arms["digit_unique"].append(share(digit_once, on))
        arms["digit_repeated"].append(share(digit_repeated, on))
        arms["digit_misses_on_match"].append(share(digit_missed, on_digit))
        arms["digit_chance"].append(share(digit_missed, (digit.sum(axis=1) - 1) / (S - 1)))
        arms["digit_unique_count"].append(int(digit_once.sum()))
        arms["digit_repeated_count"].append(int(digit_repeated.sum()))
        arms["digit_missed_count"].append(int(digit_missed.sum()))
    return {**result, **arms}


def add_update_bias(gru, amount):
    """Add `amount` to the update-gate slice (rows h..2h of the r, z, n blocks) of `bias_ih`, in place.

    The GRU's counterpart of `add_forget_bias`: in PyTorch's convention, h_t = (1 - z_t) n_t + z_t h_{t-1},
    a positive amount biases every unit toward keeping its state (z_t = sigma(a + amount)). Works on a
    `GRUCell` and on every cell of a `GRU` layer; only bias_ih changes, so the pre-activation of z_t moves
    by exactly `amount`.
    """
    return _add_to_second_bias_block(gru, amount, GRU, GRUCell, "add_update_bias",
                                     "a GRUCell or a GRU layer")


def gradient_during_training(kind, T, steps, distance, every=50, seed=0, probe_size=16, hidden_size=32,
                             batch_size=32, lr=1e-3, max_norm=1.0, dtype=np.float32):
    """How much of the gradient reaches `distance` steps back, at initialisation and during training.

    Trains exactly as adding_run does (the same parameters and batches for the same seed, Adam, the
    global gradient norm clipped) for `steps` steps, and at step 0 and every `every` steps measures,
    on one fixed probe batch of `probe_size` adding-problem sequences (seed(2000 + seed)), the
    fraction ||dL/dh_{T-distance}|| / ||dL/dh_T|| of the layer's cell, L = sum of h_T
    (`gradient_norms`). -> (measured steps, fractions), two lists of the same length.
    """
    from .unroll import gradient_norms

    T, steps, every = (check_positive_int(name, value) for name, value in (("T", T), ("steps", steps),
                                                                          ("every", every)))
    distance = check_positive_int("distance", distance)
    if distance >= T:
        raise ValueError(f"distance must be less than T = {T}; got {distance}")
    model_rng = rng(seed)
    layer = make_layer(kind, hidden_size, rng=model_rng, dtype=dtype)
    model = SequenceModel(layer, out_features=1, rng=model_rng)
    data_rng = rng(1000 + seed)
    probe, _ = adding_problem(check_positive_int("probe_size", probe_size), T, rng=rng(2000 + seed))
    cell = layer.cells[0][0]

    def fraction(_model=None):
        norms = gradient_norms(cell, probe.astype(cell.dtype))
        return norms[-1 - distance] / norms[-1]

    measured_steps, fractions = [0], [fraction()]
    history = train(model, lambda: adding_problem(batch_size, T, rng=data_rng), loss="mse",
                    optimizer=Adam(lr=lr), steps=steps, max_norm=max_norm, evaluate=fraction,
                    eval_every=every, progress=False)
    measured_steps += history.eval_steps
    fractions += history.eval_losses
    return measured_steps, [float(value) for value in fractions]


def sustained_below(eval_steps, eval_errors, threshold, last=5):
    """The first evaluation step from which a run's running mean stays below `threshold`; None if it never does.

    The running mean at an evaluation is the mean of it and the `last - 1` evaluations before it (fewer
    at the start of a run). A run *reached* the threshold when the mean of its last `last` evaluations is
    below it (`last_evaluations`), and it got there at the first step after which every running mean
    stays below: one evaluation that dips under the threshold and comes back up counts for nothing.
    """
    last = check_positive_int("last", last)
    steps, errors = list(eval_steps), np.asarray(list(eval_errors), dtype=float)
    if len(steps) != errors.size or errors.ndim != 1 or errors.size == 0:
        raise ValueError(f"sustained_below needs as many steps as errors, at least one; got {len(steps)} "
                         f"steps and {errors.size} errors")
    if not np.all(np.isfinite(errors)):
        raise ValueError("sustained_below needs finite errors")
    cumulative = np.concatenate([[0.0], np.cumsum(errors)])
    ends = np.arange(1, errors.size + 1)
    starts = np.maximum(ends - last, 0)
    running = (cumulative[ends] - cumulative[starts]) / (ends - starts)
    above = np.flatnonzero(~(running < threshold))
    first = 0 if above.size == 0 else above[-1] + 1
    return None if first == errors.size else steps[first]
