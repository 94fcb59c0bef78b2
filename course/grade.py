"""``make grade``: grade one submission as Gradescope would, in the autograder zip's own environment.

``otter run`` in the project's ``.venv`` grades with Python 3.11 and everything the book needs (torch,
keras, matplotlib): an answer cell that imports torch scores there and fails on Gradescope, whose image
otter builds from the zip's ``environment.yml`` (Python 3.13, otter, numpy and tqdm). So this command
builds a virtual environment from that file, once per (Python version, requirements), under
``_build/grading-env/``, with packages from PyPI only, and runs ``otter run`` in it with the same zip:

1. read ``environment.yml`` in the zip: the Python version and the pip requirements;
2. find that Python (``python3.13`` on the PATH, a pyenv version, or ``--python``); if none is found,
   stop and say so rather than grade in another version;
3. make the environment and install the requirements (and ``jupyter_server``, which the zip takes from
   conda-forge) with pip;
4. run ``otter run`` there, with no PYTHONPATH and the environment's own kernel, so that nothing of the
   project's ``.venv`` or repository is importable, and print a summary: the score of each question
   and, for each question lost, the sentence that says why.

Usage: ``python -m course.grade --chapter NAME SUBMISSION [--assignments DIR] [--results DIR]``
(``make grade SUBMISSION=... CHAPTER=...``).
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ASSIGNMENTS = ROOT / "_build" / "assignments"
ENVIRONMENTS = ROOT / "_build" / "grading-env"
PIP_TIMEOUT = 1800
RUN_TIMEOUT = 900


class GradingError(RuntimeError):
    """The submission could not be graded; the message says why."""


def autograder_zip(assignment):
    zips = sorted((Path(assignment) / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise GradingError(f"expected one autograder zip in {assignment}/autograder (make assignments first); "
                           f"found {[str(path) for path in zips]}")
    return zips[0]


def zip_environment(zip_path):
    """(Python version, [pip requirements]) from the zip's environment.yml (otter's Gradescope image)."""
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read("environment.yml").decode("utf-8")
    python = re.search(r"^\s*-\s*python\s*=\s*([\d.]+)\s*$", text, re.MULTILINE)
    if python is None:
        raise GradingError(f"{zip_path}: environment.yml names no Python version")
    # conda packages besides python and pip (jupyter_server) come from PyPI here, by the same name
    dependencies = text.split("dependencies:", 1)[-1]
    conda = re.findall(r"^  -\s*([A-Za-z][\w.-]*)\s*$", dependencies.split("- pip:", 1)[0], re.MULTILINE)
    pip_section = text.split("- pip:", 1)[1] if "- pip:" in text else ""
    pip = re.findall(r"^\s{6,}-\s*(.+?)\s*$", pip_section, re.MULTILINE)
    requirements = [name for name in conda if name not in ("pip",)] + pip
    return python[1], requirements


def find_python(version, given=None):
    """An interpreter of ``version`` (such as "3.13"): ``given``, python<version> on the PATH, or pyenv's."""
    candidates = [given] if given else []
    candidates.append(shutil.which(f"python{version}"))
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(pyenv_root.glob(f"versions/{version}*/bin/python{version}"), reverse=True)
    for candidate in filter(None, candidates):
        try:
            shown = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if shown == version:
            return str(candidate)
    raise GradingError(f"The autograder runs Python {version}, and no Python {version} was found (tried "
                       f"python{version} on the PATH and {pyenv_root}/versions). Install it, or name one with "
                       f"--python (make grade GRADING_PYTHON=...): grading in another version is not what "
                       "Gradescope does.")


