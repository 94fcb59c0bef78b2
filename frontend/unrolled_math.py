"""Math typeset at build time with KaTeX, so no page ships a TeX engine to the reader.

Sphinx's MathJax output is TeX source (``\\(x_t\\)``) that a megabyte of JavaScript typesets in the
reader's browser. Here every ``math`` and ``math_block`` node becomes KaTeX's HTML (what the reader
sees) plus MathML (what a screen reader reads) while the page is written. The page then needs only
``katex.min.css`` and the KaTeX fonts it uses (``frontend/vendor.py`` copies them from the pinned
npm package), and only pages that hold math link them.

One Node process (``frontend/katex_server.js``) serves the whole build, one JSON line per formula;
equal formulas are typeset once. A formula KaTeX cannot parse is a build warning (the book builds
with ``--warningiserror``), so nothing is left as raw TeX on a page.

Display maths follows Sphinx's MathJax writer: blank-line separated parts are aligned, a part with
``\\\\`` is a ``split``; numbered environments (``align``...) are typeset unnumbered, as MathJax
did with Sphinx's defaults.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

FRONTEND = Path(__file__).resolve().parent
SERVER = FRONTEND / "katex_server.js"
# frontend/node_modules, or, for a copy of the book's sources (course/student_site.py copies frontend/
# without node_modules into _build/student/source), the repository's own above it.
_CANDIDATES = [FRONTEND, *(parent / "frontend" for parent in FRONTEND.parents)]
NODE_MODULES = next((folder / "node_modules" for folder in _CANDIDATES
                     if (folder / "node_modules" / "katex").is_dir()), FRONTEND / "node_modules")
CSS = "katex/katex.min.css"
NUMBERED = re.compile(r"\\(begin|end)\{(align|alignat|equation|gather|multline)\}")

logger = logging.getLogger(__name__)


class KatexError(ValueError):
    pass


class Katex:
    """A long-lived ``node katex_server.js``: ``render(tex, display)`` returns KaTeX's HTML."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._cache: dict[tuple[str, bool], str] = {}
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("unrolled_math: expected Node.js (`node`) on PATH to typeset the book's math")
        if not (NODE_MODULES / "katex").is_dir():
            raise RuntimeError(f"unrolled_math: expected KaTeX in {NODE_MODULES}; "
                               "run `npm ci --prefix frontend`")
        return subprocess.Popen(
            [node, str(SERVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            env={"NODE_PATH": str(NODE_MODULES), "PATH": str(Path(node).parent)}, bufsize=1,
        )

    def render(self, tex: str, display: bool) -> str:
        key = (tex, display)
        with self._lock:
            if key not in self._cache:
                if self._process is None or self._process.poll() is not None:
                    self._process = self._start()
                self._process.stdin.write(json.dumps({"tex": tex, "display": display}) + "\n")
                self._process.stdin.flush()
                answer = json.loads(self._process.stdout.readline())
                if "error" in answer:
                    raise KatexError(answer["error"])
                self._cache[key] = answer["html"]
            return self._cache[key]

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=10)
        self._process = None


KATEX = Katex()


def display_tex(node: nodes.Element) -> str:
    """The TeX of a display-math node, wrapped as Sphinx's MathJax writer wraps it."""
    if node.get("nowrap"):
        return NUMBERED.sub(lambda m: f"\\{m.group(1)}{{{m.group(2)}*}}", node.astext())
    parts = [part for part in node.astext().split("\n\n") if part.strip()]
    parts = [f"\\begin{{split}}{part}\\end{{split}}" if "\\\\" in part else part for part in parts]
    if len(parts) > 1:
        return "\\begin{aligned}" + "\\\\".join(parts) + "\\end{aligned}"
    return parts[0] if parts else ""


def typeset(translator, node: nodes.Element, tex: str, display: bool) -> str:
    try:
        return KATEX.render(tex, display)
    except KatexError as error:
        logger.warning("KaTeX cannot typeset %r: %s", tex[:80], error, location=node)
        return f'<code class="math-error">{html.escape(tex)}</code>'


def visit_math(translator, node: nodes.Element) -> None:
    translator.body.append(translator.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    translator.body.append(typeset(translator, node, node.astext(), display=False))
    translator.body.append("</span>")
    raise nodes.SkipNode


def visit_displaymath(translator, node: nodes.Element) -> None:
    # tabindex: a display wider than a phone's column scrolls, and a keyboard must reach it to scroll it.
    opening = translator.starttag(node, "div", CLASS="math notranslate nohighlight", tabindex="0")
    translator.body.append(opening)
    if node.get("number"):
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, _("Link to this equation"))
        translator.body.append("</span>")
    translator.body.append(typeset(translator, node, display_tex(node), display=True))
    translator.body.append("</div>\n")
    raise nodes.SkipNode


# The two fonts nearly every formula uses. Preloaded, they arrive with the style sheet; found only through it,
# they came after the first layout, and the text around the first inline formula moved when they did (the last
# chapter's first screen on a phone shifted 26 px, a cumulative layout shift of 0.036).
PRELOADED_FONTS = ["KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"]


def link_css(app, pagename, templatename, context, doctree) -> None:
    """KaTeX's style sheet and its main fonts only on pages that hold math (Sphinx resets page assets after
    each page)."""
    if getattr(app.builder, "math_renderer_name", None) != "katex":
        return
    domain = app.env.get_domain("math")
    if app.registry.html_assets_policy == "always" or domain.has_equations(pagename):
        app.add_css_file(CSS)
        fonts = (context["pathto"](f"_static/katex/fonts/{font}", 1) for font in PRELOADED_FONTS)
        context["metatags"] = context.get("metatags", "") + "".join(
            f'\n<link rel="preload" href="{href}" as="font" type="font/woff2" crossorigin />' for href in fonts)


def stop_node(app, exception) -> None:
    KATEX.close()


def setup(app) -> dict[str, Any]:
    app.add_html_math_renderer("katex", (visit_math, None), (visit_displaymath, None))
    app.connect("html-page-context", link_css)
    app.connect("build-finished", stop_node)
    # Not parallel-safe for writing: one Node process per build.
    return {"parallel_read_safe": True, "parallel_write_safe": False}
