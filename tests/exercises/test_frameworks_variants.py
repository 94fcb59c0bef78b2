"""The frameworks chapter's variants: what parameters(seed) guarantees for seeds 1..200, and the checkers
under a seed. References come from the frameworks' documented layouts (closed forms here, torch for
PyTorch's count), never from exercises.frameworks."""

import torch

from exercises import frameworks, variants

SEEDS = range(1, 201)
CHECKED = range(1, 21)  # seeds whose checkers run (the draws are checked for every seed)


def quiet(checker, answer, capsys):
    verdict = checker(answer)
    capsys.readouterr()
    return verdict


def test_seed_zero_is_the_book():
    assert frameworks.parameters(0) == {
        "KERNEL_SIZES": {"input_size": 28, "hidden_size": 128}, "GRU_COLUMNS": {"units": 64},
        "GRU_BIAS_SIZES": {"input_size": 32, "hidden_size": 64},
        "DIFFERENCE_SIZES": {"input_size": 28, "hidden_size": 128},
        "TF1_SIZES": {"input_size": 300, "hidden_size": 256},
        "WORDS": {"steps": 35, "input_size": 300, "hidden_size": 200}, "FORGET_BIAS": {"sum": 0.25}}
    assert frameworks.parameters() == frameworks.parameters(0)


def test_draws_are_well_posed_and_change_the_answers():
    for seed in SEEDS:
        p = frameworks.parameters(seed)
        d, h = p["KERNEL_SIZES"]["input_size"], p["KERNEL_SIZES"]["hidden_size"]
        assert 8 <= d <= 80 and 32 <= h <= 512 and d not in (h, 4 * h) and (d, 4 * h) != (28, 512)
        assert p["GRU_COLUMNS"]["units"] != 64 and p["GRU_BIAS_SIZES"]["hidden_size"] != 64
        assert p["DIFFERENCE_SIZES"]["hidden_size"] != 128
        d, h = p["TF1_SIZES"]["input_size"], p["TF1_SIZES"]["hidden_size"]
        assert d in (50, 100, 200, 300) and d != 3 * h and (d + h, 4 * h) != (556, 1024)
        words = p["WORDS"]
        assert len({*words.values(), 1, 4}) == 5 and 10 <= words["steps"] <= 60
        bias = p["FORGET_BIAS"]["sum"]
        assert -1 <= bias <= 1.5 and (4 * bias).is_integer() and bias not in (0.25, 1.0)


def test_shape_checkers_follow_the_seed(capsys):
    for seed in CHECKED:
        p = frameworks.parameters(seed)
        d, h = p["KERNEL_SIZES"]["input_size"], p["KERNEL_SIZES"]["hidden_size"]
        tf1_d, tf1_h = p["TF1_SIZES"]["input_size"], p["TF1_SIZES"]["hidden_size"]
        with variants.using_seed(seed):
            # Keras: kernel (inputs, 4 units); TF1: one kernel over [x, h], (inputs + units, 4 units)
            assert quiet(frameworks.check_keras_kernel_shape, (d, 4 * h), capsys)
            assert not quiet(frameworks.check_keras_kernel_shape, (28, 512), capsys)
            assert not quiet(frameworks.check_keras_kernel_shape, (4 * h, d), capsys)
            assert quiet(frameworks.check_tf1_kernel_shape, (tf1_d + tf1_h, 4 * tf1_h), capsys)
            assert not quiet(frameworks.check_tf1_kernel_shape, (556, 1024), capsys)
            assert not quiet(frameworks.check_tf1_kernel_shape, (4 * tf1_h, tf1_d + tf1_h), capsys)


def test_gru_checkers_follow_the_seed(capsys):
    for seed in CHECKED:
        p = frameworks.parameters(seed)
        units, bias_units = p["GRU_COLUMNS"]["units"], p["GRU_BIAS_SIZES"]["hidden_size"]
        with variants.using_seed(seed):
            # Keras's GRU blocks are z, r, h: the update gate is the first block of `units` columns
            assert quiet(frameworks.check_gru_update_columns, (0, units), capsys)
            assert not quiet(frameworks.check_gru_update_columns, (0, 64), capsys)
            assert not quiet(frameworks.check_gru_update_columns, (units, 2 * units), capsys)
            assert quiet(frameworks.check_gru_bias_counts, (6 * bias_units, 3 * bias_units), capsys)
            assert not quiet(frameworks.check_gru_bias_counts, (6 * 64, 3 * 64), capsys)


def test_difference_follows_the_seed(capsys):
    for seed in CHECKED:
        sizes = frameworks.parameters(seed)["DIFFERENCE_SIZES"]
        layer = torch.nn.LSTM(sizes["input_size"], sizes["hidden_size"])
        torch_count = sum(p.numel() for p in layer.parameters())
        keras_count = torch_count - layer.bias_hh_l0.numel()  # Keras keeps one bias vector
        with variants.using_seed(seed):
            assert quiet(frameworks.check_same_units_difference, torch_count - keras_count, capsys)
            assert not quiet(frameworks.check_same_units_difference, 4 * 128, capsys)


def test_forget_bias_and_weight_sets_follow_the_seed(capsys):
    for seed in CHECKED:
        p = frameworks.parameters(seed)
        bias, words = p["FORGET_BIAS"]["sum"], p["WORDS"]
        with variants.using_seed(seed):
            # TF1 adds forget_bias = 1 at run time: stored + 1 must equal the cells' sum
            assert quiet(frameworks.check_tf1_forget_bias, bias - 1.0, capsys)
            assert not quiet(frameworks.check_tf1_forget_bias, 0.25 - 1.0, capsys)
            assert not quiet(frameworks.check_tf1_forget_bias, bias, capsys)
            assert quiet(frameworks.check_weight_sets, 1, capsys)
            frameworks.check_weight_sets(words["steps"])
            assert "number of time steps" in capsys.readouterr().out
            assert not quiet(frameworks.check_weight_sets, words["hidden_size"], capsys)
