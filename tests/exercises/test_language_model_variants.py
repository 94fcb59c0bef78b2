"""The language-model chapter's variants: what parameters(seed) guarantees for seeds 1..200, and the checkers
under a seed. References are computed here with math and torch, never by exercises.language_model."""

import math

import torch

from exercises import language_model as ex
from exercises import variants

SEEDS = range(1, 201)


def softmax_first(scores, tau):
    e = [math.exp(s / tau) for s in scores]
    return e[0] / sum(e)


def torch_count(V, h):
    return sum(p.numel() for m in (torch.nn.LSTM(V, h), torch.nn.Linear(h, V)) for p in m.parameters())


def test_seed_zero_is_the_book():
    assert ex.parameters(0) == {"UNIFORM": ex.UNIFORM, "TEMPERATURE": ex.TEMPERATURE, "LM_SIZES": ex.LM_SIZES}
    assert ex.parameters() == ex.parameters(0)


def test_draws_are_well_posed():
    book_p = softmax_first([2, 1, 0], 0.5)
    sizes_seen, taus = set(), set()
    for seed in SEEDS:
        p = ex.parameters(seed)
        size = p["UNIFORM"]["alphabet_size"]
        assert 3 <= size <= 120 and size != 7 and not math.log2(size).is_integer()
        scores, tau = p["TEMPERATURE"]["scores"], p["TEMPERATURE"]["tau"]
        assert len(set(scores)) == 3 and scores[0] == max(scores) and all(-2 <= s <= 3 for s in scores)
        assert abs(softmax_first(scores, tau) - softmax_first(scores, 1.0)) > 0.01
        assert abs(softmax_first(scores, tau) - book_p) > 0.01
        V, h = p["LM_SIZES"]["alphabet_size"], p["LM_SIZES"]["hidden_size"]
        assert 30 <= V <= 120 and V != h
        sizes_seen.add((V, h))
        taus.add(tau)
    assert len(sizes_seen) > 50 and taus == {0.25, 0.5, 2.0, 4.0}


def test_checkers_follow_the_seed(capsys):
    for seed in (1, 7, 42):
        p = ex.parameters(seed)
        with variants.using_seed(seed):
            assert ex.check_bits_uniform(round(math.log2(p["UNIFORM"]["alphabet_size"]), 3))
            scores, tau = p["TEMPERATURE"]["scores"], p["TEMPERATURE"]["tau"]
            assert ex.check_temperature(round(softmax_first(scores, tau), 3))
            V, h = p["LM_SIZES"]["alphabet_size"], p["LM_SIZES"]["hidden_size"]
            assert ex.check_lm_param_count(torch_count(V, h))
            assert not ex.check_lm_param_count(torch_count(96, 64))  # the book's answer fails
    capsys.readouterr()
