"""The attention epilogue's variants: what parameters(seed) guarantees for seeds 1..200, and the checkers
under a seed. References are computed here with torch (softmax, the additive layer's shapes) or closed
forms, never by exercises.attention."""

import torch

from exercises import attention, variants

SEEDS = range(1, 201)
CHECKED = range(1, 21)  # seeds whose checkers run (the draws are checked for every seed)


def quiet(checker, answer, capsys):
    verdict = checker(answer)
    capsys.readouterr()
    return verdict


def by_hand(numbers):
    """(scores, weights, context) of dot-product attention, by torch."""
    q = torch.tensor(numbers["query"], dtype=torch.float64)
    m = torch.tensor(numbers["memory"], dtype=torch.float64)
    scores = m @ q
    weights = torch.softmax(scores, dim=0)
    return scores, weights, weights @ m


BOOK = {"query": [1.0, 1.0], "memory": [[2.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]}


def test_seed_zero_is_the_book():
    book = attention.parameters(0)
    assert book["BY_HAND"] == BOOK
    assert book["SHAPES"] == {"T": 5, "S": 7, "B": 3, "h": 4}
    assert book["PARAMS_SIZES"] == {"hidden_size": 64, "attention_size": 32}
    assert book["REVERSAL"] == {"length": 20, "output_step": 5}
    assert book["BOTTLENECK"] == {"length": 20, "hidden_size": 64}
    assert attention.parameters() == book


def test_by_hand_draws_are_as_clear_as_the_book():
    _, book_weights, book_context = by_hand(BOOK)
    drawn = set()
    for seed in SEEDS:
        numbers = attention.parameters(seed)["BY_HAND"]
        drawn.add(repr(numbers))
        scores, weights, context = by_hand(numbers)
        memory = torch.tensor(numbers["memory"], dtype=torch.float64)
        assert set(numbers["query"]) <= {-1, 0, 1, 2} and any(numbers["query"])
        assert all(-2 <= v <= 2 for row in numbers["memory"] for v in row)
        assert len({tuple(row) for row in numbers["memory"]}) == 3 and [0.0, 0.0] not in numbers["memory"]
        assert len(set(scores.tolist())) == 3 and 2 <= float(scores.max() - scores.min()) <= 4
        assert float(scores.sum()) != 0 and float(weights.min()) >= 0.01
        assert float((weights - book_weights).abs().max()) > 0.01
        assert float((context - book_context).abs().max()) > 0.01
        for slip in (memory[int(weights.argmax())], memory.mean(0), memory.sum(0), weights[:2]):
            assert float((context - slip).abs().max()) > 0.01
    assert len(drawn) > 100


def test_by_hand_checkers_follow_the_seed(capsys):
    _, book_weights, book_context = by_hand(BOOK)
    for seed in CHECKED:
        scores, weights, context = by_hand(attention.parameters(seed)["BY_HAND"])
        with variants.using_seed(seed):
            assert quiet(attention.check_weights_by_hand, weights.numpy().round(3), capsys)
            assert not quiet(attention.check_weights_by_hand, book_weights.numpy().round(3), capsys)
            assert not quiet(attention.check_weights_by_hand, scores.numpy(), capsys)
            assert quiet(attention.check_context_by_hand, context.numpy().round(3), capsys)
            assert not quiet(attention.check_context_by_hand, book_context.numpy().round(3), capsys)


def test_shapes_and_counts_follow_the_seed(capsys):
    for seed in SEEDS:
        p = attention.parameters(seed)
        shapes, sizes = p["SHAPES"], p["PARAMS_SIZES"]
        assert len(set(shapes.values())) == 4 and (shapes["T"], shapes["B"], shapes["S"]) != (5, 3, 7)
        assert 2 <= shapes["T"] <= 12 and 2 <= shapes["S"] <= 12 and 2 <= shapes["B"] <= 8
        assert sizes["hidden_size"] != sizes["attention_size"] and sizes["hidden_size"] != 64
        if seed not in CHECKED:
            continue
        h, a = sizes["hidden_size"], sizes["attention_size"]
        # W_q, W_m: (a, h); v: (a,); W_c: (h, 2h); b_c: (h,), as torch layers would hold them
        layers = [torch.nn.Linear(h, a, bias=False), torch.nn.Linear(h, a, bias=False),
                  torch.nn.Linear(a, 1, bias=False), torch.nn.Linear(2 * h, h)]
        count = sum(p.numel() for layer in layers for p in layer.parameters())
        with variants.using_seed(seed):
            assert quiet(attention.check_weights_shape, (shapes["T"], shapes["B"], shapes["S"]), capsys)
            assert not quiet(attention.check_weights_shape, (5, 3, 7), capsys)
            assert not quiet(attention.check_weights_shape, (shapes["B"], shapes["T"], shapes["S"]), capsys)
            assert quiet(attention.check_additive_param_count, count, capsys)
            assert not quiet(attention.check_additive_param_count, 12_384, capsys)


def test_reversal_and_bottleneck_follow_the_seed(capsys):
    for seed in SEEDS:
        p = attention.parameters(seed)
        reversal, bottleneck = p["REVERSAL"], p["BOTTLENECK"]
        assert reversal["length"] == 20 and 2 <= reversal["output_step"] <= 19 and reversal["output_step"] != 5
        assert 10 <= bottleneck["length"] <= 40 and bottleneck["hidden_size"] in (16, 32, 48, 96, 128)
        if seed not in CHECKED:
            continue
        t, units, length = reversal["output_step"], bottleneck["hidden_size"], bottleneck["length"]
        with variants.using_seed(seed):
            assert quiet(attention.check_reversal_position, 21 - t, capsys)  # output 1 reads input 20
            assert not quiet(attention.check_reversal_position, 16, capsys)
            assert quiet(attention.check_bottleneck_numbers, (units, length * units), capsys)
            assert not quiet(attention.check_bottleneck_numbers, (64, 20 * 64), capsys)


def test_the_slip_branches_work_for_every_drawn_seed(capsys):
    """Two decimals are told to round less, swapped coordinates are named, and the row two positions later
    is named, whatever numbers the seed draws (references by torch and closed forms)."""
    for seed in CHECKED:
        p = attention.parameters(seed)
        _, weights, context = by_hand(p["BY_HAND"])
        t, length = p["REVERSAL"]["output_step"], p["REVERSAL"]["length"]
        with variants.using_seed(seed):
            for checker, answer in ((attention.check_weights_by_hand, weights.numpy().round(2)),
                                    (attention.check_context_by_hand, context.numpy().round(2))):
                verdict = checker(answer)
                out = capsys.readouterr().out
                # a two-decimal answer within 2e-3 of every number passes; any other is told to round less
                assert verdict or "rounded too far" in out, (seed, answer, out)
            swapped = context.numpy()[::-1].round(3)
            if abs(swapped - context.numpy()).max() > 0.01:
                assert not attention.check_context_by_hand(swapped)
                assert "swapped" in capsys.readouterr().out
            if length + 3 - t <= length:  # the row two positions after the digit exists
                assert not attention.check_reversal_position(length + 3 - t)
                assert "memory row" in capsys.readouterr().out
            assert not attention.check_reversal_position(length - t)
            assert f"{length} - t" in capsys.readouterr().out
