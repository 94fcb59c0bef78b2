"""cells.to_tf1 / tf1_step: TF1's single-matrix layout computes what the cells compute.

TensorFlow 1 is not installed (it is retired); tf1_step mirrors the arithmetic of its
BasicLSTMCell, GRUCell and BasicRNNCell, and these tests hold the cells to it.
"""

import numpy as np
import pytest

import cells


def randomized(cell, rng):
    for value in cell.params().values():
        value[...] = rng.normal(scale=0.7, size=value.shape)
    return cell


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("forget_bias", [0.0, 1.0, 2.5])
def test_basic_lstm_cell_layout_computes_the_cells_step(seed, forget_bias):
    rng = np.random.default_rng(seed)
    d, h, B = (int(v) for v in rng.integers(1, 7, size=3))
    cell = randomized(cells.LSTMCell(d, h, rng=seed), rng)
    arrays = cells.to_tf1(cell, forget_bias=forget_bias)
    assert arrays["kernel"].shape == (d + h, 4 * h) and arrays["bias"].shape == (4 * h,)
    x, h0, c0 = rng.normal(size=(B, d)), rng.normal(size=(B, h)), rng.normal(size=(B, h))
    (h1, c1), _ = cell.step(x, (h0, c0))
    c_tf1, h_tf1 = cells.tf1_step(arrays, x, (c0, h0), forget_bias=forget_bias)
    np.testing.assert_allclose(h_tf1, h1, atol=1e-12)
    np.testing.assert_allclose(c_tf1, c1, atol=1e-12)


def test_basic_lstm_kernel_blocks_are_i_j_f_o_over_x_then_h():
    cell = cells.LSTMCell(2, 3, rng=0)
    cell.weight_hh[...] = 0
    cell.weight_ih[...] = 0
    cell.weight_ih[6:9] = 7.0  # PyTorch's g block
    kernel = cells.to_tf1(cell)["kernel"]
    assert np.all(kernel[:2, 3:6] == 7.0) and np.count_nonzero(kernel) == 6  # TF1's j block, rows of x


@pytest.mark.parametrize("seed", range(8))
def test_gru_cell_layout_computes_a_reset_before_gru(seed):
    rng = np.random.default_rng(seed)
    d, h, B = (int(v) for v in rng.integers(1, 7, size=3))
    cell = randomized(cells.GRUCell(d, h, rng=seed, reset_after=False), rng)
    arrays = cells.to_tf1(cell)
    assert arrays["gates/kernel"].shape == (d + h, 2 * h) and arrays["candidate/kernel"].shape == (d + h, h)
    x, h0 = rng.normal(size=(B, d)), rng.normal(size=(B, h))
    np.testing.assert_allclose(cells.tf1_step(arrays, x, h0), cell.step(x, h0)[0], atol=1e-12)
    total = sum(a.size for a in arrays.values())
    assert total == cells.count_params("gru", d, h, convention="tf1").total


@pytest.mark.parametrize("seed", range(4))
def test_basic_rnn_cell_layout(seed):
    rng = np.random.default_rng(seed)
    cell = randomized(cells.RNNCell(3, 4, rng=seed), rng)
    arrays = cells.to_tf1(cell)
    x, h0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(cells.tf1_step(arrays, x, h0), cell.step(x, h0)[0], atol=1e-12)
    assert sum(a.size for a in arrays.values()) == cells.count_params("rnn", 3, 4, convention="tf1").total


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: cells.GRUCell(2, 3, rng=0), r"reset_after=False, got reset_after=True"),
        (lambda: cells.LSTMCell(2, 3, bias=False, rng=0), r"always have a bias"),
        (lambda: cells.RNNCell(2, 3, nonlinearity="relu", rng=0), r"BasicRNNCell uses tanh.*'relu'"),
        (lambda: cells.LSTM(2, 3, rng=0), r"expects a cells LSTMCell, GRUCell or RNNCell; got LSTM"),
    ],
)
def test_to_tf1_refuses_what_tf1_cannot_store(make, match):
    with pytest.raises(ValueError, match=match):
        cells.to_tf1(make())
