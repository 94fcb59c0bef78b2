"""Which cell grows a unit you can name? Character-level language models on Dyck-1, quotes and Python source.

    python benchmarks/language_model_study.py      # the full study: cells/results/language_model_study.json (+ .npz)
    python benchmarks/language_model_study.py --quick --out /tmp/quick.json    # a reduced run (the test does this)
    python benchmarks/language_model_study.py --python-only   # keep the stored comparison, run the Python part again

Models: `cells.CharLanguageModel`, one-hot characters -> one recurrent layer -> Dense -> softmax over
the next character, trained with Adam, gradient norm clipped at 1, float32 (`cells.language_model`).

1. The comparison (`cells.language_model.corpus_run`): a plain RNN, a GRU and an LSTM with the same
   number of units (16; so not the same number of parameters, which the file records) see the same
   characters: the same fresh batches (32 sequences of 64 characters, each starting at the start of a
   line) for the same number of steps, on each generated corpus (Dyck-1 with its depth label, the
   quote language with its inside-quotes label). Measured per run: the held-out bits per character
   and the best unit's Pearson r with the label (the largest |r| over the units' h) on 20 held-out
   sequences of 1,000 characters, after training and before it (the untrained control), and the CPU
   seconds of the run. Seeds: run s draws its parameters from seed(s), its batches from seed(1000 + s)
   and its held-out text from seed(999 + s) (`cells.experiments.seed`), so the chapter's in-build LSTM
   runs with seeds 0, 1, 2 repeat this study's LSTM runs exactly under the default experiment seed.

2. Python (`cells.corpora.python_source`): the standard library modules of cells.corpora.PYTHON_MODULES
   as this interpreter has them (the text's length and the Python version are recorded). The last
   HELD_OUT_SHARE of the characters are held out; training reads random windows of the rest. An LSTM
   with 64 units, three seeds; measured: held-out bits per character during training, the best unit for
   bracket depth, inside a string and column (trained and untrained), samples at two temperatures, and
   the throughput. The weights of seed 0's model are stored next to the JSON (float32, .npz).

Each run's result is one measurement after training (a correlation over 20,000 or more held-out
characters, not a noisy training loss); the chapter gives medians and ranges over the seeds.
A test (tests/benchmarks/test_language_model_study.py) runs this script in its --quick form.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: small matrices, a shared machine

import numpy as np  # noqa: E402

import cells  # noqa: E402
from cells import corpora  # noqa: E402
from cells.language_model import CharLanguageModel, best_unit, corpus_run, window_batches  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))  # studies.py, also when a test loads this file
import studies  # noqa: E402

DEFAULT_OUT = REPO / "cells" / "results" / "language_model_study.json"
KINDS = {"plain RNN": "rnn", "GRU": "gru", "LSTM": "lstm"}
PYTHON_LABELS = ("depth", "in_string", "column")
HELD_OUT_SHARE = 0.1
TEMPERATURES = (0.5, 1.0)

FULL = dict(hidden_size=16, steps=600, batch=32, length=64, lr=1e-2, seeds=(0, 1, 2, 3, 4), held_out=(20, 1000),
            python=dict(hidden_size=64, steps=3000, batch=32, length=128, lr=1e-2, seeds=(0, 1, 2),
                        eval_every=250, held_out_characters=20_000, sample_length=600, modules=None))
QUICK = dict(hidden_size=8, steps=30, batch=8, length=32, lr=1e-2, seeds=(0,), held_out=(4, 200),
             python=dict(hidden_size=8, steps=20, batch=4, length=32, lr=3e-3, seeds=(0,), eval_every=10,
                         held_out_characters=1_000, sample_length=50, modules=["bisect", "json.decoder"]))


def comparison_run(corpus, kind, seed, settings):
    """One run of the comparison -> dict of its measurements."""
    start = time.process_time()
    run = corpus_run(corpus, cell=KINDS[kind], hidden_size=settings["hidden_size"], seed=cells.experiments.seed(seed),
                     steps=settings["steps"], batch_size=settings["batch"], length=settings["length"],
                     lr=settings["lr"], held_out=tuple(settings["held_out"]))
    params = sum(p.size for p in run["model"].params().values())
    return {"corpus": corpus, "label": run["label"], "kind": kind, "seed": seed, "params": int(params),
            "characters": run["characters"], "r": run["r"], "abs_r": abs(run["r"]), "unit": run["unit"],
            "untrained_r": run["untrained_r"], "untrained_abs_r": abs(run["untrained_r"]),
            "bits_per_character": run["bits_per_character"],
            "untrained_bits_per_character": run["untrained_bits_per_character"],
            "cpu_seconds": time.process_time() - start}


def python_split(text, labels, share=HELD_OUT_SHARE):
    """The last `share` of the text is held out -> (train text, (held-out text, held-out labels))."""
    cut = int(len(text) * (1 - share))
    return text[:cut], (text[cut:], {k: v[cut:] for k, v in labels.items()})


def held_out_block(model, text, labels, characters):
    """The first `characters` held-out characters as 10 parallel sequences -> (indices (T, 10), labels)."""
    per = characters // 10
    indices = model.encode(text[:per * 10]).reshape(10, per).T
    return indices, {k: v[:per * 10].reshape(10, per).T for k, v in labels.items()}


def best_units(model, indices, labels):
    states = model.states(indices)["h"]
    return {name: dict(zip(("unit", "r"), best_unit(states, labels[name]))) for name in PYTHON_LABELS}


def python_run(seed, text, labels, settings, alphabet):
    """One LSTM on the Python corpus -> (measurements, model)."""
    train_text, (held_text, held_labels) = python_split(text, labels)
    model = CharLanguageModel(alphabet, settings["hidden_size"], cell="lstm", rng=cells.experiments.seed(seed),
                              dtype=np.float32)
    indices, block_labels = held_out_block(model, held_text, held_labels, settings["held_out_characters"])
    untrained = best_units(model, indices, block_labels)
    data = window_batches(model.encode(train_text), settings["batch"], settings["length"],
                          rng=cells.experiments.seed(1000 + seed))
    start = time.process_time()
    history = cells.train(model, data, loss="cross_entropy", optimizer=cells.Adam(settings["lr"]),
                          steps=settings["steps"], max_norm=1.0, evaluate=lambda m: m.bits_per_character(indices),
                          eval_every=settings["eval_every"], progress=False)
    cpu = time.process_time() - start
    characters = settings["steps"] * settings["batch"] * settings["length"]
    samples = {str(t): model.sample(settings["sample_length"], temperature=t, rng=cells.experiments.seed(2000 + seed),
                                    prime="def ") for t in TEMPERATURES}
    return {"seed": seed, "characters": characters, "cpu_seconds": cpu, "characters_per_cpu_second": characters / cpu,
            "eval_steps": history.eval_steps, "eval_bits_per_character": history.eval_losses,
            "bits_per_character": history.eval_losses[-1], "best": best_units(model, indices, block_labels),
            "untrained_best": untrained, "samples": samples}, model


def run_study(settings, progress=True, weights_out=None, keep_comparison=None):
    """The whole study; with keep_comparison (a stored study), its comparison runs are kept and only the
    Python part runs again."""
    from tqdm.auto import tqdm

    settings = dict(settings, seeds=list(settings["seeds"]), experiment_seed=cells.experiments.base_seed())
    started, load_at_start = time.time(), list(os.getloadavg())
    study = {"settings": settings, "runs": [], "python": {}}
    if keep_comparison is not None:
        kept, now = keep_comparison["settings"], json.loads(json.dumps(settings))  # lists, as stored
        if {k: v for k, v in kept.items() if k != "python"} != {k: v for k, v in now.items() if k != "python"}:
            raise SystemExit("--python-only: the stored comparison ran with other settings; run the whole study")
        study["runs"] = keep_comparison["runs"]
        study["comparison_machine"] = keep_comparison.get("comparison_machine", keep_comparison["machine"])
    jobs = [(corpus, kind, seed) for corpus in ("dyck", "quotes") for kind in KINDS for seed in settings["seeds"]]
    for corpus, kind, seed in tqdm(jobs if keep_comparison is None else [], desc="comparison runs",
                                   disable=not progress):
        study["runs"].append(comparison_run(corpus, kind, seed, settings))

    py = settings["python"]
    modules = py["modules"] or list(corpora.PYTHON_MODULES)
    text, labels = corpora.python_source(modules)
    alphabet = "".join(sorted(set(text)))
    train_text, _ = python_split(text, labels)
    study["python"] = {"modules": modules, "characters": len(text), "training_characters": len(train_text),
                       "held_out_characters": py["held_out_characters"], "alphabet": alphabet,
                       "python_version": platform.python_version(), "runs": []}
    for seed in tqdm(py["seeds"], desc="Python corpus runs", disable=not progress):
        run, model = python_run(seed, text, labels, py, alphabet)
        study["python"]["runs"].append(run)
        if seed == py["seeds"][0] and weights_out is not None:
            np.savez_compressed(weights_out, alphabet=np.array(alphabet), **model.snapshot())
    study["machine"] = studies.machine(started, load_at_start=load_at_start)
    return study


def summary(study):
    lines = []
    for corpus in ("dyck", "quotes"):
        for kind in KINDS:
            runs = [r for r in study["runs"] if r["corpus"] == corpus and r["kind"] == kind]
            r, r0 = [x["abs_r"] for x in runs], [x["untrained_abs_r"] for x in runs]
            lines.append(f"{corpus:<7} {kind:<10} best |r| median {np.median(r):.3f} ({min(r):.3f}-{max(r):.3f})"
                         f"  untrained {np.median(r0):.3f} ({min(r0):.3f}-{max(r0):.3f})"
                         f"  bits/char {np.median([x['bits_per_character'] for x in runs]):.3f}"
                         f"  CPU s {np.median([x['cpu_seconds'] for x in runs]):.1f}  params {runs[0]['params']}")
    py = study["python"]
    lines.append(f"Python corpus: {py['characters']} characters of {len(py['modules'])} modules "
                 f"(Python {py['python_version']})")
    for run in py["runs"]:
        best = ", ".join(f"{k} {v['r']:+.3f} (untrained {run['untrained_best'][k]['r']:+.3f})"
                         for k, v in run["best"].items())
        lines.append(f"  seed {run['seed']}: bits/char {run['bits_per_character']:.3f}, {best}, "
                     f"{run['characters_per_cpu_second']:.0f} chars/CPU-s")
    return "\n".join(lines)


def main(argv=None):
    parser = studies.parser(__doc__, DEFAULT_OUT)
    parser.add_argument("--python-only", action="store_true",
                        help="keep the JSON's comparison runs (at --out or the default), run the Python part again")
    args = parser.parse_args(argv)
    out = studies.out_path(args, DEFAULT_OUT)
    weights = None if out is None else out.with_suffix(".npz")
    kept = json.loads((args.out or DEFAULT_OUT).read_text()) if args.python_only else None
    study = run_study(QUICK if args.quick else FULL, progress=not args.no_progress, weights_out=weights,
                      keep_comparison=kept)
    studies.report(summary(study), study["machine"], study["settings"]["experiment_seed"])
    studies.write(study, out, also=weights)
    return study


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
