"""The attention epilogue's widget on the built page: the trained model's weights, read in a real browser.

For every output step of the first example, moved with the slider as a reader would, the page must
agree with itself (the brightest cell of the top heatmap, the highlighted digit of the strip and the
position the sentence names are one and the same) and show what reversal looks like: the most-read
input position moves right to left as the output step grows, an anti-diagonal. Screenshots at
desktop and phone width are saved for a person to look at.
"""

import numpy as np

PAGE = "chapters/attention.html"
TITLE = "Where the decoder looks"

READ = """(root) => {
  const figures = [...root.querySelectorAll("figure.uw-panel")];
  const cells = (fig) => [...fig.querySelectorAll("rect.uw-cell")].map((r) => +r.dataset.v);
  const heatmaps = figures.filter((f) => f.classList.contains("uw-panel-heatmap"));
  const strip = figures.find((f) => f.classList.contains("uw-panel-diagram"));
  const boxes = [...strip.querySelectorAll("g.uw-d")].filter((g) => g.querySelector("rect"));
  const digits = boxes.slice(0, -1);
  const values = {};
  root.querySelectorAll(".uw-panel-text .uw-v").forEach((v) => { values[v.dataset.key] = v.dataset.v; });
  return {row: cells(heatmaps[0]), matrix: cells(heatmaps[1]),
          highlighted: digits.map((g, k) => g.classList.contains("uw-hl") ? k : -1).filter((k) => k >= 0),
          digits: digits.map((g) => g.textContent), text: values};
}"""


def find_widget(page):
    for root in page.query_selector_all(".uw"):
        if TITLE in root.inner_text():
            return root
    raise AssertionError(f"{PAGE}: no widget titled {TITLE!r}")


def move(slider, index):
    slider.evaluate("(e, v) => { e.value = String(v); "
                    "e.dispatchEvent(new Event('input', {bubbles: true})); }", index)


def test_the_attention_widget_draws_an_anti_diagonal_and_agrees_with_itself(open_page):
    site_page = open_page(PAGE)
    page = site_page.page
    page.wait_for_function("() => document.querySelectorAll('.uw').length > 0")
    root = find_widget(page)
    example, step = root.query_selector_all("input[type=range]")
    move(example, 0)
    steps = int(step.get_attribute("max")) + 1
    peaks = []
    for index in range(steps):
        move(step, index)
        drawn = root.evaluate(READ)
        length = len(drawn["row"])
        assert len(drawn["matrix"]) == steps * length and len(drawn["digits"]) == length
        assert abs(sum(drawn["row"]) - 1) < 1e-3, f"step {index + 1}: the weights do not add up to 1"
        peak = int(np.argmax(drawn["row"]))
        assert drawn["highlighted"] == [peak], f"step {index + 1}: the strip highlights another digit"
        assert int(drawn["text"]["peak_position"]) == peak + 1
        assert drawn["text"]["peak_digit"] == drawn["digits"][peak]
        np.testing.assert_allclose(drawn["matrix"][index * length:(index + 1) * length], drawn["row"], atol=0)
        peaks.append(peak)
    moves = np.diff(peaks)
    # Reversal: later output steps read earlier input positions. A few ties at the ends are allowed.
    assert np.mean(moves < 0) > 0.7 and peaks[0] > peaks[-1] + length // 2, peaks
    site_page.assert_clean()


def test_the_attention_widget_is_photographed_at_desktop_and_phone_width(open_page):
    site_page = open_page(PAGE)
    page = site_page.page
    hide = ".bd-header, .bd-header-article, .header-article, .skip-link { display: none !important; }"
    page.add_style_tag(content=hide)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)
        root = find_widget(page)
        root.scroll_into_view_if_needed()
        box = root.bounding_box()
        assert box is not None and box["width"] <= width, f"the widget is wider than a {width} px screen"
        path = site_page.screenshot(f"attention-widget-{width}", full_page=False)
        root.screenshot(path=str(path))
    site_page.assert_clean()
