"""``make student-site``: the book without its solutions, in ``_build/student/html``.

sphinx-exercise's ``hide_solutions`` option is not enough on its own: it drops ``{solution}`` blocks,
but for a gated ``{solution-start}`` ... ``{solution-end}`` solution it drops only the opening line, and
the solution's prose and code cells stay on the page (checked with sphinx-exercise 1.x). So the
student edition is built from a copy of the book whose chapters have lost their solution cells:

1. ``_build/student/source/`` gets the book's sources; its notebooks are the executed notebooks of the
   public build (from its execution cache, so nothing runs twice) without their solution cells;
2. Jupyter Book builds that copy with execution off into ``_build/student/html``;
3. the chapters in ``source/`` and the notebooks the site offers for download (``_sources``) are then
   replaced by output-free copies, again without solutions, whose exercises are plain Markdown with a
   cell for the answer under each (:func:`readable_exercises`: Jupyter renders no MyST directive).

The edition describes itself: its ``how-to-use`` (:func:`student_how_to_use`) and introduction
(:func:`student_intro`) promise no hidden solutions and no launch buttons it does not have, and say how
to get and hand in assignments.

``source/`` is what a course publishes for its students (a repository of its own, so that Colab,
Binder and JupyterHub open notebooks without solutions): launch, repository and edit buttons stay off
unless ``STUDENT_REPOSITORY`` (``https://github.com/<owner>/<name>``) names that repository.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from . import chapters as chapter_reader
from . import markdown

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "student"
COPIED = ["_toc.yml", "book", "binder", "cells", "widgets", "exercises", "frontend", "requirements.txt",
          "pyproject.toml", "LICENSE", "README.md"]
_SOLUTION = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1[ \t]*$\n?", re.MULTILINE | re.DOTALL)
_GATE = re.compile(r"^(`{3,}|:{3,})\{solution-(start|end)\}")


class StudentSiteError(RuntimeError):
    """The student edition cannot be built, or still holds a solution; the message says which."""


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def without_solutions(notebook):
    """A copy of ``notebook`` (a dict) without its ``{solution}`` blocks and gated solution cells."""
    cells, inside = [], False
    for cell in notebook["cells"]:
        text = _source(cell)
        gate = next((match for line in text.splitlines() if (match := _GATE.match(line.strip()))), None)
        if gate is not None and gate[2] == "start":
            inside = True
            continue
        if gate is not None:  # solution-end
            inside = False
            continue
        if inside:
            continue
        if cell["cell_type"] == "markdown" and "{solution}" in text:
            text = _SOLUTION.sub("", text).strip("\n")
            if not text.strip():
                continue
            cell = {**cell, "source": text}
        cells.append(cell)
    if inside:
        raise StudentSiteError("a {solution-start} without its {solution-end}")
    return {**notebook, "cells": cells}


_EXERCISE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{exercise\}[ \t]*(?P<title>.*?)\n(?P<body>.*?)^(?P=fence)[ \t]*$\n?",
                       re.MULTILINE | re.DOTALL)
_OPTION = re.compile(r"^:[\w-]+:.*\n?", re.MULTILINE)


def _exercise_markdown(match):
    body = _OPTION.sub("", match["body"], count=0).strip()
    title = match["title"].strip()
    heading = f"**Exercise: {markdown.readable(title)}**" if title else "**Exercise**"
    return f"{heading}\n\n{markdown.readable(body)}\n"


def _answer_cell(exercise, module):
    if exercise is None:
        return "# Your answer to the exercise above\n"
    return (f"# Your answer to the exercise above\nfrom {module} import {exercise.checker}\n\n"
            f"{exercise.checker}(...);  # replace ... with your answer")


def readable_exercises(notebook, chapter=None):
    """A downloadable notebook's exercises as plain Markdown (Jupyter renders no ``{exercise}`` directive
    and no MyST role), each followed by a code cell for the answer: the chapter's own answer cell when it
    has one, else a new one that imports the exercise's checker (``chapter``: its
    :class:`course.chapters.Chapter`, to name the checker)."""
    exercises = {exercise.label: exercise for exercise in (chapter.exercises if chapter else [])}
    cells = []
    source_cells = notebook["cells"]
    for index, cell in enumerate(source_cells):
        text = _source(cell)
        if cell["cell_type"] != "markdown" or not _EXERCISE.search(text):
            cells.append(cell)
            continue
        labels = re.findall(r"^:label:\s*(\S+)", text, re.MULTILINE)
        cells.append({**cell, "source": _EXERCISE.sub(_exercise_markdown, text).strip("\n")})
        following = source_cells[index + 1] if index + 1 < len(source_cells) else None
        if following is None or following["cell_type"] != "code":
            exercise = exercises.get(labels[0]) if labels else None
            cells.append({"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                          "source": _answer_cell(exercise, chapter.module if chapter else "")})
    return {**notebook, "cells": cells}


def student_how_to_use(text, repository=None):
    """book/how-to-use.md for the student edition: how to run a chapter and do its exercises in this
    edition (no solutions; launch buttons only with a student repository; assignments and hand-in)."""
    sections = re.split(r"(?m)^(?=## )", text)
    kept = []
    for section in sections:
        heading = section.splitlines()[0] if section.strip() else ""
        if heading.startswith("# "):
            section = re.sub(r"(?m)^# How to use this book$", "# How to use this edition", section)
            section = section.replace("This page explains both", "This page explains both for the student edition")
        elif heading == "## Running a chapter":
            section = STUDENT_RUNNING.format(
                launch=STUDENT_LAUNCH if repository else STUDENT_NO_LAUNCH)
        elif heading == "## Exercises":
            # a label such as (how-to-use-notation)= closing the section belongs to the next heading: keep it
            labels = re.findall(r"(?m)^\(.+\)=[ \t]*$", section)
            section = STUDENT_EXERCISES.rstrip("\n") + "\n\n" + "".join(f"{label}\n" for label in labels)
        kept.append(section)
    return "".join(kept)


def student_intro(notebook, repository=None):
    """book/intro.ipynb for the student edition: no hidden solutions, no rocket icon unless the edition
    has launch buttons."""
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            text = _source(cell)
            text = re.sub(r"each with a hidden solution and a function", "each with a function", text)
            text = text.replace("a hidden solution", "no solution (this is the student edition)")
            if not repository:
                text = markdown.without_sentences(text, r"rocket icon")
            cell = {**cell, "source": text}
        cells.append(cell)
    return {**notebook, "cells": cells}


STUDENT_NO_LAUNCH = (
    "This edition has no launch buttons: the book's public repository, which they would open, holds the "
    "solutions. Download a chapter's notebook instead, with the download icon at the top of its page: it "
    "has no outputs and no solutions, and a cell for your answer under each exercise. Open it where your "
    "course tells you: on your course's JupyterHub, or on your own computer.")
STUDENT_LAUNCH = (
    "The rocket icon at the top of a chapter page holds launch buttons (**Colab**, **Binder**) that open the "
    "chapter's notebook from your course's repository, without solutions. You can also download the "
    "notebook with the download icon next to it: it has no outputs and no solutions, and a cell for your "
    "answer under each exercise.")
STUDENT_RUNNING = """## Running a chapter

