"""The LSTM chapter's variants: what parameters(seed) guarantees for seeds 1..200, and the checkers under
a seed. References are computed here by the closed forms (or torch), never by exercises.lstm's code."""

import math

import pytest
import torch

from exercises import lstm, variants

SEEDS = range(1, 201)


def one_seed_per_value(name, key):
    """{drawn value: first seed that draws it}, so that slow checkers run once per distinct value."""
    found = {}
    for seed in SEEDS:
        found.setdefault(lstm.parameters(seed)[name][key], seed)
    return found


def quiet(checker, answer, capsys):
    verdict = checker(answer)
    capsys.readouterr()
    return verdict


def test_seed_zero_is_the_book():
    book = lstm.parameters(0)
    assert book["OVERWRITE_MEMORY"] == lstm.OVERWRITE_MEMORY == {"c_prev": 0.8, "g": -0.5, "tolerance": 1e-9}
    assert book["HALF_LIFE"] == {"steps": 50} and book["BIAS_GAIN"] == {"steps": 50}


def test_overwrite_draws_keep_the_recipe_the_only_answer():
    seen = set()
    for seed in SEEDS:
        memory = lstm.parameters(seed)["OVERWRITE_MEMORY"]
        c_prev, g = memory["c_prev"], memory["g"]
        seen.add((c_prev, g))
        assert c_prev * g < 0  # opposite signs: f * c_prev + i * g = g only for f = 0, i = 1
        assert 0.5 <= abs(g) <= 0.9 and 0.5 <= abs(c_prev) <= 2.0 and abs(c_prev) != 1.0
        # Within the tolerance, on a grid of gates, only gates next to (i, f) = (1, 0) leave c_t at g.
        grid = torch.linspace(0, 1, 21, dtype=torch.float64)
        i, f = torch.meshgrid(grid, grid, indexing="ij")
        accepted = (f * c_prev + i * g - g).abs() <= memory["tolerance"]
        assert bool((i[accepted] >= 0.9).all() and (f[accepted] <= 0.1).all())
    assert len(seen) > 20


@pytest.mark.parametrize("seed", [1, 2, 3, 17, 99])
def test_overwrite_checker_follows_the_seed(seed, capsys):
    memory = lstm.parameters(seed)["OVERWRITE_MEMORY"]
    with variants.using_seed(seed):
        assert quiet(lstm.check_gate_recipe_overwrite, {"i": 1.0, "f": 0.0, "o": 0.0}, capsys)
        assert not quiet(lstm.check_gate_recipe_overwrite, {"i": 0.85, "f": 0.0, "o": 0.0}, capsys)
        assert not quiet(lstm.check_gate_recipe_overwrite, {"i": 1.0, "f": 0.15, "o": 0.0}, capsys)
        assert not quiet(lstm.check_gate_recipe_overwrite, {"i": 1.0, "f": 0.0, "o": 0.15}, capsys)
        lstm.check_gate_recipe_overwrite({"i": 1.0, "f": 1.0, "o": 0.0})
    assert f"{memory['g']:.2f}" in capsys.readouterr().out  # the feedback names this seed's candidate


def half_life_key(steps):
    """The smallest four-decimal f with f ** steps >= 1/2, by exact rational arithmetic."""
    from fractions import Fraction

    k = math.ceil(0.5 ** (1 / steps) * 10**4) - 2
    while Fraction(k, 10**4) ** steps < Fraction(1, 2):
        k += 1
    return k / 10**4


def test_half_life_draws_change_the_answer_and_round_clearly():
    for steps in one_seed_per_value("HALF_LIFE", "steps"):
        assert 20 <= steps <= 200 and steps != 50
        assert half_life_key(steps) != half_life_key(50) == 0.9863
        threshold = 0.5 ** (1 / steps)
        assert abs(threshold * 10**4 - round(threshold * 10**4)) > 1e-3  # no four-decimal value within 1e-7


@pytest.mark.parametrize("steps, seed", sorted(one_seed_per_value("HALF_LIFE", "steps").items()))
def test_half_life_checker_follows_the_seed(steps, seed, capsys):
    key = half_life_key(steps)
    with variants.using_seed(seed):
        assert quiet(lstm.check_forget_gate_half_life, key, capsys)
        assert quiet(lstm.check_forget_gate_half_life, 0.5 ** (1 / steps), capsys)
        assert not quiet(lstm.check_forget_gate_half_life, round(key - 1e-4, 4), capsys)
        assert not quiet(lstm.check_forget_gate_half_life, round(key + 1e-4, 4), capsys)
        assert not quiet(lstm.check_forget_gate_half_life, 0.9863, capsys)  # the book's answer


def gain(steps, sigmoid_of_one=None):
    """(sigma(1) / sigma(0)) ** steps, sigma by torch unless a rounded value is given."""
    forget = float(torch.sigmoid(torch.tensor(1.0, dtype=torch.float64))) if sigmoid_of_one is None else sigmoid_of_one
    return (forget / 0.5) ** steps


