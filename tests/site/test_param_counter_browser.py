"""The parameter counter on the static page takes any sizes a reader types, and counts what cells.count_params
counts.

The page evaluates the rules that cells.counting ships (widgets/widget.js only adds and multiplies), so these
tests type into the built page, as a reader would, and compare every total, weight and bias count, array by
array, with cells.count_params, which tests/cells holds against torch.nn and Keras. The learners' questions
are checked against numbers worked by hand, and a bad size gets a sentence, not a silent refusal.
"""

import numpy as np

import cells

from .test_widgets_browser import grid_widget_pages

CONVENTION = {"PyTorch": "torch", "Keras": "keras", "TensorFlow 1": "tf1"}
READ = """(root) => {
  const v = (key) => { const e = root.querySelector(`.uw-v[data-key=${key}]`); return e ? +e.dataset.v : null; };
  const error = root.querySelector(".uw-panel-tally [data-error]");
  return {total: v("total"), weights: v("weights"), biases: v("biases"),
          shownTotal: (root.querySelector(".uw-v[data-key=total]") || {}).textContent,
          sizes: [...root.querySelectorAll(".uw-tally td[data-key]")].map((td) => [td.dataset.key, +td.dataset.v]),
          error: error ? error.textContent : "", index: root.dataset.index, typed: root.dataset.typed};
}"""


def open_counter(site_dir, open_page, width=1280):
    """The first page that shows the parameter counter, opened; (page, the widget's root, its spec)."""
    for path, (views, grid) in grid_widget_pages(site_dir).items():
        for n, model_id in enumerate(views):
            if grid[model_id]["spec"]["title"] == "Parameter counter":
                site_page = open_page(path, width=width)
                root = site_page.page.query_selector_all(".uw")[n]
                return site_page, root, grid[model_id]["spec"]
    raise AssertionError("no page shows the parameter counter")


def choose(root, spec, name, value):
    """Click an option button, unless the control is disabled here (then it has no effect)."""
    names = [s["name"] for s in spec["sliders"]]
    slider = spec["sliders"][names.index(name)]
    button = root.query_selector(f".uw-ctl[data-name={name}] [data-option='{slider['values'].index(value)}']")
    if not button.is_disabled():
        button.click()


def field(root, name):
    return root.query_selector(f".uw-ctl.uw-num[data-name={name}] input")


def expected(framework, kind, bidirectional, reset_after, d, h, layers, proj, head):
    """cells.count_params, and the (role, size) of every array the page lists: layer 1, a later layer, the head."""
    count = cells.count_params(kind.lower(), d, h, num_layers=layers, bidirectional=bidirectional == "yes",
                               convention=CONVENTION[framework], reset_after=reset_after == "True", proj_size=proj,
                               head=head)
    listed = [(0, "forward"), (1, "forward"), ("head", "head")]
    sizes = [[a["role"], a["size"]] for place in listed for a in count.arrays
             if (a["layer"], a["direction"]) == place and a["size"]]
    return count, sizes


def random_configuration(rng):
    framework = str(rng.choice(list(CONVENTION)))
    kind = str(rng.choice(["RNN", "LSTM", "GRU"]))
    size = lambda: int(rng.integers(1, 65)) if rng.random() < 0.7 else int(rng.integers(1, 100_001))  # noqa: E731
    d, h = size(), size()
    layers = int(rng.integers(1, 5)) if rng.random() < 0.9 else int(rng.integers(1, 1001))
    projected = (framework, kind) == ("PyTorch", "LSTM") and h > 1 and rng.random() < 0.5
    return dict(framework=framework, kind=kind, bidirectional=str(rng.choice(["no", "yes"])),
                reset_after=str(rng.choice(["True", "False"])), d=d, h=h, layers=layers,
                proj=int(rng.integers(1, h)) if projected else 0,
                head=0 if rng.random() < 0.5 else int(rng.integers(1, 1001)))


def test_200_random_configurations_typed_into_the_page_count_what_count_params_counts(site_dir, open_page):
    site_page, root, spec = open_counter(site_dir, open_page)
    rng = np.random.default_rng(24)
    for trial in range(200):
        c = random_configuration(rng)
        for name in ("framework", "kind", "bidirectional", "reset_after"):
            choose(root, spec, name, c[name])
        # proj_size last but one: a smaller h typed after it would be refused (p < h) until p is typed
        if not field(root, "proj_size").is_disabled():
            field(root, "proj_size").fill("0")
        for name, key in [("input_size", "d"), ("hidden_size", "h"), ("num_layers", "layers"), ("head", "head")]:
            field(root, name).fill(str(c[key]))
        if c["proj"]:
            field(root, "proj_size").fill(str(c["proj"]))
        shown = root.evaluate(READ)
        count, sizes = expected(**c)
        where = f"configuration {trial}: {c}"
        assert shown["error"] == "", where
        assert (shown["total"], shown["weights"], shown["biases"]) == (count.total, count.weights, count.biases), where
        assert shown["shownTotal"] == f"{count.total:,d}", where
        assert shown["sizes"] == sizes, where
        typed = dict(zip(("d", "h", "layers", "proj", "head"), map(int, shown["typed"].split(","))))
        if (c["framework"], c["kind"]) != ("PyTorch", "LSTM"):
            typed["proj"] = 0  # disabled, its text ignored
        assert typed == {k: c[k] for k in typed}, where
    site_page.assert_clean()


