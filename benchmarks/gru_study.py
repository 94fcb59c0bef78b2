"""Which should I use? GRU, LSTM and plain RNN at matched parameter budgets, on two long-memory tasks.

    python benchmarks/gru_study.py                 # the full study; writes cells/results/gru_study.json
    python benchmarks/gru_study.py --quick --out /tmp/quick.json    # a reduced run (the test does this)
    python benchmarks/gru_study.py --costs-only    # measure the step costs again, keep the stored runs

Models: one recurrent layer and a linear head (`cells.SequenceModel`), hidden sizes chosen so that the
total parameter count of each architecture (layer and head, PyTorch's two bias vectors) is within a few
percent of the LSTM's (`matched_hidden_sizes`, computed with `cells.count_params`). Five models: the GRU
and the LSTM each at PyTorch's default initialisation and with +1 on the bias of the gate that keeps the
state (the LSTM's forget gate, `add_forget_bias`; the GRU's update gate, `add_update_bias`), and the
plain RNN. A biased model and its default twin with the same seed start from the same draws and see the
same batches: they differ in that one bias alone, the control that a sentence crediting the bias needs.

Tasks (`cells.tasks`): the adding problem (mean squared error, readout of the last state) and the
temporal-order problem (four classes, cross-entropy; its error is the held-out error rate). Every
model trains on the same fresh batches for the same number of steps with Adam (lr 1e-3), gradient
norm clipped at 1, float32, and is scored every `eval_every` steps on one held-out set per task and
seed. Measured per run: the first evaluation below the task's threshold ("steps to threshold", or
none within the budget), the final and the best held-out error, the mean of the last five evaluations
(`cells.experiments.last_evaluations`: what the chapter reads as a run's result, since one evaluation
can spike) and the wall time.

Seeds: every draw derives from the book's experiment seed (`cells.experiments.seed(n)` / `rng(n)`, from
UNROLLED_EXPERIMENT_SEED, default 0), run s drawing its parameters from seed(s), its batches from
seed(1000 + s) and its held-out set from seed(999 + s); the file records the experiment seed it ran with. Measured per
architecture and task, apart from the training runs, at the matched sizes and with the LSTM's number of units
for all three: CPU and wall seconds per training step (minimum over repeats of a block of steps with
nothing else in the loop; CPU time because the machine is shared) and peak memory of one training step
(tracemalloc, which numpy reports its arrays to).

The layers come from `cells.experiments.make_layer`; the run helper lives here, because
`cells.experiments.adding_run` knows the adding problem only and this study also runs temporal order
(with an error-rate score). A test (tests/benchmarks/test_gru_study.py) runs this script in its --quick form.
"""

import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

import cells  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))  # studies.py, also when a test loads this file
import studies  # noqa: E402

DEFAULT_OUT = REPO / "cells" / "results" / "gru_study.json"

# architecture -> cells.count_params kind
ARCHITECTURES = {"GRU": "gru", "LSTM": "lstm", "plain RNN": "rnn"}
# model in the study -> (architecture, cells.experiments.LAYER_KINDS name, bias added to the GRU's update gate)
MODELS = {
    "GRU": ("GRU", "GRU", 0.0),
    "GRU, update bias +1": ("GRU", "GRU", 1.0),
    "LSTM": ("LSTM", "LSTM", 0.0),
    "LSTM, forget bias +1": ("LSTM", "LSTM, forget bias +1", 0.0),
    "plain RNN": ("plain RNN", "plain RNN", 0.0),
}
LAST = 5  # a run's result: the mean of its last LAST evaluations

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
    layer = cells.count_params(ARCHITECTURES[kind], input_size, hidden_size).total
    return layer + hidden_size * out_features + out_features


def matched_hidden_sizes(input_size, out_features, lstm_hidden):
    """{architecture: hidden size} whose model totals are closest to the LSTM's with `lstm_hidden` units."""
    budget = model_params("LSTM", input_size, lstm_hidden, out_features)
    sizes = {}
    for kind in ARCHITECTURES:
        candidates = range(1, 8 * lstm_hidden)
        sizes[kind] = min(candidates, key=lambda h: abs(model_params(kind, input_size, h, out_features) - budget))
    return sizes


def make_data(task, num_samples, T, rng):
    """(x, y) for one task, time-major."""
    if task == "adding":
        return cells.tasks.adding_problem(num_samples, T, rng=rng)
    return cells.tasks.temporal_order(num_samples, T, rng=rng)


def build_model(model, task, hidden_size, seed):
    """A model of the study (a key of MODELS) with its head, drawn from the experiment seed's seed(seed)."""
    spec = TASKS[task]
    _, layer_kind, update_bias = MODELS[model]
    rng = cells.experiments.rng(seed)
    layer = cells.experiments.make_layer(layer_kind, hidden_size, rng=rng, dtype=np.float32,
                                         input_size=spec["input_size"])
    if update_bias:
        cells.experiments.add_update_bias(layer, update_bias)
    return cells.SequenceModel(layer, out_features=spec["out_features"], rng=rng)


def error_function(task, held_out):
    """model -> the task's held-out error: MSE for adding, the error rate for temporal order."""
    x, y = held_out
    if task == "adding":
        return lambda model: float(np.mean((model.forward(x) - y) ** 2))
    return lambda model: float(np.mean(model.forward(x).argmax(axis=1) != y))


