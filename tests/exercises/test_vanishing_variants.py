"""Variants of the chapter "Backpropagation through time and vanishing gradients": seed 0 is the book's
numbers, every other seed draws numbers that keep each exercise well-posed (the guarantees of
``vanishing.parameters``), and the checkers follow the seed. References come from torch's autograd and
clipping and from the closed forms, not from the checkers' code.
"""

import math

import numpy as np
import pytest
import torch

from exercises import vanishing, variants

SEEDS = range(1, 201)


@pytest.fixture(scope="module")
def drawn():
    return {seed: vanishing.parameters(seed) for seed in SEEDS}


def one_step_by_autograd(numbers):
    """dL/dh_{t-1} for h_t = tanh(W h_{t-1} + a), a chosen so that h_t is the stated one at h_{t-1} = 0."""
    weight = torch.tensor(numbers["weight_hh"], dtype=torch.float64)
    h_prev = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    h_t = torch.tanh(weight @ h_prev + torch.atanh(torch.tensor(numbers["h_t"], dtype=torch.float64)))
    (h_t @ torch.tensor(numbers["d_h_t"], dtype=torch.float64)).backward()
    return h_prev.grad.numpy()


def smallest_k(numbers):
    tolerance = 10.0 ** numbers["exponent"]
    return tuple(math.floor(math.log(tolerance) / math.log(gamma * numbers["sigma_max"])) + 1
                 for gamma in (1.0, 0.25))


def clipped_by_torch(numbers):
    grads = [torch.tensor(numbers["weight_hh"], dtype=torch.float64, requires_grad=True),
             torch.tensor(numbers["bias_hh"], dtype=torch.float64, requires_grad=True)]
    for tensor in grads:
        tensor.grad = tensor.detach().clone()
    torch.nn.utils.clip_grad_norm_(grads, numbers["max_norm"])
    return {"weight_hh": grads[0].grad.numpy(), "bias_hh": grads[1].grad.numpy()}


def three_by_formula(numbers):
    low, high = numbers["low"], numbers["high"]
    return 3 * (low + high) / 2, 3 * (high - low) ** 2 / 12


BOOK = {"one_step": [3.375, -0.375], "steps": (66, 5), "rho": 100 ** (1 / 50), "three": (1.5, 0.25),
        "clip": {"weight_hh": [[0.6, 0.0], [0.0, 0.8]], "bias_hh": [2.4, 0.0]}}


def test_seed_zero_is_the_book():
    book = vanishing.parameters(0)
    assert book["ONE_STEP"] == {"weight_hh": [[0.5, -1.0], [2.0, 0.25]], "h_t": [0.5, -0.5], "d_h_t": [1.0, 2.0]}
    assert book["STEPS"] == {"sigma_max": 0.9, "exponent": -3}
    assert book["CLIP"] == {"weight_hh": [[3.0, 0.0], [0.0, 4.0]], "bias_hh": [12.0, 0.0], "max_norm": 2.6,
                            "global_norm": 13.0}
    assert book["EXPLODE"] == {"factor": 100, "steps": 50}
    assert book["THREE"] == {"low": 0, "high": 1}
    assert vanishing.parameters() == book


def test_draws_are_reproducible_and_vary(drawn):
    assert vanishing.parameters(3) == drawn[3]
    for name in ("ONE_STEP", "STEPS", "CLIP", "EXPLODE", "THREE"):
        assert len({repr(numbers[name]) for numbers in drawn.values()}) > 10, name
    assert all(type(value) is float for numbers in drawn.values() for value in numbers["CLIP"]["bias_hh"])


def test_one_step_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        one = numbers["ONE_STEP"]
        weight, h_t, d = (np.array(one[key]) for key in ("weight_hh", "h_t", "d_h_t"))
        answer = one_step_by_autograd(one)
        assert not np.allclose(weight, weight.T) and np.all(weight != 0) and np.all(np.abs(weight) <= 2)
        assert np.all(np.abs(h_t) < 1) and np.all(d != 0)
        assert np.allclose(answer, np.round(answer, 4)), seed  # four decimals at most
        slope = 1 - h_t**2
        slips = [weight @ (slope * d), weight.T @ d, weight @ d, weight.T @ (h_t * (1 - h_t) * d),
                 weight.T @ ((1 - h_t) * d), weight.T @ ((1 - np.tanh(h_t) ** 2) * d), slope * (weight.T @ d),
                 np.array(BOOK["one_step"])]
        assert min(np.max(np.abs(answer - slip)) for slip in slips) >= 0.05, seed