def test_the_learners_questions_typed_and_pressed(site_dir, open_page):
    """keras.layers.GRU(20) on 10 features: 3 x (10 x 20 + 20 x 20 + 2 x 20) = 1,920, and with reset_after=False
    3 x (10 x 20 + 20 x 20 + 20) = 1,860; Keras LSTM(128) on 28 with Dense(10): 4 x (156 x 128 + 128) + 1,290 =
    81,674; PyTorch: 4 x (156 x 128 + 2 x 128) + 1,290 = 82,186; TF1 BasicLSTMCell(128) on 28: 156 x 512 + 512
    = 80,384. Worked by hand."""
    site_page, root, spec = open_counter(site_dir, open_page, width=390)
    choose(root, spec, "framework", "Keras")
    choose(root, spec, "kind", "GRU")
    field(root, "input_size").fill("10")
    field(root, "hidden_size").fill("20")
    choose(root, spec, "reset_after", "True")
    assert root.evaluate(READ)["shownTotal"] == "1,920"
    choose(root, spec, "reset_after", "False")
    assert root.evaluate(READ)["shownTotal"] == "1,860"
    by_hand = {"Keras GRU(20) on 10 features": 1_920, "same, reset_after=False": 1_860,
               "Keras LSTM(128) on 28, Dense(10)": 81_674, "PyTorch LSTM(28, 128), Linear(128, 10)": 82_186,
               "TF1 BasicLSTMCell(128) on 28": 80_384}
    buttons = root.query_selector_all("button[data-preset]")
    assert [b.inner_text() for b in buttons] == list(by_hand)
    for button in buttons:
        button.click()
        assert root.evaluate(READ)["total"] == by_hand[button.inner_text()], button.inner_text()
    site_page.assert_clean()


def test_a_bad_size_gets_a_sentence_and_the_count_comes_back(site_dir, open_page):
    site_page, root, spec = open_counter(site_dir, open_page, width=390)
    d = field(root, "input_size")
    assert (d.get_attribute("type"), d.get_attribute("inputmode")) == ("text", "numeric")  # the digits keyboard
    label = root.query_selector(f"label[for='{d.get_attribute('id')}']")
    assert label.inner_text() == "input size d"
    message = root.query_selector(f"#{d.get_attribute('aria-describedby').split()[0]}")
    before = root.evaluate(READ)["total"]
    range_ = "type a whole number from 1 to 100,000."
    for text, sentence in [("0", f"input size d must be at least 1 (got 0); {range_}"),
                           ("-3", f"input size d cannot be negative (got -3); {range_}"),
                           ("2.5", f"input size d: 2.5 is not a whole number; {range_}"),
                           ("", f"input size d: {range_}"),
                           ("ten", f"input size d: \u201cten\u201d is not a number; {range_}"),
                           ("100001", "input size d is at most 100,000 here (got 100001).")]:
        d.fill(text)
        assert message.inner_text() == sentence, repr(text)
        assert d.get_attribute("aria-invalid") == "true"
        shown = root.evaluate(READ)
        assert shown["error"] == sentence and shown["total"] is None, repr(text)  # no stale count beside it
        d.fill("28")
        assert message.inner_text() == "" and d.get_attribute("aria-invalid") is None
        assert root.evaluate(READ)["total"] == before
    # proj_size: PyTorch's LSTM only, smaller than h
    choose(root, spec, "framework", "PyTorch")
    choose(root, spec, "kind", "LSTM")
    field(root, "hidden_size").fill("20")
    field(root, "proj_size").fill("20")
    assert "proj_size p must be smaller than hidden_size h" in root.evaluate(READ)["error"]
    choose(root, spec, "kind", "GRU")
    assert field(root, "proj_size").is_disabled()
    assert "Only PyTorch's LSTM has proj_size" in root.query_selector(".uw-ctl[data-name=proj_size] .uw-why").inner_text()
    assert root.evaluate(READ)["total"] == cells.count_params("gru", 28, 20).total  # the 20 typed is ignored
    site_page.assert_clean()
