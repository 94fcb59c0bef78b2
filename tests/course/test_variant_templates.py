"""course.variants' templates: slots are repr'd, indexed or formatted, and all fragments of a piece are
replaced in one pass (a number put in by one fragment is not taken for another fragment)."""

import sys
import types

import pytest

from course import variants
from course.chapters import Exercise


@pytest.fixture
def fake_module(monkeypatch):
    module = types.ModuleType("exercises.fake_for_templates")
    module.parameters = lambda seed: {"P": {"size": 7 * seed, "point": [[2.0, -1.5]], "gate": 0.25 * seed}}
    monkeypatch.setitem(sys.modules, "exercises.fake_for_templates", module)
    fragments = {"x-one": {"module": "fake_for_templates", "title": {"step 5": "step <<P.size>>"},
                           "text": {"(5, 3)": "(<<P.size>>, 3)", "(7, 3)": "(9, 3)",
                                    "$m = (2, 0)$": "$m = (<<P.point.0.0:g>>, <<P.point.0.1:g>>)$"},
                           "answer": {"0.5": "<<P.gate>>"}},
                 "x-same": {"module": "fake_for_templates", "same_answer": True, "text": {"(5, 3)": "(<<P.size>>, 3)"}}}
    monkeypatch.setitem(variants.FRAGMENTS, "fake-chapter", fragments)


def exercise(label, text, answer="0.5"):
    return Exercise(label=label, title="Where should step 5 look?", text=text, checker="check_x", answer_template="",
                    solution_setup="", solution_answer=answer, solution_source="chapter")


def test_slots_and_one_pass(fake_module):
    one = exercise("x-one", "shapes (5, 3) and (7, 3); $m = (2, 0)$")
    # seed 1: (5, 3) becomes (7, 3), which the fragment "(7, 3)" must not turn into (9, 3) in turn
    assert variants.text("fake-chapter", one, 1) == "shapes (7, 3) and (9, 3); $m = (2, -1.5)$"
    assert variants.solution("fake-chapter", one, 2) == ("", "0.5")
    assert variants.solution("fake-chapter", one, 3) == ("", "0.75")
    assert variants.text("fake-chapter", one, 0) == one.text
    assert variants.title("fake-chapter", one, 2) == "Where should step 14 look?"
    assert variants.title("fake-chapter", one, 0) == one.title
    assert variants.title("fake-chapter", exercise("x-same", "(5, 3)"), 2) == one.title  # no title piece


def test_same_answer_entries_vary_but_keep_their_answer(fake_module):
    same, one = exercise("x-same", "(5, 3)"), exercise("x-one", "")
    assert variants.varies("fake-chapter", same) and not variants.answer_varies("fake-chapter", same)
    assert variants.answer_varies("fake-chapter", one)
    assert not variants.varies("fake-chapter", exercise("x-none", ""))