def environment(zip_path, python=None, root=ENVIRONMENTS):
    """The grading environment for ``zip_path`` (made if missing); returns its folder."""
    version, requirements = zip_environment(zip_path)
    key = hashlib.sha256("\n".join([version, *requirements]).encode()).hexdigest()[:12]
    folder = Path(root) / f"python{version}-{key}"
    stamp = folder / ".installed"
    if stamp.exists():
        return folder
    interpreter = find_python(version, python)
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    print(f"Making the autograder's environment (Python {version}: {', '.join(requirements)}) in {folder}; "
          "this takes a few minutes, once.", flush=True)
    subprocess.run([interpreter, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run(pip + requirements, capture_output=True, text=True, timeout=PIP_TIMEOUT,
                            env=_clean_environment(folder))
    if result.returncode != 0:
        raise GradingError(f"pip could not install the autograder's requirements:\n{result.stdout[-3000:]}\n"
                           f"{result.stderr[-3000:]}")
    stamp.write_text("\n".join([version, *requirements]) + "\n", encoding="utf-8")
    return folder


def _clean_environment(folder):
    """The process environment for the grading environment: none of the project's paths."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH", "UNROLLED_SEED")}
    env["PATH"] = f"{folder / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(folder)
    env["JUPYTER_PATH"] = str(folder / "share" / "jupyter")  # its own python3 kernel comes first
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(zip_path, submission, results, folder):
    """otter run in ``folder``'s environment; returns the parsed results.json."""
    results = Path(results).resolve()
    results.mkdir(parents=True, exist_ok=True)
    submission = Path(submission).resolve()
    with tempfile.TemporaryDirectory(prefix="unrolled-grade-") as scratch:
        command = [str(folder / "bin" / "python"), "-m", "otter", "run", "-a", str(Path(zip_path).resolve()),
                   "-o", str(results), str(submission)]
        result = subprocess.run(command, capture_output=True, text=True, cwd=scratch, timeout=RUN_TIMEOUT,
                                env=_clean_environment(folder))
    (results / "otter-run.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    if result.returncode != 0 or not (results / "results.json").exists():
        raise GradingError(f"otter run failed (its output is in {results / 'otter-run.log'}):\n"
                           f"{(result.stdout + result.stderr)[-3000:]}")
    return json.loads((results / "results.json").read_text(encoding="utf-8"))


def first_sentence(output):
    """The message that says why a question was lost: the first "... message:" line of otter's report."""
    match = re.search(r"message: (.+?)(?:\n\s*\n|\n\s*\S+ - \d+ result:|$)", output, re.DOTALL)
    if match:
        return " ".join(match[1].split())
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"^\w+(Error|Failed|Exception)\b", line)]
    return errors[-1] if errors else (lines[-1] if lines else "")


def summary(results):
    """Lines: each question's score and, for a question lost, why; then the total."""
    lines, total, possible = [], 0.0, 0.0
    for test in results.get("tests", []):
        if test.get("max_score") is None:  # otter's "Public Tests" entry: no points
            continue
        score, best = float(test.get("score", 0)), float(test["max_score"])
        total, possible = total + score, possible + best
        line = f"{test['name']}: {score:g}/{best:g}"
        if score < best:
            line += f"  {first_sentence(test.get('output', ''))}"
        lines.append(line)
    lines.append(f"Total: {total:g}/{possible:g}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", type=Path, help="the student's notebook (.ipynb) or the zip its last cell made")
    parser.add_argument("--chapter", required=True, help="the assignment's chapter, such as lstm")
    parser.add_argument("--assignments", type=Path, default=DEFAULT_ASSIGNMENTS,
                        help="the folder make assignments wrote (default _build/assignments)")
    parser.add_argument("--results", type=Path, default=None,
                        help="where otter writes results.json (default: <submission>-results next to it)")
    parser.add_argument("--python", default=os.environ.get("GRADING_PYTHON") or None,
                        help="the Python interpreter of the autograder's version, if it is not on the PATH")
    args = parser.parse_args(argv)
    if not args.submission.exists():
        parser.error(f"no submission at {args.submission}")
    try:
        zip_path = autograder_zip(args.assignments / args.chapter)
        folder = environment(zip_path, args.python)
        results = args.results or args.submission.with_name(f"{args.submission.stem}-results")
        graded = run(zip_path, args.submission, results, folder)
    except GradingError as error:
        print(error, file=sys.stderr)
        return 2
    version, _ = zip_environment(zip_path)
    print(f"{args.submission.name}, graded with {zip_path.name} in Python {version} (as on Gradescope):")
    for line in summary(graded):
        print(f"  {line}")
    print(f"otter's results.json and full report: {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
