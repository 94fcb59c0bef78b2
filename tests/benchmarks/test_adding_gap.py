"""benchmarks/adding_gap.py runs (in its --quick form) and writes what the LSTM chapter reads; the stored full
results have the same structure, and every summary they store agrees with the curves they store."""

import json
import math

import pytest

from .study import REPO, run_quick

SCRIPT = REPO / "benchmarks" / "adding_gap.py"
STORED = REPO / "cells" / "results" / "adding_gap.json"


def check_lengths(part):
    s = part["settings"]
    keys = {(r["kind"], r["T"], r["seed"]) for r in part["runs"]}
    assert keys == {(k, T, seed) for k in s["kinds"] for T in s["lengths"] for seed in s["seeds"]}
    assert len(part["runs"]) == len(keys)
    for run in part["runs"]:
        losses, evals = run["eval_losses"], run["eval_steps"]
        assert all(math.isfinite(v) and v >= 0 for v in losses) and len(losses) == len(evals) > 0
        assert evals == list(range(s["eval_every"], evals[-1] + 1, s["eval_every"]))
        below = [step for step, loss in zip(evals, losses) if loss < s["target"]]
        if below:  # a run stops at the first evaluation below the target
            assert run["steps_to_target"] == below[0] == evals[-1]
        else:
            assert run["steps_to_target"] is None and evals[-1] == s["steps"]


def check_long(part):
    s = part["settings"]
    keys = {(r["kind"], r["T"], r["seed"]) for r in part["runs"]}
    assert keys == {(k, T, seed) for k in s["kinds"] for T in s["lengths"] for seed in s["seeds"]}
    for run in part["runs"]:
        losses = run["eval_losses"]
        assert run["eval_steps"] == list(range(s["eval_every"], s["steps"] + 1, s["eval_every"]))  # no early stop
        assert all(math.isfinite(v) and v >= 0 for v in losses)
        last = losses[-s["last"]:]
        assert math.isclose(run["result"], sum(last) / len(last), rel_tol=1e-12)
        assert run["below_target"] == (run["result"] < s["target"])


def check_study(study):
    assert set(study) == {"lengths", "long"}
    check_lengths(study["lengths"])
    check_long(study["long"])


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    printed, study = run_quick(SCRIPT, tmp_path / "quick.json")
    assert "steps to held-out MSE" in printed and "mean of the last" in printed
    check_study(study)


def test_the_stored_results_the_chapter_reads_are_a_full_run():
    study = json.loads(STORED.read_text())
    check_study(study)
    lengths, long = study["lengths"]["settings"], study["long"]["settings"]
    # The chapter's settings, and its controls: the LSTM at default initialisation next to the LSTM + 1.
    assert lengths["lengths"] == [10, 15, 20] and lengths["steps"] == 8000 and lengths["target"] == 0.05
    assert {"LSTM", "LSTM, forget bias +1", "plain RNN", "ungated memory", "GRU"} == set(lengths["kinds"])
    assert set(long["kinds"]) == {"LSTM", "LSTM, forget bias +1"} and max(long["lengths"]) >= 50
    assert len(lengths["seeds"]) >= 3 and len(long["seeds"]) >= 3
    assert lengths["hidden_size"] == long["hidden_size"] == 32 and lengths["batch_size"] == long["batch_size"] == 32
    assert study["lengths"]["machine"]["experiment_seed"] == study["long"]["machine"]["experiment_seed"] == 0
