"""Put a number the notebook computed into the book's prose.

During the book build, ``glue(name, value)`` stores the value with myst-nb, and ``{glue:text}`name:.3g```
in a Markdown cell shows it, so the text can never disagree with the code. Outside the build (Colab,
Binder, a local Jupyter without myst-nb) it does nothing unless ``display=True``, when it shows the value.

Numbers are stored as plain Python numbers: under numpy 2 the repr of a numpy scalar is
``np.float64(0.25)``, which myst-nb cannot format.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for ``{glue:text}`` and friends; show it too if ``display``."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue expects a non-empty string name, got {name!r}")
    value = _plain(value)
    try:
        from myst_nb import glue as myst_nb_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_nb_glue(name, value, display=display)
