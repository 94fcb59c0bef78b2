"""The experiment helpers: baselines shown by simulation, the forget bias, and runs that are reproducible."""

import numpy as np
import pytest

import cells
from cells import experiments, tasks


def _first_and_second_half_means(x, T):
    values = x[..., 0]
    return values[: T // 2].mean(axis=0), values[T // 2:].mean(axis=0)


@pytest.mark.parametrize("T", [4, 7, 30])
def test_marker_blind_mse_by_simulation(T):
    """The best guess that cannot see the markers predicts the two halves' means; simulate it."""
    x, y = tasks.adding_problem(200_000, T, rng=T)
    first, second = _first_and_second_half_means(x, T)
    simulated = np.mean((first + second - y[:, 0]) ** 2)
    assert experiments.marker_blind_mse(T) == pytest.approx(simulated, rel=1e-2)
    # Any other marker-blind guess does worse, the constant 1 included.
    assert np.mean((1.0 - y[:, 0]) ** 2) > simulated
    assert np.mean((0.9 * (first + second) + 0.1 - y[:, 0]) ** 2) > simulated


def test_marker_blind_mse_is_a_sixth_times_one_minus_two_over_T_for_even_T():
    assert experiments.marker_blind_mse(30) == pytest.approx((1 - 2 / 30) / 6, rel=1e-12)
    assert experiments.marker_blind_mse(30) == pytest.approx(0.156, abs=5e-4)


@pytest.mark.parametrize("T", [6, 31])
def test_second_marker_only_mse_by_simulation(T):
    x, y = tasks.adding_problem(200_000, T, rng=100 + T)
    values, markers = x[..., 0], x[..., 1]
    second_value = (values[T // 2:] * markers[T // 2:]).sum(axis=0)
    first_mean, _ = _first_and_second_half_means(x, T)
    simulated = np.mean((first_mean + second_value - y[:, 0]) ** 2)
    assert experiments.second_marker_only_mse(T) == pytest.approx(simulated, rel=1e-2)
    # Guessing 0.5 for the first value instead scores 1/12, half the baseline of predicting 1.
    assert np.mean((0.5 + second_value - y[:, 0]) ** 2) == pytest.approx(1 / 12, rel=1e-2)


@pytest.mark.parametrize("function", [experiments.marker_blind_mse, experiments.second_marker_only_mse])
@pytest.mark.parametrize("T", [1, 0, 2.5, "30"])
def test_baselines_refuse_lengths_without_two_halves(function, T):
    with pytest.raises(ValueError, match="T"):
        function(T)


def _logit(p):
    return np.log(p / (1 - p))


def test_add_forget_bias_moves_only_the_forget_preactivation():
    rng = np.random.default_rng(0)
    cell = cells.LSTMCell(3, 4, rng=1)
    x = rng.normal(size=(5, 3))
    _, before = cell.step(x)
    experiments.add_forget_bias(cell, 1.0)
    _, after = cell.step(x)
    np.testing.assert_allclose(_logit(after.gates["f"]), _logit(before.gates["f"]) + 1.0, atol=1e-9)
    for name in "igo":
        np.testing.assert_array_equal(after.gates[name], before.gates[name])


def test_add_forget_bias_reaches_every_cell_of_a_layer():
    layer = cells.LSTM(3, 4, num_layers=2, bidirectional=True, rng=0)
    before = {name: value.copy() for name, value in layer.params().items()}
    experiments.add_forget_bias(layer, 0.5)
    for name, value in layer.params().items():
        change = value - before[name]
        if name.startswith("bias_ih"):
            np.testing.assert_allclose(change[4:8], 0.5)
            np.testing.assert_array_equal(np.delete(change, np.s_[4:8]), 0)
        else:
            np.testing.assert_array_equal(change, 0)


@pytest.mark.parametrize("target, amount, message", [
    (lambda: cells.GRU(2, 3), 1.0, "LSTMCell or an LSTM layer"),
    (lambda: cells.LSTMCell(2, 3, bias=False), 1.0, "bias=False"),
    (lambda: cells.LSTMCell(2, 3), float("nan"), "finite number"),
    (lambda: cells.LSTMCell(2, 3), "1", "finite number"),
])
def test_add_forget_bias_refuses_what_it_cannot_change(target, amount, message):
    with pytest.raises(ValueError, match=message):
        experiments.add_forget_bias(target(), amount)


def test_make_layer_builds_each_kind():
    expected = {"GRU": cells.GRU, "LSTM": cells.LSTM, "LSTM, forget bias +1": cells.LSTM,
                "plain RNN": cells.RNN, "ungated memory": cells.UngatedMemory}
    for kind, layer_class in expected.items():
        layer = experiments.make_layer(kind, 5, rng=0)
        assert type(layer) is layer_class and layer.hidden_size == 5 and layer.dtype == np.float32
    plain = experiments.make_layer("LSTM", 5, rng=0).params()["bias_ih_l0"]
    biased = experiments.make_layer("LSTM, forget bias +1", 5, rng=0).params()["bias_ih_l0"]
    np.testing.assert_allclose(biased - plain, np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    with pytest.raises(ValueError, match="kind must be one of 'GRU'"):
        experiments.make_layer("Transformer", 5)


def test_adding_run_is_the_documented_training_loop():
    """Same seed, same model and batches: the run equals cells.train called by hand."""
    T, steps = 6, 30
    held_out = tasks.adding_problem(64, T, rng=5)
    history = experiments.adding_run("GRU", T, steps, hidden_size=8, batch_size=16, seed=3,
                                     held_out=held_out, eval_every=10, progress=False)
    rng = np.random.default_rng(3)
    model = cells.SequenceModel(cells.GRU(2, 8, rng=rng, dtype=np.float32), 1, rng=rng)
    data_rng = np.random.default_rng(1003)
    by_hand = cells.train(model, lambda: tasks.adding_problem(16, T, rng=data_rng), loss="mse",
                          optimizer=cells.Adam(1e-3), steps=steps, max_norm=1.0, evaluate=held_out,
                          eval_every=10, progress=False)
    np.testing.assert_array_equal(history, by_hand)
    np.testing.assert_array_equal(history.eval_losses, by_hand.eval_losses)
    assert history.eval_steps == [10, 20, 30]


def test_runs_with_one_seed_see_the_same_batches_whatever_the_layer():
    seen = {}
    for kind in ("plain RNN", "ungated memory"):
        batches = []
        original = experiments.adding_problem

        def recording(num_samples, T, rng=None):
            x, y = original(num_samples, T, rng=rng)
            batches.append(x)
            return x, y

        experiments.adding_problem = recording
        try:
            experiments.adding_run(kind, 5, 3, hidden_size=4, seed=7, held_out=original(8, 5, rng=0),
                                   progress=False)
        finally:
            experiments.adding_problem = original
        seen[kind] = batches
    assert len(seen["plain RNN"]) == 3
    for a, b in zip(seen["plain RNN"], seen["ungated memory"]):
        np.testing.assert_array_equal(a, b)


def test_adding_run_stops_at_the_target_and_counts_steps_from_the_evaluations():
    held_out = tasks.adding_problem(32, 5, rng=0)
    easy = experiments.adding_run("plain RNN", 5, 500, hidden_size=4, held_out=held_out, eval_every=20,
                                  target=10.0, progress=False)
    assert len(easy) == 20 and easy.reached_target
    assert experiments.steps_to_target(easy, 10.0) == 20
    assert experiments.steps_to_target(easy, 1e-9) is None


def test_steps_to_target_reads_the_first_evaluation_below_it():
    history = cells.History()
    history.eval_steps, history.eval_losses = [100, 200, 300, 400], [0.2, 0.04, 0.06, 0.01]
    assert experiments.steps_to_target(history, 0.05) == 200
    assert experiments.steps_to_target(history, 0.02) == 400
    assert experiments.steps_to_target(history, 0.01) is None


def test_a_gated_layer_learns_the_short_adding_problem():
    """Real learning, kept small: a GRU beats every marker-blind guess at T = 4 within 400 steps."""
    T = 4
    held_out = tasks.adding_problem(256, T, rng=1)
    history = experiments.adding_run("GRU", T, 400, hidden_size=16, held_out=held_out, progress=False)
    assert history.eval_losses[-1] < 0.8 * experiments.marker_blind_mse(T)


def test_adding_study_runs_every_combination_on_one_budget():
    runs = experiments.adding_study(["plain RNN", "GRU"], [4, 6], steps=40, target=10.0, seeds=[0, 1],
                                    eval_every=20, held_out_size=16, hidden_size=4, progress=False)
    assert sorted(runs) == sorted((k, T, s) for k in ("plain RNN", "GRU") for T in (4, 6) for s in (0, 1))
    table = experiments.steps_table(runs, 10.0)
    assert set(table.values()) == {20}  # every run is below an MSE of 10 at its first evaluation
    assert experiments.steps_table(runs, 1e-9) == dict.fromkeys(runs, None)


@pytest.mark.parametrize("arguments, message", [
    (dict(kinds=[], lengths=[4]), "kinds must name at least one"),
    (dict(kinds=["GRU"], lengths=[]), "lengths must name at least one"),
    (dict(kinds=["LSTM+1"], lengths=[4]), "kinds must be keys of LAYER_KINDS"),
    (dict(kinds=["GRU"], lengths=[4], target=0.0), "target must be a positive number"),
    (dict(kinds=["GRU"], lengths=[4], steps=0), "steps must be a positive integer"),
])
def test_adding_study_refuses_bad_settings(arguments, message):
    settings = dict(steps=10, target=0.05, progress=False) | arguments
    with pytest.raises(ValueError, match=message):
        experiments.adding_study(**settings)


def test_the_experiment_seed_defaults_to_the_books_numbers(monkeypatch):
    monkeypatch.delenv(experiments.SEED_VARIABLE, raising=False)
    assert experiments.base_seed() == 0
    assert [experiments.seed(n) for n in (0, 7, 999)] == [0, 7, 999]
    np.testing.assert_array_equal(experiments.rng(7).normal(size=4), np.random.default_rng(7).normal(size=4))
    monkeypatch.setenv(experiments.SEED_VARIABLE, " ")
    assert experiments.seed(7) == 7


def test_another_experiment_seed_moves_every_draw_and_keeps_them_apart(monkeypatch):
    monkeypatch.setenv(experiments.SEED_VARIABLE, "3")
    assert experiments.base_seed() == 3
    assert experiments.seed(7) == 300_007
    draws = {n: experiments.rng(n).normal(size=4) for n in (0, 1, 999)}
    assert not np.allclose(draws[0], np.random.default_rng(0).normal(size=4))
    assert not np.allclose(draws[0], draws[1])
    monkeypatch.setenv(experiments.SEED_VARIABLE, "4")
    assert not np.allclose(experiments.rng(0).normal(size=4), draws[0])


def test_the_exercise_seed_does_not_move_the_experiment_seed(monkeypatch):
    monkeypatch.delenv(experiments.SEED_VARIABLE, raising=False)
    monkeypatch.setenv("UNROLLED_SEED", "2027")
    assert experiments.seed(5) == 5


@pytest.mark.parametrize("value", ["-1", "1.5", "seven", "0x10"])
def test_a_malformed_experiment_seed_is_named(monkeypatch, value):
    monkeypatch.setenv(experiments.SEED_VARIABLE, value)
    with pytest.raises(ValueError, match=f"UNROLLED_EXPERIMENT_SEED must be a whole number.*{value}"):
        experiments.seed(0)


@pytest.mark.parametrize("n", [-1, 100_000, 2.0, True, "1"])
def test_a_draw_number_out_of_range_is_refused(n):
    with pytest.raises(ValueError, match="n must be a whole number from 0 to 99999"):
        experiments.seed(n)


def test_adding_runs_follow_the_experiment_seed(monkeypatch):
    def final_losses():
        history = experiments.adding_run("GRU", 4, 20, hidden_size=4, eval_every=10, progress=False, seed=1)
        return history.eval_losses

    monkeypatch.delenv(experiments.SEED_VARIABLE, raising=False)
    book = final_losses()
    assert final_losses() == book
    monkeypatch.setenv(experiments.SEED_VARIABLE, "5")
    assert final_losses() != book


def test_median_and_range_of_a_result_over_seeds():
    assert experiments.median_and_range([3, 1, 2]) == (2.0, 1.0, 3.0)
    assert experiments.median_and_range(np.array([0.5, 0.25])) == (0.375, 0.25, 0.5)
    for bad in ([], [1.0, np.nan], [[1.0, 2.0]]):
        with pytest.raises(ValueError, match="one or more finite numbers"):
            experiments.median_and_range(bad)


def test_last_evaluations_reads_the_mean_of_the_last_few():
    history = cells.History()
    history.eval_steps, history.eval_losses = [100, 200, 300, 400], [0.2, 0.1, 0.15, 0.4]
    assert experiments.last_evaluations(history, last=3) == pytest.approx((0.1 + 0.15 + 0.4) / 3)
    assert experiments.last_evaluations(history, last=10) == pytest.approx(0.85 / 4)
    with pytest.raises(ValueError, match="at least one evaluation"):
        experiments.last_evaluations(cells.History())
    with pytest.raises(ValueError, match="last must be a positive integer"):
        experiments.last_evaluations(history, last=0)


def test_add_update_bias_moves_only_the_update_preactivation():
    x = np.random.default_rng(0).normal(size=(5, 3))
    cell = cells.GRUCell(3, 4, rng=1)
    h_prev = np.random.default_rng(1).normal(size=(5, 4))
    _, before = cell.step(x, h_prev)
    experiments.add_update_bias(cell, 1.0)
    _, after = cell.step(x, h_prev)
    np.testing.assert_allclose(_logit(after.gates["z"]), _logit(before.gates["z"]) + 1.0, atol=1e-9)
    for name in "rn":
        np.testing.assert_array_equal(after.gates[name], before.gates[name])


def test_add_update_bias_reaches_every_cell_of_a_layer():
    layer = cells.GRU(3, 4, num_layers=2, bidirectional=True, rng=0)
    before = {name: value.copy() for name, value in layer.params().items()}
    experiments.add_update_bias(layer, -0.5)
    for name, value in layer.params().items():
        change = value - before[name]
        if name.startswith("bias_ih"):
            np.testing.assert_allclose(change[4:8], -0.5)
            np.testing.assert_array_equal(np.delete(change, np.s_[4:8]), 0)
        else:
            np.testing.assert_array_equal(change, 0)


@pytest.mark.parametrize("target, amount, message", [
    (lambda: cells.LSTM(2, 3), 1.0, "GRUCell or a GRU layer"),
    (lambda: cells.GRUCell(2, 3, bias=False), 1.0, "bias=False"),
    (lambda: cells.GRUCell(2, 3), float("inf"), "finite number"),
    (lambda: cells.GRUCell(2, 3), True, "finite number"),
])
def test_add_update_bias_refuses_what_it_cannot_change(target, amount, message):
    with pytest.raises(ValueError, match=message):
        experiments.add_update_bias(target(), amount)


def test_gradient_during_training_follows_adding_run():
    """The fractions after training equal those of the model adding_run trains (same draws, same batches)."""
    T, distance, seed = 8, 5, 1
    measured_steps, fractions = experiments.gradient_during_training("LSTM", T, 20, distance, every=10, seed=seed,
                                                                     hidden_size=6, batch_size=4)
    assert measured_steps == [0, 10, 20] and len(fractions) == 3
    probe, _ = cells.tasks.adding_problem(16, T, rng=experiments.rng(2000 + seed))

    def fraction(model):
        norms = cells.gradient_norms(model.rnn.cells[0][0], probe.astype(np.float32))
        return norms[-1 - distance] / norms[-1]

    start = experiments.make_layer("LSTM", 6, rng=experiments.rng(seed))
    norms = cells.gradient_norms(start.cells[0][0], probe.astype(np.float32))
    assert fractions[0] == pytest.approx(norms[-1 - distance] / norms[-1], rel=1e-6)
    history = experiments.adding_run("LSTM", T, 20, hidden_size=6, batch_size=4, seed=seed, held_out=fraction,
                                     eval_every=10, progress=False)
    assert fractions[1:] == pytest.approx(history.eval_losses, rel=1e-6)
    assert fractions[1] != pytest.approx(fractions[0])   # training moved it


def test_gradient_during_training_rejects_a_distance_beyond_the_sequence():
    with pytest.raises(ValueError, match="distance must be less than T = 5"):
        experiments.gradient_during_training("LSTM", 5, 10, 5)


def test_sustained_below_ignores_a_single_dip_and_needs_the_running_mean_to_stay_below():
    steps = [100, 200, 300, 400, 500, 600]
    # one evaluation dips to 0 at step 200 and comes back: with a window of 2 the running means are
    # 1, 0.5, 0.5, 0.525, 0.05, 0.025 (by hand), below 0.1 from step 500 on
    errors = [1.0, 0.0, 1.0, 0.05, 0.05, 0.0]
    assert experiments.sustained_below(steps, errors, 0.1, last=2) == 500
    # with a window of 1 it is the first step after the last evaluation at or above the threshold
    assert experiments.sustained_below(steps, errors, 0.1, last=1) == 400
    assert experiments.sustained_below(steps, errors, 0.5, last=2) == 500  # 0.5 is not below 0.5
    # a run whose final running mean (the mean of its last evaluations) is not below: None
    assert experiments.sustained_below(steps, [0.0] * 5 + [1.0], 0.5, last=2) is None
    assert experiments.sustained_below(steps, [0.0] * 5 + [1.0], 0.2, last=5) is None  # 1/5 is not below 0.2
    # below from the first evaluation on
    assert experiments.sustained_below(steps, [0.01] * 6, 0.1) == 100
    # reached exactly when the mean of the last `last` evaluations is below the threshold
    history = cells.History()
    history.eval_steps, history.eval_losses = steps, [0.5, 0.3, 0.2, 0.09, 0.12, 0.08]
    for threshold in (0.1, 0.15, 0.2):
        reached = experiments.last_evaluations(history, last=3) < threshold
        assert (experiments.sustained_below(steps, history.eval_losses, threshold, last=3) is not None) == reached
    with pytest.raises(ValueError, match="as many steps as errors"):
        experiments.sustained_below([100], [0.1, 0.2], 0.1)
    with pytest.raises(ValueError, match="last must be a positive integer"):
        experiments.sustained_below(steps, errors, 0.1, last=0)
