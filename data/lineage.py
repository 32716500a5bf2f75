"""Lineage of a model: its ancestors (walked up) and its descendants (from `lineage_closure`).

Ancestors are few, so a bounded recursive walk over `base_model_relations` finds them all.
Families can hold 100,000+ descendants, so those come from the `lineage_closure` materialized
view (migration 0002): the most-downloaded first, with exact counts for the whole family.
Shared by the API and the dashboard; results are plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Row, text
from sqlalchemy.orm import Session

from data.licences import refresh_licence_conflicts
from data.query import QueryError
from data.vocabulary import MAX_LINEAGE_DEPTH, RELATION_TYPES

MAX_DEPTH = MAX_LINEAGE_DEPTH
DIRECTIONS = ("both", "up", "down")
DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


@dataclass(frozen=True)
class LineageNode:
    id: str  # the Hub id (a base missing from the catalog is known only by it)
    author: str | None
    pipeline_tag: str | None
    library_name: str | None
    downloads: int | None
    likes: int | None
    derivative_count: int | None
    in_catalog: bool
    depth: int  # < 0 ancestors, 0 the root, > 0 descendants


@dataclass(frozen=True)
class LineageEdge:
    source: str  # the base
    target: str  # the derivative
    relation_type: str
    declared: bool


@dataclass(frozen=True)
class Ancestry:
    root: str
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool  # descendants matching the relation filter were left out (limit, depth)
    total_descendants: int  # the whole family, whatever the filters
    counts_by_relation: dict[str, int]  # the whole family, by relation type
    max_depth: int  # the deepest descendant of the whole family

    def summary(self) -> dict:
        """The family's counts."""
        return {
            "truncated": self.truncated,
            "total_descendants": self.total_descendants,
            "counts_by_relation": self.counts_by_relation,
            "max_depth": self.max_depth,
        }


@dataclass(frozen=True)
class FamilyCounts:
    """The descendants of a model counted by (relation type, depth), whatever the filters."""

    counts: dict[tuple[str, int], int]

    def total(self, relations: Iterable[str] = RELATION_TYPES, generation: int | None = None) -> int:
        return sum(n for (kind, depth), n in self.counts.items() if kind in relations and generation in (None, depth))

    def by_relation(self) -> dict[str, int]:
        return {kind: self.total((kind,)) for kind in RELATION_TYPES}

    def max_depth(self) -> int:
        return max((depth for _, depth in self.counts), default=0)


class Descendant(NamedTuple):
    id: int
    depth: int
    relation_type: str


def refresh_lineage(session: Session, *, concurrently: bool = True) -> None:
    """Recompute the closure, then the counts drawn from it (by default without blocking readers).

    After loading an empty catalog a plain refresh is much faster (no diff against the old
    rows) and blocks nobody who had anything to read.
    """
    how = "CONCURRENTLY " if concurrently else ""
    session.execute(text(f"REFRESH MATERIALIZED VIEW {how}lineage_closure"))
    session.execute(text(f"REFRESH MATERIALIZED VIEW {how}lineage_counts"))
    session.execute(text("ANALYZE lineage_closure, lineage_counts"))  # new family sizes
    refresh_licence_conflicts(session, concurrently=concurrently)  # judged along the new closure


def ancestry(
    session: Session,
    repo_id: str,
    *,
    direction: str = "both",
    depth: int | None = None,
    relation: Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
    generation: int | None = None,
) -> Ancestry | None:
    """The lineage graph around `repo_id` (any case); None when the model is unknown.

    `depth` bounds both directions (default MAX_DEPTH). Every ancestor within it is returned.
    Descendants: those whose relation type is in `relation` (default all), `generation` steps
    below the root if given, most-downloaded first, plus the models on their shortest paths
    from the root so that the graph stays connected (those may have another relation type),
    `limit` nodes in all.
    """
    relations = _check(direction, depth, relation, limit)
    bound = depth or MAX_DEPTH
    if generation is not None and not 1 <= generation <= bound:
        raise QueryError("generation", f"must be between 1 and {bound}")
    root = find_model(session, repo_id)
    if root is None:
        return None
    root_id, root_repo_id = root
    ancestors, missing = ({}, {}) if direction == "down" else _ancestors(session, root_id, bound)
    lowest = generation or 1
    descendants = (
        {} if direction == "up" else _descendants(session, root_id, (lowest, generation or bound), relations, limit)
    )
    depths = _depths(root_id, ancestors, descendants)
    models = _models(session, list(depths))
    family = family_counts(session, root_id)
    returned = sum(1 for d in descendants.values() if d.relation_type in relations and d.depth >= lowest)
    return Ancestry(
        root=root_repo_id,
        nodes=_nodes(models, depths, missing),
        edges=_edges(session, models, missing),
        truncated=direction != "up" and returned < family.total(relations, generation),
        total_descendants=family.total(),
        counts_by_relation=family.by_relation(),
        max_depth=family.max_depth(),
    )


