"""benchmarks/language_model_study.py runs (in its --quick form) and writes what the language-model chapter
reads; the stored full results have the same structure, and their Python corpus is this interpreter's."""

import json
import math
import platform

import numpy as np
import pytest

from cells import corpora

from .study import REPO, run_quick

SCRIPT = REPO / "benchmarks" / "language_model_study.py"
STORED = REPO / "cells" / "results" / "language_model_study.json"
KINDS = {"plain RNN", "GRU", "LSTM"}


def lstm_params(vocab, hidden):
    """One-hot LSTM (two bias vectors) plus its softmax head, counted from the shapes."""
    return 4 * hidden * (vocab + hidden + 2) + (hidden + 1) * vocab


def check_study(study):
    settings = study["settings"]
    seeds = settings["seeds"]
    assert len(study["runs"]) == 2 * len(KINDS) * len(seeds)
    assert {(r["corpus"], r["kind"], r["seed"]) for r in study["runs"]} == {
        (c, k, s) for c in ("dyck", "quotes") for k in KINDS for s in seeds}
    characters = settings["steps"] * settings["batch"] * settings["length"]
    for run in study["runs"]:
        assert run["characters"] == characters  # equal characters seen
        assert 0 <= run["abs_r"] <= 1 and run["abs_r"] == pytest.approx(abs(run["r"]))
        assert run["untrained_abs_r"] == pytest.approx(abs(run["untrained_r"]))
        assert 0 <= run["unit"] < settings["hidden_size"]
        assert math.isfinite(run["bits_per_character"]) and run["cpu_seconds"] > 0
        vocab = 5 if run["corpus"] == "dyck" else 7
        if run["kind"] == "LSTM":
            assert run["params"] == lstm_params(vocab, settings["hidden_size"])
    py = study["python"]
    assert py["alphabet"] == "".join(sorted(py["alphabet"])) and len(set(py["alphabet"])) == len(py["alphabet"])
    assert len(py["runs"]) == len(settings["python"]["seeds"])
    for run in py["runs"]:
        assert set(run["best"]) == set(run["untrained_best"]) == {"depth", "in_string", "column"}
        assert all(-1 <= v["r"] <= 1 for v in run["best"].values())
        assert run["bits_per_character"] == run["eval_bits_per_character"][-1]
        assert set(run["samples"]) == {"0.5", "1.0"}
        assert all(set(s) <= set(py["alphabet"]) for s in run["samples"].values())
        assert run["characters_per_cpu_second"] == pytest.approx(run["characters"] / run["cpu_seconds"])


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    printed, study = run_quick(SCRIPT, tmp_path / "quick.json")
    assert "dyck" in printed and "Python corpus" in printed
    check_study(study)
    weights = np.load(tmp_path / "quick.npz")
    assert str(weights["alphabet"]) == study["python"]["alphabet"]


def test_the_stored_results_the_chapter_reads_are_a_full_run():
    study = json.loads(STORED.read_text())
    check_study(study)
    assert len(study["settings"]["seeds"]) >= 3 and len(study["settings"]["python"]["seeds"]) >= 3
    assert study["settings"]["hidden_size"] == 16 and study["settings"]["python"]["hidden_size"] == 64
    py = study["python"]
    assert py["modules"] == list(corpora.PYTHON_MODULES)
    weights = np.load(STORED.with_suffix(".npz"))
    assert STORED.with_suffix(".npz").stat().st_size < 1_000_000
    assert weights["rnn.weight_hh_l0"].shape == (4 * 64, 64)
    if platform.python_version() == py["python_version"]:  # the same interpreter reads the same text
        text, _ = corpora.python_source()
        assert len(text) == py["characters"] and "".join(sorted(set(text))) == py["alphabet"]


@pytest.mark.skipif(platform.python_version() != json.loads(STORED.read_text())["python"]["python_version"],
                    reason="the Python corpus is the running interpreter's standard library: another version reads "
                           "another text")
def test_the_stored_weights_give_the_stored_seed_0_numbers():
    # The .npz is seed 0's trained model: loaded into a fresh model, it must give the numbers the JSON
    # stores for seed 0 (bits per character and best units on the first scored block of the held-out text).
    from cells.language_model import CharLanguageModel, best_unit

    py = json.loads(STORED.read_text())["python"]
    stored = next(run for run in py["runs"] if run["seed"] == 0)
    weights = np.load(STORED.with_suffix(".npz"))
    model = CharLanguageModel(py["alphabet"], 64, cell="lstm", dtype=np.float32)
    model.load({name: weights[name] for name in weights.files if name != "alphabet"})
    text, labels = corpora.python_source()
    cut = py["training_characters"]
    assert cut == int(len(text) * 0.9)                       # the last tenth is held out
    per = py["held_out_characters"] // 10                     # scored as 10 parallel sequences
    block = slice(cut, cut + 10 * per)
    indices = model.encode(text[block]).reshape(10, per).T
    assert model.bits_per_character(indices) == pytest.approx(stored["bits_per_character"], abs=1e-6)
    states = model.states(indices)["h"]
    for name in ("depth", "in_string", "column"):
        unit, r = best_unit(states, np.asarray(labels[name][block]).reshape(10, per).T)
        assert unit == stored["best"][name]["unit"]
        assert r == pytest.approx(stored["best"][name]["r"], abs=1e-6)
