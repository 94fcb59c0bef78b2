"""benchmarks/gru_study.py runs (in its --quick form) and writes what the GRU chapter reads; the stored full
results have the same structure. Parameter budgets are recounted here with real torch.nn modules."""

import json
import math

import pytest
import torch

from .study import REPO, run_quick

SCRIPT = REPO / "benchmarks" / "gru_study.py"
STORED = REPO / "cells" / "results" / "gru_study.json"
TORCH_LAYERS = {"GRU": torch.nn.GRU, "LSTM": torch.nn.LSTM, "plain RNN": torch.nn.RNN}
# every model of the study -> its architecture; each gated cell at its default and with +1 on its keeping gate
MODELS = {"GRU": "GRU", "GRU, update bias +1": "GRU", "LSTM": "LSTM", "LSTM, forget bias +1": "LSTM",
          "plain RNN": "plain RNN"}
TASK_SIZES = {"adding": (2, 1), "temporal order": (8, 4)}  # input features, outputs


def torch_params(kind, input_size, hidden_size, out_features):
    layer = TORCH_LAYERS[kind](input_size, hidden_size)
    head = torch.nn.Linear(hidden_size, out_features)
    return sum(p.numel() for module in (layer, head) for p in module.parameters())


def check_study(study):
    settings = study["settings"]
    assert set(study["tasks"]) == set(TASK_SIZES)
    for task, info in study["tasks"].items():
        d, out = TASK_SIZES[task]
        totals = {kind: torch_params(kind, d, h, out) for kind, h in info["hidden_sizes"].items()}
        assert totals == info["params"]
        assert set(totals) == set(TORCH_LAYERS)
        assert (max(totals.values()) - min(totals.values())) / totals["LSTM"] < 0.05, totals
        assert torch_params("LSTM", d, settings["lstm_hidden"], out) == totals["LSTM"]
    assert isinstance(settings["experiment_seed"], int) and settings["experiment_seed"] >= 0
    assert len(study["runs"]) == len(settings["seeds"]) * len(TASK_SIZES) * len(MODELS)
    assert {(r["task"], r["kind"], r["seed"]) for r in study["runs"]} == {
        (task, kind, seed) for task in TASK_SIZES for kind in MODELS for seed in settings["seeds"]}
    for run in study["runs"]:
        errors = run["eval_errors"]
        assert run["architecture"] == MODELS[run["kind"]]
        assert run["hidden_size"] == study["tasks"][run["task"]]["hidden_sizes"][run["architecture"]]
        last = settings["last"]
        tail = errors[-last:]  # all of them if a (quick) run made fewer evaluations
        assert last >= 3 and run["last_errors"] == pytest.approx(sum(tail) / len(tail), rel=1e-12)
        assert run["eval_steps"] == list(range(settings["eval_every"], settings["steps"] + 1, settings["eval_every"]))
        assert len(errors) == len(run["eval_steps"]) and all(math.isfinite(e) and e >= 0 for e in errors)
        assert run["final_error"] == errors[-1] and run["best_error"] == min(errors)
        threshold = study["tasks"][run["task"]]["threshold"]
        first_below = next((s for s, e in zip(run["eval_steps"], errors) if e < threshold), None)
        assert run["steps_to_threshold"] == first_below
        if run["task"] == "temporal order":  # an error rate on the held-out set
            assert all(0 <= e <= 1 for e in errors)
    costs = {(c["task"], c["kind"], c["budget"]): c for c in study["costs"]}
    assert len(costs) == len(study["costs"]) == 2 * len(TASK_SIZES) * len(TORCH_LAYERS)
    for (task, kind, budget), cost in costs.items():
        expected = study["tasks"][task]["hidden_sizes"][kind] if budget == "matched" else settings["lstm_hidden"]
        assert cost["hidden_size"] == expected
        assert cost["cpu_seconds_per_step"] > 0 and cost["seconds_per_step"] > 0 and cost["peak_bytes"] > 0


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    printed, study = run_quick(SCRIPT, tmp_path / "quick.json")
    assert "adding" in printed and "temporal order" in printed
    check_study(study)


def test_the_stored_results_the_chapter_reads_are_a_full_run():
    study = json.loads(STORED.read_text())
    check_study(study)
    assert len(study["settings"]["seeds"]) >= 3
    assert study["settings"]["T"] >= 50
