"""The GRU chapter in Chromium: its gate widget's four presets do what the text says, on the static page, and
the page reads at phone width in light and dark mode (screenshots in _build/screenshots/gru-*.png)."""

import pytest

PAGE = "chapters/gru.html"
WIDGET_TITLE = "GRU gates, set by hand"


def gru_widget(page):
    widget = page.locator(".uw", has_text=WIDGET_TITLE).first
    widget.wait_for()
    return widget


def shown(widget, key):
    return float(widget.locator(f".uw-v[data-key='{key}']").first.get_attribute("data-v"))


def test_gru_presets_on_the_static_page(open_page):
    site_page = open_page(PAGE)
    widget = gru_widget(site_page.page)
    labels = [b.strip() for b in widget.locator("button[data-preset]").all_inner_texts()]
    assert labels == ["keep", "overwrite", "reset", "plain RNN"]
    widget.locator("button[data-preset]", has_text="overwrite").click()
    assert shown(widget, "update") == 0.0 and shown(widget, "reset") == 0.0
    assert shown(widget, "gap") > 0.1  # no recurrence at all: far from the plain RNN
    widget.locator("button[data-preset]", has_text="plain RNN").click()
    assert shown(widget, "reset") == 1.0 and shown(widget, "update") == 0.0
    assert shown(widget, "gap") < 1e-6  # the GRU's curve is the plain RNN's
    site_page.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_gru_page_fits_a_phone(open_page, scheme):
    site_page = open_page(PAGE, color_scheme=scheme)
    page = site_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than a 390 px screen"
    gru_widget(page).scroll_into_view_if_needed()
    site_page.screenshot(f"gru-390-{scheme}", full_page=True)
    site_page.assert_clean()
