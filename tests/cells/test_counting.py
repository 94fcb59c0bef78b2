"""count_params against real torch modules and against Keras's / TF1's published formulas."""

import numpy as np
import pytest
import torch

import cells

TORCH_LAYERS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def torch_configs():
    rng = np.random.default_rng(7)
    configs = []
    for case in range(24):
        configs.append(dict(kind=["rnn", "lstm", "gru"][case % 3], input_size=int(rng.integers(1, 40)),
                            hidden_size=int(rng.integers(1, 40)), num_layers=int(rng.integers(1, 4)),
                            bidirectional=bool(rng.integers(2)), bias=bool(rng.integers(2))))
    return configs


@pytest.mark.parametrize("config", torch_configs(), ids=lambda c: "-".join(str(v) for v in c.values()))
def test_torch_convention_counts_real_modules(config):
    kind = config.pop("kind")
    module = TORCH_LAYERS[kind](**config)
    count = cells.count_params(kind, **config)
    named = dict(module.named_parameters())
    assert count.total == sum(p.numel() for p in named.values())
    assert count.weights == sum(p.numel() for n, p in named.items() if n.startswith("weight"))
    assert count.biases == sum(p.numel() for n, p in named.items() if n.startswith("bias"))
    for entry in count.breakdown:
        suffix = f"_l{entry['layer']}" + ("_reverse" if entry["direction"] == "reverse" else "")
        assert entry["weights"] == named["weight_ih" + suffix].numel() + named["weight_hh" + suffix].numel()
        assert entry["biases"] == sum(named[b + suffix].numel() for b in ("bias_ih", "bias_hh") if b + suffix in named)
    assert len(count.breakdown) == config["num_layers"] * (2 if config["bidirectional"] else 1)


def test_reader_question_lstm_28_128():
    """d = 28, h = 128: 156 x 512 = 79,872 weights; 512 biases in Keras, 1,024 in PyTorch."""
    keras = cells.count_params("lstm", 28, 128, convention="keras")
    torch_count = cells.count_params("lstm", 28, 128)
    assert keras.weights == torch_count.weights == (28 + 128) * 4 * 128
    assert (keras.biases, torch_count.biases) == (4 * 128, 2 * 4 * 128)


@pytest.mark.parametrize("d,h", [(1, 1), (3, 5), (28, 128), (100, 7)])
def test_keras_and_tf1_published_formulas(d, h):
    assert cells.count_params("lstm", d, h, convention="keras").total == 4 * (d * h + h * h + h)
    assert cells.count_params("gru", d, h, convention="keras").total == 3 * (d * h + h * h + 2 * h)
    assert cells.count_params("gru", d, h, convention="keras", reset_after=False).total == 3 * (d * h + h * h + h)
    assert cells.count_params("rnn", d, h, convention="keras").total == d * h + h * h + h
    assert cells.count_params("lstm", d, h, convention="tf1").total == (d + h) * 4 * h + 4 * h
    assert cells.count_params("gru", d, h, convention="tf1").total == 3 * (d * h + h * h + h)
    assert cells.count_params("lstm", d, h, convention="keras", bias=False).total == 4 * (d * h + h * h)
    assert cells.count_params("lstm", d, h).total == 4 * (d * h + h * h + 2 * h)


def test_stacked_bidirectional_keras_layer_two_sees_h_times_directions():
    d, h = 10, 6
    count = cells.count_params("gru", d, h, num_layers=2, bidirectional=True, convention="keras")
    first, second = 3 * (d * h + h * h + 2 * h), 3 * (2 * h * h + h * h + 2 * h)
    assert count.total == 2 * first + 2 * second
    assert [(b["layer"], b["direction"]) for b in count.breakdown] == [
        (0, "forward"), (0, "reverse"), (1, "forward"), (1, "reverse")]
    assert count.breakdown[2]["weights"] == 3 * (2 * h * h + h * h)


def test_count_does_not_depend_on_sequence_length_or_time():
    """The misconception 'cells = time steps x layers': the signature has no T at all, and a
    numpy layer's parameter arrays match the count."""
    cell = cells.LSTMCell(28, 128, rng=0)
    assert sum(p.size for p in cell.params().values()) == cells.count_params("lstm", 28, 128).total


