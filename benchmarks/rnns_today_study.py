"""What a linear recurrence can and cannot do: minGRU and minLSTM next to the GRU and the LSTM.

    python benchmarks/rnns_today_study.py       # the full study: cells/results/rnns_today_study.json
    python benchmarks/rnns_today_study.py --quick --out /tmp/quick.json    # a reduced run (the test does this)

1. The adding problem (`cells.experiments.adding_run`): one layer of 16 units and a linear head, Adam
   (lr 1e-3), gradient norm clipped at 1, batches of 32, float32, for a fixed budget of steps (no early
   stop), held-out MSE every 100 steps on 512 sequences. Per run: every evaluation, the result (the mean of
   the last 5 evaluations, `last_evaluations`), the step from which the running mean stays below the
   threshold (`sustained_below`; None if it never does), and the CPU seconds of the run.
2. Character-level language models (`cells.language_model.corpus_run`) on the language-model chapter's
   generated corpora: Dyck-1 (label: bracket depth) and the quote language (label: inside quotes). 16 units,
   600 steps of 32 fresh sequences of 64 characters, Adam lr 1e-2, float32. Per run: the best unit's
   Pearson r with the label on 20 held-out sequences of 1,000 characters, trained and untrained, the
   held-out bits per character, and the CPU seconds. Five seeds of everything.

Every kind sees the same data and starts from the same draws of its seed (seed s: parameters from
seed(s), batches from seed(1000 + s); `cells.experiments.seed`). The layers do not have the same number
of parameters at 16 units (the file records each model's count). A test
(tests/benchmarks/test_rnns_today_study.py) runs this script in its --quick form.
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))  # studies.py, also when a test loads this file
import studies  # noqa: E402

import cells  # noqa: E402
from cells.language_model import corpus_run  # noqa: E402

DEFAULT_OUT = REPO / "cells" / "results" / "rnns_today_study.json"
KINDS = ("GRU", "LSTM", "minGRU", "minLSTM")
LM_LAYERS = {"GRU": cells.GRU, "LSTM": cells.LSTM, "minGRU": cells.MinGRU, "minLSTM": cells.MinLSTM}
LAST = 5

FULL = dict(adding=dict(lengths=(10, 30), steps=3000, hidden_size=16, eval_every=100, threshold=0.01,
                        seeds=(0, 1, 2, 3, 4)),
            lm=dict(hidden_size=16, steps=600, batch=32, length=64, lr=1e-2, seeds=(0, 1, 2, 3, 4),
                    held_out=(20, 1000)))
QUICK = dict(adding=dict(lengths=(6,), steps=60, hidden_size=4, eval_every=20, threshold=0.01, seeds=(0,)),
             lm=dict(hidden_size=4, steps=10, batch=4, length=16, lr=1e-2, seeds=(0,), held_out=(2, 100)))


def adding(kind, T, seed, settings):
    start = time.process_time()
    history = cells.experiments.adding_run(kind, T, settings["steps"], hidden_size=settings["hidden_size"],
                                           seed=seed, eval_every=settings["eval_every"], progress=False)
    return {"kind": kind, "T": T, "seed": seed, "eval_steps": history.eval_steps,
            "eval_losses": [float(v) for v in history.eval_losses],
            "result": cells.experiments.last_evaluations(history, LAST),
            "sustained_below": cells.experiments.sustained_below(history.eval_steps, history.eval_losses,
                                                                 settings["threshold"], LAST),
            "cpu_seconds": time.process_time() - start}


def language_model(corpus, kind, seed, settings):
    start = time.process_time()
    layer_class = LM_LAYERS[kind]

    def layer(input_size, hidden_size, rng):
        return layer_class(input_size, hidden_size, rng=rng, dtype=np.float32)

    run = corpus_run(corpus, cell=layer, hidden_size=settings["hidden_size"], seed=cells.experiments.seed(seed),
                     steps=settings["steps"], batch_size=settings["batch"], length=settings["length"],
                     lr=settings["lr"], held_out=tuple(settings["held_out"]))
    return {"corpus": corpus, "label": run["label"], "kind": kind, "seed": seed,
            "params": int(sum(p.size for p in run["model"].params().values())), "r": run["r"],
            "abs_r": abs(run["r"]), "untrained_abs_r": abs(run["untrained_r"]),
            "bits_per_character": run["bits_per_character"],
            "untrained_bits_per_character": run["untrained_bits_per_character"],
            "cpu_seconds": time.process_time() - start}


def run_study(settings, progress=True):
    from tqdm.auto import tqdm

    settings = json.loads(json.dumps(settings))  # tuples to lists, as the file stores them
    settings["experiment_seed"] = cells.experiments.base_seed()
    started, load_at_start = time.time(), list(os.getloadavg())
    study = {"settings": settings, "adding": [], "language_model": []}
    a = settings["adding"]
    jobs = [(kind, T, seed) for T in a["lengths"] for seed in a["seeds"] for kind in KINDS]
    for kind, T, seed in tqdm(jobs, desc="adding problem", disable=not progress):
        study["adding"].append(adding(kind, T, seed, a))
    lm = settings["lm"]
    jobs = [(corpus, kind, seed) for corpus in ("dyck", "quotes") for seed in lm["seeds"] for kind in KINDS]
    for corpus, kind, seed in tqdm(jobs, desc="language models", disable=not progress):
        study["language_model"].append(language_model(corpus, kind, seed, lm))
    study["machine"] = studies.machine(started, load_at_start=load_at_start)
    return study


def summary(study):
    lines = []
    for T in study["settings"]["adding"]["lengths"]:
        for kind in KINDS:
            runs = [r for r in study["adding"] if r["T"] == T and r["kind"] == kind]
            lines.append(f"adding T = {T:<3} {kind:<8} result {[round(r['result'], 4) for r in runs]}  "
                         f"below threshold from {[r['sustained_below'] for r in runs]}  "
                         f"CPU s {np.median([r['cpu_seconds'] for r in runs]):.1f}")
    for corpus in ("dyck", "quotes"):
        for kind in KINDS:
            runs = [r for r in study["language_model"] if r["corpus"] == corpus and r["kind"] == kind]
            lines.append(f"{corpus:<7} {kind:<8} best |r| {[round(r['abs_r'], 3) for r in runs]}  untrained "
                         f"{[round(r['untrained_abs_r'], 3) for r in runs]}  bits/char "
                         f"{np.median([r['bits_per_character'] for r in runs]):.3f}  params {runs[0]['params']}  "
                         f"CPU s {np.median([r['cpu_seconds'] for r in runs]):.1f}")
    return "\n".join(lines)


def main(argv=None):
    args = studies.parser(__doc__, DEFAULT_OUT).parse_args(argv)
    out = studies.out_path(args, DEFAULT_OUT)
    study = run_study(QUICK if args.quick else FULL, progress=not args.no_progress)
    studies.report(summary(study), study["machine"], study["settings"]["experiment_seed"])
    studies.write(study, out)
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
