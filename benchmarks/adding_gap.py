"""The LSTM chapter's adding-problem study over seeds: what gating buys, and what the forget bias buys.

    python benchmarks/adding_gap.py                   # both parts; writes cells/results/adding_gap.json
    python benchmarks/adding_gap.py --part lengths    # one part (the other one's stored runs are kept)
    python benchmarks/adding_gap.py --quick --out /tmp/quick.json   # a reduced run (the test does this)

Two parts, both at the chapter's settings: one layer of 32 units and a linear head on h_T, batches of
32 fresh sequences, Adam at 1e-3, the global gradient norm clipped at 1, float32, held-out MSE on 512
sequences every 100 steps (`cells.experiments.adding_run`). Runs with the same seed see the same
batches whatever the layer, so every comparison is like with like.

- "lengths": steps to a held-out MSE below 0.05 at T = 10, 15 and 20, for the GRU, the LSTM at
  PyTorch's default initialisation, the LSTM with +1 on its forget-gate bias, the plain RNN and the
  ungated memory, five seeds, a budget of 8,000 steps, each run stopping at the target. The chapter
  builds one seed of this part; the controls are the default LSTM (architecture alone: it differs from
  the ungated memory in the gates, from the LSTM + 1 in its initialisation only).
- "long": the default LSTM and the LSTM + 1 at T = 20, 35 and 50, five seeds, 3,000 steps each with no
  early stop, so that a run's result is the mean of its last five evaluations
  (`cells.experiments.last_evaluations`); reported: that result, and whether it is below 0.01.

A run that does not reach a target within its budget shows that the budget was too short, nothing more.
Seeds are the small numbers 0..4 passed to adding_run, which derives its draws from
UNROLLED_EXPERIMENT_SEED (the stored file records the one it ran under; the book's is 0).
A test (tests/benchmarks/test_adding_gap.py) runs this script in its --quick form and checks the stored file.
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

from cells import experiments  # noqa: E402
from cells.tasks import adding_problem  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))  # studies.py, also when a test loads this file
import studies  # noqa: E402

DEFAULT_OUT = REPO / "cells" / "results" / "adding_gap.json"

FULL = {
    "lengths": dict(kinds=["GRU", "LSTM", "LSTM, forget bias +1", "plain RNN", "ungated memory"],
                    lengths=[10, 15, 20], seeds=[0, 1, 2, 3, 4], steps=8000, target=0.05,
                    eval_every=100, held_out=512, hidden_size=32, batch_size=32),
    "long": dict(kinds=["LSTM", "LSTM, forget bias +1"], lengths=[20, 35, 50], seeds=[0, 1, 2, 3, 4],
                 steps=3000, target=0.01, last=5, eval_every=100, held_out=512, hidden_size=32, batch_size=32),
}
QUICK = {
    "lengths": dict(FULL["lengths"], lengths=[4, 6], seeds=[0, 1], steps=300, target=0.12, eval_every=20,
                    held_out=64, hidden_size=8, batch_size=16),
    "long": dict(FULL["long"], lengths=[6, 8], seeds=[0, 1], steps=60, eval_every=20, held_out=64,
                 hidden_size=8, batch_size=16),
}


def run_lengths(settings, progress=True):
    """Part "lengths": steps to the target for every kind, length and seed (early stop at the target)."""
    s = settings
    runs = experiments.adding_study(s["kinds"], s["lengths"], s["steps"], s["target"], seeds=s["seeds"],
                                    held_out_size=s["held_out"], eval_every=s["eval_every"], progress=progress,
                                    hidden_size=s["hidden_size"], batch_size=s["batch_size"])
    return [{"kind": kind, "T": T, "seed": seed,
             "steps_to_target": experiments.steps_to_target(history, s["target"]),
             "eval_steps": list(history.eval_steps), "eval_losses": [float(v) for v in history.eval_losses],
             "seconds": history.seconds}
            for (kind, T, seed), history in runs.items()]


def run_long(settings, progress=True):
    """Part "long": every kind, length and seed trained for the whole budget (no early stop)."""
    s = settings
    records = []
    for T in s["lengths"]:
        held_out = adding_problem(s["held_out"], T, rng=experiments.rng(999))
        for seed in s["seeds"]:
            for kind in s["kinds"]:
                history = experiments.adding_run(kind, T, s["steps"], hidden_size=s["hidden_size"],
                                                 batch_size=s["batch_size"], seed=seed, held_out=held_out,
                                                 eval_every=s["eval_every"], progress=progress)
                result = experiments.last_evaluations(history, last=s["last"])
                records.append({"kind": kind, "T": T, "seed": seed, "result": result,
                                "below_target": bool(result < s["target"]),
                                "eval_steps": list(history.eval_steps),
                                "eval_losses": [float(v) for v in history.eval_losses],
                                "seconds": history.seconds})
    return records


PARTS = {"lengths": run_lengths, "long": run_long}


def summary(study):
    lines = []
    if "lengths" in study:
        part = study["lengths"]
        s = part["settings"]
        lines.append(f"steps to held-out MSE < {s['target']} (budget {s['steps']:,}): median [range] over seeds "
                     f"{s['seeds']}")
        for kind in s["kinds"]:
            cells_text = []
            for T in s["lengths"]:
                steps = [r["steps_to_target"] for r in part["runs"] if r["kind"] == kind and r["T"] == T]
                if None in steps:
                    cells_text.append(f"{sum(v is not None for v in steps)}/{len(steps)} reached")
                else:
                    med, low, high = experiments.median_and_range(steps)
                    cells_text.append(f"{med:.0f} [{low:.0f}-{high:.0f}]")
            lines.append(f"  {kind:<22}" + "".join(f"{'T=' + str(T) + ': ' + t:>26}"
                                                   for T, t in zip(s["lengths"], cells_text)))
    if "long" in study:
        part = study["long"]
        s = part["settings"]
        lines.append(f"mean of the last {s['last']} evaluations after {s['steps']:,} steps: median [range]; "
                     f"seeds below {s['target']}")
        for kind in s["kinds"]:
            cells_text = []
            for T in s["lengths"]:
                runs = [r for r in part["runs"] if r["kind"] == kind and r["T"] == T]
                med, low, high = experiments.median_and_range(r["result"] for r in runs)
                below = sum(r["below_target"] for r in runs)
                cells_text.append(f"{med:.4f} [{low:.4f}-{high:.4f}] {below}/{len(runs)}")
            lines.append(f"  {kind:<22}" + "".join(f"{'T=' + str(T) + ': ' + t:>40}"
                                                   for T, t in zip(s["lengths"], cells_text)))
    return "\n".join(lines)


def main(argv=None):
    parser = studies.parser(__doc__, DEFAULT_OUT)
    parser.add_argument("--part", choices=list(PARTS), action="append",
                        help="run only this part (repeatable); the stored runs of the others are kept")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    out = studies.out_path(args, DEFAULT_OUT)
    parts = args.part or list(PARTS)
    study = json.loads(out.read_text()) if out is not None and out.exists() else {}
    for name in parts:
        started = time.time()
        runs = PARTS[name](settings[name], progress=not args.no_progress)
        study[name] = {"settings": settings[name], "runs": runs,
                       "machine": studies.machine(started, experiment_seed=experiments.base_seed())}
        studies.write(study, out, say=False)  # after each part, so that a long run keeps what it finished
    print(summary(study))
    if out is not None:
        print(f"wrote {out}")
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
