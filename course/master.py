"""An otter-grader master notebook (format v1) for one chapter: one question per exercise.

Each question holds the exercise's text (plain Markdown: no MyST roles, no mention of widgets the
notebook does not have), a solution cell and two tests, exception-based, so that no expected output,
and so no answer, is stored in the student's notebook. Both read the answer from the notebook's
namespace through ``answer_tests.py`` (:mod:`course.answer_tests`), which says when an answer cell
raised instead of taking it for a blank, and puts the useful sentence first in otter's report:

- a public test, worth no points, that only helps students. In practice mode (the default) it calls the
  chapter's checker and, when it fails, shows the checker's feedback ("Not yet. ..."); in exam mode it
  checks only the form of the answer (a number, a pair, an array of some size, a function), read from
  the reference answer's type, never its values;
- a hidden test, worth the question's points, that calls the chapter's checker under the course's seed,
  with the autograder's copy of ``exercises``.

The solution cell wraps the reference solution in ``# BEGIN SOLUTION NO PROMPT`` ... ``# END SOLUTION``
inside raw ``# BEGIN SOLUTION`` / ``# END SOLUTION`` cells (without the raw cells otter leaves the
solution in the student's notebook); the student sees the prompt block only: ``answer_<n> = ...``
(and, in practice mode, the chapter's checker called on it).
"""

import ast
import contextlib
import io
import numbers
import re

import nbformat
import numpy as np

from . import markdown, variants

POINTS = 1
MODES = ("practice", "exam")
# What the autograder installs besides otter (Gradescope), and so all that answer cells may import: the
# chapters' checkers and ``cells`` need no more. The student notebook says so.
REQUIREMENTS = ("numpy>=1.24", "tqdm>=4.60")
GRADING_PYTHON = "3.13"  # otter 7's Gradescope image (environment.yml in the autograder zip)
_NO_WIDGET = r"\bwidgets?\b"  # sentences about the chapter's widgets: an assignment has none
_CHECK_CALL = re.compile(r"`(?:\w+\.)?check_\w+\((.*?)\)`", re.DOTALL)
_CHECK_WITH = re.compile(r"\b([Cc])heck (?:it )?with (?=`answer_)")
_HINT = re.compile(r"`(?:\w+\.)?(check_\w+)\((.*?)\)`", re.DOTALL)


def question_name(index):
    return f"q{index}"


def answer_name(index):
    return f"answer_{index}"


def prompt(exercise, index, mode="practice"):
    """The student's starting code: the chapter's answer cell, or ``answer_<n> = ...`` with a hint."""
    name = answer_name(index)
    lines = []
    for line in exercise.answer_template.splitlines():
        if re.match(r"\s*from exercises\.\w+ import", line):
            continue
        call = re.match(rf"(\s*){exercise.checker}\((.*)\);?(.*)$", line)
        if call:
            line = f"{call[1]}{name} = {call[2]}{call[3]}".rstrip()
        lines.append(line)
    template = "\n".join(lines).strip("\n")
    if name not in template:
        hint = next((match[2] for match in _HINT.finditer(exercise.text) if match[1] == exercise.checker), "")
        shown = f": {hint}" if hint else ""
        template = (f"# Your answer, in the form {exercise.checker} reads{shown}\n{name} = ..." if mode == "practice"
                    else f"# Your answer{shown}\n{name} = ...")
    return template


def _needed_imports(chapter, code):
    """The chapter's import statements that bind a name used in ``code``."""
    used = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    needed = []
    for statement in chapter.imports:
        bound = {alias.asname or alias.name.split(".")[0] for node in ast.parse(statement).body
                 for alias in node.names}
        if bound & used and statement not in ("import numpy as np", "import cells") and not (
                statement.startswith(f"from {chapter.module} import")):
            needed.append(statement)
    return needed


def _solution_cell(chapter, exercise, index, seed, mode):
    name = answer_name(index)
    setup, answer = variants.solution(chapter.name, exercise, seed)
    body = "\n".join(part for part in (setup, f"{name} = {answer}") if part.strip())
    imports = _needed_imports(chapter, body)
    return "\n".join([
        '""" # BEGIN PROMPT',
        prompt(exercise, index, mode),
        '""" # END PROMPT',
        "# BEGIN SOLUTION NO PROMPT",
        *imports,
        body,
        "# END SOLUTION",
        *([f"{exercise.checker}({name});"] if mode == "practice" else []),
    ])


