"""benchmarks/attention_study.py runs (in its --quick form) and writes what the attention chapter reads; the
stored full results have the same structure, the chapter's settings and at least three runs."""

import importlib.util
import json
import math

import numpy as np
import pytest

from cells import experiments

from .study import REPO, run_quick

SCRIPT = REPO / "benchmarks" / "attention_study.py"
STORED = REPO / "cells" / "results" / "attention_study.json"
MODELS = ("without attention", "with attention")
CONTROL = "without attention, with the combination layer"


def load_script():
    spec = importlib.util.spec_from_file_location("attention_study", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_study(study):
    settings, last = study["settings"], study["last"]
    length = settings["length"]
    assert [(r["model"], r["run"]) for r in study["runs"]] == [(m, run) for run in settings["runs"] for m in MODELS]
    control = study.get("control", {"runs": []})
    assert [(r["model"], r["run"]) for r in control["runs"]] == [(CONTROL, run) for run in settings["runs"]] \
        or not control["runs"]
    for run in study["runs"] + control["runs"]:
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
        if run["model"] == "with attention":  # the control's weights are all on its one row: no analysis
            attention = run["attention"]
            shares = {int(k): v for k, v in attention["offset_shares"].items()}
            assert math.isclose(sum(shares.values()), 1.0) and max(shares, key=shares.get) == attention["usual"]
            assert 0 <= attention["on_usual"] <= 1 and len(attention["by_step_on_usual"]) == length
        else:
            assert "attention" not in run


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    printed, study = run_quick(SCRIPT, tmp_path / "quick.json")
    assert "with attention" in printed and "without attention" in printed
    check_study(study)
    assert len(study["control"]["runs"]) == len(study["settings"]["runs"])


def test_the_stored_results_the_chapter_reads_are_a_full_run_at_its_settings():
    study = json.loads(STORED.read_text())
    check_study(study)
    assert len(study["settings"]["runs"]) >= 3 and study["last"] >= 3
    assert study["experiment_seed"] == 0
    assert len(study["control"]["runs"]) == len(study["settings"]["runs"])
    assert {k: study["settings"][k] for k in experiments.REVERSAL_SETTINGS} == experiments.REVERSAL_SETTINGS


def control_pair():
    from cells.seq2seq import Seq2Seq

    script = load_script()
    rng = np.random.default_rng(0)
    source, target = rng.integers(0, 10, size=(5, 3)), rng.integers(0, 10, size=(4, 3))
    control = script.LastStateCombined(10, 6, embedding_dim=4, attention="dot", rng=1)
    attentive = Seq2Seq(10, 6, embedding_dim=4, attention="dot", rng=1)
    return control, attentive, source, target


def test_the_control_has_the_attentive_models_parameters_and_reads_only_the_last_state():
    control, attentive, source, target = control_pair()
    assert {k: v.shape for k, v in control.params().items()} == {k: v.shape for k, v in attentive.params().items()}
    # the context is m_S itself: the combination of [m_S; q_t], by hand
    memory = control.encode(source)
    queries, _ = control.decoder.forward(control.target_embedding.forward(
        np.concatenate([np.full((1, 3), 10), target[:-1]])), memory[-1:])
    p = control.params()
    combined = np.tanh(np.concatenate([np.broadcast_to(memory[-1], queries.shape), queries], axis=-1)
                       @ p["attention.combine_weight"].T + p["attention.combine_bias"])
    expected = combined @ p["head.weight"].T + p["head.bias"]
    np.testing.assert_allclose(control.forward((source, target)), expected, atol=1e-12)
    # greedy decoding writes what the teacher-forced logits say when fed its own tokens
    written, weights = control.generate(source, 4)
    assert weights is None
    np.testing.assert_array_equal(written, control.forward((source, written)).argmax(axis=-1))


def test_the_controls_gradients_match_finite_differences():
    control, _, source, target = control_pair()
    direction = np.random.default_rng(1).normal(size=(4, 3, 10))
    control.forward((source, target))
    _, grads = control.backward(direction)
    for name, value in control.params().items():
        index = tuple(np.unravel_index(np.argmax(np.abs(grads[name])), value.shape))
        old, eps = value[index], 1e-6
        value[index] = old + eps
        up = np.sum(control.forward((source, target)) * direction)
        value[index] = old - eps
        down = np.sum(control.forward((source, target)) * direction)
        value[index] = old
        assert grads[name][index] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-8), name
