"""The GRU chapter's variants: what parameters(seed) guarantees for seeds 1..200, and the checkers under a
seed. References are computed here with torch (torch.nn.GRUCell) or closed forms, never by exercises.gru."""

import math

import pytest
import torch

from exercises import gru, variants

SEEDS = range(1, 201)


def quiet(checker, answer, capsys):
    verdict = checker(answer)
    capsys.readouterr()
    return verdict


def torch_one_step(s):
    """(n_t, h_t) of a one-unit torch.nn.GRUCell whose pre-activations are set through its biases."""
    cell = torch.nn.GRUCell(1, 1).double()
    with torch.no_grad():
        for weight in (cell.weight_ih, cell.weight_hh):
            weight.zero_()
        cell.bias_ih.copy_(torch.tensor([s["a_r"], s["a_z"], s["x_n"]]))
        cell.bias_hh.copy_(torch.tensor([0.0, 0.0, s["h_n"]]))
        h = cell(torch.zeros(1, 1, dtype=torch.float64), torch.full((1, 1), s["h_prev"], dtype=torch.float64))
    r = 1 / (1 + math.exp(-s["a_r"]))
    n = math.tanh(s["x_n"] + r * s["h_n"])
    return n, float(h)


def test_seed_zero_is_the_book():
    book = gru.parameters(0)
    assert book == {"ONE_STEP": gru.ONE_STEP, "OTHER_CONVENTION": gru.OTHER_CONVENTION,
                    "KERAS_SIZES": gru.KERAS_SIZES, "HALF_LIFE": {"steps": 50}}
    assert gru.parameters() == book


def test_one_step_draws_are_well_posed():
    book = torch_one_step(gru.ONE_STEP)
    drawn = set()
    for seed in SEEDS:
        s = gru.parameters(seed)["ONE_STEP"]
        drawn.add(tuple(s.values()))
        assert s["a_z"] in (-2, -1, 1, 2) and s["a_r"] in (-1, 0, 1)
        assert 0.2 <= abs(s["h_prev"]) <= 0.9 and 0 < abs(s["x_n"]) <= 1 and 0 < abs(s["h_n"]) <= 1
        n, h = torch_one_step(s)
        z = 1 / (1 + math.exp(-s["a_z"]))
        assert abs(h - (z * n + (1 - z) * s["h_prev"])) > 0.02  # the other convention is told apart
        assert abs(n - math.tanh(s["x_n"] + s["h_n"])) > 0.01  # so is leaving out the reset gate
        r = 1 / (1 + math.exp(-s["a_r"]))
        assert abs(n - (s["x_n"] + r * s["h_n"])) > 0.005, seed  # and leaving out the tanh
        assert abs(n - book[0]) > 0.01 or abs(h - book[1]) > 0.01  # the book's answer fails
    assert len(drawn) > 150


@pytest.mark.parametrize("seed", [1, 2, 5, 8, 13, 21])
def test_one_step_checker_follows_the_seed(seed, capsys):
    s = gru.parameters(seed)["ONE_STEP"]
    n, h = torch_one_step(s)
    z = 1 / (1 + math.exp(-s["a_z"]))
    with variants.using_seed(seed):
        assert quiet(gru.check_one_step_by_hand, (round(n, 3), round(h, 3)), capsys)
        assert not quiet(gru.check_one_step_by_hand, torch_one_step(gru.ONE_STEP), capsys)
        gru.check_one_step_by_hand((n, z * n + (1 - z) * s["h_prev"]))
        assert "other convention" in capsys.readouterr().out


def test_convention_draws_and_checker(capsys):
    for seed in SEEDS:
        other = gru.parameters(seed)["OTHER_CONVENTION"]
        z_prime, b_prime = other["z_prime"], other["bias"]
        assert z_prime != 0.5 and 0 < z_prime < 1 and 0.5 <= b_prime <= 3.0
        assert other != gru.OTHER_CONVENTION
        if seed <= 20:
            with variants.using_seed(seed):
                assert quiet(gru.check_z_convention, (1 - z_prime, -b_prime), capsys)
                assert not quiet(gru.check_z_convention, (z_prime, b_prime), capsys)
                assert not quiet(gru.check_z_convention, (1 - z_prime, b_prime), capsys)
                assert not quiet(gru.check_z_convention, (0.1, -2.0), capsys) or (z_prime, b_prime) == (0.9, 2.0)


def keras_gru_count(d, h):
    """keras.layers.GRU(h, reset_after=False) on d inputs: kernel d x 3h, recurrent kernel h x 3h, bias 3h."""
    return d * 3 * h + h * 3 * h + 3 * h


def test_keras_count_draws_and_checker(capsys):
    for seed in SEEDS:
        sizes = gru.parameters(seed)["KERAS_SIZES"]
        d, h = sizes["input_size"], sizes["hidden_size"]
        assert 8 <= d <= 80 and 16 <= h <= 256 and d != h
        assert keras_gru_count(d, h) != keras_gru_count(20, 64)
        if seed <= 20:
            with variants.using_seed(seed):
                assert quiet(gru.check_keras_param_count, keras_gru_count(d, h), capsys)
                assert not quiet(gru.check_keras_param_count, keras_gru_count(20, 64), capsys)
                assert not quiet(gru.check_keras_param_count, keras_gru_count(d, h) + 3 * h, capsys)


def half_life_bias(steps):
    z = 0.5 ** (1 / steps)
    return math.log(z / (1 - z))


def test_half_life_draws_and_checker(capsys):
    checked = set()
    for seed in SEEDS:
        steps = gru.parameters(seed)["HALF_LIFE"]["steps"]
        assert 20 <= steps <= 200 and steps != 50
        assert abs(half_life_bias(steps) - half_life_bias(50)) > 0.02
        if steps not in checked:
            checked.add(steps)
            with variants.using_seed(seed):
                assert quiet(gru.check_update_half_life, round(half_life_bias(steps), 2), capsys)
                assert not quiet(gru.check_update_half_life, round(half_life_bias(50), 2), capsys)
                assert not quiet(gru.check_update_half_life, -round(half_life_bias(steps), 2), capsys)
    assert len(checked) > 5


@pytest.mark.parametrize("seed", [5, 13, 21, 3, 2027])
def test_one_step_checker_catches_a_missing_tanh(seed, capsys):
    s = gru.parameters(seed)["ONE_STEP"]
    r, z = (1 / (1 + math.exp(-s[k])) for k in ("a_r", "a_z"))
    n = s["x_n"] + r * s["h_n"]  # the pre-activation, not squashed
    with variants.using_seed(seed):
        assert not quiet(gru.check_one_step_by_hand, (round(n, 3), round((1 - z) * n + z * s["h_prev"], 3)), capsys)
