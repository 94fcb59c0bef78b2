"""Backward passes checked by finite differences alone (no torch), one parameter at a time.

A failure names the cell, the parameter and the entry, which points at one equation.
"""

import numpy as np
import pytest

import cells

CELLS = {"rnn": cells.RNNCell, "lstm": cells.LSTMCell, "gru": cells.GRUCell,
         "ungated": cells.UngatedMemoryCell}
# Every sequence kernel: the fast path of each of these is a separate piece of code.
KINDS = ["rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm", "gru", "gru-reset_before",
         "gru-reset_before-nobias", "ungated"]


def build(kind):
    name, *options = kind.split("-")
    kwargs = {"bias": "nobias" not in options}
    if name == "rnn":
        kwargs["nonlinearity"] = options[0]
    if "reset_before" in options:
        kwargs["reset_after"] = False
    return name, CELLS[name](3, 4, rng=11, **kwargs)


def sequence_loss_setup(kind, fast):
    """A scalar loss L = sum(outputs * P) + <final state, Q> with fixed random P, Q."""
    _, cell = build(kind)
    rng = np.random.default_rng(3)
    T, B = 5, 2
    x = rng.normal(size=(T, B, 3))
    state = ((rng.normal(size=(B, 4)), rng.normal(size=(B, 4))) if cell.has_cell_state
             else rng.normal(size=(B, 4)))
    P = rng.normal(size=(T, B, 4))
    Q = (rng.normal(size=(B, 4)), rng.normal(size=(B, 4))) if cell.has_cell_state else rng.normal(size=(B, 4))

    def run():
        if fast:
            outputs, final, cache = cell.forward_sequence(x, state)
        else:
            outputs, final, cache = cells.unroll(cell, x, state)
        return outputs, final, cache

    def loss():
        outputs, final, _ = run()
        if cell.has_cell_state:
            return np.sum(outputs * P) + np.sum(final[0] * Q[0]) + np.sum(final[1] * Q[1])
        return np.sum(outputs * P) + np.sum(final * Q)

    _, _, cache = run()
    if fast:
        dx, d_initial, grads = cell.backward_sequence(cache, P, Q)
    else:
        dx, d_initial, grads, _ = cells.backprop_through_time(cell, cache, P, Q)
    inputs = {"x": x}
    input_grads = {"x": dx}
    if cell.has_cell_state:
        inputs.update(h0=state[0], c0=state[1])
        input_grads.update(h0=d_initial[0], c0=d_initial[1])
    else:
        inputs["h0"], input_grads["h0"] = state, d_initial
    return cell, loss, grads, inputs, input_grads


@pytest.mark.parametrize("fast", [False, True], ids=["unroll", "forward_sequence"])
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_gradients_by_finite_differences(kind, fast):
    cell, loss, grads, _, _ = sequence_loss_setup(kind, fast)
    for name, param in cell.params().items():
        # one gradcheck per parameter, so the failure message names it
        cells.gradcheck(loss, {name: param}, {name: grads[name]})


@pytest.mark.parametrize("fast", [False, True], ids=["unroll", "forward_sequence"])
@pytest.mark.parametrize("kind", KINDS)
def test_input_and_initial_state_gradients_by_finite_differences(kind, fast):
    _, loss, _, inputs, input_grads = sequence_loss_setup(kind, fast)
    for name in inputs:
        cells.gradcheck(loss, {name: inputs[name]}, {name: input_grads[name]})


@pytest.mark.parametrize("kind", KINDS)
def test_fast_sequence_path_equals_step_by_step(kind):
    """The layers' sequence methods compute exactly what unroll / backprop_through_time do."""
    _, cell = build(kind)
    rng = np.random.default_rng(8)
    x = rng.normal(size=(7, 3, 3))
    state = ((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))) if cell.has_cell_state
             else rng.normal(size=(3, 4)))
    d_out = rng.normal(size=(7, 3, 4))
    slow_out, slow_final, caches = cells.unroll(cell, x, state)
    fast_out, fast_final, cache = cell.forward_sequence(x, state)
    np.testing.assert_allclose(fast_out, slow_out, rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.asarray(fast_final), np.asarray(slow_final), rtol=0, atol=1e-13)
    slow_dx, slow_d0, slow_grads, _ = cells.backprop_through_time(cell, caches, d_out)
    fast_dx, fast_d0, fast_grads = cell.backward_sequence(cache, d_out)
    np.testing.assert_allclose(fast_dx, slow_dx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.asarray(fast_d0), np.asarray(slow_d0), rtol=0, atol=1e-12)
    for p in slow_grads:
        np.testing.assert_allclose(fast_grads[p], slow_grads[p], rtol=0, atol=1e-12, err_msg=p)


def test_gradcheck_names_the_wrong_parameter_entry():
    """The checker itself must fail, and say where, when a gradient is wrong."""
    cell, loss, grads, _, _ = sequence_loss_setup("lstm", fast=True)
    broken = {k: v.copy() for k, v in grads.items()}
    broken["weight_hh"][2, 1] += 1e-3
    with pytest.raises(cells.GradcheckError, match=r"weight_hh\[2, 1\]"):
        cells.gradcheck(loss, cell.params(), broken)
    worst = cells.gradcheck(loss, cell.params(), broken, raise_on_failure=False)
    assert worst["weight_hh"] > 1 and worst["weight_ih"] <= 1


def test_d_hidden_is_the_total_gradient_at_each_step():
    """d_hidden[t] = dL/dh_t measured by nudging h_t: perturb the state fed to step t + 1."""
    cell = cells.RNNCell(2, 3, rng=4)
    rng = np.random.default_rng(0)
    x, P = rng.normal(size=(6, 1, 2)), rng.normal(size=(6, 1, 3))
    _, _, caches = cells.unroll(cell, x)
    _, _, _, d_hidden = cells.backprop_through_time(cell, caches, P)
    t, unit, eps = 2, 1, 1e-6

    def loss_with_nudge(delta):
        h = None
        total = 0.0
        for s in range(6):
            h, _ = cell.step(x[s], h)
            if s == t:
                h = h.copy()
                h[0, unit] += delta
            total += np.sum(h * P[s])
        return total

    numerical = (loss_with_nudge(eps) - loss_with_nudge(-eps)) / (2 * eps)
    assert abs(d_hidden[t, 0, unit] - numerical) < 1e-7
