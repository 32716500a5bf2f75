"""A model's family, its descendants at any depth: how it grew month by month, and its model tree.

Every count reads a summary of the closure (migrations 0002 and 0013), so the largest family
answers as fast as the smallest; each descendant counts once, under the relation of the edge
into it on a shortest path from the root (lineage_closure's relation_type). Shared by the API
and the dashboard; results are plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import BigInteger, Integer, Text, column, func, select, table
from sqlalchemy.orm import Session

from data.analytics import month_range
from data.catalog import find_model
from data.lineage import FamilyCounts, family_counts
from data.models import Model, SearchRow
from data.vocabulary import RELATION_TYPES

TOP = 10  # derivatives and authors the model tree lists

family_months = table(
    "family_months",
    column("ancestor", Integer),
    column("month", Text),
    column("relation_type", Text),
    column("descendants", Integer),
)
family_authors = table(
    "family_authors", column("ancestor", Integer), column("author", Text), column("descendants", Integer)
)
lineage_closure = table(
    "lineage_closure",
    column("ancestor", Integer),
    column("descendant", Integer),
    column("depth", Integer),
    column("relation_type", Text),
    column("downloads", BigInteger),
)


@dataclass(frozen=True)
class Timeline:
    """New descendants per UTC month, by relation type, from the family's first month to the
    catalog's newest (a family that stopped growing shows it)."""

    root: str
    months: list[str]  # "YYYY-MM", gapless
    counts: dict[str, list[int]]  # every relation type: one count per month
    total_descendants: int
    undated: int  # descendants without a creation date, in no month


@dataclass(frozen=True)
class Derivative:
    id: str  # the Hub id (as every model in an answer is named)
    author: str
    relation_type: str  # of the edge into it on a shortest path from the root
    depth: int  # generations below the root
    downloads: int
    likes: int


@dataclass(frozen=True)
class AuthorCount:
    author: str
    descendants: int


@dataclass(frozen=True)
class ModelTree:
    """The Hub's model tree, deeper: counts per relation of direct derivatives and of the whole
    family, its most downloaded members and its most prolific authors."""

    root: str
    direct: dict[str, int]  # derivatives of the root itself, by relation type
    descendants: dict[str, int]  # at any depth, by relation type
    total_descendants: int
    max_depth: int
    authors: int  # distinct authors among the descendants
    top_derivatives: list[Derivative]  # most downloaded first
    top_authors: list[AuthorCount]  # most descendants first


def timeline(session: Session, repo_id: str) -> Timeline | None:
    """The family growth of `repo_id` (any case); None when the model is unknown."""
    root = find_model(session, repo_id)
    if root is None:
        return None
    view = family_months.c
    cells = session.execute(
        select(view.month, view.relation_type, view.descendants).where(view.ancestor == root.id)
    ).all()
    total = family_counts(session, root.id).total()
    months = _months(session, [month for month, _, _ in cells])
    position = {month: i for i, month in enumerate(months)}
    counts: dict[str, list[int]] = {kind: [0] * len(months) for kind in RELATION_TYPES}
    for month, kind, n in cells:
        counts[kind][position[month]] += n
    dated = sum(n for _, _, n in cells)
    return Timeline(root.repo_id, months, counts, total, total - dated)


def _months(session: Session, family_months: list[str]) -> list[str]:
    """From the family's first month to the catalog's newest (none for a family never dated)."""
    if not family_months:
        return []
    newest = session.execute(select(func.max(SearchRow.created_at))).scalar_one()
    last = newest.astimezone(UTC).strftime("%Y-%m") if newest else ""
    return month_range(min(family_months), max(last, *family_months))


def model_tree(session: Session, repo_id: str, top: int = TOP) -> ModelTree | None:
    """The model tree panel of `repo_id` (any case); None when the model is unknown."""
    root = find_model(session, repo_id)
    if root is None:
        return None
    family = family_counts(session, root.id)
    return ModelTree(
        root=root.repo_id,
        direct=_direct(family),
        descendants=family.by_relation(),
        total_descendants=family.total(),
        max_depth=family.max_depth(),
        authors=session.execute(
            select(func.count()).select_from(family_authors).where(family_authors.c.ancestor == root.id)
        ).scalar_one(),
        top_derivatives=_top_derivatives(session, root.id, top),
        top_authors=_top_authors(session, root.id, top),
    )


def _direct(family: FamilyCounts) -> dict[str, int]:
    return {kind: family.counts.get((kind, 1), 0) for kind in RELATION_TYPES}


def _top_derivatives(session: Session, root_id: int, top: int) -> list[Derivative]:
    """By the closure's downloads index (a family's first `top` without sorting it); the
    downloads shown are the model's own, which a sync may have moved since the refresh."""
    closure = lineage_closure.c
    rows = session.execute(
        select(Model.repo_id, Model.author, closure.relation_type, closure.depth, Model.downloads, Model.likes)
        .select_from(lineage_closure)
        .join(Model, Model.id == closure.descendant)
        .where(closure.ancestor == root_id)
        .order_by(closure.downloads.desc(), closure.descendant.desc())
        .limit(top)
    ).all()
    return [Derivative(*row) for row in rows]


def _top_authors(session: Session, root_id: int, top: int) -> list[AuthorCount]:
    view = family_authors.c
    rows = session.execute(
        select(view.author, view.descendants)
        .where(view.ancestor == root_id)
        .order_by(view.descendants.desc(), view.author)
        .limit(top)
    ).all()
    return [AuthorCount(*row) for row in rows]
