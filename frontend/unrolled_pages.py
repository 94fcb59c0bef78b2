"""What every page of the book carries besides its content: a meta description, icons without Font Awesome's
JS, and markup that assistive technology reads correctly.

Meta description. Search engines show it under the title; each page gets its first paragraph,
cut at a word near 160 characters. Pages without text of their own (search, index) get the book's.

Icons. The theme (pydata-sphinx-theme) loads Font Awesome twice: ``all.min.js`` (1.5 MB, a
synchronous script in the head that turns every ``<i class="fa-...">`` into an inline SVG once it
has run) and ``all.min.css`` with three preloaded web fonts (0.4 MB). The theme's pages use about
twenty icons. When the build has finished, we write those icons into the pages as the same inline
SVGs that Font Awesome's script would have made (the paths come from the theme's own
``all.min.js``, so the icons are exactly the theme's) and drop the script, the style sheet and the
font preloads. ``frontend/static/unrolled.css`` carries the few rules Font Awesome's script used to
inject for ``svg.svg-inline--fa``. The theme's style sheets also draw a few icons from Font Awesome's
web fonts (the pencil of an exercise title, the bulb of a tip): those fonts are cut down to the
glyphs the style sheets name (``_static/unrolled-fa-*.woff``, a few KB), declared in unrolled.css.

Markup. The same pass rewrites a few things the theme, docutils and pandas write that axe-core flags
(``ARIA_FIXES`` and the empty table corners below say which and why), and lets the notebooks' figures
load lazily, when the reader scrolls near them.

Loading. The theme's colour scheme is settled in the head (``THEME_SCRIPT``), not by its deferred
script, so the page is painted once in the right colours; the theme's scripts run deferred
(``DEFERRED_SCRIPTS``), so they no longer hold up the first paint; and the dozen style sheets a page links
(theme, extensions, KaTeX, ours), cut to the rules the site uses, are served as one file
(``bundle_style_sheets``): a phone on a slow link fetches one file before the first paint, not twelve.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

DESCRIPTION_LENGTH = 160
BOOK_DESCRIPTION = (
    "Unrolled: an open, interactive textbook from the multilayer perceptron to recurrent networks, "
    "LSTM and GRU, with widgets, runnable code and checked exercises."
)

# ---------------------------------------------------------------------------------------------
# Meta description


def first_paragraph(doctree: nodes.document) -> str:
    """The text of the page's first paragraph that is prose (not inside a note, a cell or a table)."""
    skip = (nodes.Admonition, nodes.container, nodes.table, nodes.footnote, nodes.citation, nodes.topic)
    for paragraph in doctree.findall(nodes.paragraph):
        parent = paragraph.parent
        inside_skipped = False
        while parent is not None:
            if isinstance(parent, skip):
                inside_skipped = True
                break
            parent = parent.parent
        text = " ".join(paragraph.astext().split())
        if not inside_skipped and len(text) >= 40:
            return text
    return ""


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "\u2026"


def add_description(app, pagename, templatename, context, doctree) -> None:
    text = first_paragraph(doctree) if doctree is not None else ""
    description = shorten(text) if text else BOOK_DESCRIPTION
    meta = f'<meta name="description" content="{html.escape(description, quote=True)}" />\n'
    context["metatags"] = context.get("metatags", "") + meta


# ---------------------------------------------------------------------------------------------
# Icons

# Font Awesome's packs in all.min.js: `var p={name:[width,height,[aliases],"unicode","path"],...}`
# followed, at the end of the pack, by the call that registers it under its prefix.
ICON = re.compile(r'(?:"([^"]+)"|([A-Za-z0-9_$]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*",'
                  r'("[^"]*"|\[[^\]]*\])\]')
PACK_END = re.compile(r'\(\(function\(\)\{\w+\("(fa[brs])",\w+\)')
PREFIX_CLASSES = {"fa-solid": "fas", "fas": "fas", "fa": "fas", "fa-regular": "far", "far": "far",
                  "fa-brands": "fab", "fab": "fab"}
# Classes that style an icon rather than name it.
MODIFIERS = re.compile(r"fa-(\dx|xs|sm|lg|xl|2xs|xxs|fw|spin|pulse|border|inverse|flip.*|rotate.*|beat.*"
                       r"|bounce|fade|shake|stack.*|li|ul)$")
ICON_TAG = re.compile(r'<(i|span) class="([^"]*\bfa-[^"]*)"([^>]*)>\s*</\1>')
DROPPED_TAGS = [
    re.compile(r'<script src="[^"]*vendor/fontawesome/[^"]*/js/all\.min\.js[^"]*"></script>\s*'),
    re.compile(r'<link href="[^"]*vendor/fontawesome/[^"]*/css/all\.min\.css[^"]*" rel="stylesheet" />\s*'),
    re.compile(r'<link rel="preload" as="font"[^>]*vendor/fontawesome/[^>]*>\s*'),
]


