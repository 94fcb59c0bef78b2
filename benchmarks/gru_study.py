"""Which should I use? GRU, LSTM and plain RNN at matched parameter budgets, on two long-memory tasks.

    python benchmarks/gru_study.py                 # the full study; writes cells/results/gru_study.json
    python benchmarks/gru_study.py --quick --out /tmp/quick.json    # a reduced run (the test does this)
    python benchmarks/gru_study.py --costs-only    # measure the step costs again, keep the stored runs

Models: one recurrent layer and a linear head (`cells.SequenceModel`), hidden sizes chosen so that the
total parameter count of each model (layer and head, PyTorch's two bias vectors) is within a few
percent of the LSTM's (`matched_hidden_sizes`, computed with `cells.count_params`). The LSTM starts
with +1 on its forget-gate bias (the chapter's measured best practice); the GRU and the RNN start at
PyTorch's default initialisation.

Tasks (`cells.tasks`): the adding problem (mean squared error, readout of the last state) and the
temporal-order problem (four classes, cross-entropy; its error is the held-out error rate). Every
model trains on the same fresh batches for the same number of steps with Adam (lr 1e-3), gradient
norm clipped at 1, float32, and is scored every `eval_every` steps on one held-out set per task and
seed. Measured per run: the first evaluation below the task's threshold ("steps to threshold", or
none within the budget), the final and the best held-out error, and the wall time. Measured per
model and task, apart from the training runs, at the matched sizes and with the LSTM's number of units
for all three: CPU and wall seconds per training step (minimum over repeats of a block of steps with
nothing else in the loop; CPU time because the machine is shared) and peak memory of one training step
(tracemalloc, which numpy reports its arrays to).

The layers come from `cells.experiments.make_layer`; the run helper lives here, because
`cells.experiments.adding_run` knows the adding problem only and this study also runs temporal order
(with an error-rate score). A test (tests/benchmarks/test_gru_study.py) runs this script in its --quick form.
"""

import argparse
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

import cells  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "cells" / "results" / "gru_study.json"

# name in the study -> (cells.experiments.LAYER_KINDS name, cells.count_params kind)
LAYERS = {"GRU": ("GRU", "gru"), "LSTM": ("LSTM, forget bias +1", "lstm"), "plain RNN": ("plain RNN", "rnn")}

TASKS = {
    "adding": dict(input_size=2, out_features=1, loss="mse", threshold=0.01,
                   error="held-out mean squared error", baseline=cells.tasks.adding_problem_baseline()),
    "temporal order": dict(input_size=8, out_features=4, loss="cross_entropy", threshold=0.05,
                           error="held-out error rate", baseline=0.75),
}

FULL = dict(T=50, lstm_hidden=32, batch=32, steps=3000, eval_every=100, seeds=(0, 1, 2), held_out=512)
QUICK = dict(T=20, lstm_hidden=16, batch=16, steps=60, eval_every=20, seeds=(0,), held_out=64)


def model_params(kind, input_size, hidden_size, out_features):
    """Parameters of a one-layer recurrent layer (PyTorch's convention) plus its linear head."""
    layer = cells.count_params(LAYERS[kind][1], input_size, hidden_size).total
    return layer + hidden_size * out_features + out_features


def matched_hidden_sizes(input_size, out_features, lstm_hidden):
    """{kind: hidden size} whose model totals are closest to the LSTM's with `lstm_hidden` units."""
    budget = model_params("LSTM", input_size, lstm_hidden, out_features)
    sizes = {}
    for kind in LAYERS:
        candidates = range(1, 8 * lstm_hidden)
        sizes[kind] = min(candidates, key=lambda h: abs(model_params(kind, input_size, h, out_features) - budget))
    return sizes


def make_data(task, num_samples, T, rng):
    """(x, y) for one task, time-major."""
    if task == "adding":
        return cells.tasks.adding_problem(num_samples, T, rng=rng)
    return cells.tasks.temporal_order(num_samples, T, rng=rng)


def build_model(kind, task, hidden_size, seed):
    spec = TASKS[task]
    rng = np.random.default_rng(seed)
    layer = cells.experiments.make_layer(LAYERS[kind][0], hidden_size, rng=rng, dtype=np.float32,
                                         input_size=spec["input_size"])
    return cells.SequenceModel(layer, out_features=spec["out_features"], rng=rng)


def error_function(task, held_out):
    """model -> the task's held-out error: MSE for adding, the error rate for temporal order."""
    x, y = held_out
    if task == "adding":
        return lambda model: float(np.mean((model.forward(x) - y) ** 2))
    return lambda model: float(np.mean(model.forward(x).argmax(axis=1) != y))


def train_run(kind, task, hidden_size, seed, settings, progress=True):
    """One training run -> dict of its measurements (and its evaluation curve)."""
    spec = TASKS[task]
    model = build_model(kind, task, hidden_size, seed)
    data_rng = np.random.default_rng(1000 + seed)  # the same batches for every model
    held_out = make_data(task, settings["held_out"], settings["T"], np.random.default_rng(999 + seed))
    history = cells.train(
        model, lambda: make_data(task, settings["batch"], settings["T"], data_rng),
        loss=spec["loss"], optimizer=cells.Adam(lr=1e-3), steps=settings["steps"], max_norm=1.0,
        evaluate=error_function(task, held_out), eval_every=settings["eval_every"],
        progress=progress, description=f"{task}: {kind}, seed {seed}")
    below = [step for step, err in zip(history.eval_steps, history.eval_losses) if err < spec["threshold"]]
    return {"kind": kind, "task": task, "seed": seed, "hidden_size": hidden_size,
            "steps_to_threshold": below[0] if below else None,
            "final_error": history.eval_losses[-1], "best_error": min(history.eval_losses),
            "eval_steps": history.eval_steps, "eval_errors": history.eval_losses,
            "seconds": history.seconds}


