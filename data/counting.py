"""Counts of values (task, library, licence, …) over the models a search selects.

The whole catalog's counts come from the `facet_counts` materialized view (migration 0003).

Counting values over 100,000 matches costs a few hundred milliseconds; counting over a block
sample (TABLESAMPLE SYSTEM, the same blocks every time) of about SAMPLE_SIZE matches and
scaling up costs a few, with counts marked as estimates. Blocks are sampled from the whole
table, so the sample is not biased towards the most-downloaded models the way "the first N
matches" would be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, Text, and_, case, cast, func, literal, select, tablesample, text, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.util import ClauseAdapter

from data.arxiv import TAG_PREFIX
from data.models import BaseModelRelation, ModelTag, SearchRow
from data.vocabulary import PARAMS_BUCKETS

SAMPLE_ABOVE = 20_000  # expected matches from which counts are estimated from a sample
SAMPLE_SIZE = 5_000  # matches the sample aims at
COUNT_SAMPLE_ROWS = 8_000  # rows read to estimate how many match (~20 ms)
SAMPLE_READS_AT_MOST = 20_000  # rows a sample reads: each costs a text match (~3 µs)


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
    rows = session.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'model_search'::regclass")).scalar_one()
    return max(int(rows), 0)


def sampled_count(session: Session, conditions: list[ColumnElement], size: int | None = None) -> int:
    """How many models match, estimated from a block sample of about COUNT_SAMPLE_ROWS rows:
    better than the planner's guess when conditions are correlated (words typed together).
    `size`: the catalog's, when the caller knows it."""
    size = catalog_size(session) if size is None else size
    percent = min(100.0, 100.0 * COUNT_SAMPLE_ROWS / max(size, 1))
    sampled, where = _block_sample(percent, conditions)
    found = session.execute(select(func.count()).select_from(sampled).where(*where)).scalar_one()
    return round(found * 100.0 / percent)


def _block_sample(percent: float, conditions: list[ColumnElement]):
    """`percent` of the models' blocks (the same ones every time), and `conditions` on them."""
    sampled = tablesample(SearchRow.__table__, func.system(percent), name="sampled", seed=literal(1))
    adapt = ClauseAdapter(sampled).traverse
    return sampled, [adapt(condition) for condition in conditions]


def matches(
    session: Session, conditions: list[ColumnElement], columns: list, expected: int, sample_size: int | None = None
) -> Matches:
    """The rows matching `conditions`; `expected`: how many may match (`expected_matches`).

    A sample aims at `sample_size` (SAMPLE_SIZE) matches but reads at most SAMPLE_READS_AT_MOST rows: for
    20,000 matches it would otherwise read a quarter of the table, one text match per row.
    """
    if expected < SAMPLE_ABOVE:
        return Matches(select(SearchRow.id, *columns).where(*conditions).subquery(), 1.0)
    size = catalog_size(session)
    aim = sample_size or SAMPLE_SIZE
    percent = min(100.0, 100.0 * aim / expected, 100.0 * SAMPLE_READS_AT_MOST / max(size, 1))
    sampled, where = _block_sample(percent, conditions)
    statement = select(sampled.c.id, *(sampled.c[column.key] for column in columns)).where(*where)
    return Matches(statement.subquery(), 100.0 / percent)


@dataclass(frozen=True)
class Counts:
    values: list[dict]  # [{"value", "count"}], largest first (months in order)
    exact: bool


COLUMNS = {
    "pipeline_tag": SearchRow.pipeline_tag,
    "library": SearchRow.library_name,
    "license": SearchRow.license,
    "author": SearchRow.author,
    "created_month": SearchRow.created_at,
    "has_card": SearchRow.has_card,
    "quant": SearchRow.quant,
    "params": SearchRow.params,  # counted per size bucket (PARAMS_BUCKETS)
}
OWN_VIEW = {"quant": "size_quant_counts", "params": "size_quant_counts"}  # whole-catalog counts (0015)
Joined = tuple[type, "ColumnElement[Any] | InstrumentedAttribute[str]", Callable[[Any], ColumnElement[bool]]]
JOINED: dict[str, Joined] = {  # dimensions counted in another table: (table, value, join condition on a model id)
    "language": (
        ModelTag,
        ModelTag.tag,
        lambda model_id: and_(ModelTag.model_id == model_id, ModelTag.tag_type == "language"),
    ),
    "arxiv": (  # the paper's id, without the tag's `arxiv:`
        ModelTag,
        cast(func.substr(ModelTag.tag, len(TAG_PREFIX) + 1), Text),
        lambda model_id: and_(ModelTag.model_id == model_id, ModelTag.tag_type == "arxiv"),
    ),
    "relation_type": (
        BaseModelRelation,
        BaseModelRelation.relation_type,
        lambda model_id: BaseModelRelation.model_id == model_id,
    ),
}
DIMENSIONS = (*COLUMNS, *JOINED)