def _check(direction, depth, relation, limit) -> list[str]:
    """The relation types asked for; raise QueryError on a bad parameter."""
    if direction not in DIRECTIONS:
        raise QueryError("direction", f"must be one of {', '.join(DIRECTIONS)}")
    if depth is not None and not 1 <= depth <= MAX_DEPTH:
        raise QueryError("depth", f"must be between 1 and {MAX_DEPTH}")
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError("limit", f"must be between 1 and {MAX_LIMIT}")
    asked = set(relation) if relation else set(RELATION_TYPES)
    unknown = asked - set(RELATION_TYPES)
    if unknown:
        raise QueryError(
            "relation", f"unknown {', '.join(map(repr, sorted(unknown)))}; known: {', '.join(RELATION_TYPES)}"
        )
    return sorted(asked)


def find_model(session: Session, repo_id: str) -> tuple[int, str] | None:
    """(id, the catalog's spelling of the repo id) of a model named in any case, or None."""
    if "\x00" in repo_id:
        return None  # PostgreSQL text cannot hold NUL: no model has such an id
    row = session.execute(
        text("SELECT id, repo_id FROM models WHERE lower(repo_id) = lower(:repo_id)"),
        {"repo_id": repo_id},
    ).first()
    return (row.id, row.repo_id) if row else None


def family_counts(session: Session, root_id: int) -> FamilyCounts:
    """The descendants of models.id `root_id` by (relation type, depth), from lineage_counts."""
    rows = session.execute(
        # Summed over `declared` (migration 0011 counts declared and inferred apart).
        text("""
        SELECT relation_type, depth, sum(descendants) AS descendants FROM lineage_counts
        WHERE ancestor = :root GROUP BY relation_type, depth"""),
        {"root": root_id},
    )
    return FamilyCounts({(row.relation_type, row.depth): row.descendants for row in rows})


# Per level, one row per ancestor reached: merges of merges would otherwise multiply paths.
ANCESTORS_SQL = """
WITH RECURSIVE up (model_id, depth, path) AS (
    SELECT CAST(:root AS integer), 0, ARRAY[CAST(:root AS integer)]
  UNION ALL
    SELECT DISTINCT ON (r.base_model_ref) r.base_model_ref, u.depth + 1, u.path || r.base_model_ref
    FROM up u
    JOIN base_model_relations r ON r.model_id = u.model_id
    WHERE u.depth < :bound AND r.base_model_ref IS NOT NULL AND r.base_model_ref <> ALL (u.path)
)
SELECT model_id, min(depth) AS depth FROM up WHERE depth > 0 GROUP BY model_id
"""

MISSING_PARENTS_SQL = """
SELECT r.base_model_id, min(c.depth) + 1 AS depth
FROM unnest(CAST(:ids AS integer[]), CAST(:depths AS integer[])) AS c (id, depth)
JOIN base_model_relations r ON r.model_id = c.id
WHERE r.base_model_ref IS NULL AND c.depth < :bound
GROUP BY r.base_model_id
"""


def _ancestors(session: Session, root_id: int, bound: int) -> tuple[dict[int, int], dict[str, int]]:
    """(catalog ancestors, ancestors missing from the catalog by Hub id), each with its distance."""
    rows = session.execute(text(ANCESTORS_SQL), {"root": root_id, "bound": bound})
    ancestors = {row.model_id: row.depth for row in rows}
    walked = {root_id: 0} | ancestors
    rows = session.execute(
        text(MISSING_PARENTS_SQL), {"ids": list(walked), "depths": list(walked.values()), "bound": bound}
    )
    return ancestors, {row.base_model_id: row.depth for row in rows}


def _descendants(
    session: Session, root_id: int, depths: tuple[int, int], relations: list[str], limit: int
) -> dict[int, Descendant]:
    """The most-downloaded matching descendants within `depths` (inclusive) and what connects
    them, `limit` in all."""
    rows = session.execute(
        text("""
        SELECT descendant AS id, depth, relation_type FROM lineage_closure
        WHERE ancestor = :root AND depth BETWEEN :lowest AND :bound AND relation_type = ANY(:relations)
        ORDER BY downloads DESC, descendant DESC
        LIMIT :limit"""),
        {"root": root_id, "lowest": depths[0], "bound": depths[1], "relations": relations, "limit": limit},
    )
    candidates = [Descendant(*row) for row in rows.all()]
    return _connected_selection(candidates, _shortest_path_members(session, root_id, candidates), limit)


