"""The book's widgets on the static site: one shared script for their front end, each page's saved state
in a file of its own, both loaded `async`, so that widgets are drawn while the page is still parsed.

A saved anywidget state holds its front end: `_esm` (widgets/widget.js, about 21 KB) and `_css`
(widgets/widget.css, 5 KB), the same text for every widget of the book, so a page with five widgets
carried it five times. As each page is written, a model whose `_esm` and `_css` are exactly the
book's current files is saved without them and names the site's copy instead
(`_unrolled_front_end`: a hash of the two files). The copy, `_static/unrolled-widget.js`, is the
module wrapped as a classic script that sets `window.unrolledWidget = {version, css, render}`,
followed by the book's loader (frontend/widget-loader.js), which draws the widgets. A classic script
needs no module fetch, which a page opened from file:// could not do. A state saved with other
front-end text (a notebook executed before widget.js changed, or another anywidget) keeps its own,
and still works.

The page's saved state (myst-nb writes it inline into the head: 0.2 to 0.8 MB on the chapters with
widgets, parsed before any of the page's text) moves to `_static/widget-states/<page>.js`, a classic
script that pushes it onto `window.unrolledWidgetStates`: the HTML shrinks by that much, and the
loader reads the state whenever the script arrives, before or after the loader itself.

Jupyter, Colab and Binder are untouched: there the widget is a live anywidget with its `_esm`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"
STATE_TYPE = "application/vnd.jupyter.widget-state+json"
MARKER = "_unrolled_front_end"
SCRIPT = "unrolled-widget.js"
LOADER = Path(__file__).resolve().parent / "widget-loader.js"
STATES = "_static/widget-states"


def front_end() -> tuple[str, str, str]:
    """(widget.js text, widget.css text, a hash of the two: the version named in the states)."""
    esm = (WIDGETS / "widget.js").read_text(encoding="utf-8")
    css = (WIDGETS / "widget.css").read_text(encoding="utf-8")
    return esm, css, hashlib.sha1((esm + "\0" + css).encode()).hexdigest()[:10]


EXPORT = "export default { render };"


def classic_script(esm: str, css: str, version: str) -> str:
    """widget.js as a classic script: it has no imports and exports only `render`, as its last line."""
    body = esm.rstrip()
    if not body.endswith(EXPORT) or body.count("export ") != 1 or "\nimport " in body:
        raise ValueError(f"widgets/widget.js must end with {EXPORT!r} and have no other import or export")
    body = body[: -len(EXPORT)]
    head = f"// widgets/widget.js and .css as a classic script, {version} (frontend/unrolled_widgets.py)\n"
    tail = f"return {{ version: {json.dumps(version)}, css: {json.dumps(css)}, render: render }};\n"
    return f"{head}window.unrolledWidget = (function () {{\n\"use strict\";\n{body}\n{tail}}})();\n"


def site_script(esm: str, css: str, version: str) -> str:
    """_static/unrolled-widget.js: the front end as a classic script, then the loader that draws with it."""
    return classic_script(esm, css, version) + LOADER.read_text(encoding="utf-8")


def states_script(state: dict, pagename: str) -> str:
    """A page's saved widget state as a classic script (JSON.parse of a string: faster than a literal)."""
    text = json.dumps(json.dumps(state, separators=(",", ":")))
    return (f"// The saved widget state of {pagename} (frontend/unrolled_widgets.py)\n"
            f"(window.unrolledWidgetStates = window.unrolledWidgetStates || []).push(JSON.parse({text}));\n")


def states_path(pagename: str) -> str:
    """Where a page's state script goes, relative to the site's root."""
    return f"{STATES}/{pagename}.js"


def shared_front_end(state: dict, esm: str, css: str, name: str) -> int:
    """Drop the book's front end from every model of a saved widget state that carries it (and the kernel's
    `live` answers, which a page without a kernel computes itself); return how many."""
    count = 0
    for model in state.get("state", {}).values():
        saved = model.get("state", {})
        if model.get("model_name") == "AnyModel" and saved.get("_esm") == esm and saved.get("_css") == css:
            del saved["_esm"], saved["_css"]
            saved.pop("live", None)  # the kernel's answers: a page has no kernel, and computes its own
            saved[MARKER] = name
            count += 1
    return count


def slim_widget_state(app, pagename, templatename, context, doctree) -> None:
    """Take the page's saved widget state out of the page, slimmed, into a script of its own."""
    scripts = context.get("script_files") or []
    esm, css, name = front_end()
    for k, script in enumerate(scripts):
        attributes = getattr(script, "attributes", {})
        if attributes.get("type") != STATE_TYPE or "body" not in attributes:
            continue
        state = json.loads(attributes["body"].replace("<\\/script>", "</script>"))
        shared_front_end(state, esm, css, name)
        path = Path(app.outdir) / states_path(pagename)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(states_script(state, pagename), encoding="utf-8")
        # Sphinx's script objects are immutable: put a new one in this page's list (its URL gets the
        # file's checksum, as the theme's own scripts do). Async scripts are fetched last by default,
        # after every style sheet and script of the head: high priority lets the first widget come sooner.
        attributes = {"async": "async", "fetchpriority": "high"}
        scripts[k] = type(script)(states_path(pagename), priority=script.priority, **attributes)


def write_front_end(app) -> None:
    """Write _static/unrolled-widget.js before the pages, so that Sphinx versions its URL like the others."""
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    (static / SCRIPT).write_text(site_script(*front_end()), encoding="utf-8")


def setup(app) -> dict[str, Any]:
    # after myst-nb has put the page's widget state among its scripts (its handler runs at 500)
    app.connect("html-page-context", slim_widget_state, priority=950)
    app.connect("builder-inited", write_front_end)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