# Markup that axe-core rejects, rewritten in every page. docutils writes a bibliography as
# <div role="list"> of <div role="doc-biblioentry">: that role is deprecated (DPUB-ARIA 1.1), and a list
# must hold list items (aria-required-children).
#
# A table that scrolls sideways on a phone must take the keyboard focus (scrollable-region-focusable).
# The primary sidebar holds the logo and the search button outside any landmark (region): it becomes one.
ARIA_FIXES = [
    (re.compile(r'(<div class="citation" id="[^"]*") role="doc-biblioentry"'), r'\1 role="listitem"'),
    (re.compile(r'<div class="pst-scrollable-table-container">'),
     '<div class="pst-scrollable-table-container" tabindex="0">'),
    (re.compile(r'<div class="bd-sidebar-primary bd-sidebar">'),
     '<div class="bd-sidebar-primary bd-sidebar" role="complementary" aria-label="The book">'),
    # sphinx-exercise gives every exercise's and solution's body the same id, so a chapter with seven
    # exercises has seven id="exercise-content" (invalid HTML, and an ambiguous target for assistive
    # technology). Nothing links to them or styles them by id: they become classes.
    (re.compile(r'<section id="(exercise|solution)-content">'), r'<section class="\1-content">'),
]
# The notebooks' figures (in _images/) load when the reader scrolls near them, not with the page.
LAZY_IMAGE = (re.compile(r'<img (?![^>]*\bloading=)([^>]*src="[^"]*_images/)'),
              r'<img loading="lazy" decoding="async" \1')
# A table's empty corner cell (pandas writes one above the row labels, and so does a Markdown table whose
# first column has no heading) is a header without text
# (empty-table-header): inside <thead> it becomes an ordinary cell.
THEAD = re.compile(r"<thead>.*?</thead>", re.S)
EMPTY_HEADER = re.compile(r"<th([^>]*)>(\s|&nbsp;|<p>\s*</p>)*</th>")


# The theme writes data-theme="auto" in the head and leaves it to its own script, at the end of the page, to
# choose light or dark: until then neither colour scheme's rules apply and both logos (light and dark) show,
# and when the script runs the sidebar jumps (measured: a layout shift of 0.27 on the widget gallery at
# 1280 px). The head script now decides as the theme's script will (pydata-sphinx-theme.js, setTheme).
THEME_SCRIPT = (
    re.compile(r'document\.documentElement\.dataset\.mode = localStorage\.getItem\("mode"\) \|\| "(\w+)";\s*'
               r'document\.documentElement\.dataset\.theme = localStorage\.getItem\("theme"\) \|\| "\w+";'),
    '(() => {\n'
    '      const mode = localStorage.getItem("mode") || "\\1";\n'
    '      document.documentElement.dataset.mode = mode;\n'
    '      document.documentElement.dataset.theme = mode === "light" || mode === "dark" ? mode :\n'
    '        (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");\n'
    '    })();',
)
# The theme's first style sheet, styles/theme.css, holds only `@import "../basic.css"`: the browser finds
# basic.css only once theme.css has arrived, a second round trip before anything is painted. Linked directly.
THEME_CSS = (re.compile(r'<link href="([^"]*/)styles/theme\.css(\?[^"]*)?" rel="stylesheet" />'),
             r'<link href="\1basic.css" rel="stylesheet" />')
# Scripts that only act once the document is parsed (each waits for DOMContentLoaded itself), loaded
# synchronously by the theme and its extensions: deferred, they keep their order and no longer block the
# first paint. documentation_options.js stays as it is (an inline script after it extends its object), and so
# does every script on the search page, whose searchtools.js needs doctools.js at once.
DEFERRED_SCRIPTS = re.compile(
    r'<script src="([^"]*/(?:doctools|sphinx_highlight|clipboard\.min|copybutton|togglebutton|sphinx-book-theme'
    r'|bootstrap|pydata-sphinx-theme)\.js(?:\?[^"]*)?)">')


def defer_scripts(page: str) -> str:
    if "searchtools.js" in page:
        return page
    return DEFERRED_SCRIPTS.sub(r'<script defer="defer" src="\1">', page)