def test_steps_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        steps = numbers["STEPS"]
        assert 0.5 <= steps["sigma_max"] <= 0.95 and steps["exponent"] in (-2, -3, -4)
        for gamma in (1.0, 0.25):
            ratio = math.log(10.0 ** steps["exponent"]) / math.log(gamma * steps["sigma_max"])
            assert 0.05 <= ratio % 1 <= 0.95, seed  # the smallest k is clear-cut
        k_tanh, k_sigmoid = smallest_k(steps)
        assert k_tanh < 200 and k_sigmoid >= 2 and (k_tanh, k_sigmoid) != BOOK["steps"]


def test_clip_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        clip = numbers["CLIP"]
        entries = [clip["weight_hh"][0][0], clip["weight_hh"][1][1], clip["bias_hh"][0]]
        norm = math.sqrt(sum(value**2 for value in entries))
        assert norm == clip["global_norm"] == int(norm) and all(entries)
        assert clip["max_norm"] < norm  # clipping applies
        clipped = clipped_by_torch(clip)
        for values in clipped.values():
            assert np.allclose(values, np.round(values, 3))  # three decimals at most
        per_tensor = [np.array(clip[name]) * min(1.0, clip["max_norm"] / np.linalg.norm(clip[name]))
                      for name in ("weight_hh", "bias_hh")]
        by_value = [np.clip(clip[name], -clip["max_norm"], clip["max_norm"]) for name in ("weight_hh", "bias_hh")]
        for other in (per_tensor, by_value, [BOOK["clip"]["weight_hh"], BOOK["clip"]["bias_hh"]]):
            assert not all(np.allclose(mine, theirs, atol=1e-3)
                           for mine, theirs in zip(clipped.values(), other)), seed


def test_explode_and_three_draws_are_well_posed(drawn):
    for seed, numbers in drawn.items():
        factor, steps = numbers["EXPLODE"]["factor"], numbers["EXPLODE"]["steps"]
        rho = factor ** (1 / steps)
        assert 1.01 < rho < 1.5
        assert min(abs(rho - other) for other in (BOOK["rho"], factor / steps, 1 + (factor - 1) / steps)) >= 2e-3
        low, high = numbers["THREE"]["low"], numbers["THREE"]["high"]
        constant, mse = three_by_formula(numbers["THREE"])
        assert high - low in (3, 4, 6, 10) and low + high != 0
        assert abs(mse - math.sqrt(mse)) > 0.01 and (constant, mse) != BOOK["three"]


@pytest.mark.parametrize("seed", [1, 7, 11, 150])
def test_checkers_follow_the_seed(seed, drawn, capsys):
    numbers = drawn[seed]
    clipped = {name: values.tolist() for name, values in clipped_by_torch(numbers["CLIP"]).items()}
    explode = numbers["EXPLODE"]
    rho = explode["factor"] ** (1 / explode["steps"])
    with variants.using_seed(seed):
        assert vanishing.check_one_step_back(np.round(one_step_by_autograd(numbers["ONE_STEP"]), 3))
        assert not vanishing.check_one_step_back(BOOK["one_step"])
        assert vanishing.check_steps_until_small(smallest_k(numbers["STEPS"]))
        assert not vanishing.check_steps_until_small(BOOK["steps"])
        assert vanishing.check_clip_by_global_norm(clipped)
        assert not vanishing.check_clip_by_global_norm(BOOK["clip"])
        assert vanishing.check_exploding_rho(math.floor(rho * 1000) / 1000)  # three decimals, either way
        assert vanishing.check_exploding_rho(math.ceil(rho * 1000) / 1000)
        assert not vanishing.check_exploding_rho(BOOK["rho"])
        assert vanishing.check_three_number_baseline(three_by_formula(numbers["THREE"]))
        assert not vanishing.check_three_number_baseline(BOOK["three"])
    capsys.readouterr()
    assert vanishing.check_steps_until_small(BOOK["steps"]) and vanishing.check_exploding_rho(BOOK["rho"])
    capsys.readouterr()


