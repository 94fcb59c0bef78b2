"""The unit explorer (widgets/units.py) on the built page: the network the page runs is the network numpy runs.

For every unit explorer of the gallery (one per cell kind: an LSTM and a plain RNN reading one-hot
characters, a GRU reading an embedding) and of the language-model chapter (its trained LSTM's
checkpoints), the layer is rebuilt in numpy from the arrays the page was given (float32, base64, in
the saved state) and run by the book's cells: `cell.step` for every
quantity, `layer.forward` (the fused kernel) for h. The page's own forward pass must agree to 1e-6 on
random text, for every checkpoint, every quantity and every unit; the shading of the passage and of
text typed into the box (every quantity, through its option button) holds the same numbers; a
character outside the alphabet gets a sentence and stops the shading; hovering a character names its
value. Screenshots at 1280 and 390 px, light and dark, are saved for a person to look at, and at 390 px
nothing is wider than the column.
"""

import base64

import numpy as np
import pytest

import cells
from widgets.grid import decode_field

from .test_widgets_browser import grid_widget_pages

GALLERY = "book/widget-gallery.html"  # one explorer per cell kind
PAGES = [GALLERY, "chapters/language-model.html"]
HIDE = ".bd-header, .bd-header-article, .header-article, .skip-link { display: none !important; }"


def explorers(site_dir, path):
    views, states = grid_widget_pages(site_dir)[path]
    found = [(mid, states[mid]) for mid in views
             if any(p["kind"] == "units" for p in states[mid]["spec"]["panels"])]
    assert found, f"{path} has no unit explorer"
    return found


