"""Every exercise with variants, for seeds 1..8, in-process (no otter, so more seeds than the otter tests
build): its text and title state that seed's numbers, its reference solution for that seed runs and
passes its checker under the seed, and the book's solution fails unless the entry says the answer is
the same in every seed."""

import contextlib
import importlib
import io

import numpy as np
import pytest

import cells
from course import variants
from exercises.variants import using_seed

from .conftest import CHAPTERS

SEEDS = range(1, 9)
VARIED = [(name, exercise) for name in sorted(variants.FRAGMENTS) if name in CHAPTERS
          for exercise in CHAPTERS[name].exercises if variants.varies(name, exercise)]


def reference(chapter, exercise, seed):
    """The answer the seed's reference solution computes, run as the master notebook runs it."""
    setup, answer = variants.solution(chapter.name, exercise, seed)
    namespace = {"np": np, "cells": cells}
    for statement in chapter.imports:
        if not statement.startswith(f"from {chapter.module} import"):
            exec(statement, namespace)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(setup, namespace)
        return eval(answer, namespace)


def verdict(chapter, exercise, answer, seed):
    checker = getattr(importlib.import_module(chapter.module), exercise.checker)
    with using_seed(seed), contextlib.redirect_stdout(io.StringIO()):
        return checker(answer)


@pytest.mark.parametrize(("name", "exercise"), VARIED, ids=[exercise.label for _, exercise in VARIED])
def test_each_seed_states_its_numbers_and_its_solution_passes(name, exercise):
    chapter = CHAPTERS[name]
    book_answer = reference(chapter, exercise, 0)
    assert verdict(chapter, exercise, book_answer, 0)
    texts = {variants.title(name, exercise, 0) + variants.text(name, exercise, 0)}
    for seed in SEEDS:
        texts.add(variants.title(name, exercise, seed) + variants.text(name, exercise, seed))
        assert verdict(chapter, exercise, reference(chapter, exercise, seed), seed), seed
        book_passes = verdict(chapter, exercise, book_answer, seed)
        assert book_passes == (not variants.answer_varies(name, exercise)), seed
    if variants.FRAGMENTS[name][exercise.label].get("text"):  # (a text may only refer to the previous one's)
        assert len(texts) > len(SEEDS) // 2  # the seeds state other numbers
