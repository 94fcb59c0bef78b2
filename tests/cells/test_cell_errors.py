"""Bad input raises ValueError naming what was expected and what was given; seeds are honoured."""

import numpy as np
import pytest

import cells

CELLS = {"rnn": cells.RNNCell, "lstm": cells.LSTMCell, "gru": cells.GRUCell}


@pytest.mark.parametrize("kind", list(CELLS))
def test_wrong_input_shape_names_expected_and_given(kind):
    cell = CELLS[kind](3, 4, rng=0)
    with pytest.raises(ValueError, match=r"x_t must have shape \(B, d\) = \(\?, 3\); got \(2, 5\)"):
        cell.step(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"x_t must have shape .*; got \(3,\)"):
        cell.step(np.zeros(3))  # a missing batch axis is not added silently
    with pytest.raises(ValueError, match=r"x must have shape \(T, B, d\) = \(\?, \?, 3\); got \(4, 3\)"):
        cells.unroll(cell, np.zeros((4, 3)))


@pytest.mark.parametrize("kind", list(CELLS))
def test_wrong_state_shape_is_not_broadcast(kind):
    cell = CELLS[kind](3, 4, rng=0)
    x = np.zeros((2, 3))
    bad = np.zeros((1, 4))  # would broadcast over the batch of 2
    state = (bad, np.zeros((2, 4))) if kind == "lstm" else bad
    with pytest.raises(ValueError, match=r"must have shape \(B, h\) = \(2, 4\); got \(1, 4\)"):
        cell.step(x, state)


def test_lstm_state_must_be_a_pair():
    cell = cells.LSTMCell(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"pair \(h, c\); got ndarray"):
        cell.step(np.zeros((2, 3)), np.zeros((2, 4)))


@pytest.mark.parametrize("bad,match", [
    (np.full((2, 3), np.nan), "finite"),
    (np.full((2, 3), np.inf), "finite"),
    (np.zeros((2, 3), dtype=complex), "real numbers; got an array of dtype complex128"),
    (np.zeros((2, 3), dtype=bool), "real numbers; got an array of dtype bool"),
    ([["a", "b", "c"]], "real numbers"),
])
def test_non_finite_and_wrong_dtypes(bad, match):
    with pytest.raises(ValueError, match=match):
        cells.GRUCell(3, 4, rng=0).step(bad)


def test_integer_and_float32_inputs_are_real_numbers():
    cell = cells.RNNCell(2, 3, rng=0)
    h_int, _ = cell.step(np.array([[1, 0]]))
    h_float, _ = cell.step(np.array([[1.0, 0.0]], dtype=np.float32))
    np.testing.assert_array_equal(h_int, h_float)
    assert h_int.dtype == np.float64


@pytest.mark.parametrize("kwargs,match", [
    (dict(nonlinearity="softplus"),
     r"nonlinearity must be one of 'tanh', 'relu', 'sigmoid', 'identity'; got 'softplus'"),
    (dict(input_size=0), r"input_size must be a positive integer; got 0"),
    (dict(hidden_size=-2), r"hidden_size must be a positive integer; got -2"),
    (dict(bias="no"), r"bias must be True or False; got 'no'"),
    (dict(rng="seed"), r"rng must be None, an int seed or a numpy.random.Generator; got 'seed'"),
    (dict(dtype=np.int32), r"dtype must be float32 or float64; got int32"),
])
def test_constructor_errors(kwargs, match):
    args = dict(input_size=2, hidden_size=3) | kwargs
    with pytest.raises(ValueError, match=match):
        cells.RNNCell(**args)


def test_overwritten_weight_with_wrong_shape_is_caught():
    cell = cells.LSTMCell(3, 4, rng=0)
    cell.weight_hh = np.zeros((4, 4))
    with pytest.raises(ValueError, match=r"weight_hh must be an array of shape \(16, 4\); got \(4, 4\)"):
        cell.step(np.zeros((1, 3)))


def test_backward_gradient_shapes_checked():
    cell = cells.GRUCell(3, 4, rng=0)
    _, _, caches = cells.unroll(cell, np.zeros((5, 2, 3)))
    expected = r"d_outputs must have shape \(T, B, h\) = \(5, 2, 4\); got \(5, 4\)"
    with pytest.raises(ValueError, match=expected):
        cells.backprop_through_time(cell, caches, np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"cell must be an RNNCell, LSTMCell or GRUCell; got str"):
        cells.unroll("lstm", np.zeros((5, 2, 3)))


@pytest.mark.parametrize("kind", list(CELLS))
def test_seed_determines_weights_and_torch_like_init(kind):
    a, b, c = CELLS[kind](5, 16, rng=3), CELLS[kind](5, 16, rng=3), CELLS[kind](5, 16, rng=4)
    for name in a.params():
        np.testing.assert_array_equal(a.params()[name], b.params()[name])
        assert not np.array_equal(a.params()[name], c.params()[name])
        assert np.abs(a.params()[name]).max() <= 1 / np.sqrt(16)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    assert a.weight_ih.shape == (gates * 16, 5) and a.weight_hh.shape == (gates * 16, 16)
    generator = np.random.default_rng(3)
    np.testing.assert_array_equal(CELLS[kind](5, 16, rng=generator).weight_ih, a.weight_ih)


def test_bias_false_has_no_bias_arrays():
    cell = cells.LSTMCell(2, 3, bias=False, rng=0)
    assert cell.bias_ih is None and cell.bias_hh is None
    assert set(cell.params()) == {"weight_ih", "weight_hh"}
    _, cache = cell.step(np.ones((1, 2)))
    assert set(cell.step_backward((np.ones((1, 3)), None), cache)[2]) == {"weight_ih", "weight_hh"}
