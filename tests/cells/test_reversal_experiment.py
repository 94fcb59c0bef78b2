"""The attention chapter's experiment helpers: reversal runs, and where a trained model's attention peaks.

Expected values are worked out by hand on small sequences, not taken from the code under test."""

import numpy as np
import pytest

from cells import experiments, tasks


def one_hot_weights(peaks, S):
    """(T, B, S) weights with all their mass on the given positions (counted from 1)."""
    peaks = np.asarray(peaks)
    weights = np.zeros((*peaks.shape, S))
    for index, position in np.ndenumerate(peaks):
        weights[(*index, position - 1)] = 1.0
    return weights


def test_offsets_count_from_the_digit_each_step_writes():
    # S = 4: step t writes position 5 - t; peaks on positions 4, 4, 3, 1 (one sequence)
    weights = one_hot_weights([[4], [4], [3], [1]], S=4)
    np.testing.assert_array_equal(experiments.attention_offsets(weights), [[0], [1], [1], [0]])
    with pytest.raises(ValueError, match=r"\(T, B, S\)"):
        experiments.attention_offsets(np.zeros((4, 4)))


def test_offset_steps_are_those_whose_shifted_position_exists():
    # S = 20, offset +2: step t reads position 23 - t, which exists for t = 3 to 20
    assert experiments.offset_steps(2, 20) == slice(2, 20)
    # offset -1: position 20 - t exists for t = 1 to 19
    assert experiments.offset_steps(-1, 20) == slice(0, 19)
    assert experiments.offset_steps(0, 20) == slice(0, 20)


def test_offset_share_counts_only_the_steps_where_the_position_exists():
    offsets = np.array([[0, 1], [1, 1], [2, 2], [2, 0], [2, 2]])  # T = S = 5, two sequences
    # +2 exists for t = 3, 4, 5: 5 of those 6 entries are +2
    assert experiments.offset_share(offsets, 2) == pytest.approx(5 / 6)
    # +1 exists for t = 2 to 5: 2 of 8
    assert experiments.offset_share(offsets, 1) == pytest.approx(2 / 8)


def test_window_matches_find_the_same_digits_ending_at_another_row():
    source = np.array([[1], [2], [1], [2], [3]])  # S = 5, one sequence
    matches = experiments.window_matches(source, 2)
    assert matches.shape == (5, 5, 1)
    # t = 1, 2: rows 6 and 7 do not exist
    assert not matches[:2].any()
    # t = 3: row 5, window (2, 3) at positions 4-5, nowhere else
    assert np.flatnonzero(matches[2, :, 0]).tolist() == [4]
    # t = 4: row 4, window (1, 2) at positions 3-4, and again at 1-2 (row 2)
    assert np.flatnonzero(matches[3, :, 0]).tolist() == [1, 3]
    # t = 5: row 3, window (2, 1) at positions 2-3 only
    assert np.flatnonzero(matches[4, :, 0]).tolist() == [2]


def test_window_test_reads_hits_misses_and_chance():
    source = np.array([[1], [2], [1], [2], [3]])
    # +2 at t = 3 and 5 (rows 5 and 3); at t = 4 the peak is on row 2, the other (1, 2): offset 2 - 2 = 0
    offsets = np.array([[0], [0], [2], [0], [2]])
    result = experiments.window_test(source, offsets, 2)
    assert result["unique"] == 1.0 and result["unique_count"] == 2
    assert result["repeated"] == 0.0 and result["repeated_count"] == 1
    assert result["misses_on_match"] == 1.0 and result["missed_count"] == 1
    assert result["chance"] == pytest.approx(1 / 4)  # one other matching row of the four others
    with pytest.raises(ValueError, match="offsets must be"):
        experiments.window_test(source, offsets[:3], 2)


def test_window_matches_at_one_place_compare_one_digit_of_the_window():
    source = np.array([[1], [2], [1], [2], [3]])  # S = 5, offset 2: rows r' = 2 to 5 have a window
    first = experiments.window_matches(source, 2, place=0)  # the digit just read, position r - 1
    last = experiments.window_matches(source, 2, place=1)  # the window's last digit, position r
    # t = 3, row 5: digit x_4 = 2 sits first in row 3's window too (x_2 = 2); x_5 = 3 nowhere else
    assert np.flatnonzero(first[2, :, 0]).tolist() == [2, 4]
    assert np.flatnonzero(last[2, :, 0]).tolist() == [4]
    # t = 5, row 3: x_2 = 2 again first in row 5's window; x_3 = 1 is last only in row 3 (row 1 has no window)
    assert np.flatnonzero(first[4, :, 0]).tolist() == [2, 4]
    assert np.flatnonzero(last[4, :, 0]).tolist() == [2]
    for place in (2, -1, 0.5, True):
        with pytest.raises(ValueError, match="place must be"):
            experiments.window_matches(source, 2, place=place)