@pytest.mark.parametrize("kwargs,match", [
    (dict(kind="transformer"), r"kind must be one of 'rnn', 'lstm', 'gru', 'mingru', 'minlstm'; got 'transformer'"),
    (dict(convention="jax"), r"convention must be one of 'torch', 'keras', 'tf1'; got 'jax'"),
    (dict(hidden_size=0), r"hidden_size must be a positive integer; got 0"),
    (dict(input_size=2.5), r"input_size must be a positive integer; got 2.5"),
    (dict(num_layers=True), r"num_layers must be a positive integer; got True"),
    (dict(bidirectional="yes"), r"bidirectional must be True or False; got 'yes'"),
    (dict(convention="tf1", bias=False), r"TF1.*bias=False"),
    (dict(kind="gru", proj_size=2), r"proj_size is an option of PyTorch's LSTM only"),
    (dict(convention="keras", proj_size=2), r"proj_size is an option of PyTorch's LSTM only"),
    (dict(proj_size=4), r"proj_size p must be smaller than hidden_size h"),
    (dict(proj_size=-1), r"proj_size must be 0 \(none\) or a positive integer; got -1"),
    (dict(head=2.0), r"head must be 0 \(none\) or a positive integer; got 2.0"),
])
def test_count_params_errors(kwargs, match):
    args = dict(kind="lstm", input_size=3, hidden_size=4) | kwargs
    with pytest.raises(ValueError, match=match):
        cells.count_params(**args)


def keras_configs():
    rng = np.random.default_rng(17)
    configs = []
    for case in range(32):
        kind = ["rnn", "lstm", "gru", "gru"][case % 4]
        configs.append(dict(kind=kind, input_size=int(rng.integers(1, 40)), hidden_size=int(rng.integers(1, 40)),
                            num_layers=int(rng.integers(1, 4)), bidirectional=bool(rng.integers(2)),
                            bias=bool(rng.integers(2)), reset_after=case % 4 == 2))
    return configs


@pytest.mark.parametrize("config", keras_configs(), ids=lambda c: "-".join(str(v) for v in c.values()))
def test_keras_convention_counts_real_keras_models(config):
    """A stacked (possibly bidirectional) Keras model, counted by Keras itself, per level and in total."""
    import keras  # tests/conftest.py has set the torch backend

    layers = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    layer_class = layers[config["kind"]]
    options = {"reset_after": config["reset_after"]} if config["kind"] == "gru" else {}
    levels = []
    for _ in range(config["num_layers"]):
        level = layer_class(config["hidden_size"], use_bias=config["bias"], return_sequences=True, **options)
        levels.append(keras.layers.Bidirectional(level) if config["bidirectional"] else level)
    model = keras.Sequential([keras.Input((None, config["input_size"]))] + levels)
    count = cells.count_params(convention="keras", **config)
    assert count.total == model.count_params()
    directions = 2 if config["bidirectional"] else 1
    for index, level in enumerate(levels):
        entries = count.breakdown[index * directions:(index + 1) * directions]
        assert sum(e["weights"] + e["biases"] for e in entries) == level.count_params()
        keras_biases = sum(int(np.prod(w.shape)) for w in level.weights if w.path.endswith("bias"))
        assert sum(e["biases"] for e in entries) == keras_biases


def test_reader_question_lstm_28_128_in_real_keras_and_real_torch():
    """The seed thread's LSTM (d = 28, h = 128) with a 10-class softmax head, counted by both frameworks."""
    import keras

    model = keras.Sequential([keras.Input((None, 28)), keras.layers.LSTM(128), keras.layers.Dense(10)])
    head = 128 * 10 + 10
    keras_count = cells.count_params("lstm", 28, 128, convention="keras").total
    assert model.count_params() == keras_count + head == 81_674
    torch_lstm = torch.nn.LSTM(28, 128)
    torch_count = cells.count_params("lstm", 28, 128).total
    assert sum(p.numel() for p in torch_lstm.parameters()) == torch_count == 80_896


