"""Every page of the built book, opened in Chromium with the outside network blocked."""

from __future__ import annotations

import re
import subprocess
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from .toc import REPO, notebook_pages, source_of, toc_files

PAGES = toc_files()
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())
REPOSITORY = urlparse(CONFIG["repository"]["url"]).path.strip("/")  # "org/name"
BRANCH = CONFIG["repository"]["branch"]


def html_path(page: str) -> str:
    return f"{page}.html"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(open_page, page):
    site_page = open_page(html_path(page))
    site_page.assert_clean()
    heading = site_page.page.locator("article h1").first.inner_text()
    assert heading.strip(), f"{page} has no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_id_on_a_page_is_unique(site_dir, page):
    html = (site_dir / html_path(page)).read_text(encoding="utf-8")
    ids = re.findall(r'\sid="([^"]+)"', html)
    repeated = sorted({name for name in ids if ids.count(name) > 1})
    assert repeated == [], f"{page}: ids used more than once: {repeated}"


@pytest.mark.parametrize("page", PAGES)
def test_all_math_is_typeset_at_build_time(site_dir, open_page, page):
    """KaTeX typesets every formula while the site is built (frontend/unrolled_math.py): the page ships
    no TeX engine, every math element holds KaTeX's output with its MathML for screen readers, and no TeX
    source is left in the text where a reader would see it."""
    html = (site_dir / html_path(page)).read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*src=\"[^\"]*mathjax", html, re.I), f"{page} still loads MathJax"
    site_page = open_page(html_path(page))
    report = site_page.page.evaluate(
        r"""() => {
          const maths = Array.from(document.querySelectorAll('article .math'));
          const untypeset = maths
            .filter(el => !el.querySelector('.katex .katex-html') || !el.querySelector('math'))
            .map(el => el.textContent.slice(0, 60));
          const errors = Array.from(document.querySelectorAll('article .math-error, article .katex-error'))
                              .map(el => el.textContent.slice(0, 60));
          // TeX delimiters in the visible text, outside code and outside the typeset maths themselves.
          const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT);
          const raw = [];
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest('pre, code, .math, script, style')) continue;
            if (/\\\(|\\\[|\$\$/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 60));
          }
          return {count: maths.length, untypeset, errors, raw};
        }"""
    )
    assert report["untypeset"] == [], f"{page}: math without KaTeX's output: {report['untypeset']}"
    assert report["errors"] == [], f"{page}: KaTeX could not typeset: {report['errors']}"
    assert report["raw"] == [], f"{page}: TeX source left in the text: {report['raw']}"
    site_page.assert_clean()


def test_intro_has_typeset_math_and_launch_buttons_and_is_photographed(open_page):
    site_page = open_page(html_path(PAGES[0]))
    page = site_page.page
    assert page.locator("article .math .katex").count() >= 1
    page.locator(".dropdown-launch-buttons button").first.hover()
    launch_menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
    launch_menu.wait_for(state="visible")
    # No JupyterHub button: the public site has no hub, and a button to a placeholder address is dead.
    assert [t.strip() for t in launch_menu.locator("a").all_inner_texts()] == ["Binder", "Colab"]
    assert "example.org" not in page.content()
    # For the README and for reviewers: the front page as a reader first sees it, launch menu open.
    path = site_page.screenshot("intro", full_page=False)
    assert path.stat().st_size > 10_000


def test_next_links_walk_the_table_of_contents_in_order(open_page):
    site_page = open_page(html_path(PAGES[0]))
    page = site_page.page
    visited = []
    for _ in range(len(PAGES) + 1):
        visited.append(urlparse(page.url).path.lstrip("/").removesuffix(".html"))
        following = page.locator("a.right-next")
        if following.count() == 0:
            break
        following.first.click()
        page.wait_for_load_state("load")
        # The browser asks for the favicon once a page has loaded: leaving before it arrives aborts it,
        # which is not a failure of the site.
        site_page.wait_until_quiet()
    assert visited == PAGES
    site_page.assert_clean()


