"""Checkers for the exercises of the language-model chapter (chapters/language-model.ipynb).

Every ``check_<name>(answer)`` follows the book's protocol (``exercises.feedback``): it prints
feedback starting with "Correct." or "Not yet.", returns True or False, answers the placeholder
``...`` with a request for an answer, and never raises at a reader. Reference answers come from
``cells``: labels and balance from ``cells.corpora``, correlations from ``cells.language_model``,
parameter counts from ``cells.count_params``, the softmax from ``cells.softmax``.
"""

import math

import numpy as np

import cells
from cells import corpora
from cells.language_model import correlations

from . import variants
from .feedback import (
    GIVE_DECIMALS,
    NotAnAnswer,
    as_array,
    as_function,
    as_number,
    as_whole_number,
    call_reader,
    checker,
    right,
    rounded_too_early,
    wrong,
)

__all__ = [
    "UNIFORM",
    "TEMPERATURE",
    "LM_SIZES",
    "parameters",
    "check_bits_uniform",
    "check_temperature",
    "check_lm_param_count",
    "check_depth_labels",
    "check_pearson",
    "check_balanced",
]

# The numbers each exercise gives the reader; the chapter's exercise texts quote them.
UNIFORM = {"alphabet_size": 7}  # the quote language: space, quote, a..e
TEMPERATURE = {"scores": [2.0, 1.0, 0.0], "tau": 0.5}
LM_SIZES = {"alphabet_size": 96, "hidden_size": 64}


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints.

    What each draw of another seed guarantees (tests/exercises/test_language_model_variants.py asserts it):

    - UNIFORM: an alphabet of 3 to 120 characters other than 7; log2 of it is not a whole number.
    - TEMPERATURE: three different whole scores from -2 to 3, the first the largest; tau in
      {0.25, 0.5, 2.0, 4.0}; the probability of the first character at tau differs from the one at
      tau = 1 and from the book's answer by more than 0.01.
    - LM_SIZES: alphabet 30 to 120, hidden size from usual ones (16 to 256), the two different, and a
      count other than the book's.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"UNIFORM": dict(UNIFORM), "TEMPERATURE": {"scores": list(TEMPERATURE["scores"]),
                                                         "tau": TEMPERATURE["tau"]}, "LM_SIZES": dict(LM_SIZES)}
    rng = variants.generator(seed, "language model")
    while True:
        size = int(rng.integers(3, 121))
        if size != UNIFORM["alphabet_size"] and not math.log2(size).is_integer():
            break
    book = _first_probability(TEMPERATURE["scores"], TEMPERATURE["tau"])
    while True:
        scores = sorted((float(v) for v in rng.choice(np.arange(-2, 4), size=3, replace=False)), reverse=True)
        tau = float(rng.choice([0.25, 0.5, 2.0, 4.0]))
        p = _first_probability(scores, tau)
        if abs(p - _first_probability(scores, 1.0)) > 0.01 and abs(p - book) > 0.01:
            break
    while True:
        sizes = {"alphabet_size": int(rng.integers(30, 121)),
                 "hidden_size": int(rng.choice([16, 32, 48, 64, 100, 128, 200, 256]))}
        if sizes["alphabet_size"] != sizes["hidden_size"] and _model_count(**sizes) != _model_count(**LM_SIZES):
            break
    return {"UNIFORM": {"alphabet_size": size}, "TEMPERATURE": {"scores": scores, "tau": tau}, "LM_SIZES": sizes}


def _close(a, b, tol=1e-3):
    return abs(a - b) <= tol + 1e-12


# ------------------------------------------------------------------ bits per character of a uniform guess
@checker
def check_bits_uniform(answer):
    """answer = bits per character of a model that gives every character of the alphabet the same probability."""
    bits = as_number(answer, "a number of bits")
    size = parameters()["UNIFORM"]["alphabet_size"]
    reference = math.log2(size)
    if _close(bits, reference, 5e-4):
        return right(f"log2 {size} = {reference:.3f} bits: -log2 of the probability 1/{size} that it gives "
                     "whatever character comes next.")
    if _close(bits, math.log(size), 5e-4):
        return wrong("That is the cross-entropy in nats (natural log). Bits use log base 2: divide by ln 2.")
    if _close(bits, 1 / size, 5e-4):
        return wrong("That is the probability of one character. The cost in bits is -log2 of it.")
    if _close(bits, math.log10(size), 5e-4):
        return wrong("That is log base 10. Bits use log base 2.")
    if rounded_too_early(bits, reference):
        return wrong(GIVE_DECIMALS)
    return wrong(f"Not quite. Every character has probability 1/{size}; the cost of one is -log2(1/{size}).")


