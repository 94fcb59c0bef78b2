"""Issue 23's trial, as tests: an exam hands students no answer, no seed and no checker; grading in the
autograder zip's own environment matches Gradescope (a torch import fails there); the report says what
happened (a raised cell is not a blank) with the useful sentence first.

Reference values are computed here by running each exercise's reference solution in this process
(tests/course/test_variant_solutions.reference), not by the course kit's own code."""

import json
import re
import subprocess
import zipfile

import pytest

from course import assignments, master
from course import grade as grading

from .conftest import CHAPTERS
from .grading import grade, reference_answers, reports, submission
from .test_variant_solutions import reference

EXAM_CHAPTERS = ("gru", "lstm")
EXAM_SEED = 2_718_281_828  # an exam's seed is large: nobody finds it by trying seeds


def numbers_in(value):
    if isinstance(value, bool) or callable(value):
        return []
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers_in(item)]
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in numbers_in(item)]
    return [float(value)] if isinstance(value, (int, float)) else []


def written(number):
    """How a student could read a reference number: four digits or more, or three or four decimals."""
    if number.is_integer():
        return {str(int(number)), f"{int(number):,}"} if abs(number) >= 1000 else set()
    return {f"{number:.3f}", f"{number:.4f}"} if abs(number) >= 0.001 else set()


def files_of(folder):
    return {path: path.read_text("utf-8", "replace") for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAM_CHAPTERS)
def test_an_exam_hands_students_no_reference_value_seed_or_checker(name, build):
    chapter = CHAPTERS[name]
    out = build(name, EXAM_SEED, "exam")
    student = out / "student"
    assert not (student / "exercises").exists()  # the checkers stay with the autograder
    shipped = files_of(student)
    assert student / f"{name}.ipynb" in shipped and student / "answer_tests.py" in shipped
    everything = "\n".join(shipped.values())
    assert str(EXAM_SEED) not in everything
    assert "def parameters(" not in everything and "seed.txt" not in everything
    notebook = json.loads((student / f"{name}.ipynb").read_text())
    markdown_text = "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    checked = 0
    for exercise in chapter.exercises:
        strings = set()
        for number in numbers_in(reference(chapter, exercise, EXAM_SEED)):
            strings |= written(number)
        strings = {s for s in strings if s not in markdown_text}  # (an answer may repeat a number the question gives)
        checked += len(strings)
        for path, text in shipped.items():
            found = [s for s in strings if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", text)]
            assert found == [], (exercise.label, path, found)
    assert checked >= len(chapter.exercises) // 2, "too few reference values to look for"
    # ... and they are in the autograder: its hidden tests run the checkers under the exam's seed
    with zipfile.ZipFile(assignments.autograder_zip(out)) as archive:
        names = archive.namelist()
        assert any(n.startswith("files/exercises/") for n in names)
        assert f"seed={EXAM_SEED}" in archive.read("tests/q1.py").decode()


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAM_CHAPTERS)
def test_an_exam_grades_like_practice_and_its_public_tests_check_only_the_form(name, build, tmp_path):
    chapter = CHAPTERS[name]
    out = build(name, EXAM_SEED, "exam")
    everything = {master.question_name(i): 1 for i in range(1, len(chapter.exercises) + 1)}
    reference_notebook = submission(out, tmp_path / "reference.ipynb", reference_answers(out))
    assert grade(out, reference_notebook) == everything
    if name == EXAM_CHAPTERS[0]:  # (one chapter is enough for the blank: the hidden tests are practice's)
        assert grade(out, submission(out, tmp_path / "blank.ipynb", {})) == dict.fromkeys(everything, 0)


def test_the_form_check_says_what_form_is_expected_and_nothing_more(tmp_path):
    from course.answer_tests import form_problem

    pair = master.form_of((0.537, 0.729))
    assert pair == {"kind": "tuple", "items": [{"kind": "number"}, {"kind": "number"}]}
    assert form_problem((0.1, -3), pair) is None  # any two numbers have the form: it tells nothing more
    assert "tuple of 2 items" in form_problem("0.5, 0.7", pair)
    assert form_problem(..., pair).startswith("Replace ...")
    assert form_problem(lambda x: x, master.form_of(print)) is None
    assert "your function itself" in form_problem(3, master.form_of(print))
    gates = master.form_of({"i": 1, "f": 0, "o": 0})
    assert form_problem({"i": 0.3, "f": 0.2, "o": 0.9}, gates) is None  # (the form never says "whole" or "0/1")
    assert "keys" in form_problem({"i": 1}, gates)
    assert master.form_of(12_384) == {"kind": "number"}