def test_sidebar_links_every_page(open_page):
    site_page = open_page(html_path(PAGES[0]))
    hrefs = site_page.page.evaluate(
        "() => Array.from(document.querySelectorAll('nav.bd-docs-nav a')).map(a => a.href)"
    )
    linked = {urlparse(href).path.lstrip("/").removesuffix(".html") for href in hrefs}
    assert set(PAGES[1:]) <= linked, f"missing from the sidebar: {set(PAGES[1:]) - linked}"


def test_search_finds_the_glossary(open_page):
    site_page = open_page("search.html?q=glossary")
    results = site_page.page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("book/glossary" in href for href in hrefs), hrefs
    site_page.assert_clean()


def test_chapters_are_notebooks_with_launch_buttons():
    chapters = [page for page in PAGES if page.startswith("chapters/")]
    assert chapters, "the table of contents lists no chapter"
    assert all(source_of(page).suffix == ".ipynb" for page in chapters), (
        "Colab launch links need an .ipynb at the page's path; every chapter must be a notebook"
    )


def tracked_by_git(path: str) -> bool:
    result = subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=REPO, capture_output=True)
    return result.returncode == 0


@pytest.mark.parametrize("page", notebook_pages())
def test_launch_buttons_point_at_the_notebook_in_the_repository(open_page, page):
    site_page = open_page(html_path(page))
    hrefs = site_page.page.evaluate(
        "() => Array.from(document.querySelectorAll('.dropdown-launch-buttons a')).map(a => a.href)"
    )
    notebook = f"{page}.ipynb"
    assert (REPO / notebook).is_file() and tracked_by_git(notebook), f"{notebook} is not in the repository"

    binder = [urlparse(h) for h in hrefs if urlparse(h).netloc == "mybinder.org"]
    assert len(binder) == 1, hrefs
    assert binder[0].path == f"/v2/gh/{REPOSITORY}/{BRANCH}"
    assert parse_qs(binder[0].query)["urlpath"] == [f"lab/tree/{notebook}"]

    colab = [urlparse(h) for h in hrefs if urlparse(h).netloc == "colab.research.google.com"]
    assert len(colab) == 1, hrefs
    assert colab[0].path == f"/github/{REPOSITORY}/blob/{BRANCH}/{notebook}"

    # The public site names no JupyterHub (a course sets its own hub's address): no button to a dead address.
    assert "jupyterhub_url" not in CONFIG["launch_buttons"]
    hub = [h for h in hrefs if urlparse(h).path.endswith("/hub/user-redirect/git-pull")]
    assert hub == [] and len(hrefs) == 2, hrefs


# A reader's click on the title of every closed solution (sphinx-togglebutton opens it).
OPEN_EVERY_SOLUTION = """() => document.querySelectorAll(
  ".admonition.toggle-hidden > .admonition-title").forEach(title => title.click())"""
# Each solution of the page: does its body (everything after the title) take room, and is it drawn?
SOLUTION_BODIES = """() => [...document.querySelectorAll(".solution.dropdown")].map(solution => {
  const body = [...solution.querySelectorAll(":scope > .admonition-title ~ *")];
  return {id: solution.id, parts: body.length, height: Math.max(0, ...body.map(part => part.offsetHeight)),
          drawn: body.some(part => part.getClientRects().length > 0)};
})"""


def open_at_phone_width(browser, url, block_toggle_script=False, **options):
    context = browser.new_context(viewport={"width": 390, "height": 900}, **options)
    page = context.new_page()
    if block_toggle_script:
        page.route("**/togglebutton.js*", lambda route: route.abort())
    page.goto(url, wait_until="load")
    return context, page


