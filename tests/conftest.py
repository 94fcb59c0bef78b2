import os

import pytest

# Keras 3 picks its backend once, when first imported, and defaults to TensorFlow, which the book does
# not install. Every test process gets the torch backend before any test module can import keras.
os.environ["KERAS_BACKEND"] = "torch"


@pytest.fixture(autouse=True)
def book_experiment_seed(monkeypatch):
    """Tests compare with the book's own draws: an experiment seed in the developer's environment does not
    leak in. A test that runs the book under another experiment seed sets it itself."""
    monkeypatch.delenv("UNROLLED_EXPERIMENT_SEED", raising=False)
