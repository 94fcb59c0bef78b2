import builtins

import numpy as np
import pytest

from widgets.glue import glue


def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch):
    stored = {}
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: stored.update({name: value}))
    glue("loss", np.float64(0.25))
    glue("steps", np.int64(3))
    glue("norm", np.array(2.5))
    assert stored == {"loss": 0.25, "steps": 3, "norm": 2.5}
    assert [type(v) for v in stored.values()] == [float, int, float]


def test_without_myst_nb_glue_is_silent_unless_asked_to_display(monkeypatch, capsys):
    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name.startswith("myst_nb"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    glue("quiet", 1.0)
    assert capsys.readouterr().out == ""
    glue("shown", np.float64(1.5), display=True)
    assert capsys.readouterr().out.strip() == "1.5"


def test_glue_names_must_be_strings():
    with pytest.raises(ValueError, match="non-empty string name"):
        glue("", 1.0)