def count_values(
    session: Session, name: str, conditions: list[ColumnElement], limit: int, expected: int | None = None
) -> Counts:
    """The `limit` most common values of dimension `name` among the models matching
    `conditions` (all months for created_month). `expected`: how many may match."""
    return count_dimensions(session, [name], conditions, limit, expected)[name]


def count_dimensions(
    session: Session,
    names: list[str],
    conditions: list[ColumnElement],
    limit: int,
    expected: int | None = None,
    sample_size: int | None = None,
) -> dict[str, Counts]:
    """`count_values` of several dimensions from one read of the matches (or their sample)."""
    if not conditions:
        return {name: _whole_catalog(session, name, limit) for name in names}
    found = matches(session, conditions, list(COLUMNS.values()), expected or 0, sample_size)
    rows = found.rows.element.cte("matched").prefix_with("MATERIALIZED")  # read once, counted per dimension
    statement = union_all(*(_value_counts(rows, name) for name in names))
    counted: dict[str, list[tuple]] = {name: [] for name in names}
    for name, value, count in session.execute(statement):
        counted[name].append((value, found.scaled(count)))
    return {name: Counts(_ranked(name, pairs, limit), found.exact) for name, pairs in counted.items()}


def _value_counts(rows, name: str):
    """(name, value, count) per value of dimension `name` over `rows`."""
    value: ColumnElement[Any] | InstrumentedAttribute[str]  # a column of `rows` or of a joined table
    if name in JOINED:
        table, value, joined_on = JOINED[name]
        source, present = rows.join(table, joined_on(rows.c.id)), value.isnot(None)
    elif name == "params":
        source, present, value = rows, rows.c.params.isnot(None), params_bucket(rows.c.params)
    elif name == "created_month":
        source, present = rows, rows.c.created_at.isnot(None)
        value = func.to_char(func.timezone("UTC", rows.c.created_at), "YYYY-MM")
    else:
        value = rows.c[COLUMNS[name].key]
        source, present = rows, value.isnot(None)
    return select(literal(name), cast(value, Text), func.count()).select_from(source).where(present).group_by(value)


def params_bucket(params) -> ColumnElement:
    """The PARAMS_BUCKETS label of a parameter count (the same CASE as size_quant_counts)."""
    whens = [(params >= low, literal(label)) for label, low in reversed(PARAMS_BUCKETS)]
    return case(*whens)


BUCKET_ORDER = {label: number for number, (label, _) in enumerate(PARAMS_BUCKETS)}


def _ranked(name: str, pairs: list[tuple], limit: int) -> list[dict]:
    if name == "params":
        pairs.sort(key=lambda pair: BUCKET_ORDER.get(pair[0], len(BUCKET_ORDER)))
    elif name == "created_month":
        pairs.sort()
    else:
        pairs = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:limit]
    return [{"value": value, "count": count} for value, count in pairs]


def _whole_catalog(session: Session, name: str, limit: int) -> Counts:
    order = "value" if name == "created_month" else "count DESC, value LIMIT :limit"
    view = OWN_VIEW.get(name, "facet_counts")
    rows = session.execute(
        text(f"SELECT value, count FROM {view} WHERE dimension = :name ORDER BY {order}"),
        {"name": name, "limit": limit},
    )
    return Counts(_ranked(name, [tuple(row) for row in rows], limit), True)


def catalog_totals(session: Session) -> dict[str, dict[str, int]]:
    """{"total": {"models", "with_base_model", "authors"}, "relation_type": {type: edges}}"""
    rows = session.execute(
        text("SELECT dimension, value, count FROM facet_counts WHERE dimension IN ('total', 'relation_type')")
    )
    found: dict[str, dict[str, int]] = {"total": {}, "relation_type": {}}
    for dimension, value, count in rows:
        found[dimension][value] = count
    return found
