"""Reversing 20 digits with a GRU encoder-decoder, with and without attention, over several seeds.

    python benchmarks/attention_study.py              # the full study; writes cells/results/attention_study.json
    python benchmarks/attention_study.py --quick --out /tmp/quick.json   # a reduced run (the test does this)

The attention chapter trains one run of each model in its build (run 0 of this study under the
book's experiment seed); this script repeats the chapter's experiment at the chapter's settings
(`cells.experiments.REVERSAL_SETTINGS`) for several runs, each with its own initialisation and
batches (`cells.experiments.reversal_run`), the two models of a run on the same batches. Measured per
run: the learning curve (token accuracy of greedy decoding on the curve set every `eval_every` steps),
the accuracy at each output step and the share of sequences entirely right at every evaluation, and
the wall time. The chapter reads a run's result as the mean of its last five evaluations. For every
model with attention, on the held-out set: where the largest attention weight sits relative to the
digit each output step writes (`attention_offsets`), and the test of the chapter's hypothesis about
why it sits where it does (`window_test`).

The draws follow UNROLLED_EXPERIMENT_SEED as the chapter's do (default 0: the stored study). A test
(tests/benchmarks/test_attention_study.py) runs the --quick form and checks the stored file.
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

from cells import experiments  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "cells" / "results" / "attention_study.json"
MODELS = {"without attention": None, "with attention": "dot"}

FULL = dict(experiments.REVERSAL_SETTINGS, runs=(0, 1, 2, 3, 4))
QUICK = dict(FULL, length=8, hidden_size=16, embedding_dim=8, batch_size=16, steps=60, eval_every=20,
             curve_count=20, held_out_count=50, runs=(0, 1))
LAST = 5  # a run's result: the mean of its last five evaluations


def attention_analysis(model, held_out, length):
    """Where a trained model with attention looks, on the held-out set -> dict."""
    source, _ = held_out
    _, weights = model.generate(source, length)
    offsets = experiments.attention_offsets(weights)
    values, counts = np.unique(offsets, return_counts=True)
    usual = int(values[counts.argmax()])
    return {"offset_shares": {int(v): float(c) / offsets.size for v, c in zip(values, counts)},
            "usual": usual, "on_usual": experiments.offset_share(offsets, usual),
            "on_mirror": float(np.mean(offsets == 0)),
            "by_step_on_usual": [float(np.mean(row == usual)) for row in offsets],
            "window_test": experiments.window_test(source, offsets, usual) if usual >= 1 else None}


def run_study(settings, progress=True):
    settings = dict(settings, runs=list(settings["runs"]))
    started = time.time()
    length = settings["length"]
    curve, held_out = experiments.reversal_held_out(length, settings["curve_count"], settings["held_out_count"])
    options = {k: settings[k] for k in ("length", "hidden_size", "embedding_dim", "batch_size", "steps", "lr",
                                        "eval_every")}
    study = {"settings": settings, "last": LAST, "experiment_seed": experiments.base_seed(), "runs": []}
    for run in settings["runs"]:
        for name, attention in MODELS.items():
            model, history, record = experiments.reversal_run(attention, run, curve=curve, progress=progress,
                                                              description=f"{name}, run {run}", **options)
            result = experiments.reversal_result(history, record, last=LAST)
            entry = {"model": name, "run": run, "eval_steps": history.eval_steps,
                     "token_accuracy": [1.0 - e for e in history.eval_losses],
                     "sequences": record["sequences"].tolist(), "by_step": record["by_step"].tolist(),
                     "result": {"tokens": result["tokens"], "sequences": result["sequences"],
                                "by_step": result["by_step"].tolist()},
                     "seconds": history.seconds}
            if attention is not None:
                entry["attention"] = attention_analysis(model, held_out, length)
            study["runs"].append(entry)
    study["machine"] = {"python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
                        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
                        "load_average": list(os.getloadavg()), "wall_seconds": round(time.time() - started, 1),
                        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return study


def summary(study):
    """One line per model: median (range) of the token accuracy, the sequences right, the second half."""
    lines = []
    half = study["settings"]["length"] // 2
    for name in MODELS:
        runs = [r for r in study["runs"] if r["model"] == name]
        for label, values in (("tokens", [r["result"]["tokens"] for r in runs]),
                              ("sequences", [r["result"]["sequences"] for r in runs]),
                              ("second half", [np.mean(r["result"]["by_step"][half:]) for r in runs])):
            median, low, high = experiments.median_and_range(values)
            lines.append(f"{name:<18} {label:<12} median {median:.3f}  range {low:.3f} to {high:.3f}")
        for r in runs:
            if "attention" in r:
                a = r["attention"]
                lines.append(f"{name:<18} run {r['run']}: usual offset {a['usual']:+d} in {a['on_usual']:.3f}, "
                             f"window test {a['window_test']}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the reduced settings a test can afford")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write the JSON (default {DEFAULT_OUT})")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    study = run_study(QUICK if args.quick else FULL, progress=not args.no_progress)
    out = args.out or (None if args.quick else DEFAULT_OUT)
    print(summary(study))
    print(f"wall time {study['machine']['wall_seconds']} s, load average {study['machine']['load_average']}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(study, indent=1) + "\n")
        print(f"wrote {out}")
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
