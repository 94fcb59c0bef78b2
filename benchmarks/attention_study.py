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

A control (`--control`, added to the stored file without retraining the two models): the model
without attention given the attentive model's combination layer, h~_t = tanh(W_c [m_S; q_t] + b_c),
i.e. attention over the one row m_S (`LastStateCombined`). Same parameters, same initialisation and
batches as the attentive model of the same run; only what the decoder may read differs. It asks
whether the extra tanh layer, not the reading of the whole memory, explains the gap.

    python benchmarks/attention_study.py --control     # adds "control" runs to the stored file

The draws follow UNROLLED_EXPERIMENT_SEED as the chapter's do (default 0: the stored study). A test
(tests/benchmarks/test_attention_study.py) runs the --quick form and checks the stored file.
"""

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

from cells import experiments  # noqa: E402
from cells.seq2seq import Seq2Seq  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))  # studies.py, also when a test loads this file
import studies  # noqa: E402

DEFAULT_OUT = REPO / "cells" / "results" / "attention_study.json"
MODELS = {"without attention": None, "with attention": "dot"}

FULL = dict(experiments.REVERSAL_SETTINGS, runs=(0, 1, 2, 3, 4))
QUICK = dict(FULL, length=8, hidden_size=16, embedding_dim=8, batch_size=16, steps=60, eval_every=20,
             curve_count=20, held_out_count=50, runs=(0, 1))
LAST = 5  # a run's result: the mean of its last five evaluations
CONTROL = "without attention, with the combination layer"


class LastStateCombined(Seq2Seq):
    """The control: a Seq2Seq with attention (dot scores) whose memory is the last state m_S alone.

    One row gets weight 1, so the context is m_S and h~_t = tanh(W_c [m_S; q_t] + b_c): the
    attentive model's parameters and extra layer, the plain model's bottleneck.
    """

    def forward(self, x):
        source, target = self._check_pair(x)
        memory = self.encode(source)
        previous = np.concatenate([np.full((1, target.shape[1]), self.start_token), target[:-1]])
        queries, _ = self.decoder.forward(self.target_embedding.forward(previous), memory[-1:])
        self._memory_shape = memory.shape
        combined, _ = self.attention.forward(queries, memory[-1:])
        return self.head.forward(combined)

    def backward(self, d_logits):
        d_combined, grads = self.head.backward(d_logits)
        grads = {"head." + k: v for k, v in grads.items()}
        d_memory = np.zeros(self._memory_shape, dtype=d_combined.dtype)
        d_queries, d_last, attention_grads = self.attention.backward(d_combined)
        grads.update({"attention." + k: v for k, v in attention_grads.items()})
        d_memory[-1] += d_last[0]
        d_previous, decoder_grads = self.decoder.backward(d_queries)
        d_memory[-1] += self.decoder.d_initial_state[0]  # q_0 = m_S
        grads.update({"decoder." + k: v for k, v in decoder_grads.items()})
        grads["target_embedding.weight"] = self.target_embedding.backward(d_previous)["weight"]
        d_source, encoder_grads = self.encoder.backward(d_memory)
        grads.update({"encoder." + k: v for k, v in encoder_grads.items()})
        grads["source_embedding.weight"] = self.source_embedding.backward(d_source)["weight"]
        return None, {name: grads[name] for name in self.params()}

    def generate(self, source, length):
        memory = self.encode(source)
        cell = self.decoder.cells[0][0]
        state = memory[-1]
        token = np.full(source.shape[1], self.start_token)
        tokens = []
        for _ in range(length):
            state, _ = cell.step(self.target_embedding.weight[token], state)
            combined, _ = self.attention.forward(state[None], memory[-1:])
            token = np.argmax(self.head.forward(combined[0]), axis=-1)
            tokens.append(token)
        return np.stack(tokens), None


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


def run_entry(name, model, history, record):
    result = experiments.reversal_result(history, record, last=LAST)
    return {"model": name, "run": None, "eval_steps": history.eval_steps,
            "token_accuracy": [1.0 - e for e in history.eval_losses],
            "sequences": record["sequences"].tolist(), "by_step": record["by_step"].tolist(),
            "result": {"tokens": result["tokens"], "sequences": result["sequences"],
                       "by_step": result["by_step"].tolist()},
            "seconds": history.seconds}


def options_of(settings):
    return {k: settings[k] for k in ("length", "hidden_size", "embedding_dim", "batch_size", "steps", "lr",
                                     "eval_every")}


def run_control(study, runs=None, progress=True):
    """Train the control (`LastStateCombined`) for the study's runs -> the study with "control" added."""
    settings = study["settings"]
    if study["experiment_seed"] != experiments.base_seed():
        raise ValueError(f"the study was made under experiment seed {study['experiment_seed']}; "
                         f"this process has {experiments.base_seed()}")
    started = time.time()
    curve, _ = experiments.reversal_held_out(settings["length"], settings["curve_count"],
                                             settings["held_out_count"])
    control = {"model": CONTROL, "runs": []}
    for run in settings["runs"] if runs is None else runs:
        model, history, record = experiments.reversal_run("dot", run, curve=curve, progress=progress,
                                                          description=f"control, run {run}",
                                                          model_class=LastStateCombined, **options_of(settings))
        control["runs"].append(dict(run_entry(CONTROL, model, history, record), run=run))
        print(f"control run {run}: tokens {control['runs'][-1]['result']['tokens']:.3f}", flush=True)
    control["machine"] = studies.machine(started, blas_threads=True)
    return dict(study, control=control)


def run_study(settings, progress=True):
    settings = dict(settings, runs=list(settings["runs"]))
    started = time.time()
    length = settings["length"]
    curve, held_out = experiments.reversal_held_out(length, settings["curve_count"], settings["held_out_count"])
    options = options_of(settings)
    study = {"settings": settings, "last": LAST, "experiment_seed": experiments.base_seed(), "runs": []}
    for run in settings["runs"]:
        for name, attention in MODELS.items():
            model, history, record = experiments.reversal_run(attention, run, curve=curve, progress=progress,
                                                              description=f"{name}, run {run}", **options)
            entry = dict(run_entry(name, model, history, record), run=run)
            if attention is not None:
                entry["attention"] = attention_analysis(model, held_out, length)
            study["runs"].append(entry)
    study["machine"] = studies.machine(started, blas_threads=True)
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
    if "control" in study:
        median, low, high = experiments.median_and_range(r["result"]["tokens"] for r in study["control"]["runs"])
        lines.append(f"{CONTROL}: tokens median {median:.3f}  range {low:.3f} to {high:.3f}")
    return "\n".join(lines)


def main(argv=None):
    parser = studies.parser(__doc__, DEFAULT_OUT)
    parser.add_argument("--control", action="store_true",
                        help="add the control runs to the stored study (or --study) instead of running the study")
    parser.add_argument("--study", type=Path, default=DEFAULT_OUT, help="the study --control adds to")
    parser.add_argument("--runs", type=int, nargs="+", default=None, help="with --control: these runs only")
    args = parser.parse_args(argv)
    progress = not args.no_progress
    if args.control:
        study = run_control(json.loads(args.study.read_text()), runs=args.runs, progress=progress)
        out = args.out or args.study
    else:
        study = run_study(QUICK if args.quick else FULL, progress=progress)
        if args.quick:  # the quick form runs the control too, so that the test covers it
            study = run_control(study, progress=progress)
        out = studies.out_path(args, DEFAULT_OUT)
    studies.report(summary(study), study["machine"])
    studies.write(study, out)
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