def reference_answer(chapter, exercise, seed):
    """The reference answer of ``exercise`` under ``seed``, computed here as the master computes it."""
    from exercises.variants import using_seed

    setup, answer = variants.solution(chapter.name, exercise, seed)
    namespace = {"np": np, "__name__": "__reference__"}
    with using_seed(seed), contextlib.redirect_stdout(io.StringIO()):
        exec("import cells", namespace)
        for statement in chapter.imports:
            if not statement.startswith(f"from {chapter.module} import") and "myst_nb" not in statement:
                exec(statement, namespace)
        exec(setup, namespace)
        return eval(answer, namespace)


def form_of(value):
    """The form of an answer like ``value``, from its type and layout only (never its numbers): what the
    exam mode's public test checks (see answer_tests.form_problem). Every number is "a number", whether
    the reference is whole or not, so that the form says nothing about the answer."""
    if isinstance(value, (bool, np.bool_)):
        return {"kind": "bool"}
    if isinstance(value, str):
        return {"kind": "string"}
    if callable(value) and not isinstance(value, type):
        return {"kind": "function"}
    if isinstance(value, numbers.Number) or (hasattr(value, "shape") and int(np.prod(getattr(value, "shape"))) == 1
                                              and not isinstance(value, (tuple, list))):
        return {"kind": "number"}
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1 and value.size <= 4):
        return {"kind": "tuple", "items": [form_of(item) for item in value]}
    if isinstance(value, dict):
        return {"kind": "dict", "keys": {key: form_of(item) for key, item in value.items()}}
    if hasattr(value, "shape"):
        return {"kind": "array", "size": int(np.prod(value.shape))}
    return {"kind": "any"}


def _test_cell(chapter, exercise, index, seed, hidden, mode, form=None):
    name = answer_name(index)
    config = ['""" # BEGIN TEST CONFIG', f"hidden: {str(hidden).lower()}",
              f"points: {POINTS if hidden else 0}"]
    if not hidden:
        config.append("success_message: " + ("The checker accepts your answer." if mode == "practice" else
                                             "Your answer has the expected form; it is graded after you hand in."))
    config.append('""" # END TEST CONFIG')
    function = f"test_{name}_with_the_course_seed" if hidden else f"test_{name}"
    if hidden or mode == "practice":
        body = [
            f"def {function}(env):",
            "    from answer_tests import run_check",
            f"    from {chapter.module} import {exercise.checker}",
            "",
            f'    run_check(env, "{name}", {exercise.checker}' + (f", seed={seed})" if hidden else ")"),
        ]
    else:
        body = [
            f"def {function}(env):",
            "    from answer_tests import run_form_check",
            "",
            f'    run_form_check(env, "{name}", {form!r})',
        ]
    return "\n".join(config + body + ["", "", f"{function}(globals())"])


def shipped(mode):
    """(files students get with the notebook, files only the autograder gets): the checkers, which compute
    the reference answers, stay with the autograder in exam mode."""
    if mode == "practice":
        return ["exercises", "cells", "answer_tests.py"], []
    return ["cells", "answer_tests.py"], ["exercises"]


def _config(chapter, mode):
    student_files, autograder_files = shipped(mode)
    return "\n".join([
        "# ASSIGNMENT CONFIG",
        f"name: {chapter.name}",
        "requirements: requirements.txt",
        "overwrite_requirements: false",
        "init_cell: true",
        "check_all_cell: true",
        "export_cell:",
        "  pdf: false",
        "  instructions: Save the notebook, run this cell, and upload the zip file it makes.",
        "generate: true",
        "files:",
        *(f"  - {name}" for name in student_files),
        *(["autograder_files:", *(f"  - {name}" for name in autograder_files)] if autograder_files else []),
        "tests:",
        "  ok_format: false",
        "  files: false",
    ])


def packages_sentence():
    """Which packages an answer cell may import: what the autograder has (the notebook says so)."""
    names = [re.split(r"[<>=!~ ]", requirement, maxsplit=1)[0] for requirement in REQUIREMENTS]
    return (f"Answer cells may use Python {GRADING_PYTHON}'s standard library, {', '.join(f'`{n}`' for n in names)} "
            "and the `cells` package next to this notebook: that is all the autograder installs. An answer "
            "cell that imports anything else (`torch`, `keras`, `matplotlib`) fails there, even if it runs on "
            "your machine; try such code in another notebook.")


