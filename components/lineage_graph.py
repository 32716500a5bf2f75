"""Cytoscape elements, layout and stylesheet of a model's lineage.

Inputs are the plain lineage dataclasses (nodes with a signed depth, edges base → derivative)
and the family's groups (data/family_groups.py): descendants by generation and relation type. A
group is drawn as a summary node ("917 finetunes") unless it is small or expanded, when its
most-downloaded members are drawn (with what connects them to the root) beside "+N more".
Generations below those drawn are one more summary. So the drawing stays bounded whatever the
family's size: see `bound`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from components.labels import RELATION_PLURALS
from components.palette import MISSING_COLOUR, RELATION_COLOURS

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.family_groups import FamilyGroups, Group

SUMMARY_PREFIX = "more:"  # Hub ids always hold a "/", so summary ids cannot clash with them
DEEPER = f"{SUMMARY_PREFIX}deeper"
MIN_SIZE, MAX_SIZE = 18, 70
LABEL_CHARS = 24  # a label longer than this is cut (the full id shows on pointing at the node)


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


@dataclass(frozen=True)
class Bounds:
    """How much of a family is drawn."""

    generations: int  # generations below the root drawn as groups; deeper ones are one summary
    small: int  # a group of at most this many is drawn in full, expanded or not
    expanded: int  # members drawn of an expanded group

    def wanted(self, group: tuple[int, str], size: int, expanded: Iterable) -> int:
        """Members of a group of `size` drawn model by model."""
        if group in set(expanded):
            return self.expanded
        return size if size <= self.small else 0

    def descendants(self, kinds: int) -> int:
        """Most descendant nodes drawn (summaries included): per group its members (each with
        at most generations - 1 models connecting it to the root) and its summary; the deeper
        summary."""
        per_group = max(self.small, self.expanded) * self.generations + 1
        return kinds * self.generations * per_group + 1


@dataclass(frozen=True)
class Summary:
    """The members of a group left undrawn (group None: every generation below those drawn)."""

    group: Group | None
    hidden: int
    drawn: int  # members of the group drawn beside it
    expandable: bool
    deepest: int = 0  # for the deeper summary: the family's deepest generation

    @property
    def id(self) -> str:
        return DEEPER if self.group is None else summary_id(self.group)


@dataclass(frozen=True)
class Drawing:
    nodes: list
    edges: list
    summaries: list[Summary]
    links: list[tuple[str, str, str]]  # (drawn model or summary, summary, relation) edges into summaries
    shown: Counter  # drawn descendants by relation type


def summary_id(group: Group) -> str:
    return f"{SUMMARY_PREFIX}{group.relation}:{group.depth}"


def placement(root: str, edges: Sequence) -> dict[str, tuple[int, str]]:
    """(generation, relation type) of each descendant, as the closure records it: the length of
    its shortest path from the root and the first relation type into it on such a path."""
    depth = {root: 0}
    placed = {}
    for target, edge in shortest_tree(root, edges).items():  # level by level: parents come first
        depth[target] = depth[edge.source] + 1
        placed[target] = (depth[target], edge.relation_type)
    return placed


def plan(
    root: str, nodes: Sequence, edges: Sequence, family: FamilyGroups, expanded: Iterable, bounds: Bounds
) -> Drawing:
    """Which models are drawn, which summaries stand for the rest and how they hang together."""
    expanded = set(expanded)
    # Groups of the drawn generations; one in a cycle with the root is drawn as an ancestor.
    present = {node.id for node in nodes}
    groups = {t: g for t, g in placement(root, edges).items() if g[0] <= bounds.generations and t in present}
    ancestors = {node.id for node in nodes if node.depth <= 0}  # always drawn
    chosen = _chosen(nodes, {t: g for t, g in groups.items() if t not in ancestors}, family, expanded, bounds)
    kept = ancestors | _with_paths(root, chosen, shortest_tree(root, edges))
    nodes = [node for node in nodes if node.id in kept]
    edges = [edge for edge in edges if edge.source in kept and edge.target in kept]
    drawn = Counter(groups[t] for t in kept if t in groups)
    summaries = [
        Summary(group, size - drawn[group], drawn[group], group not in expanded)
        for group, size in sorted(family.sizes.items())
        if group[0] <= bounds.generations and size > drawn[group]
    ]
    deeper = sum(size for group, size in family.sizes.items() if group[0] > bounds.generations)
    if deeper:
        summaries.append(Summary(None, deeper, 0, True, max(group[0] for group in family.sizes)))
    links = _links(root, family, summaries, kept, groups, edges, bounds.generations)
    shown = Counter(relation for (_, relation) in (groups[t] for t in kept if t in groups))
    return Drawing(nodes, edges, summaries, links, shown)


def _chosen(nodes: Sequence, groups: dict, family: FamilyGroups, expanded: set, bounds: Bounds) -> set[str]:
    """The most-downloaded members of each group that is drawn model by model."""
    downloads = {node.id: node.downloads or 0 for node in nodes}
    members: dict[tuple[int, str], list[str]] = {}
    for target, group in groups.items():
        members.setdefault(group, []).append(target)
    chosen: set[str] = set()
    for group, ids in members.items():
        wanted = bounds.wanted(group, family.sizes.get(group, 0), expanded)
        chosen |= set(sorted(ids, key=lambda t: (-downloads[t], t))[:wanted])
    return chosen


def _with_paths(root: str, chosen: set[str], tree: dict) -> set[str]:
    """`chosen` with the models on one shortest path from the root to each (the one
    `shortest_tree` keeps): at most generation - 1 more per model."""
    found = set()
    for target in chosen:
        while target != root and target not in found:
            found.add(target)
            target = tree[target].source
    return found


def _links(
    root: str,
    family: FamilyGroups,
    summaries: list[Summary],
    kept: set[str],
    groups: dict,
    edges: Sequence,
    generations: int,
) -> list[tuple[str, str, str]]:
    """Edges into summaries: from a drawn model with undrawn derivatives in the group, and from
    the summary of a group whose undrawn members have derivatives there (links per group less
    what its drawn members account for; per group the links are of a sample of big families,
    data/family_groups.py, so an edge between two summaries can be missing there)."""
    ids = {summary.group: summary.id for summary in summaries}
    depth = {t: g[0] for t, g in groups.items()} | {root: 0}
    drawn_children = Counter(
        (e.source, groups[e.target])
        for e in edges
        if e.target in groups and depth.get(e.source) == groups[e.target][0] - 1  # as the links count them
    )
    # What the drawn parents of a group account for of its links per group.
    from_drawn: Counter = Counter()
    for link in family.links:
        if link.parent in kept and link.parent_group:
            from_drawn[(link.parent_group, link.child)] += link.children
    links: dict[tuple[str, str], str] = {}
    for link in family.links:
        child = tuple(link.child)
        deeper = child[0] > generations
        target = ids.get(None if deeper else child)
        if link.parent is None:  # the members of a group together: from its summary
            source = ids.get(link.parent_group and tuple(link.parent_group))
            undrawn = link.children - from_drawn[(link.parent_group, link.child)]
        elif link.parent in kept:
            source = link.parent
            undrawn = link.children - (0 if deeper else drawn_children[(link.parent, child)])
        else:
            continue  # counted in its group's link
        if target and source and undrawn > 0:
            links.setdefault((source, target), "deeper" if deeper else child[1])
    return [(source, target, relation) for (source, target), relation in links.items()]


def node_size(downloads: int | None) -> float:
    """Diameter growing with log10(downloads): 1 and 100M downloads stay on one screen."""
    return round(min(MAX_SIZE, MIN_SIZE + 6 * math.log10(1 + (downloads or 0))), 1)


def short_label(repo_id: str) -> str:
    """The name without its author, cut to LABEL_CHARS: readable, and narrow enough to stack."""
    name = repo_id.rpartition("/")[2] or repo_id
    return name if len(name) <= LABEL_CHARS else f"{name[: LABEL_CHARS - 1]}…"


def elements(root: str, drawing: Drawing) -> list[dict]:
    """Cytoscape elements: the models, their relations, the summaries and the edges into them."""
    drawn = [_node(node, root) for node in drawing.nodes]
    drawn += [_edge(edge) for edge in drawing.edges]
    drawn += [_summary(summary) for summary in drawing.summaries]
    drawn += [_link(*link) for link in drawing.links]
    return drawn


def _node(node, root: str) -> dict:
    label = short_label(node.id)
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
    classes = ["relation", edge.relation_type, "declared" if edge.declared else "inferred"]
    return {"data": data, "classes": " ".join(classes)}


def _summary(summary: Summary) -> dict:
    if summary.group is None:
        label = f"{summary.hidden:,} deeper\n(down to generation {summary.deepest})"
        data = {"generation": summary.deepest, "relation": "deeper"}
    else:
        depth, relation = summary.group
        words = RELATION_PLURALS[relation]
        label = f"+{summary.hidden:,} more {words}" if summary.drawn else f"{summary.hidden:,} {words}"
        data = {"generation": depth, "relation": relation}
    data |= {"id": summary.id, "label": label, "count": summary.hidden, "expandable": summary.expandable}
    return {"data": data, "classes": f"summary {data['relation']}" + (" expandable" if summary.expandable else "")}


def _link(source: str, target: str, relation: str) -> dict:
    data = {"id": f"{source}->{target}", "source": source, "target": target, "relation": relation}
    return {"data": data, "classes": f"relation summary-edge {relation}"}


def layout() -> dict:
    """Layered left to right (dagre, from dash-cytoscape's extra layouts): a generation per
    column, siblings stacked, labels counted in their nodes' size so that none overlap."""
    return {
        "name": "dagre",
        "rankDir": "LR",
        "nodeSep": 12,
        "rankSep": 70,
        "nodeDimensionsIncludeLabels": True,
        "fit": True,
        "padding": 16,
        "animate": False,
    }


def stylesheet() -> list[dict]:
    """Labels under their nodes at 13 px (edges leave sideways); declared relations solid, inferred ones dashed;
    edges into summaries thin and faint (they stand for many relations)."""
    return [
        {
            "selector": "node",
            "style": {
                "label": "data(label)",
                "width": "data(size)",
                "height": "data(size)",
                "font-size": 13,
                "text-halign": "center",
                "text-valign": "bottom",
                "text-margin-y": 3,
                "text-wrap": "wrap",
                "text-max-width": 160,
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
                "border-width": 2,
                "width": "label",
                "height": "label",
                "padding": 6,
                "text-valign": "center",
                "text-margin-y": 0,
                "font-weight": "bold",
            },
        },
        {"selector": "node.summary.expandable", "style": {"border-style": "double", "border-width": 4}},
        {"selector": "node.summary.deeper", "style": {"border-color": "#495057", "color": "#495057"}},
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
        {"selector": "edge.inferred", "style": {"line-style": "dashed"}},
        {"selector": "edge.summary-edge", "style": {"width": 1, "line-opacity": 0.6, "arrow-scale": 0.8}},
        *(
            rule
            for kind, colour in RELATION_COLOURS.items()
            for rule in (
                {"selector": f"edge.{kind}", "style": {"line-color": colour, "target-arrow-color": colour}},
                {"selector": f"node.summary.{kind}", "style": {"border-color": colour, "color": colour}},
            )
        ),
    ]
