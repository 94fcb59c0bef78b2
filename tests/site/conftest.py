"""Browser harness: the built site served on localhost and opened in Debian's Chromium with the
outside network blocked.

Fixtures
- ``site_dir``: the built site (``_build/html``; ``UNROLLED_SITE_DIR`` overrides). Missing -> the test
  fails and says to run ``make book``; browser tests are never skipped.
- ``site_url``: base URL of a local HTTP server over ``site_dir``.
- ``open_page(path, color_scheme="light", width=1280, draw_all_widgets=True)``: opens ``site_url + path``
  in a fresh browser context (and draws every widget the loader would draw when scrolled to) and returns a
  ``SitePage``:
  ``.page`` (the Playwright page), ``.console_errors``, ``.page_errors``, ``.blocked`` (requests to
  anywhere but the local server: aborted and recorded), ``.failed`` (requests that failed or answered
  >= 400), and ``.assert_clean()``.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SCREENSHOTS = REPO / "_build" / "screenshots"
# Generous: CI machines have two cores, and a page with many widgets takes seconds to settle on a busy one.
PAGE_TIMEOUT_MS = 120_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/site" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_dir() -> Path:
    path = Path(os.environ.get("UNROLLED_SITE_DIR", REPO / "_build" / "html"))
    if not (path / "index.html").is_file():
        pytest.fail(f"expected a built site at {path} (index.html); build it first with `make book`")
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"expected Debian's Chromium at {CHROMIUM}; `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class SitePage:
    page: object
    url: str
    console_errors: list = field(default_factory=list)
    page_errors: list = field(default_factory=list)
    blocked: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    in_flight: set = field(default_factory=set)

    def wait_until_quiet(self, quiet_ms: int = 500) -> None:
        """Wait until no request has been in flight for ``quiet_ms`` (Playwright's networkidle is flaky under load)."""
        deadline = time.monotonic() + PAGE_TIMEOUT_MS / 1000
        quiet_since = None
        while time.monotonic() < deadline:
            if self.in_flight:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif (time.monotonic() - quiet_since) * 1000 >= quiet_ms:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{self.url}: requests still in flight after {PAGE_TIMEOUT_MS} ms: {self.in_flight}")

    def assert_clean(self):
        problems = {
            "console errors": self.console_errors,
            "uncaught page errors": self.page_errors,
            "requests outside the site (blocked)": self.blocked,
            "failed requests": self.failed,
        }
        report = {name: items for name, items in problems.items() if items}
        assert not report, f"{self.url}: {report}"

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
def open_page(browser, site_url):
    contexts = []

    def _open(path: str, color_scheme: str = "light",
              width: int = 1280, draw_all_widgets: bool = True) -> SitePage:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=color_scheme)
        contexts.append(context)
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        page = context.new_page()
        site_page = SitePage(page=page, url=site_url + path)

        def route(route):
            url = route.request.url
            if url.startswith(site_url) or url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                site_page.blocked.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("request", lambda r: site_page.in_flight.add(r))
        page.on("requestfinished", lambda r: site_page.in_flight.discard(r))
        page.on("requestfailed", lambda r: site_page.in_flight.discard(r))
        page.on("console", lambda m: m.type == "error" and site_page.console_errors.append(m.text))
        page.on("pageerror", lambda e: site_page.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: r.url not in site_page.blocked
                and site_page.failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and site_page.failed.append(f"{r.url} ({r.status})"))
        response = page.goto(site_page.url, wait_until="load")
        assert response is not None and response.ok, f"{site_page.url} answered {response and response.status}"
        if draw_all_widgets:
            # The widget loader draws a page's first widget at once and the others as they come near the
            # viewport: draw them all, as a reader scrolling through would meet them.
            page.evaluate("() => window.unrolledWidgets && window.unrolledWidgets.drawAll()")
        site_page.wait_until_quiet()
        return site_page

    yield _open
    for context in contexts:
        context.close()
