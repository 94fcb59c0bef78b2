"""Checkers for the exercises of the attention epilogue (chapters/attention.ipynb).

Every checker follows the protocol of :mod:`exercises.feedback`: it prints feedback starting with
"Correct." or "Not yet.", returns True or False, and never raises at a reader. Reference answers
come from ``cells`` (``cells.Attention``, ``cells.softmax``, ``cells.tasks``); the feedback never
prints them.
"""

import numpy as np

import cells

from . import variants
from .feedback import (
    NotAnAnswer,
    as_array,
    as_function,
    as_shape,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    right,
    wrong,
)

__all__ = [
    "BY_HAND_QUERY",
    "BY_HAND_MEMORY",
    "SHAPES",
    "PARAMS_SIZES",
    "REVERSAL",
    "BOTTLENECK",
    "parameters",
    "check_weights_by_hand",
    "check_context_by_hand",
    "check_weights_shape",
    "check_additive_param_count",
    "check_attention_weights_function",
    "check_reversal_position",
    "check_bottleneck_numbers",
]

# The numbers the exercises give the reader; the chapter's exercise texts quote them.
BY_HAND_QUERY = [1.0, 1.0]
BY_HAND_MEMORY = [[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]  # m_1, m_2, m_3
SHAPES = {"T": 5, "S": 7, "B": 3, "h": 4}
PARAMS_SIZES = {"hidden_size": 64, "attention_size": 32}
REVERSAL = {"length": 20, "output_step": 5}
BOTTLENECK = {"length": 20, "hidden_size": 64}


def _by_hand_numbers(query, memory):
    """(scores, weights, context) of dot-product attention of one query over a memory, from cells."""
    q = np.array(query, dtype=float)[None, None]  # (B=1, T=1, h)
    m = np.array(memory, dtype=float)[None]  # (B=1, S, h)
    scores, _ = cells.Attention(q.shape[-1], score="dot", rng=0).scores(q, m)
    weights = cells.softmax(scores, axis=-1)
    return scores[0, 0], weights[0, 0], (weights @ m)[0, 0]


def _pleasant_by_hand(query, memory):
    """Whether a drawn query and memory make a by-hand exercise as clear as the book's (see parameters)."""
    scores, weights, context = _by_hand_numbers(query, memory)
    memory = np.array(memory, dtype=float)
    _, book_weights, book_context = _by_hand_numbers(BY_HAND_QUERY, BY_HAND_MEMORY)
    slips = [memory[np.argmax(weights)], memory.mean(axis=0), memory.sum(axis=0), weights[:2]]
    return (len(set(scores.tolist())) == 3 and 2 <= np.ptp(scores) <= 4 and scores.sum() != 0
            and weights.min() >= 0.01 and np.abs(weights - book_weights).max() > 0.01
            and np.abs(context - book_context).max() > 0.01
            and all(np.abs(context - slip).max() > 0.01 for slip in slips))


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints; the
    checkers read their numbers from here.

    What each draw of another seed guarantees (tests/exercises/test_attention_variants.py asserts it):

    - BY_HAND: a query with entries in {-1, 0, 1, 2} and three distinct memory rows with entries in
      {-2, ..., 2}, none of them zero; the three scores are distinct whole numbers spanning 2 to 4 (so
      the weights are distinct and the smallest is at least 0.01) with a non-zero sum; the weights and
      the context differ from the book's, and the context differs by more than 0.01 from the usual
      slips (the heaviest row alone, the plain mean or sum of the rows, the weights themselves).
    - SHAPES: T and S in 2..12, B in 2..8, h in {4, 8, 16, 32}, all four different (so an order slip
      and a hidden-size slip show), and a weights shape (T, B, S) other than the book's.
    - PARAMS_SIZES: hidden size in {16, 32, 48, 96, 128}, attention size in {8, 16, 32, 64}, the two
      different; the count differs from the book's because the hidden size does.
    - REVERSAL: the length stays the chapter's 20 (its trained model is the one in the widget); the
      output step is 2..19 other than 5.
    - BOTTLENECK: 16 to 128 units other than 64 and 10 to 40 digits.
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"BY_HAND": {"query": list(BY_HAND_QUERY), "memory": [list(row) for row in BY_HAND_MEMORY]},
                "SHAPES": dict(SHAPES), "PARAMS_SIZES": dict(PARAMS_SIZES), "REVERSAL": dict(REVERSAL),
                "BOTTLENECK": dict(BOTTLENECK)}
    rng = variants.generator(seed, "attention")
    while True:
        query = [float(v) for v in rng.choice([-1, 0, 1, 2], size=2)]
        memory = [[float(v) for v in row] for row in rng.integers(-2, 3, size=(3, 2))]
        rows = {tuple(row) for row in memory}
        if any(query) and len(rows) == 3 and (0.0, 0.0) not in rows and _pleasant_by_hand(query, memory):
            break
    while True:
        shapes = {"T": int(rng.integers(2, 13)), "S": int(rng.integers(2, 13)), "B": int(rng.integers(2, 9)),
                  "h": int(rng.choice([4, 8, 16, 32]))}
        if len(set(shapes.values())) == 4 and (shapes["T"], shapes["B"], shapes["S"]) != (5, 3, 7):
            break
    while True:
        sizes = {"hidden_size": int(rng.choice([16, 32, 48, 96, 128])),
                 "attention_size": int(rng.choice([8, 16, 32, 64]))}
        if sizes["hidden_size"] != sizes["attention_size"]:
            break
    step = int(rng.choice([t for t in range(2, 20) if t != REVERSAL["output_step"]]))
    bottleneck = {"length": int(rng.integers(10, 41)), "hidden_size": int(rng.choice([16, 32, 48, 96, 128]))}
    return {"BY_HAND": {"query": query, "memory": memory}, "SHAPES": shapes, "PARAMS_SIZES": sizes,
            "REVERSAL": {"length": REVERSAL["length"], "output_step": step}, "BOTTLENECK": bottleneck}


