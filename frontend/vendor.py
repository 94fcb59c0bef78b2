"""Copy the front-end files the site serves itself into frontend/vendor/ (Sphinx then copies them to _static/).

Sources: the npm packages pinned in frontend/package.json and frontend/package-lock.json (installed into
frontend/node_modules by `npm ci --prefix frontend`), and the anywidget front end shipped inside the installed
anywidget Python package, so the page runs exactly the version the notebooks were executed with.
Run it again after changing frontend/package.json; `make book` does so when needed.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

SITE = Path(__file__).resolve().parent
NODE_MODULES = SITE / "node_modules"
VENDOR = SITE / "vendor"

FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".eot", ".svg"}
# Only what tex-mml-chtml.js loads (fonts, on-demand TeX extensions, the menu and its accessibility parts).
MATHJAX_PARTS = ["tex-mml-chtml.js", "input/tex/extensions", "output/chtml/fonts/woff-v2", "ui", "a11y", "sre"]


def copy(source: Path, destination: Path) -> None:
    if not source.exists():
        sys.exit(f"vendor.py: expected {source} to exist; run `npm ci --prefix frontend` first")
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination)
    else:
        shutil.copy2(source, destination)


def main() -> None:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)

    copy(NODE_MODULES / "requirejs" / "require.js", VENDOR / "requirejs" / "require.js")

    manager = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    copy(manager / "embed-amd.js", VENDOR / "html-manager" / "embed-amd.js")
    for font in manager.iterdir():
        if font.suffix in FONT_SUFFIXES:
            copy(font, VENDOR / "html-manager" / font.name)

    anywidget_amd = resources.files("anywidget") / "nbextension" / "index.js"
    copy(Path(str(anywidget_amd)), VENDOR / "anywidget" / "index.js")

    for part in MATHJAX_PARTS:
        copy(NODE_MODULES / "mathjax" / "es5" / part, VENDOR / "mathjax" / part)

    files = [p for p in VENDOR.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"vendor.py: {len(files)} files, {size / 1e6:.1f} MB in {VENDOR.relative_to(SITE.parent)}")


if __name__ == "__main__":
    main()
