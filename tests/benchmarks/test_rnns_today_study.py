"""benchmarks/rnns_today_study.py runs in its --quick form and writes what the last chapter reads; the stored
full results have the same structure; benchmarks/scan_timing.py writes its table."""

import json
import math
import subprocess
import sys

import pytest

from .study import REPO, run_quick

SCRIPT = REPO / "benchmarks" / "rnns_today_study.py"
STORED = REPO / "cells" / "results" / "rnns_today_study.json"
TIMING = REPO / "cells" / "results" / "scan_timing.json"
KINDS = {"GRU", "LSTM", "minGRU", "minLSTM"}


def params(kind, vocab, h):
    """One-hot layer plus softmax head, counted from the shapes (PyTorch's two bias vectors for GRU, LSTM)."""
    layer = {"GRU": 3 * h * (vocab + h + 2), "LSTM": 4 * h * (vocab + h + 2),
             "minGRU": 2 * h * (vocab + 1), "minLSTM": 3 * h * (vocab + 1)}[kind]
    return layer + (h + 1) * vocab


def check_study(study):
    settings = study["settings"]
    a, lm = settings["adding"], settings["lm"]
    assert {(r["kind"], r["T"], r["seed"]) for r in study["adding"]} == {
        (k, T, s) for k in KINDS for T in a["lengths"] for s in a["seeds"]}
    for run in study["adding"]:
        assert run["eval_steps"][-1] == a["steps"] and len(run["eval_losses"]) == len(run["eval_steps"])
        assert run["result"] == pytest.approx(sum(run["eval_losses"][-5:]) / len(run["eval_losses"][-5:]))
        assert run["sustained_below"] is None or run["sustained_below"] in run["eval_steps"]
        assert run["cpu_seconds"] > 0
    assert {(r["corpus"], r["kind"], r["seed"]) for r in study["language_model"]} == {
        (c, k, s) for c in ("dyck", "quotes") for k in KINDS for s in lm["seeds"]}
    for run in study["language_model"]:
        vocab = 5 if run["corpus"] == "dyck" else 7
        assert run["params"] == params(run["kind"], vocab, lm["hidden_size"])
        assert 0 <= run["abs_r"] <= 1 and run["abs_r"] == pytest.approx(abs(run["r"]))
        assert 0 <= run["untrained_abs_r"] <= 1 and math.isfinite(run["bits_per_character"])


@pytest.mark.slow
def test_the_study_script_runs_in_its_reduced_form(tmp_path):
    printed, study = run_quick(SCRIPT, tmp_path / "quick.json")
    assert "adding T = 6" in printed and "quotes" in printed
    check_study(study)


def test_the_stored_study_has_the_structure_the_chapter_reads():
    study = json.loads(STORED.read_text())
    check_study(study)
    assert len(study["settings"]["adding"]["seeds"]) >= 3 and len(study["settings"]["lm"]["seeds"]) >= 3


def test_scan_timing_writes_its_table(tmp_path):
    out = tmp_path / "timing.json"
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scan_timing.py"), "--repeats", "1",
                           "--lengths", "8", "13", "--out", str(out)], capture_output=True, text=True, timeout=300,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    check_timing(json.loads(out.read_text()), [8, 13])


def check_timing(table, lengths):
    assert table["lengths"] == lengths
    for column in ("gru", "mingru", "scan", "log scan", "mingru + W_hh", "gru f+b", "mingru f+b"):
        assert len(table["median_ms"][column]) == len(lengths)
        assert all(0 < low <= median for low, median in zip(table["min_ms"][column], table["median_ms"][column]))


def test_the_stored_timing_covers_64_to_4096():
    table = json.loads(TIMING.read_text())
    check_timing(table, [64, 128, 256, 512, 1024, 2048, 4096])
    assert table["settings"]["B"] == 32 and table["settings"]["h"] == 64