def test_a_closed_solution_takes_no_room_from_the_start_and_opens_on_a_click(browser, site_url):
    """frontend/static/unrolled.css: a closed solution is display: none, not sphinx-togglebutton's height 0 and
    visibility: hidden, which the browser still lays out; before togglebutton.js has run it is closed already
    (once the head script has run), and with scripts off it stays open, since nothing could open it."""
    url = f"{site_url}{html_path('chapters/rnns-today')}"

    context, page = open_at_phone_width(browser, url, block_toggle_script=True)  # as before the script has run
    before = page.evaluate(SOLUTION_BODIES)
    context.close()
    assert len(before) >= 6 and all(s["parts"] for s in before), before
    assert [s for s in before if s["drawn"] or s["height"]] == [], "solutions drawn open before the script ran"

    context, page = open_at_phone_width(browser, url)
    page.wait_for_function("() => document.querySelectorAll('.solution.toggle-hidden').length > 0")
    closed = page.evaluate(SOLUTION_BODIES)
    page.evaluate(OPEN_EVERY_SOLUTION)
    opened = page.evaluate(SOLUTION_BODIES)
    page.locator(".solution.dropdown > .admonition-title").first.click(position={"x": 4, "y": 4})  # not its link
    closed_again = page.evaluate(SOLUTION_BODIES)[0]
    context.close()
    assert len(closed) == len(before) and [s for s in closed if s["drawn"] or s["height"]] == [], closed
    assert all(s["drawn"] and s["height"] > 20 for s in opened), opened
    assert not closed_again["drawn"] and closed_again["height"] == 0, closed_again

    context, page = open_at_phone_width(browser, url, java_script_enabled=False)
    without_scripts = page.evaluate(SOLUTION_BODIES)
    context.close()
    assert len(without_scripts) == len(before), without_scripts
    assert all(s["drawn"] and s["height"] > 20 for s in without_scripts), without_scripts


@pytest.mark.parametrize("page", [p for p in toc_files() if p.startswith("chapters/")])
def test_exercise_feedback_wraps_to_a_phone_column(open_page, page):
    """A checker's feedback ("Replace ... with your answer", "Correct. ...") is a sentence: on a phone it
    wraps to the column instead of hiding its end behind a sideways scroll."""
    site_page = open_page(page + ".html", width=390)
    site_page.page.evaluate(OPEN_EVERY_SOLUTION)  # a closed solution is not laid out: nothing to measure
    feedback = site_page.page.evaluate("""() => [...document.querySelectorAll(
        ".exercise + .cell .cell_output pre, .solution .cell_output pre")].map(pre => {
          pre.closest("details")?.setAttribute("open", "");
          return {text: pre.textContent.slice(0, 60), scroll: pre.scrollWidth, client: pre.clientWidth};
        })""")
    assert feedback, f"{page}: no exercise feedback found on the page"
    assert any(f["text"].startswith(("Replace", "Not yet", "Correct")) for f in feedback), feedback[:3]
    wide = [f for f in feedback if f["scroll"] > f["client"] + 1]
    assert not wide, f"{page}: feedback wider than the phone column: {wide}"


@pytest.mark.parametrize("page", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(open_page, page):
    """At 390 px the page is as wide as the screen: a long name in a heading or a sentence wraps, and what is
    wider by nature (an equation, a table, a widget's passage) scrolls in its own box."""
    site_page = open_page(html_path(page), width=390)
    overflow = site_page.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page}: the page is {overflow} px wider than a 390 px screen"
    site_page.assert_clean()


