"""``make assignments``: an otter-grader assignment for every chapter with exercises.

For each chapter, in ``_build/assignments/<chapter>/``:

- ``master/<chapter>.ipynb``: the master notebook (solutions and hidden tests: instructors only),
  executed, next to copies of ``exercises``, ``cells`` and ``answer_tests.py`` and a ``requirements.txt``;
- ``student/<chapter>.ipynb``: what students get, made by ``otter assign``, with ``cells`` and
  ``answer_tests.py`` and, in practice mode, ``exercises`` (so that the checkers give feedback offline);
- ``autograder/``: the Gradescope autograder zip (also what ``make grade`` grades with locally).

Two modes. **practice** (the default): the checkers travel with the notebook and give feedback at once;
they compute the reference answers on the student's machine, so a student who reads them, or who has
the repository and the seed, can find the answers. **exam**: the student gets no checker, no seed and
no reference answer; the public tests check only the form of an answer; the references live only in
the autograder's hidden tests (see book/instructors.md).

Usage: ``python -m course.assignments [--seed N] [--mode practice|exam] [--chapter NAME ...] [--out DIR]``.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import chapters as chapter_reader
from . import master, variants

ROOT = chapter_reader.ROOT
DEFAULT_OUT = ROOT / "_build" / "assignments"
# What the autograder installs besides otter (Gradescope): what ``cells`` and ``exercises`` import.
REQUIREMENTS = "".join(f"{requirement}\n" for requirement in master.REQUIREMENTS)
# An exam's seed must not be found by trying seeds until the stated numbers match: below this, say so.
EXAM_SEED_FLOOR = 10**9
EXECUTION_TIMEOUT = 300
KERNEL_STARTS = 3


class AssignmentError(RuntimeError):
    """Something in the generated assignment is wrong; the message says what and where."""


def _copy_package(name, destination, seed, mode="practice"):
    target = destination / name
    shutil.rmtree(target, ignore_errors=True)
    # (cells/results holds the book's stored studies, read by chapters only: numbers a student needs not)
    ignored = ("__pycache__", "*.pyc", "seed.txt") + (("results",) if name == "cells" else ())
    shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns(*ignored))
    if name == "exercises" and seed and mode == "practice":  # (exam: the hidden tests name the seed)
        (target / "seed.txt").write_text(f"{seed}\n", encoding="utf-8")


def _kernel_manager(folder):
    """A kernel talking over local sockets (IPC files in ``folder``, an absolute path), not TCP: no "Kernel
    is running over TCP without encryption" warning, and no port that another process can take while it
    starts. The caller shuts it down (nbclient leaves a kernel manager it was given running)."""
    from jupyter_client.manager import KernelManager

    return KernelManager(kernel_name="python3", transport="ipc", ip=str(Path(folder).resolve() / "kernel"))


def write_master(chapter, out, seed=0, mode="practice"):
    """Write and execute the master notebook of ``chapter`` under ``out/master``; returns its path."""
    master_dir = out / "master"
    master_dir.mkdir(parents=True, exist_ok=True)
    for package in ("exercises", "cells"):
        _copy_package(package, master_dir, seed, mode)
    shutil.copy2(Path(__file__).with_name("answer_tests.py"), master_dir / "answer_tests.py")
    (master_dir / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    notebook = master.master_notebook(chapter, seed, mode)
    # otter assign takes what it keeps from an executed master: run it as a student's kernel would.
    # A kernel can take more than nbclient's default minute to start on a busy two-core machine: a
    # kernel that fails to start is started afresh.
    for attempt in range(KERNEL_STARTS):
        with tempfile.TemporaryDirectory(prefix="unrolled-kernel-") as sockets:
            manager = _kernel_manager(sockets)
            client = NotebookClient(notebook, km=manager, timeout=EXECUTION_TIMEOUT,
                                    startup_timeout=EXECUTION_TIMEOUT, kernel_name="python3", record_timing=False,
                                    resources={"metadata": {"path": str(master_dir)}})
            try:
                # The kernel imports the copies of exercises and cells next to the master (with the course's
                # seed.txt), as a student's kernel does: not those of a PYTHONPATH, which comes first.
                client.execute(env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"})
                break
            except RuntimeError as error:
                kernel_failed = "Kernel died" in str(error) or "timed out" in str(error)
                if not kernel_failed or attempt + 1 == KERNEL_STARTS:
                    raise
            finally:
                if manager.has_kernel:
                    manager.shutdown_kernel(now=True)
    if mode == "practice":  # (in exam mode no checker prints: the hidden tests that ran in it are the check)
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


def assign(chapter, out, seed=0, run_tests=True, mode="practice"):
    """Build the assignment of ``chapter`` in ``out`` (master, student, autograder). ``run_tests``: let
    otter assign grade the solutions once more (the tests grade them with otter run anyway)."""
    out = Path(out)
    for folder in ("student", "autograder"):
        shutil.rmtree(out / folder, ignore_errors=True)
    master_path = write_master(chapter, out, seed, mode)
    command = [sys.executable, "-m", "otter", "assign", str(master_path), str(out)]
    result = subprocess.run(command + ([] if run_tests else ["--no-run-tests"]),
                            cwd=master_path.parent, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssignmentError(f"otter assign failed for {chapter.name}:\n{result.stdout}\n{result.stderr}")
    student = out / "student" / f"{chapter.name}.ipynb"
    check_student_notebook(chapter, student, seed, mode)
    if mode == "exam":
        check_exam_folder(chapter, out / "student", seed)
    return student


def solution_lines(chapter, seed=0, mode="practice"):
    """Lines of reference solutions that must never reach a student (long enough to be telling), less
    those the exercise itself gives (a function's first line in the chapter's answer cell)."""
    given = "\n".join(master.prompt(exercise, index, mode) + "\n" + variants.text(chapter.name, exercise, seed)
                      + "\n" + master.exercise_text(chapter, exercise, index, seed, mode)
                      for index, exercise in enumerate(chapter.exercises, start=1))
    lines = set()
    for index, exercise in enumerate(chapter.exercises, start=1):
        setup, answer = variants.solution(chapter.name, exercise, seed)
        lines.update(line.strip() for line in setup.splitlines() if len(line.strip()) > 12)
        lines.add(f"{master.answer_name(index)} = {answer.strip()}")
    return {line for line in lines if line not in given}


def _numbers(value, limit=64):
    """The numbers inside an answer (tuples, lists, dicts, arrays), at most ``limit`` of them."""
    if isinstance(value, bool) or callable(value):
        return []
    if isinstance(value, dict):
        value = list(value.values())
    if hasattr(value, "shape") and hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        found = []
        for item in value:
            found += _numbers(item, limit - len(found))
            if len(found) >= limit:
                break
        return found
    try:
        return [float(value)]
    except (TypeError, ValueError):
        return []


def reference_strings(number):
    """How a reference number could be written where a student can read it: a whole number of four
    digits or more ("12384", "12,384"), or a fraction to three or four decimals ("-0.592"). Shorter
    numbers (a gate of 1, a size of 64) say nothing about an answer: every text is full of them."""
    if number.is_integer():
        whole = int(number)
        return {str(whole), f"{whole:,}"} if abs(whole) >= 1000 else set()
    if abs(number) < 0.001:
        return set()
    written = {f"{number:.3f}", f"{number:.4f}"}
    if len(repr(number).split(".")[-1]) > 4:  # (a short one, such as 0.6, is in every text)
        written.add(repr(number))
    return written


def reference_values(chapter, seed):
    """{exercise label: the strings of its reference answer's numbers} under ``seed``, less those its own
    text states (an answer may repeat a number the question gives)."""
    found = {}
    for exercise in chapter.exercises:
        given = variants.text(chapter.name, exercise, seed) + variants.title(chapter.name, exercise, seed)
        strings = set()
        for number in _numbers(master.reference_answer(chapter, exercise, seed)):
            strings |= reference_strings(number)
        found[exercise.label] = {text for text in strings if text not in given}
    return found


def _appears(text, number_text):
    return re.search(rf"(?<![\d.]){re.escape(number_text)}(?![\d])", text) is not None


def shipped_text(folder):
    """{path: text} of every file in a student folder (the notebook's JSON decoded)."""
    texts = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            texts[path] = notebook_text(path) if path.suffix == ".ipynb" else path.read_text("utf-8", "replace")
    return texts


def check_exam_folder(chapter, folder, seed):
    """Raise AssignmentError if an exam's student folder holds a checker, the seed, the generator of the
    exercises' numbers, or any reference value of any exercise."""
    folder = Path(folder)
    if (folder / "exercises").exists():
        raise AssignmentError(f"{folder}: the checkers (exercises/) reached an exam's student folder")
    texts = shipped_text(folder)
    references = reference_values(chapter, seed)
    for path, text in texts.items():
        if seed and _appears(text, str(seed)):
            raise AssignmentError(f"{path}: the exam's seed {seed} is in what students receive")
        if re.search(r"def parameters\(|using_seed\(\d|seed\.txt", text):
            raise AssignmentError(f"{path}: the exercises' generator or seed is in what students receive")
        for label, strings in references.items():
            leaked = sorted(string for string in strings if _appears(text, string))
            if leaked:
                raise AssignmentError(f"{path}: reference value(s) {leaked} of {label} in what students receive")


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


def check_student_notebook(chapter, path, seed=0, mode="practice"):
    """Raise AssignmentError if the student notebook holds a solution line, an output or a hidden test."""
    text = notebook_text(path)
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    leaks = [line for line in solution_lines(chapter, seed, mode) if line in text]
    if leaks:
        raise AssignmentError(f"{path}: solution text in the student notebook: {leaks[:3]}")
    if any(cell.get("outputs") for cell in notebook["cells"]):
        raise AssignmentError(f"{path}: the student notebook has outputs")
    if "_with_the_course_seed" in text or "hidden=True" in text or "seed=" in text:
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
    parser.add_argument("--seed", type=int, default=None,
                        help="the course's seed: its own numbers for the exercises (practice default 0, the "
                             "book's numbers; exam default a random seed, printed)")
    parser.add_argument("--mode", choices=master.MODES, default="practice",
                        help="practice: the checkers travel with the notebook (feedback at once, answers "
                             "findable); exam: only form checks, the answers stay in the autograder")
    parser.add_argument("--chapter", action="append", help="only this chapter (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the folder to write <chapter>/master, student and autograder into "
                             f"(default {DEFAULT_OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = secrets.randbelow(10**12) + EXAM_SEED_FLOOR if args.mode == "exam" else 0
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more; got {args.seed}")
    if args.mode == "exam" and args.seed < EXAM_SEED_FLOOR:
        print(f"Warning: seed {args.seed} is small. The exercise generator is public: a student could try seeds "
              "until the numbers match the exam's and rebuild its answers. Leave SEED out in exam mode (a "
              f"random seed of {len(str(EXAM_SEED_FLOOR))}+ digits is drawn) or choose one as large.", file=sys.stderr)
    found = chapter_reader.chapters_with_exercises()
    if args.chapter:
        unknown = set(args.chapter) - {chapter.name for chapter in found}
        if unknown:
            parser.error(f"no chapter with exercises named {sorted(unknown)}; "
                         f"choose from {[chapter.name for chapter in found]}")
        found = [chapter for chapter in found if chapter.name in args.chapter]
    for chapter in found:
        start = time.perf_counter()
        student = assign(chapter, args.out / chapter.name, args.seed, mode=args.mode)
        shown = student.relative_to(ROOT) if student.is_relative_to(ROOT) else student
        print(f"{chapter.name}: {len(chapter.exercises)} questions, {args.mode} mode, seed {args.seed}, "
              f"{time.perf_counter() - start:.0f} s -> {shown}, "
              f"{autograder_zip(args.out / chapter.name).name}")
    if args.mode == "exam":
        print(f"Exam seed {args.seed}: keep it, and the master/ and autograder/ folders, to yourself; hand out "
              "student/ only.")


if __name__ == "__main__":
    main()
