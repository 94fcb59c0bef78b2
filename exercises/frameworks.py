"""Checkers for the exercises of the chapter "One network, three frameworks" (chapters/frameworks.ipynb).

Each ``check_<name>(answer)`` prints feedback that points at the specific slip and returns True or
False. Reference answers come from ``cells`` (counts, the Keras gate order of ``cells.keras_bridge``,
TF1's layout from ``cells.to_tf1``), never from a second copy of the maths; none of them imports Keras.
"""

import numpy as np

import cells
from cells.keras_bridge import keras_order

from . import variants
from .feedback import (
    as_array,
    as_function,
    as_number,
    as_shape,
    as_tuple,
    as_whole_number,
    call_reader,
    checker,
    right,
    wrong,
)

__all__ = [
    "KERNEL_SIZES",
    "GRU_COLUMNS_UNITS",
    "GRU_BIAS_SIZES",
    "DIFFERENCE_SIZES",
    "TF1_SIZES",
    "WORDS",
    "FORGET_BIAS_SUM",
    "parameters",
    "check_keras_kernel_shape",
    "check_gru_update_columns",
    "check_gru_bias_counts",
    "check_same_units_difference",
    "check_tf1_kernel_shape",
    "check_tf1_forget_bias",
    "check_weight_sets",
    "check_gru_kernel_from_torch",
]

# The numbers each exercise gives the reader; the chapter's exercise texts quote them.
KERNEL_SIZES = {"input_size": 28, "hidden_size": 128}
GRU_COLUMNS_UNITS = 64
GRU_BIAS_SIZES = {"input_size": 32, "hidden_size": 64}
DIFFERENCE_SIZES = {"input_size": 28, "hidden_size": 128}
TF1_SIZES = {"input_size": 300, "hidden_size": 256}
WORDS = {"steps": 35, "input_size": 300, "hidden_size": 200}
FORGET_BIAS_SUM = 0.25  # b_if + b_hf of the cells LSTM in the forget-bias exercise

_HIDDEN_SIZES = [32, 48, 64, 96, 100, 128, 200, 256, 320, 512]


def parameters(seed=None):
    """The numbers of the exercises that have variants (see :mod:`exercises.variants`), for ``seed``
    (default: the active seed). Seed 0 gives the constants above, the ones the chapter prints; the
    checkers read their numbers from here.

    What each draw of another seed guarantees (tests/exercises/test_frameworks_variants.py asserts it):

    - KERNEL_SIZES: input size 8-80, units from usual sizes (32 to 512), input != units and != 4 units
      (so the kernel, its transpose and the recurrent kernel have three different shapes), and a kernel
      shape other than the book's.
    - GRU_COLUMNS: units from usual sizes other than 64 (so the bounds differ from the book's).
    - GRU_BIAS_SIZES: input size 8-80 (it does not change the answer) and units other than 64.
    - DIFFERENCE_SIZES: input size 8-80, units other than 128 (the answer, 4 x units, changes).
    - TF1_SIZES: word vectors of 50, 100, 200 or 300 numbers, units from usual sizes, input != 3 units
      (so the kernel is not square-swappable), and a shape other than the book's.
    - WORDS: 10-60 steps, word vectors of 50-300 numbers, 32-512 units, none equal to another, to 1 or
      to 4, so each slip is told apart. The answer, 1, is the book's in every seed.
    - FORGET_BIAS_SUM: a multiple of 0.25 in [-1, 1.5] other than 0.25 and 1 (at 1 the answer would be 0
      and its sign slip the same number).
    """
    seed = variants.active_seed() if seed is None else seed
    if seed == 0:
        return {"KERNEL_SIZES": dict(KERNEL_SIZES), "GRU_COLUMNS": {"units": GRU_COLUMNS_UNITS},
                "GRU_BIAS_SIZES": dict(GRU_BIAS_SIZES), "DIFFERENCE_SIZES": dict(DIFFERENCE_SIZES),
                "TF1_SIZES": dict(TF1_SIZES), "WORDS": dict(WORDS), "FORGET_BIAS": {"sum": FORGET_BIAS_SUM}}
    rng = variants.generator(seed, "frameworks")

    def units(*book):
        return int(rng.choice([h for h in _HIDDEN_SIZES if h not in book]))

    while True:
        kernel = {"input_size": int(rng.integers(8, 81)), "hidden_size": units()}
        d, h = kernel["input_size"], kernel["hidden_size"]
        if d not in (h, 4 * h) and (d, 4 * h) != (28, 512):
            break
    gru_bias = {"input_size": int(rng.integers(8, 81)), "hidden_size": units(64)}
    difference = {"input_size": int(rng.integers(8, 81)), "hidden_size": units(128)}
    while True:
        tf1 = {"input_size": int(rng.choice([50, 100, 200, 300])), "hidden_size": units()}
        d, h = tf1["input_size"], tf1["hidden_size"]
        if d != 3 * h and (d + h, 4 * h) != (556, 1024):
            break
    while True:
        words = {"steps": int(rng.integers(10, 61)), "input_size": int(rng.choice([50, 100, 200, 300])),
                 "hidden_size": units()}
        if len({*words.values(), 1, 4}) == 5:
            break
    bias_sum = float(rng.choice([-1.0, -0.75, -0.5, -0.25, 0.0, 0.5, 0.75, 1.25, 1.5]))
    return {"KERNEL_SIZES": kernel, "GRU_COLUMNS": {"units": units(64)}, "GRU_BIAS_SIZES": gru_bias,
            "DIFFERENCE_SIZES": difference, "TF1_SIZES": tf1, "WORDS": words, "FORGET_BIAS": {"sum": bias_sum}}


