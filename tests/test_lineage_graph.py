"""components/lineage_graph.py on hand-made lineage dataclasses: which descendants are drawn,
the cytoscape elements, the layout and the stylesheet. tests/test_model_page.py draws real
families through the model page."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from components import lineage_graph as graph
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


def test_only_the_most_downloaded_siblings_of_a_type_are_kept_with_what_hangs_from_them():
    nodes = [
        node("p/parent", -1),
        node("r/root", 0),
        node("q/low", 1, 5),
        node("q/mid", 1, 50),
        node("q/high", 1, 500),
        node("f/one", 1, 1),
        node("l/under-low", 2, 10**6),
    ]
    edges = [
        edge("p/parent", "r/root"),
        edge("r/root", "q/low", "quantized"),
        edge("r/root", "q/mid", "quantized"),
        edge("r/root", "q/high", "quantized"),
        edge("r/root", "f/one"),
        edge("q/low", "l/under-low", "adapter"),
    ]
    kept_nodes, kept_edges = graph.prune_siblings("r/root", nodes, edges, keep=2)
    assert [n.id for n in kept_nodes] == ["p/parent", "r/root", "q/mid", "q/high", "f/one"]
    assert kept_edges == [edges[0], edges[2], edges[3], edges[4]]
    expanded_nodes, expanded_edges = graph.prune_siblings("r/root", nodes, edges, keep=2, expanded=["quantized"])
    assert expanded_nodes == nodes and expanded_edges == edges
    only_one, _ = graph.prune_siblings("r/root", nodes, edges, keep=1, expanded=["quantized"])
    assert [n.id for n in only_one] == [n.id for n in nodes]  # one finetune and one adapter each: all kept


def test_hidden_descendants_by_relation_type():
    counts = {"finetune": 5, "adapter": 2, "merge": 1}
    assert graph.hidden_by_relation(counts, Counter(finetune=3, adapter=2, merge=2)) == {"finetune": 2}
    assert graph.hidden_by_relation(counts, Counter()) == counts


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


def test_the_elements_of_a_drawing():
    nodes = [
        node("p/parent", -1, 9),
        node("r/root", 0, 1_000),
        node("c/child", 1, None),
        node("gone/model", -1, None, in_catalog=False),
    ]
    edges = [edge("p/parent", "r/root"), edge("r/root", "c/child", "quantized", declared=False)]
    drawn = graph.elements("r/root", nodes, edges, {"adapter": 1_234, "merge": 3}, expanded=["merge"])
    assert drawn == [
        {
            "data": {
                "id": "p/parent",
                "label": "p/\nparent",
                "size": 24.0,
                "depth": -1,
                "downloads": 9,
                "in_catalog": True,
            },
            "classes": "ancestor",
        },
        {
            "data": {
                "id": "r/root",
                "label": "r/\nroot",
                "size": 36.0,
                "depth": 0,
                "downloads": 1_000,
                "in_catalog": True,
            },
            "classes": "root",
        },
        {
            "data": {
                "id": "c/child",
                "label": "c/\nchild",
                "size": 18,
                "depth": 1,
                "downloads": None,
                "in_catalog": True,
            },
            "classes": "descendant",
        },
        {
            "data": {
                "id": "gone/model",
                "label": "gone/\nmodel\n(not in catalog)",
                "size": 18,
                "depth": -1,
                "downloads": None,
                "in_catalog": False,
            },
            "classes": "missing",
        },
        {
            "data": {
                "id": "p/parent->r/root",
                "source": "p/parent",
                "target": "r/root",
                "relation": "finetune",
                "declared": True,
            },
            "classes": "relation finetune",
        },
        {
            "data": {
                "id": "r/root->c/child",
                "source": "r/root",
                "target": "c/child",
                "relation": "quantized",
                "declared": False,
            },
            "classes": "relation quantized inferred",
        },
        {
            "data": {
                "id": "more:adapter",
                "label": "+1,234 more adapter",
                "relation": "adapter",
                "count": 1_234,
                "expandable": True,
                "size": 18,
            },
            "classes": "summary adapter",
        },
        {
            "data": {"id": "r/root->more:adapter", "source": "r/root", "target": "more:adapter", "relation": "adapter"},
            "classes": "relation summary-edge adapter",
        },
        {
            "data": {
                "id": "more:merge",
                "label": "+3 more merge\n(most downloaded shown)",
                "relation": "merge",
                "count": 3,
                "expandable": False,
                "size": 18,
            },
            "classes": "summary merge",
        },
        {
            "data": {"id": "r/root->more:merge", "source": "r/root", "target": "more:merge", "relation": "merge"},
            "classes": "relation summary-edge merge",
        },
    ]


def test_the_layout_starts_from_the_models_with_no_parent_drawn():
    nodes = [node("p/parent", -1), node("r/root", 0), node('o/"other"', -1), node("c/child", 1)]
    edges = [edge("p/parent", "r/root"), edge('o/"other"', "r/root"), edge("r/root", "c/child")]
    options = graph.layout(graph.elements("r/root", nodes, edges, {}))
    assert options == {
        "name": "breadthfirst",
        "directed": True,
        "spacingFactor": 1.1,
        "animate": False,
        "maximal": True,
        "roots": '[id = "p/parent"], [id = "o/\\"other\\""]',
    }  # ids quoted as JSON


def test_a_cycle_is_laid_out_without_maximal_layering():
    nodes = [node("a/one", 0), node("b/two", 1), node("c/three", 2)]
    cycle = [edge("a/one", "b/two"), edge("b/two", "c/three"), edge("c/three", "a/one")]
    options = graph.layout(graph.elements("a/one", nodes, cycle, {}))
    assert options["maximal"] is False and "roots" not in options  # every node has a parent drawn
    below = graph.layout(graph.elements("a/one", nodes, cycle[:2], {"merge": 1}))
    assert below["maximal"] is True and below["roots"] == '[id = "a/one"]'


def test_the_stylesheet_colours_each_relation_type():
    rules = {rule["selector"]: rule["style"] for rule in graph.stylesheet()}
    assert rules["edge.finetune"] == {"line-color": "#0d6efd", "target-arrow-color": "#0d6efd"}
    assert rules["node.summary.merge"] == {"border-color": "#6f42c1", "color": "#6f42c1"}
    assert {selector for selector in rules if selector.startswith("edge.")} == {
        "edge.inferred",
        "edge.summary-edge",
        "edge.finetune",
        "edge.adapter",
        "edge.quantized",
        "edge.merge",
    }
    assert rules["node.missing"]["border-color"] == rules["edge"]["line-color"] == "#adb5bd"