@pytest.mark.parametrize("seed", range(12))
def test_torch_lstm_with_proj_size_and_a_linear_head_counts_real_modules(seed):
    """proj_size = p adds weight_hr (p, h) and W_hh reads p numbers; later layers and the head read p * directions."""
    rng = np.random.default_rng(seed)
    h = int(rng.integers(2, 30))
    d, p, n = int(rng.integers(1, 30)), int(rng.integers(1, h)), int(rng.integers(1, 12))
    layers = int(rng.integers(1, 4))
    bidirectional = bool(seed % 2)
    lstm = torch.nn.LSTM(d, h, num_layers=layers, bidirectional=bidirectional, proj_size=p)
    head = torch.nn.Linear(p * (2 if bidirectional else 1), n)
    count = cells.count_params("lstm", d, h, num_layers=layers, bidirectional=bidirectional, proj_size=p, head=n)
    named = dict(lstm.named_parameters()) | {f"head.{k}": v for k, v in head.named_parameters()}
    assert count.total == sum(v.numel() for v in named.values())
    assert count.weights == sum(v.numel() for k, v in named.items() if "weight" in k)
    assert count.biases == sum(v.numel() for k, v in named.items() if "bias" in k)
    # every array, in torch's names and shapes
    for array in count.arrays:
        if array["layer"] == "head":
            name = "head." + array["name"].split()[-1]
        else:
            name = f"{array['name']}_l{array['layer']}" + ("_reverse" if array["direction"] == "reverse" else "")
        assert tuple(named.pop(name).shape) == array["shape"], name
    assert not named


@pytest.mark.parametrize("kind, reset_after, bidirectional, layers", [
    ("gru", True, False, 1), ("gru", False, True, 2), ("lstm", True, False, 1), ("lstm", True, True, 3),
    ("rnn", True, False, 2)])
def test_keras_dense_head_counts_real_keras_models(kind, reset_after, bidirectional, layers):
    import keras

    layer_class = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    options = {"reset_after": reset_after} if kind == "gru" else {}
    levels = []
    for level in range(layers):
        layer = layer_class(7, return_sequences=level + 1 < layers, **options)
        levels.append(keras.layers.Bidirectional(layer) if bidirectional else layer)
    model = keras.Sequential([keras.Input((None, 5))] + levels + [keras.layers.Dense(3)])
    count = cells.count_params(kind, 5, 7, num_layers=layers, bidirectional=bidirectional, convention="keras",
                               reset_after=reset_after, head=3)
    assert count.total == model.count_params()
    assert count.breakdown[-1] == {"layer": layers, "direction": "head", "weights": 7 * (2 if bidirectional else 1) * 3,
                                   "biases": 3}


def test_the_learners_questions():
    """keras.layers.GRU(20) on 10 features: 1,920 (reset_after=True, the default), 1,860 (False); an LSTM on
    28 inputs with 128 units and a Dense(10) head: 81,674 in Keras; TF1's BasicLSTMCell(128) on 28: 80,384.
    The expected numbers are worked by hand from the published formulas."""
    assert cells.count_params("gru", 10, 20, convention="keras").total == 3 * (10 * 20 + 20 * 20 + 2 * 20) == 1920
    assert cells.count_params("gru", 10, 20, convention="keras", reset_after=False).total == 1860
    assert cells.count_params("lstm", 28, 128, convention="keras", head=10).total == 4 * (156 * 128 + 128) + 1290
    assert cells.count_params("lstm", 28, 128, convention="tf1").total == 156 * 512 + 512 == 80_384


def test_the_plan_is_json_and_its_sizes_read_back():
    import json

    from cells.counting import network_plan, size_terms, size_text

    plan = network_plan("lstm", "torch", bidirectional=True)
    assert json.loads(json.dumps(plan)) == plan
    assert size_terms("2L - 2") == [[2, "L"], [-2, ""]] and size_text(size_terms("2r + h - r")) == "r + h"
    with pytest.raises(ValueError, match="cannot read the size"):
        size_terms("4q")
