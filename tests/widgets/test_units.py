"""The unit explorer (widgets/units.py): the units it ranks, the values it shades, the mistakes it explains.

The expected values come from a forward pass written out here from the equations (PyTorch's gate
order), from the layers' own fused kernels (`layer.forward`) and from numpy's corrcoef: never from the
widget's code. The page's JavaScript forward pass is held to the same numbers by
tests/site/test_units_browser.py.
"""

import base64

import numpy as np
import pytest

import cells
from cells import experiments
from widgets.units import QUANTITIES, rank_units, shipped_layer, unit_activity, unit_explorer

ALPHABET = "()ab "


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def by_hand(layer, inputs):
    """Every quantity after every input row, from the equations, with the layer's arrays."""
    p = {k.removesuffix("_l0"): v for k, v in layer.params().items()}
    H = layer.hidden_size
    h, c = np.zeros(H), np.zeros(H)
    rows = []
    for x in inputs:
        ax = p["weight_ih"] @ x + p["bias_ih"]
        ah = p["weight_hh"] @ h + p["bias_hh"]
        if isinstance(layer, cells.LSTM):
            i, f, g, o = sigmoid(ax[:H] + ah[:H]), sigmoid(ax[H:2 * H] + ah[H:2 * H]), \
                np.tanh(ax[2 * H:3 * H] + ah[2 * H:3 * H]), sigmoid(ax[3 * H:] + ah[3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            rows.append({"h": h, "c": c, "i": i, "f": f, "g": g, "o": o})
        elif isinstance(layer, cells.GRU):
            r, z = sigmoid(ax[:H] + ah[:H]), sigmoid(ax[H:2 * H] + ah[H:2 * H])
            n = np.tanh(ax[2 * H:] + r * ah[2 * H:])
            h = (1 - z) * n + z * h
            rows.append({"h": h, "r": r, "z": z, "n": n})
        else:
            h = np.tanh(ax + ah)
            rows.append({"h": h})
    return {k: np.array([row[k] for row in rows]) for k in rows[0]}


def bracket_passage(length=300, seed=21):
    rng = experiments.rng(seed)
    chars, depth, d = [], [], 0
    for _ in range(length):
        ch = rng.choice(list("(ab " + (")" if d else "")))
        d += {"(": 1, ")": -1}.get(ch, 0)
        chars.append(ch)
        depth.append(d)
    passage = "".join(chars)
    return passage, {"bracket depth": np.array(depth), "is a letter": np.array([ch in "ab" for ch in passage])}


def one_hot(text):
    return np.eye(len(ALPHABET))[[ALPHABET.index(ch) for ch in text]]


@pytest.mark.parametrize("Layer", [cells.RNN, cells.GRU, cells.LSTM])
def test_activity_follows_the_equations_and_the_fused_kernel(Layer):
    passage, _ = bracket_passage(120)
    layer = Layer(len(ALPHABET), 6, rng=experiments.seed(3))
    activity = unit_activity(layer, None, ALPHABET, passage)
    expected = by_hand(layer, one_hot(passage))
    assert sorted(activity) == sorted(expected) == sorted(q[0] for q in QUANTITIES[Layer.__name__])
    for key in expected:
        np.testing.assert_allclose(activity[key], expected[key], atol=1e-12, err_msg=key)
    output, _ = layer.forward(one_hot(passage))  # the layer's own fused kernel, another path
    np.testing.assert_allclose(activity["h"], output, atol=1e-12)


def test_an_embedding_feeds_its_rows():
    passage, _ = bracket_passage(80)
    embedding = experiments.rng(4).standard_normal((len(ALPHABET), 3))
    layer = cells.GRU(3, 5, rng=experiments.seed(4))
    inputs = embedding[[ALPHABET.index(ch) for ch in passage]]
    np.testing.assert_allclose(unit_activity(layer, embedding, ALPHABET, passage)["z"], by_hand(layer, inputs)["z"],
                               atol=1e-12)
    as_layer = cells.Embedding(len(ALPHABET), 3)
    as_layer.weight = embedding
    np.testing.assert_allclose(unit_activity(layer, as_layer, ALPHABET, passage)["h"],
                               unit_activity(layer, embedding, ALPHABET, passage)["h"], atol=0)


def test_a_float32_layer_is_shown_as_float64_arithmetic_on_its_float32_arrays():
    passage, labels = bracket_passage(100)
    layer = cells.LSTM(len(ALPHABET), 6, rng=experiments.seed(7), dtype=np.float32)
    rounded, _ = shipped_layer(layer)
    expected = by_hand(rounded, one_hot(passage))  # float64 arithmetic on the same arrays
    activity = unit_activity(rounded, None, ALPHABET, passage)
    for key in expected:
        np.testing.assert_allclose(activity[key], expected[key], atol=1e-12, err_msg=key)
    assert layer.dtype == np.float32 and layer.params()["weight_ih_l0"].dtype == np.float32
    w = unit_explorer([("float32", layer, None)], ALPHABET, passage, labels)
    r = np.corrcoef(expected["h"][:, int(w.field("unit_id")) - 1], labels["bracket depth"])[0, 1]
    np.testing.assert_allclose(w.field("r"), r, atol=1e-9)


def test_ranking_agrees_with_numpy():
    rng = experiments.rng(5)
    values = rng.standard_normal((200, 9))
    values[:, 4] = 1.5  # a constant unit: no correlation (r = 0), ranked last
    label = values[:, 2] * 0.5 + rng.standard_normal(200)
    order, ranked_r = rank_units(values, label)
    r = [0.0 if u == 4 else np.corrcoef(values[:, u], label)[0, 1] for u in range(9)]
    assert list(order) == sorted(range(9), key=lambda u: (-abs(r[u]), u))
    np.testing.assert_allclose(ranked_r, np.array(r)[order], atol=1e-12)
    assert order[0] == 2 and order[-1] == 4


@pytest.mark.parametrize("Layer", [cells.RNN, cells.GRU, cells.LSTM])
def test_every_rank_shows_the_unit_and_r_an_independent_computation_gives(Layer):
    passage, labels = bracket_passage()
    layers = [Layer(len(ALPHABET), 8, rng=experiments.seed(n)) for n in (1, 2)]
    w = unit_explorer([(f"draw {n}", layer, None) for n, layer in enumerate(layers)], ALPHABET, passage, labels)
    assert w.value["checkpoint"] == "draw 1"  # the last checkpoint first
    for n, layer in enumerate(layers):
        rounded = layer.__class__(len(ALPHABET), 8)
        for name, value in layer.params().items():
            rounded.params()[name][...] = value.astype(np.float32)  # what the page gets
        expected = by_hand(rounded, one_hot(passage))
        for option in QUANTITIES[Layer.__name__]:
            for label, values in labels.items():
                r = np.array([np.corrcoef(expected[option[0]][:, u], values)[0, 1] for u in range(8)])
                order = sorted(range(8), key=lambda u: (-abs(r[u]), u))
                for rank in (1, 2, 8):
                    w.set(checkpoint=f"draw {n}", quantity=option, label=label, unit=rank)
                    assert w.field("unit_id") == order[rank - 1] + 1, (option, label, rank)
                    np.testing.assert_allclose(w.field("r"), r[order[rank - 1]], atol=1e-9)
                listed = w.field("ranking")
                assert [u for u, _ in listed] == [u + 1 for u in order[:len(listed)]]


def test_the_page_gets_the_layer_as_float32_and_every_quantity_the_cell_has():
    passage, labels = bracket_passage(100)
    layer = cells.LSTM(len(ALPHABET), 4, rng=experiments.seed(6))
    w = unit_explorer([("only", layer, None)], ALPHABET, passage, labels)
    weights = w.field("weights")
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        shipped = np.frombuffer(base64.b64decode(weights[name]), dtype="<f4")
        np.testing.assert_array_equal(shipped, getattr(layer.cells[0][0], name).astype(np.float32).ravel())
    assert weights["embedding"] is None and (weights["kind"], weights["hidden"], weights["input"]) == ("LSTM", 4, 5)
    sliders = {s["name"]: s for s in w.spec["sliders"]}
    assert sliders["quantity"]["values"] == QUANTITIES["LSTM"] and sliders["quantity"]["buttons"]
    # one checkpoint: its control is disabled, and says why
    assert w.spec["fields"][sliders["checkpoint"]["disabledWhen"]]["rows"] == ["Only one checkpoint was saved."]
    assert "disabledWhen" not in sliders["label"]
    rounded, _ = shipped_layer(layer)
    assert layer.params()["weight_hh_l0"].dtype == np.float64  # the caller's layer is left as it was
    assert not np.array_equal(rounded.params()["weight_hh_l0"], layer.params()["weight_hh_l0"])


def test_a_plain_rnn_explains_why_it_offers_only_h():
    passage, labels = bracket_passage(100)
    w = unit_explorer([("a", cells.RNN(5, 4, rng=1), None), ("b", cells.RNN(5, 4, rng=2), None)], ALPHABET, passage,
                      {"bracket depth": labels["bracket depth"]})
    sliders = {s["name"]: s for s in w.spec["sliders"]}
    assert sliders["quantity"]["values"] == ["h (hidden state)"]
    assert "no gates" in w.spec["fields"][sliders["quantity"]["disabledWhen"]]["rows"][0]
    assert w.spec["fields"][sliders["label"]["disabledWhen"]]["rows"] == ["Only one label was given."]
    assert "disabledWhen" not in sliders["checkpoint"]


def _bad(match, **changes):
    passage, labels = bracket_passage(60)
    arguments = dict(checkpoints=[("a", cells.LSTM(5, 4, rng=1), None)], alphabet=ALPHABET, passage=passage,
                     labels=labels)
    arguments.update(changes)
    with pytest.raises(ValueError, match=match):
        unit_explorer(**arguments)


def test_bad_inputs_get_clear_errors():
    passage, labels = bracket_passage(60)
    _bad(r"holds '\{' at position 3, which is not in the alphabet", passage=passage[:3] + "{" + passage[4:])
    _bad("must not repeat a character", alphabet="()ab (")
    _bad("non-empty string", alphabet="")
    _bad(r"one number per passage character, shape \(60,\)", labels={"depth": labels["bracket depth"][:-1]})
    _bad("is the same .* at every passage character", labels={"flat": np.zeros(60)})
    _bad("NaN or infinite", labels={"bad": np.r_[np.nan, labels["bracket depth"][1:]]})
    _bad("non-empty dict", labels={})
    _bad("non-empty list", checkpoints=[])
    _bad(r"\(title, layer, embedding\) triple", checkpoints=[("a", cells.LSTM(5, 4))])
    _bad("must be a cells.RNN, cells.GRU or cells.LSTM", checkpoints=[("a", cells.LSTMCell(5, 4), None)])
    _bad("one-layer, one-direction", checkpoints=[("a", cells.LSTM(5, 4, num_layers=2), None)])
    _bad("one-layer, one-direction", checkpoints=[("a", cells.GRU(5, 4, bidirectional=True), None)])
    _bad("with biases", checkpoints=[("a", cells.RNN(5, 4, bias=False), None)])
    _bad("input_size must be len\\(alphabet\\) = 5; got 3", checkpoints=[("a", cells.LSTM(3, 4), None)])
    _bad(r"embedding must have shape \(len\(alphabet\), input_size\) = \(5, 3\); got \(4, 3\)",
         checkpoints=[("a", cells.LSTM(3, 4), np.zeros((4, 3)))])
    _bad("the same kind of layer", checkpoints=[("a", cells.LSTM(5, 4), None), ("b", cells.GRU(5, 4), None)])
    _bad("the same kind of layer", checkpoints=[("a", cells.LSTM(5, 4), None), ("b", cells.LSTM(5, 6), None)])
    same = cells.LSTM(5, 4)
    _bad(r"the same layer object.*copy.deepcopy", checkpoints=[("a", same, None), ("b", same, None)])
    _bad("titles must be distinct", checkpoints=[("a", cells.LSTM(5, 4), None), ("a", cells.LSTM(5, 4), None)])
    _bad("title must be a non-empty string", checkpoints=[("", cells.LSTM(5, 4), None)])
    _bad("at most 3,000 characters", passage="(" * 3001, labels={"depth": np.arange(3001)})
    _bad(r"typed holds 'x' at position 1", typed="(x")
    _bad("quantity must be one of", quantity="c")
