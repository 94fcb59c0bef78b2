"""make student-site: the same book with every solution gone from the pages and from the notebooks it
offers, no launch button into the public repository (whose notebooks hold the solutions), and the
public site unchanged. Needs both builds (``make test`` makes them); no browser, but it reads the built
sites, so it lives with the site's tests."""

import html
import json
import os
import re
from pathlib import Path

import pytest

from course.chapters import _PYTHON_BLOCK, _directive, _source, chapters_with_exercises
from course.student_site import student_config, without_solutions

CHAPTERS = {chapter.name: chapter for chapter in chapters_with_exercises()}

REPO = Path(__file__).resolve().parents[2]
_TAG = re.compile(r"<[^>]+>")
_SOLUTION_CLASS = re.compile(r'class="[^"]*\bsolution\b[^"]*"')
_PLAIN_RUN = re.compile(r"[A-Za-z][A-Za-z ,;']{34,}[A-Za-z]")


def _site(variable, default, command):
    path = Path(os.environ.get(variable, REPO / default))
    if not (path / "index.html").is_file():
        pytest.fail(f"expected a built site at {path} (index.html); build it first with `{command}`")
    return path


@pytest.fixture(scope="module")
def student_html():
    return _site("UNROLLED_STUDENT_SITE_DIR", "_build/student/html", "make student-site")


@pytest.fixture(scope="module")
def public_html():
    return _site("UNROLLED_SITE_DIR", "_build/html", "make book")


def page_text(path):
    text = html.unescape(_TAG.sub("", path.read_text(encoding="utf-8")))
    return " ".join(text.replace("\u2019", "'").split())  # Sphinx's smart quotes back to plain ones


def solution_snippets(name):
    """Code lines and plain-prose runs of the chapter's solutions, as written in its notebook, less those
    the rest of the chapter also has."""
    notebook = json.loads((REPO / "chapters" / f"{name}.ipynb").read_text())
    kept = without_solutions(notebook)["cells"]
    removed = [cell for cell in notebook["cells"] if cell not in kept]
    code, prose = set(), set()
    for cell in removed:
        text = _source(cell)
        directive = _directive(text) if cell["cell_type"] == "markdown" else None
        blocks = _PYTHON_BLOCK.findall(text) if cell["cell_type"] == "markdown" else [text]
        code.update(line.strip() for block in blocks for line in block.splitlines()
                    if len(line.strip()) > 16 and not line.strip().startswith(("#", "glue(")))
        body = directive[3] if directive else text
        prose.update(" ".join(run.split()) for run in _PLAIN_RUN.findall(_PYTHON_BLOCK.sub("", body)))
    kept_text = "\n".join(" ".join(_source(cell).split()) for cell in kept)  # e.g. an answer cell's def
    code = {" ".join(line.split()) for line in code}
    return {line for line in code if line not in kept_text}, {run for run in prose if run not in kept_text}


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_chapter_pages_keep_exercises_and_lose_solutions(name, student_html, public_html):
    student_page = (student_html / "chapters" / f"{name}.html")
    public_page = (public_html / "chapters" / f"{name}.html")
    code, prose = solution_snippets(name)
    assert code | prose, "found no solution text to look for"
    public, student = page_text(public_page), page_text(student_page)
    found_in_public = {snippet for snippet in code | prose if snippet in public}
    assert len(found_in_public) >= 3, "the public page should show solutions"
    assert sorted(snippet for snippet in found_in_public if snippet in student) == []
    assert len(_SOLUTION_CLASS.findall(public_page.read_text())) >= len(CHAPTERS[name].exercises)
    assert _SOLUTION_CLASS.findall(student_page.read_text()) == []
    for exercise in CHAPTERS[name].exercises:  # the exercises themselves stay
        assert " ".join(exercise.title.split()) in student


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_downloadable_notebooks_hold_no_solutions(name, student_html):
    published = student_html.parent / "source" / "chapters" / f"{name}.ipynb"
    copies = [*student_html.rglob(f"{name}.ipynb"), published]
    assert len(copies) >= 2
    code, prose = solution_snippets(name)
    for copy in copies:
        notebook = json.loads(copy.read_text())
        text = "\n".join(" ".join(_source(cell).split()) for cell in notebook["cells"])
        assert "{solution" not in text, copy
        assert sorted(snippet for snippet in code | prose if snippet in text) == [], copy
        assert all(not cell.get("outputs") for cell in notebook["cells"]), copy
        # each exercise as plain Markdown (Jupyter renders no directive), with a cell for the answer
        assert "{exercise}" not in text and ":label:" not in text, copy
        assert text.count("**Exercise: ") == len(CHAPTERS[name].exercises), copy


def test_the_student_edition_describes_itself(student_html):
    for page in ("index.html", "book/intro.html", "book/how-to-use.html"):
        path = student_html / page
        if path.exists():
            text = page_text(path)
            assert "rocket icon" not in text and "hidden solution" not in text, page
    how_to_use = page_text(student_html / "book" / "how-to-use.html")
    assert "Graded assignments" in how_to_use and "no launch buttons" in how_to_use


def test_no_launch_button_into_the_public_repository(student_html, public_html):
    chapter = sorted(CHAPTERS)[0]
    public = (public_html / "chapters" / f"{chapter}.html").read_text()
    student = (student_html / "chapters" / f"{chapter}.html").read_text()
    assert "colab.research.google.com" in public and "mybinder.org" in public
    assert "colab.research.google.com" not in student and "mybinder.org" not in student
    assert "Student edition" in student and "Student edition" not in public


def test_the_demo_solution_on_the_instructors_page_is_gone(student_html, public_html):
    sentence = "It does not change. The same cell, with the same weights"
    assert sentence in page_text(public_html / "book" / "instructors.html")
    assert sentence not in page_text(student_html / "book" / "instructors.html")


def test_student_config_keeps_launch_buttons_only_for_a_student_repository():
    public = {"title": "Unrolled", "launch_buttons": {"colab_url": "https://colab.research.google.com"},
              "repository": {"url": "https://github.com/unrolled-book/unrolled"}, "html": {}}
    closed = student_config(public)
    assert "colab_url" not in closed["launch_buttons"] and closed["html"]["use_repository_button"] is False
    assert closed["sphinx"]["config"]["hide_solutions"] is True
    assert closed["execute"]["execute_notebooks"] == "off"
    opened = student_config(public, "https://github.com/course/students")
    assert opened["launch_buttons"] == public["launch_buttons"]
    assert opened["repository"]["url"] == "https://github.com/course/students"
    assert public["repository"]["url"] == "https://github.com/unrolled-book/unrolled"  # not changed in place
