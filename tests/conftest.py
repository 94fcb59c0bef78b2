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


def pytest_collection_modifyitems(items):
    """The chapter executions first: `make test` hands out whole files to its two processes in this order, and
    this file is the longest (test_readers_machines.py)."""
    items.sort(key=lambda item: item.path.name != "test_readers_machines.py")
