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

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, any_, exists, func, literal, select
from sqlalchemy.orm import Session

from data.models import BaseModelRelation, Model, SearchRow, lineage_closure, lineage_counts
from data.query import VIEW_FIELDS, SearchQuery, query_pairs
from data.vocabulary import MAX_LINEAGE_DEPTH

UNKNOWN = 0  # no models.id is 0 (a serial starts at 1): an unknown root finds nothing


@dataclass(frozen=True)
class Roots:
    """The models.id of `descendant_of` and `ancestor_of`, UNKNOWN when no model has that id."""

    descendant_of: int | None = None
    ancestor_of: int | None = None


@dataclass(frozen=True)
class Family:
    """A lineage filter's models, in the three forms the plan needs, and its exact size."""

    condition: ColumnElement  # membership by a subquery, planned freely (estimates, facets, charts)
    probed: ColumnElement  # the same, one index probe per row: what a walk tests the rows it meets with
    listed: ColumnElement  # the same, as an array the primary key is probed with (gathering, counting)
    size: Select  # the family's size, whatever other filters say
    counted: Select | None = None  # the result's exact size, when lineage_counts holds it
    members: int | None = None  # `size`, once the plan has read it (`sized`)

    @property
    def gathered(self) -> ColumnElement:
        """The form that gathers the family: its ids probed when few, else the planner's choice."""
        few = self.members is not None and self.members <= LISTED_AT_MOST
        return self.listed if few else self.condition


LISTED_AT_MOST = 20_000  # family members probed by key (~2.5 µs each) rather than hash-joined


def _family(member: ColumnElement, other_end: ColumnElement, root: ColumnElement, bounds: list, size: Select) -> Family:
    """`member`: the closure's column the family's models are in; `other_end` is the root's.
    A walk's hashed subquery would read the whole family first (Qwen2.5-7B's 430,000
    descendants among 3,000,000 models: 2.5 s) where probing the rows met costs microseconds.
    Gathering: the planner would rather hash-join a family with a broad filter's every row
    (75 ms for Mistral-7B's 5,194 descendants among 120,000 text-generation models) than probe
    the family's ids (13 ms); an array of them leaves it no other choice."""
    members = select(member).where(other_end == root, *bounds)
    probe = select(member).where(other_end == root, member == SearchRow.id, *bounds).scalar_subquery()
    listed = SearchRow.id == any_(func.array(members.scalar_subquery()))
    return Family(SearchRow.id.in_(members), probe.isnot(None), listed, size)


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


# Besides the lineage fields, what lineage_counts counts descendants by (migration 0011).
COUNTED_FIELDS = {"descendant_of", "depth", "relation", "lineage", "pipeline_tag", "library"}


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
    both = first.condition & second.condition
    return Family(both, first.probed & second.probed, first.listed & second.condition, least)  # counted over both


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
    counts = lineage_counts.c
    size = select(func.coalesce(func.sum(counts.descendants), 0)).where(
        counts.ancestor == root, *_depth_bound(counts.depth, query.depth), *_edge_conditions(counts, query)
    )
    family = _family(closure.descendant, closure.ancestor, root, bounds, size)
    if set(_filtering(query)) <= COUNTED_FIELDS:
        return replace(family, counted=size.where(*_field_counts(counts, query)))
    return family


def _filtering(query: SearchQuery) -> list[str]:
    """The fields that select models (not how they are shown) set in `query`."""
    return [name for name, _ in query_pairs(query) if name not in VIEW_FIELDS]


def _field_counts(counts, query: SearchQuery) -> list[ColumnElement]:
    conditions = []
    if query.pipeline_tag:
        conditions.append(counts.pipeline_tag.in_(query.pipeline_tag))
    if query.library:
        conditions.append(counts.library_name.in_(query.library))
    return conditions


def _ancestors(query: SearchQuery, roots: Roots | None) -> Family | None:
    """Ancestors are few (a recursive walk up is what the closure holds for them, indexed)."""
    if not query.ancestor_of:
        return None
    root = _root(query.ancestor_of, roots.ancestor_of if roots else None)
    closure = lineage_closure.c
    bounds = _depth_bound(closure.depth, query.depth)
    size = select(func.count()).where(closure.descendant == root, *bounds)
    family = _family(closure.ancestor, closure.descendant, root, bounds, size)
    return replace(family, counted=size) if set(_filtering(query)) <= {"ancestor_of", "depth"} else family


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