def test_window_test_tells_a_pair_of_digits_from_one_digit():
    source = np.array([[1], [2], [1], [2], [3]])
    # t = 3 on +2 (row 5); t = 4 on +2 (row 4, its pair repeats); t = 5 misses onto row 5, offset 5 - 1 = 4,
    # where its first digit (2) repeats though its pair (2, 1) does not
    offsets = np.array([[0], [0], [2], [2], [4]])
    result = experiments.window_test(source, offsets, 2)
    assert result["unique"] == 0.5 and result["repeated"] == 1.0 and np.isnan(result["misses_on_match"])
    # place 0: both unique-pair steps (t = 3, 5) have their first digit elsewhere too; one hit of two
    assert np.isnan(result["digit_unique"][0]) and result["digit_repeated"][0] == 0.5
    assert result["digit_repeated_count"][0] == 2 and result["digit_missed_count"][0] == 1
    assert result["digit_misses_on_match"][0] == 1.0
    assert result["digit_chance"][0] == pytest.approx(1 / 4)  # one other row of four
    # place 1: neither step's last digit repeats
    assert result["digit_unique"][1] == 0.5 and np.isnan(result["digit_repeated"][1])
    assert result["digit_unique_count"][1] == 2 and result["digit_missed_count"][1] == 0


def test_the_held_out_sets_are_the_chapters_old_draws_under_the_default_seed(monkeypatch):
    monkeypatch.delenv(experiments.SEED_VARIABLE, raising=False)
    (curve_source, curve_target), (held_source, _) = experiments.reversal_held_out(6, 5, 7)
    expected = np.random.default_rng(456).integers(0, 10, size=(6, 5))
    np.testing.assert_array_equal(curve_source, expected)
    np.testing.assert_array_equal(curve_target, expected[::-1])
    np.testing.assert_array_equal(held_source, np.random.default_rng(123).integers(0, 10, size=(6, 7)))


def small_run(attention, run=0):
    return experiments.reversal_run(attention, run, length=4, hidden_size=8, embedding_dim=4, batch_size=8,
                                    steps=20, eval_every=5, progress=False)


def test_a_reversal_run_records_every_evaluation_and_is_reproducible(monkeypatch):
    monkeypatch.delenv(experiments.SEED_VARIABLE, raising=False)
    model, history, record = small_run("dot")
    assert history.eval_steps == [5, 10, 15, 20] and len(history) == 20
    assert record["by_step"].shape == (4, 4) and record["sequences"].shape == (4,)
    # the token error is one minus the mean of the per-step accuracies
    np.testing.assert_allclose(history.eval_losses, 1 - record["by_step"].mean(axis=1))
    assert np.all(record["sequences"] <= record["by_step"].min(axis=1))
    _, again, _ = small_run("dot")
    assert again == history and again.eval_losses == history.eval_losses
    _, other_run, _ = small_run("dot", run=1)
    assert other_run != history
    monkeypatch.setenv(experiments.SEED_VARIABLE, "4")
    _, other_seed, _ = small_run("dot")
    assert other_seed != history


def test_the_two_models_of_a_run_see_the_same_batches(monkeypatch):
    original = tasks.digit_reversal
    seen = {}
    for attention in (None, "dot"):
        batches = []

        def spy(num_samples, *args, **kwargs):
            source, target = original(num_samples, *args, **kwargs)
            if num_samples == 8:  # the training batches (the held-out sets have other sizes here)
                batches.append(source.copy())
            return source, target

        monkeypatch.setattr(tasks, "digit_reversal", spy)
        small_run(attention)
        seen[attention] = np.stack(batches)
    assert seen[None].shape == (20, 4, 8)
    np.testing.assert_array_equal(seen[None], seen["dot"])


def test_a_reversal_result_is_the_mean_of_the_last_evaluations():
    _, history, record = small_run(None)
    result = experiments.reversal_result(history, record, last=2)
    assert result["tokens"] == pytest.approx(1 - np.mean(history.eval_losses[-2:]))
    assert result["sequences"] == pytest.approx(np.mean(record["sequences"][-2:]))
    np.testing.assert_allclose(result["by_step"], record["by_step"][-2:].mean(axis=0))
    with pytest.raises(ValueError, match="run must be a whole number"):
        experiments.reversal_run(None, -1)


def test_a_linear_probe_reads_what_the_features_hold_and_no_more():
    rng = np.random.default_rng(0)
    S, B = 6, 40
    source = rng.integers(0, 10, size=(S, B))
    # each "state" holds its own digit and the one before, one-hot, nothing older, plus its position
    memory = np.zeros((S, B, 20 + S))
    for s in range(S):
        memory[s, np.arange(B), source[s]] = 1
        if s:
            memory[s, np.arange(B), 10 + source[s - 1]] = 1
        memory[s, :, 20 + s] = 1
    for lag in (0, 1):
        predicted, true = experiments.memory_probe(memory, source, lag)
        assert true.shape == ((S - lag) * (B - B // 2),)
        np.testing.assert_array_equal(predicted, true)
    predicted, true = experiments.memory_probe(memory, source, 2)  # not held: near chance (1 in 10)
    assert np.mean(predicted == true) < 0.35
    predicted, true = experiments.memory_probe(memory, source)  # the position
    np.testing.assert_array_equal(true, np.repeat(np.arange(S), B - B // 2))
    np.testing.assert_array_equal(predicted, true)
    for lag in (-1, S, 1.0, True):
        with pytest.raises(ValueError, match="lag must be"):
            experiments.memory_probe(memory, source, lag)
    with pytest.raises(ValueError, match="memory must be"):
        experiments.memory_probe(memory[:, :1], source[:, :1])
