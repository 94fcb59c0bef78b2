"""cells.from_keras / cells.to_keras against real Keras 3 (torch backend, set in tests/conftest.py).

Every configuration is drawn from a seeded generator (its id says which). Keras initialises its
biases to constants (zeros; ones in the LSTM's forget block), so every test overwrites all weights,
biases included, with random numbers: a bias put in the wrong place would otherwise go unnoticed.
"""

import warnings

import keras
import numpy as np
import pytest
import torch

import cells

KERAS_LAYERS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
KERAS_CELLS = {"lstm": keras.layers.LSTMCell, "gru": keras.layers.GRUCell, "rnn": keras.layers.SimpleRNNCell}
CELLS_LAYERS = {"lstm": cells.LSTM, "gru": cells.GRU, "rnn": cells.RNN}
KINDS = ("lstm", "gru", "gru_reset_before", "rnn")
# Keras computes in float32 (the cells layers here in float32 or float64); outputs reach about 10 with relu
FLOAT32 = dict(atol=1e-5, rtol=1e-5)


def keras_output(layer, x):
    return np.asarray(keras.ops.convert_to_numpy(layer(x)))


def randomize(layer, rng, scale=0.6):
    """Every Keras weight (biases too) drawn at random, in the layer's dtype."""
    layer.set_weights([rng.normal(scale=scale, size=w.shape).astype(w.dtype) for w in layer.get_weights()])


def keras_options(config):
    options = {"use_bias": config["bias"]}
    if config["kind"] == "rnn":
        options["activation"] = config["activation"]
    if config["kind"].startswith("gru"):
        options["reset_after"] = config["kind"] == "gru"
    return options


def build_keras(config, rng):
    kind = config["kind"][:3] if config["kind"] != "lstm" else "lstm"
    options = keras_options(config)
    if config["wrapper"] == "RNN":
        inner = keras.layers.RNN(KERAS_CELLS[kind](config["h"], **options), return_sequences=True)
    else:
        inner = KERAS_LAYERS[kind](config["h"], return_sequences=True, **options)
    layer = keras.layers.Bidirectional(inner) if config["bidirectional"] else inner
    layer.build((None, None, config["d"]))
    randomize(layer, rng)
    return layer


def random_configs(count, seed):
    rng = np.random.default_rng(seed)
    configs = []
    for case in range(count):
        kind = KINDS[case % len(KINDS)]
        config = dict(
            kind=kind,
            T=int(rng.integers(1, 8)),
            B=int(rng.integers(1, 5)),
            d=int(rng.integers(1, 7)),
            h=int(rng.integers(1, 9)),
            bias=bool(rng.integers(2)),
            bidirectional=bool(rng.integers(2)),
            wrapper=str(rng.choice(["layer", "RNN"])),
            activation=str(rng.choice(["tanh", "relu", "sigmoid", "linear"])),
            dtype=str(rng.choice(["float32", "float64"])),
            seed=int(rng.integers(1 << 30)),
        )
        configs.append(pytest.param(config, id=f"{kind}-{case}"))
    return configs


CONFIGS = random_configs(80, seed=13)


@pytest.mark.parametrize("config", CONFIGS)
def test_from_keras_computes_the_keras_sequence_output(config):
    rng = np.random.default_rng(config["seed"])
    layer = build_keras(config, rng)
    x = rng.normal(size=(config["B"], config["T"], config["d"]))
    ours = cells.from_keras(layer)
    expected_class = CELLS_LAYERS["lstm" if config["kind"] == "lstm" else config["kind"][:3]]
    assert type(ours) is expected_class and ours.batch_first and ours.bidirectional == config["bidirectional"]
    output, _ = ours.forward(x)
    theirs = keras_output(layer, x.astype(np.float32))
    assert (
        output.shape
        == theirs.shape
        == (config["B"], config["T"], config["h"] * (1 + config["bidirectional"]))
    )
    np.testing.assert_allclose(output, theirs, **FLOAT32)


@pytest.mark.parametrize("config", CONFIGS[:40])
def test_to_keras_computes_the_cells_output(config):
    rng = np.random.default_rng(config["seed"] + 1)
    kind = "lstm" if config["kind"] == "lstm" else config["kind"][:3]
    options = (
        {"nonlinearity": {"linear": "identity"}.get(config["activation"], config["activation"])}
        if kind == "rnn"
        else {}
    )
    if config["kind"] == "gru_reset_before":
        options["reset_after"] = False
    ours = CELLS_LAYERS[kind](
        config["d"],
        config["h"],
        bias=config["bias"],
        bidirectional=config["bidirectional"],
        batch_first=True,
        rng=rng,
        dtype=config["dtype"],
        **options,
    )
    for name, value in ours.params().items():  # the default initialisation is small; make every weight count
        value[...] = rng.normal(scale=0.6, size=value.shape)
    theirs = cells.to_keras(ours)
    assert theirs.dtype_policy.name == "float32"
    layers = [theirs.forward_layer, theirs.backward_layer] if config["bidirectional"] else [theirs]
    assert all(isinstance(part, KERAS_LAYERS[kind]) and part.return_sequences for part in layers)
    x = rng.normal(size=(config["B"], config["T"], config["d"])).astype(np.float32)
    np.testing.assert_allclose(keras_output(theirs, x), ours.forward(x)[0], **FLOAT32)
    assert theirs.count_params() == sum(
        p.size
        for name, p in ours.params().items()
        if not (name.startswith("bias_hh") and (kind != "gru" or config["kind"] == "gru_reset_before"))
    )


