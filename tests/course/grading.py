"""Submissions and grades for the course kit's tests: ``otter run`` (offline, no Docker), as an
instructor grading locally would.

- ``submission(out, path, answers)``: the student notebook with its answer cells filled in
  ({answer_n: code}; ``"reference"`` takes that question's reference solution from the master);
- ``grade(out, notebook)``: {question: score} from otter run with the assignment's autograder zip, in the
  project's .venv, or in the autograder's own environment (``python=``, see course.grade);
- ``reports(notebook)``: {question: otter's report} of the last grading of ``notebook``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from course import assignments

_ANSWER = re.compile(r"^(answer_\d+) = ", re.MULTILINE)


def _solutions(out):
    """{answer_n: reference code} from the master notebook's solution cells."""
    master = next((Path(out) / "master").glob("*.ipynb"))
    found = {}
    for cell in json.loads(master.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "# BEGIN SOLUTION NO PROMPT" in source:
            code = source.split("# BEGIN SOLUTION NO PROMPT\n", 1)[1].split("# END SOLUTION", 1)[0]
            found[_ANSWER.findall(code)[-1]] = code
    return found


def submission(out, path, answers):
    """Write to ``path`` the student notebook of ``out`` with answers: {answer_n: code or "reference"}."""
    student = next((Path(out) / "student").glob("*.ipynb"))
    notebook = json.loads(student.read_text())
    references = _solutions(out)
    for cell in notebook["cells"]:
        if "otter_answer_cell" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell["source"])
        name = _ANSWER.search(source)[1]
        code = answers.get(name)
        if code == "reference":
            code = references[name]
        if code is not None:
            last = source.strip().splitlines()[-1]  # the chapter's check_x(answer_n); (practice mode)
            checker_call = last if re.match(r"^(\w+\.)?check_\w+\(", last) else ""
            cell["source"] = f"{code.rstrip()}\n{checker_call}\n"
    path.write_text(json.dumps(notebook))
    return path


def reference_answers(out):
    return {name: "reference" for name in _solutions(out)}


def grade(out, notebook, python=None):
    """{question: score} given by otter run with the assignment's autograder zip: in the project's .venv,
    or with ``python``, the interpreter of a grading environment made by course.grade."""
    results = notebook.parent / f"{notebook.stem}-results"
    results.mkdir(exist_ok=True)
    if python is None:
        command = [sys.executable, "-m", "otter", "run", "-a", str(assignments.autograder_zip(out)), "-o",
                   str(results), str(notebook)]
        # No PYTHONPATH: the kernel imports the assignment's copies of exercises and cells (with its seed.txt),
        # as on a student's machine or Gradescope, not the repository's.
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        run = subprocess.run(command, capture_output=True, text=True, cwd=notebook.parent, env=environment)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    else:
        from course import grade as grading

        grading.run(assignments.autograder_zip(out), notebook, results, Path(python).parent.parent)
    tests = json.loads((results / "results.json").read_text())["tests"]
    return {test["name"]: test["score"] for test in tests if test.get("max_score")}


def reports(notebook):
    """{question: otter's report of it} from the last grading of ``notebook``."""
    results = notebook.parent / f"{notebook.stem}-results"
    tests = json.loads((results / "results.json").read_text())["tests"]
    return {test["name"]: test.get("output", "") for test in tests if test.get("max_score")}