# ------------------------------------------------------------------ sampling temperature
def _first_probability(scores, tau):
    return float(cells.softmax(np.array(scores, dtype=float) / tau)[0])


@checker
def check_temperature(answer):
    """answer = the probability of the first character when sampling at the exercise's temperature."""
    p = as_number(answer, "a probability")
    spec = parameters()["TEMPERATURE"]
    scores, tau = spec["scores"], spec["tau"]
    reference = _first_probability(scores, tau)
    if _close(p, reference, 5e-4):
        cold = "sharper" if tau < 1 else "flatter"
        return right(f"softmax(s / {tau:g}) gives {reference:.3f} to the first character, against "
                     f"{_first_probability(scores, 1.0):.3f} at temperature 1: the distribution is {cold}.")
    if _close(p, _first_probability(scores, 1.0), 5e-4):
        return wrong("That is the probability at temperature 1. Divide the scores by the temperature first.")
    if _close(p, _first_probability(scores, 1 / tau), 5e-4):
        return wrong("You multiplied the scores by the temperature. Divide them by it: s / tau.")
    if not 0 <= p <= 1:
        return wrong("A probability lies between 0 and 1.")
    if rounded_too_early(p, reference):
        return wrong(GIVE_DECIMALS)
    return wrong("Not quite. Divide every score by the temperature, exponentiate, and divide the first by the sum.")


# ------------------------------------------------------------------ parameters of the whole model
def _model_count(alphabet_size, hidden_size):
    """One-hot LSTM (PyTorch's two bias vectors) plus the dense head back to the alphabet."""
    layer = int(cells.count_params("lstm", alphabet_size, hidden_size).total)
    return layer + hidden_size * alphabet_size + alphabet_size


@checker
def check_lm_param_count(answer):
    """answer = parameters of one-hot -> LSTM(hidden) -> Dense(alphabet), PyTorch's convention."""
    n = as_whole_number(answer, "a parameter count")
    sizes = parameters()["LM_SIZES"]
    V, h = sizes["alphabet_size"], sizes["hidden_size"]
    reference = _model_count(V, h)
    layer = int(cells.count_params("lstm", V, h).total)
    head = h * V + V
    if n == reference:
        return right(f"The LSTM has {layer:,} (4h(V + h) weights and 8h biases), the head {head:,} (hV + V).")
    hints = [
        (layer, "That is the LSTM alone. Add the dense head that turns h_t into V scores: hV weights and V biases."),
        (layer - 4 * h + head, "That is Keras's count, with one bias vector per gate block. PyTorch keeps two."),
        (layer + h * V, "The head has a bias too: V more."),
        (reference + V * h, "One-hot input has no embedding matrix: the LSTM's input weights already play that role."),
        (int(cells.count_params("gru", V, h).total) + head, "That is a GRU's count: an LSTM has four gate blocks."),
        (int(cells.count_params("rnn", V, h).total) + head, "That is a plain RNN's count: an LSTM has four blocks."),
    ]
    for value, message in hints:
        if n == value:
            return wrong(message)
    return wrong(f"{n:,} is {'too small' if n < reference else 'too large'}. Count the LSTM's weight_ih (4h x V), "
                 "weight_hh (4h x h), its two bias vectors (4h each), and the head's weight (V x h) and bias (V).")


# ------------------------------------------------------------------ the depth label
_DEPTH_CASES = ["(a(b))\n", ")(", "ab", "((((", "(()())b)"]


@checker
def check_depth_labels(depth_labels):
    """depth_labels(text) -> the bracket depth after each character."""
    function = as_function(depth_labels, "a function depth_labels(text)")
    texts, depths = corpora.dyck(4, 80, rng=variants.generator(variants.active_seed(), "depth labels"))
    cases = [(text, list(depth)) for text, depth in zip(texts, depths)]
    for text in _DEPTH_CASES:
        running, labels = 0, []
        for character in text:
            running += (character == "(") - (character == ")")
            labels.append(running)
        cases.append((text, labels))
    for text, expected in cases:
        given = call_reader(function, text, context=f"depth_labels({text!r})")
        values = as_array(given, f"depth_labels({text!r})").reshape(-1)
        if not np.all(values == np.round(values)):
            return wrong(f"depth_labels({text!r}) returned numbers that are not whole: a depth counts brackets.")
        given = [int(v) for v in values]
        if len(given) != len(text):
            return wrong(f"depth_labels({text!r}) returned {len(given)} labels for {len(text)} characters: one label "
                         "per character, the depth after reading it.")
        if given != expected:
            shifted = [0] + expected[:-1]
            if given == shifted:
                return wrong(f"For {text!r} your labels are the depth before each character. Label a character "
                             "with the depth after reading it: a '(' is already at depth 1.")
            if all(g >= 0 for g in given) and any(e < 0 for e in expected):
                return wrong(f"For {text!r} the depth goes below 0 (a ')' with nothing open); count it, do not "
                             "clip it at 0.")
            k = next(i for i, (g, e) in enumerate(zip(given, expected)) if g != e)
            return wrong(f"For {text!r}, character {k} ({text[k]!r}) should have depth {expected[k]}; "
                         f"you gave {given[k]}.")
    return right("A running count: '(' adds one, ')' takes one away, the label is the count after the character.")


