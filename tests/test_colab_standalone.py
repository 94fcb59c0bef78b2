"""Colab, simulated: each chapter runs in an empty folder against the package installed from a built wheel.

In Colab a chapter is opened on its own: no repository around it, the book's package installed by the
first cell. Here the wheel is built from this checkout, installed into a private folder placed first on
the kernel's path, and the notebook executes in a fresh temporary directory. A first injected cell
proves the package really comes from the wheel, not from the checkout. A reader's machine is not the
build's either: the chapters run here under experiment seed 1 with two BLAS threads, and their assertions
must hold all the same (test_experiment_seeds.py runs them under seed 2).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .site.toc import REPO, notebook_pages


@pytest.fixture(scope="session")
def wheel_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(out.glob("unrolled-*.whl"))
    target = tmp_path_factory.mktemp("site-packages")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("page", [p for p in notebook_pages() if p.startswith("chapters/")])
def test_chapter_runs_outside_the_repository_from_the_wheel(page, wheel_site, tmp_path, monkeypatch):
    notebook = nbformat.read(REPO / f"{page}.ipynb", as_version=4)
    probe = nbformat.v4.new_code_cell(
        "import cells, widgets, exercises, pathlib\n"
        f"for package in (cells, widgets, exercises):\n"
        f"    assert pathlib.Path(package.__file__).is_relative_to({str(wheel_site)!r}), package.__file__"
    )
    notebook.cells.insert(0, probe)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(wheel_site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("UNROLLED_EXPERIMENT_SEED", "1")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.chdir(tmp_path)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
