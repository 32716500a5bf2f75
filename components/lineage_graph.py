"""Cytoscape elements, layout and stylesheet of a model's lineage.

Inputs are the plain lineage dataclasses (nodes with a signed depth, edges base → derivative);
descendants left out of the drawing are summarised by one node per relation type.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence

from components.palette import MISSING_COLOUR, RELATION_COLOURS

SUMMARY_PREFIX = "more:"  # Hub ids always hold a "/", so summary ids cannot clash with them
MIN_SIZE, MAX_SIZE = 18, 70


def merge(graphs: Iterable) -> tuple[list, list]:
    """Nodes and edges of several lineage graphs of one root, each once (the first wins)."""
    nodes, edges = {}, {}
    for graph in graphs:
        for node in graph.nodes:
            nodes.setdefault(node.id, node)
        for edge in graph.edges:
            edges.setdefault((edge.source, edge.target), edge)
    return list(nodes.values()), list(edges.values())


def shortest_tree(root: str, edges: Sequence) -> dict[str, object]:
    """For each descendant, the edge that brings it from a parent on its shortest path from the
    root: of the alphabetically first relation type, as the closure counts it. Walked from the
    edges, not the depths: a model in a cycle with the root is drawn as an ancestor yet is a
    descendant too."""
    children: dict[str, list] = {}
    for edge in edges:
        children.setdefault(edge.source, []).append(edge)
    tree: dict[str, object] = {}
    level = [root]
    while level:
        found: dict[str, object] = {}
        for parent in level:
            for edge in children.get(parent, ()):
                if edge.target == root or edge.target in tree:
                    continue
                if edge.target not in found or edge.relation_type < found[edge.target].relation_type:
                    found[edge.target] = edge
        tree |= found
        level = list(found)
    return tree


def descendant_relations(root: str, edges: Sequence) -> dict[str, str]:
    return {target: edge.relation_type for target, edge in shortest_tree(root, edges).items()}


def prune_siblings(
    root: str, nodes: Sequence, edges: Sequence, keep: int, expanded: Iterable[str] = ()
) -> tuple[list, list]:
    """Only the `keep` most-downloaded children of each parent by relation type (all of them for
    an expanded type), and what still hangs from the root: one wide level is unreadable."""
    expanded = set(expanded)
    downloads = {node.id: node.downloads or 0 for node in nodes}
    below = {node.id for node in nodes if node.depth > 0}  # an ancestor is never dropped
    siblings: dict[tuple[str, str], list[str]] = {}
    for target, edge in shortest_tree(root, edges).items():
        if target in below and edge.relation_type not in expanded:
            siblings.setdefault((edge.source, edge.relation_type), []).append(target)
    dropped = {
        target
        for group in siblings.values()
        for target in sorted(group, key=lambda t: (-downloads.get(t, 0), t))[keep:]
    }
    edges = [e for e in edges if e.source not in dropped and e.target not in dropped]
    descendants = set(shortest_tree(root, edges))
    nodes = [n for n in nodes if n.id not in dropped and (n.depth <= 0 or n.id in descendants)]
    kept = {n.id for n in nodes}
    return nodes, [e for e in edges if e.source in kept and e.target in kept]


def hidden_by_relation(counts_by_relation: dict[str, int], shown: Counter) -> dict[str, int]:
    """Descendants of the family not drawn, per relation type (only types that have some)."""
    hidden = {kind: total - shown.get(kind, 0) for kind, total in counts_by_relation.items()}
    return {kind: count for kind, count in hidden.items() if count > 0}


def node_size(downloads: int | None) -> float:
    """Diameter growing with log10(downloads): 1 and 100M downloads stay on one screen."""
    return round(min(MAX_SIZE, MIN_SIZE + 6 * math.log10(1 + (downloads or 0))), 1)


def elements(
    root: str, nodes: Sequence, edges: Sequence, hidden: dict[str, int], expanded: Iterable[str] = ()
) -> list[dict]:
    """Cytoscape elements: the models, their relations and one summary node per hidden type."""
    expanded = set(expanded)
    drawn = [_node(node, root) for node in nodes]
    drawn += [_edge(edge) for edge in edges]
    for kind, count in hidden.items():
        drawn += _summary(root, kind, count, expandable=kind not in expanded)
    return drawn


def _node(node, root: str) -> dict:
    label = node.id.replace("/", "/\n", 1)  # author over name: half as wide, fewer overlaps
    if not node.in_catalog:
        label, kind = f"{label}\n(not in catalog)", "missing"
    else:
        kind = "root" if node.id == root else "ancestor" if node.depth < 0 else "descendant"
    data = {
        "id": node.id,
        "label": label,
        "size": node_size(node.downloads),
        "depth": node.depth,
        "downloads": node.downloads,
        "in_catalog": node.in_catalog,
    }
    return {"data": data, "classes": kind}


def _edge(edge) -> dict:
    data = {
        "id": f"{edge.source}->{edge.target}",
        "source": edge.source,
        "target": edge.target,
        "relation": edge.relation_type,
        "declared": edge.declared,
    }
    classes = ["relation", edge.relation_type] + ([] if edge.declared else ["inferred"])
    return {"data": data, "classes": " ".join(classes)}


def _summary(root: str, kind: str, count: int, expandable: bool) -> list[dict]:
    node_id = f"{SUMMARY_PREFIX}{kind}"
    label = f"+{count:,} more {kind}" + ("" if expandable else "\n(most downloaded shown)")
    node = {
        "data": {
            "id": node_id,
            "label": label,
            "relation": kind,
            "count": count,
            "expandable": expandable,
            "size": MIN_SIZE,
        },
        "classes": f"summary {kind}",
    }
    edge = {
        "data": {"id": f"{root}->{node_id}", "source": root, "target": node_id, "relation": kind},
        "classes": f"relation summary-edge {kind}",
    }
    return [node, edge]


def layout(elements: Sequence[dict]) -> dict:
    """Layered top-down from the models with no parent drawn; `maximal` puts each node below
    all its parents, which cytoscape can only do (silently) when the drawing has no cycle."""
    edges = [e["data"] for e in elements if "source" in e["data"]]
    ids = [e["data"]["id"] for e in elements if "source" not in e["data"]]
    with_parent = {e["target"] for e in edges}
    roots = [node_id for node_id in ids if node_id not in with_parent]
    options = {
        "name": "breadthfirst",
        "directed": True,
        "spacingFactor": 1.1,
        "animate": False,
        "maximal": _acyclic(ids, edges),
    }
    if roots:
        options["roots"] = ", ".join(f"[id = {json.dumps(node_id)}]" for node_id in roots)
    return options


def _acyclic(ids: Sequence[str], edges: Sequence[dict]) -> bool:
    """Kahn's algorithm: every node can be removed in topological order."""
    parents = Counter(e["target"] for e in edges)
    children: dict[str, list[str]] = {}
    for e in edges:
        children.setdefault(e["source"], []).append(e["target"])
    ready = [node_id for node_id in ids if parents[node_id] == 0]
    removed = 0
    while ready:
        removed += 1
        for child in children.get(ready.pop(), ()):
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    return removed == len(ids)


