"""``make student-site``: the book without its solutions, in ``_build/student/html``.

sphinx-exercise's ``hide_solutions`` option is not enough on its own: it drops ``{solution}`` blocks,
but for a gated ``{solution-start}`` ... ``{solution-end}`` solution it drops only the opening line, and
the solution's prose and code cells stay on the page (checked with sphinx-exercise 1.x). So the
student edition is built from a copy of the book whose chapters have lost their solution cells:

1. ``_build/student/source/`` gets the book's sources; its notebooks are the executed notebooks of the
   public build (from its execution cache, so nothing runs twice) without their solution cells;
2. Jupyter Book builds that copy with execution off into ``_build/student/html``;
3. the chapters in ``source/`` and the notebooks the site offers for download (``_sources``) are then
   replaced by output-free copies, again without solutions.

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
        _write_notebook(without_solutions(notebook), source / relative)

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
    for relative in executed:
        clean = without_outputs(without_solutions(json.loads((ROOT / relative).read_text(encoding="utf-8"))))
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
