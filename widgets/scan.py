"""The parallel scan's tree, step by step: which maps each node holds, and what one step combines.

Every step t of h_t = a_t * h_{t-1} + b_t is a map (a_t, b_t); `cells.scan.scan_levels` lists the
combines of Blelloch's scan level by level. `scan_stages(T)` replays them on *labels* instead of
numbers: a node holds the maps s..t composed, written "s-t" (one map: "t"; none: "id"). The widget
draws one stage at a time: the nodes before it, the nodes after it, and an arrow for every combine,
all of which run at once; the text counts the work (combines so far) and the depth (steps so far)
against the loop's T and T.
"""

from cells.scan import scan_levels

from .grid import Field, Slider
from .view import build, diagram, text

LENGTHS = [2, 3, 4, 5, 6, 7, 8, 11, 16]
MAX_STAGES = 2 * 4 + 1  # 16 maps: 4 levels up, 4 down, then one step applies them


def _join(first, second):
    """Labels: the maps of `first`, then those of `second` (each a (start, end) pair or None for none)."""
    if first is None:
        return second
    if second is None:
        return first
    return (first[0], second[1])


def label(span):
    if span is None:
        return "id"
    return str(span[0]) if span[0] == span[1] else f"{span[0]}-{span[1]}"


def scan_stages(T):
    """The scan on T maps (numbered 1..T) as a list of stages, the first being the inputs.

    Each stage: {"name", "kind" ("start", "up", "down", "apply"), "pairs": [(i, j)], "nodes": [span] after
    the stage, "combines": how many combines this stage made}. A span (s, t) stands for maps s..t
    composed, None for the identity. Padding nodes (beyond T) start as the identity.
    """
    plan = scan_levels(T)
    size = plan["size"]
    nodes = [(t + 1, t + 1) if t < T else None for t in range(size)]
    stages = [{"name": "the T maps", "kind": "start", "pairs": [], "nodes": list(nodes), "combines": 0}]
    for k, level in enumerate(plan["up"]):
        for i, j in level:
            nodes[j] = _join(nodes[i], nodes[j])
        stages.append({"name": f"up-sweep, level {k + 1}", "kind": "up", "pairs": level, "nodes": list(nodes),
                       "combines": len(level)})
    nodes[-1] = None
    for k, level in enumerate(plan["down"]):
        for i, j in level:
            nodes[i], nodes[j] = nodes[j], _join(nodes[j], nodes[i])
        stages.append({"name": f"down-sweep, level {k + 1}", "kind": "down", "pairs": level, "nodes": list(nodes),
                       "combines": len(level)})
    # Node t now holds every map before t; one more combine with map t gives h_t (all t at once).
    final = [_join(nodes[t], (t + 1, t + 1)) if t < T else None for t in range(size)]
    stages.append({"name": "apply: h_t = (maps before t) then map t", "kind": "apply",
                   "pairs": [(t, t) for t in range(T)], "nodes": final, "combines": T})
    return stages


WIDTH, BOX_H, TOP, BOTTOM = 440, 26, 40, 130


def _stage(T, stage):
    stages = scan_stages(T)
    return stages[min(stage, len(stages) - 1)], stages


def drawing(T, stage):
    """The nodes before and after `stage`, with an arrow for every combine in it."""
    current, stages = _stage(T, stage)
    index = stages.index(current)
    before = stages[max(index - 1, 0)]["nodes"]
    size = len(current["nodes"])
    step = WIDTH / size
    width = step - 3
    items = [["text", 0, TOP - 8, "before this step", "small muted", "start"],
             ["text", 0, BOTTOM - 8, "after", "small muted", "start"]]
    touched = {n for pair in current["pairs"] for n in pair}
    for n in range(size):
        x = n * step
        padding = n >= T
        cls_before = "box faint" if padding else "box"
        cls_after = "box hl" if n in touched else ("box faint" if padding else "box")
        font = " small" if size > 8 else ""
        items.append(["rect", x, TOP, width, BOX_H, cls_before + font, label(before[n])])
        items.append(["rect", x, BOTTOM, width, BOX_H, cls_after + font, label(current["nodes"][n])])
    for i, j in current["pairs"]:
        cls = "c0" if current["kind"] == "up" else ("c1" if current["kind"] == "down" else "c2")
        items.append(["arrow", j * step + width / 2, TOP + BOX_H, j * step + width / 2, BOTTOM, cls])
        if i != j:
            items.append(["arrow", i * step + width / 2, TOP + BOX_H, j * step + width / 2 - 4, BOTTOM, cls])
            if current["kind"] == "down":
                items.append(["arrow", j * step + width / 2 - 4, TOP + BOX_H, i * step + width / 2 + 4, BOTTOM,
                              cls + " dashed"])
    for n in range(min(T, size)):
        items.append(["text", n * step + width / 2, BOTTOM + BOX_H + 14, f"t={n + 1}", "small muted", "middle"])
    return {"box": [0, 0, WIDTH, BOTTOM + BOX_H + 20], "items": items}


def counts(T, stage):
    """(this stage's name, combines in it, combines so far, steps so far, steps in all, combines in all)."""
    current, stages = _stage(T, stage)
    index = stages.index(current)
    so_far = sum(s["combines"] for s in stages[:index + 1])
    return current["name"], current["combines"], so_far, index, len(stages) - 1, sum(s["combines"] for s in stages)


def scan_tree(T=8, stage=0):
    """The widget: T maps (2 to 16), the stage of Blelloch's scan to show (0: the inputs)."""
    sliders = [
        Slider("T", LENGTHS, "sequence length T", "d"),
        Slider("stage", list(range(MAX_STAGES + 1)), "step of the scan", "d"),
    ]
    deps = ["T", "stage"]
    fields = [
        Field("tree", drawing, deps, enc="json"),
        Field("name", lambda **kw: counts(**kw)[0], deps, enc="json"),
        Field("now", lambda **kw: counts(**kw)[1], deps, enc="f64"),
        Field("work", lambda **kw: counts(**kw)[2], deps, enc="f64"),
        Field("depth", lambda **kw: counts(**kw)[3], deps, enc="f64"),
        Field("depth_all", lambda **kw: counts(**kw)[4], deps, enc="f64"),
        Field("work_all", lambda **kw: counts(**kw)[5], deps, enc="f64"),
    ]
    panels = [
        diagram(["tree"], title="Each box holds maps composed: '3-6' is steps 3 to 6 in one affine map; "
                                "'id' is none. Arrows: this step's combines, all at once."),
        text([{"key": "name"},
              "This step: {now:,d} combines at once. So far {work:,d} combines in {depth:,d} steps.",
              "The whole scan: {work_all:,d} combines in {depth_all:,d} steps; the loop: {T} combines in {T} steps."],
             title="Work and depth"),
    ]
    presets = {"T = 8 after the up-sweep": {"T": 8, "stage": 3}, "T = 16, done": {"T": 16, "stage": MAX_STAGES}}
    return build("The parallel scan's tree", sliders, fields, panels, presets,
                 caption="Blelloch's scan of h_t = a_t * h_{t-1} + b_t: up the tree, down the tree, then one "
                         "step for every t at once.", settings={"T": T, "stage": stage})