def _by_hand():
    """(scores, weights, context) for the active seed's by-hand query and memory, from cells."""
    numbers = parameters()["BY_HAND"]
    return _by_hand_numbers(numbers["query"], numbers["memory"])


def _close(a, b, tol=2e-3):
    return a.shape == np.shape(b) and np.allclose(a, b, rtol=0, atol=tol)


# The by-hand exercises ask for three decimals. An answer of two decimals or fewer that is within one
# hundredth of every number (rounded to two decimals, or nudged so that the weights add up to 1) has the
# right method and too little precision; a three-decimal answer that is off is not told to round less.
ROUND_LESS = ("Your method is right, but the numbers are rounded too far: the exercise asks for three "
              "decimal places. Keep every digit until the end, then round once.")


def _rounded_too_far(a, b):
    if a.shape != np.shape(b):
        return False
    in_hundredths = np.allclose(a * 100, np.round(a * 100), rtol=0, atol=1e-6)
    return bool(in_hundredths and np.abs(a - b).max() < 1e-2)


@checker
def check_weights_by_hand(answer):
    """The three dot-product attention weights a_1, a_2, a_3 of the active seed's BY_HAND query over its
    memory (the book's: BY_HAND_QUERY over BY_HAND_MEMORY)."""
    weights = as_array(answer, "the three attention weights [a_1, a_2, a_3]", shape=(3,))
    scores, expected, _ = _by_hand()
    if _close(weights, expected):
        return right("Each score went through exp and was divided by the sum: positive weights that add up "
                     "to 1.")
    if _close(weights, scores):
        return wrong("Those are the scores q . m_s themselves; attention weights are their softmax.")
    if _rounded_too_far(weights, expected):
        return wrong(ROUND_LESS)
    if abs(weights.sum() - 1) > 2e-3:
        return wrong("Attention weights are a softmax over the input steps, so they add up to 1; yours add "
                     f"up to {weights.sum():.3g}.")
    if _close(weights, np.full(3, 1 / 3)):
        return wrong("Equal weights ignore the query; score each memory vector by its dot product with q "
                     "first.")
    if _close(weights, scores / scores.sum()):
        return wrong("You divided the scores by their sum; the softmax takes exp of each score first, "
                     "which also keeps the weight of a negative score positive.")
    if np.argmax(weights) != np.argmax(expected):
        return wrong("The largest weight should sit on the memory vector with the largest score q . m_s.")
    return wrong("Close, but not the softmax of the three scores q . m_1, q . m_2, q . m_3; check each exp.")