def floats(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4").astype(np.float64)


def rebuilt(weights):
    """(a cells layer holding exactly the page's arrays, the embedding matrix or None)."""
    Layer = getattr(cells, weights["kind"])
    options = {"nonlinearity": weights["activation"]} if weights["kind"] == "RNN" else {}
    if weights["kind"] == "GRU":
        options["reset_after"] = weights["resetAfter"]
    layer = Layer(weights["input"], weights["hidden"], **options)
    cell = layer.cells[0][0]
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        setattr(cell, name, floats(weights[name]).reshape(getattr(cell, name).shape))
    embedding = None if weights["embedding"] is None else floats(weights["embedding"]).reshape(-1, weights["input"])
    return layer, embedding


def numpy_run(weights, alphabet, text):
    """{quantity: (T, h)} from the book's numpy cells, one `step` at a time; h also through `layer.forward`."""
    layer, embedding = rebuilt(weights)
    codes = [alphabet.index(ch) for ch in text]
    x = np.eye(len(alphabet))[codes] if embedding is None else embedding[codes]
    cell, state, rows = layer.cells[0][0], None, []
    for x_t in x:
        state, cache = cell.step(x_t[None], state)
        row = {k: v[0] for k, v in cache.gates.items()}
        row["h"] = (state[0] if weights["kind"] == "LSTM" else state)[0]
        if weights["kind"] == "LSTM":
            row["c"] = state[1][0]
        rows.append(row)
    out = {k: np.array([row[k] for row in rows]) for k in rows[0]}
    np.testing.assert_allclose(layer.forward(x)[0], out["h"], atol=1e-12)
    return out


def units_panel(spec):
    return next(k for k, p in enumerate(spec["panels"]) if p["kind"] == "units")


def open_explorers(open_page, site_dir, path, **options):
    site_page = open_page(path, **options)
    page = site_page.page
    found = explorers(site_dir, path)
    page.wait_for_function(f"() => document.querySelectorAll('.uw-panel-units').length >= {len(found)}")
    roots = []
    for _, state in found:
        root = page.query_selector(f".uw[data-spec='{state['spec']['id']}']")
        assert root is not None, f"{path}: the unit explorer {state['spec']['title']!r} is not drawn"
        roots.append(root)
    return site_page, found, roots


@pytest.mark.parametrize("path", PAGES)
def test_the_page_runs_the_same_network_as_numpy_on_random_text(site_dir, open_page, path):
    site_page, found, roots = open_explorers(open_page, site_dir, path)
    kinds = set()
    rng = np.random.default_rng(2026)
    for (_, state), root in zip(found, roots):
        spec = state["spec"]
        k = units_panel(spec)
        panel = spec["panels"][k]
        alphabet = panel["alphabet"]
        checkpoints = next(s for s in spec["sliders"] if s["name"] == "checkpoint")["values"]
        for j in range(len(checkpoints)):
            weights = decode_field(spec["fields"][panel["fields"]["weights"]], spec["sliders"],
                                   [j if s["name"] == "checkpoint" else 0 for s in spec["sliders"]])
            kinds.add(weights["kind"])
            text = "".join(rng.choice(list(alphabet), 300))
            page_run = root.evaluate("(r, [k, j, text]) => r.uwForward(k, j, text)", [k, j, text])
            expected = numpy_run(weights, alphabet, text)
            assert sorted(page_run) == sorted(expected), spec["title"]
            for quantity, values in expected.items():
                got = np.array(page_run[quantity]).reshape(values.shape)
                np.testing.assert_allclose(got, values, atol=1e-6, rtol=0,
                                           err_msg=f"{spec['title']}, {checkpoints[j]}, {quantity}")
    if path == GALLERY:
        assert kinds == {"RNN", "GRU", "LSTM"}, f"{path}: the equality test needs all three cells; found {kinds}"
    site_page.assert_clean()


def shown(root, role):
    """The values a units panel shades its passage or typed text with."""
    return np.array(root.evaluate(f"(r) => [...r.querySelectorAll('.uw-text[data-role={role}] .uw-ch[data-t]')]"
                                  ".map((e) => +e.dataset.v)"))


def current(root, spec):
    index = [int(v) for v in root.get_attribute("data-index").split(",")]
    return index, lambda key: decode_field(spec["fields"][key], spec["sliders"], index)


@pytest.mark.parametrize("path", PAGES)
def test_the_shading_of_the_passage_and_of_typed_text_is_the_numpy_value_for_every_quantity(site_dir, open_page, path):
    site_page, found, roots = open_explorers(open_page, site_dir, path)
    rng = np.random.default_rng(21)
    for (_, state), root in zip(found, roots):
        spec = state["spec"]
        panel = spec["panels"][units_panel(spec)]
        alphabet, passage = panel["alphabet"], panel["passage"]
        text = "".join(rng.choice(list(alphabet), 120))
        root.query_selector("textarea.uw-type").fill(text)
        quantity = next(s for s in spec["sliders"] if s["name"] == "quantity")
        options = root.query_selector_all(".uw-ctl[data-name=quantity] [role=radio]")
        for q in range(len(quantity["values"])):
            if options:
                options[q].click()
            index, get = current(root, spec)
            unit = int(get(panel["fields"]["unit"])) - 1
            weights = get(panel["fields"]["weights"])
            key = get(panel["fields"]["key"])
            where = f"{spec['title']}, {key}"
            np.testing.assert_allclose(shown(root, "passage"), numpy_run(weights, alphabet, passage)[key][:, unit],
                                       atol=1e-6, rtol=0, err_msg=where)
            np.testing.assert_allclose(shown(root, "typed"), numpy_run(weights, alphabet, text)[key][:, unit],
                                       atol=1e-6, rtol=0, err_msg=where)
        # the unit slider picks the unit of that rank; the shading follows it
        before = shown(root, "passage")
        root.query_selector(".uw-ctl[data-name=unit] input[type=range]").evaluate(
            "(e) => { e.value = '2'; e.dispatchEvent(new Event('input', {bubbles: true})); }")
        index, get = current(root, spec)
        assert not np.array_equal(shown(root, "passage"), before), spec["title"]
        unit = int(get(panel["fields"]["unit"])) - 1
        np.testing.assert_allclose(shown(root, "passage"),
                                   numpy_run(get(panel["fields"]["weights"]), alphabet, passage)[get(
                                       panel["fields"]["key"])][:, unit], atol=1e-6, rtol=0)
    site_page.assert_clean()


@pytest.mark.parametrize("path", PAGES)
def test_a_character_outside_the_alphabet_gets_a_sentence_and_a_hovered_character_its_value(site_dir, open_page, path):
    site_page, found, roots = open_explorers(open_page, site_dir, path)
    (_, state), root = found[0], roots[0]
    spec = state["spec"]
    panel = spec["panels"][units_panel(spec)]
    alphabet = panel["alphabet"]
    outside = next(ch for ch in "{é7Z#" if ch not in alphabet)
    box = root.query_selector("textarea.uw-type")
    box.fill(alphabet[0] + alphabet[1] + outside + alphabet[0])
    message = root.query_selector(".uw-typed-msg").inner_text()
    assert f"\u201c{outside}\u201d (character 3)" in message and str(len(alphabet)) in message, message
    assert len(shown(root, "typed")) == 2
    assert len(root.query_selector_all(".uw-typed .uw-unread")) == 2
    box.fill("")
    assert "Type something" in root.query_selector(".uw-typed-msg").inner_text()
    box.fill(alphabet)
    assert "Stopped" not in root.query_selector(".uw-typed-msg").inner_text()
    assert len(shown(root, "typed")) == len(alphabet)
    # the text box keeps the focus while the reader types
    box.focus()
    site_page.page.keyboard.type(alphabet[0])
    assert root.evaluate("(r) => document.activeElement === r.querySelector('textarea.uw-type')")
    # hover (a pointer) and tap (a click) say the value in the status line
    character = root.query_selector(".uw-text[data-role=passage] .uw-ch[data-t='4']")
    character.hover()
    status = root.query_selector(".uw-tap").inner_text()
    value = float(character.get_attribute("data-v"))
    assert "character 5 of the passage" in status and f"{abs(value):.3f}" in status, status
    label = decode_field(spec["fields"][panel["fields"]["labelValues"]], spec["sliders"],
                         [int(v) for v in root.get_attribute("data-index").split(",")])[4]
    assert f"= {label:.4g}" in status, status
    site_page.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_the_unit_explorer_fits_a_phone_and_is_photographed(site_dir, open_page, path, scheme):
    from tests.site.conftest import SCREENSHOTS

    for width in (1280, 390):
        site_page, found, roots = open_explorers(open_page, site_dir, path, color_scheme=scheme, width=width)
        page = site_page.page
        page.add_style_tag(content=HIDE)
        for n, root in enumerate(roots):
            root.scroll_into_view_if_needed()
            report = root.evaluate("""(r) => {
              const column = document.querySelector('article').getBoundingClientRect();
              const box = r.getBoundingClientRect();
              return {right: box.right - column.right,
                      wide: [...r.querySelectorAll('.uw-text, textarea, .uw-controls')]
                        .filter((e) => e.scrollWidth > e.clientWidth + 1).length,
                      small: [...r.querySelectorAll('input, button, textarea')].map((c) => c.getBoundingClientRect())
                        .filter((b) => b.width && b.height < 44).length};
            }""")
            assert report["right"] <= 1 and report["wide"] == 0, f"{path} explorer {n} at {width} px: {report}"
            if width == 390:
                assert report["small"] == 0, f"{path} explorer {n}: controls shorter than 44 px on a phone"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            stem = "unit-explorer" if path == GALLERY else f"unit-explorer-{path.split('/')[-1].removesuffix('.html')}"
            root.screenshot(path=str(SCREENSHOTS / f"{stem}-{n}-{width}-{scheme}.png"))
        site_page.assert_clean()
