"""Aggregations for the analytics and trending pages, over any search result.

Each function is one statement over the models `filters(session, query)` selects. Months are
UTC calendar months ("YYYY-MM"), the same days as search's created_from / created_to.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Integer, Text, case, cast, column, func, select, table
from sqlalchemy.orm import Session

from data.models import RELATION_TYPES, BaseModelRelation, Model
from data.query import SearchQuery
from data.search import filters

TOP_TASKS = 8
OTHER = "other"
NO_TASK = "no task"

# Descendant counts per (ancestor, relation type, depth): migrations/versions/0002.
lineage_counts = table(
    "lineage_counts",
    column("ancestor", Integer), column("relation_type", Text),
    column("depth", Integer), column("descendants", Integer),
)


@dataclass(frozen=True)
class Series:
    label: str
    value: str | None  # the filter value the series stands for; None for "other" and "no task"
    counts: list[int]  # one per month of the MonthlyCounts


@dataclass(frozen=True)
class MonthlyCounts:
    months: list[str]  # every month from the first to the last, gaps filled with zeros
    series: list[Series]


@dataclass(frozen=True)
class Bucket:
    low: int  # downloads from low to high, inclusive
    high: int
    count: int


@dataclass(frozen=True)
class Family:
    repo_id: str
    by_relation: dict[str, int]  # descendants at any depth, by how each derives from its parent

    @property
    def total(self) -> int:
        return sum(self.by_relation.values())


def _utc_month(timestamp):
    """The first instant of the UTC month; formatted after grouping (cheaper than per row)."""
    return func.date_trunc("month", func.timezone("UTC", timestamp))


def tasks_by_month(session: Session, query: SearchQuery, top: int = TOP_TASKS) -> MonthlyCounts:
    """Models created per month by task: the `top` largest tasks, the rest as "other"."""
    month = _utc_month(Model.created_at)
    rows = session.execute(
        select(month, Model.pipeline_tag, func.count())
        .where(*filters(session, query), Model.created_at.isnot(None))
        .group_by(month, Model.pipeline_tag)
    ).all()
    totals = Counter()
    for _, task, count in rows:
        totals[task] += count
    kept = [task for task, _ in sorted(totals.items(), key=lambda t: (-t[1], t[0] or ""))
            if task is not None][:top]
    named = {task: task for task in kept}
    cells = [(m, named.get(task, NO_TASK if task is None else OTHER), n) for m, task, n in rows]
    return _monthly(cells, [*kept, OTHER, NO_TASK], values=named)


def edges_by_month(session: Session, query: SearchQuery) -> MonthlyCounts:
    """Lineage edges by relation type, by the month the derivative was created."""
    matches = select(Model.id, Model.created_at).where(
        *filters(session, query), Model.created_at.isnot(None)).subquery()
    month = _utc_month(matches.c.created_at)
    rows = session.execute(
        select(month, BaseModelRelation.relation_type, func.count())
        .select_from(matches).join(BaseModelRelation, BaseModelRelation.model_id == matches.c.id)
        .group_by(month, BaseModelRelation.relation_type)
    ).all()
    return _monthly(rows, list(RELATION_TYPES), values={r: r for r in RELATION_TYPES})


def _monthly(cells, order: list[str], values: dict[str, str]) -> MonthlyCounts:
    """Arrange (month, label, count) cells as series over a gapless range of months."""
    if not cells:
        return MonthlyCounts([], [])
    cells = [(month.strftime("%Y-%m"), label, n) for month, label, n in cells]
    months = _month_range(min(c[0] for c in cells), max(c[0] for c in cells))
    position = {month: i for i, month in enumerate(months)}
    counts: dict[str, list[int]] = {}
    for month, label, n in cells:
        counts.setdefault(label, [0] * len(months))[position[month]] += n
    series = [Series(label, values.get(label), counts[label]) for label in order if label in counts]
    return MonthlyCounts(months, series)


def _month_range(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while (current := f"{year:04}-{month:02}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def downloads_histogram(session: Session, query: SearchQuery) -> list[Bucket]:
    """Models by order of magnitude of downloads: 0, 1-9, 10-99, …; empty buckets included."""
    digits = case((Model.downloads == 0, 0), else_=func.length(cast(Model.downloads, Text)))
    counts = dict(session.execute(
        select(digits, func.count()).where(*filters(session, query)).group_by(digits)
    ).all())
    if not counts:
        return []
    return [Bucket(*_bucket_bounds(d), counts.get(d, 0)) for d in range(min(counts), max(counts) + 1)]


def _bucket_bounds(digits: int) -> tuple[int, int]:
    return (0, 0) if digits == 0 else (10 ** (digits - 1), 10**digits - 1)


def largest_families(session: Session, query: SearchQuery, limit: int = 15) -> list[Family]:
    """The models with the most descendants (all depths), among the models `query` selects."""
    counts = lineage_counts.c
    total = func.sum(counts.descendants)
    sizes = select(counts.ancestor, total.label("total"), *(
        func.coalesce(func.sum(counts.descendants).filter(counts.relation_type == r), 0).label(r)
        for r in RELATION_TYPES
    )).group_by(counts.ancestor)
    if conditions := filters(session, query):
        sizes = sizes.where(counts.ancestor.in_(select(Model.id).where(*conditions)))
    top = sizes.order_by(total.desc(), counts.ancestor).limit(limit).subquery()
    rows = session.execute(
        select(Model.repo_id, *(top.c[r] for r in RELATION_TYPES))
        .join(top, top.c.ancestor == Model.id)
        .order_by(top.c.total.desc(), Model.repo_id)
    ).all()
    return [Family(repo_id, dict(zip(RELATION_TYPES, map(int, sizes)))) for repo_id, *sizes in rows]


def trending_tasks(session: Session, limit: int = 50) -> list[dict]:
    """Tasks of the models that have a trending score, most common first: the trending filter."""
    rows = session.execute(
        select(Model.pipeline_tag, func.count())
        .where(Model.trending_score > 0, Model.pipeline_tag.isnot(None))
        .group_by(Model.pipeline_tag)
        .order_by(func.count().desc(), Model.pipeline_tag)
        .limit(limit)
    )
    return [{"value": task, "count": n} for task, n in rows]
