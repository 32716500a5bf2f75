"""components/lineage_graph.py on hand-made lineage dataclasses: which descendants are drawn,
which groups are summarised and linked, the cytoscape elements, the layout and the stylesheet.
tests/test_model_page.py draws families from PostgreSQL through the model page."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from components import lineage_graph as graph
from data.family_groups import FamilyGroups, Group, GroupLink
from data.lineage import LineageEdge, LineageNode


def node(repo_id: str, depth: int, downloads: int | None = 0, in_catalog: bool = True) -> LineageNode:
    return LineageNode(repo_id, repo_id.split("/")[0], None, None, downloads, 0, 0, in_catalog, depth)


def edge(source: str, target: str, relation: str = "finetune", declared: bool = True) -> LineageEdge:
    return LineageEdge(source, target, relation, declared)


# r/root → a/fine (finetune) → c/both (adapter); r/root → b/quant (quantized) → c/both (finetune);
# r/root → d/merge (merge) and a/fine → d/merge (finetune); c/both → r/root closes a cycle.
EDGES = [
    edge("r/root", "a/fine"),
    edge("r/root", "b/quant", "quantized"),
    edge("a/fine", "c/both", "adapter"),
    edge("b/quant", "c/both"),
    edge("r/root", "d/merge", "merge"),
    edge("a/fine", "d/merge"),
    edge("c/both", "r/root"),
]


def test_merging_graphs_keeps_each_node_and_edge_once_the_first_wins():
    first = SimpleNamespace(nodes=[node("r/root", 0), node("a/x", 1, 5)], edges=[edge("r/root", "a/x")])
    second = SimpleNamespace(
        nodes=[node("a/x", -1, 9), node("b/y", 2)], edges=[edge("r/root", "a/x", "merge"), edge("a/x", "b/y")]
    )
    nodes, edges = graph.merge([first, second])
    assert nodes == [node("r/root", 0), node("a/x", 1, 5), node("b/y", 2)]
    assert edges == [edge("r/root", "a/x"), edge("a/x", "b/y")]


def test_each_descendant_comes_from_its_shortest_path_and_the_first_relation_type():
    tree = graph.shortest_tree("r/root", EDGES)
    assert tree == {"a/fine": EDGES[0], "b/quant": EDGES[1], "d/merge": EDGES[4], "c/both": EDGES[2]}
    assert graph.descendant_relations("r/root", EDGES) == {
        "a/fine": "finetune",
        "b/quant": "quantized",
        "d/merge": "merge",
        "c/both": "adapter",
    }
    assert graph.shortest_tree("c/both", EDGES)["r/root"] == EDGES[6]  # the cycle: the root is its descendant
    assert graph.shortest_tree("x/alone", EDGES) == {}


def test_node_sizes_grow_with_log_downloads():
    sizes = [graph.node_size(n) for n in (None, 0, 9, 999, 10**12)]
    assert sizes[0] == sizes[1] == graph.MIN_SIZE
    assert sizes[1] < sizes[2] < sizes[3] < sizes[4] == graph.MAX_SIZE


def test_node_sizes_are_six_pixels_a_decade_from_eighteen():
    assert [graph.node_size(n) for n in (None, 0, 9, 99, 999, 5_000, 10**8, 10**12)] == [
        18,
        18,
        24.0,
        30.0,
        36.0,
        40.2,
        66.0,
        70,
    ]


# r/root → 5 finetunes f/f0..f4 and q/q0 (quantized); f/f4 → 4 adapters a/a0..a3; q/q0 → x/x0
# (finetune); a/a0 → m/m0 (merge) → d/d0 (finetune, generation 4); p/parent → r/root.
FAMILY_NODES = (
    [node("p/parent", -1), node("r/root", 0)]
    + [node(f"f/f{i}", 1, i) for i in range(5)]
    + [node("q/q0", 1, 50), node("x/x0", 2, 7), node("m/m0", 3, 3), node("d/d0", 4, 1)]
    + [node(f"a/a{i}", 2, 10 - i) for i in range(4)]
)
FAMILY_EDGES = (
    [edge("p/parent", "r/root")]
    + [edge("r/root", f"f/f{i}") for i in range(5)]
    + [edge("r/root", "q/q0", "quantized", declared=False), edge("q/q0", "x/x0")]
    + [edge("f/f4", f"a/a{i}", "adapter") for i in range(4)]
    + [edge("a/a0", "m/m0", "merge"), edge("m/m0", "d/d0")]
)
FAMILY = FamilyGroups(
    {
        Group(1, "finetune"): 5,
        Group(1, "quantized"): 1,
        Group(2, "adapter"): 4,
        Group(2, "finetune"): 1,
        Group(3, "merge"): 1,
        Group(4, "finetune"): 1,
    },
    [
        GroupLink("r/root", None, Group(1, "finetune"), 5),
        GroupLink("r/root", None, Group(1, "quantized"), 1),
        GroupLink("f/f4", Group(1, "finetune"), Group(2, "adapter"), 4),
        GroupLink("q/q0", Group(1, "quantized"), Group(2, "finetune"), 1),
        GroupLink("a/a0", Group(2, "adapter"), Group(3, "merge"), 1),
        GroupLink("m/m0", Group(3, "merge"), Group(4, "finetune"), 1),
        GroupLink(None, Group(1, "finetune"), Group(2, "adapter"), 4),  # per group, over the family
        GroupLink(None, Group(1, "quantized"), Group(2, "finetune"), 1),
        GroupLink(None, Group(2, "adapter"), Group(3, "merge"), 1),
        GroupLink(None, Group(3, "merge"), Group(4, "finetune"), 1),
    ],
)
BOUNDS = graph.Bounds(generations=3, small=1, expanded=2)


def drawn(drawing) -> set[str]:
    return {n.id for n in drawing.nodes}


def test_each_descendant_is_placed_in_its_generation_and_relation_type():
    assert graph.placement("r/root", FAMILY_EDGES) == {
        **{f"f/f{i}": (1, "finetune") for i in range(5)},
        "q/q0": (1, "quantized"),
        "x/x0": (2, "finetune"),
        **{f"a/a{i}": (2, "adapter") for i in range(4)},
        "m/m0": (3, "merge"),
        "d/d0": (4, "finetune"),
    }


def test_big_groups_are_summaries_small_ones_are_drawn_with_their_paths_from_the_root():
    drawing = graph.plan("r/root", FAMILY_NODES, FAMILY_EDGES, FAMILY, [], BOUNDS)
    # q/q0, x/x0 and m/m0 are alone in their groups; m/m0 brings its path a/a0, f/f4.
    assert drawn(drawing) == {"p/parent", "r/root", "q/q0", "x/x0", "m/m0", "a/a0", "f/f4"}
    assert {(e.source, e.target) for e in drawing.edges} == {
        ("p/parent", "r/root"),
        ("r/root", "q/q0"),
        ("q/q0", "x/x0"),
        ("r/root", "f/f4"),
        ("f/f4", "a/a0"),
        ("a/a0", "m/m0"),
    }
    assert [(s.group, s.hidden, s.drawn, s.expandable) for s in drawing.summaries] == [
        ((1, "finetune"), 4, 1, True),
        ((2, "adapter"), 3, 1, True),
        (None, 1, 0, True),
    ]
    # Into a summary from the drawn parents that have undrawn derivatives there; d/d0 is deeper.
    assert sorted(drawing.links) == [
        ("f/f4", "more:adapter:2", "adapter"),
        ("m/m0", graph.DEEPER, "deeper"),
        ("r/root", "more:finetune:1", "finetune"),
    ]
    assert drawing.shown == Counter(finetune=2, quantized=1, adapter=1, merge=1)


def test_an_expanded_group_draws_its_most_downloaded_members():
    drawing = graph.plan("r/root", FAMILY_NODES, FAMILY_EDGES, FAMILY, [(1, "finetune"), (2, "adapter")], BOUNDS)
    assert {"f/f4", "f/f3"} <= drawn(drawing) and not {"f/f0", "f/f1", "f/f2"} & drawn(drawing)
    assert {"a/a0", "a/a1"} <= drawn(drawing) and not {"a/a2", "a/a3"} & drawn(drawing)
    summaries = {s.group: s for s in drawing.summaries}
    assert (summaries[(1, "finetune")].hidden, summaries[(1, "finetune")].expandable) == (3, False)
    assert summaries[(2, "adapter")].hidden == 2


def test_links_from_an_undrawn_parent_come_from_its_groups_summary():
    family = FamilyGroups(
        {Group(1, "finetune"): 5, Group(2, "adapter"): 4},
        [
            GroupLink("r/root", None, Group(1, "finetune"), 5),
            GroupLink("f/f4", Group(1, "finetune"), Group(2, "adapter"), 4),  # not drawn: its group's link counts
            GroupLink(None, Group(1, "finetune"), Group(2, "adapter"), 4),
        ],
    )
    nodes = [n for n in FAMILY_NODES if n.depth <= 2 and not n.id.startswith(("q/", "x/"))]
    drawing = graph.plan("r/root", nodes, FAMILY_EDGES, family, [], BOUNDS)
    assert drawn(drawing) == {"p/parent", "r/root"}
    assert sorted(drawing.links) == [
        ("more:finetune:1", "more:adapter:2", "adapter"),
        ("r/root", "more:finetune:1", "finetune"),
    ]


def test_more_generations_draw_the_deeper_ones_as_groups():
    drawing = graph.plan("r/root", FAMILY_NODES, FAMILY_EDGES, FAMILY, [], graph.Bounds(4, 1, 2))
    assert "d/d0" in drawn(drawing)
    assert all(s.group is not None for s in drawing.summaries)


def test_the_drawing_stays_within_its_bound_however_big_the_family():
    """2,000 finetunes of 3 generations, 10 quantizations under each: every group expanded."""
    nodes, edges, links = [node("r/root", 0)], [], [GroupLink("r/root", None, Group(1, "finetune"), 2000)]
    for i in range(2000):
        nodes.append(node(f"f/f{i}", 1, i))
        edges.append(edge("r/root", f"f/f{i}"))
        for j in range(10):
            nodes.append(node(f"q/q{i}-{j}", 2, j))
            edges.append(edge(f"f/f{i}", f"q/q{i}-{j}", "quantized"))
        links.append(GroupLink(f"f/f{i}", Group(1, "finetune"), Group(2, "quantized"), 10))
    links.append(GroupLink(None, Group(1, "finetune"), Group(2, "quantized"), 20000))
    family = FamilyGroups({Group(1, "finetune"): 2000, Group(2, "quantized"): 20000}, links)
    bounds = graph.Bounds(generations=3, small=3, expanded=12)
    everything = [(1, "finetune"), (2, "quantized")]
    drawing = graph.plan("r/root", nodes, edges, family, everything, bounds)
    elements = graph.elements("r/root", drawing)
    descendants = [e for e in elements if "source" not in e["data"] and e["data"]["id"] != "r/root"]
    assert len(descendants) <= bounds.descendants(kinds=4)
    assert sum(1 for n in drawing.nodes if n.id.startswith("q/")) == 12
    collapsed = graph.plan("r/root", nodes, edges, family, [], bounds)
    assert drawn(collapsed) == {"r/root"} and len(collapsed.summaries) == 2
    assert collapsed.links == [
        ("r/root", "more:finetune:1", "finetune"),
        ("more:finetune:1", "more:quantized:2", "quantized"),
    ]


def test_the_elements_of_a_drawing():
    drawing = graph.plan("r/root", FAMILY_NODES, FAMILY_EDGES, FAMILY, [], BOUNDS)
    elements = {e["data"]["id"]: e for e in graph.elements("r/root", drawing)}
    assert elements["r/root"] == {
        "data": {"id": "r/root", "label": "root", "size": 18, "depth": 0, "downloads": 0, "in_catalog": True},
        "classes": "root",
    }
    assert elements["more:finetune:1"] == {
        "data": {
            "generation": 1,
            "relation": "finetune",
            "id": "more:finetune:1",
            "label": "+4 more finetunes",
            "count": 4,
            "expandable": True,
        },
        "classes": "summary finetune expandable",
    }
    assert elements["more:adapter:2"]["data"]["label"] == "+3 more adapters"
    assert elements[graph.DEEPER]["data"]["label"] == "1 deeper\n(down to generation 4)"
    assert elements["r/root->q/q0"]["classes"] == "relation quantized inferred"
    assert elements["r/root->f/f4"]["classes"] == "relation finetune declared"
    assert elements["f/f4->more:adapter:2"] == {
        "data": {"id": "f/f4->more:adapter:2", "source": "f/f4", "target": "more:adapter:2", "relation": "adapter"},
        "classes": "relation summary-edge adapter",
    }
    finetunes = [n for n in FAMILY_NODES if n.id.startswith(("r/", "f/"))]
    untouched = graph.plan("r/root", finetunes, FAMILY_EDGES, FamilyGroups({Group(1, "finetune"): 5}, []), [], BOUNDS)
    whole = {e["data"]["id"]: e for e in graph.elements("r/root", untouched)}
    assert whole["more:finetune:1"]["data"]["label"] == "5 finetunes"  # none of them drawn


def test_labels_are_short_names_cut_to_a_readable_width():
    assert graph.short_label("Qwen/Qwen2.5-7B-Instruct") == "Qwen2.5-7B-Instruct"
    long = graph.short_label("someone/" + "x" * 60)
    assert len(long) == graph.LABEL_CHARS and long.endswith("…")
    assert graph.short_label("gpt2") == "gpt2"


def test_the_layout_is_dagre_layered_left_to_right():
    options = graph.layout()
    assert options["name"] == "dagre" and options["rankDir"] == "LR"
    assert options["nodeDimensionsIncludeLabels"] is True and options["animate"] is False


def test_the_stylesheet_colours_each_relation_type_and_dashes_inferred_relations():
    rules = {rule["selector"]: rule["style"] for rule in graph.stylesheet()}
    assert rules["edge.finetune"] == {"line-color": "#0d6efd", "target-arrow-color": "#0d6efd"}
    assert rules["node.summary.merge"] == {"border-color": "#6f42c1", "color": "#6f42c1"}
    assert rules["edge.inferred"] == {"line-style": "dashed"}
    assert "line-style" not in rules["edge"]  # declared: solid
    assert rules["node"]["font-size"] >= 12
    assert rules["node.missing"]["border-color"] == rules["edge"]["line-color"] == "#adb5bd"