def _shortest_path_members(session: Session, root_id: int, candidates: list[Descendant]) -> dict[int, list[Descendant]]:
    """For each candidate, the descendants of the root lying on a shortest path to it.

    Two lookups by key rather than one join: the planner, overestimating the ancestors of the
    candidates, would rather read the whole family (100,000+ rows) than probe it a few
    thousand times; and `descendant = ANY(...)` beside `ancestor = :root` filters the family
    instead of probing it, hence the join to unnest().
    """
    depth_of = {c.id: c.depth for c in candidates if c.depth > 1}
    if not depth_of:
        return {}
    # Only ancestors nearer to the candidate than the root is can lie on such a path.
    above = session.execute(
        text("""
        SELECT up.descendant, up.ancestor, up.depth
        FROM unnest(CAST(:ids AS integer[]), CAST(:depths AS integer[])) AS c (id, depth)
        JOIN lineage_closure up ON up.descendant = c.id AND up.depth < c.depth"""),
        {"ids": list(depth_of), "depths": list(depth_of.values())},
    ).all()
    in_family = session.execute(
        text("""
        SELECT c.descendant, c.depth, c.relation_type
        FROM unnest(CAST(:ids AS integer[])) AS a (id)
        JOIN lineage_closure c ON c.ancestor = :root AND c.descendant = a.id"""),
        {"root": root_id, "ids": list({ancestor for _, ancestor, _ in above})},
    ).all()
    from_root = {row[0]: Descendant(*row) for row in in_family}
    members: dict[int, list[Descendant]] = {}
    for descendant, ancestor, distance in above:
        via = from_root.get(ancestor)
        if via is not None and via.depth + distance == depth_of[descendant]:
            members.setdefault(descendant, []).append(via)
    return members


def _connected_selection(
    candidates: list[Descendant], members: dict[int, list[Descendant]], limit: int
) -> dict[int, Descendant]:
    """Candidates in order, each with its path from the root, while `limit` allows."""
    chosen: dict[int, Descendant] = {}
    for candidate in candidates:
        needed = {m.id: m for m in members.get(candidate.id, ()) if m.id not in chosen}
        if candidate.id not in chosen:
            needed[candidate.id] = candidate
        if len(chosen) + len(needed) <= limit:
            chosen.update(needed)
    return chosen


def _depths(root_id: int, ancestors: dict[int, int], descendants: dict[int, Descendant]) -> dict[int, int]:
    """Signed depth per catalog model; one in a cycle with the root keeps its nearer side."""
    depths = {model_id: d.depth for model_id, d in descendants.items()}
    for model_id, distance in ancestors.items():
        if distance <= depths.get(model_id, MAX_DEPTH + 1):
            depths[model_id] = -distance
    depths[root_id] = 0
    return depths


def _models(session: Session, ids: list[int]) -> dict[int, Row]:
    rows = session.execute(
        text("""
        SELECT id, repo_id, author, pipeline_tag, library_name, downloads, likes, derivative_count
        FROM models WHERE id = ANY(CAST(:ids AS integer[]))"""),
        {"ids": ids},
    )
    return {row.id: row for row in rows.all()}


def _nodes(models: dict[int, Row], depths: dict[int, int], missing: dict[str, int]) -> list[LineageNode]:
    """The root, then ancestors nearest first, then descendants; most-downloaded first within."""
    nodes = [
        LineageNode(
            row.repo_id,
            row.author,
            row.pipeline_tag,
            row.library_name,
            row.downloads,
            row.likes,
            row.derivative_count,
            True,
            depths[model_id],
        )
        for model_id, row in models.items()
    ]
    nodes += [
        LineageNode(hub_id, None, None, None, None, None, None, False, -distance)
        for hub_id, distance in missing.items()
    ]
    return sorted(nodes, key=lambda n: (n.depth != 0, n.depth > 0, abs(n.depth), -(n.downloads or 0), n.id))


def _edges(session: Session, models: dict[int, Row], missing: dict[str, int]) -> list[LineageEdge]:
    """Every relation between two returned nodes, once per (base, derivative)."""
    rows = session.execute(
        text("""
        SELECT model_id, base_model_ref, base_model_id, relation_type, declared
        FROM base_model_relations WHERE model_id = ANY(CAST(:ids AS integer[]))
        ORDER BY declared DESC"""),
        {"ids": list(models)},
    )
    edges: dict[tuple[str, str], LineageEdge] = {}
    for row in rows.all():
        if row.base_model_ref in models:
            source = models[row.base_model_ref].repo_id
        elif row.base_model_ref is None and row.base_model_id in missing:
            source = row.base_model_id
        else:
            continue  # the base is not part of this graph
        target = models[row.model_id].repo_id
        edges.setdefault((source, target), LineageEdge(source, target, row.relation_type, row.declared))
    return sorted(edges.values(), key=lambda e: (e.source, e.target))