# ------------------------------------------------------------------ Pearson's r for every unit
@checker
def check_pearson(pearson):
    """pearson(values (N, h), labels (N,)) -> the h correlations."""
    function = as_function(pearson, "a function pearson(values, labels)")
    rng = variants.generator(variants.active_seed(), "pearson")
    labels = rng.integers(0, 5, 300).astype(float)
    values = np.stack([labels + rng.normal(0, 2, 300), -3 * labels + rng.normal(0, 1, 300),
                       rng.normal(0, 1, 300), 0.5 * labels + 7.0], axis=1)
    reference = correlations(values, labels)
    given = call_reader(function, values.copy(), labels.copy(), context="pearson(values, labels)")
    given = as_array(given, "pearson(values, labels)")
    if given.shape != (values.shape[1],):
        return wrong(f"pearson should return one r per unit, shape ({values.shape[1]},); got shape {given.shape}. "
                     "Correlate each column of values with the labels.")
    if np.allclose(given, reference, atol=1e-6):
        return right("Centre both, covariance over the product of the norms; the constant shift of the last unit "
                     "does not change r, and the sign of the second says it counts downwards.")
    covariance = ((values - values.mean(0)) * (labels - labels.mean())[:, None]).mean(0)
    if np.allclose(given, covariance, atol=1e-6) or np.allclose(given, covariance * len(labels), atol=1e-6):
        return wrong("That is the covariance. Divide it by the standard deviations of the unit and of the labels.")
    if np.allclose(given, np.abs(reference), atol=1e-6):
        return wrong("Keep the sign: a unit can count downwards (r near -1). Take |r| only when picking the best unit.")
    uncentred = (values * labels[:, None]).sum(0) / np.sqrt((values ** 2).sum(0) * (labels ** 2).sum())
    if np.allclose(given, uncentred, atol=1e-6):
        return wrong("Subtract the means first: without centring, a unit with a constant offset looks correlated.")
    worst = int(np.argmax(np.abs(given - reference)))
    return wrong(f"Not quite: your r for unit {worst} is off by {abs(given[worst] - reference[worst]):.3g}. "
                 "r = sum((a - mean a)(y - mean y)) / sqrt(sum((a - mean a)^2) sum((y - mean y)^2)), per column.")


# ------------------------------------------------------------------ is a line balanced?
_LINES = ["", "ab", "()", "(a(b)a)", "(()", ")(", "())(", "(((a)))b()", "a)", "((b)(a))()(", "(ab)(b(a))",
          "b(()a()(()))a"]


@checker
def check_balanced(is_balanced):
    """is_balanced(line) -> True when the line is a Dyck-1 word (letters allowed); tried on hand-made lines and on
    lines of cells.corpora.dyck."""
    function = as_function(is_balanced, "a function is_balanced(line)")
    texts, _ = corpora.dyck(3, 300, rng=variants.generator(variants.active_seed(), "balanced"))
    sampled = [line for text in texts for line in text.split("\n")][:10]
    for line in _LINES + sampled:
        expected = corpora.dyck_balanced(line + "\n") == 1.0
        given = call_reader(function, line, context=f"is_balanced({line!r})")
        if not isinstance(given, (bool, np.bool_)):
            raise NotAnAnswer(f"is_balanced({line!r}) should return True or False; got {given!r}")
        if bool(given) != expected:
            count_only = line.count("(") == line.count(")")
            if given and count_only:
                return wrong(f"{line!r}: as many '(' as ')', but a ')' comes with nothing open. Check the depth "
                             "at every character, not only at the end.")
            return wrong(f"is_balanced({line!r}) should be {expected}.")
    return right("Never below depth 0, and back at 0 at the end.")