def _introduction(chapter, seed, mode):
    numbers = "the numbers of the book" if seed == 0 else "numbers of this course's own; they differ from the book's"
    lines = [f"# Exercises: {chapter.title}", ""]
    if mode == "practice":
        lines.append(
            f"These are the exercises of the chapter *{chapter.title}*, with {numbers}. For each one, replace "
            "`...` with your answer and run the cell: the checker prints feedback at once. "
            "`grader.check(...)` runs the public test of a question; the grade comes from hidden tests "
            "that call the same checkers. The folders `exercises` and `cells` next to this notebook hold "
            "the checkers and the book's cell library: keep them there. The checkers compute their "
            "reference answers on your machine: they are there to teach, and keep nothing secret from "
            "anyone who reads their code.")
    else:
        lines.append(
            f"These are the exercises of the chapter *{chapter.title}*, with {numbers}. For each one, replace "
            "`...` with your answer and run the cell. `grader.check(...)` checks only the form of an answer "
            "(a number, a pair, a function, ...), not whether it is right: nothing in this notebook or next "
            "to it knows the answers. They are graded after you hand the notebook in. The folder `cells` "
            "next to this notebook holds the book's cell library, and `answer_tests.py` the form checks: "
            "keep them there.")
    lines += ["", packages_sentence()]
    return "\n".join(lines)


def exercise_text(chapter, exercise, index, seed, mode):
    """The exercise's text for the assignment: the seed's numbers, plain Markdown, no widget; in exam mode
    "Check with `check_x(...)`" becomes "Answer with `answer_n = ...`"."""
    text = markdown.without_sentences(markdown.readable(variants.text(chapter.name, exercise, seed)), _NO_WIDGET)
    if re.search(r"confirm with (PyTorch|Keras|torch)", text, re.IGNORECASE):
        text += ("\n\n(In this assignment an answer cell cannot import PyTorch or Keras: the autograder has "
                 "neither. Confirm in another notebook, then write the number itself here.)")
    if mode == "exam":
        name = answer_name(index)
        text = _CHECK_CALL.sub(lambda match: f"`{name} = {match[1]}`", text)
        text = _CHECK_WITH.sub(lambda match: f"{'A' if match[1] == 'C' else 'a'}nswer with ", text)
    return text


def master_notebook(chapter, seed=0, mode="practice"):
    """The otter master notebook of ``chapter`` (a :class:`course.chapters.Chapter`), unexecuted."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}; got {mode!r}")
    new = nbformat.v4
    checkers = dict.fromkeys(exercise.checker for exercise in chapter.exercises)
    imports = ["import numpy as np", "", "import cells"]
    if mode == "practice":
        imports += [f"from {chapter.module} import (", *(f"    {name}," for name in checkers), ")"]
    cells = [
        new.new_raw_cell(_config(chapter, mode)),
        new.new_markdown_cell(_introduction(chapter, seed, mode)),
        new.new_code_cell("\n".join(imports)),
    ]
    for index, exercise in enumerate(chapter.exercises, start=1):
        text = exercise_text(chapter, exercise, index, seed, mode)
        form = form_of(reference_answer(chapter, exercise, seed)) if mode == "exam" else None
        cells += [
            new.new_raw_cell(f"# BEGIN QUESTION\nname: {question_name(index)}\npoints: {POINTS}"),
            new.new_markdown_cell(f"## {index}. {markdown.readable(variants.title(chapter.name, exercise, seed))}"
                                  f"\n\n{text}\n\nSet `{answer_name(index)}` in the cell below and run it."),
            new.new_raw_cell("# BEGIN SOLUTION"),
            new.new_code_cell(_solution_cell(chapter, exercise, index, seed, mode)),
            new.new_raw_cell("# END SOLUTION"),
            new.new_raw_cell("# BEGIN TESTS"),
            new.new_code_cell(_test_cell(chapter, exercise, index, seed, hidden=False, mode=mode, form=form)),
            new.new_code_cell(_test_cell(chapter, exercise, index, seed, hidden=True, mode=mode)),
            new.new_raw_cell("# END TESTS"),
            new.new_raw_cell("# END QUESTION"),
        ]
    notebook = new.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook
