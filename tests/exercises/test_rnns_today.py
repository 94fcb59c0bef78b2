"""The last chapter's checkers: the book's answers pass, named slips are told apart, and the variants keep
their promises. References are closed forms computed here (or torch-free numpy loops), not exercises code."""

import math

import numpy as np
import pytest

from exercises import rnns_today, variants

SEEDS = range(1, 201)


def sigmoid(u):
    return 1 / (1 + math.exp(-u))


def quiet(checker, answer, capsys):
    verdict = checker(answer)
    return verdict, capsys.readouterr().out


def test_seed_zero_is_the_book():
    book = rnns_today.parameters(0)
    assert book["MINGRU_STEP"] == rnns_today.MINGRU_STEP and book["COUNT_SIZES"] == rnns_today.COUNT_SIZES
    assert book["MAPS"] == rnns_today.MAPS and book["SCAN_LENGTH"] == rnns_today.SCAN_LENGTH
    assert rnns_today.parameters() == book


def test_mingru_step(capsys):
    z = sigmoid(1.0)
    assert quiet(rnns_today.check_mingru_step, z * 0.5 + (1 - z) * -0.4, capsys)[0]
    assert quiet(rnns_today.check_mingru_step, 0.258, capsys)[0]
    ok, out = quiet(rnns_today.check_mingru_step, (1 - z) * 0.5 + z * -0.4, capsys)
    assert not ok and "Feng" in out
    ok, out = quiet(rnns_today.check_mingru_step, z * 0.5 + (1 - z) * math.tanh(-0.4), capsys)
    assert not ok and "tanh" in out
    ok, out = quiet(rnns_today.check_mingru_step, 0.26, capsys)
    assert not ok and "decimals" in out


def test_minlstm_step(capsys):
    assert quiet(rnns_today.check_minlstm_step, 0.4, capsys)[0]
    ok, out = quiet(rnns_today.check_minlstm_step, 0.9 * 1.0 + 0.6 * -0.5, capsys)
    assert not ok and "sum" in out
    ok, out = quiet(rnns_today.check_minlstm_step, 0.9 * 1.0 + 0.1 * -0.5, capsys)
    assert not ok and "1 - f" in out


def test_param_count(capsys):
    d, h = 20, 64
    assert quiet(rnns_today.check_mingru_param_count, 2 * h * d + 2 * h, capsys)[0]
    ok, out = quiet(rnns_today.check_mingru_param_count, 2 * h * d, capsys)
    assert not ok and "bias" in out
    ok, out = quiet(rnns_today.check_mingru_param_count, 3 * h * (d + h) + 6 * h, capsys)
    assert not ok and "standard GRU" in out
    ok, out = quiet(rnns_today.check_mingru_param_count, 2 * h * d + h, capsys)
    assert not ok and "2h" in out
    ok, out = quiet(rnns_today.check_mingru_param_count, 3 * h * (d + 1), capsys)
    assert not ok and "minLSTM" in out


def test_composed_map(capsys):
    assert quiet(rnns_today.check_composed_map, (0.4, 0.6), capsys)[0]
    ok, out = quiet(rnns_today.check_composed_map, (0.4, 0.5 * -1.0 + 2.0), capsys)
    assert not ok and "second map first" in out


def test_work_depth(capsys):
    assert quiet(rnns_today.check_scan_work_depth, (127 + 127 + 100, 7 + 7 + 1), capsys)[0]
    ok, out = quiet(rnns_today.check_scan_work_depth, (99 + 99 + 100, 15), capsys)
    assert not ok and "power of two" in out
    ok, out = quiet(rnns_today.check_scan_work_depth, (254, 14), capsys)
    assert not ok and "last step" in out
    ok, out = quiet(rnns_today.check_scan_work_depth, (354, 14), capsys)
    assert not ok and "one more" in out


def test_two_units(capsys):
    # by hand: 0.25 c1 + 0.16 c2 = 1 and 0.5 c1 + 0.2 c2 = 1
    assert quiet(rnns_today.check_two_unit_sum, (-4 / 3, 25 / 3), capsys)[0]
    assert quiet(rnns_today.check_two_unit_sum, (-1.333, 8.333), capsys)[0]
    assert not quiet(rnns_today.check_two_unit_sum, (2.0, 2.0), capsys)[0]
    ok, out = quiet(rnns_today.check_two_unit_sum, (25 / 3, -4 / 3), capsys)
    assert not ok and "wrong order" in out


def test_linear_scan(capsys):
    def loop(a, b, h0):
        out, h = [], h0
        for a_t, b_t in zip(a, b):
            h = a_t * h + b_t
            out.append(h)
        return np.stack(out)

    assert quiet(rnns_today.check_linear_scan, loop, capsys)[0]
    ok, out = quiet(rnns_today.check_linear_scan, lambda a, b, h0: loop(a, b, np.zeros_like(h0)), capsys)
    assert not ok and "h0" in out
    ok, out = quiet(rnns_today.check_linear_scan, lambda a, b, h0: np.concatenate([h0[None], loop(a, b, h0)]), capsys)
    assert not ok and "T + 1" in out
    assert not quiet(rnns_today.check_linear_scan, lambda a, b, h0: 1 / 0, capsys)[0]

    def in_place(a, b, h0):
        out, h = [], h0.copy()
        for a_t, b_t in zip(a, b):
            h *= a_t
            h += b_t
            out.append(h)
        return np.stack(out)

    ok, out = quiet(rnns_today.check_linear_scan, in_place, capsys)
    assert not ok and "in place" in out


@pytest.mark.parametrize("seed", SEEDS)
def test_variants_keep_their_promises(seed, capsys):
    p = rnns_today.parameters(seed)
    step = p["MINGRU_STEP"]
    assert 0 < abs(step["h_prev"]) <= 0.9 and step["a_z"] in (-2.0, -1.0, 1.0, 2.0) and step["n"] != step["h_prev"]
    d, h = p["COUNT_SIZES"]["input_size"], p["COUNT_SIZES"]["hidden_size"]
    assert 8 <= d <= 80 and d != h and 2 * h * (d + 1) != 2 * 64 * 21
    (a1, b1), (a2, b2) = p["MAPS"]["first"], p["MAPS"]["second"]
    assert 0 < a1 <= 1 and 0 < a2 <= 1 and b1 != 0 and b2 != 0
    T = p["SCAN_LENGTH"]["T"]
    assert 20 <= T <= 1000 and T != 100 and T & (T - 1)
    N = 1 << (T - 1).bit_length()
    with variants.using_seed(seed):
        z = sigmoid(step["a_z"])
        assert quiet(rnns_today.check_mingru_step, z * step["h_prev"] + (1 - z) * step["n"], capsys)[0]
        assert quiet(rnns_today.check_mingru_param_count, 2 * h * (d + 1), capsys)[0]
        assert quiet(rnns_today.check_composed_map, (a2 * a1, a2 * b1 + b2), capsys)[0]
        assert quiet(rnns_today.check_scan_work_depth, (2 * (N - 1) + T, 2 * int(math.log2(N)) + 1), capsys)[0]
        assert not quiet(rnns_today.check_scan_work_depth, (354, 15), capsys)[0]   # the book's answer fails