def step_cost(kind, task, hidden_size, settings, repeats=7, block=10):
    """What one training step (forward, backward, Adam on one batch) costs -> dict.

    CPU seconds per step (time.process_time: what this process computed, hardly disturbed by other work on
    a shared machine, since numpy runs on one BLAS thread), wall seconds per step (minimum over the repeats),
    and the peak bytes numpy allocates during one step (tracemalloc)."""
    spec = TASKS[task]
    model = build_model(kind, task, hidden_size, seed=0)
    batch = make_data(task, settings["batch"], settings["T"], np.random.default_rng(0))
    optimizer = cells.Adam(lr=1e-3)
    cpu, wall = [], []
    for _ in range(repeats):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        cells.train(model, batch, loss=spec["loss"], optimizer=optimizer, steps=block, max_norm=1.0, progress=False)
        cpu.append((time.process_time() - cpu_start) / block)
        wall.append((time.perf_counter() - wall_start) / block)
    tracemalloc.start()
    cells.train(model, batch, loss=spec["loss"], optimizer=optimizer, steps=1, max_norm=1.0, progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"kind": kind, "task": task, "hidden_size": hidden_size, "cpu_seconds_per_step": min(cpu),
            "seconds_per_step": min(wall), "peak_bytes": peak}


def measure_costs(study):
    """Step costs at the matched budgets ("matched") and with the LSTM's number of units for all ("same units")."""
    settings = study["settings"]
    costs = []
    for task, info in study["tasks"].items():
        for kind, hidden_size in info["hidden_sizes"].items():
            costs.append(dict(step_cost(kind, task, hidden_size, settings), budget="matched"))
        for kind in LAYERS:
            costs.append(dict(step_cost(kind, task, settings["lstm_hidden"], settings), budget="same units"))
    return costs


def run_study(settings, progress=True):
    settings = dict(settings, seeds=list(settings["seeds"]))
    started = time.time()
    study = {"settings": settings, "tasks": {}, "runs": []}
    for task, spec in TASKS.items():
        sizes = matched_hidden_sizes(spec["input_size"], spec["out_features"], settings["lstm_hidden"])
        study["tasks"][task] = {
            "threshold": spec["threshold"], "error": spec["error"], "baseline": spec["baseline"],
            "hidden_sizes": sizes,
            "params": {kind: model_params(kind, spec["input_size"], h, spec["out_features"])
                       for kind, h in sizes.items()}}
        for seed in settings["seeds"]:
            for kind, hidden_size in sizes.items():
                study["runs"].append(train_run(kind, task, hidden_size, seed, settings, progress))
    study["costs"] = measure_costs(study)
    study["machine"] = {"python": platform.python_version(), "numpy": np.__version__,
                        "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
                        "wall_seconds": round(time.time() - started, 1),
                        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    return study


def summary(study):
    """One line per task and model: median steps to threshold, runs that reached it, median final error."""
    lines = []
    for task in study["tasks"]:
        for kind in LAYERS:
            runs = [r for r in study["runs"] if r["task"] == task and r["kind"] == kind]
            reached = [r["steps_to_threshold"] for r in runs if r["steps_to_threshold"] is not None]
            cost = {c["budget"]: c for c in study["costs"] if c["task"] == task and c["kind"] == kind}
            lines.append(f"{task:<15} {kind:<10} reached {len(reached)}/{len(runs)}"
                         f"  median steps {np.median(reached) if reached else float('nan'):>6.0f}"
                         f"  median final {np.median([r['final_error'] for r in runs]):.4f}"
                         f"  CPU ms/step {1000 * cost['matched']['cpu_seconds_per_step']:.1f}"
                         f" ({1000 * cost['same units']['cpu_seconds_per_step']:.1f} with the LSTM's units)"
                         f"  {cost['matched']['peak_bytes'] / 1e6:.1f} MB")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the reduced settings a test can afford")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write the JSON (default {DEFAULT_OUT})")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--costs-only", action="store_true",
                        help="keep the training runs of the JSON at --out (or the default) "
                             "and measure the step costs again")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    out = args.out or (None if args.quick else DEFAULT_OUT)
    if args.costs_only:
        study = json.loads((args.out or DEFAULT_OUT).read_text())
        study["costs"] = measure_costs(study)
        study["machine"]["costs_measured"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        study["machine"]["costs_load_average"] = list(os.getloadavg())
        out = args.out or DEFAULT_OUT
    else:
        study = run_study(settings, progress=not args.no_progress)
    print(summary(study))
    print(f"wall time {study['machine']['wall_seconds']} s, load average {study['machine']['load_average']}")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(study, indent=1) + "\n")
        print(f"wrote {out}")
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