def test_three_reference_matches_a_simulation_under_a_seed(drawn):
    numbers = drawn[11]["THREE"]
    target = np.random.default_rng(0).uniform(numbers["low"], numbers["high"], size=(200_000, 3)).sum(axis=1)
    with variants.using_seed(11):
        constant, mse = vanishing.three_number_reference()
    assert abs(target.mean() - constant) < 0.02 * (numbers["high"] - numbers["low"])
    assert abs(np.mean((target - constant) ** 2) / mse - 1) < 0.02


def test_slips_get_their_feedback_under_a_seed(drawn, capsys):
    seed = 2
    numbers = drawn[seed]
    steps, three, explode = numbers["STEPS"], numbers["THREE"], numbers["EXPLODE"]
    k_tanh, k_sigmoid = smallest_k(steps)
    with variants.using_seed(seed):
        assert not vanishing.check_steps_until_small((k_tanh - 1, k_sigmoid))
        out = " ".join(capsys.readouterr().out.split())
        assert "one step short" in out and f"{steps['sigma_max']:g})^k" in out and f"1e{steps['exponent']}" in out
        one = (three["high"] - three["low"]) ** 2
        assert not vanishing.check_three_number_baseline((1.5 * (three["low"] + three["high"]), one / 12))
        assert f"{one:g}/12 is the variance of one uniform number" in " ".join(capsys.readouterr().out.split())
        assert not vanishing.check_exploding_rho(explode["factor"] / explode["steps"])
        assert "do not add up" in capsys.readouterr().out


def test_steps_feedback_names_the_seeds_singular_value(drawn, capsys):
    for seed, numbers in drawn.items():
        sigma = numbers["STEPS"]["sigma_max"]
        k_tanh, k_sigmoid = smallest_k(numbers["STEPS"])
        with variants.using_seed(seed):
            assert not vanishing.check_steps_until_small((k_tanh + 1, k_sigmoid + 1))  # past the smallest k
        out = " ".join(capsys.readouterr().out.split())
        assert "(gamma * " in out and out.count("(gamma * ") == out.count(f"(gamma * {sigma:g})^k"), (seed, out)


def true_statements(numbers):
    """Which statements hold, found without the checker's rule: D by running a linear RNN's gradient back
    through W_hh = rho Q for 200 steps (Q a random orthogonal matrix), E by the sigmoid's bound
    (sigma_max / 4)^k; A is the tanh bound (true for any sigma_max), B, C and F are false whatever the numbers."""
    q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 6)))
    gradient = np.ones(6)
    for _ in range(200):
        gradient = (numbers["rho_d"] * q).T @ gradient
    vanishes = np.linalg.norm(gradient) < 1e-2 * np.linalg.norm(np.ones(6))
    return {"A"} | ({"D"} if vanishes else set()) | ({"E"} if (numbers["sigma_e"] / 4) ** 200 < 1e-2 else set())


def test_statements_draws_make_d_and_e_depend_on_the_seed(drawn):
    answers = set()
    for seed, numbers in drawn.items():
        statements = numbers["STATEMENTS"]
        assert statements["sigma_a"] < 1 < statements["sigma_b"], seed
        assert set(statements["true"]) == true_statements(statements), seed
        assert set(statements["true"]) != {"A", "D", "E"}, seed  # the book's answer fails
        answers.add(tuple(statements["true"]))
    assert answers == {("A",), ("A", "D"), ("A", "E")}
    assert true_statements(vanishing.parameters(0)["STATEMENTS"]) == {"A", "D", "E"}


@pytest.mark.parametrize("seed", [1, 2, 3, 2027])
def test_statements_checker_follows_the_seed(seed, drawn, capsys):
    numbers = drawn[seed]["STATEMENTS"] if seed in drawn else vanishing.parameters(seed)["STATEMENTS"]
    truth = true_statements(numbers)
    with variants.using_seed(seed):
        assert vanishing.check_true_statements(truth)
        capsys.readouterr()
        assert not vanishing.check_true_statements({"A", "D", "E"})
        out = " ".join(capsys.readouterr().out.split())
    if "D" not in truth:
        assert "D is false" in out and f"rho = {numbers['rho_d']:g} > 1" in out, out
    if "E" not in truth:
        assert "E is false" in out and f"sigma_max = {numbers['sigma_e']:g} > 1/gamma = 4" in out, out
