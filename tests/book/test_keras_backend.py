"""Keras 3 reads KERAS_BACKEND once, at its first import, and Colab's Keras defaults to TensorFlow: every
notebook that uses Keras must set the torch backend in a cell before the first cell that imports it."""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMPORTS_KERAS = re.compile(r"^\s*(import keras\b|from keras\b)|cells\.(from|to)_keras\(", re.M)
SETS_TORCH = re.compile(r"""os\.environ\["KERAS_BACKEND"\]\s*=\s*"torch\"""")


def notebooks_using_keras():
    found = []
    for path in sorted((REPO / "chapters").glob("*.ipynb")) + sorted((REPO / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
        if any(IMPORTS_KERAS.search(s) for s in sources):
            found.append((path.name, sources))
    return found


def test_the_frameworks_chapter_is_found():
    assert "frameworks.ipynb" in [name for name, _ in USING_KERAS]


def keras_requirement():
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return next(line.split("#")[0].strip() for line in lines if line.startswith("keras"))


USING_KERAS = notebooks_using_keras()


@pytest.mark.parametrize("name, sources", USING_KERAS, ids=[name for name, _ in USING_KERAS])
def test_the_torch_backend_is_set_before_keras_is_imported(name, sources):
    first_use = next(k for k, s in enumerate(sources) if IMPORTS_KERAS.search(s))
    setting = [k for k, s in enumerate(sources) if SETS_TORCH.search(s)]
    assert setting and setting[0] < first_use, f"{name}: set KERAS_BACKEND=torch before cell {first_use}"
    # Colab: Keras is installed if needed, in the same cell that sets the backend, pinned as everywhere else
    assert f'%pip install -q "{keras_requirement()}"' in sources[setting[0]], name
