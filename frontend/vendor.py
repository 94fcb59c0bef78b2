"""Copy the front-end files the site serves itself into frontend/vendor/ (Sphinx then copies them to _static/).

Source: the npm packages pinned in frontend/package.json and frontend/package-lock.json (installed into
frontend/node_modules by `npm ci --prefix frontend`). The widgets need nothing from here: on the static site
frontend/widget-loader.js (served in _static/unrolled-widget.js) runs each widget's own front end.
Run it again after changing frontend/package.json; `make book` does so when needed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent
NODE_MODULES = SITE / "node_modules"
VENDOR = SITE / "vendor"

# KaTeX's style sheet and its fonts as woff2 (every browser that runs the book reads woff2, so the woff and
# ttf copies its style sheet also names are never fetched). The math itself is typeset at build time.
KATEX = NODE_MODULES / "katex" / "dist"


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

    copy(KATEX / "katex.min.css", VENDOR / "katex" / "katex.min.css")
    for font in sorted((KATEX / "fonts").glob("*.woff2")):
        copy(font, VENDOR / "katex" / "fonts" / font.name)

    files = [p for p in VENDOR.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    print(f"vendor.py: {len(files)} files, {size / 1e6:.1f} MB in {VENDOR.relative_to(SITE.parent)}")


if __name__ == "__main__":
    main()