def stylesheet() -> list[dict]:
    return [
        {
            "selector": "node",
            "style": {
                "label": "data(label)",
                "width": "data(size)",
                "height": "data(size)",
                "font-size": 10,
                "text-valign": "bottom",
                "text-margin-y": 4,
                "text-wrap": "wrap",
                "text-max-width": 140,
                "text-overflow-wrap": "anywhere",
                "background-color": "#6c757d",
                "border-width": 1,
                "border-color": "#495057",
            },
        },
        {"selector": "node.root", "style": {"background-color": "#dc3545", "border-width": 3, "font-weight": "bold"}},
        {"selector": "node.ancestor", "style": {"background-color": "#20c997"}},
        {"selector": "node.descendant", "style": {"background-color": "#0dcaf0"}},
        {
            "selector": "node.missing",
            "style": {
                "background-color": "#f8f9fa",
                "border-style": "dashed",
                "border-width": 2,
                "border-color": MISSING_COLOUR,
                "color": "#6c757d",
            },
        },
        {
            "selector": "node.summary",
            "style": {
                "shape": "round-rectangle",
                "background-color": "#fff",
                "border-style": "dashed",
                "border-width": 2,
                "width": 110,
                "height": 24,
                "text-valign": "center",
                "text-margin-y": 0,
                "font-size": 11,
            },
        },
        {
            "selector": "edge",
            "style": {
                "curve-style": "bezier",
                "target-arrow-shape": "triangle",
                "width": 2,
                "line-color": MISSING_COLOUR,
                "target-arrow-color": MISSING_COLOUR,
            },
        },
        {"selector": "edge.inferred", "style": {"line-style": "dotted"}},
        {"selector": "edge.summary-edge", "style": {"line-style": "dashed"}},
        *(
            rule
            for kind, colour in RELATION_COLOURS.items()
            for rule in (
                {"selector": f"edge.{kind}", "style": {"line-color": colour, "target-arrow-color": colour}},
                {"selector": f"node.summary.{kind}", "style": {"border-color": colour, "color": colour}},
            )
        ),
    ]
