"""Where a trained encoder-decoder looks: its attention weights over the input, one output step at a time.

For a `cells.Seq2Seq` with attention and a few source sequences, greedy decoding (`generate`)
gives the output tokens and the weights a_{t,s}: at output step t, how much the decoder reads
the encoder's state after input step s (the weights over s add up to 1). Sliders pick an
example and an output step t; the page shows

    the weights of step t over the input positions, as a heatmap row;
    the input digits, the most-weighted one highlighted, with the digit step t wrote above it;
    the whole matrix of weights (output steps x input positions) for that example:
    for reversal, the anti-diagonal.

Everything is computed here when the notebook runs; the static page only looks it up.
"""

import numpy as np

import cells

from .grid import Field, Slider
from .view import build, diagram, heatmap, text

MAX_EXAMPLES = 12
CELL_LEFT, CELL_WIDTH, PAGE_WIDTH = 70, 36, 600  # the heatmap's geometry, so the digits sit under its columns


def attention_run(model, source, length=None):
    """-> (written tokens (T, N), weights (T, N, S)) of greedy decoding; clear errors for bad input."""
    if not isinstance(model, cells.Seq2Seq) or model.attention is None:
        raise ValueError(f"attention_map needs a cells.Seq2Seq built with attention='dot' or 'additive'; "
                         f"got {model!r}")
    source = np.asarray(source)
    if source.ndim != 2 or not 1 <= source.shape[1] <= MAX_EXAMPLES or source.shape[0] < 1:
        raise ValueError(f"source must be tokens of shape (S, N) with 1 <= N <= {MAX_EXAMPLES} examples; "
                         f"got shape {source.shape}")
    return model.generate(source, source.shape[0] if length is None else length)


def _strip(source_tokens, weights_row, written, right):
    """The diagram: the input digits under the heatmap columns, the most-weighted one highlighted,
    and the written digit above it with an arrow down to it."""
    S = len(source_tokens)
    cell = min(CELL_WIDTH, (PAGE_WIDTH - CELL_LEFT - 14) / S)
    peak = int(np.argmax(weights_row))
    items = [["text", CELL_LEFT - 6, 78, "input", "small", "end"],
             ["text", CELL_LEFT - 6, 20, "output", "small", "end"]]
    for s, token in enumerate(source_tokens):
        x = CELL_LEFT + s * cell
        items.append(["rect", x, 60, cell - 2, 26, "hl" if s == peak else "muted", str(token)])
        items.append(["text", x + cell / 2, 100, str(s + 1), "small muted", "middle"])
    centre = CELL_LEFT + peak * cell + cell / 2
    items.append(["rect", centre - cell / 2, 4, cell - 2, 24, "box" if right else "box c3", str(written)])
    items.append(["arrow", centre - 1, 30, centre - 1, 58, "c1"])
    return {"box": [0, 0, PAGE_WIDTH, 106], "items": items}


def attention_map(model, source, target=None, example=1, step=1):
    """Sliders for the example and the output step t over a trained `cells.Seq2Seq` with attention.

    source: (S, N) tokens of N <= 12 held-out examples; target: the right outputs (T, N), if known
    (the written digit is drawn in another colour where it is wrong). Returns a widget.
    """
    written, weights = attention_run(model, source, None if target is None else np.shape(target)[0])
    source = np.asarray(source)
    T, N, S = weights.shape
    if target is not None:
        target = np.asarray(target)
        if target.shape != (T, N):
            raise ValueError(f"target must have shape (T, N) = {(T, N)} like the outputs; got {target.shape}")
    right = np.ones((T, N), bool) if target is None else written == target
    sliders = [Slider("example", list(range(1, N + 1)), "example", "d"),
               Slider("step", list(range(1, T + 1)), "output step t", "d")]

    def pick(example, step):
        return weights[step - 1, example - 1]

    fields = [
        Field("row", pick, ["example", "step"]),
        Field("strip", lambda example, step: _strip(source[:, example - 1], pick(example, step),
                                                    written[step - 1, example - 1],
                                                    right[step - 1, example - 1]),
              ["example", "step"], enc="json"),
        Field("written", lambda example, step: str(written[step - 1, example - 1]), ["example", "step"],
              enc="json"),
        Field("verdict", lambda example, step: "right" if right[step - 1, example - 1] else "wrong",
              ["example", "step"], enc="json"),
        Field("peak", lambda example, step: pick(example, step).max(), ["example", "step"]),
        Field("peak_position", lambda example, step: np.argmax(pick(example, step)) + 1, ["example", "step"]),
        Field("peak_digit", lambda example, step: str(source[np.argmax(pick(example, step)), example - 1]),
              ["example", "step"], enc="json"),
    ]
    # the whole matrix as one 1-D field per output step: heatmap rows that each follow the example slider
    fields += [Field(f"matrix_{t}", lambda example, t=t: weights[t - 1, example - 1], ["example"])
               for t in range(1, T + 1)]
    positions = [str(s) for s in range(1, S + 1)]
    panels = [
        heatmap(["row"], ["t"], positions, 0.0, 1.0,
                title="Attention weights of output step t over the input positions",
                xlabel="input position s"),
        diagram(["strip"], title="The input digits; highlighted: the largest weight"),
        text(["Output step {step} writes {written} ({verdict}). Its largest weight, {peak:.2f}, is on input "
              "position {peak_position:d}, which holds {peak_digit}."]),
        heatmap([f"matrix_{t}" for t in range(1, T + 1)], [f"t={t}" for t in range(1, T + 1)], positions,
                0.0, 1.0,
                title="All output steps of this example (rows) over the input positions (columns)",
                xlabel="input position s"),
    ]
    return build("Where the decoder looks", sliders, fields, panels,
                 caption="Greedy decoding by the trained model on held-out sequences. Weights run from "
                         "0 (dark) to 1 (bright); each row adds up to 1.",
                 settings={"example": example, "step": step})
