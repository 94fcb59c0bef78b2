"""The checkers of the chapter "One network, three frameworks": right answers pass, typical slips get
the feedback written for them, junk gets a sentence and False, and no feedback gives the answer away.

Expected values are worked out by hand from the exercise texts (and, for the Keras layouts, read from
real Keras below), not taken from the checkers.
"""

import math

import keras
import numpy as np
import pytest

from exercises import frameworks

# keras.layers.LSTM(128) on 28 inputs: kernel (28, 4 * 128)
KERNEL = (28, 512)
# GRU(64): Keras's order z, r, h puts z in columns 0..64
UPDATE_COLUMNS = (0, 64)
# GRU(64) on 32 inputs: reset_after=True bias (2, 192); reset_after=False bias (192,)
GRU_BIASES = (2 * 3 * 64, 3 * 64)
# LSTM(28, 128): PyTorch keeps b_ih and b_hh (2 * 512), Keras one bias (512)
DIFFERENCE = 4 * 128
# BasicLSTMCell(256) on 300 inputs: kernel (300 + 256, 4 * 256)
# b_if + b_hf = 0.25 and TF1 adds forget_bias = 1 at run time: store 0.25 - 1
TF1_KERNEL = (556, 1024)


def keras_to_torch_free_reorder(weight_ih):
    r, z, n = np.split(weight_ih, 3, axis=0)
    return np.concatenate([z, r, n], axis=0).T


def transpose_only(weight_ih):
    return weight_ih.T


def reshape_only(weight_ih):
    r, z, n = np.split(weight_ih, 3, axis=0)
    return np.concatenate([z, r, n], axis=0).reshape(weight_ih.shape[1], -1)


def raises(weight_ih):
    raise RuntimeError("shapes do not match")


def wrong_shape(weight_ih):
    return weight_ih


def run(checker, answer, capsys):
    result = checker(answer)
    return result, " ".join(capsys.readouterr().out.split())


RIGHT = [
    (frameworks.check_keras_kernel_shape, KERNEL),
    (frameworks.check_gru_update_columns, UPDATE_COLUMNS),
    (frameworks.check_gru_bias_counts, GRU_BIASES),
    (frameworks.check_same_units_difference, DIFFERENCE),
    (frameworks.check_tf1_kernel_shape, TF1_KERNEL),
    (frameworks.check_tf1_forget_bias, -0.75),
    (frameworks.check_weight_sets, 1),
    (frameworks.check_gru_kernel_from_torch, keras_to_torch_free_reorder),
]


@pytest.mark.parametrize("checker, answer", RIGHT, ids=lambda v: getattr(v, "__name__", str(v)))
def test_right_answers_pass(checker, answer, capsys):
    result, out = run(checker, answer, capsys)
    assert result is True and out.startswith("Correct.")


def test_every_checker_is_tested_and_listed():
    names = {c.__name__ for c, _ in RIGHT}
    assert names == {n for n in frameworks.__all__ if n.startswith("check_")}


@pytest.mark.parametrize(
    "checker, answer, phrase",
    [
        (frameworks.check_keras_kernel_shape, (512, 28), "PyTorch's weight_ih_l0"),
        (frameworks.check_keras_kernel_shape, (128, 512), "recurrent_kernel"),
        (frameworks.check_keras_kernel_shape, (28, 128), "one gate's block"),
        (frameworks.check_keras_kernel_shape, (156, 512), "TensorFlow 1"),
        (frameworks.check_gru_update_columns, (64, 128), "where PyTorch keeps z"),
        (frameworks.check_gru_update_columns, (0, 32), "stop - start"),
        (frameworks.check_gru_bias_counts, (192, 384), "swapped"),
        (frameworks.check_gru_bias_counts, (192, 192), "shape (2, 3h)"),
        (frameworks.check_same_units_difference, -512, "sign"),
        (frameworks.check_same_units_difference, 0, "do not keep the same number of biases"),
        (frameworks.check_same_units_difference, 128, "every gate"),
        (frameworks.check_tf1_kernel_shape, (300, 1024), "Keras's kernel"),
        (frameworks.check_tf1_kernel_shape, (556, 256), "one gate's block"),
        (frameworks.check_tf1_kernel_shape, (1024, 556), "swapped"),
        (frameworks.check_tf1_forget_bias, 0.75, "sign"),
        (frameworks.check_tf1_forget_bias, 1.25, "sign"),
        (frameworks.check_tf1_forget_bias, 0.25, "at run time"),
        (frameworks.check_tf1_forget_bias, -1.0, "must equal"),
        (frameworks.check_weight_sets, 35, "time steps"),
        (frameworks.check_weight_sets, 200, "num_units"),
        (frameworks.check_weight_sets, 4, "four gate blocks"),
        (frameworks.check_gru_kernel_from_torch, transpose_only, "PyTorch's order r, z, n"),
        (frameworks.check_gru_kernel_from_torch, reshape_only, "do not reshape"),
        (frameworks.check_gru_kernel_from_torch, wrong_shape, "should have shape (d, 3h)"),
        (frameworks.check_gru_kernel_from_torch, raises, "RuntimeError: shapes do not match"),
    ],
)
def test_typical_slips_get_their_feedback(checker, answer, phrase, capsys):
    result, out = run(checker, answer, capsys)
    assert result is False and out.startswith("Not yet.") and phrase in out


JUNK = [..., None, "28, 512", math.nan, True, [1, "a"], {"a": 1}, print, int, np.array([np.inf]), (1, 2, 3)]


@pytest.mark.parametrize("checker", [c for c, _ in RIGHT], ids=lambda c: c.__name__)
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_junk_gets_a_sentence_and_false_never_an_exception(checker, junk, capsys):
    result, out = run(checker, junk, capsys)
    assert result is False
    if junk is ...:
        assert out == "Replace ... with your answer, then run the cell again."
    elif junk is None:  # a function without a return statement, or the placeholder overwritten with None
        assert out.startswith("Your answer is None") and "Replace ... with your answer" in out
    else:
        # (print, given as a function, prints the array it is called with before the verdict)
        verdict = out[out.index("Not yet. ") :] if junk is print else out
        assert verdict.startswith("Not yet. ") and len(verdict) > 30  # a sentence, not a bare verdict


@pytest.mark.parametrize("checker, answer", RIGHT, ids=lambda v: getattr(v, "__name__", str(v)))
def test_no_feedback_prints_the_answer(checker, answer, capsys):
    for slip in [(1, 1), 7, 2.5, transpose_only]:
        checker(slip)
        out = capsys.readouterr().out
        if isinstance(answer, tuple):
            assert str(answer) not in out and f"{answer[0]}, {answer[1]}" not in out
        elif isinstance(answer, (int, float)):
            assert f" {answer} " not in f" {out} ".replace(".", " ")


@pytest.mark.parametrize("reset_after, kind", [(True, "GRU"), (False, "GRU"), (None, "LSTM")])
def test_the_hand_worked_values_agree_with_real_keras(reset_after, kind):
    """The exercise texts' Keras facts, read from Keras itself."""
    if kind == "LSTM":
        layer = keras.layers.LSTM(128)
        layer.build((None, None, 28))
        assert tuple(layer.weights[0].shape) == KERNEL
        return
    layer = keras.layers.GRU(64, reset_after=reset_after)
    layer.build((None, None, 32))
    bias = [w for w in layer.weights if w.path.endswith("bias")][0]
    assert int(np.prod(bias.shape)) == GRU_BIASES[0 if reset_after else 1]
