"""Text for character-level language models, each character with a label a unit may learn to track.

Every corpus is made here or read from this machine: nothing is downloaded. A label belongs to
the character that has just been read, the same moment as the state h_t after reading it.

Dyck-1 (`dyck`): balanced brackets among other symbols, one line per word of the language.
    A line is a string over "(", ")" and a few letters in which every ")" closes an earlier "(",
    and it ends (with a newline) only when every bracket is closed. Label: the bracket depth
    after the character (1 after a first "(", back to 0 after its ")"). Counting languages like
    this one are the classic probe of what a recurrent network can count (Suzgun et al. 2019,
    "LSTM networks can perform dynamic counting").
    Generation: at depth 0 a line ends with probability p_newline; otherwise a bracket comes with
    probability p_bracket ("(" at depth 0, ")" at max_depth, else either with probability 1/2),
    and a letter drawn uniformly from `letters` otherwise.

The quote language (`quotes`): words of letters separated by spaces; some runs of words are
    quoted, 'ab "cd ea b" dc'. After a word, outside quotes a quote opens with probability
    p_open, inside one closes with probability p_close (so quoted runs are shorter than the text
    between them), and quoted words use only some of the letters (`inside_letters`; like the
    text inside real quotes or strings, it differs from the text around it). A model that knows
    whether it is inside predicts the next letter and the next quote better; a single letter
    does not tell it (most letters occur on both sides).
    Label: 1 inside quotes, counting the opening quote and not the closing one (the state after
    reading the character). Karpathy, Johnson and Fei-Fei (2015) found a unit that tracks exactly
    this in LSTMs trained on real text.

Python source (`python_source`): the standard library of the running interpreter, a fixed list
    of modules (PYTHON_MODULES) read from their .py files, so two machines with the same Python
    version (the book's is 3.11) read the same text. Characters outside printable ASCII become
    "?" (one for one, so positions do not move). Labels from Python's own `tokenize`: the bracket
    depth after the character (brackets inside strings and comments do not count), 1 for every
    character of a string literal (prefix and quotes included; docstrings are strings), and the
    column (0 for the first character of a line).
"""

import importlib.util
import io
import sys
import tokenize

import numpy as np

from ._validation import as_generator, check_positive_int

PYTHON_MODULES = (
    "argparse", "ast", "bisect", "calendar", "configparser", "csv", "dataclasses", "difflib", "enum",
    "fractions", "functools", "heapq", "inspect", "json.decoder", "json.encoder", "pprint", "random",
    "shlex", "statistics", "string", "textwrap", "tokenize", "typing",
)
BRACKET_DEPTH_CHANGE = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _check_probability(name, value, open_above=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value < 1 or
                                                                             (value == 1 and not open_above)):
        raise ValueError(f"{name} must be a probability in (0, 1{')' if open_above else ']'}; got {value!r}")
    return float(value)


def _check_letters(letters, forbidden):
    if not isinstance(letters, str) or not letters or len(set(letters)) != len(letters):
        raise ValueError(f"letters must be a non-empty string of distinct characters; got {letters!r}")
    clash = sorted(set(letters) & set(forbidden))
    if clash:
        raise ValueError(f"letters must not contain {forbidden!r}; got {letters!r}")
    return letters


def _texts(codes, symbols):
    """codes (num_sequences, length) indices into `symbols` -> list of strings."""
    table = np.array(list(symbols))
    return ["".join(row) for row in table[codes]]


