"""Layers without torch: finite differences through stacked bidirectional layers, errors, seeds."""

import numpy as np
import pytest

import cells

LAYERS = {"rnn": cells.RNN, "lstm": cells.LSTM, "gru": cells.GRU}


@pytest.mark.parametrize("kind", list(LAYERS))
def test_stacked_bidirectional_gradients_by_finite_differences(kind):
    layer = LAYERS[kind](2, 3, num_layers=2, bidirectional=True, batch_first=True, rng=1)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 4, 2))
    h0 = rng.normal(size=(4, 2, 3))
    state = (h0, rng.normal(size=(4, 2, 3))) if kind == "lstm" else h0
    P = rng.normal(size=(2, 4, 6))
    Q = tuple(rng.normal(size=(4, 2, 3)) for _ in range(2)) if kind == "lstm" else rng.normal(size=(4, 2, 3))

    def loss():
        output, final = layer.forward(x, state)
        finals, weights = (final, Q) if kind == "lstm" else ((final,), (Q,))
        return np.sum(output * P) + sum(np.sum(f * q) for f, q in zip(finals, weights))

    loss()
    dx, grads = layer.backward(P, Q)
    d_initial = layer.d_initial_state
    for name, param in layer.params().items():
        cells.gradcheck(loss, {name: param}, {name: grads[name]}, max_entries=12)
    cells.gradcheck(loss, {"x": x}, {"x": dx})
    if kind == "lstm":
        cells.gradcheck(loss, {"h0": state[0], "c0": state[1]}, {"h0": d_initial[0], "c0": d_initial[1]})
    else:
        cells.gradcheck(loss, {"h0": state}, {"h0": d_initial})


def test_one_layer_equals_unrolled_cell():
    """A one-layer, one-direction LSTM layer is exactly `unroll` of its cell."""
    layer = cells.LSTM(3, 4, rng=0)
    x = np.random.default_rng(1).normal(size=(6, 2, 3))
    output, (h_n, c_n) = layer.forward(x)
    outputs, (h, c), _ = cells.unroll(layer.cells[0][0], x)
    np.testing.assert_allclose(output, outputs, rtol=0, atol=1e-14)
    np.testing.assert_allclose(h_n[0], h, rtol=0, atol=1e-14)
    np.testing.assert_allclose(c_n[0], c, rtol=0, atol=1e-14)


def test_reverse_direction_reads_the_sequence_backwards():
    layer = cells.GRU(2, 3, bidirectional=True, rng=5)
    x = np.random.default_rng(2).normal(size=(5, 1, 2))
    output, h_n = layer.forward(x)
    reverse_outputs, reverse_final, _ = cells.unroll(layer.cells[0][1], x[::-1])
    np.testing.assert_allclose(output[:, :, 3:], reverse_outputs[::-1], rtol=0, atol=1e-14)
    np.testing.assert_allclose(h_n[1], reverse_final, rtol=0, atol=1e-14)
    np.testing.assert_allclose(output[0, :, 3:], h_n[1], rtol=0, atol=1e-14)  # reverse ends at t = 1


def test_layer_params_names_and_shapes():
    layer = cells.LSTM(5, 4, num_layers=2, bidirectional=True, rng=0)
    shapes = {name: p.shape for name, p in layer.params().items()}
    assert shapes["weight_ih_l0"] == (16, 5)
    assert shapes["weight_ih_l1_reverse"] == (16, 8)  # layer 2 sees h * directions inputs
    assert shapes["bias_hh_l1_reverse"] == (16,)
    assert len(shapes) == 16
    assert sum(p.size for p in layer.params().values()) == cells.count_params(
        "lstm", 5, 4, num_layers=2, bidirectional=True).total
    assert set(cells.GRU(2, 3, bias=False, rng=0).params()) == {"weight_ih_l0", "weight_hh_l0"}


def test_seed_reproduces_layer_and_optimiser_can_update_in_place():
    a, b = cells.GRU(3, 4, num_layers=2, rng=7), cells.GRU(3, 4, num_layers=2, rng=7)
    for name in a.params():
        np.testing.assert_array_equal(a.params()[name], b.params()[name])
    a.params()["weight_hh_l1"][...] = 0.0  # params() hands out the arrays themselves
    assert not a.cells[1][0].weight_hh.any()


@pytest.mark.parametrize("kind", list(LAYERS))
def test_layer_shape_errors(kind):
    layer = LAYERS[kind](3, 4, num_layers=2, batch_first=True, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(B, T, d\) = \(\?, \?, 3\); got \(2, 5, 4\)"):
        layer.forward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match="call forward"):
        layer.backward(np.zeros((2, 5, 4)))
    bad_h = np.zeros((1, 2, 4))  # one layer's worth for a two-layer network
    state = (bad_h, np.zeros((2, 2, 4))) if kind == "lstm" else bad_h
    expected = r"must have shape \(num_layers \* directions, B, h\) = \(2, 2, 4\); got \(1, 2, 4\)"
    with pytest.raises(ValueError, match=expected):
        layer.forward(np.zeros((2, 5, 3)), state)
    output, _ = layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"d_output must have shape \(2, 5, 4\); got \(5, 2, 4\)"):
        layer.backward(np.zeros((5, 2, 4)))
    with pytest.raises(ValueError, match="finite"):
        layer.forward(np.full((2, 5, 3), np.nan))


def test_lstm_layer_state_must_be_pair():
    expected = r"state of an LSTM must be a pair \(state_h, state_c\); got ndarray"
    with pytest.raises(ValueError, match=expected):
        cells.LSTM(2, 3, rng=0).forward(np.zeros((4, 1, 2)), np.zeros((1, 1, 3)))


def test_layer_constructor_errors():
    with pytest.raises(ValueError, match=r"num_layers must be a positive integer; got 0"):
        cells.LSTM(2, 3, num_layers=0)
    with pytest.raises(ValueError, match=r"batch_first must be True or False; got 1"):
        cells.GRU(2, 3, batch_first=1)
    with pytest.raises(ValueError, match=r"nonlinearity must be one of .*; got 'elu'"):
        cells.RNN(2, 3, nonlinearity="elu")
    with pytest.raises(ValueError, match=r"at least one time step"):
        cells.RNN(2, 3, rng=0).forward(np.zeros((0, 1, 2)))


def test_float32_layer_stays_float32():
    layer = cells.LSTM(3, 4, rng=0, dtype=np.float32)
    output, (h_n, c_n) = layer.forward(np.ones((5, 2, 3)))
    dx, grads = layer.backward(np.ones_like(output))
    assert output.dtype == h_n.dtype == dx.dtype == grads["weight_hh_l0"].dtype == np.float32


def test_lstm_backward_accepts_one_half_of_d_state():
    """d_state=(None, dc_n): only the cell state's gradient is given; None counts as zeros."""
    layer = cells.LSTM(2, 3, rng=0)
    x = np.random.default_rng(0).normal(size=(4, 2, 2))
    output, (h_n, c_n) = layer.forward(x)
    dc_n = np.ones_like(c_n)
    dx_half, grads_half = layer.backward(np.zeros_like(output), (None, dc_n))
    dx_full, grads_full = layer.backward(np.zeros_like(output), (np.zeros_like(h_n), dc_n))
    np.testing.assert_array_equal(dx_half, dx_full)
    assert np.abs(dx_half).sum() > 0
