"""The corpora of the language-model chapter: their grammar, and labels checked against independent counts."""

import io
import tokenize

import numpy as np
import pytest

from cells import corpora


def running_depth(text):
    """Bracket depth after each character, counted the slow way."""
    depth, out = 0, []
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        out.append(depth)
    return out


def test_dyck_lines_are_balanced_and_depth_is_the_running_count():
    texts, depth = corpora.dyck(50, 400, rng=0, letters="xy", max_depth=5)
    assert len(texts) == 50 and depth.shape == (50, 400) and all(len(t) == 400 for t in texts)
    for text, labels in zip(texts, depth):
        assert set(text) <= set("()\nxy")
        np.testing.assert_array_equal(labels, running_depth(text))
        assert labels.min() >= 0 and labels.max() <= 5
        # a newline comes only at depth 0, so every finished line is a Dyck word
        assert all(labels[k] == 0 for k, c in enumerate(text) if c == "\n")
        assert corpora.dyck_balanced(text) in (None, 1.0)
    all_text = "".join(texts)
    assert 0.3 < (all_text.count("(") + all_text.count(")")) / len(all_text) < 0.6
    assert depth.max() == 5  # the cap is reached


def test_dyck_is_reproducible_from_its_seed():
    assert corpora.dyck(3, 50, rng=7)[0] == corpora.dyck(3, 50, rng=7)[0]
    assert corpora.dyck(3, 50, rng=7)[0] != corpora.dyck(3, 50, rng=8)[0]


def test_dyck_balanced_counts_complete_lines():
    assert corpora.dyck_balanced("(a)\n()\n)(\n((") == pytest.approx(2 / 3)
    assert corpora.dyck_balanced("(()\n") == 0.0
    assert corpora.dyck_balanced("(()") is None
    assert corpora.dyck_balanced("ab\n(a)\n)(\nb\n", with_brackets_only=True) == 0.5
    assert corpora.dyck_balanced("ab\nb\n", with_brackets_only=True) is None


def test_quotes_grammar_and_inside_label():
    texts, inside = corpora.quotes(40, 500, rng=1)
    assert inside.shape == (40, 500)
    for text, labels in zip(texts, inside):
        assert set(text) <= set(' "abcde')
        expected, state = [], 0
        for character in text:
            state ^= character == '"'
            expected.append(state)
        np.testing.assert_array_equal(labels, expected)
        assert '""' not in text and "  " not in text
        for k, c in enumerate(text[:-1]):
            if c == '"' and labels[k] == 1:
                assert text[k + 1] not in ' "'  # an opening quote starts a word
            if c == '"' and labels[k] == 0:
                assert text[k + 1] == " "  # a closing quote ends one
    share = inside.mean()
    assert 0.15 < share < 0.6
    letters_inside = {c for text, labels in zip(texts, inside) for c, k in zip(text, labels) if k and c not in ' "'}
    assert letters_inside == set("abc")  # the default inside_letters
    same, _ = corpora.quotes(5, 300, rng=1, inside_letters=None)
    assert "d" in "".join(same)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="num_sequences"):
        corpora.dyck(0, 10)
    with pytest.raises(ValueError, match="letters"):
        corpora.dyck(1, 10, letters="a(")
    with pytest.raises(ValueError, match="p_bracket"):
        corpora.dyck(1, 10, p_bracket=1.5)
    with pytest.raises(ValueError, match="p_close"):
        corpora.quotes(1, 10, p_close=0)
    with pytest.raises(ValueError, match="inside_letters"):
        corpora.quotes(1, 10, inside_letters="xy")
    with pytest.raises(ValueError, match="mean_word_length"):
        corpora.quotes(1, 10, mean_word_length=0.5)
    with pytest.raises(ValueError, match="modules"):
        corpora.python_source("json")
    with pytest.raises(ValueError, match="no Python source"):
        corpora.python_source(["sys"])
    with pytest.raises(ValueError, match="text"):
        corpora.dyck_balanced(None)


def test_python_labels_of_a_small_source():
    source = 'x = f(a, "(b)", [1,\n     2])  # (\ny = 1\n'
    labels = corpora.python_labels(source)
    depth = dict(zip(range(len(source)), labels["depth"]))
    assert depth[source.index("f")] == 0 and depth[source.index("(")] == 1
    assert depth[source.index('"') + 1] == 1  # the "(" inside the string does not count
    assert depth[source.index("[")] == 2 and depth[source.index("2")] == 2
    assert depth[source.index("]")] == 1 and depth[source.index("])") + 1] == 0
    assert depth[source.index("# (") + 2] == 0  # nor does the one in the comment
    string = [k for k in range(len(source)) if labels["in_string"][k]]
    assert "".join(source[k] for k in string) == '"(b)"'
    expected_columns = [k - source.rfind("\n", 0, k) - 1 for k in range(len(source))]
    np.testing.assert_array_equal(labels["column"], expected_columns)


def test_python_source_is_the_fixed_modules_with_tokenize_labels():
    text, labels = corpora.python_source(("json.decoder", "bisect"))
    import bisect
    import json.decoder
    raw = "".join(open(m.__file__, encoding="utf-8").read() for m in (json.decoder, bisect))
    assert len(text) == len(raw) and all(len(v) == len(text) for v in labels.values())
    assert set(text) <= {chr(c) for c in range(32, 127)} | {"\n"}
    # an independent count of string characters: the sum of the STRING tokens' lengths
    count = 0
    for module in (json.decoder, bisect):
        with open(module.__file__, encoding="utf-8") as f:
            count += sum(len(t.string) for t in tokenize.generate_tokens(io.StringIO(f.read()).readline)
                         if t.type == tokenize.STRING)
    assert labels["in_string"].sum() == count
    assert labels["depth"].min() == 0 and labels["depth"][-1] == 0


def test_dyck_entropy_by_hand_and_against_the_generator_s_frequencies():
    # By hand, default settings (letters "ab", p_bracket 1/2, p_newline 1/10): at depth 0 the next character
    # is a newline 0.1, "(" 0.45, "a" or "b" 0.225 each; inside, "(", ")", "a", "b" 1/4 each: 2 bits; at the
    # cap 4, ")" 1/2, "a" and "b" 1/4 each: 1.5 bits.
    at_zero = 0.1 * np.log2(10) + 0.45 * np.log2(1 / 0.45) + 2 * 0.225 * np.log2(1 / 0.225)
    assert corpora.dyck_entropy(np.array([0, 1, 3, 4])) == pytest.approx([at_zero, 2.0, 2.0, 1.5])
    # At the cap with four letters: ")" 1/2 (1 bit), each letter 1/8 (3 bits): 0.5 + 4 * 3 / 8 = 2 bits.
    assert corpora.dyck_entropy(np.array([[2]]), letters="abcd", max_depth=2)[0, 0] == pytest.approx(2.0)
    # The generator's own next-character frequencies at each depth have that entropy.
    texts, depth = corpora.dyck(50, 2000, rng=3)
    for d in range(5):
        following = [text[t + 1] for text, row in zip(texts, depth) for t in np.flatnonzero(row[:-1] == d)]
        _, counts = np.unique(following, return_counts=True)
        p = counts / counts.sum()
        assert -(p * np.log2(p)).sum() == pytest.approx(corpora.dyck_entropy(np.array(d)), abs=0.01)
    with pytest.raises(ValueError, match="depth"):
        corpora.dyck_entropy(np.array([5]))