@pytest.mark.parametrize("config", [c for c in CONFIGS[:48] if c.values[0]["kind"] != "gru_reset_before"])
def test_round_trip_keras_cells_torch_cells_keras(config):
    """Keras -> cells -> torch -> cells -> Keras returns Keras's own weights; every stop computes the same."""
    rng = np.random.default_rng(config["seed"] + 2)
    config = dict(
        config,
        activation={"sigmoid": "tanh", "linear": "relu"}.get(config["activation"], config["activation"]),
    )
    original = build_keras(config, rng)  # PyTorch's RNN has tanh and relu only
    x = rng.normal(size=(config["B"], config["T"], config["d"])).astype(np.float32)
    expected = keras_output(original, x)

    first = cells.from_keras(original)
    module = cells.to_torch(first)
    with torch.no_grad():
        np.testing.assert_allclose(
            module(torch.from_numpy(x.astype(np.float64)))[0].numpy(), expected, **FLOAT32
        )
    second = cells.from_torch(module)
    back = cells.to_keras(second)
    for before, after in zip(original.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(before, after)
    # Equal weights; a layer built from RNN(cell) may take another code path than LSTM(...), so not bitwise
    np.testing.assert_allclose(keras_output(back, x), expected, **FLOAT32)


@pytest.mark.parametrize("config", [c for c in CONFIGS if c.values[0]["kind"] == "gru_reset_before"][:10])
def test_round_trip_of_a_reset_before_gru_through_cells(config):
    """PyTorch has no reset_after=False GRU, so this round trip is Keras -> cells -> Keras."""
    rng = np.random.default_rng(config["seed"] + 3)
    original = build_keras(config, rng)
    back = cells.to_keras(cells.from_keras(original))
    inner = back.forward_layer if config["bidirectional"] else back
    assert inner.get_config()["reset_after"] is False
    for before, after in zip(original.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bias", [True, False])
def test_single_cells_step_like_keras_cells(kind, bias):
    rng = np.random.default_rng(len(kind) + bias)
    base = "lstm" if kind == "lstm" else kind[:3]
    options = {"use_bias": bias}
    if base == "gru":
        options["reset_after"] = kind == "gru"
    keras_cell = KERAS_CELLS[base](5, **options)
    keras_cell.build((None, 3))
    randomize(keras_cell, rng)
    ours = cells.from_keras(keras_cell)
    assert type(ours) is {"lstm": cells.LSTMCell, "gru": cells.GRUCell, "rnn": cells.RNNCell}[base]
    x, h = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(4, 5)).astype(np.float32)
    state = [h, rng.normal(size=(4, 5)).astype(np.float32)] if base == "lstm" else [h]
    output, new_state = keras_cell(x, state)
    new_ours, _ = ours.step(x, tuple(state) if base == "lstm" else h)
    np.testing.assert_allclose(
        new_ours[0] if base == "lstm" else new_ours, keras.ops.convert_to_numpy(output), **FLOAT32
    )
    if base == "lstm":
        np.testing.assert_allclose(new_ours[1], keras.ops.convert_to_numpy(new_state[1]), **FLOAT32)
    back = cells.to_keras(ours)
    assert type(back) is type(keras_cell)
    for before, after in zip(keras_cell.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_sequential_becomes_one_stacked_layer_and_back(kind, bidirectional):
    rng = np.random.default_rng(31)
    levels = []
    for _ in range(3):
        level = KERAS_LAYERS[kind](4, return_sequences=True)
        levels.append(keras.layers.Bidirectional(level) if bidirectional else level)
    model = keras.Sequential([keras.Input((None, 3))] + levels)
    randomize(model, rng)
    x = rng.normal(size=(2, 6, 3)).astype(np.float32)
    ours = cells.from_keras(model)
    assert (ours.num_layers, ours.bidirectional) == (3, bidirectional)
    np.testing.assert_allclose(ours.forward(x)[0], keras_output(model, x), **FLOAT32)
    back = cells.to_keras(ours)
    assert isinstance(back, keras.Sequential) and back.count_params() == model.count_params()
    np.testing.assert_array_equal(keras_output(back, x), keras_output(model, x))


def test_gate_orders_are_keras_documented_ones():
    """A weight put only in PyTorch's forget block must land in Keras's second block of four (i, f, c, o),
    and PyTorch's update block (r, z, n: the second) in Keras's first (z, r, h)."""
    lstm = cells.LSTM(2, 3, batch_first=True, rng=0)
    lstm.cells[0][0].weight_ih[...] = 0
    lstm.cells[0][0].weight_ih[3:6] = 1  # f
    kernel = cells.to_keras(lstm).get_weights()[0]
    assert kernel.shape == (2, 12) and np.all(kernel[:, 3:6] == 1) and np.count_nonzero(kernel) == 6
    gru = cells.GRU(2, 3, batch_first=True, rng=0)
    gru.cells[0][0].bias_hh[...] = 0
    gru.cells[0][0].bias_hh[3:6] = 1  # z
    bias = cells.to_keras(gru).get_weights()[2]
    assert (
        bias.shape == (2, 9)
        and np.all(bias[1, 0:3] == 1)
        and np.count_nonzero(bias) == 3 + np.count_nonzero(bias[0])
    )


def refuse(layer, match, build=(None, None, 3)):
    if build is not None:
        layer.build(build)
    with pytest.raises(ValueError, match=match):
        cells.from_keras(layer)


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: keras.layers.LSTM(4, activation="relu"), r"LSTMCell activation must be 'tanh'.*got 'relu'"),
        (
            lambda: keras.layers.GRU(4, recurrent_activation="hard_sigmoid"),
            r"GRUCell recurrent_activation must be 'sigmoid'.*got 'hard_sigmoid'",
        ),
        (
            lambda: keras.layers.SimpleRNN(4, activation="elu"),
            r"SimpleRNN activation must be one of.*got 'elu'",
        ),
        (lambda: keras.layers.LSTM(4, go_backwards=True), r"go_backwards=True"),
        (
            lambda: keras.layers.Bidirectional(keras.layers.GRU(4), merge_mode="sum"),
            r"merge_mode must be 'concat'.*got 'sum'",
        ),
        (
            lambda: keras.layers.Bidirectional(keras.layers.GRU(4), merge_mode=None),
            r"merge_mode must be 'concat'.*got None",
        ),
        (lambda: keras.layers.Dense(4), r"from_keras expects keras.layers.LSTM.*got Dense"),
        (
            lambda: keras.layers.RNN(
                keras.layers.StackedRNNCells([keras.layers.LSTMCell(4), keras.layers.LSTMCell(4)])
            ),
            r"StackedRNNCells",
        ),
        (
            lambda: keras.layers.Bidirectional(
                keras.layers.LSTM(4), backward_layer=keras.layers.LSTM(5, go_backwards=True)
            ),
            r"same kind and settings",
        ),
    ],
)
def test_from_keras_refuses_what_does_not_map(make, match):
    refuse(make(), match)