# Runs before the page's own scripts: the colour scheme the page has when its body starts, that is
# before anything is painted and before the theme's (deferred) script has run.
THEME_AT_FIRST_PAINT = """(() => {
  const watch = new MutationObserver(() => {
    if (document.body && window.__themeAtBody === undefined) {
      window.__themeAtBody = document.documentElement.dataset.theme;
      watch.disconnect();
    }
  });
  watch.observe(document, {childList: true, subtree: true});
})();"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_scheme_is_settled_before_the_body_is_drawn(browser, site_url, scheme):
    """frontend/unrolled_pages.py: the head decides light or dark ("auto" follows the reader's system), so the
    page is not first drawn with neither scheme's rules (both logos showing) and then shifted by the theme."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(THEME_AT_FIRST_PAINT)
    page.goto(f"{site_url}{html_path(PAGES[0])}", wait_until="load")
    assert page.evaluate("() => window.__themeAtBody") == scheme
    logos = page.evaluate("() => [...document.querySelectorAll('.navbar-brand img')].filter(i => i.offsetHeight)"
                          ".map(i => i.className)")
    context.close()
    assert len(logos) == 1, f"expected one logo for the {scheme} scheme, saw {logos}"


def style_sheets(path):
    """The style-sheet links in a built page's head, and the file the first one names."""
    head = path.read_text(encoding="utf-8").split("</head>")[0]
    sheets = re.findall(r'<link [^>]*rel="stylesheet"[^>]*>', head)
    return sheets, (path.parent / re.search(r'href="([^"]+)"', sheets[0]).group(1)).resolve()


@pytest.mark.parametrize("page", PAGES)
def test_style_sheets_arrive_as_one_bundle_whose_files_exist(site_dir, page):
    """frontend/unrolled_pages.py bundles a page's style sheets into one file; the fonts and images the
    bundle names (url(...), rebased to the bundle's folder) must exist in the built site: every image, and for
    every font at least one of the formats its src lists (the site ships KaTeX's woff2 only)."""
    path = site_dir / html_path(page)
    sheets, bundle = style_sheets(path)
    assert len(sheets) == 1 and "_static/bundles/" in sheets[0], f"{page}: {sheets}"
    css = bundle.read_text(encoding="utf-8")
    assert ".katex" in css or "katex" not in path.read_text(encoding="utf-8")

    def exists(url: str) -> bool:
        return url.startswith("data:") or (bundle.parent / url.split("?")[0]).is_file()

    font_sources = re.findall(r"src:([^;}]*)", css)
    fonts_missing = [src for src in font_sources if not any(map(exists, re.findall(r'url\("?([^")]+)"?\)', src)))]
    images = re.findall(r'url\("?([^")]+)"?\)', re.sub(r"src:[^;}]*", "", css))
    assert fonts_missing == [] and [url for url in images if not exists(url)] == [], (
        f"{page}: the bundle names files that do not exist: {fonts_missing[:3]} "
        f"{[url for url in images if not exists(url)][:3]}")


PRELOADED_FONT = re.compile(r'<link rel="preload" href="([^"]+)" as="font" type="font/woff2" crossorigin />')


@pytest.mark.parametrize("page", PAGES)
def test_a_page_with_math_preloads_the_fonts_of_its_formulas(site_dir, page):
    """frontend/unrolled_math.py: a page with math asks for KaTeX's two main fonts (its letters and its
    italic variables) from the head, so they do not arrive after the first layout and move the text; the
    preloads name the very files the bundled style sheet's @font-face rules name (or the browser would
    fetch each font twice), and a page without math preloads none."""
    path = site_dir / html_path(page)
    text = path.read_text(encoding="utf-8")
    head = text.split("</head>")[0]
    preloads = [(path.parent / href).resolve() for href in PRELOADED_FONT.findall(head)]
    if 'class="katex"' not in text:
        assert preloads == [], f"{page} has no math but preloads {preloads}"
        return
    bundle = style_sheets(path)[1]
    faces = {}
    for family, src in re.findall(r"@font-face\s*\{[^}]*?font-family:\s*([\w-]+)[^}]*?src:([^;}]*)",
                                  bundle.read_text(encoding="utf-8")):
        for url in re.findall(r'url\("?([^")]+\.woff2)"?\)', src):
            faces[(bundle.parent / url).resolve()] = family
    assert len(preloads) == 2 and all(font.is_file() for font in preloads), f"{page}: {preloads}"
    assert sorted(faces.get(font, "not in the bundle") for font in preloads) == ["KaTeX_Main", "KaTeX_Math"]