def test_bias_gain_draws_change_the_answer():
    book = float(f"{gain(50):.2g}")
    for steps in one_seed_per_value("BIAS_GAIN", "steps"):
        assert 20 <= steps <= 100 and steps != 50
        # the accepted band (exact to rounded sigma, widened by 5%) leaves out the book's answer
        assert not 0.95 * gain(steps, 0.73) <= book <= 1.05 * gain(steps)


@pytest.mark.parametrize("steps, seed", sorted(one_seed_per_value("BIAS_GAIN", "steps").items()))
def test_bias_gain_checker_follows_the_seed(steps, seed, capsys):
    with variants.using_seed(seed):
        assert quiet(lstm.check_forget_bias_gain, float(f"{gain(steps):.2g}"), capsys)
        assert quiet(lstm.check_forget_bias_gain, float(f"{gain(steps, 0.73):.2g}"), capsys)
        assert not quiet(lstm.check_forget_bias_gain, float(f"{gain(50):.2g}"), capsys)  # the book's answer
        assert not quiet(lstm.check_forget_bias_gain, float(f"{gain(steps + 1):.2g}"), capsys)
        assert not quiet(lstm.check_forget_bias_gain, gain(steps, float(torch.sigmoid(torch.tensor(2.0)))), capsys)


def one_step_by_torch(c_prev, i, f, g, o):
    """(c_t, h_t) of the LSTM update, by torch."""
    c = f * torch.tensor(c_prev, dtype=torch.float64) + i * g
    return float(c), float(o * torch.tanh(c))


def test_one_step_draws_tell_every_slip_from_the_answer():
    seen = set()
    for seed in SEEDS:
        s = lstm.parameters(seed)["ONE_STEP"]
        c_prev, i, f, g, o = (s[k] for k in ("c_prev", "i", "f", "g", "o"))
        seen.add((c_prev, i, f, g, o))
        assert len({i, f, o}) == 3 and all(0 < v < 1 for v in (i, f, o)) and 0.5 <= abs(c_prev) <= 2.5 and g != 0
        c, h = one_step_by_torch(c_prev, i, f, g, o)
        assert abs(c) >= 0.1
        slips_c = [one_step_by_torch(c_prev, f, i, g, o)[0], one_step_by_torch(c_prev, 1.0, f, g, o)[0],
                   one_step_by_torch(c_prev, i, 1.0, g, o)[0]]
        slips_h = [o * c, math.tanh(o * c), o * math.tanh(c_prev), math.tanh(c)]  # tanh left out or misplaced
        assert all(abs(slip - c) > 0.005 for slip in slips_c), seed
        assert all(abs(slip - h) > 0.005 for slip in slips_h), seed
        assert max(abs(c - 0.46), abs(h - 0.8 * math.tanh(0.46))) > 0.005  # not the book's answer
    assert len(seen) > 150


@pytest.mark.parametrize("seed", [1, 3, 20, 23, 2027])
def test_one_step_checker_follows_the_seed_and_catches_a_missing_tanh(seed, capsys):
    s = lstm.parameters(seed)["ONE_STEP"]
    c, h = one_step_by_torch(*(s[k] for k in ("c_prev", "i", "f", "g", "o")))
    with variants.using_seed(seed):
        assert quiet(lstm.check_one_step_by_hand, (round(c, 3), round(h, 3)), capsys)
        assert not quiet(lstm.check_one_step_by_hand, (round(c, 3), round(s["o"] * c, 3)), capsys)
        assert not quiet(lstm.check_one_step_by_hand, (0.46, 0.344), capsys)  # the book's answer


@pytest.mark.parametrize("seed", [1, 3, 20, 23, 2027])
def test_one_step_checker_names_rounding_for_any_seed(seed, capsys):
    s = lstm.parameters(seed)["ONE_STEP"]
    c, h = one_step_by_torch(*(s[k] for k in ("c_prev", "i", "f", "g", "o")))
    with variants.using_seed(seed):
        if abs(round(h, 2) - h) > 1e-3:   # two decimals that the three-decimal tolerance does not pass
            lstm.check_one_step_by_hand((round(c, 3), round(h, 2)))
            assert "round less" in capsys.readouterr().out
        # a third decimal two off (not 0, so that the value has three decimals): close, not correct
        near = next(v for v in (round(round(h, 3) + d, 3) for d in (0.002, -0.002)) if round(v * 1000) % 10)
        lstm.check_one_step_by_hand((round(c, 3), near))
        assert "not correct to three decimals" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("steps, seed", sorted(one_seed_per_value("BIAS_GAIN", "steps").items()))
def test_bias_gain_checker_names_a_cut_off_figure_for_any_seed(steps, seed, capsys):
    with variants.using_seed(seed):
        for value in (gain(steps), gain(steps, 0.73)):
            exponent = math.floor(math.log10(value)) - 1
            cut = math.floor(value / 10.0 ** exponent) * 10.0 ** exponent
            if float(f"{value:.2g}") != cut and not quiet(lstm.check_forget_bias_gain, cut, capsys):
                lstm.check_forget_bias_gain(cut)
                assert "cut off rather than rounded" in " ".join(capsys.readouterr().out.split())
