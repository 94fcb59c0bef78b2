"""widgets.glue writes what myst-nb reads: checked with myst-nb's own reader on a real executed notebook."""

import copy

import nbformat
import pytest
from myst_nb.ext.glue import extract_glue_data
from nbclient import NotebookClient

from widgets.glue import glue

SOURCE = """
import numpy as np
from widgets.glue import glue
glue("loss", np.float64(0.25))
glue("steps", np.int64(3))
glue("shown", np.array(2.5), display=True)
"""


@pytest.fixture(scope="module")
def executed():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SOURCE)])
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return notebook


def test_myst_nb_reads_every_glued_value_as_a_plain_number(executed):
    class Logger:
        def warning(self, *args, **kwargs):
            raise AssertionError(f"myst-nb warned: {args}")

    data = extract_glue_data(copy.deepcopy(executed), [0], Logger())
    assert {name: output.data["text/plain"] for name, output in data.items()} == {
        "loss": "0.25", "steps": "3", "shown": "2.5"}


def test_only_values_glued_with_display_are_visible(executed):
    outputs = executed.cells[0].outputs
    visible = [out for out in outputs if "text/plain" in out.get("data", {})]
    assert [out.data["text/plain"] for out in visible] == ["2.5"]


def test_glue_names_must_be_strings():
    with pytest.raises(ValueError, match="non-empty string name"):
        glue("", 1.0)