@checker
def check_context_by_hand(answer):
    """The context vector c = sum_s a_s m_s for the active seed's BY_HAND query and memory (two
    numbers)."""
    context = as_array(answer, "the context vector c, two numbers", shape=(2,))
    _, weights, expected = _by_hand()
    memory = np.array(parameters()["BY_HAND"]["memory"])
    if _close(context, expected):
        heaviest = int(np.argmax(weights))  # m_1 with the book's numbers
        mix = (f"mostly m_{heaviest + 1}, a little of the rest" if weights[heaviest] > 0.5
               else "each memory vector in proportion to its weight")
        return right(f"The context is the memory vectors averaged with the attention weights: {mix}.")
    if _rounded_too_far(context, expected):
        return wrong(ROUND_LESS)
    if _close(context, expected[::-1]) or _rounded_too_far(context, expected[::-1]):
        return wrong("The two numbers are swapped: c_1 is the first coordinate, a_1 m_1[0] + a_2 m_2[0] + "
                     "a_3 m_3[0], and c_2 the second.")
    if _close(context, memory[np.argmax(weights)]):
        return wrong("That is the one memory vector with the largest weight (hard attention); the context "
                     "mixes all of them, each scaled by its weight.")
    if _close(context, memory.mean(axis=0)) or _close(context, memory.sum(axis=0)):
        return wrong("That average ignores the attention weights; scale each m_s by its weight a_s before "
                     "adding.")
    if _close(context, weights[:2]):
        return wrong("The context lives where the memory vectors live: it is sum_s a_s m_s, not the weights.")
    return wrong("The context is c = a_1 m_1 + a_2 m_2 + a_3 m_3, with the weights of the previous exercise.")


@checker
def check_weights_shape(answer):
    """Shape of the attention weights cells.Attention returns for queries (T, B, h) and memory (S, B, h)."""
    shape = as_shape(answer)
    shapes = parameters()["SHAPES"]
    T, S, B, h = shapes["T"], shapes["S"], shapes["B"], shapes["h"]
    _, weights = cells.Attention(h, rng=0).forward(np.zeros((T, B, h)), np.zeros((S, B, h)))
    if shape == weights.shape:
        return right("One weight per output step, per sequence and per input step: time-major like the "
                     "layers.")
    if sorted(shape) == sorted(weights.shape):
        return wrong("The right sizes in the wrong order: the book is time-major (output steps first, then "
                     "the batch), and the softmax runs over the last axis, the input steps.")
    if len(shape) == 2:
        return wrong("Every sequence in the batch gets its own weights: the shape needs a batch axis too.")
    if h in shape:
        return wrong("The weights are one number per (output step, input step) pair; the hidden size is "
                     "summed away by the dot product.")
    return wrong("Count one weight for every output step t, every sequence b and every input step s.")


@checker
def check_additive_param_count(answer):
    """Parameters of cells.Attention(64, score="additive", attention_size=32), combination included (the
    book's sizes; the active seed's PARAMS_SIZES)."""
    count = as_whole_number(answer, "the number of parameters")
    sizes = parameters()["PARAMS_SIZES"]
    layer = cells.Attention(sizes["hidden_size"], score="additive", attention_size=sizes["attention_size"], rng=0)
    sizes = {name: value.size for name, value in layer.params().items()}
    expected = sum(sizes.values())
    if count == expected:
        return right("W_q, W_m and v score; W_c and b_c combine. None of them depends on the sequence "
                     "length.")
    score_part = sizes["query_weight"] + sizes["memory_weight"] + sizes["score_vector"]
    combine_part = sizes["combine_weight"] + sizes["combine_bias"]
    if count == score_part:
        return wrong("That is the scoring part only; add the combination W_c [c; q] + b_c.")
    if count == combine_part:
        return wrong("That is the combination only, which dot-product attention has too; add the additive "
                     "score's "
                     "W_q, W_m and v.")
    if count == expected - sizes["score_vector"] or count == expected - sizes["combine_bias"]:
        return wrong("One vector is missing: the score vector v or the bias b_c.")
    if count > expected and count % expected == 0:
        return wrong("The parameters are shared by every time step; do not multiply by a length.")
    same_size = cells.Attention(layer.hidden_size, score="additive", attention_size=layer.hidden_size, rng=0)
    if count == sum(value.size for value in same_size.params().values()):
        return wrong("That count takes the attention size to be the hidden size: W_q and W_m map the "
                     "hidden states to the attention size, and v has one entry per attention unit.")
    return wrong("W_q and W_m are (attention_size x hidden), v has attention_size entries, W_c is "
                 "(hidden x 2 hidden) and b_c has hidden entries.")


def _reference_weights(q, m):
    scores, _ = cells.Attention(q.shape[-1], score="dot", rng=0).scores(q[None, None], m[None])
    return cells.softmax(scores, axis=-1)[0, 0]


