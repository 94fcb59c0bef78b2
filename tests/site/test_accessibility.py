"""axe-core on every page of the built book: no violation, light and dark, desktop and phone width.

axe-core is pinned in frontend/package.json (a development dependency: the site never serves it) and
injected into the page by the test. Every rule axe runs by default counts, the ``best-practice`` ones
too (landmarks, headings, ``region``), as Lighthouse's accessibility score reads them.
"""

from __future__ import annotations

import pytest

from .toc import REPO, toc_files

AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = toc_files()
VIEWS = [("light", 1280), ("dark", 1280), ("light", 390), ("dark", 390)]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:4]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
                     + (f" and {more} more" if more > 0 else ""))
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"expected axe-core at {AXE}; `npm ci --prefix frontend` installs it (`make book` does)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme, width", VIEWS, ids=[f"{s}-{w}" for s, w in VIEWS])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violation(open_page, axe_source, page, scheme, width):
    site_page = open_page(f"{page}.html", color_scheme=scheme, width=width)
    browser_page = site_page.page
    mode = browser_page.evaluate("() => document.documentElement.dataset.theme")
    assert mode == scheme, f"{page}: asked for the {scheme} colour scheme, the theme shows {mode}"
    browser_page.add_script_tag(content=axe_source)
    violations = browser_page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200)}))}))"
    )
    assert violations == [], f"{page} ({scheme}, {width} px):\n{describe(violations)}"