# ------------------------------------------------------------------ say what happened
def _lost_sentence(report, question):
    """What otter's report of a lost question says first, after its heading: "<case> message: ...", the
    message's wrapped lines joined."""
    lines = [line.strip() for line in report.splitlines()]
    assert lines[0] == f"{question} results:", lines[:2]
    assert lines[1].startswith(f"{question} - 1 message: "), lines[:3]  # the message before otter's traceback
    message = []
    for line in lines[1:]:
        if not line:
            break
        message.append(line)
    return " ".join(message)


@pytest.mark.slow
def test_the_report_says_what_happened_first(build, tmp_path):
    """The GRU trial of issue 23 under a course's seed: a raised cell, a blank, a step function without
    return and a rounding slip each get their own sentence, first in otter's report. (The checkers' other
    sentences, a swapped pair and an array for a tuple, are tested in tests/exercises/test_gru.py.)"""
    seed = 11
    out = build("gru", seed)
    chapter = CHAPTERS["gru"]
    one_step = next(e for e in chapter.exercises if e.label == "gru-ex-one-step")
    step_index = next(i for i, e in enumerate(chapter.exercises, start=1) if e.label == "gru-ex-step")
    n, h = reference(chapter, one_step, seed)
    answers = {
        **reference_answers(out),
        "answer_1": f"answer_1 = (n_t_never_computed, {h!r})",  # raises NameError
        "answer_2": None,  # left blank
        f"answer_{step_index}": "def gru_step(x, h_prev, weight_ih, weight_hh, bias_ih, bias_hh):\n"
                                "    h = np.zeros_like(h_prev)\n"
                                f"answer_{step_index} = gru_step",  # no return statement
    }
    crashed = submission(out, tmp_path / "crashed.ipynb", answers)
    expected = {master.question_name(i): 1 for i in range(1, len(chapter.exercises) + 1)}
    assert grade(out, crashed) == {**expected, "q1": 0, "q2": 0, f"q{step_index}": 0}
    report = reports(crashed)
    first = _lost_sentence(report["q1"], "q1")
    assert "Your answer cell raised NameError" in first and "n_t_never_computed" in first, first
    assert "Replace ... with your answer" not in report["q1"]
    assert "Replace ... with your answer" in _lost_sentence(report["q2"], "q2")
    sentence = _lost_sentence(report[f"q{step_index}"], f"q{step_index}")
    assert "got None" in sentence and "return statement" in sentence, sentence

    two_decimals = f"answer_1 = ({round(n, 2)!r}, {round(h, 2)!r})"
    rounded = submission(out, tmp_path / "rounded.ipynb", {"answer_1": two_decimals})
    assert grade(out, rounded)["q1"] == 0
    assert "Close: your numbers agree to fewer decimals" in _lost_sentence(reports(rounded)["q1"], "q1")


# ------------------------------------------------------------------ grading as Gradescope does
@pytest.fixture(scope="session")
def grading_python(build):
    """The interpreter of the environment made from the LSTM autograder zip's environment.yml."""
    folder = grading.environment(assignments.autograder_zip(build("lstm")))
    return folder / "bin" / "python"


@pytest.mark.slow
def test_the_grading_environment_is_the_zips(build, grading_python):
    version, requirements = grading.zip_environment(assignments.autograder_zip(build("lstm")))
    assert version == master.GRADING_PYTHON and any(r.startswith("otter-grader") for r in requirements)
    probe = grading_python.parent.parent / "probe.py"
    probe.write_text("import importlib.util, sys\n"
                     "print('%d.%d' % sys.version_info[:2], [m for m in ('torch', 'keras', 'matplotlib', 'cells', "
                     "'exercises') if importlib.util.find_spec(m)])\n")
    shown = subprocess.run([str(grading_python), str(probe)], capture_output=True, text=True, check=True,
                           env=grading._clean_environment(grading_python.parent.parent), cwd="/").stdout.split(" ", 1)
    assert shown[0] == version and shown[1].strip() == "[]"  # none of the project's packages, no torch


