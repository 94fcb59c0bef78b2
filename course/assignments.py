"""``make assignments``: an otter-grader assignment for every chapter with exercises.

For each chapter, in ``_build/assignments/<chapter>/``:

- ``master/<chapter>.ipynb``: the master notebook (solutions and hidden tests: instructors only),
  executed, next to copies of ``exercises`` and ``cells`` and a ``requirements.txt``;
- ``student/<chapter>.ipynb``: what students get (with ``exercises/`` and ``cells/``, so that the
  checkers work offline), made by ``otter assign``;
- ``autograder/``: the Gradescope autograder zip (also what ``otter run`` grades with locally).

Usage: ``python -m course.assignments [--seed N] [--chapter NAME ...] [--out DIR]``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import chapters as chapter_reader
from . import master

ROOT = chapter_reader.ROOT
DEFAULT_OUT = ROOT / "_build" / "assignments"
# What the autograder installs besides otter (Gradescope): what ``cells`` and ``exercises`` import.
REQUIREMENTS = "numpy>=1.24\ntqdm>=4.60\n"
EXECUTION_TIMEOUT = 300
KERNEL_STARTS = 3


class AssignmentError(RuntimeError):
    """Something in the generated assignment is wrong; the message says what and where."""


def _copy_package(name, destination, seed):
    target = destination / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "seed.txt"))
    if name == "exercises" and seed:
        (target / "seed.txt").write_text(f"{seed}\n", encoding="utf-8")


def write_master(chapter, out, seed=0):
    """Write and execute the master notebook of ``chapter`` under ``out/master``; returns its path."""
    master_dir = out / "master"
    master_dir.mkdir(parents=True, exist_ok=True)
    for package in ("exercises", "cells"):
        _copy_package(package, master_dir, seed)
    (master_dir / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    notebook = master.master_notebook(chapter, seed)
    # otter assign takes what it keeps from an executed master: run it as a student's kernel would.
    # A kernel can take more than nbclient's default minute to start on a busy two-core machine, and
    # can die at start when another process takes the port jupyter_client picked for it ("Address
    # already in use", seen once under load): a kernel that fails to start is started afresh.
    for attempt in range(KERNEL_STARTS):
        client = NotebookClient(notebook, timeout=EXECUTION_TIMEOUT, startup_timeout=EXECUTION_TIMEOUT,
                                kernel_name="python3", record_timing=False,
                                resources={"metadata": {"path": str(master_dir)}})
        try:
            client.execute()
            break
        except RuntimeError as error:
            kernel_failed = "Kernel died" in str(error) or "timed out" in str(error)
            if not kernel_failed or attempt + 1 == KERNEL_STARTS:
                raise
    _check_master_outputs(chapter, notebook)
    path = master_dir / f"{chapter.name}.ipynb"
    nbformat.write(notebook, path)
    return path


def _check_master_outputs(chapter, notebook):
    """Every reference solution must be accepted by its checker when the master runs."""
    printed = [
        "".join(output.get("text", "")) for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.get("outputs", []) if output.get("name") == "stdout"
    ]
    verdicts = [text.split(".", 1)[0] for text in printed if text.startswith(("Correct.", "Not yet."))]
    if verdicts != ["Correct"] * len(chapter.exercises):
        raise AssignmentError(f"{chapter.name}: the reference solutions got {verdicts} from their checkers")


def assign(chapter, out, seed=0, run_tests=True):
    """Build the assignment of ``chapter`` in ``out`` (master, student, autograder). ``run_tests``: let
    otter assign grade the solutions once more (the tests grade them with otter run anyway)."""
    out = Path(out)
    for folder in ("student", "autograder"):
        shutil.rmtree(out / folder, ignore_errors=True)
    master_path = write_master(chapter, out, seed)
    command = [sys.executable, "-m", "otter", "assign", str(master_path), str(out)]
    result = subprocess.run(command + ([] if run_tests else ["--no-run-tests"]),
                            cwd=master_path.parent, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssignmentError(f"otter assign failed for {chapter.name}:\n{result.stdout}\n{result.stderr}")
    student = out / "student" / f"{chapter.name}.ipynb"
    check_student_notebook(chapter, student, seed)
    return student


def solution_lines(chapter, seed=0):
    """Lines of reference solutions that must never reach a student (long enough to be telling), less
    those the exercise itself gives (a function's first line in the chapter's answer cell)."""
    from . import variants

    given = "\n".join(master.prompt(exercise, index) + "\n" + variants.text(chapter.name, exercise, seed)
                      for index, exercise in enumerate(chapter.exercises, start=1))
    lines = set()
    for index, exercise in enumerate(chapter.exercises, start=1):
        setup, answer = variants.solution(chapter.name, exercise, seed)
        lines.update(line.strip() for line in setup.splitlines() if len(line.strip()) > 12)
        lines.add(f"{master.answer_name(index)} = {answer.strip()}")
    return {line for line in lines if line not in given}


def notebook_text(path):
    """Every string of a notebook file (sources, outputs, metadata such as otter's tests), decoded."""
    found = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(Path(path).read_text(encoding="utf-8")))
    return "\n".join(found)


def check_student_notebook(chapter, path, seed=0):
    """Raise AssignmentError if the student notebook holds a solution line, an output or a hidden test."""
    text = notebook_text(path)
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    leaks = [line for line in solution_lines(chapter, seed) if line in text]
    if leaks:
        raise AssignmentError(f"{path}: solution text in the student notebook: {leaks[:3]}")
    if any(cell.get("outputs") for cell in notebook["cells"]):
        raise AssignmentError(f"{path}: the student notebook has outputs")
    if "using_seed" in text or "hidden=True" in text:
        raise AssignmentError(f"{path}: a hidden test reached the student notebook")


def autograder_zip(out):
    """The Gradescope autograder zip in ``out/autograder``."""
    zips = sorted((Path(out) / "autograder").glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise AssignmentError(f"expected one autograder zip in {out}/autograder; found {zips}")
    return zips[0]


def main(argv=None):
    # Keras 3 picks its backend at its first import; the book runs it on torch (a chapter's solution may
    # import keras, and the kernels that run the masters inherit this).
    os.environ.setdefault("KERAS_BACKEND", "torch")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="the course's seed (0: the book's numbers)")
    parser.add_argument("--chapter", action="append", help="only this chapter (repeatable)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more; got {args.seed}")
    found = chapter_reader.chapters_with_exercises()
    if args.chapter:
        unknown = set(args.chapter) - {chapter.name for chapter in found}
        if unknown:
            parser.error(f"no chapter with exercises named {sorted(unknown)}; "
                         f"choose from {[chapter.name for chapter in found]}")
        found = [chapter for chapter in found if chapter.name in args.chapter]
    for chapter in found:
        start = time.perf_counter()
        student = assign(chapter, args.out / chapter.name, args.seed)
        shown = student.relative_to(ROOT) if student.is_relative_to(ROOT) else student
        print(f"{chapter.name}: {len(chapter.exercises)} questions, seed {args.seed}, "
              f"{time.perf_counter() - start:.0f} s -> {shown}, "
              f"{autograder_zip(args.out / chapter.name).name}")


if __name__ == "__main__":
    main()