def read_icons(all_min_js: str) -> dict[str, dict[str, tuple[int, int, str]]]:
    """{prefix: {icon name or alias: (width, height, path)}} from Font Awesome's all.min.js."""
    packs: dict[str, dict[str, tuple[int, int, str]]] = {}
    start = 0
    for end in PACK_END.finditer(all_min_js):
        pack = packs.setdefault(end.group(1), {})
        for icon in ICON.finditer(all_min_js, start, end.start()):
            name = icon.group(1) or icon.group(2)
            path = icon.group(6)
            if path.startswith("["):  # duotone: [secondary, primary]; the free packs have none
                path = path.strip("[]").split(",")[-1]
            entry = (int(icon.group(3)), int(icon.group(4)), path.strip('"'))
            pack[name] = entry
            for alias in re.findall(r'"([a-z0-9-]+)"', icon.group(5)):
                pack.setdefault(alias, entry)
        start = end.end()
    return packs


def inline_svg(packs, classes: str, rest: str) -> str | None:
    names = classes.split()
    prefix = next((PREFIX_CLASSES[c] for c in names if c in PREFIX_CLASSES and c != "fa"), "fas")
    icons = [c[3:] for c in names
             if c.startswith("fa-") and c not in PREFIX_CLASSES and not MODIFIERS.match(c)]
    for name in icons:
        found = packs.get(prefix, {}).get(name) or packs.get("fas", {}).get(name)
        if found:
            width, height, path = found
            kept = " ".join(c for c in names if c not in PREFIX_CLASSES)
            return (f'<svg class="svg-inline--fa {kept}" aria-hidden="true" focusable="false" role="img"'
                    f'{rest} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
                    f'<path fill="currentColor" d="{path}"></path></svg>')
    return None


def inline_icons(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    scripts = sorted(outdir.glob("_static/vendor/fontawesome/*/js/all.min.js"))
    if not scripts:
        return
    packs = read_icons(scripts[-1].read_text(encoding="utf-8"))
    missing: set[str] = set()
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")

        def replace(match: re.Match) -> str:
            svg = inline_svg(packs, match.group(2), match.group(3))
            if svg is None:
                missing.add(match.group(2))
                return match.group(0)
            return svg

        new = ICON_TAG.sub(replace, text)
        for tag in DROPPED_TAGS:
            new = tag.sub("", new)
        for pattern, replacement in ARIA_FIXES:
            new = pattern.sub(replacement, new)
        new = LAZY_IMAGE[0].sub(LAZY_IMAGE[1], new)
        new = THEME_SCRIPT[0].sub(THEME_SCRIPT[1], new)
        new = THEME_CSS[0].sub(THEME_CSS[1], new)
        new = defer_scripts(new)
        if not re.search(r'class="[^"]*\bsd-', new):
            for tag in DESIGN_TAGS:
                new = tag.sub("", new)
        new = THEAD.sub(lambda head: EMPTY_HEADER.sub(r"<td\1></td>", head.group(0)), new)
        if new != text:
            page.write_text(new, encoding="utf-8")
    cut_web_fonts(outdir)
    purge_style_sheets(outdir)
    bundle_style_sheets(outdir)
    if missing:
        logger.warning("unrolled_pages: no Font Awesome icon for %s", ", ".join(sorted(missing)))


WEB_FONTS = {"fa-solid-900.ttf": "unrolled-fa-solid.woff", "fa-brands-400.ttf": "unrolled-fa-brands.woff"}


def icon_characters(static: Path) -> set[int]:
    """Code points of Font Awesome's private-use area that the site's style sheets name."""
    found: set[int] = set()
    for sheet in static.rglob("*.css"):
        if "fontawesome" in sheet.parts:
            continue
        text = sheet.read_text(encoding="utf-8", errors="replace")
        found |= {ord(c) for c in text if 0xF000 <= ord(c) <= 0xF8FF}
        found |= {int(code, 16) for code in re.findall(r'"\\(f[0-9a-f]{3})"', text)}
    return found


def cut_web_fonts(outdir: Path) -> None:
    from fontTools import subset

    static = outdir / "_static"
    characters = icon_characters(static)
    for source in static.glob("vendor/fontawesome/*/webfonts/*.ttf"):
        if source.name not in WEB_FONTS:
            continue
        font = subset.load_font(str(source), subset.Options())
        options = subset.Options()
        options.flavor = "woff"  # woff2 would need brotli; cut to a few glyphs, woff is a few KB too
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        present = set(font.getBestCmap())
        subsetter.populate(unicodes=sorted(characters & present) or [0xF111])
        subsetter.subset(font)
        subset.save_font(font, str(static / WEB_FONTS[source.name]), options)


# Style sheets cut down to the rules the site can use: the theme's bootstrap.css is 209 KB, of which a
# page uses about a tenth; pydata-sphinx-theme.css 86 KB (53 KB kept), myst-nb's 43 KB (5 KB kept); the others
# loaded by every page lose a third to a half. A rule stays when every class its selector names appears somewhere in the
# site's HTML or JavaScript (as any word: scripts add classes such as "show" at run time), so the
# cut can only drop rules that no page and no script can ever match.
PURGED_SHEETS = ["styles/bootstrap.css", "styles/pydata-sphinx-theme.css", "styles/sphinx-book-theme.css",
                 "mystnb.*.css", "basic.css", "pygments.css", "togglebutton.css", "sphinx-thebe.css", "copybutton.css"]
WORD = re.compile(r"[A-Za-z_][\w-]*")
SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in prelude:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return parts + [current.strip()] if current.strip() else parts


def kept_rules(rules, words: set[str]) -> list[str]:
    import tinycss2

    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = [selector for selector in split_selectors(tinycss2.serialize(rule.prelude))
                         if all(name in words for name in SELECTOR_CLASS.findall(selector))]
            if selectors:
                kept.append(",".join(selectors) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content:
            children = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            inner = kept_rules(children, words)
            if inner:
                kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{''.join(inner)}}}")
        elif rule.type == "at-rule":
            kept.append(rule.serialize())
    return kept


