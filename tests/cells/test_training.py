"""Optimisers against torch.optim, clipping against torch's, and a small model that learns."""

import numpy as np
import pytest
import torch

import cells


def test_adam_and_sgd_match_torch_optim():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(3, 4))
    gradients = [rng.normal(size=(3, 4)) for _ in range(5)]
    for ours, make_theirs in [(cells.Adam(lr=0.01), lambda p: torch.optim.Adam([p], lr=0.01)),
                              (cells.SGD(lr=0.1, momentum=0.9), lambda p: torch.optim.SGD([p], lr=0.1, momentum=0.9))]:
        w = start.copy()
        p = torch.tensor(start, requires_grad=True)
        theirs = make_theirs(p)
        for g in gradients:
            ours.step({"w": w}, {"w": g.copy()})
            p.grad = torch.from_numpy(g.copy())
            theirs.step()
        np.testing.assert_allclose(w, p.detach().numpy(), rtol=0, atol=1e-12)


def test_clip_grad_norm_matches_torch_and_returns_norm_before():
    rng = np.random.default_rng(1)
    grads = {"a": rng.normal(size=(4, 3)) * 5, "b": rng.normal(size=7) * 5}
    tensors = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.from_numpy(g.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, 1.0).item()
    norm = cells.clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(expected_norm, rel=1e-12)
    for t, g in zip(tensors, grads.values()):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=0, atol=1e-12)
    assert np.sqrt(sum(np.sum(g ** 2) for g in grads.values())) == pytest.approx(1.0, abs=1e-5)
    small = {"a": np.array([0.1, 0.2])}
    assert cells.clip_grad_norm(small, 1.0) == pytest.approx(np.sqrt(0.05))
    np.testing.assert_array_equal(small["a"], [0.1, 0.2])  # under the limit: untouched


def test_sequence_model_gradients_by_finite_differences():
    for readout, out_shape in [("last", (3, 2)), ("all", (4, 3, 2))]:
        model = cells.SequenceModel(cells.GRU(2, 3, num_layers=2, rng=0), 2, readout=readout, rng=1)
        rng = np.random.default_rng(2)
        x, P = rng.normal(size=(4, 3, 2)), rng.normal(size=out_shape)
        assert model.forward(x).shape == out_shape
        dx, grads = model.backward(P)
        assert list(grads) == list(model.params())
        assert "rnn.weight_hh_l1" in grads and "head.weight" in grads
        def loss():
            return np.sum(model.forward(x) * P)

        cells.gradcheck(loss, model.params(), grads, max_entries=6)
        cells.gradcheck(loss, {"x": x}, {"x": dx})


def test_train_reduces_loss_on_adding_problem_and_stops_at_target():
    """A tiny LSTM + linear head beats the 'predict 1' baseline on a short adding problem."""
    rng = np.random.default_rng(0)
    model = cells.SequenceModel(cells.LSTM(2, 16, rng=0), 1, rng=0)
    held_out = cells.tasks.adding_problem(500, 8, rng=123)
    baseline = cells.tasks.adding_problem_baseline()
    history = cells.train(model, lambda: cells.tasks.adding_problem(32, 8, rng), loss="mse",
                          optimizer=cells.Adam(0.01), steps=400, max_norm=1.0, evaluate=held_out,
                          eval_every=50, target=baseline / 4, progress=False)
    assert isinstance(history, list) and len(history) == len(history) and history.seconds > 0
    assert history.reached_target and history.eval_losses[-1] < baseline / 4
    assert history.eval_steps[-1] == len(history)


def test_train_is_deterministic_with_seeds():
    def run():
        rng = np.random.default_rng(5)
        model = cells.SequenceModel(cells.RNN(2, 4, rng=1), 1, rng=2)
        return cells.train(model, lambda: cells.tasks.adding_problem(8, 5, rng), steps=5, progress=False)
    assert list(run()) == list(run())


def test_train_errors():
    model = cells.SequenceModel(cells.RNN(2, 4, rng=1), 1, rng=2)
    data = cells.tasks.adding_problem(8, 5, rng=0)
    with pytest.raises(ValueError, match=r"loss must be one of 'mse', 'cross_entropy', 'bce' or a function; got 'l1'"):
        cells.train(model, data, loss="l1", progress=False)
    with pytest.raises(ValueError, match=r"lr must be a positive number; got -1"):
        cells.Adam(lr=-1)
    with pytest.raises(ValueError, match=r"missing \['b'\], unexpected \['c'\]"):
        cells.SGD().step({"a": np.zeros(1), "b": np.zeros(1)}, {"a": np.zeros(1), "c": np.zeros(1)})
    with pytest.raises(ValueError, match=r"recurrent must be a cells layer"):
        cells.SequenceModel(cells.LSTMCell(2, 3), 1)


def test_training_steps_follow_torch_exactly():
    """Five steps of LSTM + linear head with Adam and clipping: the same weights as torch's."""
    rng = np.random.default_rng(3)
    model = cells.SequenceModel(cells.LSTM(2, 5, num_layers=2, rng=0), 1, rng=1)
    lstm, head = cells.to_torch(model.rnn), cells.to_torch(model.head)
    torch_params = list(lstm.parameters()) + list(head.parameters())
    torch_opt = torch.optim.Adam(torch_params, lr=0.01)
    batches = [cells.tasks.adding_problem(4, 6, rng) for _ in range(5)]
    cells.train(model, iter(batches).__next__, loss="mse", optimizer=cells.Adam(0.01), steps=5,
                max_norm=0.5, progress=False)
    for x, y in batches:
        torch_opt.zero_grad()
        output, _ = lstm(torch.from_numpy(x))
        loss = torch.nn.functional.mse_loss(head(output[-1]), torch.from_numpy(y))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(torch_params, 0.5)
        torch_opt.step()
    for name, p in lstm.named_parameters():
        np.testing.assert_allclose(model.params()["rnn." + name], p.detach().numpy(), rtol=0, atol=1e-10, err_msg=name)
    np.testing.assert_allclose(model.params()["head.weight"], head.weight.detach().numpy(), rtol=0, atol=1e-10)
