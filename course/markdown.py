"""MyST as plain Markdown, for notebooks that leave the book: assignments and the student edition's
downloads. Jupyter renders neither roles ({cite}`key`) nor directives (```{exercise}```), so they become
what a reader of the page sees: a citation "(Greff et al., 2017)", a term's text, "the chapter's
equation (bptt-step)", and an exercise as a bold heading over its text.
"""

import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIBLIOGRAPHY = ROOT / "book" / "references.bib"

_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
_TEXT_AND_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]*)>$", re.DOTALL)
_MATH_BLOCK = re.compile(r"^(`{3,}|:{3,})\{math\}[^\n]*\n(?P<body>.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)


@functools.lru_cache(maxsize=1)
def _bibliography():
    """{key: (authors' last names, year)} from book/references.bib."""
    entries = {}
    text = BIBLIOGRAPHY.read_text(encoding="utf-8") if BIBLIOGRAPHY.exists() else ""
    for match in re.finditer(r"@\w+\{([^,\s]+),(.*?)\n\}", text, re.DOTALL):
        key, body = match[1], match[2]
        author = re.search(r"author\s*=\s*\{(.*?)\},?\s*\n", body, re.DOTALL)
        year = re.search(r"year\s*=\s*\{?(\d{4})", body)
        names = [name.split(",")[0].strip().strip("{}") for name in author[1].split(" and ")] if author else []
        entries[key] = (names, year[1] if year else "n.d.")
    return entries


def citation(keys):
    """"Greff et al., 2017; Cho et al., 2014" for ``keys`` (comma-separated bib keys)."""
    parts = []
    for key in (key.strip() for key in keys.split(",")):
        names, year = _bibliography().get(key, ([key], ""))
        who = names[0] if len(names) == 1 else (f"{names[0]} and {names[1]}" if len(names) == 2
                                                   else f"{names[0]} et al.")
        parts.append(f"{who}, {year}" if year else who)
    return "; ".join(parts)


def _role(match):
    role, content = match["role"], match["content"]
    pair = _TEXT_AND_TARGET.match(content)
    text, target = (pair["text"], pair["target"]) if pair else ("", content)
    if role.startswith("cite"):
        names = citation(content)
        return names if role in ("cite:t", "cite:alp") else f"({names})"
    if role in ("eq",):
        return f"the chapter's equation ({target})"
    if role in ("math",):
        return f"${content}$"
    if role in ("ref", "numref", "doc"):
        return text or f"the section '{target.rsplit('/', 1)[-1].replace('-', ' ')}' of the book"
    if role == "term":
        return text or target
    if role.startswith("glue"):
        return "(see the chapter)"
    return text or content


def readable(markdown):
    """``markdown`` with MyST roles and math directives written as plain Markdown."""
    markdown = _MATH_BLOCK.sub(lambda match: f"$$\n{match['body'].strip()}\n$$", markdown)
    return _ROLE.sub(_role, markdown)


def without_sentences(markdown, pattern):
    """``markdown`` without the sentences (or bracketed asides) that match ``pattern``: "Try the answer in
    the gate widget first." goes from an assignment, which has no widget."""
    aside = re.compile(r"\s*\((?:[^()]*?)" + pattern + r"[^()]*\)", re.IGNORECASE)
    markdown = aside.sub("", markdown)
    within = r"(?:[^.!?\n]|\n(?!\n))*"  # a sentence may wrap over lines, not over a paragraph break
    sentence = re.compile(r"(?:(?<=[.!?])|^)\s*" + within + pattern + within + r"[.!?]", re.IGNORECASE | re.MULTILINE)
    return sentence.sub("", markdown).strip()