def dyck(num_sequences, length, rng=None, letters="ab", max_depth=4, p_bracket=0.5, p_newline=0.1):
    """-> (texts, depth): `num_sequences` strings of `length` characters, each a run of Dyck-1 lines
    starting at depth 0 (the last line may be unfinished), and depth (num_sequences, length) int,
    the bracket depth after each character."""
    num_sequences = check_positive_int("num_sequences", num_sequences)
    length = check_positive_int("length", length)
    letters = _check_letters(letters, "()\n")
    max_depth = check_positive_int("max_depth", max_depth)
    p_bracket = _check_probability("p_bracket", p_bracket)
    p_newline = _check_probability("p_newline", p_newline, open_above=True)
    rng = as_generator(rng)
    symbols = "()\n" + letters
    codes = np.empty((num_sequences, length), dtype=np.int64)
    depths = np.empty((num_sequences, length), dtype=np.int64)
    depth = np.zeros(num_sequences, dtype=np.int64)
    for t in range(length):
        u, v = rng.random(num_sequences), rng.random(num_sequences)
        letter = 3 + rng.integers(0, len(letters), num_sequences)
        newline = (depth == 0) & (u < p_newline)
        bracket = ~newline & (rng.random(num_sequences) < p_bracket)
        opens = (depth == 0) | ((depth < max_depth) & (v < 0.5))
        code = np.where(newline, 2, np.where(bracket, np.where(opens, 0, 1), letter))
        depth = depth + (code == 0) - (code == 1)
        codes[:, t], depths[:, t] = code, depth
    return _texts(codes, symbols), depths


def dyck_entropy(depth, letters="ab", max_depth=4, p_bracket=0.5, p_newline=0.1):
    """The entropy in bits of the next character `dyck` draws after a character that left the bracket
    depth at `depth` (an int array, any shape; same settings as `dyck`) -> float array, same shape.
    The depth is a function of the text so far (a line starts at 0), so this is the entropy of the true
    next-character distribution given everything before it; its mean over a text's predicted positions
    is the floor of any model's bits per character on that text."""
    letters = _check_letters(letters, "()\n")
    max_depth = check_positive_int("max_depth", max_depth)
    p_bracket = _check_probability("p_bracket", p_bracket)
    p_newline = _check_probability("p_newline", p_newline, open_above=True)
    depth = np.asarray(depth)
    if not np.issubdtype(depth.dtype, np.integer) or depth.size and (depth.min() < 0 or depth.max() > max_depth):
        raise ValueError(f"depth must hold whole numbers from 0 to max_depth = {max_depth}")

    def bits(*probabilities):
        p = np.array([q for q in probabilities if q > 0])
        return float(-(p * np.log2(p)).sum())

    n = len(letters)
    at_zero = bits(p_newline, (1 - p_newline) * p_bracket, *[(1 - p_newline) * (1 - p_bracket) / n] * n)
    inside = bits(p_bracket / 2, p_bracket / 2, *[(1 - p_bracket) / n] * n)
    at_cap = bits(p_bracket, *[(1 - p_bracket) / n] * n)
    table = np.array([at_zero] + [inside] * (max_depth - 1) + [at_cap])
    return table[depth]


