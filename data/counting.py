"""Counts of values (task, library, licence, …) over the models a search selects.

The whole catalog's counts come from the `facet_counts` materialized view (migration 0003).

Counting values over 100,000 matches costs a few hundred milliseconds; counting over a block
sample (TABLESAMPLE SYSTEM, the same blocks every time) of about SAMPLE_SIZE matches and
scaling up costs a few, with counts marked as estimates. Blocks are sampled from the whole
table, so the sample is not biased towards the most-downloaded models the way "the first N
matches" would be.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Subquery, and_, func, literal, select, tablesample, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from data.models import BaseModelRelation, Model, ModelTag

SAMPLE_ABOVE = 20_000  # expected matches from which counts are estimated from a sample
SAMPLE_SIZE = 5_000  # matches the sample aims at
COUNT_SAMPLE_ROWS = 8_000  # rows read to estimate how many match (~20 ms)
SAMPLE_READS_AT_MOST = 40_000  # rows a sample reads: each costs a text match (~3 µs)


@dataclass(frozen=True)
class Matches:
    rows: Subquery  # columns: id and the ones asked for, by their Model attribute keys
    scale: float  # multiply counts over `rows` by this to estimate counts over all matches

    @property
    def exact(self) -> bool:
        return self.scale == 1.0

    def scaled(self, count: int) -> int:
        return count if self.exact else max(1, round(count * self.scale))


def catalog_size(session: Session) -> int:
    """The planner's count of models (no scan; 0 before the table was first analysed)."""
    rows = session.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'models'::regclass")).scalar_one()
    return max(int(rows), 0)


def sampled_count(session: Session, conditions: list[ColumnElement]) -> int:
    """How many models match, estimated from a block sample of about COUNT_SAMPLE_ROWS rows:
    better than the planner's guess when conditions are correlated (words typed together)."""
    percent = min(100.0, 100.0 * COUNT_SAMPLE_ROWS / max(catalog_size(session), 1))
    sampled = tablesample(Model.__table__, func.system(percent), name="sampled", seed=literal(1))
    adapt = ClauseAdapter(sampled).traverse
    found = session.execute(select(func.count()).select_from(sampled).where(
        *(adapt(condition) for condition in conditions))).scalar_one()
    return round(found * 100.0 / percent)


def matches(session: Session, conditions: list[ColumnElement], columns: list, expected: int) -> Matches:
    """The rows matching `conditions`; `expected`: how many may match (`expected_matches`).

    A sample aims at SAMPLE_SIZE matches but reads at most SAMPLE_READS_AT_MOST rows: for
    20,000 matches it would otherwise read a quarter of the table, one text match per row.
    """
    if expected < SAMPLE_ABOVE:
        return Matches(select(Model.id, *columns).where(*conditions).subquery(), 1.0)
    size = catalog_size(session)
    percent = min(100.0, 100.0 * SAMPLE_SIZE / expected, 100.0 * SAMPLE_READS_AT_MOST / max(size, 1))
    sampled = tablesample(Model.__table__, func.system(percent), name="sampled", seed=literal(1))
    adapt = ClauseAdapter(sampled).traverse
    statement = select(sampled.c.id, *(sampled.c[column.key] for column in columns)).where(
        *(adapt(condition) for condition in conditions))
    return Matches(statement.subquery(), 100.0 / percent)


@dataclass(frozen=True)
class Counts:
    values: list[dict]  # [{"value", "count"}], largest first (months in order)
    exact: bool


COLUMNS = {"pipeline_tag": Model.pipeline_tag, "library": Model.library_name,
           "license": Model.license, "author": Model.author, "created_month": Model.created_at}
JOINED = {  # dimensions counted in another table: (table, value, join condition on a model id)
    "language": (ModelTag, ModelTag.tag, lambda model_id: and_(
        ModelTag.model_id == model_id, ModelTag.tag_type == "language")),
    "relation_type": (BaseModelRelation, BaseModelRelation.relation_type,
                      lambda model_id: BaseModelRelation.model_id == model_id),
}
DIMENSIONS = (*COLUMNS, *JOINED)


def count_values(session: Session, name: str, conditions: list[ColumnElement], limit: int,
                 expected: int | None = None) -> Counts:
    """The `limit` most common values of dimension `name` among the models matching
    `conditions` (all months for created_month). `expected`: how many may match."""
    if not conditions:
        return _whole_catalog(session, name, limit)
    found = matches(session, conditions, list(COLUMNS.values()), expected or 0)
    if name in JOINED:
        table, value, joined_on = JOINED[name]
        statement = select(value, func.count()).select_from(found.rows).join(table, joined_on(found.rows.c.id))
    elif name == "created_month":
        value = func.to_char(func.timezone("UTC", found.rows.c.created_at), "YYYY-MM")
        statement = select(value, func.count()).select_from(found.rows).where(found.rows.c.created_at.isnot(None))
    else:
        value = found.rows.c[COLUMNS[name].key]
        statement = select(value, func.count()).select_from(found.rows).where(value.isnot(None))
    statement = statement.group_by(value)
    if name == "created_month":
        statement = statement.order_by(value)
    else:
        statement = statement.order_by(func.count().desc(), value).limit(limit)
    rows = session.execute(statement)
    return Counts([{"value": v, "count": found.scaled(n)} for v, n in rows], found.exact)


def _whole_catalog(session: Session, name: str, limit: int) -> Counts:
    order = "value" if name == "created_month" else "count DESC, value LIMIT :limit"
    rows = session.execute(
        text(f"SELECT value, count FROM facet_counts WHERE dimension = :name ORDER BY {order}"),
        {"name": name, "limit": limit})
    return Counts([{"value": v, "count": n} for v, n in rows], True)


def catalog_totals(session: Session) -> dict[str, dict[str, int]]:
    """{"total": {"models", "with_base_model", "authors"}, "relation_type": {type: edges}}"""
    rows = session.execute(text(
        "SELECT dimension, value, count FROM facet_counts WHERE dimension IN ('total', 'relation_type')"))
    found: dict[str, dict[str, int]] = {"total": {}, "relation_type": {}}
    for dimension, value, count in rows:
        found[dimension][value] = count
    return found
