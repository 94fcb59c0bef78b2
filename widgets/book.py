"""Helpers for chapters that run both in the book build and in Colab."""


def glue(name, value, display=False):
    """myst_nb.glue when myst-nb is installed (the book build); otherwise show `value` only if
    display=True. Returns `value`, so a chapter can write x = glue("x", compute())."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show
            show(value)
        return value
    myst_glue(name, value, display=display)
    return value
