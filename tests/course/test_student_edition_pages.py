"""The student edition describes itself (issue 23, point 4), checked on the book's own sources without a
site build: its how-to-use and intro promise no rocket icon and no hidden solution (unless a student
repository gives it launch buttons), say how to get and hand in assignments; its downloadable notebooks
show each exercise as plain Markdown (no directive, no role) with a cell for the answer under it."""

import json
import re

import pytest

from course import student_site
from course.chapters import ROOT, chapters_with_exercises

CHAPTERS = {chapter.name: chapter for chapter in chapters_with_exercises()}


def test_how_to_use_describes_the_student_edition():
    public = (ROOT / "book" / "how-to-use.md").read_text()
    assert "rocket icon" in public and "hidden solution" in public  # (what the public page says)
    student = student_site.student_how_to_use(public)
    assert "rocket" not in student.lower() and "hidden solution" not in student
    assert "no launch buttons" in student and "download" in student.lower()
    assert "Graded assignments" in student and "upload the zip" in student and "grader.check" in student
    assert "## Notation" in student and "Reading online" in student  # the rest of the page stays
    labels = re.compile(r"(?m)^\(.+\)=[ \t]*$")
    assert labels.findall(public) and labels.findall(student) == labels.findall(public)  # (other pages link to them)
    assert re.search(r"(?m)^\(how-to-use-notation\)=\n## Notation", student)
    with_repository = student_site.student_how_to_use(public, "https://github.com/course/students")
    assert "rocket icon" in with_repository and "your course's repository" in with_repository


def test_the_intro_promises_no_hidden_solution_and_no_rocket_icon():
    intro = json.loads((ROOT / "book" / "intro.ipynb").read_text())
    public = "\n".join("".join(cell["source"]) for cell in intro["cells"] if cell["cell_type"] == "markdown")
    assert "rocket icon" in public and "hidden solution" in public
    student = student_site.student_intro(intro)
    text = "\n".join(student_site._source(cell) for cell in student["cells"] if cell["cell_type"] == "markdown")
    assert "rocket" not in text and "hidden solution" not in text
    assert "{doc}`how-to-use`" in text  # the paragraph that sends readers to how-to-use stays


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_downloaded_notebooks_show_exercises_as_markdown_with_an_answer_cell(name):
    notebook = json.loads((ROOT / "chapters" / f"{name}.ipynb").read_text())
    clean = student_site.readable_exercises(
        student_site.without_outputs(student_site.without_solutions(notebook)), CHAPTERS[name])
    cells = clean["cells"]
    text = "\n".join(student_site._source(cell) for cell in cells)
    assert "{exercise}" not in text and ":label:" not in text and "{solution" not in text
    headings = [i for i, cell in enumerate(cells) if student_site._source(cell).startswith("**Exercise: ")]
    assert len(headings) == len(CHAPTERS[name].exercises)
    for index, exercise in zip(headings, CHAPTERS[name].exercises):
        shown = student_site._source(cells[index])
        assert exercise.title.split()[0] in shown
        assert not re.search(r"\{[\w:-]+\}`", shown), shown  # no raw role ({cite}, {eq}, {term})
        answer = cells[index + 1]
        assert answer["cell_type"] == "code" and exercise.checker in student_site._source(answer)