{launch} Every chapter runs on a CPU; you do not need a GPU.

The notebooks import the book's Python package, `unrolled`: `cells` (the numpy library of RNN, LSTM and
GRU cells), `widgets` (the interactive figures) and `exercises` (the functions that check your answers).
On your own computer, with Python 3.11, install it and the packages the chapters use into a virtual
environment, then start JupyterLab in the folder where you saved the notebooks:

```bash
python -m venv .venv
.venv/bin/pip install "unrolled @ git+https://github.com/unrolled-book/unrolled"
.venv/bin/jupyter lab
```

On Linux, install the CPU-only PyTorch first
(`.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu`): pip's default
one brings gigabytes of GPU libraries the book never uses. A JupyterHub set up for your course has all
of this already.

"""
STUDENT_EXERCISES = """## Exercises

Every chapter ends with exercises. This edition shows them without solutions. In a chapter's notebook,
each exercise is followed by a cell for your answer, which calls the exercise's checking function: run
it, and the checker tells you what is right or wrong about your answer without giving the answer away.

### Graded assignments

Your instructor may hand out a chapter's exercises as an assignment: a folder with a notebook and the
packages it needs (keep them together). In the notebook, replace each `answer_1 = ...` with your answer
and run the cell; `grader.check("q1")` runs the question's public test. Answer cells may import only
what the autograder has, which the notebook's introduction lists (numpy, not PyTorch). When you are
done, save the notebook, run its last cell, and upload the zip file it makes, or the notebook, where
your instructor says (Gradescope, for example). The grade comes from hidden tests.

In a practice assignment the checkers run on your machine and give feedback at once. In an exam, the
public tests check only the form of an answer (a number, a pair, a function), not whether it is right:
nothing you receive knows the answers.

