"""Variants of the chapter "From the MLP to sequences": seed 0 is the book's numbers, every other seed
draws numbers that keep each exercise well-posed (the guarantees of ``mlp.parameters``), and the
checkers follow the seed. References are worked out here by the closed forms, not by the checkers' code.
"""

import math

import pytest
import torch

from exercises import mlp, variants

SEEDS = range(1, 201)


@pytest.fixture(scope="module")
def drawn():
    return {seed: mlp.parameters(seed) for seed in SEEDS}


def unit_answer(unit):
    z = sum(w * x for w, x in zip(unit["weights"], unit["x"])) + unit["bias"]
    return z, math.tanh(z)


def recurrence_answer(v):
    z = v["weight_ih"] * v["x"] + v["bias_ih"] + v["weight_hh"] * v["h_prev"] + v["bias_hh"]
    return z, math.tanh(z)


def mlp_count(sizes):
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


BOOK_UNIT = math.tanh(0.5 * 1 - 1 * 2 + 2 * 0.5 + 0.1)
BOOK_STEP = math.tanh(0.5 * 1 + 0 + 0.9 * 0.6 + 0.1)
BOOK_MLP = (784 * 128 + 128) + (128 * 64 + 64) + (64 * 10 + 10)
BOOK_WINDOW = 64 * 20 * 3
BOOK_DENSE = 128 * 784 + 128


def test_seed_zero_is_the_book():
    book = mlp.parameters(0)
    assert book["UNIT"] == {"weights": (0.5, -1.0, 2.0), "bias": 0.1, "x": (1.0, 2.0, 0.5)}
    assert list(book["MLP_COUNT"].values()) == [784, 128, 64, 10]
    assert book["WINDOW"] == {"steps": 20, "features": 3, "units": 64}
    assert book["RECURRENCE"] == {"weight_ih": 0.5, "bias_ih": 0.0, "weight_hh": 0.9, "bias_hh": 0.1,
                                  "h_prev": 0.6, "x": 1.0}
    assert mlp.parameters() == book


def test_draws_are_reproducible_and_vary(drawn):
    assert mlp.parameters(5) == drawn[5]
    for name in ("UNIT", "MLP_COUNT", "WINDOW", "RECURRENCE"):
        assert len({repr(numbers[name]) for numbers in drawn.values()}) > 50, name


def test_unit_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        unit = numbers["UNIT"]
        z, answer = unit_answer(unit)
        assert 0.4 <= abs(z) <= 1.6, seed
        assert all(w != 0 and 2 * w == int(2 * w) and abs(w) <= 2 for w in unit["weights"] + unit["x"])
        assert 0.1 <= abs(unit["bias"]) <= 0.5
        slips = [z, math.tanh(z - unit["bias"]), z - unit["bias"], 1 / (1 + math.exp(-z)), -answer, BOOK_UNIT]
        assert min(abs(answer - slip) for slip in slips) >= 0.01, seed


def test_recurrence_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        values = numbers["RECURRENCE"]
        z, answer = recurrence_answer(values)
        assert values["bias_ih"] == 0  # the text states b_ih = 0 in every seed
        assert 0.4 <= abs(z) <= 1.6 and abs(values["h_prev"]) < 1, seed
        no_memory = math.tanh(z - values["weight_hh"] * values["h_prev"])
        no_bias = math.tanh(z - values["bias_hh"])
        assert min(abs(answer - slip) for slip in (z, no_memory, no_bias, BOOK_STEP)) >= 0.01, seed


def test_dense_draws_are_not_the_book_and_tell_the_bias_slip_apart(drawn, capsys):
    for seed, numbers in drawn.items():
        dense_in, dense_out = numbers["DENSE"]["in_features"], numbers["DENSE"]["out_features"]
        linear = torch.nn.Linear(dense_in, dense_out)
        count = linear.weight.numel() + linear.bias.numel()
        with variants.using_seed(seed):
            assert mlp.check_dense_param_count(count), seed
            assert not mlp.check_dense_param_count(BOOK_DENSE), seed  # (784, 128) drawn again
            assert not mlp.check_dense_param_count(dense_in * dense_out + dense_in), seed  # a bias per input
    capsys.readouterr()


