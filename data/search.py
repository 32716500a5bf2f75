"""Search: filters, full text, sorting, pages and cursors, totals and facets.

Every ordering ends on `id`, so pages never overlap or skip, even for equal sort values.
A cursor holds the last row's sort key (keyset paging: as fast on page 1,000 as on page 1).
Totals are exact when the planner expects few rows, otherwise its estimate (marked so):
an exact count of hundreds of thousands of matches costs more than the page itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, case, cast, exists, false, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from data.catalog import SUMMARY_COLUMNS, ModelSummary
from data.models import BaseModelRelation, DatasetRelation, Model, ModelTag
from data.query import QueryError, SearchQuery, decode_cursor, encode_cursor
from data.search_words import words

LETTER_DIGIT = re.compile(r"[^\W\d_]+|\d+")
EXACT_COUNT_BELOW = 20_000
FACET_SIZE = 10
FACET_SAMPLE = 10_000  # facets of larger results are counted over this many matches
SORT_COLUMNS = {
    "downloads": Model.downloads, "likes": Model.likes, "trending": Model.trending_score,
    "created": Model.created_at, "updated": Model.last_modified,
}
NULLABLE_SORTS = {Model.trending_score, Model.created_at, Model.last_modified}
FACET_COLUMNS = {
    "pipeline_tag": Model.pipeline_tag, "library": Model.library_name,
    "license": Model.license, "author": Model.author,
}


@dataclass
class SearchResult:
    models: list[ModelSummary]
    total: int
    total_exact: bool
    next_cursor: str | None
    facets: dict[str, list[dict]] = field(default_factory=dict)
    facets_exact: bool = True


def text_query(q: str, weights: str = "") -> str | None:
    """A tsquery for the words typed, each a prefix; "llama3" also matches "llama-3".

    Words are alphanumeric (see `words`), so they cannot carry tsquery operators.
    `weights` ("A") restricts the match to the id's words.
    """
    terms = []
    for word in words(q):
        parts = LETTER_DIGIT.findall(word)
        if len(parts) > 1:
            whole = " & ".join([*(f"{p}:{weights}" if weights else p for p in parts[:-1]), f"{parts[-1]}:*{weights}"])
            terms.append(f"({word}:*{weights} | ({whole}))")
        else:
            terms.append(f"{word}:*{weights}")
    return " & ".join(terms) or None


def search(session: Session, query: SearchQuery) -> SearchResult:
    conditions = filters(session, query)
    key = _sort_key(query)
    statement = select(*SUMMARY_COLUMNS, *key.columns).where(*conditions)
    if query.cursor:
        statement = statement.where(key.after(decode_cursor(query.cursor)))
    elif query.page > 1:
        statement = statement.offset((query.page - 1) * query.per_page)
    rows = session.execute(statement.order_by(*key.order).limit(query.per_page + 1)).all()
    more = len(rows) > query.per_page
    rows = rows[: query.per_page]
    summaries = [ModelSummary(*row[: len(SUMMARY_COLUMNS)]) for row in rows]
    next_cursor = key.cursor(rows[-1][len(SUMMARY_COLUMNS):]) if more and rows else None
    total, exact = count(session, conditions)
    result = SearchResult(summaries, total, exact, next_cursor)
    if query.facets:
        result.facets, result.facets_exact = facets(session, conditions, query.facets, total, exact)
    return result


def filters(session: Session, query: SearchQuery) -> list[ColumnElement]:
    conditions: list[ColumnElement] = []
    if query.q and (tsquery := text_query(query.q)):
        conditions.append(Model.search_vector.op("@@")(func.to_tsquery("simple", tsquery)))
    for values, column in (
        (query.author, Model.author), (query.pipeline_tag, Model.pipeline_tag),
        (query.library, Model.library_name), (query.license, Model.license),
    ):
        if values:
            conditions.append(column.in_(values))
    if query.language:
        conditions.append(Model.tags.overlap(cast(query.language, ARRAY(TEXT))))
    if query.tag:
        conditions.append(Model.tags.contains(cast(query.tag, ARRAY(TEXT))))
    if query.dataset:
        conditions.append(exists().where(
            DatasetRelation.model_id == Model.id, DatasetRelation.dataset_id.in_(query.dataset)))
    if query.base_model:
        conditions.append(_derivative_of(query.base_model, query.relation))
    if query.gated is not None:
        conditions.append(Model.gated.isnot(None) if query.gated else Model.gated.is_(None))
    if query.has_base_model is not None:
        conditions.append(Model.has_base_model.is_(query.has_base_model))
    if query.created_from:
        conditions.append(Model.created_at >= _start_of(query.created_from))
    if query.created_to:
        conditions.append(Model.created_at < _start_of(query.created_to) + timedelta(days=1))
    if query.min_downloads is not None:
        conditions.append(Model.downloads >= query.min_downloads)
    if query.min_likes is not None:
        conditions.append(Model.likes >= query.min_likes)
    return conditions


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _derivative_of(base_id: str, relations: list[str]) -> ColumnElement:
    edge = exists().where(
        BaseModelRelation.model_id == Model.id,
        func.lower(BaseModelRelation.base_model_id) == base_id.lower(),
    )
    if relations:
        edge = edge.where(BaseModelRelation.relation_type.in_(relations))
    return edge


@dataclass
class _SortKey:
    columns: list[ColumnElement]  # the values a cursor records, last one the id
    order: list
    descending: bool

    def cursor(self, values) -> str:
        return encode_cursor({"k": [_jsonable(v) for v in values]})

    def after(self, cursor: dict) -> ColumnElement:
        values = cursor.get("k")
        if not isinstance(values, list) or len(values) != len(self.columns):
            raise QueryError("cursor", "not a cursor for this sort")
        try:
            return _keyset_after(self.columns, [_typed(c, v) for c, v in zip(self.columns, values)],
                                 self.descending)
        except (TypeError, ValueError):
            raise QueryError("cursor", "not a cursor this API gave out") from None


def _sort_key(query: SearchQuery) -> _SortKey:
    descending = query.order == "desc"
    sort = query.effective_sort
    if sort == "relevance":
        columns = [_relevance(query.q or ""), Model.downloads, Model.id]
    else:
        columns = [SORT_COLUMNS[sort], Model.id]
    order = [_directed(column, descending) for column in columns]
    return _SortKey(columns, order, descending)


def _directed(column: ColumnElement, descending: bool):
    """The order clause that matches the column's index (scanned forwards or backwards)."""
    if column in NULLABLE_SORTS:  # indexed DESC NULLS LAST: missing values last, or first going up
        return column.desc().nulls_last() if descending else column.asc().nulls_first()
    return column.desc() if descending else column.asc()


