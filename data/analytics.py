"""Aggregations for the analytics and trending pages, over any search result.

Months are UTC calendar months ("YYYY-MM"), the same days as search's created_from / created_to.
The whole catalog's charts read materialized views (migration 0005), refreshed after each
ingest: grouping 760,000 models costs hundreds of milliseconds. A filtered chart counts the
matches when they are few, or a block sample of them when they are many (`data.counting.matches`),
its counts then scaled up and marked not exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, Text, case, cast, column, func, select, table
from sqlalchemy.orm import Session

from data.catalog import has_trend_scores, recent_window
from data.counting import Matches, matches
from data.licences import conflicts_view, rules
from data.models import BaseModelRelation, Model, SearchRow
from data.quality import MAX_SCORE, SCORE_BUCKET
from data.query import SearchQuery
from data.search import expected_matches, filters
from data.vocabulary import RELATION_TYPES

TOP_TASKS = 8
OTHER = "other"
NO_TASK = "no task"
TaskCell = tuple[str, str | None, int]  # ("YYYY-MM", task or None, models)
Cell = tuple[str, str, int]  # ("YYYY-MM", label, count): a series' value in a month

# Descendants at any depth per ancestor, in all and per relation type: migrations/versions/0005.
family_sizes = table(
    "family_sizes",
    column("ancestor", Integer),
    column("total", Integer),
    *(column(relation, Integer) for relation in RELATION_TYPES),
)
# The whole catalog's counts: migrations/versions/0005.
monthly_task_counts = table(
    "monthly_task_counts", column("month", Text), column("pipeline_tag", Text), column("models", Integer)
)
monthly_edge_counts = table(
    "monthly_edge_counts", column("month", Text), column("relation_type", Text), column("edges", Integer)
)
downloads_magnitude_counts = table("downloads_magnitude_counts", column("digits", Integer), column("models", Integer))
# The whole catalog's models per SCORE_BUCKET points of quality: migrations/versions/0020.
quality_counts = table("quality_counts", column("low", Integer), column("models", Integer))
GROWTH_WINDOW_DAYS = 90  # the window of family_growth: its migration's WINDOW_DAYS
# Descendants created in the last 90 days of the data, per family that grew: migrations/versions/0013.
family_growth = table(
    "family_growth",
    column("ancestor", Integer),
    column("recent", Integer),
    *(column(relation, Integer) for relation in RELATION_TYPES),
    column("window_start", Date),
    column("window_end", Date),
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
    exact: bool = True  # false: estimated from a sample of the matches


@dataclass(frozen=True)
class Bucket:
    low: int  # downloads (or points of quality) from low to high, inclusive
    high: int
    count: int


@dataclass(frozen=True)
class Histogram:
    buckets: list[Bucket]  # from the lowest non-empty bucket to the highest, empty ones included
    exact: bool = True  # false: estimated from a sample of the matches


@dataclass(frozen=True)
class Family:
    repo_id: str
    by_relation: dict[str, int]  # descendants at any depth, by how each derives from its parent

    @property
    def total(self) -> int:
        return sum(self.by_relation.values())


@dataclass(frozen=True)
class GrowingFamily:
    repo_id: str
    recent_by_relation: dict[str, int]  # descendants created in the window, by relation type
    total: int  # descendants at any depth, whenever created

    @property
    def recent(self) -> int:
        return sum(self.recent_by_relation.values())


@dataclass(frozen=True)
class Growth:
    """The families that gained the most descendants in the last 90 UTC days of the data."""

    window_start: date | None  # None: no family grew (or nothing is dated)
    window_end: date | None  # the day of the newest created_at in the catalog
    families: list[GrowingFamily]


def _utc_month(timestamp):
    """The first instant of the UTC month; formatted after grouping (cheaper than per row)."""
    return func.date_trunc("month", func.timezone("UTC", timestamp))


def _formatted(month):
    return func.to_char(month, "YYYY-MM")


def _matches(session: Session, query: SearchQuery, columns: list) -> Matches | None:
    """The models `query` selects, every one or a sample (see `data.counting.matches`);
    None when it selects the whole catalog, which the views count."""
    conditions = filters(query)
    if not conditions:
        return None
    return matches(session, conditions, columns, expected_matches(session, conditions))


def tasks_by_month(session: Session, query: SearchQuery, top: int = TOP_TASKS) -> MonthlyCounts:
    """Models created per month by task: the `top` largest tasks, the rest as "other"."""
    rows, exact = _task_month_cells(session, query)
    totals: Counter[str | None] = Counter()
    for _, task, count in rows:
        totals[task] += count
    kept = [task for task, _ in sorted(totals.items(), key=lambda t: (-t[1], t[0] or "")) if task is not None][:top]
    named = {task: task for task in kept}
    cells = [(m, NO_TASK if task is None else named.get(task, OTHER), n) for m, task, n in rows]
    return _monthly(cells, [*kept, OTHER, NO_TASK], values=named, exact=exact)


def _task_month_cells(session: Session, query: SearchQuery) -> tuple[Sequence[TaskCell], bool]:
    """([(month, task, models)], exact) over the dated models `query` selects."""
    found = _matches(session, query, [SearchRow.created_at, SearchRow.pipeline_tag])
    if found is None:
        view = monthly_task_counts.c
        return session.execute(select(view.month, view.pipeline_tag, view.models)).all(), True
    rows = found.rows.c
    month = _utc_month(rows.created_at)
    cells = session.execute(
        select(_formatted(month), rows.pipeline_tag, func.count())
        .where(rows.created_at.isnot(None))
        .group_by(month, rows.pipeline_tag)
    ).all()
    return [(m, task, found.scaled(n)) for m, task, n in cells], found.exact


def edges_by_month(session: Session, query: SearchQuery) -> MonthlyCounts:
    """Lineage edges by relation type, by the month the derivative was created."""
    found = _matches(session, query, [SearchRow.created_at])
    cells: Sequence[Cell]
    if found is None:
        view = monthly_edge_counts.c
        cells, exact = session.execute(select(view.month, view.relation_type, view.edges)).all(), True
    else:
        month = _utc_month(found.rows.c.created_at)
        rows = session.execute(
            select(_formatted(month), BaseModelRelation.relation_type, func.count())
            .select_from(found.rows)
            .join(BaseModelRelation, BaseModelRelation.model_id == found.rows.c.id)
            .where(found.rows.c.created_at.isnot(None))
            .group_by(month, BaseModelRelation.relation_type)
        ).all()
        cells, exact = [(m, relation, found.scaled(n)) for m, relation, n in rows], found.exact
    return _monthly(cells, list(RELATION_TYPES), values={r: r for r in RELATION_TYPES}, exact=exact)


def _monthly(cells: Sequence[Cell], order: list[str], values: dict[str, str], exact: bool) -> MonthlyCounts:
    """Arrange ("YYYY-MM", label, count) cells as series over a gapless range of months."""
    if not cells:
        return MonthlyCounts([], [], exact)
    months = month_range(min(c[0] for c in cells), max(c[0] for c in cells))
    position = {month: i for i, month in enumerate(months)}
    counts: dict[str, list[int]] = {}
    for month, label, n in cells:
        counts.setdefault(label, [0] * len(months))[position[month]] += n
    series = [Series(label, values.get(label), counts[label]) for label in order if label in counts]
    return MonthlyCounts(months, series, exact)


def month_range(first: str, last: str) -> list[str]:
    """Every "YYYY-MM" from `first` to `last`, both included."""
    year, month = map(int, first.split("-"))
    months = []
    while (current := f"{year:04}-{month:02}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def downloads_histogram(session: Session, query: SearchQuery) -> Histogram:
    """Models by order of magnitude of downloads: 0, 1-9, 10-99, …; empty buckets included."""
    counts, exact = _magnitude_counts(session, query)
    if not counts:
        return Histogram([], exact)
    buckets = [Bucket(*_bucket_bounds(d), counts.get(d, 0)) for d in range(min(counts), max(counts) + 1)]
    return Histogram(buckets, exact)


def _magnitude_counts(session: Session, query: SearchQuery) -> tuple[dict[int, int], bool]:
    """({digits of the downloads (0 for none): models}, exact)"""
    found = _matches(session, query, [SearchRow.downloads])
    if found is None:
        view = downloads_magnitude_counts.c
        return dict(session.execute(select(view.digits, view.models)).all()), True
    downloads = found.rows.c.downloads
    digits = case((downloads == 0, 0), else_=func.length(cast(downloads, Text)))
    rows = session.execute(select(digits, func.count()).group_by(digits)).all()
    return {d: found.scaled(n) for d, n in rows}, found.exact


def _bucket_bounds(digits: int) -> tuple[int, int]:
    return (0, 0) if digits == 0 else (10 ** (digits - 1), 10**digits - 1)


def quality_histogram(session: Session, query: SearchQuery) -> Histogram:
    """Models per SCORE_BUCKET points of quality score (the last bucket up to 100 inclusive),
    from the lowest non-empty bucket to the highest; models not scored yet are left out."""
    counts, exact = _quality_counts(session, query)
    if not counts:
        return Histogram([], exact)
    last = MAX_SCORE - SCORE_BUCKET
    buckets = [
        Bucket(low, MAX_SCORE if low == last else low + SCORE_BUCKET - 1, counts.get(low, 0))
        for low in range(min(counts), max(counts) + 1, SCORE_BUCKET)
    ]
    return Histogram(buckets, exact)


def _quality_counts(session: Session, query: SearchQuery) -> tuple[dict[int, int], bool]:
    """({bucket's lowest score: models}, exact)"""
    found = _matches(session, query, [SearchRow.quality])
    if found is None:
        view = quality_counts.c
        return dict(session.execute(select(view.low, view.models)).all()), True
    quality = found.rows.c.quality
    low = func.least(quality // SCORE_BUCKET, MAX_SCORE // SCORE_BUCKET - 1) * SCORE_BUCKET
    rows = session.execute(select(low, func.count()).where(quality.isnot(None)).group_by(low)).all()
    return {int(b): found.scaled(n) for b, n in rows}, found.exact


def largest_families(session: Session, query: SearchQuery, limit: int = 15) -> list[Family]:
    """The models with the most descendants (all depths), among the models `query` selects.
    Exact: families are walked from the largest (a broad filter meets `limit` of them at once)
    or, for a narrow one, its few matches looked up; PostgreSQL chooses."""
    sizes = family_sizes.c
    rows = session.execute(
        select(Model.repo_id, *(sizes[r] for r in RELATION_TYPES))
        .join(family_sizes, sizes.ancestor == Model.id)
        .join(SearchRow, SearchRow.id == Model.id)
        .where(*filters(query))
        .order_by(sizes.total.desc(), sizes.ancestor)
        .limit(limit)
    ).all()
    families = [Family(repo_id, dict(zip(RELATION_TYPES, map(int, counts), strict=True))) for repo_id, *counts in rows]
    return sorted(families, key=lambda f: (-f.total, f.repo_id))


def fastest_growing(session: Session, query: SearchQuery, limit: int = 15) -> Growth:
    """The families (their roots among the models `query` selects) that gained the most
    descendants in the last 90 days of the data; exact, walked from the fastest as
    `largest_families` walks from the largest."""
    growth, sizes = family_growth.c, family_sizes.c
    rows = session.execute(
        select(Model.repo_id, sizes.total, *(growth[r] for r in RELATION_TYPES))
        .join(family_growth, growth.ancestor == Model.id)
        .join(family_sizes, sizes.ancestor == Model.id)
        .join(SearchRow, SearchRow.id == Model.id)
        .where(*filters(query))
        .order_by(growth.recent.desc(), growth.ancestor)
        .limit(limit)
    ).all()
    window = session.execute(select(growth.window_start, growth.window_end).limit(1)).first()
    families = [GrowingFamily(row.repo_id, {r: row._mapping[r] for r in RELATION_TYPES}, row.total) for row in rows]
    return Growth(
        window.window_start if window else None,
        window.window_end if window else None,
        sorted(families, key=lambda f: (-f.recent, f.repo_id)),
    )


@dataclass(frozen=True)
class ConflictFamily:
    """A restricted model and its descendants whose licence conflicts with its own."""

    repo_id: str
    licence: str
    by_kind: dict[str, int]  # conflicting descendants by the kind of licence they declare (a rule's
    # derivative group: open, commercial, none, unspecified)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def conflicts_by_family(session: Session, query: SearchQuery, limit: int = 15) -> list[ConflictFamily]:
    """The restricted models with the most conflicting descendants among those `query` selects
    (data/licences.py). Exact: the conflicts are tens of thousands at most, grouped at once."""
    view = conflicts_view.c
    statement = select(view.ancestor, view.rule, func.count()).group_by(view.ancestor, view.rule)
    if conditions := filters(query):
        statement = statement.join(SearchRow, SearchRow.id == view.model_id).where(*conditions)
    kinds = {rule.id: rule.derivative for rule in rules().values()}
    counts: dict[int, Counter[str]] = {}
    for ancestor, rule, n in session.execute(statement):
        counts.setdefault(ancestor, Counter())[kinds.get(rule, rule)] += n
    top = sorted(counts, key=lambda a: (-counts[a].total(), a))[:limit]
    models = {
        row.id: row for row in session.execute(select(Model.id, Model.repo_id, Model.license).where(Model.id.in_(top)))
    }
    families = [ConflictFamily(models[a].repo_id, models[a].license or "", dict(counts[a])) for a in top if a in models]
    return sorted(families, key=lambda f: (-f.total, f.repo_id))


def trending_tasks(session: Session, limit: int = 50) -> list[dict]:
    """Tasks of the models that trend (by the Hub's score or our own, or recent ones where
    there is neither, as `catalog.trending` ranks them), most common first: the page's filter."""
    if has_trend_scores(session):
        scored = (Model.trending_score > 0) | (Model.trending_score.is_(None) & (Model.computed_trending > 0))
        return _task_counts(session, Model.pipeline_tag, scored, limit)
    window = recent_window(session)
    if window is None:
        return []
    return _task_counts(session, SearchRow.pipeline_tag, SearchRow.created_at.between(*window), limit)  # indexed


def _task_counts(session: Session, task, condition, limit: int) -> list[dict]:
    rows = session.execute(
        select(task, func.count())
        .where(condition, task.isnot(None))
        .group_by(task)
        .order_by(func.count().desc(), task)
        .limit(limit)
    )
    return [{"value": value, "count": n} for value, n in rows]
