"""The scan-tree widget: its stages end in the inclusive prefixes, and its counts are the scan's work and depth."""

import numpy as np
import pytest

from widgets import scan


@pytest.mark.parametrize("T", scan.LENGTHS)
def test_the_last_stage_holds_every_prefix_and_counts_match_the_theory(T):
    stages = scan.scan_stages(T)
    size = 1 << (T - 1).bit_length()  # T rounded up to a power of two
    assert [scan.label(span) for span in stages[-1]["nodes"][:T]] == ["1"] + [f"1-{t}" for t in range(2, T + 1)]
    assert stages[0]["nodes"][:T] == [(t, t) for t in range(1, T + 1)]
    up = [s for s in stages if s["kind"] == "up"]
    assert up[-1]["nodes"][-1] == (1, T)  # the root holds the whole sequence after the up-sweep
    levels = int(np.log2(size))
    assert len(stages) - 1 == 2 * levels + 1  # depth: up, down, apply
    assert sum(s["combines"] for s in stages) == 2 * (size - 1) + T  # work
    for s in stages:  # one stage's combines touch distinct nodes (the apply stage pairs a node with itself)
        nodes = [n for pair in s["pairs"] for n in set(pair)]
        assert len(nodes) == len(set(nodes))


def test_labels_compose_real_maps_in_order():
    """Replaying each stage with numbers: a node labelled s-t holds maps s..t composed, in that order."""
    rng = np.random.default_rng(0)
    T = 11
    a, b = rng.normal(size=T), rng.normal(size=T)

    def compose(span):
        if span is None:
            return 1.0, 0.0
        A, B = 1.0, 0.0
        for t in range(span[0] - 1, span[1]):
            A, B = a[t] * A, a[t] * B + b[t]
        return A, B

    h, prefixes = 0.3, []
    for t in range(T):
        h = a[t] * h + b[t]
        prefixes.append(h)
    final = scan.scan_stages(T)[-1]["nodes"]
    np.testing.assert_allclose([compose(span)[0] * 0.3 + compose(span)[1] for span in final[:T]], prefixes,
                               rtol=1e-12)


def test_widget_fields_follow_the_sliders():
    w = scan.scan_tree()
    assert w.value == {"T": 8, "stage": 0}
    assert w.field("work") == 0 and w.field("depth") == 0
    w.set(T=16, stage=9)
    assert w.field("work_all") == 2 * 15 + 16 and w.field("depth_all") == 9
    assert w.field("name").startswith("apply")
    w.set(T=4, stage=9)  # beyond its 5 steps: the finished scan
    assert w.field("depth") == 5 and w.field("work") == 2 * 3 + 4
    first = scan.scan_tree().field("tree")
    assert scan.scan_tree(T=8, stage=1).field("tree") != first and scan.scan_tree(T=5).field("tree") != first


def test_no_control_is_silent_from_the_first_state():
    """The browser rule, in Python: from the first state every other value of every slider changes what the page
    draws (some field the panels show)."""
    w = scan.scan_tree()
    shown = ["tree", "name", "now", "work", "depth", "depth_all", "work_all"]
    first = {key: w.field(key) for key in shown}
    for slider in w.spec["sliders"]:
        name = slider["name"]
        for value in slider["values"]:
            if value == w.value[name]:
                continue
            moved = scan.scan_tree(**dict(w.value, **{name: value}))
            assert any(moved.field(key) != first[key] for key in shown), (name, value)