"""


def without_outputs(notebook):
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell = {**cell, "outputs": [], "execution_count": None}
        cells.append(cell)
    metadata = {key: value for key, value in notebook.get("metadata", {}).items() if key != "widgets"}
    return {**notebook, "cells": cells, "metadata": metadata}


def _write_notebook(notebook, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def student_config(config, repository=None):
    """The public ``_config.yml`` (a dict) turned into the student edition's."""
    config = json.loads(json.dumps(config))  # a deep copy
    config["title"] = f"{config.get('title', 'Unrolled')} (student edition)"
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["hide_solutions"] = True  # belt and braces: the chapters have none left
    html = config.setdefault("html", {})
    html["announcement"] = "Student edition: the exercises without their solutions."
    if repository:
        config.setdefault("repository", {})["url"] = repository
        html["use_edit_page_button"] = False
    else:  # the public repository's notebooks hold the solutions: link to none of them
        config["launch_buttons"] = {"notebook_interface": "jupyterlab"}
        for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
            html[button] = False
    return config


def _copy_sources(source):
    shutil.rmtree(source, ignore_errors=True)
    for name in COPIED:
        origin = ROOT / name
        if not origin.exists():
            raise StudentSiteError(f"{origin} is missing (run make book first)")
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "seed.txt",
                                                                          "node_modules"))
        else:
            shutil.copy2(origin, target)


def executed_notebooks():
    """{path relative to the book: the notebook with the outputs of the public build} from its
    execution cache (``_build/.jupyter_cache``; the copies in ``_build/jupyter_execute`` lack the glue
    outputs that the prose reads)."""
    import nbformat
    from jupyter_cache import get_cache

    cache_path = ROOT / "_build" / ".jupyter_cache"
    if not cache_path.is_dir():
        raise StudentSiteError(f"no execution cache at {cache_path}: run make book first")
    cache = get_cache(str(cache_path))
    executed = {}
    for folder in ("chapters", "book"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            try:
                _, merged = cache.merge_match_into_notebook(nbformat.read(path, as_version=4))
            except KeyError:
                raise StudentSiteError(f"{path.relative_to(ROOT)} is not in the execution cache (or has "
                                       "changed since): run make book first") from None
            executed[path.relative_to(ROOT)] = json.loads(nbformat.writes(merged))
    return executed


def build(out=OUT, repository=None):
    """Build the student edition under ``out``; returns the html folder."""
    out = Path(out)
    executed = executed_notebooks()
    source = out / "source"
    _copy_sources(source)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    (source / "_config.yml").write_text(yaml.safe_dump(student_config(config, repository), sort_keys=False),
                                        encoding="utf-8")
    for relative, notebook in executed.items():
        if relative == Path("book") / "intro.ipynb":
            notebook = student_intro(notebook, repository)
        _write_notebook(without_solutions(notebook), source / relative)
    how_to_use = source / "book" / "how-to-use.md"
    how_to_use.write_text(student_how_to_use(how_to_use.read_text(encoding="utf-8"), repository), encoding="utf-8")

    shutil.rmtree(out / "_build", ignore_errors=True)
    shutil.rmtree(out / "html", ignore_errors=True)
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source), "--path-output",
               str(out), "--warningiserror", "--nitpick", "--keep-going"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise StudentSiteError("the student edition did not build:\n"
                               f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    shutil.move(str(out / "_build" / "html"), str(out / "html"))
    shutil.rmtree(out / "_build", ignore_errors=True)

    # What students download or open: no outputs, no solutions (the published source too).
    chapters = {chapter.name: chapter for chapter in chapter_reader.chapters_with_exercises()}
    for relative in executed:
        clean = without_outputs(without_solutions(json.loads((ROOT / relative).read_text(encoding="utf-8"))))
        if relative == Path("book") / "intro.ipynb":
            clean = student_intro(clean, repository)
        clean = readable_exercises(clean, chapters.get(relative.stem) if relative.parts[0] == "chapters" else None)
        _write_notebook(clean, source / relative)
        for copy in (out / "html").rglob(relative.name):
            _write_notebook(clean, copy)
    return out / "html"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--repository", default=os.environ.get("STUDENT_REPOSITORY") or None,
                        help="the repository holding the student edition's source (enables launch buttons)")
    args = parser.parse_args(argv)
    html = build(args.out, args.repository)
    print(f"The student edition is in {html}; its source, to publish for students, in {args.out / 'source'}.")


if __name__ == "__main__":
    main()
