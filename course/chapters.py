"""A chapter's exercises, read from the chapter notebook itself (no copies that could drift).

An exercise is a ``{exercise}`` block with a ``:label:``; its checker is the first ``check_...`` named in
its text or in the answer cell that follows it; its checker module is the ``exercises.<module>`` the
chapter imports. Its reference solution is, in order of preference:

1. an entry in :data:`course.answers.ANSWERS` (for solutions written as prose only);
2. the solution's code: the code cells between ``{solution-start} <label>`` and ``{solution-end}``, or
   the ```` ```python ```` blocks of a ``{solution}``. Its last call of the checker,
   ``check_x(expression)``, gives the answer, ``expression``; a solution that only defines one
   function answers with that function.

The solution code of earlier exercises in the same chapter runs before it when it defines a name the
solution uses (solutions reuse names); ``glue(...)`` calls, which only feed the book's prose, are dropped.
"""

import ast
import dataclasses
import importlib
import json
import re
from pathlib import Path

from . import answers

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

_OPENING = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<kind>exercise|solution|solution-start|solution-end)\}"
                      r"[ \t]*(?P<argument>.*)$")
_CHECKER_CALL = re.compile(r"\bcheck_\w+(?=\()")
_MODULE = re.compile(r"\bexercises\.(\w+)\b|\bfrom exercises import (\w+)")
_PYTHON_BLOCK = re.compile(r"^```(?:python|ipython3?)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclasses.dataclass
class Exercise:
    """One exercise of a chapter, as the chapter states it."""

    label: str
    title: str
    text: str  # the exercise's body, MyST markdown
    checker: str  # the name of its check_... function
    answer_template: str  # the chapter's answer cell, or "" (the text says how to call the checker)
    solution_setup: str  # code that runs before the answer expression ("" when there is none)
    solution_answer: str  # a Python expression: the reference answer
    solution_source: str  # "chapter" or "course.answers"


@dataclasses.dataclass
class Chapter:
    name: str  # the notebook's stem, e.g. "lstm"
    title: str
    module: str  # e.g. "exercises.lstm"
    imports: list  # the chapter's top-level import statements (source)
    exercises: list


class ChapterError(ValueError):
    """A chapter whose exercises cannot be turned into an assignment; the message says why."""


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _directive(markdown):
    """(kind, argument, options, body) of the first directive opening in ``markdown``, or None."""
    lines = markdown.splitlines()
    for start, line in enumerate(lines):
        match = _OPENING.match(line.strip())
        if not match:
            continue
        fence, options, body = match["fence"], {}, []
        rest = iter(lines[start + 1:])
        for inner in rest:
            option = re.match(r"^:(\w[\w-]*):\s*(.*)$", inner.strip())
            if option and not body:
                options[option[1]] = option[2]
                continue
            if inner.strip() == fence:
                break
            body.append(inner)
        return match["kind"], match["argument"].strip(), options, "\n".join(body).strip()
    return None


def _checker_call(statement):
    """The answer expression's node when ``statement`` is ``check_x(answer)`` (or ``module.check_x``)."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    function = statement.value.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    if name.startswith("check_") and statement.value.args:
        return statement.value.args[0]
    return None


def _is_glue(statement):
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    function = statement.value.func
    return getattr(function, "id", getattr(function, "attr", "")) == "glue"


def split_solution(code, label):
    """(setup, answer expression, setup for later exercises) from a solution's code."""
    tree = ast.parse(code)
    kept = [statement for statement in tree.body if not _is_glue(statement)]
    calls = [i for i, statement in enumerate(kept) if _checker_call(statement) is not None]
    functions = [statement.name for statement in kept if isinstance(statement, ast.FunctionDef)]
    if not calls and len(functions) == 1:  # the solution only writes the function the exercise asks for
        return code, functions[0], code
    if not calls:
        raise ChapterError(f"The solution of {label} never calls its checker with an answer; add the "
                           "answer to course/answers.py.")
    last = calls[-1]
    segment = ast.get_source_segment
    setup = [segment(code, statement) for i, statement in enumerate(kept[:last]) if i not in calls]
    later = [segment(code, statement) for i, statement in enumerate(kept) if i not in calls]
    return "\n".join(setup), segment(code, _checker_call(kept[last])), "\n".join(later)


def _local_names(function):
    """Names a function binds itself (its arguments and what it assigns): a use of them inside it needs
    nothing from outside."""
    arguments = function.args
    bound = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
    bound |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    return bound | {node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                    and isinstance(node.ctx, ast.Store)}


def _loaded(node, local=frozenset()):
    """Names ``node`` reads from outside: inside a function, a name the function binds is its own."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        inner = local | _local_names(node) if not isinstance(node, ast.Lambda) else local | {
            a.arg for a in node.args.args}
        return set().union(*(_loaded(child, inner) for child in ast.iter_child_nodes(node)))
    found = {node.id} if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in local \
        else set()
    return found.union(*(_loaded(child, local) for child in ast.iter_child_nodes(node)))


def _names(code, context):
    """The names ``code`` binds (``ast.Store``) or reads from outside (``ast.Load``). A function's own local
    names do not count as read: the GRU step's local ``z`` does not need the half-life exercise's ``z``."""
    tree = ast.parse(code)
    if context is ast.Load:
        return _loaded(tree)
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)} | {
        node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _with_earlier(earlier, setup, answer):
    """``setup`` preceded by the earlier solutions' code it needs (names they define and it uses)."""
    needed, used = [], _names(f"{setup}\n{answer}", ast.Load)
    for code in reversed(earlier):
        if code.strip() and _names(code, ast.Store) & used:
            needed.insert(0, code)
            used |= _names(code, ast.Load)
    return "\n".join(part for part in (*needed, setup) if part.strip())


def _imports(code_cells):
    found = []
    for code in code_cells:
        try:
            tree = ast.parse(code)
        except SyntaxError:  # an IPython magic, such as the Colab install cell
            continue
        for statement in tree.body:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                text = ast.get_source_segment(code, statement)
                if "myst_nb" not in text and text not in found:
                    found.append(text)
    return found


def read_chapter(path):
    """The chapter at ``path`` with its exercises; ``exercises`` is empty for a chapter without any."""
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook["cells"]
    title = next((line.lstrip("# ").strip() for cell in cells if cell["cell_type"] == "markdown"
                  for line in _source(cell).splitlines() if line.startswith("# ")), path.stem)
    code_cells = [_source(cell) for cell in cells if cell["cell_type"] == "code"]
    modules = sorted({name for code in code_cells for match in _MODULE.findall(code) for name in match
                      if name and name not in ("feedback", "variants")})

    found, solutions, templates = [], {}, {}
    current_solution, current_exercise = None, None
    for cell in cells:
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            directive = _directive(text)
            if directive is None:
                if current_solution is not None:
                    solutions[current_solution]["prose"].append(text)
                continue
            kind, argument, options, body = directive
            if kind == "exercise":
                if "label" not in options:
                    raise ChapterError(f"{path.name}: an exercise without a :label: ({argument})")
                current_exercise = options["label"]
                found.append((current_exercise, argument, body))
            elif kind == "solution-start":
                current_solution = argument
                solutions[argument] = {"code": [], "prose": [body]}
            elif kind == "solution-end":
                current_solution = None
            elif kind == "solution":
                solutions[argument] = {"code": _PYTHON_BLOCK.findall(body), "prose": [body]}
        elif current_solution is not None:
            solutions[current_solution]["code"].append(text)
        elif current_exercise and _CHECKER_CALL.search(text) and current_exercise not in solutions:
            templates[current_exercise] = text

    if not found:
        return Chapter(path.stem, title, "", [], [])
    if len(modules) != 1:
        raise ChapterError(f"{path.name}: expected one checker module, exercises.<name>; found {modules}")
    module_name = f"exercises.{modules[0]}"
    module = importlib.import_module(module_name)
    public = set(getattr(module, "__all__", []))

    exercises, earlier_setup = [], []
    for label, exercise_title, body in found:
        names = _CHECKER_CALL.findall(body) or _CHECKER_CALL.findall(templates.get(label, ""))
        if not names or names[0] not in public:
            raise ChapterError(f"{path.name}, {label}: no checker of {module_name} named in the exercise "
                               f"or its answer cell (found {names})")
        override = answers.ANSWERS.get(path.stem, {}).get(label)
        if override is not None:
            setup, answer, later = split_solution(override, label)
            source = "course.answers"
        else:
            code = "\n".join(solutions.get(label, {}).get("code", []))
            if not code.strip():
                raise ChapterError(f"{path.name}, {label}: the solution has no code calling the checker; "
                                   "add its answer to course/answers.py")
            setup, answer, later = split_solution(code, label)
            source = "chapter"
        exercises.append(Exercise(
            label=label, title=exercise_title, text=body, checker=names[0],
            answer_template=templates.get(label, ""),
            solution_setup=_with_earlier(earlier_setup, setup, answer),
            solution_answer=answer, solution_source=source))
        earlier_setup.append(later)
    return Chapter(path.stem, title, module_name, _imports(code_cells), exercises)


def chapters_with_exercises(directory=CHAPTERS):
    """Every chapter under ``directory`` that has exercises, in file-name order."""
    read = (read_chapter(path) for path in sorted(Path(directory).glob("*.ipynb")))
    return [chapter for chapter in read if chapter.exercises]
