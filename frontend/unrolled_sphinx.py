"""The book's own Sphinx extension: small fixes to what Jupyter Book 1 puts on every page.

Inline scripts registered twice. Sphinx 7.4 keeps an inline script (``app.add_js_file(None, body=...)``)
that an extension adds after the builder exists twice: once as given (file name ``None``) and once
more from the registry when writing starts (file name ``""``); its duplicate check sees two different
files. sphinx-thebe (``const THEBE_JS_URL = ...``) and sphinx-togglebutton both do this, and a
``const`` declared twice is a console error on every page. We drop the second copy of each inline
script as each page is written.
"""

from __future__ import annotations

from typing import Any


def _script_key(script: Any) -> tuple:
    attributes = getattr(script, "attributes", {})
    return (script.filename or "", getattr(script, "priority", 500), tuple(sorted(attributes.items())))


def drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