def test_count_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        sizes = list(numbers["MLP_COUNT"].values())
        assert len(sizes) == 4 and sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 4
        assert 2 <= sizes[-1] and sizes[0] <= 1024
        assert mlp_count(sizes) != BOOK_MLP
        window = numbers["WINDOW"]
        steps, features, units = window["steps"], window["features"], window["units"]
        assert 8 <= steps <= 40 and 2 <= features <= 8 and 16 <= units <= 128
        weights = steps * features * units
        recurrent = features * units + units * units
        assert weights not in (recurrent, features * units, steps * units, BOOK_WINDOW), seed


@pytest.mark.parametrize("seed", [1, 7, 11, 42, 199])
def test_checkers_follow_the_seed(seed, drawn, capsys):
    numbers = drawn[seed]
    sizes = list(numbers["MLP_COUNT"].values())
    window = numbers["WINDOW"]
    with variants.using_seed(seed):
        assert mlp.check_unit_by_hand(round(unit_answer(numbers["UNIT"])[1], 3))
        assert not mlp.check_unit_by_hand(BOOK_UNIT)
        assert not mlp.check_unit_by_hand(unit_answer(numbers["UNIT"])[0])  # the pre-activation
        assert mlp.check_mlp_param_count(mlp_count(sizes))
        assert not mlp.check_mlp_param_count(BOOK_MLP)
        assert mlp.check_window_weights(window["steps"] * window["features"] * window["units"])
        assert not mlp.check_window_weights(BOOK_WINDOW)
        assert mlp.check_recurrence_step(round(recurrence_answer(numbers["RECURRENCE"])[1], 3))
        assert not mlp.check_recurrence_step(BOOK_STEP)
    out = capsys.readouterr().out
    assert "pre-activation" in out  # the slip got its own feedback under the seed
    assert mlp.check_unit_by_hand(BOOK_UNIT) and mlp.check_window_weights(BOOK_WINDOW)
    capsys.readouterr()


def test_slips_get_their_feedback_under_a_seed(drawn, capsys):
    seed = 3
    window = drawn[seed]["WINDOW"]
    steps, features, units = window["steps"], window["features"], window["units"]
    with variants.using_seed(seed):
        assert not mlp.check_window_weights(features * units)
        assert "reused the same weights" in capsys.readouterr().out
        assert not mlp.check_window_weights(steps * features * units + units)
        assert "includes the biases" in capsys.readouterr().out
        sizes = list(drawn[seed]["MLP_COUNT"].values())
        assert not mlp.check_mlp_param_count(sum(a * b for a, b in zip(sizes, sizes[1:])))
        assert "add one bias per unit" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["RECURRENCE", "UNIT"])
def test_by_hand_answer_rounded_to_two_decimals_is_told_to_round_less(name, drawn, capsys):
    """Both by-hand exercises ask for three decimals (issue 20: 0.81 was told its method was wrong)."""
    answer_of, check = {"RECURRENCE": (recurrence_answer, mlp.check_recurrence_step),
                        "UNIT": (unit_answer, mlp.check_unit_by_hand)}[name]
    told = 0
    for seed, numbers in drawn.items():
        answer = answer_of(numbers[name])[1]
        two_decimals = round(answer, 2)
        with variants.using_seed(seed):
            assert check(round(answer, 3)), seed
            result = check(two_decimals)
        out = " ".join(capsys.readouterr().out.split())  # line wrapping undone
        if abs(two_decimals - answer) < 1e-3:
            assert result, seed  # rounding to two decimals happened to lose nothing that matters
        else:
            assert not result and "round less" in out, seed
            told += 1
    assert told > 100
