"""The weight-free maths the widgets drive by hand."""

import warnings

import numpy as np
import pytest

import cells


def test_lstm_state_update_by_hand():
    c, h = cells.lstm_state_update(c_prev=2.0, i=0.5, f=0.25, g=-1.0, o=0.8)
    assert c == pytest.approx(0.25 * 2.0 + 0.5 * -1.0)
    assert h == pytest.approx(0.8 * np.tanh(0.0))
    c, h = cells.lstm_state_update(0.3, 0.0, 1.0, 0.9, 1.0)  # forget gate open, input shut: memory kept
    assert c == pytest.approx(0.3) and h == pytest.approx(np.tanh(0.3))


def test_lstm_state_update_arrays_elementwise():
    rng = np.random.default_rng(0)
    c_prev, g = rng.normal(size=(2, 3)), rng.uniform(-1, 1, size=(2, 3))
    i, f, o = rng.uniform(size=(3, 2, 3))
    c, h = cells.lstm_state_update(c_prev, i, f, g, o)
    for index in np.ndindex(2, 3):
        expected_c = f[index] * c_prev[index] + i[index] * g[index]
        assert c[index] == pytest.approx(expected_c)
        assert h[index] == pytest.approx(o[index] * np.tanh(expected_c))


def test_gru_state_update_pytorch_convention():
    assert cells.gru_state_update(h_prev=0.7, z=1.0, n=-0.2) == pytest.approx(0.7)   # z = 1 keeps
    assert cells.gru_state_update(h_prev=0.7, z=0.0, n=-0.2) == pytest.approx(-0.2)  # z = 0 replaces
    assert cells.gru_state_update(h_prev=1.0, z=0.25, n=0.0) == pytest.approx(0.25)


def test_state_updates_refuse_to_broadcast():
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(1,\)"):
        cells.lstm_state_update(np.zeros(3), np.zeros(1), np.zeros(3), np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="same shape"):
        cells.gru_state_update(np.zeros((2, 3)), np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        cells.gru_state_update(0.0, np.nan, 0.0)
    with pytest.raises(ValueError, match="real numbers"):
        cells.gru_state_update("a", 0.5, 0.0)


def test_sigmoid_matches_definition_and_never_warns():
    x = np.linspace(-30, 30, 301)
    np.testing.assert_allclose(cells.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-13, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extremes = cells.sigmoid(np.array([-1e4, 1e4]))
    assert extremes[0] == 0.0 and extremes[1] == 1.0
