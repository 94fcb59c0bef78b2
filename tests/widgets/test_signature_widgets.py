"""The signature widgets: what the page draws for a slider setting equals a direct computation.

`w.field(key)` decodes the stored state exactly as widget.js does (index into the grid), so
comparing it with a direct call of cells (or a closed form) checks the whole chain.
"""

import warnings

import numpy as np
import pytest

import cells
import widgets
from widgets import gradients, gru, lstm, parameters

MAX_STATE = 300_000


@pytest.fixture(scope="module")
def lstm_widget():
    return widgets.lstm_gates()


@pytest.fixture(scope="module")
def gru_widget():
    return widgets.gru_gates()


@pytest.fixture(scope="module")
def vanishing_widget():
    return widgets.vanishing_gradients()


@pytest.fixture(scope="module")
def unit_widget():
    return widgets.unit_vs_cell()


@pytest.fixture(scope="module")
def counter_widget():
    return widgets.param_counter()


def test_every_widget_embeds_less_than_300_kb(lstm_widget, gru_widget, vanishing_widget, unit_widget, counter_widget):
    sizes = {w.spec["title"]: w.state_size() for w in
             (lstm_widget, gru_widget, vanishing_widget, unit_widget, counter_widget)}
    print(sizes)
    assert all(size < MAX_STATE for size in sizes.values()), sizes


# --- LSTM ---------------------------------------------------------------------------------

def direct_lstm(f, i, o, g, steps=lstm.STEPS):
    c, hs = [1.0], [np.nan]
    for _ in range(steps):
        c_t, h_t = cells.lstm_state_update(np.array(c[-1]), np.array(i), np.array(f), np.array(g), np.array(o))
        c.append(float(c_t))
        hs.append(float(h_t))
    return np.array(c), np.array(hs)


@pytest.mark.parametrize("f, i, o, g", [(0.9, 0.0, 1.0, 0.5), (0.0, 1.0, 0.6, -0.5), (1.0, 0.2, 0.4, 1.0),
                                         (0.5, 0.4, 0.0, -1.0), (0.99, 0.8, 0.2, 0.0)])
def test_lstm_drawn_memory_equals_cells(lstm_widget, f, i, o, g):
    lstm_widget.set(forget=f, input=i, output=o, candidate=g)
    c, h = direct_lstm(f, i, o, g)
    np.testing.assert_allclose(lstm_widget.field("c"), c, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(lstm_widget.field("h"), h, rtol=1e-6, atol=1e-7)
    assert np.isnan(lstm_widget.field("h")[0])  # only c_0 is given


@pytest.mark.parametrize("f", [0.0, 0.3, 0.9, 0.99, 1.0])
def test_lstm_gradient_from_backprop_is_the_product_of_forget_gates(lstm_widget, f):
    lstm_widget.set(forget=f)
    assert lstm_widget.field("grad") == pytest.approx(f ** lstm.STEPS, rel=1e-6, abs=1e-30)
    assert lstm_widget.field("prod") == pytest.approx(f ** lstm.STEPS, rel=1e-6, abs=1e-30)
    np.testing.assert_allclose(lstm_widget.field("gate_f"), np.full(lstm.STEPS, f), atol=1e-12)


@pytest.mark.parametrize("i, o, g", [(0.0, 0.0, -1.0), (1.0, 1.0, 1.0), (0.6, 0.2, 0.5)])
def test_lstm_memory_gradient_does_not_depend_on_the_other_gates(i, o, g):
    # the widget stores dc_T/dc_0 per forget value only; that is right because nothing else enters
    grad, prod, gates = lstm.lstm_memory_gradient(0.8, i, o, g)
    assert grad == pytest.approx(0.8 ** lstm.STEPS, rel=1e-12)
    np.testing.assert_allclose([gates["i"][0], gates["o"][0], gates["g"][0]], [i, o, g], atol=1e-12)


def test_lstm_presets_do_what_they_say(lstm_widget):
    presets = {p["label"]: p["index"] for p in lstm_widget.spec["presets"]}
    names = [s["name"] for s in lstm_widget.spec["sliders"]]

    def apply(label):
        index = list(lstm_widget.index)
        for name, k in presets[label].items():
            index[names.index(name)] = k
        lstm_widget.index = index
        return lstm_widget.field("c")

    assert np.all(apply("remember") == 1.0)
    assert np.all(apply("forget")[1:] == 0.0)
    assert np.all(apply("overwrite")[1:] == -0.5)


def test_lstm_edge_gates_give_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (0.0, 1.0):
            grad, prod, _ = lstm.lstm_memory_gradient(f, 1.0, 0.0, -1.0)
            assert grad == f and prod == f


# --- GRU ----------------------------------------------------------------------------------

def direct_gru(r, z, w):
    """An independent run: one GRUCell of one unit, its gates pinned through the biases."""
    cell = cells.GRUCell(1, 1, rng=1)
    cell.weight_ih[:] = [[0.0], [0.0], [gru.INPUT_WEIGHT]]
    cell.weight_hh[:] = [[0.0], [0.0], [w]]
    with np.errstate(divide="ignore"):
        cell.bias_ih[:] = [np.log(r) - np.log1p(-r), np.log(z) - np.log1p(-z), 0.0]
    cell.bias_hh[:] = 0.0
    h, hs = None, [0.0]
    for x_t in gru.input_sequence():
        h, cache = cell.step(np.array([[x_t]]), h)
        hs.append(h[0, 0])
    return np.array(hs)


@pytest.mark.parametrize("r, z, w", [(1.0, 0.5, 1.0), (0.0, 0.0, -1.5), (0.3, 0.7, 0.5), (1.0, 1.0, 1.5),
                                     (0.6, 0.1, 0.0)])
def test_gru_drawn_state_equals_cells(gru_widget, r, z, w):
    gru_widget.set(reset=r, update=z, recurrent_weight=w)
    np.testing.assert_allclose(gru_widget.field("h"), direct_gru(r, z, w), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("w", gru.RECURRENT_VALUES)
def test_gru_with_reset_1_and_update_0_is_the_plain_rnn(gru_widget, w):
    gru_widget.set(reset=1.0, update=0.0, recurrent_weight=w)
    rnn = cells.RNNCell(1, 1, rng=2)
    rnn.weight_ih[:], rnn.weight_hh[:], rnn.bias_ih[:], rnn.bias_hh[:] = gru.INPUT_WEIGHT, w, 0.0, 0.0
    outputs, _, _ = cells.unroll(rnn, gru.input_sequence().reshape(-1, 1, 1))
    expected = np.concatenate([[0.0], outputs[:, 0, 0]])
    np.testing.assert_allclose(gru_widget.field("rnn"), expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(gru_widget.field("h"), expected, rtol=1e-6, atol=1e-7)
    assert gru_widget.field("gap") < 1e-6
    plain = {p["label"]: p["index"] for p in gru_widget.spec["presets"]}["plain RNN"]
    assert plain == {"reset": gru.GATE_VALUES.index(1.0), "update": gru.GATE_VALUES.index(0.0)}


def test_gru_update_gate_1_holds_the_initial_state(gru_widget):
    gru_widget.set(update=1.0)
    assert np.all(gru_widget.field("h") == 0.0)


@pytest.mark.parametrize("w", [-1.5, 1.0])
def test_gru_presets_do_what_the_chapter_says(gru_widget, w):
    """keep, overwrite, reset, plain RNN: each checked against the update rule written out here."""
    presets = {p["label"]: p["index"] for p in gru_widget.spec["presets"]}
    assert list(presets) == ["keep", "overwrite", "reset", "plain RNN"]
    names = [s["name"] for s in gru_widget.spec["sliders"]]
    x = gru.input_sequence()

    def apply(label):
        gru_widget.set(recurrent_weight=w)
        index = list(gru_widget.index)
        for name, k in presets[label].items():
            index[names.index(name)] = k
        gru_widget.index = index
        return gru_widget.field("h")

    assert np.all(apply("keep") == 0.0)  # z = 1: the pulse never gets in
    np.testing.assert_allclose(apply("overwrite")[1:], np.tanh(1.5 * x), atol=1e-7)  # r = z = 0
    expected, h = [0.0], 0.0
    for x_t in x:  # r = 0, z = 0.7: the candidate ignores the past, the state fades by 0.7
        h = 0.7 * h + 0.3 * np.tanh(1.5 * x_t)
        expected.append(h)
    np.testing.assert_allclose(apply("reset"), expected, atol=1e-7)
    apply("plain RNN")
    assert gru_widget.field("gap") < 1e-6


# --- vanishing gradients -------------------------------------------------------------------

@pytest.mark.parametrize("rho, act, cell, T", [
    (0.9, "tanh", "RNN", 50), (1.25, "identity", "RNN", 20), (0.5, "sigmoid", "RNN", 35),
    (1.5, "relu", "RNN", 10), (1.0, "tanh", "LSTM", 50), (1.1, "relu", "LSTM, forget bias +1", 35),
    (0.75, "sigmoid", "GRU", 20), (2.0, "tanh", "GRU", 5), (0.25, "sigmoid", "RNN", 50)])
def test_vanishing_drawn_norms_equal_a_direct_bptt(vanishing_widget, rho, act, cell, T):
    vanishing_widget.set(spectral_radius=rho, activation=act, cell=cell, sequence_length=T)
    drawn = vanishing_widget.field("norms")
    direct = gradients.norms_by_distance(rho, act if cell == "RNN" else "tanh", cell, T)
    np.testing.assert_allclose(drawn[:T], direct, rtol=2e-5, atol=0)
    assert np.all(np.isnan(drawn[T:]))
    assert vanishing_widget.field("first") == pytest.approx(direct[-1], rel=1e-6)


@pytest.mark.parametrize("rho", gradients.RADII)
def test_identity_rnn_gradient_is_exactly_rho_to_the_k(vanishing_widget, rho):
    # orthogonal W_hh times rho and no squashing: ||(W^T)^k u|| = rho^k, independent of the code's bound
    vanishing_widget.set(spectral_radius=rho, activation="identity", cell="RNN", sequence_length=50)
    k = np.arange(50)
    np.testing.assert_allclose(vanishing_widget.field("norms"), rho ** k, rtol=2e-5, atol=1e-300)
    np.testing.assert_allclose(vanishing_widget.field("bound"), rho ** k, rtol=2e-5, atol=1e-300)


@pytest.mark.parametrize("act, slope", [("tanh", 1.0), ("sigmoid", 0.25), ("relu", 1.0)])
@pytest.mark.parametrize("rho", [0.5, 1.0, 1.5])
def test_plain_rnn_never_exceeds_its_bound(vanishing_widget, act, slope, rho):
    vanishing_widget.set(spectral_radius=rho, activation=act, cell="RNN", sequence_length=50)
    assert np.all(vanishing_widget.field("norms") <= (rho * slope) ** np.arange(50) * (1 + 1e-5))


def test_gated_cells_have_no_bound_drawn(vanishing_widget):
    vanishing_widget.set(cell="GRU")
    assert np.all(np.isnan(vanishing_widget.field("bound")))
    assert "only the plain RNN" in vanishing_widget.field("note")


@pytest.mark.parametrize("cell", gradients.CELLS)
def test_the_activation_control_is_disabled_exactly_where_it_has_no_effect(vanishing_widget, cell):
    # the page disables "activation (plain RNN)" while the note says why; then no field may move with it
    vanishing_widget.set(cell=cell, spectral_radius=1.1, sequence_length=20)
    drawn = {}
    for activation in gradients.ACTIVATIONS:
        vanishing_widget.set(activation=activation)
        drawn[activation] = [vanishing_widget.field(k) for k in ("norms", "bound", "first")]
    same = all(_equal(drawn["tanh"], d) for d in drawn.values())
    assert same == (vanishing_widget.field("note") != ""), (cell, vanishing_widget.field("note"))
    assert (vanishing_widget.spec["sliders"][1]["disabledWhen"], cell == "RNN") == ("note", same is False)


def _equal(a, b):
    return all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def test_edge_values_spectral_radius_0_and_length_1(vanishing_widget):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vanishing_widget.set(spectral_radius=0.0, activation="tanh", cell="RNN", sequence_length=50)
        norms = vanishing_widget.field("norms")
        assert norms[0] == pytest.approx(1.0) and np.all(norms[1:] == 0.0)  # exact zeros survive the log encoding
        vanishing_widget.set(sequence_length=1)
        norms = vanishing_widget.field("norms")
        assert norms[0] == pytest.approx(1.0) and np.all(np.isnan(norms[1:]))


def test_forget_bias_keeps_more_gradient_than_default_lstm(vanishing_widget):
    vanishing_widget.set(spectral_radius=1.0, cell="LSTM", sequence_length=50)
    default = vanishing_widget.field("first")
    vanishing_widget.set(cell="LSTM, forget bias +1")
    assert vanishing_widget.field("first") > 10 * default


# --- unit versus cell, parameter counter --------------------------------------------------

FRAMEWORK = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}


@pytest.mark.parametrize("framework, kind, d, h, layers, bi", [
    ("PyTorch", "LSTM", 28, 128, 1, "no"), ("Keras", "GRU", 3, 5, 2, "yes"),
    ("TensorFlow 1", "RNN", 64, 256, 3, "no"), ("Keras", "LSTM", 1, 1, 3, "yes")])
def test_unit_vs_cell_counts_and_shapes(unit_widget, framework, kind, d, h, layers, bi):
    unit_widget.set(framework=framework, kind=kind, input_size=d, hidden_size=h, num_layers=layers,
                    bidirectional=bi, time_steps=3)
    direct = cells.count_params(kind.lower(), d, h, num_layers=layers, bidirectional=bi == "yes",
                                convention=FRAMEWORK[framework])
    assert (unit_widget.field("total"), unit_widget.field("weights"), unit_widget.field("biases")) == \
        (direct.total, direct.weights, direct.biases)
    dirs = 2 if bi == "yes" else 1
    assert unit_widget.field("out_features") == h * dirs
    assert unit_widget.field("state_rows") == layers * dirs
    net = unit_widget.field("net")
    boxes = [it for it in net["items"] if it[0] == "rect"]
    assert len(boxes) == 3 * layers * dirs == unit_widget.field("boxes")


def test_the_worked_example_from_the_readers_question(unit_widget, counter_widget):
    # d = 28, h = 128 LSTM: 156 x 512 = 79,872 weights; 1,024 biases in PyTorch, 512 in Keras
    unit_widget.set(framework="PyTorch", kind="LSTM", input_size=28, hidden_size=128, num_layers=1, bidirectional="no")
    counter_widget.set(framework="PyTorch", kind="LSTM", input_size=28, hidden_size=128, num_layers=1,
                       bidirectional="no", head=0)
    assert (unit_widget.field("weights"), unit_widget.field("biases")) == (79_872, 1_024)
    assert (counter_widget.tally(0)["weights"], counter_widget.tally(0)["biases"]) == (79_872, 1_024)
    unit_widget.set(framework="Keras")
    counter_widget.set(framework="Keras")
    assert (unit_widget.field("weights"), unit_widget.field("biases")) == (79_872, 512)
    assert (counter_widget.tally(0)["weights"], counter_widget.tally(0)["biases"]) == (79_872, 512)


def test_opened_cell_shows_one_circle_per_unit_up_to_eight(unit_widget):
    for h, drawn in [(1, 1), (4, 4), (8, 8), (256, 8)]:
        unit_widget.set(hidden_size=h, kind="GRU", open_cell="open")
        circles = [it for it in unit_widget.field("units")["items"] if it[0] == "circle"]
        assert len(circles) == drawn
        assert circles[-1][5] == f"h{h}"
    unit_widget.set(kind="LSTM", hidden_size=4)
    circles = [it for it in unit_widget.field("units")["items"] if it[0] == "circle"]
    assert sorted(c[5] for c in circles) == ["c1", "c2", "c3", "c4", "h1", "h2", "h3", "h4"]
    unit_widget.set(open_cell="closed")
    assert unit_widget.field("units")["items"] == []


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bi", ["no", "yes"])
def test_the_tensorflow_1_code_line_is_a_call_that_runs(unit_widget, kind, bi):
    """The TF1 line parses as Python; it passes dtype (dynamic_rnn raises without it or an initial state),
    builds a new cell object per layer (not a list repeating one object), and stacked bidirectional layers
    get a list of forward and one of backward cells."""
    import ast

    unit_widget.set(framework="TensorFlow 1", kind=kind, hidden_size=7, num_layers=3, bidirectional=bi)
    line = unit_widget.field("code").format(hidden_size=7, num_layers=3)
    call = ast.parse(line, mode="eval").body
    assert ast.unparse(call.func) == ("tf.contrib.rnn.stack_bidirectional_dynamic_rnn" if bi == "yes"
                                      else "tf.nn.dynamic_rnn")
    assert [(k.arg, ast.unparse(k.value)) for k in call.keywords] == [("dtype", "tf.float32")]
    lists = call.args[:2] if bi == "yes" else call.args[0].args
    assert ast.unparse(call.args[-1]) == "x" and len(call.args) == (3 if bi == "yes" else 2)
    if bi == "no":
        assert ast.unparse(call.args[0].func) == "MultiRNNCell"
    cell = {"RNN": "BasicRNN"}.get(kind, kind) + "Cell"
    for cells_ in lists:
        assert isinstance(cells_, ast.ListComp)  # a new object per layer
        assert ast.unparse(cells_) == f"[{cell}(num_units=7) for _ in range(3)]"


def test_vocabulary_names_each_framework_s_words(unit_widget):
    unit_widget.set(kind="LSTM", framework="Keras")
    assert "units = {hidden_size}" in unit_widget.field("vocab1")
    unit_widget.set(framework="TensorFlow 1")
    assert "num_units = {hidden_size}" in unit_widget.field("vocab1")
    unit_widget.set(framework="PyTorch")
    assert "torch.nn.LSTMCell" in unit_widget.field("vocab0")


def _count_params(framework, kind, input_size, hidden_size, num_layers, bidirectional, reset_after, proj_size,
                  head):
    return cells.count_params(kind.lower(), input_size, hidden_size, num_layers=num_layers,
                              bidirectional=bidirectional == "yes", convention=FRAMEWORK[framework],
                              reset_after=reset_after == "True", proj_size=proj_size, head=head)


@pytest.mark.parametrize("settings", [
    dict(framework="PyTorch", kind="GRU", input_size=100, hidden_size=50, num_layers=3, bidirectional="yes"),
    dict(framework="Keras", kind="GRU", input_size=8, hidden_size=16, reset_after="False", head=4),
    dict(framework="TensorFlow 1", kind="LSTM", input_size=512, hidden_size=512, num_layers=3, bidirectional="yes"),
    dict(framework="Keras", kind="RNN", input_size=1, hidden_size=1, num_layers=2, head=1),
    dict(framework="PyTorch", kind="LSTM", input_size=7, hidden_size=9, num_layers=4, bidirectional="yes",
         proj_size=3, head=2),
    dict(framework="PyTorch", kind="LSTM", input_size=99_999, hidden_size=100_000, num_layers=1000, head=100_000),
])
def test_param_counter_tally_is_count_params_array_by_array(counter_widget, settings):
    """What the page draws (tally_result over the shipped rules) and what the kernel answers (count_params)
    agree with cells.count_params: totals, and every array's shape and size."""
    counter_widget.set(**settings)
    direct = _count_params(**counter_widget.value)
    shown, live = counter_widget.tally(0), counter_widget.live["results"]["0"]
    assert shown == live
    assert (shown["total"], shown["weights"], shown["biases"]) == (direct.total, direct.weights, direct.biases)
    first = [a for a in direct.arrays if (a["layer"], a["direction"]) == (0, "forward")]
    assert [(a["name"], a["numbers"], a["size"]) for a in shown["parts"][0]["arrays"]] == \
        [(a["name"], list(a["shape"]), a["size"]) for a in first]
    assert sum(p["times"] for p in shown["parts"]) == len(direct.breakdown)


def test_the_learners_presets_show_their_numbers(counter_widget):
    """Keras GRU 10 -> 20: 1,920 with reset_after=True, 1,860 with False (3 x (10 x 20 + 20 x 20 + 2 x 20) and
    3 x (... + 20)); LSTM 28 -> 128 with Dense(10): 81,674 in Keras, 82,186 in PyTorch (80,896 + 1,290);
    TF1 BasicLSTMCell(128) on 28: 156 x 512 + 512 = 80,384. Worked by hand, not by the code under test."""
    expected = {"Keras GRU(20) on 10 features": 1_920, "same, reset_after=False": 1_860,
                "Keras LSTM(128) on 28, Dense(10)": 81_674, "PyTorch LSTM(28, 128), Linear(128, 10)": 82_186,
                "TF1 BasicLSTMCell(128) on 28": 80_384}
    names = [s["name"] for s in counter_widget.spec["sliders"]]
    for preset in counter_widget.spec["presets"]:
        settings = {name: counter_widget.spec["sliders"][names.index(name)]["values"][k]
                    for name, k in preset["index"].items()}
        counter_widget.set(**settings, **preset["typed"])
        assert counter_widget.tally(0)["total"] == expected.pop(preset["label"]), preset["label"]
    assert not expected


def test_param_counter_says_why_a_control_has_no_effect(counter_widget):
    counter_widget.set(framework="Keras", kind="GRU")
    assert counter_widget.field("reset_after_off") == ""
    assert "Only PyTorch's LSTM has proj_size" in counter_widget.field("proj_size_off")
    counter_widget.set(framework="PyTorch", kind="LSTM", hidden_size=20, proj_size=5)
    assert counter_widget.field("proj_size_off") == ""
    assert "LSTM has no reset gate" in counter_widget.field("reset_after_off")
    before = counter_widget.tally(0)
    counter_widget.set(reset_after="False")
    assert counter_widget.tally(0) == before
    # proj_size is ignored (counts as 0) where it has no effect, whatever the field still holds
    counter_widget.set(kind="GRU")
    assert counter_widget.value["proj_size"] == 0 and counter_widget.typed["proj_size"] == 5
    assert counter_widget.tally(0)["total"] == cells.count_params("gru", 28, 20).total
    counter_widget.set(kind="LSTM", proj_size=20)
    assert "smaller than hidden_size" in counter_widget.tally(0)["error"]
    assert "smaller than hidden_size" in counter_widget.live["results"]["0"]["error"]


# --- settings are checked -----------------------------------------------------------------

@pytest.mark.parametrize("make, message", [
    (lambda: widgets.lstm_gates(forget=1.5), "forget must be a number between 0 and 1; got 1.5"),
    (lambda: widgets.lstm_gates(candidate="high"), "candidate must be a number between -1 and 1; got 'high'"),
    (lambda: widgets.gru_gates(update=-0.1), "update must be a number between 0 and 1; got -0.1"),
    (lambda: widgets.vanishing_gradients(activation="softmax"), "activation must be one of .*got 'softmax'"),
    (lambda: widgets.vanishing_gradients(spectral_radius=3), "between 0 and 2; got 3"),
    (lambda: widgets.vanishing_gradients(sequence_length=0), "between 1 and 50; got 0"),
    (lambda: gradients.norms_by_distance(0.5, cell="LSTMCell"), "cell must be one of"),
    (lambda: gradients.norms_by_distance(-1.0), "spectral_radius must be a finite number >= 0"),
    (lambda: widgets.unit_vs_cell(hidden_size=0), "hidden_size must be a number between 1 and 256; got 0"),
    (lambda: widgets.unit_vs_cell(framework="JAX"),
     "framework must be one of 'PyTorch', 'Keras', 'TensorFlow 1'; got 'JAX'"),
    (lambda: widgets.param_counter(bidirectional=True), "bidirectional must be one of 'no', 'yes'; got True"),
    (lambda: widgets.param_counter(num_layers=0), "num_layers must be a whole number from 1 to 1,000; got 0"),
    (lambda: widgets.param_counter(input_size=2.5), "input_size must be a whole number from 1 to 100,000; got 2.5"),
    (lambda: widgets.param_counter(head=-1), "head must be a whole number from 0 to 100,000; got -1"),
])
def test_out_of_range_settings_give_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_the_tally_names_the_gate_blocks_of_each_cell(counter_widget):
    # an RNN has one block (its tanh layer), an LSTM four (i, f, g, o), a GRU three (r, z, n)
    for kind, blocks in [("RNN", "h"), ("LSTM", "4h"), ("GRU", "3h")]:
        counter_widget.set(framework="PyTorch", kind=kind, hidden_size=128, proj_size=0)
        assert counter_widget.tally(0)["parts"][0]["arrays"][0]["shape"] == [blocks, "d"]
    assert parameters.count("PyTorch", "GRU", 2, 3, 1, "no").weights == 3 * 3 * (2 + 3)


def test_vanishing_draws_follow_the_experiment_seed(monkeypatch):
    monkeypatch.setenv("UNROLLED_EXPERIMENT_SEED", "0")
    book = gradients.norms_by_distance(0.9, "tanh", "RNN", 50)
    assert np.array_equal(book, gradients.norms_by_distance(0.9, "tanh", "RNN", 50))   # deterministic
    monkeypatch.setenv("UNROLLED_EXPERIMENT_SEED", "3")
    other = gradients.norms_by_distance(0.9, "tanh", "RNN", 50)
    assert not np.allclose(book, other)
    # identity and orthogonal W_hh: exactly rho^k whatever the draw
    assert np.allclose(gradients.norms_by_distance(0.9, "identity", "RNN", 50), 0.9 ** np.arange(50))


@pytest.mark.parametrize("experiment_seed", ["0", "1", "2", "3"])
def test_forget_bias_lifts_the_lstm_curve_for_every_radius_above_0(monkeypatch, experiment_seed):
    monkeypatch.setenv("UNROLLED_EXPERIMENT_SEED", experiment_seed)
    radii = np.array([r for r in gradients.RADII if r > 0])
    default = gradients.norms_by_distance(radii, cell="LSTM")[:, -1]
    biased = gradients.norms_by_distance(radii, cell="LSTM, forget bias +1")[:, -1]
    assert np.all(biased > default)
    # at rho = 0 h_{t-1} reaches nothing (W_hh = 0): both curves are exactly 0 at the first step, k = 49
    zero = [gradients.norms_by_distance(0.0, cell=cell)[-1] for cell in ("LSTM", "LSTM, forget bias +1")]
    assert zero == [0.0, 0.0]
