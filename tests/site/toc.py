"""The pages of the book, read from _toc.yml, as the browser tests see them."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _entries(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []):
                yield from _entries(child)


def toc_files() -> list[str]:
    """Source paths (without suffix) of every page in reading order, root first."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    return [toc["root"], *_entries(toc)]


def source_of(page: str) -> Path:
    """The file a page is built from: its .ipynb or .md."""
    for suffix in (".ipynb", ".md"):
        path = REPO / f"{page}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"no .ipynb or .md source for toc entry {page!r}")


def notebook_pages() -> list[str]:
    return [page for page in toc_files() if source_of(page).suffix == ".ipynb"]