def _keras_shapes(kind, input_size, hidden_size, reset_after=True):
    cell_class = {"lstm": cells.LSTMCell, "gru": cells.GRUCell, "rnn": cells.RNNCell}[kind]
    options = {"reset_after": reset_after} if kind == "gru" else {}
    cell = cell_class(input_size, hidden_size, rng=0, **options)
    return [a.shape for a in cells.keras_bridge.keras_arrays(kind, cell, reset_after)]


@checker
def check_keras_kernel_shape(answer):
    """The shape of keras.layers.LSTM(128)'s kernel on 28 inputs (the book's sizes; the active seed's
    KERNEL_SIZES)."""
    shape = as_shape(answer, "a shape, a tuple such as (2, 7)")
    sizes = parameters()["KERNEL_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    kernel, recurrent, _ = _keras_shapes("lstm", d, h)
    if shape == kernel:
        return right(
            "Keras keeps inputs as rows and the four gate blocks i, f, c, o side by side as columns."
        )
    if shape == kernel[::-1]:
        return wrong("That is PyTorch's weight_ih_l0. Keras stores the transpose: one row per input.")
    if shape == recurrent:
        return wrong("That is the recurrent_kernel, which multiplies h_{t-1}. The kernel multiplies x_t.")
    if shape == (d, h):
        return wrong("That is one gate's block. The kernel holds the blocks of all four gates.")
    if shape == (d + h, 4 * h):
        return wrong("That is TensorFlow 1's single kernel over [x, h]. Keras keeps x and h apart.")
    return wrong("The kernel multiplies the input x_t: one row per input, one column per unit of every gate.")


@checker
def check_gru_update_columns(answer):
    """(start, stop): the columns of a Keras GRU's kernel (units=64 in the book; the active seed's
    GRU_COLUMNS) that hold the update gate z."""
    pair = as_tuple(answer, 2, "a pair (start, stop) of column numbers, as in kernel[:, start:stop]")
    start, stop = (as_whole_number(v, "each column number") for v in pair)
    h = parameters()["GRU_COLUMNS"]["units"]
    columns = keras_order("gru", np.arange(3 * h), 0)  # Keras's column j holds PyTorch's row columns[j]
    where = np.flatnonzero((columns >= h) & (columns < 2 * h))  # PyTorch's z: rows h to 2h
    expected = (int(where[0]), int(where[-1]) + 1)
    if (start, stop) == expected:
        return right("Keras orders the GRU's blocks z, r, h: the update gate comes first.")
    if (start, stop) == (h, 2 * h):
        return wrong("That is where PyTorch keeps z (order r, z, n). Keras's order is different.")
    if stop - start != h:
        return wrong(
            f"A gate's block is one column per unit: stop - start should be the number of units, {h}."
        )
    return wrong("Count the blocks in Keras's GRU order, each one as wide as the number of units.")


@checker
def check_gru_bias_counts(answer):
    """(reset_after=True, reset_after=False): the bias numbers of keras.layers.GRU(64) on 32 inputs (the
    book's sizes; the active seed's GRU_BIAS_SIZES)."""
    pair = as_tuple(answer, 2, "a pair (with reset_after=True, with reset_after=False) of whole numbers")
    after, before = (as_whole_number(v, "each bias count") for v in pair)
    sizes = parameters()["GRU_BIAS_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    expected = tuple(
        cells.count_params("gru", d, h, convention="keras", reset_after=r).biases for r in (True, False)
    )
    if (after, before) == expected:
        return right(
            "reset_after=True keeps an input and a recurrent bias, because r multiplies W_hn h + b_hn."
        )
    if (before, after) == expected:
        return wrong("The two are swapped: which placement keeps the recurrent bias apart?")
    notes = []
    if after != expected[0]:
        notes.append("With reset_after=True the bias has shape (2, 3h): two vectors, three blocks each.")
    if before != expected[1]:
        notes.append("With reset_after=False there is one bias vector with a block per gate.")
    return wrong(" ".join(notes))


@checker
def check_same_units_difference(answer):
    """How many more parameters torch.nn.LSTM(28, 128) has than keras.layers.LSTM(128) on 28 inputs
    (the book's sizes; the active seed's DIFFERENCE_SIZES)."""
    difference = as_whole_number(answer, "the difference")
    sizes = parameters()["DIFFERENCE_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    torch_count = cells.count_params("lstm", d, h, convention="torch")
    keras_count = cells.count_params("lstm", d, h, convention="keras")
    if difference == torch_count.total - keras_count.total:
        return right("The weights agree; PyTorch's second bias vector (b_hh) is the whole difference.")
    if difference == -(torch_count.total - keras_count.total):
        return wrong("The sign: PyTorch has the larger count.")
    if difference == 0:
        return wrong("The weights agree, but the two frameworks do not keep the same number of biases.")
    if difference == h:
        return wrong("A bias vector has one entry per unit of every gate, not one per unit.")
    return wrong("Compare the biases only: how many vectors does each framework keep, and how long is one?")


@checker
def check_tf1_kernel_shape(answer):
    """The shape of TF1's BasicLSTMCell(num_units=256) kernel on 300-dimensional word vectors
    (the book's sizes; the active seed's TF1_SIZES)."""
    shape = as_shape(answer, "a shape, a tuple such as (2, 7)")
    sizes = parameters()["TF1_SIZES"]
    d, h = sizes["input_size"], sizes["hidden_size"]
    expected = cells.to_tf1(cells.LSTMCell(d, h, rng=0))["kernel"].shape
    if shape == expected:
        return right("One matrix multiplies the row [x_t, h_{t-1}]; each gate owns h of its columns.")
    if shape == (d, 4 * h):
        return wrong("That is Keras's kernel, for x_t alone. TF1's kernel multiplies [x_t, h_{t-1}].")
    if shape == (d + h, h):
        return wrong("That is one gate's block, the matrix older texts quote. The kernel holds all four.")
    if shape == expected[::-1]:
        return wrong("Rows and columns are swapped: TF1 multiplies the row [x, h] by the kernel, x @ W.")
    return wrong("Rows: one per entry of [x_t, h_{t-1}]. Columns: one per unit of each of the four gates.")


@checker
def check_tf1_forget_bias(answer):
    """The stored TF1 bias of the forget block when the cells LSTM's b_if + b_hf is 0.25 (forget_bias=1.0;
    0.25 is the book's sum, the active seed's is FORGET_BIAS)."""
    value = as_number(answer, "the bias stored for every unit of the forget block")
    bias_sum = parameters()["FORGET_BIAS"]["sum"]
    cell = cells.LSTMCell(2, 3, rng=0)
    h = cell.hidden_size
    cell.bias_ih[...] = 0.0
    cell.bias_hh[...] = 0.0
    cell.bias_ih[h : 2 * h] = bias_sum  # PyTorch's order i, f, g, o: f is the second block
    stored = cells.to_tf1(cell, forget_bias=1.0)["bias"]
    expected = float(stored[2 * h])  # TF1's order i, j, f, o: f is the third block
    if np.isclose(value, expected, rtol=0, atol=1e-9):
        return right("TF1 adds forget_bias each time the cell runs, so the stored bias must make up for it.")
    if np.isclose(value, bias_sum, rtol=0, atol=1e-9):
        return wrong(
            "Copied as it is, the forget gate gets forget_bias = 1 more than in the cells LSTM: TF1 adds "
            "it to f's pre-activation at run time, on top of the stored bias."
        )
    if np.isclose(value, -expected, rtol=0, atol=1e-9) or np.isclose(value, bias_sum + 1, atol=1e-9):
        return wrong(
            "The sign: TF1 adds forget_bias when it runs; what must be stored so that the sum is right?"
        )
    return wrong("Stored bias + forget_bias must equal the cells' b_if + b_hf.")


@checker
def check_weight_sets(answer):
    """How many sets of weights tf.nn.dynamic_rnn(BasicLSTMCell(200), x, dtype=tf.float32) has on 35 words of
    300 numbers (the book's sizes; the active seed's WORDS; the answer is the same)."""
    count = as_whole_number(answer, "the number of weight sets")
    words = parameters()["WORDS"]
    layer = cells.LSTM(words["input_size"], words["hidden_size"], rng=0)
    expected = sum(len(pair) for pair in layer.cells)
    if count == expected:
        return right("One cell, one set of weights, run at every time step.")
    if count == words["steps"]:
        return wrong("That is the number of time steps. The same cell runs at each of them.")
    if count == words["hidden_size"]:
        return wrong("That is num_units, the length of h_t: units, not cells.")
    if count == 4:
        return wrong("The four gate blocks belong to one cell and live in its one kernel.")
    return wrong("How many cell objects does the code create?")


GRU_KERNEL_SIZES = [(3, 2), (5, 4), (1, 7)]


@checker
def check_gru_kernel_from_torch(answer):
    """A function weight_ih (3h, d) -> Keras GRU kernel (d, 3h), tried on random weights of several sizes."""
    function = as_function(answer, "pytorch_to_keras_gru_kernel")
    rng = np.random.default_rng(13)
    for d, h in GRU_KERNEL_SIZES:
        weight_ih = rng.normal(size=(3 * h, d))
        result = call_reader(function, weight_ih.copy(), context=f"on weight_ih of shape {weight_ih.shape}")
        kernel = as_array(result, f"the kernel your function returns for d = {d}, h = {h}")
        expected = keras_order("gru", weight_ih.T, 1)
        if kernel.shape != expected.shape:
            return wrong(
                f"For d = {d}, h = {h} the kernel should have shape (d, 3h); yours has {kernel.shape}."
            )
        if np.allclose(kernel, expected):
            continue
        if np.allclose(kernel, weight_ih.T):
            return wrong("The transpose is right, but the blocks are still in PyTorch's order r, z, n.")
        if np.allclose(kernel, keras_order("gru", weight_ih, 0).reshape(d, 3 * h)):
            return wrong("Transpose, do not reshape: a reshape mixes up the rows and columns.")
        return wrong(
            f"For d = {d}, h = {h} some columns hold the wrong numbers: cut weight_ih into its "
            "three row blocks and put them in Keras's order."
        )
    return right("Transpose, then swap the first two blocks: r, z, n becomes z, r, h.")
