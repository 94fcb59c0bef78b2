"""make assignments: one otter question per exercise; the reference solutions get full marks, a blank
notebook none, a typical wrong answer loses its question; no solution reaches the student's notebook;
two seeds give two sets of numbers that both grade correctly."""

import json
import re

import pytest

from course import assignments, master, variants
from course.chapters import ChapterError, read_chapter, split_solution

from .conftest import CHAPTERS
from .grading import grade, reference_answers, submission

# A typical slip per chapter: (exercise label, the wrong answer as code). A chapter not listed here
# (a new one) gets -1 for its first question.
TYPICAL_SLIPS = {
    # i and f swapped
    "lstm": ("lstm-ex-one-step", "(0.9 * 2.0 + 0.5 * -0.6, 0.8 * np.tanh(0.9 * 2.0 + 0.5 * -0.6))"),
    "mlp-to-sequences": ("ex-mlp-dense-count", "784 * 128"),  # the weights without the biases
    "rnn": ("ex-rnn-count", "128 * 28 + 128 * 128 + 128"),  # Keras's single bias vector
    "vanishing-gradients": ("ex-vanishing-three", "(1.5, 1 / 12)"),  # the variance of one number
    "gru": ("gru-ex-convention", "(0.9, 2.0)"),  # the paper's z and bias kept as they are
    "frameworks": ("frameworks-ex-kernel", "(512, 28)"),  # PyTorch's weight_ih layout, not Keras's kernel
    "attention": ("att-ex-shape", "(3, 5, 7)"),  # batch first
}
VARIANT_CHAPTER = "lstm"
VARIANT_SEEDS = {  # two seeds for one chapter, one for the others
    "lstm": (11, 12),
    "mlp-to-sequences": (11,),
    "gru": (11,),
    "frameworks": (11,),
    "attention": (11,),
    "rnn": (11,),
    "vanishing-gradients": (11,),
}


def _question_of(chapter, label):
    index = next(i for i, exercise in enumerate(chapter.exercises, start=1) if exercise.label == label)
    return master.question_name(index), master.answer_name(index)


def test_every_chapter_with_exercises_is_found():
    for path in sorted(CHAPTERS):
        assert CHAPTERS[path].exercises
    assert {"lstm", "mlp-to-sequences", "rnn", "vanishing-gradients", "gru"} <= set(CHAPTERS)


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_one_question_per_exercise_block(name):
    raw = json.loads((assignments.ROOT / "chapters" / f"{name}.ipynb").read_text())
    blocks = sum(len(re.findall(r"^(?:`{3,}|:{3,})\{exercise\}", "".join(cell["source"]), re.MULTILINE))
                 for cell in raw["cells"] if cell["cell_type"] == "markdown")
    notebook = master.master_notebook(CHAPTERS[name])
    questions = [cell for cell in notebook.cells if cell.source.startswith("# BEGIN QUESTION")]
    assert len(questions) == blocks == len(CHAPTERS[name].exercises)


def test_a_solution_without_an_answer_is_refused():
    with pytest.raises(ChapterError, match="never calls its checker"):
        split_solution("x = 1\nprint(x)", "some-label")
    setup, answer, _ = split_solution("a = 2\nglue('a', a)\ncheck_x(a * 3);\nglue('b', 1)", "label")
    assert (setup, answer) == ("a = 2", "a * 3")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_student_notebook_holds_no_solution(name, build):
    out = build(name)
    chapter = CHAPTERS[name]
    student = assignments.notebook_text(out / "student" / f"{name}.ipynb")
    secrets = assignments.solution_lines(chapter)
    assert secrets, "nothing to look for"
    assert [line for line in secrets if line in student] == []
    master_text = assignments.notebook_text(out / "master" / f"{name}.ipynb")
    assert [line for line in secrets if line not in master_text] == []
    notebook = json.loads((out / "student" / f"{name}.ipynb").read_text())
    assert all(not cell.get("outputs") for cell in notebook["cells"])
    tests = notebook["metadata"]["otter"]["tests"]
    assert len(tests) == len(chapter.exercises)
    assert all("hidden=True" not in test and "using_seed" not in test for test in tests.values())
    # the checkers travel with the assignment
    assert (out / "student" / "exercises" / "feedback.py").is_file()
    assert (out / "student" / "cells" / "__init__.py").is_file()
    assert assignments.autograder_zip(out).stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_grades_of_reference_blank_and_wrong(name, build, tmp_path):
    out = build(name)
    chapter = CHAPTERS[name]
    everything = {master.question_name(i): 1 for i in range(1, len(chapter.exercises) + 1)}

    reference = grade(out, submission(out, tmp_path / "reference.ipynb", reference_answers(out)))
    blank = grade(out, submission(out, tmp_path / "blank.ipynb", {}))
    label, slip = TYPICAL_SLIPS.get(name, (chapter.exercises[0].label, "-1"))
    question, answer = _question_of(chapter, label)
    slipped = {**reference_answers(out), answer: f"{answer} = {slip}"}
    wrong = grade(out, submission(out, tmp_path / "wrong.ipynb", slipped))
    print(f"{name}: reference {sum(reference.values())}/{len(everything)}, blank {sum(blank.values())}, "
          f"wrong {question} -> {sum(wrong.values())}")

    assert reference == everything
    assert blank == {question_name: 0 for question_name in everything}
    assert wrong == {**everything, question: 0}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "seeds"), VARIANT_SEEDS.items())
def test_seeds_give_other_numbers_and_grade_correctly(name, seeds, build, tmp_path):
    chapter = CHAPTERS[name]
    varied = [master.question_name(i) for i, exercise in enumerate(chapter.exercises, start=1)
              if variants.answer_varies(name, exercise)]  # numbers and answer follow the seed
    assert len(varied) >= 2
    texts = {}
    for seed in (0, *seeds):
        student = json.loads((build(name, seed) / "student" / f"{name}.ipynb").read_text())
        texts[seed] = [cell["source"] for cell in student["cells"] if cell["cell_type"] == "markdown"]
    assert len({repr(text) for text in texts.values()}) == len(texts)  # each seed states other numbers

    everything = {master.question_name(i): 1 for i in range(1, len(chapter.exercises) + 1)}
    for seed in seeds:
        out = build(name, seed)
        assert (out / "student" / "exercises" / "seed.txt").read_text().strip() == str(seed)
        own = grade(out, submission(out, tmp_path / f"seed{seed}.ipynb", reference_answers(out)))
        assert own == everything
    # The book's public solutions do not pass a course's variant: exactly the questions whose answer
    # follows the seed fail (a "same_answer" entry varies numbers that leave the answer as it is).
    book, course = build(name, 0), build(name, seeds[0])
    public_answers = submission(book, tmp_path / "public.ipynb", reference_answers(book))
    assert grade(course, public_answers) == {**everything, **{question: 0 for question in varied}}


def test_a_reworded_exercise_is_caught():
    chapter = read_chapter(assignments.ROOT / "chapters" / f"{VARIANT_CHAPTER}.ipynb")
    exercise = next(exercise for exercise in chapter.exercises if variants.varies(VARIANT_CHAPTER, exercise))
    exercise.text = "The numbers are gone."
    with pytest.raises(variants.VariantError, match="no longer in its text"):
        variants.text(VARIANT_CHAPTER, exercise, 3)
    assert variants.text(VARIANT_CHAPTER, exercise, 0) == "The numbers are gone."
