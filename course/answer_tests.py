"""What the tests of an Unrolled assignment use to read an answer and say what happened.

``make assignments`` copies this file, as ``answer_tests.py``, next to the student notebook and into the
autograder, whose tests import it; it needs Python and numpy only. Each test of a question calls

- :func:`run_check` (practice mode, and the hidden tests of both modes): the chapter's checker on the
  answer, its feedback as the test's message;
- :func:`run_form_check` (the public tests of exam mode): only the form of the answer (a number, a pair,
  an array of some shape, a function), so that nothing on the student's machine knows the reference.

Both say what happened before anything else: an answer cell that raised is not "left blank" (otter hands
a test None for a name the notebook never set, so the tests read the notebook's namespace instead), and
the sentence that helps comes first in otter's report, before its "Error at line ..." lines.
"""

import contextlib
import io
import numbers
import re

import numpy as np

__all__ = ["TestFailed", "answer", "run_check", "run_form_check", "form_problem"]


class TestFailed(AssertionError):
    """A test's verdict; its message is the sentence to show."""


def _say_first(message):
    """Put ``message`` at the top of otter's report for the running test case (its failure message).

    otter 7 prints a failed case as "<case> message: <failure message>", then "Error at line ... in test
    qN:" and the line that raised; the failure message is fixed when the test file is read, so it is set
    here on otter's own record of the case (found up the call stack). Returns whether that worked; if a
    later otter keeps its records elsewhere, the message still ends the report."""
    import sys

    frame = sys._getframe(1)
    while frame is not None:
        case = frame.f_locals.get("tc")
        if case is not None and hasattr(case, "failure_message") and hasattr(case, "body"):
            try:
                case.failure_message = message
            except Exception:  # a frozen record: leave otter as it is
                return False
            return True
        frame = frame.f_back
    return False


def fail(message):
    """End the test with ``message`` first in otter's report."""
    if _say_first(message):
        raise TestFailed("(see the message above)")
    raise TestFailed(message)


def _assigning_cells(env, name):
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*(?::[^=]*)?=(?!=)", re.MULTILINE)
    return [source for source in env.get("In", []) or [] if isinstance(source, str) and pattern.search(source)]


def _why_missing(env, name):
    """A sentence saying why ``name`` is not set in the notebook: its cell raised (which error), or no cell
    that ran sets it."""
    cells = _assigning_cells(env, name)
    if not cells:
        return (f"{name} is not set: no cell that ran sets it (was its cell deleted, or renamed?). "
                f"Put {name} = ... back in the answer cell and run it.")
    namespace = dict(env)  # run the cell once more, in a copy, to name its error
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(cells[-1], "<your answer cell>", "exec"), namespace)
    except Exception as error:
        text = " ".join(str(error).split())
        text = text if len(text) <= 200 else text[:197] + "..."
        return (f"Your answer cell raised {type(error).__name__}: {text}. So {name} was never set. "
                "Fix the error (the traceback under the cell says where) and run the cell again.")
    return (f"Your answer cell stopped with an error before it set {name}, so {name} was never set. "
            "Run the cell and fix the error it shows.")


def answer(env, name):
    """The value of ``name`` in the notebook's namespace ``env``; the test fails, saying why, if it is not
    set."""
    if name in env:
        return env[name]
    fail(_why_missing(env, name))


def run_check(env, name, check, seed=None):
    """Pass the answer ``name`` to the chapter's checker ``check`` (under the course's ``seed`` when given,
    as the hidden tests do); fail with the checker's feedback if it does not accept it."""
    value = answer(env, name)
    feedback = io.StringIO()
    with contextlib.ExitStack() as stack:
        if seed is not None:
            from exercises.variants import using_seed

            stack.enter_context(using_seed(seed))
        stack.enter_context(contextlib.redirect_stdout(feedback))
        accepted = check(value)
    if not accepted:
        fail(feedback.getvalue().strip() or f"The checker did not accept {name}.")


# ---------------------------------------------------------------- the form of an answer (exam mode)
def _is_number(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.size == 1 and value.dtype.kind in "fiu" and np.isfinite(value).all()
    return isinstance(value, numbers.Real) and np.isfinite(float(value))


def _describe(value):
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if callable(value):
        return "a function"
    text = repr(value)
    return f"the {type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def form_problem(value, form, what="your answer"):
    """None when ``value`` has the ``form`` (a dict made by the course kit from the reference answer's type,
    never its values); otherwise a sentence saying what was expected and what was given."""
    kind = form["kind"]
    if value is Ellipsis:
        return "Replace ... with your answer, then run the cell again."
    if kind == "number":
        if _is_number(value):
            return None
        return f"Expected {what} to be one finite number; got {_describe(value)}."
    if kind == "whole":
        if _is_number(value) and float(np.asarray(value).item()).is_integer():
            return None
        return f"Expected {what} to be a whole number; got {_describe(value)}."
    if kind == "bool":
        if isinstance(value, (bool, np.bool_)):
            return None
        return f"Expected {what} to be True or False; got {_describe(value)}."
    if kind == "string":
        return None if isinstance(value, str) else f"Expected {what} to be a string; got {_describe(value)}."
    if kind == "function":
        if callable(value) and not isinstance(value, type):
            return None
        return f"Expected {what} to be your function itself (its name, without brackets); got {_describe(value)}."
    if kind == "array":
        try:
            array = np.asarray(value, dtype=float)
        except Exception:
            return f"Expected {what} to be an array of numbers; got {_describe(value)}."
        if array.size != form["size"]:
            return f"Expected {what} to be an array of {form['size']} numbers; got {array.size} (shape {array.shape})."
        if not np.isfinite(array).all():
            return f"Expected {what} to hold finite numbers only."
        return None
    if kind == "tuple":
        items = form["items"]
        if isinstance(value, np.ndarray) and value.ndim == 1:
            value = tuple(value)
        if not isinstance(value, (tuple, list)) or len(value) != len(items):
            return f"Expected {what} to be a tuple of {len(items)} items; got {_describe(value)}."
        for index, (item, item_form) in enumerate(zip(value, items), start=1):
            problem = form_problem(item, item_form, f"item {index} of {what}")
            if problem:
                return problem
        return None
    if kind == "dict":
        keys = form["keys"]
        if not isinstance(value, dict) or set(value) != set(keys):
            return f"Expected {what} to be a dict with the keys {sorted(keys)}; got {_describe(value)}."
        for key, key_form in keys.items():
            problem = form_problem(value[key], key_form, f"{what}[{key!r}]")
            if problem:
                return problem
        return None
    return None  # a form this file does not know: the hidden test will tell


def run_form_check(env, name, form):
    """Fail, saying what is expected, unless the answer ``name`` has the form ``form``. Passing says
    nothing about whether the answer is right: the hidden tests grade it after you hand in."""
    problem = form_problem(answer(env, name), form, name)
    if problem:
        fail(problem)
