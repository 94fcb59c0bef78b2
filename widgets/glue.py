"""Put a number the notebook computed into the book's prose.

``glue(name, value)`` records the value in the cell's output, and ``{glue:text}`name:.3g``` in a
Markdown cell shows it when the book is built, so the text can never disagree with the code.

The output is myst-nb's glue format, written here directly: a display of the value's representations
whose metadata names it (``{"scrapbook": {"name": ..., "mime_prefix": ...}}``), with every mime type
prefixed by ``application/papermill.record/`` unless it should also be shown. Writing it ourselves
works the same in Colab or Binder, where myst-nb is not installed, and spares every chapter the
seconds that importing myst-nb's glue machinery costs in the kernel.

Numbers are stored as plain Python numbers: under numpy 2 the repr of a numpy scalar is
``np.float64(0.25)``, which myst-nb cannot format.
"""

from __future__ import annotations

from typing import Any

import numpy as np

HIDDEN_PREFIX = "application/papermill.record/"


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`` and friends; show it too if ``display``."""
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    if not isinstance(name, str) or not name:
        raise ValueError(f"glue expects a non-empty string name, got {name!r}")
    representations, metadata = format_display_data(_plain(value))
    prefix = "" if display else HIDDEN_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    show({prefix + mime: data for mime, data in representations.items()}, raw=True, metadata=metadata)
