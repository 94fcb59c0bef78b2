"""Exercise variants: a course can draw its own numbers for the exercises from a seed.

Seed 0 is the book's own numbers (the ones the chapters print). A checker module that has variants
defines ``parameters(seed=None)``, which returns its exercises' numbers for a seed, and its checkers
read their numbers from ``parameters()`` at call time, so they follow the active seed:

1. the innermost ``with using_seed(n):`` block (the autograder's hidden tests pin the course's seed);
2. the environment variable ``UNROLLED_SEED``;
3. the file ``exercises/seed.txt`` (``make assignments SEED=n`` writes it into the copy of this
   package that travels with an assignment; the repository has none);
4. otherwise 0.
"""

import contextlib
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["ENVIRONMENT_VARIABLE", "SEED_FILE", "active_seed", "using_seed", "generator"]

ENVIRONMENT_VARIABLE = "UNROLLED_SEED"
SEED_FILE = Path(__file__).with_name("seed.txt")
_pinned = []


def _as_seed(value, where):
    try:
        seed = int(str(value).strip())
    except ValueError:
        raise ValueError(f"Expected a whole number as the exercise seed in {where}; got {value!r}.") from None
    if seed < 0:
        raise ValueError(f"Expected a seed of 0 or more in {where}; got {seed}.")
    return seed


def active_seed():
    """The seed the checkers follow now (see the module's docstring for the order)."""
    if _pinned:
        return _pinned[-1]
    if os.environ.get(ENVIRONMENT_VARIABLE, "").strip():
        return _as_seed(os.environ[ENVIRONMENT_VARIABLE], f"${ENVIRONMENT_VARIABLE}")
    if SEED_FILE.exists():
        return _as_seed(SEED_FILE.read_text(encoding="utf-8"), str(SEED_FILE))
    return 0


@contextlib.contextmanager
def using_seed(seed):
    """Within the block, the checkers follow ``seed`` whatever the environment or seed.txt say."""
    _pinned.append(_as_seed(seed, "using_seed"))
    try:
        yield
    finally:
        _pinned.pop()


def generator(seed, name):
    """A numpy generator for one exercise: the same numbers for the same (seed, name) everywhere."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])
