"""What the stored-study scripts share: their command line, the machine record, the report and the JSON file.

A stored-study script (gru_study.py, rnns_today_study.py, language_model_study.py, attention_study.py,
adding_gap.py) runs an experiment too long for a chapter's build and writes its results to
cells/results/<name>.json, which a chapter reads and a test checks. Each one's main() reads:

    parser = studies.parser(__doc__, DEFAULT_OUT)      # --quick, --out, --no-progress
    parser.add_argument(...)                           # the script's own options
    args = parser.parse_args(argv)
    out = studies.out_path(args, DEFAULT_OUT)          # --out, else nothing for --quick, else DEFAULT_OUT
    study = run_study(QUICK if args.quick else FULL, progress=not args.no_progress)
    studies.report(summary(study), study["machine"], experiment_seed)
    studies.write(study, out)

and run_study stores `studies.machine(started, ...)` as the study's "machine": the versions, the core
count, the load average, the wall time and the date of the run. The scripts import this module as a
sibling (they put benchmarks/ on sys.path), after setting OPENBLAS_NUM_THREADS, since it imports numpy.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np


def parser(doc, default_out):
    """The options every study has (--quick, --out, --no-progress); the script adds its own and parses."""
    result = argparse.ArgumentParser(description=doc.splitlines()[0])
    result.add_argument("--quick", action="store_true", help="the reduced settings a test can afford")
    result.add_argument("--out", type=Path, default=None, help=f"where to write the JSON (default {default_out})")
    result.add_argument("--no-progress", action="store_true")
    return result


def out_path(args, default_out):
    """Where the study goes: --out if given; else nowhere for a --quick run, the stored file for a full one."""
    return args.out or (None if args.quick else default_out)


def now():
    """The date and time, UTC, as the studies record them."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def machine(started, *, load_at_start=None, blas_threads=False, experiment_seed=None):
    """What a run ran on and how long it took since `started` (time.time()) -> the study's "machine" dict.

    Always python, numpy, cpus, load_average (at the end), wall_seconds and date; the keyword arguments
    add load_average_at_start, blas_threads (OPENBLAS_NUM_THREADS) and experiment_seed, in the order the
    stored files have them.
    """
    record = {"python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count()}
    if blas_threads:
        record["blas_threads"] = os.environ.get("OPENBLAS_NUM_THREADS")
    if load_at_start is not None:
        record["load_average_at_start"] = load_at_start
    record["load_average"] = list(os.getloadavg())
    record["wall_seconds"] = round(time.time() - started, 1)
    if experiment_seed is not None:
        record["experiment_seed"] = experiment_seed
    record["date"] = now()
    return record


def report(summary, machine, experiment_seed=None):
    """Print a study's summary, then its wall time and load average (and the experiment seed, if given)."""
    print(summary)
    seed = "" if experiment_seed is None else f", experiment seed {experiment_seed}"
    print(f"wall time {machine['wall_seconds']} s, load average {machine['load_average']}{seed}")


def write(study, out, *, also=None, say=True):
    """Write `study` as JSON to `out` (nothing if out is None) and say so, naming `also` if given
    (another file the script wrote with it)."""
    if out is None:
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(study, indent=1) + "\n")
    if say:
        print(f"wrote {out}" + ("" if also is None else f" and {also}"))
