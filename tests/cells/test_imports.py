"""What `import cells` costs: numpy and nothing else (the README says so, and the layering rule needs it).

torch is imported only by the bridge functions when they are called, tqdm only by `train`.
"""

import subprocess
import sys

OPTIONAL = ("torch", "tqdm", "matplotlib", "ipywidgets", "anywidget", "keras", "tensorflow",
            "widgets", "exercises")


def imported_after(code):
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {OPTIONAL!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_importing_cells_loads_numpy_only():
    assert imported_after("import cells") == []


def test_train_imports_tqdm_when_it_runs():
    code = ("import numpy as np, cells\n"
            "model = cells.SequenceModel(cells.RNN(1, 2, rng=0), 1, rng=0)\n"
            "x, y = np.zeros((3, 2, 1)), np.zeros((2, 1))\n"
            "cells.train(model, (x, y), steps=1, progress=False)")
    assert imported_after(code) == ["tqdm"]


def test_no_import_cycle_inside_cells():
    """Modules of cells import one another in one direction only (at any depth, also inside functions)."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "cells"
    graph = {}
    for path in package.glob("*.py"):
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    edges.add(node.module.split(".")[0])
                else:
                    edges.update(alias.name for alias in node.names)
        graph[path.stem] = edges - {path.stem}
    graph.pop("__init__")  # the package's index imports everything; nothing imports it back

    def visit(module, trail):
        assert module not in trail, "import cycle: " + " -> ".join(trail + [module])
        for other in graph.get(module, ()):
            visit(other, trail + [module])

    for module in graph:
        visit(module, [])


def test_no_module_reaches_into_another_objects_private_methods():
    """An object's _private methods are called by that object only (self._x), never from outside."""
    import ast
    from pathlib import Path

    offenders = []
    for path in (Path(__file__).resolve().parents[2] / "cells").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name, owner = node.func.attr, node.func.value
            if not name.startswith("_") or name.startswith("__"):
                continue
            own = (isinstance(owner, ast.Name) and owner.id in ("self", "cls")) or (
                isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super")
            if not own:
                offenders.append(f"{path.name}:{node.lineno} calls {ast.unparse(node.func)}")
    assert offenders == []