def train_run(kind, task, hidden_size, seed, settings, progress=True):
    """One training run of model `kind` (a key of MODELS) -> dict of its measurements and evaluation curve."""
    spec = TASKS[task]
    model = build_model(kind, task, hidden_size, seed)
    data_rng = cells.experiments.rng(1000 + seed)  # the same batches for every model
    held_out = make_data(task, settings["held_out"], settings["T"], cells.experiments.rng(999 + seed))
    history = cells.train(
        model, lambda: make_data(task, settings["batch"], settings["T"], data_rng),
        loss=spec["loss"], optimizer=cells.Adam(lr=1e-3), steps=settings["steps"], max_norm=1.0,
        evaluate=error_function(task, held_out), eval_every=settings["eval_every"],
        progress=progress, description=f"{task}: {kind}, seed {seed}")
    below = [step for step, err in zip(history.eval_steps, history.eval_losses) if err < spec["threshold"]]
    return {"kind": kind, "architecture": MODELS[kind][0], "task": task, "seed": seed,
            "hidden_size": hidden_size, "steps_to_threshold": below[0] if below else None,
            "final_error": history.eval_losses[-1], "best_error": min(history.eval_losses),
            "last_errors": cells.experiments.last_evaluations(history, last=LAST),
            "eval_steps": history.eval_steps, "eval_errors": history.eval_losses,
            "seconds": history.seconds}


def step_cost(kind, task, hidden_size, settings, repeats=7, block=10):
    """What one training step (forward, backward, Adam on one batch) costs -> dict.

    CPU seconds per step (time.process_time: what this process computed, hardly disturbed by other work on
    a shared machine, since numpy runs on one BLAS thread), wall seconds per step (minimum over the repeats),
    and the peak bytes numpy allocates during one step (tracemalloc)."""
    spec = TASKS[task]
    model = build_model(kind, task, hidden_size, seed=0)
    batch = make_data(task, settings["batch"], settings["T"], cells.experiments.rng(0))
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
    """Step costs of each architecture (at its default initialisation: a bias does not change the cost)
    at the matched budgets ("matched") and with the LSTM's number of units for all ("same units")."""
    settings = study["settings"]
    costs = []
    for task, info in study["tasks"].items():
        for kind, hidden_size in info["hidden_sizes"].items():
            costs.append(dict(step_cost(kind, task, hidden_size, settings), budget="matched"))
        for kind in ARCHITECTURES:
            costs.append(dict(step_cost(kind, task, settings["lstm_hidden"], settings), budget="same units"))
    return costs


def run_study(settings, progress=True):
    settings = dict(settings, seeds=list(settings["seeds"]), last=LAST,
                    experiment_seed=cells.experiments.base_seed())
    started, load_at_start = time.time(), list(os.getloadavg())
    study = {"settings": settings, "tasks": {}, "runs": []}
    for task, spec in TASKS.items():
        sizes = matched_hidden_sizes(spec["input_size"], spec["out_features"], settings["lstm_hidden"])
        study["tasks"][task] = {
            "threshold": spec["threshold"], "error": spec["error"], "baseline": spec["baseline"],
            "hidden_sizes": sizes,
            "params": {kind: model_params(kind, spec["input_size"], h, spec["out_features"])
                       for kind, h in sizes.items()}}
        for seed in settings["seeds"]:
            for kind, (architecture, _, _) in MODELS.items():
                study["runs"].append(train_run(kind, task, sizes[architecture], seed, settings, progress))
    study["costs"] = measure_costs(study)
    study["machine"] = studies.machine(started, load_at_start=load_at_start)
    return study


def summary(study):
    """One line per task and model: runs that reached the threshold and their median steps, median result."""
    lines = []
    for task in study["tasks"]:
        for kind, (architecture, _, _) in MODELS.items():
            runs = [r for r in study["runs"] if r["task"] == task and r["kind"] == kind]
            reached = [r["steps_to_threshold"] for r in runs if r["steps_to_threshold"] is not None]
            cost = {c["budget"]: c for c in study["costs"] if c["task"] == task and c["kind"] == architecture}
            lines.append(f"{task:<15} {kind:<21} reached {len(reached)}/{len(runs)}"
                         f"  median steps {np.median(reached) if reached else float('nan'):>6.0f}"
                         f"  median of last {LAST} {np.median([r['last_errors'] for r in runs]):.4f}"
                         f"  CPU ms/step {1000 * cost['matched']['cpu_seconds_per_step']:.1f}"
                         f" ({1000 * cost['same units']['cpu_seconds_per_step']:.1f} with the LSTM's units)"
                         f"  {cost['matched']['peak_bytes'] / 1e6:.1f} MB")
    return "\n".join(lines)


def main(argv=None):
    parser = studies.parser(__doc__, DEFAULT_OUT)
    parser.add_argument("--costs-only", action="store_true",
                        help="keep the training runs of the JSON at --out (or the default) "
                             "and measure the step costs again")
    args = parser.parse_args(argv)
    if args.costs_only:
        out = args.out or DEFAULT_OUT
        study = json.loads(out.read_text())
        study["costs"] = measure_costs(study)
        study["machine"]["costs_measured"] = studies.now()
        study["machine"]["costs_load_average"] = list(os.getloadavg())
    else:
        out = studies.out_path(args, DEFAULT_OUT)
        study = run_study(QUICK if args.quick else FULL, progress=not args.no_progress)
    studies.report(summary(study), study["machine"], study["settings"]["experiment_seed"])
    studies.write(study, out)
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
