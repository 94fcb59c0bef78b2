"""Exercise variants: seed 0 is the book's numbers, another seed gives other numbers, checkers follow."""

import math

import numpy as np
import pytest

import cells
from exercises import lstm, variants


def one_step_answer(numbers):
    """(c_t, h_t) by the formulas, not by the checker's code."""
    c_t = numbers["f"] * numbers["c_prev"] + numbers["i"] * numbers["g"]
    return c_t, numbers["o"] * math.tanh(c_t)


def test_seed_zero_is_the_book():
    book = lstm.parameters(0)
    assert book["ONE_STEP"] == lstm.ONE_STEP
    assert book["TORCH_COUNT_SIZES"] == lstm.TORCH_COUNT_SIZES
    assert book["STACKED_SIZES"] == lstm.STACKED_SIZES
    assert lstm.parameters() == book  # no seed anywhere: the book's numbers


def test_seeds_give_their_own_numbers_every_time():
    drawn = [lstm.parameters(seed) for seed in range(1, 21)]
    assert drawn[0] == lstm.parameters(1)  # reproducible
    distinct = {repr(numbers) for numbers in drawn} | {repr(lstm.parameters(0))}
    assert len(distinct) == 21
    for numbers in drawn:
        gates = numbers["ONE_STEP"]
        assert gates["i"] != gates["f"]  # so that swapping i and f is told apart
        assert all(0 < gates[name] < 1 for name in "ifo")
        assert gates["c_prev"] != 0 and gates["g"] != 0


def test_checkers_follow_the_active_seed(monkeypatch, capsys):
    seeded = lstm.parameters(7)["ONE_STEP"]
    with variants.using_seed(7):
        assert lstm.check_one_step_by_hand(one_step_answer(seeded))
        assert not lstm.check_one_step_by_hand(one_step_answer(lstm.ONE_STEP))
    assert lstm.check_one_step_by_hand(one_step_answer(lstm.ONE_STEP))
    monkeypatch.setenv(variants.ENVIRONMENT_VARIABLE, "7")
    assert variants.active_seed() == 7
    assert lstm.check_one_step_by_hand(one_step_answer(seeded))
    capsys.readouterr()


def test_count_checkers_follow_the_seed(capsys):
    sizes = lstm.parameters(3)
    d, h = sizes["TORCH_COUNT_SIZES"]["input_size"], sizes["TORCH_COUNT_SIZES"]["hidden_size"]
    torch_count = 4 * h * d + 4 * h * h + 8 * h  # PyTorch: two bias vectors per gate block
    d2, h2 = sizes["STACKED_SIZES"]["input_size"], sizes["STACKED_SIZES"]["hidden_size"]
    keras_stack = 2 * (4 * h2 * d2 + 4 * h2 * h2 + 4 * h2) + 2 * (4 * h2 * 2 * h2 + 4 * h2 * h2 + 4 * h2)
    with variants.using_seed(3):
        assert lstm.check_param_count_torch(torch_count)
        assert lstm.check_param_count_stacked(keras_stack)
        assert not lstm.check_param_count_torch(cells.count_params("lstm", 40, 256).total)
    capsys.readouterr()


def test_seed_file_and_precedence(monkeypatch):
    variants.SEED_FILE.write_text("12\n")
    assert variants.active_seed() == 12
    monkeypatch.setenv(variants.ENVIRONMENT_VARIABLE, "5")
    assert variants.active_seed() == 5
    with variants.using_seed(9):
        assert variants.active_seed() == 9
        with variants.using_seed(0):
            assert variants.active_seed() == 0
        assert variants.active_seed() == 9
    assert variants.active_seed() == 5


@pytest.mark.parametrize("bad", ["abc", "-3", "1.5"])
def test_a_bad_seed_is_named(monkeypatch, bad):
    monkeypatch.setenv(variants.ENVIRONMENT_VARIABLE, bad)
    with pytest.raises(ValueError, match="Expected .*seed.*" + bad.replace(".", r"\.")):
        variants.active_seed()


def test_generator_is_per_seed_and_name():
    first = variants.generator(1, "lstm").integers(0, 10**9, 4)
    assert np.array_equal(first, variants.generator(1, "lstm").integers(0, 10**9, 4))
    assert not np.array_equal(first, variants.generator(2, "lstm").integers(0, 10**9, 4))
    assert not np.array_equal(first, variants.generator(1, "gru").integers(0, 10**9, 4))


def test_mlp_checkers_follow_the_seed(capsys):
    from exercises import mlp

    book = mlp.parameters(0)
    assert {name: book[name] for name in ("LAYER", "DENSE")} == {
        "LAYER": {"in_features": 5, "out_features": 3, "batch": 8},
        "DENSE": {"in_features": 784, "out_features": 128}}
    seeded = mlp.parameters(4)
    layer, dense = seeded["LAYER"], seeded["DENSE"]
    assert len({layer["in_features"], layer["out_features"], layer["batch"]}) == 3
    with variants.using_seed(4):
        assert mlp.check_layer_output_shape((layer["batch"], layer["out_features"]))
        assert not mlp.check_layer_output_shape((layer["out_features"], layer["batch"]))
        assert mlp.check_dense_param_count(dense["in_features"] * dense["out_features"] + dense["out_features"])
    assert mlp.check_layer_output_shape((8, 3)) and mlp.check_dense_param_count(784 * 128 + 128)
    capsys.readouterr()