def test_from_keras_refuses_stateful_unbuilt_and_mixed_stacks():
    stateful = keras.layers.LSTM(4, stateful=True)
    refuse(stateful, r"stateful=True.*expected stateful=False", build=(2, 5, 3))
    refuse(keras.layers.GRU(4), r"not built yet", build=None)
    refuse(
        keras.Sequential(
            [keras.Input((None, 3)), keras.layers.LSTM(4, return_sequences=True), keras.layers.GRU(4)]
        ),
        r"same kind, units, settings and directions",
        build=None,
    )
    refuse(
        keras.Sequential(
            [keras.Input((None, 3)), keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(2)]
        ),
        r"recurrent layers only.*got LSTM, Dense",
        build=None,
    )
    with pytest.raises(ValueError, match=r"from_keras expects .*got str"):
        cells.from_keras("LSTM")


def test_dropout_is_ignored_with_a_warning_and_the_inference_output_matches():
    rng = np.random.default_rng(5)
    layer = keras.layers.LSTM(4, dropout=0.3, recurrent_dropout=0.2, return_sequences=True)
    layer.build((None, None, 3))
    randomize(layer, rng)
    # Recorded by hand rather than with pytest.warns, which would re-emit Keras's own numpy-2
    # DeprecationWarnings that pyproject.toml silences.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        ours = cells.from_keras(layer)
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert any("dropout=0.3, recurrent_dropout=0.2: dropout only acts while Keras trains" in s for s in said), said
    x = rng.normal(size=(2, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(ours.forward(x)[0], keras_output(layer, x), **FLOAT32)


def test_to_keras_refuses_what_is_not_a_recurrent_layer():
    with pytest.raises(ValueError, match=r"to_keras expects a cells RNN, LSTM, GRU.*got Dense"):
        cells.to_keras(cells.Dense(3, 2, rng=0))
    with pytest.raises(ValueError, match=r"dtype must be float32 or float64; got float16"):
        cells.to_keras(cells.LSTM(3, 2, rng=0), dtype="float16")
