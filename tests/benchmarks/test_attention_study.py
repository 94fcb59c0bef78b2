"""benchmarks/attention_study.py runs (in its --quick form) and writes what the attention chapter reads; the
stored full results have the same structure, the chapter's settings and at least three runs."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cells import experiments

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "attention_study.py"
STORED = REPO / "cells" / "results" / "attention_study.json"
MODELS = ("without attention", "with attention")


def check_study(study):
    settings, last = study["settings"], study["last"]
    length = settings["length"]
    assert [(r["model"], r["run"]) for r in study["runs"]] == [(m, run) for run in settings["runs"] for m in MODELS]
    for run in study["runs"]:
        steps = list(range(settings["eval_every"], settings["steps"] + 1, settings["eval_every"]))
        assert run["eval_steps"] == steps
        assert len(run["token_accuracy"]) == len(run["sequences"]) == len(run["by_step"]) == len(steps)
        by_step = np.array(run["by_step"])
        assert by_step.shape == (len(steps), length) and np.all((0 <= by_step) & (by_step <= 1))
        # the token accuracy is the mean over the output steps; a sequence right is right at every step
        np.testing.assert_allclose(run["token_accuracy"], by_step.mean(axis=1), atol=1e-12)
        assert all(s <= b + 1e-12 for s, b in zip(run["sequences"], by_step.min(axis=1)))
        # a run's result: the mean of its last evaluations, recomputed here
        assert run["result"]["tokens"] == pytest.approx(np.mean(run["token_accuracy"][-last:]))
        assert run["result"]["sequences"] == pytest.approx(np.mean(run["sequences"][-last:]))
        np.testing.assert_allclose(run["result"]["by_step"], by_step[-last:].mean(axis=0))
        assert run["seconds"] > 0
        if run["model"] == "with attention":
            attention = run["attention"]
            shares = {int(k): v for k, v in attention["offset_shares"].items()}
            assert math.isclose(sum(shares.values()), 1.0) and max(shares, key=shares.get) == attention["usual"]
            assert 0 <= attention["on_usual"] <= 1 and len(attention["by_step_on_usual"]) == length
        else:
            assert "attention" not in run


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    out = tmp_path / "quick.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-progress", "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "with attention" in done.stdout and "without attention" in done.stdout
    check_study(json.loads(out.read_text()))


def test_the_stored_results_the_chapter_reads_are_a_full_run_at_its_settings():
    study = json.loads(STORED.read_text())
    check_study(study)
    assert len(study["settings"]["runs"]) >= 3 and study["last"] >= 3
    assert study["experiment_seed"] == 0
    assert {k: study["settings"][k] for k in experiments.REVERSAL_SETTINGS} == experiments.REVERSAL_SETTINGS