def _relevance(q: str) -> ColumnElement:
    """2 when the id contains the text typed, 1 when the id has its words, else 0."""
    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    tsquery = text_query(q, weights="A")
    in_id = Model.search_vector.op("@@")(func.to_tsquery("simple", tsquery)) if tsquery else false()
    return case((func.lower(Model.repo_id).like(pattern, escape="\\"), 2), (in_id, 1), else_=0).label("rank")


def _keyset_after(columns, values, descending: bool) -> ColumnElement:
    """Rows after `values` in the order of `columns` (NULLS LAST when descending)."""
    head, head_value = columns[0], values[0]
    rest = _keyset_after(columns[1:], values[1:], descending) if len(columns) > 1 else false()
    if head_value is None:
        # Descending: nulls come last, only nulls follow. Ascending: nulls first, all non-null follow.
        return and_(head.is_(None), rest) if descending else or_(head.isnot(None), and_(head.is_(None), rest))
    beyond = head < head_value if descending else head > head_value
    if descending:
        return or_(beyond, head.is_(None), and_(head == head_value, rest))
    return or_(beyond, and_(head == head_value, rest))


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _typed(column: ColumnElement, value):
    if value is None:
        return None
    python_type = getattr(column.type, "python_type", None)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type in (int, float) and not isinstance(value, int | float):
        raise TypeError(value)
    return value


def count(session: Session, conditions: list[ColumnElement]) -> tuple[int, bool]:
    """(total, exact): exact when the planner expects fewer than EXACT_COUNT_BELOW rows."""
    connection = session.connection()
    compiled = select(Model.id).where(*conditions).compile(
        connection, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    if estimate >= EXACT_COUNT_BELOW:
        return estimate, False
    return session.execute(select(func.count()).select_from(Model).where(*conditions)).scalar_one(), True


def facets(session, conditions, names, total: int, exact: bool) -> tuple[dict, bool]:
    sample = select(Model.id, *FACET_COLUMNS.values()).where(*conditions)
    sampled = not exact or total > FACET_SAMPLE
    if sampled:
        sample = sample.limit(FACET_SAMPLE)
    matches = sample.subquery()
    found = {}
    for name in names:
        if name == "language":
            value = ModelTag.tag
            statement = (select(value, func.count()).select_from(matches)
                         .join(ModelTag, and_(ModelTag.model_id == matches.c.id, ModelTag.tag_type == "language")))
        else:
            value = matches.c[FACET_COLUMNS[name].key]
            statement = select(value, func.count()).select_from(matches).where(value.isnot(None))
        rows = session.execute(statement.group_by(value).order_by(func.count().desc(), value).limit(FACET_SIZE))
        found[name] = [{"value": v, "count": n} for v, n in rows]
    return found, not sampled
