"""Lineage in search: `descendant_of` / `ancestor_of` (within `depth`) from the lineage closure
(migrations 0002, 0011), and `relation` / `lineage` on the edge into each result.

The edge into a result is: with descendant_of, the last edge of its shortest path from the
root (the closure's relation_type and declared); with base_model, the edge from that base;
otherwise any edge into it.

A root id is resolved to models.id before searching (`resolve_roots`): the planner then sees
the family's size in the closure's statistics and chooses between walking the sort index and
gathering the family (data/search/plan.py). Unresolved (facets, charts), the root is a scalar
subquery; an unknown id matches nothing either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, any_, exists, func, literal, select
from sqlalchemy.orm import Session

from data.models import BaseModelRelation, Model, SearchRow, lineage_closure, lineage_counts
from data.query import SearchQuery
from data.vocabulary import MAX_LINEAGE_DEPTH

UNKNOWN = 0  # no models.id is 0 (a serial starts at 1): an unknown root finds nothing


@dataclass(frozen=True)
class Roots:
    """The models.id of `descendant_of` and `ancestor_of`, UNKNOWN when no model has that id."""

    descendant_of: int | None = None
    ancestor_of: int | None = None


@dataclass(frozen=True)
class Family:
    """A lineage filter's models and how to count them exactly (a family is bounded by its size)."""

    condition: ColumnElement  # membership by a hashed subquery: what a walk tests rows with
    listed: ColumnElement  # the same, as an array the primary key is probed with (gather, count)
    size: Select  # the family's size, whatever other filters say


def _family(members: Select, size: Select) -> Family:
    """The planner would rather hash-join a family with a broad filter's every row (75 ms for
    Mistral-7B's 5,194 descendants among 120,000 text-generation models) than probe the
    family's ids (13 ms); an array of them leaves it no other choice."""
    return Family(SearchRow.id.in_(members), SearchRow.id == any_(func.array(members.scalar_subquery())), size)


def resolve_roots(session: Session, query: SearchQuery) -> Roots:
    ids = [repo_id for repo_id in (query.descendant_of, query.ancestor_of) if repo_id]
    if not ids:
        return Roots()
    lowered = {repo_id.lower() for repo_id in ids}
    found: dict[str, int] = dict(
        session.execute(select(func.lower(Model.repo_id), Model.id).where(func.lower(Model.repo_id).in_(lowered))).all()
    )

    def resolved(repo_id: str | None) -> int | None:
        return found.get(repo_id.lower(), UNKNOWN) if repo_id else None

    return Roots(resolved(query.descendant_of), resolved(query.ancestor_of))


def lineage_filters(query: SearchQuery, roots: Roots | None = None) -> tuple[list[ColumnElement], Family | None]:
    """(the edge conditions on model_search rows, the family when descendant_of / ancestor_of
    is asked: its condition is the family's own, for the plan to place)."""
    families = [family for family in (_descendants(query, roots), _ancestors(query, roots)) if family]
    conditions = []
    if query.base_model:
        conditions.append(_derivative_of(query.base_model, query))
    elif not query.descendant_of and (query.relation or query.lineage):
        conditions.append(
            exists().where(BaseModelRelation.model_id == SearchRow.id, *_edge_conditions(BaseModelRelation, query))
        )
    return conditions, _together(families)


def _together(families: list[Family]) -> Family | None:
    """Descendants of X among the ancestors of Y: both, bounded by the smaller family."""
    if len(families) < 2:
        return families[0] if families else None
    first, second = families
    least = select(func.least(first.size.scalar_subquery(), second.size.scalar_subquery()))
    return Family(first.condition & second.condition, first.listed & second.condition, least)


def _root(repo_id: str, resolved: int | None) -> ColumnElement:
    if resolved is not None:
        return literal(resolved)
    return select(Model.id).where(func.lower(Model.repo_id) == repo_id.lower()).scalar_subquery()


def _descendants(query: SearchQuery, roots: Roots | None) -> Family | None:
    if not query.descendant_of:
        return None
    root = _root(query.descendant_of, roots.descendant_of if roots else None)
    closure = lineage_closure.c
    bounds = [*_depth_bound(closure.depth, query.depth), *_edge_conditions(closure, query)]
    members = select(closure.descendant).where(closure.ancestor == root, *bounds)
    counts = lineage_counts.c
    size = select(func.coalesce(func.sum(counts.descendants), 0)).where(
        counts.ancestor == root, *_depth_bound(counts.depth, query.depth), *_edge_conditions(counts, query)
    )
    return _family(members, size)


def _ancestors(query: SearchQuery, roots: Roots | None) -> Family | None:
    """Ancestors are few (a recursive walk up is what the closure holds for them, indexed)."""
    if not query.ancestor_of:
        return None
    root = _root(query.ancestor_of, roots.ancestor_of if roots else None)
    closure = lineage_closure.c
    members = select(closure.ancestor).where(closure.descendant == root, *_depth_bound(closure.depth, query.depth))
    return _family(members, select(func.count()).select_from(members.subquery()))


def _depth_bound(depth: ColumnElement, bound: int | None) -> list[ColumnElement]:
    return [depth <= bound] if bound is not None and bound < MAX_LINEAGE_DEPTH else []


def _edge_conditions(edge, query: SearchQuery) -> list[ColumnElement]:
    """`relation` and `lineage` on an edge's columns (an edge table, the closure or its counts)."""
    conditions = []
    if query.relation:
        conditions.append(edge.relation_type.in_(query.relation))
    if query.lineage:
        conditions.append(edge.declared.is_(query.lineage == "declared"))
    return conditions


def _derivative_of(base_id: str, query: SearchQuery) -> ColumnElement:
    return exists().where(
        BaseModelRelation.model_id == SearchRow.id,
        func.lower(BaseModelRelation.base_model_id) == base_id.lower(),
        *_edge_conditions(BaseModelRelation, query),
    )