def purge_style_sheets(outdir: Path) -> None:
    import tinycss2

    words: set[str] = set()
    for path in outdir.rglob("*"):
        if path.suffix in (".html", ".js") and path.is_file():
            words |= set(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    for sheet in (sheet for name in PURGED_SHEETS for sheet in (outdir / "_static").glob(name)):
        rules = tinycss2.parse_stylesheet(sheet.read_text(encoding="utf-8"), skip_comments=True,
                                          skip_whitespace=True)
        sheet.write_text("\n".join(kept_rules(rules, words)) + "\n", encoding="utf-8")


# The style sheets a page links in its head, in order, become one file: _static/bundles/<hash>.css, named by
# its content (pages with and without maths link different sets, so there are a few bundles). Relative
# url()s (KaTeX's fonts, the theme's images) are rewritten for the bundle's folder. The cascade is the same:
# the rules keep their order, and none of the sheets holds an @import (basic.css is linked directly above).
STYLE_LINK = re.compile(r'<link (?:href="([^"]+)" rel="stylesheet"|rel="stylesheet" type="text/css" href="([^"]+)")'
                        r' />\s*')
CSS_URL = re.compile(r'url\((["\']?)([^"\')]+)\1\)')


def rebase_urls(css: str, sheet: Path, bundle_dir: Path) -> str:
    def rewrite(match: re.Match) -> str:
        url = match.group(2)
        if url.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        path, _, rest = url.partition("?")
        target = os.path.relpath(os.path.normpath(sheet.parent / path), bundle_dir)
        return f'url("{target}{"?" + rest if rest else ""}")'

    return CSS_URL.sub(rewrite, css)


def bundle_style_sheets(outdir: Path) -> None:
    static = (outdir / "_static").resolve()
    bundles = static / "bundles"
    made: dict[tuple[Path, ...], str] = {}
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        head_end = text.find("</head>")
        links = list(STYLE_LINK.finditer(text, 0, head_end))
        sheets = []
        for link in links:
            href = (link.group(1) or link.group(2)).split("?")[0]
            sheet = (page.parent / href).resolve()
            if href.startswith(("http:", "https:", "//")) or not sheet.is_file() or static not in sheet.parents:
                break
            sheets.append(sheet)
        if len(sheets) < 2 or len(sheets) != len(links):
            continue
        key = tuple(sheets)
        if key not in made:
            css = "\n".join(rebase_urls(sheet.read_text(encoding="utf-8"), sheet, bundles) for sheet in sheets)
            name = hashlib.sha256(css.encode()).hexdigest()[:16] + ".css"
            bundles.mkdir(exist_ok=True)
            (bundles / name).write_text(css, encoding="utf-8")
            made[key] = name
        href = os.path.relpath(bundles / made[key], page.parent).replace(os.sep, "/")
        pieces, position = [], 0
        for number, link in enumerate(links):
            pieces.append(text[position:link.start()])
            if number == 0:
                pieces.append(f'<link rel="stylesheet" href="{href}" />\n')
            position = link.end()
        page.write_text("".join(pieces) + text[position:], encoding="utf-8")


# sphinx-design's style sheet and tab script, on pages that hold none of its components.
DESIGN_TAGS = [
    re.compile(r'<link rel="stylesheet" type="text/css" href="[^"]*sphinx-design\.min\.css[^"]*" />\s*'),
    re.compile(r'<script [^>]*src="[^"]*design-tabs\.js[^"]*"></script>\s*'),
]


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", add_description)
    # After the theme's own build-finished handler, which writes pygments.css (light and dark) anew.
    app.connect("build-finished", inline_icons, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
