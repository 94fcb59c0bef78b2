"""The attention-weights widget: what the page draws for (example, step) is what greedy decoding computed."""

import numpy as np
import pytest

import cells
from widgets.attention import attention_map

MAX_STATE = 300_000


@pytest.fixture(scope="module")
def setup():
    model = cells.Seq2Seq(10, 8, attention="dot", rng=0)
    source, target = cells.tasks.digit_reversal(5, 12, rng=1)
    return model, source, target, attention_map(model, source, target)


def test_every_setting_shows_the_weights_greedy_decoding_used(setup):
    model, source, target, widget = setup
    written, weights = model.generate(source, 12)  # computed directly, not through the widget
    for example in (1, 3, 5):
        widget.set(example=example)
        matrix = np.array([widget.field(f"matrix_{t}") for t in range(1, 13)])
        np.testing.assert_allclose(matrix, weights[:, example - 1], atol=1e-6)
        for step in (1, 7, 12):
            widget.set(example=example, step=step)
            row = weights[step - 1, example - 1]
            np.testing.assert_allclose(widget.field("row"), row, atol=1e-6)
            assert widget.field("peak_position") == np.argmax(row) + 1
            assert widget.field("peak") == pytest.approx(row.max(), abs=1e-6)
            assert widget.field("written") == str(written[step - 1, example - 1])
            expected = "right" if written[step - 1, example - 1] == target[step - 1, example - 1] else "wrong"
            assert widget.field("verdict") == expected
            boxes = [item for item in widget.field("strip")["items"] if item[0] == "rect"]
            digits, output = boxes[:-1], boxes[-1]
            assert [d[6] for d in digits] == [str(t) for t in source[:, example - 1]]
            assert [d[5] for d in digits].count("hl") == 1 and digits[np.argmax(row)][5] == "hl"
            assert output[6] == str(written[step - 1, example - 1])
            assert output[5] == ("box" if expected == "right" else "box c3")


def test_the_state_is_small_and_the_defaults_are_the_first_example_and_step(setup):
    _, _, _, widget = setup
    fresh = attention_map(*setup[:3], step=4)
    assert fresh.value == {"example": 1, "step": 4}
    assert widget.state_size() < MAX_STATE


def test_bad_inputs_get_clear_errors(setup):
    model, source, target, _ = setup
    with pytest.raises(ValueError, match="needs a cells.Seq2Seq built with attention"):
        attention_map(cells.Seq2Seq(10, 4, rng=0), source)
    with pytest.raises(ValueError, match="needs a cells.Seq2Seq built with attention"):
        attention_map("model", source)
    with pytest.raises(ValueError, match=r"source must be tokens of shape \(S, N\) with 1 <= N <= 12 "
                                         r"examples; got shape \(12, 13\)"):
        attention_map(model, np.zeros((12, 13), dtype=int))
    with pytest.raises(ValueError, match=r"target must have shape \(T, N\) = \(12, 5\) like the outputs; "
                                         r"got \(12, 4\)"):
        attention_map(model, source, target[:, :4])
    with pytest.raises(ValueError, match="step must be a number between 1 and 12; got 13"):
        attention_map(model, source, target, step=13)
