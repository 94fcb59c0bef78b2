"""An otter-grader master notebook (format v1) for one chapter: one question per exercise.

Each question holds the exercise's text, a solution cell and two tests (exception-based, so that no
expected output, and so no answer, is stored in the student's notebook):

- a public test that calls the chapter's checker on ``answer_<n>`` and, when it fails, shows the
  checker's own feedback ("Not yet. ..."); it is worth no points, so it only helps students;
- a hidden test, worth the question's points, that calls the same checker under the course's seed
  (pinned with ``exercises.variants.using_seed``), with the autograder's copy of ``exercises``.

The solution cell wraps the reference solution in ``# BEGIN SOLUTION NO PROMPT`` ... ``# END SOLUTION``
inside raw ``# BEGIN SOLUTION`` / ``# END SOLUTION`` cells (without the raw cells otter leaves the
solution in the student's notebook); the student sees the prompt block only: ``answer_<n> = ...``.
"""

import ast
import re

import nbformat

from . import variants

POINTS = 1
_HINT = re.compile(r"`(?:\w+\.)?(check_\w+)\((.*?)\)`", re.DOTALL)


def question_name(index):
    return f"q{index}"


def answer_name(index):
    return f"answer_{index}"


def prompt(exercise, index):
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
        template = f"# Your answer, in the form {exercise.checker} reads{shown}\n{name} = ..."
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


def _solution_cell(chapter, exercise, index, seed):
    name = answer_name(index)
    setup, answer = variants.solution(chapter.name, exercise, seed)
    body = "\n".join(part for part in (setup, f"{name} = {answer}") if part.strip())
    imports = _needed_imports(chapter, body)
    return "\n".join([
        '""" # BEGIN PROMPT',
        prompt(exercise, index),
        '""" # END PROMPT',
        "# BEGIN SOLUTION NO PROMPT",
        *imports,
        body,
        "# END SOLUTION",
        f"{exercise.checker}({name});",
    ])


def _test_cell(chapter, exercise, index, seed, hidden):
    name = answer_name(index)
    config = ['""" # BEGIN TEST CONFIG', f"hidden: {str(hidden).lower()}",
              f"points: {POINTS if hidden else 0}"]
    if not hidden:
        config.append("success_message: The checker accepts your answer.")
    config.append('""" # END TEST CONFIG')
    if hidden:
        body = [
            f"def test_{name}_with_the_course_seed({name}):",
            "    import contextlib",
            "    import io",
            "",
            "    from exercises.variants import using_seed",
            f"    from {chapter.module} import {exercise.checker}",
            "",
            f"    with using_seed({seed}), contextlib.redirect_stdout(io.StringIO()):",
            f"        assert {exercise.checker}({name})",
            "",
            "",
            f"test_{name}_with_the_course_seed({name})",
        ]
    else:
        body = [
            f"def test_{name}({name}):",
            "    import contextlib",
            "    import io",
            "",
            f"    from {chapter.module} import {exercise.checker}",
            "",
            "    feedback = io.StringIO()",
            "    with contextlib.redirect_stdout(feedback):",
            f"        accepted = {exercise.checker}({name})",
            "    assert accepted, feedback.getvalue().strip()",
            "",
            "",
            f"test_{name}({name})",
        ]
    return "\n".join(config + body)


def _config(chapter):
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
        "  - exercises",
        "  - cells",
        "tests:",
        "  ok_format: false",
        "  files: false",
    ])


def _introduction(chapter, seed):
    numbers = ("the numbers of the book" if seed == 0
               else f"numbers of its own (seed {seed}); they differ from the book's")
    return "\n".join([
        f"# Exercises: {chapter.title}",
        "",
        f"These are the exercises of the chapter *{chapter.title}*, with {numbers}. For each one, replace "
        "`...` with your answer and run the cell: the checker prints feedback at once. "
        "`grader.check(...)` runs the public test of a question; the grade comes from hidden tests "
        "that call the same checkers. The folders `exercises` and `cells` next to this notebook hold "
        "the checkers and the book's cell library: keep them there.",
    ])


def master_notebook(chapter, seed=0):
    """The otter master notebook of ``chapter`` (a :class:`course.chapters.Chapter`), unexecuted."""
    new = nbformat.v4
    cells = [
        new.new_raw_cell(_config(chapter)),
        new.new_markdown_cell(_introduction(chapter, seed)),
        new.new_code_cell("\n".join([
            "import numpy as np",
            "",
            "import cells",
            f"from {chapter.module} import (",
            *(f"    {name}," for name in dict.fromkeys(exercise.checker for exercise in chapter.exercises)),
            ")",
        ])),
    ]
    for index, exercise in enumerate(chapter.exercises, start=1):
        text = variants.text(chapter.name, exercise, seed)
        cells += [
            new.new_raw_cell(f"# BEGIN QUESTION\nname: {question_name(index)}\npoints: {POINTS}"),
            new.new_markdown_cell(f"## {index}. {variants.title(chapter.name, exercise, seed)}\n\n{text}\n\n"
                                  f"Set `{answer_name(index)}` in the cell below and run it."),
            new.new_raw_cell("# BEGIN SOLUTION"),
            new.new_code_cell(_solution_cell(chapter, exercise, index, seed)),
            new.new_raw_cell("# END SOLUTION"),
            new.new_raw_cell("# BEGIN TESTS"),
            new.new_code_cell(_test_cell(chapter, exercise, index, seed, hidden=False)),
            new.new_code_cell(_test_cell(chapter, exercise, index, seed, hidden=True)),
            new.new_raw_cell("# END TESTS"),
            new.new_raw_cell("# END QUESTION"),
        ]
    notebook = new.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook
