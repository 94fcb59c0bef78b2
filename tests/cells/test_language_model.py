"""The character-level language model: gradients by finite differences, sampling, inspection, correlation."""

import numpy as np
import pytest

import cells
from cells import corpora
from cells.language_model import CharLanguageModel, best_unit, correlations, next_character_pairs, window_batches

ALPHABET = "()\nab"


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("embedding_dim", [None, 3])
def test_backward_matches_finite_differences(cell, embedding_dim):
    model = CharLanguageModel(ALPHABET, 4, cell=cell, embedding_dim=embedding_dim, rng=0)
    indices = model.encode(corpora.dyck(3, 9, rng=1)[0])
    x, y = next_character_pairs(indices)

    def loss():
        return cells.cross_entropy(model.forward(x), y)[0]

    _, d_logits = cells.cross_entropy(model.forward(x), y)
    _, grads = model.backward(d_logits)
    assert list(grads) == list(model.params())
    for name, param in model.params().items():
        cells.gradcheck(loss, {name: param}, {name: grads[name]})


def test_unbatched_text_is_one_sequence():
    model = CharLanguageModel(ALPHABET, 5, cell="gru", rng=2)
    indices = model.encode("(a(b))\n(")
    logits = model.forward(indices)
    assert logits.shape == (8, 5)
    np.testing.assert_allclose(logits, model.forward(indices[:, None])[:, 0])
    assert model.states(indices)["h"].shape == (8, 5)


def test_loss_is_ln_vocab_for_uniform_logits_and_bits_convert():
    model = CharLanguageModel(ALPHABET, 3, cell="rnn", rng=0)
    model.head.weight[...] = 0.0
    model.head.bias[...] = 0.0
    indices = model.encode("(a)\nb(b)")
    assert model.loss(indices) == pytest.approx(np.log(5))
    assert model.bits_per_character(indices) == pytest.approx(np.log2(5))


def test_states_of_an_lstm_are_its_gates_recomputed_by_the_step_function():
    model = CharLanguageModel(ALPHABET, 4, cell="lstm", rng=3)
    indices = model.encode("(ab(()))\n")
    states = model.states(indices)
    assert set(states) == {"h", "c", "i", "f", "g", "o"}
    cell = model.rnn.cells[0][0]
    h, c = np.zeros((1, 4)), np.zeros((1, 4))
    for t, k in enumerate(indices):
        (h, c), cache = cell.step(np.eye(5)[[k]], (h, c))
        for name in "ifgo":
            np.testing.assert_allclose(states[name][t], cache.gates[name][0], atol=1e-12)
        np.testing.assert_allclose(states["h"][t], h[0], atol=1e-12)
        np.testing.assert_allclose(states["c"][t], c[0], atol=1e-12)


def test_states_of_a_gru_and_of_a_plain_rnn():
    gru = CharLanguageModel(ALPHABET, 4, cell="gru", rng=3)
    indices = gru.encode("(ab)\n")
    states = gru.states(indices)
    cell = gru.rnn.cells[0][0]
    h = np.zeros((1, 4))
    for t, k in enumerate(indices):
        h, cache = cell.step(np.eye(5)[[k]], h)
        for name in "rzn":
            np.testing.assert_allclose(states[name][t], cache.gates[name][0], atol=1e-12)
    assert set(CharLanguageModel(ALPHABET, 4, cell="rnn", rng=0).states(indices)) == {"h"}


class BareLayer:
    """A layer with only the GRU interface (no state argument, no caches): like a plug-in cell."""

    def __init__(self):
        self.inner = cells.GRU(5, 3, rng=0)
        self.input_size, self.hidden_size = 5, 3

    def forward(self, x):
        return self.inner.forward(x)

    def backward(self, d_outputs):
        return self.inner.backward(d_outputs)

    def params(self):
        return self.inner.params()

    def inspection_states(self):
        return {"twice h": 2 * self.inner._caches[0][0].hs[1:]}


def test_any_layer_with_the_gru_interface_plugs_in():
    bare = CharLanguageModel(ALPHABET, cell=BareLayer(), rng=1)
    reference = CharLanguageModel(ALPHABET, 3, cell="gru", rng=0)
    reference.head.weight[...] = bare.head.weight
    reference.head.bias[...] = bare.head.bias
    indices = bare.encode("(a(b))\n")
    np.testing.assert_allclose(bare.forward(indices), reference.forward(indices))
    states = bare.states(indices)
    np.testing.assert_allclose(states["twice h"], 2 * states["h"])
    # sampling falls back to re-running the prefix and draws the same text
    assert bare.sample(30, rng=5) == reference.sample(30, rng=5)
    x, y = next_character_pairs(bare.encode(corpora.dyck(2, 7, rng=0)[0]))
    _, d_logits = cells.cross_entropy(bare.forward(x), y)
    _, grads = bare.backward(d_logits)
    cells.gradcheck(lambda: cells.cross_entropy(bare.forward(x), y)[0], bare.params(), grads, max_entries=5)


def test_sampling_at_a_low_temperature_is_the_argmax_and_reproducible():
    model = CharLanguageModel(ALPHABET, 6, cell="lstm", rng=4)
    text = model.sample(40, temperature=1e-9, rng=0)  # logits of an untrained model can lie 1e-5 apart
    assert len(text) == 40 and set(text) <= set(ALPHABET)
    greedy, history = [], list(model.encode("\n"))
    for _ in range(40):
        logits = model.forward(np.array(history))[-1]
        history.append(int(np.argmax(logits)))
        greedy.append(history[-1])
    assert text == model.decode(np.array(greedy))
    assert model.sample(40, rng=1) == model.sample(40, rng=1)


def test_sampling_frequencies_follow_the_softmax_at_the_temperature():
    model = CharLanguageModel("ab", 2, cell="rnn", rng=0)
    model.rnn.params()["weight_hh_l0"][...] = 0.0  # no memory: every step has the same distribution
    model.head.weight[...] = 0.0
    model.head.bias[...] = [0.0, 1.0]
    for temperature in (0.5, 2.0):
        text = model.sample(4000, temperature=temperature, rng=2, prime="a")
        expected = 1 / (1 + np.exp(1.0 / temperature))  # p(a) = e^0 / (e^0 + e^(1/T))
        assert text.count("a") / 4000 == pytest.approx(expected, abs=0.03)


def test_correlations_agree_with_numpy_corrcoef_and_best_unit_takes_the_largest_magnitude():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=(50, 3))
    values = np.stack([labels + rng.normal(0, 3, labels.shape), -labels + rng.normal(0, 0.1, labels.shape),
                       np.ones(labels.shape)], axis=-1)
    r = correlations(values, labels)
    for unit in range(2):
        assert r[unit] == pytest.approx(np.corrcoef(values[..., unit].ravel(), labels.ravel())[0, 1])
    assert r[2] == 0.0  # a constant unit
    assert best_unit(values, labels) == (1, pytest.approx(r[1]))
    assert r[1] < -0.99


def test_snapshots_restore_the_parameters():
    model = CharLanguageModel(ALPHABET, 4, cell="gru", rng=0)
    indices = model.encode("(a)(b)\n")
    before, snapshot = model.forward(indices), model.snapshot()
    for p in model.params().values():
        p += 1.0
    assert not np.allclose(model.forward(indices), before)
    model.load(snapshot)
    np.testing.assert_array_equal(model.forward(indices), before)


def test_a_short_training_run_learns_dyck_below_the_unigram_entropy():
    model = CharLanguageModel(ALPHABET, 8, cell="lstm", rng=0, dtype=np.float32)
    rng = np.random.default_rng(1)
    held_out = model.encode(corpora.dyck(4, 300, rng=2)[0])

    def data():
        return next_character_pairs(model.encode(corpora.dyck(16, 33, rng=rng)[0]))

    before = model.bits_per_character(held_out)
    cells.train(model, data, loss="cross_entropy", optimizer=cells.Adam(1e-2), steps=400, progress=False)
    text = "".join(corpora.dyck(2000, 100, rng=3)[0])
    counts = np.array([text.count(c) for c in ALPHABET]) / len(text)
    unigram = -(counts * np.log2(counts)).sum()
    assert model.bits_per_character(held_out) < unigram < before


def test_window_batches_are_shifted_windows_of_the_text():
    text = np.arange(100) % 5
    x, y = window_batches(text, 4, 10, rng=0)()
    assert x.shape == y.shape == (10, 4)
    np.testing.assert_array_equal(y[:-1], x[1:])
    np.testing.assert_array_equal((x[1:] - x[:-1]) % 5, 1)


def test_errors_are_named():
    with pytest.raises(ValueError, match="alphabet"):
        CharLanguageModel("aa", 3)
    with pytest.raises(ValueError, match="cell"):
        CharLanguageModel("ab", 3, cell="transformer")
    with pytest.raises(ValueError, match="input_size"):
        CharLanguageModel("abc", cell=cells.GRU(2, 3))
    model = CharLanguageModel("ab", 3)
    with pytest.raises(ValueError, match="not in the alphabet"):
        model.encode("abc")
    with pytest.raises(ValueError, match="temperature"):
        model.sample(5, temperature=0)
    with pytest.raises(ValueError, match="forward"):
        CharLanguageModel("ab", 3).backward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="text"):
        window_batches(np.arange(5), 2, 10)


def test_corpus_run_keeps_checkpoints_and_reports_the_best_unit():
    from cells.language_model import corpus_run

    run = corpus_run("quotes", cell="gru", hidden_size=4, seed=3, steps=20, batch_size=4, length=16,
                     held_out=(3, 50), checkpoints=4)
    assert len(run["checkpoints"]) == 5 and run["characters"] == 20 * 4 * 16
    assert run["history"].eval_steps == [5, 10, 15, 20]
    model, (indices, labels) = run["model"], run["held_out"]
    np.testing.assert_array_equal(run["checkpoints"][-1]["head.weight"], model.head.weight)
    r = correlations(model.states(indices)["h"], labels)
    assert run["unit"] == int(np.argmax(np.abs(r))) and run["r"] == pytest.approx(r[run["unit"]])
    model.load(run["checkpoints"][0])
    assert run["untrained_bits_per_character"] == pytest.approx(model.bits_per_character(indices))
    # a plug-in layer through a factory, drawn from the run's generator
    bare = corpus_run("dyck", cell=lambda d, h, rng: cells.GRU(d, h, rng=rng), hidden_size=3, steps=2,
                      batch_size=2, length=8, held_out=(2, 20))
    assert bare["model"].hidden_size == 3 and -1 <= bare["r"] <= 1