def dyck_balanced(text, with_brackets_only=False):
    """The fraction of complete lines of `text` (those ended by a newline) that are balanced
    Dyck-1 words: the depth never goes below 0 and is 0 at the end. None if there is no such line.
    with_brackets_only: count only lines that hold a bracket (a line of letters is trivially balanced,
    so a network that ends lines at random scores well without it)."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string; got {type(text).__name__}")
    lines = text.split("\n")[:-1]
    if with_brackets_only:
        lines = [line for line in lines if "(" in line or ")" in line]
    if not lines:
        return None
    balanced = 0
    for line in lines:
        depth, ok = 0, True
        for character in line:
            depth += (character == "(") - (character == ")")
            ok = ok and depth >= 0
        balanced += ok and depth == 0
    return balanced / len(lines)


def quotes(num_sequences, length, rng=None, letters="abcde", mean_word_length=4.0, p_open=0.15, p_close=0.3,
           inside_letters="abc"):
    """-> (texts, inside): `num_sequences` strings of `length` characters of the quote language,
    each starting outside quotes, and inside (num_sequences, length) int, 1 inside quotes.
    inside_letters=None: the same letters inside as outside."""
    num_sequences = check_positive_int("num_sequences", num_sequences)
    length = check_positive_int("length", length)
    letters = _check_letters(letters, ' "\n')
    inside_letters = letters if inside_letters is None else _check_letters(inside_letters, ' "\n')
    if not set(inside_letters) <= set(letters):
        raise ValueError(f"inside_letters must be some of letters {letters!r}; got {inside_letters!r}")
    inside_codes = np.array([2 + letters.index(c) for c in inside_letters])
    if isinstance(mean_word_length, bool) or not isinstance(mean_word_length, (int, float)) \
            or not mean_word_length >= 1:
        raise ValueError(f"mean_word_length must be a number >= 1; got {mean_word_length!r}")
    p_open = _check_probability("p_open", p_open)
    p_close = _check_probability("p_close", p_close)
    rng = as_generator(rng)
    symbols = ' "' + letters
    space, quote = 0, 1
    codes = np.empty((num_sequences, length), dtype=np.int64)
    labels = np.empty((num_sequences, length), dtype=np.int64)
    inside = np.zeros(num_sequences, dtype=bool)
    previous = np.full(num_sequences, space)  # every sequence starts as if after a space
    for t in range(length):
        u = rng.random(num_sequences)
        letter = np.where(inside, inside_codes[rng.integers(0, len(inside_letters), num_sequences)],
                          2 + rng.integers(0, len(letters), num_sequences))
        after_letter = previous >= 2
        after_space = previous == space
        after_quote = previous == quote
        word_ends = after_letter & (rng.random(num_sequences) < 1.0 / mean_word_length)
        closing = word_ends & inside & (u < p_close)
        opening = after_space & ~inside & (u < p_open)
        code = np.where(after_letter, np.where(word_ends, np.where(closing, quote, space), letter),
                        np.where(opening, quote, letter))
        # after a closing quote comes a space; after an opening one, a letter
        code = np.where(after_quote & ~inside, space, np.where(after_quote, letter, code))
        inside = inside ^ (code == quote)
        codes[:, t], labels[:, t], previous = code, inside, code
    return _texts(codes, symbols), labels


def python_source(modules=PYTHON_MODULES):
    """-> (text, labels): the source of `modules` joined in order, and labels {"depth", "in_string",
    "column"}, int arrays of len(text). Raises if a module has no .py source on this interpreter."""
    if isinstance(modules, str) or not modules or not all(isinstance(m, str) for m in modules):
        raise ValueError(f"modules must be a non-empty sequence of module names; got {modules!r}")
    texts, labels = [], {"depth": [], "in_string": [], "column": []}
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            raise ValueError(f"module {name!r} has no Python source on this interpreter ({sys.version.split()[0]})")
        with open(spec.origin, encoding="utf-8") as source:
            text = source.read()
        for key, values in python_labels(text).items():
            labels[key].append(values)
        texts.append("".join(c if " " <= c <= "~" or c == "\n" else "?" for c in text))
    return "".join(texts), {key: np.concatenate(values) for key, values in labels.items()}


def python_labels(text):
    """Labels of one module's source from `tokenize` -> {"depth", "in_string", "column"} (see above)."""
    line_starts = np.concatenate([[0], np.cumsum([len(line) for line in text.splitlines(keepends=True)])])

    def offset(position):
        row, column = position
        return int(line_starts[row - 1]) + column

    change = np.zeros(len(text) + 1, dtype=np.int64)
    string_edges = np.zeros(len(text) + 1, dtype=np.int64)
    string_kinds = {tokenize.STRING} | {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE",
                                                                        "FSTRING_END") if hasattr(tokenize, n)}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.OP and token.string in BRACKET_DEPTH_CHANGE:
            change[offset(token.start)] += BRACKET_DEPTH_CHANGE[token.string]
        elif token.type in string_kinds:
            string_edges[offset(token.start)] += 1
            string_edges[offset(token.end)] -= 1
    positions = np.arange(len(text))
    starts = line_starts[np.searchsorted(line_starts, positions, side="right") - 1]
    return {"depth": np.cumsum(change)[:-1], "in_string": (np.cumsum(string_edges)[:-1] > 0).astype(np.int64),
            "column": positions - starts}
