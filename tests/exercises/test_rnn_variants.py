"""Variants of the chapter "Recurrent networks": seed 0 is the book's numbers, every other seed draws
numbers that keep each exercise well-posed (the guarantees of ``rnn.parameters``), and the checkers
follow the seed. References come from torch and from the closed forms, not from the checkers' code.
"""

import pytest
import torch

from exercises import rnn, variants

SEEDS = range(1, 201)


@pytest.fixture(scope="module")
def drawn():
    return {seed: rnn.parameters(seed) for seed in SEEDS}


def rnn_count(d, h):
    """torch.nn.RNN(d, h): W_ih, W_hh and PyTorch's two bias vectors."""
    return h * d + h * h + 2 * h


def bidirectional_count(d, h):
    return 2 * rnn_count(d, h) + 2 * rnn_count(2 * h, h)


def torch_shapes(shapes):
    layer = torch.nn.RNN(shapes["input_size"], shapes["hidden_size"], num_layers=shapes["num_layers"],
                         batch_first=True)
    output, h_n = layer(torch.zeros(shapes["batch"], shapes["steps"], shapes["input_size"]))
    return tuple(output.shape), tuple(h_n.shape)


BOOK = {"shapes": ((4, 7, 20), (2, 4, 20)), "count": rnn_count(28, 128), "boxes": (15, 3),
        "bidirectional": (32, 32, bidirectional_count(8, 16)), "matrix": (50, 32)}


def test_seed_zero_is_the_book():
    book = rnn.parameters(0)
    assert book["SHAPES"] == {"batch": 4, "steps": 7, "input_size": 10, "hidden_size": 20, "num_layers": 2}
    assert book["COUNT"] == {"input_size": 28, "hidden_size": 128, "steps": 28, "long_steps": 1000}
    assert book["UNROLL"] == {"layers": 3, "steps": 5}
    assert book["BIDIR"] == {"input_size": 8, "hidden_size": 16, "num_layers": 2}
    assert book["MATRIX"] == {"units": 32, "steps": 50, "features": 3, "batch": 16}
    assert rnn.parameters() == book


def test_draws_are_reproducible_and_vary(drawn):
    assert rnn.parameters(9) == drawn[9]
    for name in ("SHAPES", "COUNT", "UNROLL", "BIDIR", "MATRIX"):
        assert len({repr(numbers[name]) for numbers in drawn.values()}) > 10, name


def test_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        shapes = numbers["SHAPES"]
        assert len(set(shapes.values())) == 5 and shapes["num_layers"] in (2, 3), seed
        assert max(shapes.values()) <= 64
        count = numbers["COUNT"]
        assert count["steps"] not in (count["input_size"], count["hidden_size"])
        assert 500 <= count["long_steps"] <= 10_000 and rnn_count(count["input_size"], count["hidden_size"]) != \
            BOOK["count"]
        unroll = numbers["UNROLL"]
        assert unroll["layers"] != unroll["steps"] and 2 <= unroll["layers"] <= 5 and 3 <= unroll["steps"] <= 9
        assert (unroll["steps"] * unroll["layers"], unroll["layers"]) != BOOK["boxes"]
        bidir = numbers["BIDIR"]
        d, h = bidir["input_size"], bidir["hidden_size"]
        assert d not in (h, 2 * h) and bidir["num_layers"] == 2
        assert (2 * h, 2 * h, bidirectional_count(d, h)) != BOOK["bidirectional"]
        matrix = numbers["MATRIX"]
        assert len(set(matrix.values())) == 4 and (matrix["steps"], matrix["units"]) != BOOK["matrix"]