@pytest.mark.slow
def test_grading_in_the_zips_environment(build, grading_python, tmp_path):
    """Reference, blank, crashing and torch-importing LSTM submissions, graded as Gradescope would."""
    out = build("lstm")
    chapter = CHAPTERS["lstm"]
    everything = {master.question_name(i): 1 for i in range(1, len(chapter.exercises) + 1)}
    torch_index = next(i for i, e in enumerate(chapter.exercises, start=1) if e.label == "lstm-ex-count-torch")
    torch_question = master.question_name(torch_index)

    reference_notebook = submission(out, tmp_path / "reference.ipynb", reference_answers(out))
    assert grade(out, reference_notebook, python=grading_python) == everything
    blank = submission(out, tmp_path / "blank.ipynb", {})
    assert grade(out, blank, python=grading_python) == dict.fromkeys(everything, 0)
    crashing = submission(out, tmp_path / "crashing.ipynb", {**reference_answers(out),
                                                             "answer_1": "answer_1 = 1 / 0"})
    assert grade(out, crashing, python=grading_python) == {**everything, "q1": 0}
    assert "raised ZeroDivisionError" in _lost_sentence(reports(crashing)["q1"], "q1")

    with_torch = submission(out, tmp_path / "torch.ipynb", {
        **reference_answers(out),
        f"answer_{torch_index}": "import torch\n"
                                 f"answer_{torch_index} = sum(p.numel() for p in torch.nn.LSTM(40, 256).parameters())"})
    assert grade(out, with_torch) == everything  # in the project's .venv, torch is there: the point is given
    assert grade(out, with_torch, python=grading_python) == {**everything, torch_question: 0}  # not on Gradescope
    sentence = _lost_sentence(reports(with_torch)[torch_question], torch_question)
    assert "ModuleNotFoundError" in sentence and "torch" in sentence, sentence


def test_the_student_notebook_says_which_packages_answer_cells_may_use():
    sentence = master.packages_sentence()
    assert "Python 3.13" in sentence and "`numpy`" in sentence and "`torch`" in sentence
    introduction = master.master_notebook(CHAPTERS["gru"]).cells[1].source
    assert sentence in introduction


def test_an_exercise_that_invites_pytorch_warns_that_the_autograder_has_none():
    chapter = CHAPTERS["lstm"]
    index, exercise = next((i, e) for i, e in enumerate(chapter.exercises, start=1) if e.label == "lstm-ex-count-torch")
    assert "confirm with PyTorch" in exercise.text
    assert "cannot import PyTorch" in master.exercise_text(chapter, exercise, index, 0, "practice")


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_assignment_texts_have_no_myst_role_and_no_widget(name):
    chapter = CHAPTERS[name]
    for index, exercise in enumerate(chapter.exercises, start=1):
        for mode in master.MODES:
            text = master.exercise_text(chapter, exercise, index, 0, mode)
            assert not re.search(r"\{[\w:-]+\}`", text), (exercise.label, text)
            assert "widget" not in text.lower(), (exercise.label, text)
            if mode == "exam":
                assert "check_" not in text, (exercise.label, text)


def test_make_grade_summary_has_no_nan_row_and_says_why_first():
    results = {"tests": [
        {"name": "Public Tests", "visibility": "visible", "output": "q1 results: All test cases passed!"},
        {"name": "q1", "score": 1.0, "max_score": 1.0, "output": "q1 results: All test cases passed!"},
        {"name": "q2", "score": 0.0, "max_score": 1.0, "output":
            "q2 results:\n    q2 - 1 message: Your answer cell raised NameError: name 'x' is not\n    defined. So "
            "answer_2 was never set.\n\n    q2 - 1 result:\n        ❌ Test case failed\n        Error at line 5"},
    ]}
    lines = grading.summary(results)
    assert lines == ["q1: 1/1", "q2: 0/1  Your answer cell raised NameError: name 'x' is not defined. So answer_2 "
                                "was never set.", "Total: 1/2"]
    assert not any("NaN" in line or "Public Tests" in line for line in lines)


def test_the_zips_environment_is_read_from_its_environment_yml(tmp_path):
    path = tmp_path / "x-autograder_1.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("environment.yml", "name: otter-env\nchannels:\n  - conda-forge\ndependencies:\n"
                                            "  - python=3.13\n  - pip\n  - jupyter_server\n  - pip:\n"
                                            "      - otter-grader[grading,plugins]==7.0.0\n      - numpy>=1.24\n")
    assert grading.zip_environment(path) == ("3.13", ["jupyter_server", "otter-grader[grading,plugins]==7.0.0",
                                                      "numpy>=1.24"])
    with pytest.raises(grading.GradingError, match="no Python 3.99 was found"):
        grading.find_python("3.99")


@pytest.mark.parametrize("name", sorted(CHAPTERS))
def test_no_reference_solution_needs_a_package_the_autograder_lacks(name):
    """Gradescope's environment has numpy and tqdm, not torch or keras: a reference solution importing
    them would score nothing there (course/answers.py restates those with arithmetic or cells)."""
    from course import variants

    chapter = CHAPTERS[name]
    for exercise in chapter.exercises:
        setup, answer = variants.solution(name, exercise, 0)
        code = f"{setup}\n{answer}"
        imports = master._needed_imports(chapter, code)
        assert not [line for line in imports if re.search(r"\b(torch|keras|tensorflow|matplotlib)\b", line)], (
            exercise.label, imports)
        assert not re.search(r"\b(torch|keras)\.", code), (exercise.label, code)