@checker
def check_attention_weights_function(answer):
    """A function attention_weights(q, m): q (h,), m (S, h) -> dot-product attention weights (S,)."""
    function = as_function(answer, "attention_weights")
    rng = np.random.default_rng(0)
    cases = [("a small random case", rng.normal(size=3), rng.normal(size=(5, 3))),
             ("one input step", rng.normal(size=2), rng.normal(size=(1, 2))),
             ("scores in the hundreds", 30 * rng.normal(size=4), 30 * rng.normal(size=(6, 4)))]
    for label, q, m in cases:
        expected = _reference_weights(q, m)
        with np.errstate(all="ignore"):
            got = call_reader(function, q.copy(), m.copy(), context=label)
        if got is None:
            return wrong(f"On {label} your function returned None; end it with return and the weights.")
        try:
            got = as_array(got, "the weights your function returns", shape=expected.shape)
        except NotAnAnswer as problem:
            if label == "scores in the hundreds":
                return wrong(f"On {label}: {problem} The exponential overflows for large scores; subtract "
                             f"the largest score "
                             "before exp, which leaves the softmax unchanged.")
            return wrong(f"On {label}: {problem}")
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            if abs(got.sum() - 1) > 1e-6:
                return wrong(f"On {label} your weights add up to {got.sum():.4g}; a softmax adds up to 1.")
            if np.allclose(got, cells.softmax(-(m @ q)), atol=1e-9):
                return wrong(f"On {label} the weights favour the least similar steps: the score is +q . m_s.")
            return wrong(f"On {label} your weights differ from the softmax of the scores q . m_s.")
    return right("Scores, shifted softmax, and it survives scores in the hundreds.")


@checker
def check_reversal_position(answer):
    """Reversing 20 digits: at which input position (from 1) is the digit output step 5 must write?
    (The book's numbers; the active seed's REVERSAL.)"""
    position = as_whole_number(answer, "an input position, counted from 1")
    reversal = parameters()["REVERSAL"]
    length, step = reversal["length"], reversal["output_step"]
    # distinct tokens, so each output token names the one input position it came from
    source, target = cells.tasks.digit_reversal(1, length, rng=0, num_digits=10 ** 9)
    if len(np.unique(source)) < length:  # pragma: no cover - one in millions of draws
        raise RuntimeError("digit_reversal drew a repeated token")
    expected = int(np.flatnonzero(source[:, 0] == target[step - 1, 0])[0]) + 1
    if position == expected:
        return right("The first output is the last input: the digits to write run along the anti-diagonal.")
    if position == expected - 1:
        return wrong(f"That is {length} - t, the position counted from 0; count from 1, like the output step "
                     "(output step 1 writes the digit at the last position).")
    if position == expected + 2 and position <= length:
        return wrong("That is the memory row the chapter's trained model reads at this step, two positions "
                     "later than the digit; the question asks where the digit itself is.")
    if position == step:
        return wrong("That would copy the sequence; reversing reads it from the end.")
    if not 1 <= position <= length:
        return wrong(f"The input has positions 1 to {length}.")
    return wrong("The first output step writes the digit at the last input position; go on from there.")


@checker
def check_bottleneck_numbers(answer):
    """(without, with): how many numbers of the encoder the decoder can read, without and with attention."""
    without, with_attention = (as_whole_number(v, "a count of numbers") for v in
                               as_tuple(answer, 2, "a pair (without attention, with attention) of counts"))
    bottleneck = parameters()["BOTTLENECK"]
    source, _ = cells.tasks.digit_reversal(1, bottleneck["length"], rng=0)
    model = cells.Seq2Seq(10, bottleneck["hidden_size"], attention="dot", rng=0)
    memory = model.encode(source)
    expected = (memory[-1].size, memory.size)
    if (without, with_attention) == expected:
        return right(f"Without attention one state vector of h numbers carries all {bottleneck['length']} digits; "
                     "with it the decoder can read all S x h numbers of the activation matrix.")
    if (without, with_attention) == expected[::-1]:
        return wrong("The other way round: attention gives the decoder more to read, not less.")
    notes = []
    if without != expected[0]:
        notes.append("Without attention the decoder starts from the encoder's last state m_S and sees "
                     "nothing else.")
    if with_attention != expected[1]:
        notes.append("With attention it can read every encoder state, one vector per input step.")
    return wrong(" ".join(notes))
