import pytest

from exercises import feedback, variants


@pytest.fixture(autouse=True)
def strict_checkers(monkeypatch):
    """A checker's own bug fails the test instead of being reported politely, as it is to readers."""
    monkeypatch.setattr(feedback, "STRICT", True)


@pytest.fixture(autouse=True)
def no_seed_from_outside(monkeypatch, tmp_path):
    """The checkers use the book's numbers unless a test picks a seed itself: a course's seed in the
    environment or in exercises/seed.txt does not leak in."""
    monkeypatch.delenv(variants.ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(variants, "SEED_FILE", tmp_path / "seed.txt")