@pytest.mark.parametrize("seed", [1, 7, 11, 120])
def test_checkers_follow_the_seed(seed, drawn, capsys):
    numbers = drawn[seed]
    shapes, count, unroll = numbers["SHAPES"], numbers["COUNT"], numbers["UNROLL"]
    bidir, matrix = numbers["BIDIR"], numbers["MATRIX"]
    torch_count = sum(p.numel() for p in torch.nn.RNN(count["input_size"], count["hidden_size"]).parameters())
    torch_bidir = torch.nn.RNN(bidir["input_size"], bidir["hidden_size"], num_layers=2, bidirectional=True)
    bidir_total = sum(p.numel() for p in torch_bidir.parameters())
    assert bidir_total == bidirectional_count(bidir["input_size"], bidir["hidden_size"])
    output, _ = torch_bidir(torch.zeros(3, 1, bidir["input_size"]))
    with variants.using_seed(seed):
        assert rnn.check_rnn_shapes(torch_shapes(shapes))
        assert not rnn.check_rnn_shapes(BOOK["shapes"])
        assert rnn.check_rnn_param_count(torch_count) and rnn.check_params_for_long_sequences(torch_count)
        assert not rnn.check_rnn_param_count(BOOK["count"])
        assert not rnn.check_params_for_long_sequences(torch_count * count["long_steps"])
        assert rnn.check_unrolled_counts((unroll["steps"] * unroll["layers"], unroll["layers"]))
        assert not rnn.check_unrolled_counts((unroll["steps"] * unroll["layers"], unroll["steps"]))
        assert rnn.check_bidirectional((output.shape[-1], torch_bidir.weight_ih_l1.shape[1], bidir_total))
        assert not rnn.check_bidirectional(BOOK["bidirectional"])
        assert rnn.check_activation_matrix((matrix["steps"], matrix["units"]))
        assert not rnn.check_activation_matrix((matrix["units"], matrix["steps"]))
    capsys.readouterr()
    assert rnn.check_rnn_shapes(BOOK["shapes"]) and rnn.check_rnn_param_count(BOOK["count"])
    capsys.readouterr()


def test_slips_get_their_feedback_under_a_seed(drawn, capsys):
    seed = 5
    shapes, count, matrix = drawn[seed]["SHAPES"], drawn[seed]["COUNT"], drawn[seed]["MATRIX"]
    batch, steps, hidden = shapes["batch"], shapes["steps"], shapes["hidden_size"]
    with variants.using_seed(seed):
        assert not rnn.check_rnn_shapes(((steps, batch, hidden), (batch, shapes["num_layers"], hidden)))
        out = " ".join(capsys.readouterr().out.split())
        assert "batch-first too" in out and "batch_first does not apply to h_n" in out
        d, h, long_steps = count["input_size"], count["hidden_size"], count["long_steps"]
        assert not rnn.check_params_for_long_sequences(long_steps * h + h * h + 2 * h)
        assert f"still brings {d} features" in " ".join(capsys.readouterr().out.split())
        assert not rnn.check_activation_matrix((matrix["steps"], matrix["features"]))
        assert "That is the input sequence" in " ".join(capsys.readouterr().out.split())


def test_a_missing_weight_matrix_is_named_under_every_seed(drawn, capsys):
    for seed, numbers in drawn.items():
        d, h = numbers["COUNT"]["input_size"], numbers["COUNT"]["hidden_size"]
        with variants.using_seed(seed):
            assert not rnn.check_rnn_param_count(h * h + 2 * h)  # W_hh and the biases, no W_ih
            assert "W_ih are missing" in capsys.readouterr().out, seed
            assert not rnn.check_rnn_param_count(h * d + 2 * h)  # W_ih and the biases, no W_hh
            assert "W_hh are missing" in capsys.readouterr().out, seed


def test_the_bidirectional_feedback_compares_the_layers_as_torch_builds_them(drawn, capsys):
    for seed, numbers in drawn.items():
        d, h = numbers["BIDIR"]["input_size"], numbers["BIDIR"]["hidden_size"]
        layer = torch.nn.RNN(d, h, num_layers=2, bidirectional=True)
        wider = layer.weight_ih_l1.numel() > layer.weight_ih_l0.numel()
        every_layer_reads_d = 4 * rnn_count(d, h)  # W_ih of every layer and direction on d inputs
        with variants.using_seed(seed):
            assert not rnn.check_bidirectional((2 * h, 2 * h, every_layer_reads_d))
        out = " ".join(capsys.readouterr().out.split())
        assert f"W_ih is {'larger' if wider else 'smaller'} than layer 1's" in out, (seed, out)
