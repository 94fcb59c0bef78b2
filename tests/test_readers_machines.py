"""The book's conclusions hold on the reader's machine, not just the build's: every chapter executed twice more.

Each chapter asserts what its prose concludes (from both sides, over seeds). The build runs it under experiment
seed 0 with one BLAS thread. Here it runs
- under experiment seed 2 with two BLAS threads, in the repository: the rounding and the draws differ, the
  numbers move, and every assertion must still hold;
- as in Colab, under experiment seed 1, also with two threads: opened on its own in an empty folder, the book's
  package installed from a wheel built from this checkout into a private folder placed first on the kernel's
  path. A first injected cell proves the package comes from the wheel, not from the checkout.

`make test` runs the tests in two processes, one file per process at a time. These are the slowest tests and they
share one file, so they run one after another (two chapters each with two BLAS threads on two cores would only
fight), and first (tests/conftest.py), while the other process runs every other file.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .site.toc import REPO, notebook_pages

CHAPTERS = [page for page in notebook_pages() if page.startswith("chapters/")]


def execute(notebook, probe, folder, seed, monkeypatch):
    """Run `notebook` with `probe` as its first cell, in `folder`, under experiment `seed` and two BLAS threads."""
    monkeypatch.setenv("UNROLLED_EXPERIMENT_SEED", str(seed))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    notebook.cells.insert(0, nbformat.v4.new_code_cell(probe))
    start = time.perf_counter()
    resources = {"metadata": {"path": str(folder)}}
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources).execute()
    return time.perf_counter() - start


@pytest.mark.slow
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_holds_under_another_experiment_seed_and_two_blas_threads(page, monkeypatch):
    path = REPO / f"{page}.ipynb"
    probe = ("import os, cells\n"
             "assert cells.experiments.base_seed() == 2, cells.experiments.base_seed()\n"
             "assert os.environ['OPENBLAS_NUM_THREADS'] == '2'")
    seconds = execute(nbformat.read(path, as_version=4), probe, path.parent, 2, monkeypatch)
    print(f"{page}: {seconds:.1f} s under experiment seed 2, two BLAS threads")


@pytest.fixture(scope="module")
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
@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_runs_outside_the_repository_from_the_wheel(page, wheel_site, tmp_path, monkeypatch):
    probe = ("import cells, widgets, exercises, pathlib\n"
             "for package in (cells, widgets, exercises):\n"
             f"    assert pathlib.Path(package.__file__).is_relative_to({str(wheel_site)!r}), package.__file__")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(wheel_site), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.chdir(tmp_path)
    seconds = execute(nbformat.read(REPO / f"{page}.ipynb", as_version=4), probe, tmp_path, 1, monkeypatch)
    print(f"{page}: {seconds:.1f} s as in Colab, under experiment seed 1, two BLAS threads")
