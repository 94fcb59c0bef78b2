"""Promises the repository makes to newcomers and to CI, checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COLAB_CELL = (
    'import sys\n\n'
    'if "google.colab" in sys.modules:\n'
    '    %pip install -q "unrolled @ git+https://github.com/unrolled-book/unrolled"'
)


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:bash|sh|shell)\n(.*?)```", section, flags=re.S)
    return [block.strip() for block in blocks]


def test_readme_quick_start_is_two_single_command_blocks():
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in command for command in commands), commands


def test_ci_runs_the_readme_test_command_verbatim_and_strictly():
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    test_command = quick_start_commands()[1]
    assert "set -euo pipefail" in ci
    assert test_command in ci


def notebooks() -> list[Path]:
    return sorted(p for folder in ("chapters", "book") for p in (REPO / folder).glob("*.ipynb"))


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_notebooks_are_stored_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, cell in enumerate(cells)
             if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))]
    assert dirty == [], f"{notebook.name}: cells {dirty} keep outputs; clear them with nbconvert --clear-output"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_notebooks_start_with_the_colab_install_cell(notebook):
    code = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    assert code, f"{notebook.name} has no code cell"
    first = "".join(code[0]["source"]).strip()
    assert first == COLAB_CELL, f"{notebook.name}: the first code cell must be the Colab install cell"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda p: p.name)
def test_notebooks_open_with_their_title(notebook):
    """The title comes first, in Colab and on the web page alike; a code cell above it would be the first
    thing a reader of the page sees."""
    first = json.loads(notebook.read_text())["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and text.startswith("# "), (
        f"{notebook.name}: the first cell must be the markdown title ('# ...'); it is a {first['cell_type']} "
        f"cell starting {text[:40]!r}")


def requirement_lines(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


@pytest.mark.parametrize("path", ["requirements.txt", "requirements-dev.txt", "binder/requirements.txt"])
def test_torch_is_pinned_exactly_wherever_it_is_installed(path):
    torch_lines = [line for line in requirement_lines(REPO / path) if re.match(r"torch\b", line)]
    assert all(line == "torch==2.13.0" for line in torch_lines), torch_lines


def test_nobody_imports_ipywidgets_under_the_name_of_our_package():
    offenders = []
    for path in REPO.rglob("*"):
        if any(part in {".venv", "_build", "node_modules", ".git"} for part in path.parts):
            continue
        if path.suffix in {".py", ".ipynb", ".md"} and path.is_file():
            if re.search(r"import\s+ipywidgets\s+as\s+widgets\b", path.read_text(errors="ignore")):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_no_launch_button_points_at_a_placeholder_address():
    import yaml

    launch = yaml.safe_load((REPO / "_config.yml").read_text())["launch_buttons"]
    for key, address in launch.items():
        if key.endswith("_url") and address:
            assert not re.search(r"example\.(org|com|net)|localhost|your-?hub", str(address)), (key, address)
