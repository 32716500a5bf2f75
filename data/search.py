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

from sqlalchemy import and_, case, cast, exists, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from data.catalog import SUMMARY_COLUMNS, ModelSummary
from data.models import BaseModelRelation, DatasetRelation, Model, ModelTag
from data.query import QueryError, SearchQuery, decode_cursor, encode_cursor
from data.search_words import words

LETTER_DIGIT = re.compile(r"[^\W\d_]+|\d+")
ID_TEXT = re.compile(r"[\w./-]+")  # what a Hub id can contain
EXACT_COUNT_BELOW = 20_000
PREFIX_FROM = 3
WALK_INDEX_ABOVE = 5_000  # expected matches from which walking the sort index wins
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
    """A tsquery for the words typed; "llama3" also matches "llama-3".

    Words of PREFIX_FROM characters or more match as prefixes ("qwen" finds "qwen2"); shorter
    ones match whole, since a prefix like "b:*" unions the postings of thousands of lexemes.
    Words are alphanumeric (see `words`), so they cannot carry tsquery operators.
    `weights` ("A") restricts the match to the id's words.
    """
    def lexeme(text: str) -> str:
        return f"{text}:{'*' if len(text) >= PREFIX_FROM else ''}{weights}".rstrip(":")

    terms = []
    for word in words(q):
        parts = LETTER_DIGIT.findall(word)
        if len(parts) > 1 and len(word) >= PREFIX_FROM:
            terms.append(f"({lexeme(word)} | ({' & '.join(map(lexeme, parts))}))")
        else:
            terms.append(lexeme(word))
    return " & ".join(terms) or None


def search(session: Session, query: SearchQuery) -> SearchResult:
    conditions = filters(session, query)
    expected = _estimate(session, conditions)
    relevance = query.effective_sort == "relevance"
    key = _relevance_key(query) if relevance else _sort_key(query)
    after = key.decode(query.cursor) if query.cursor else None
    skip = 0 if after else (query.page - 1) * query.per_page
    wanted = query.per_page + 1
    if expected >= WALK_INDEX_ABOVE:
        total, exact = count(session, conditions, expected)
        rows = (_tiered_rows(session, query, conditions, after, skip) if relevance else
                _rows(session, conditions, key, walk=True, skip=skip, limit=wanted, after=after))
    else:  # few matches: one pass over them gives the page and, with no cursor, the total
        rows = _rows(session, conditions, key, walk=False, skip=skip, limit=wanted, after=after,
                     with_total=after is None)
        total, exact = (rows[0][-1], True) if rows and after is None else count(session, conditions, 0)  # past the last page
    more = len(rows) > query.per_page
    rows = rows[: query.per_page]
    summaries = [ModelSummary(*row[: len(SUMMARY_COLUMNS)]) for row in rows]
    cursor_values = slice(len(SUMMARY_COLUMNS), len(SUMMARY_COLUMNS) + len(key.types))
    next_cursor = key.cursor(rows[-1][cursor_values]) if more and rows else None
    result = SearchResult(summaries, total, exact, next_cursor)
    if query.facets:
        result.facets, result.facets_exact = facets(session, conditions, query.facets, total, exact)
    return result


def _rows(session, conditions, key: _SortKey, *, walk: bool, skip: int, limit: int,
          after: list | None = None, rank: int | None = None, with_total: bool = False) -> list:
    """Rows in `key` order. Many matches: walk the sort index, which meets a page of them
    early. Few: gather them through the filters' indexes and sort them (the sort index is
    hidden from the planner). Left to itself PostgreSQL often picks the wrong one of the two
    (PERFORMANCE.md). `with_total` adds the number of matches as the last column."""
    ranked = [literal(rank).label("rank")] if rank is not None else []
    counted = [func.count().over().label("total")] if with_total else []
    statement = select(*SUMMARY_COLUMNS, *ranked, *key.columns, *counted).where(*conditions)
    if after is not None:
        statement = statement.where(key.after(after))
    statement = statement.order_by(*key.order(indexed=walk))
    return session.execute(statement.offset(skip or None).limit(limit)).all()


def _tiered_rows(session, query: SearchQuery, conditions, after: list | None, skip: int) -> list:
    """Relevance over many matches: tier by tier, each by walking the downloads index, so that
    the match set is never ranked whole. `after` is a cursor's [tier, downloads, id]."""
    within = _sort_key(query, "downloads")
    descending = query.order == "desc"
    wanted = query.per_page + 1
    rows: list = []
    for rank, tier in _tiers(query):
        if after and (rank > after[0] if descending else rank < after[0]):
            continue  # a tier before the cursor's
        tier_conditions = [*conditions, tier]
        found = _rows(session, tier_conditions, within, walk=True,
                      skip=skip, limit=wanted - len(rows), rank=rank,
                      after=after[1:] if after and rank == after[0] else None)
        rows += found
        if len(rows) >= wanted:
            break
        if skip:  # this tier ended before the offset: the rest of the offset is in the next
            skip = 0 if found else skip - _capped_count(session, tier_conditions, skip)
    return rows


def _tiers(query: SearchQuery) -> list[tuple[int, ColumnElement]]:
    """Relevance tiers, most relevant first: 2 = the id contains the text as typed, 1 = the id
    has its words, 0 = only the author, task, library or tags match. Reversed going up."""
    q = query.q or ""
    id_words = text_query(q, weights="A")
    id_has_words = Model.search_vector.op("@@", is_comparison=True)(
        func.to_tsquery("simple", id_words)) if id_words else false()
    if ID_TEXT.fullmatch(q):
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        id_contains = func.lower(Model.repo_id).like(pattern, escape="\\")
        tiers = [(2, id_contains), (1, and_(~id_contains, id_has_words)), (0, and_(~id_contains, ~id_has_words))]
    else:  # no id contains this text (a space, say): skip the tier rather than search it
        tiers = [(1, id_has_words), (0, ~id_has_words)]
    return tiers if query.order == "desc" else tiers[::-1]


def _relevance(query: SearchQuery) -> ColumnElement:
    return case(*((condition, rank) for rank, condition in _tiers(query) if rank), else_=0)


def filters(session: Session, query: SearchQuery) -> list[ColumnElement]:
    conditions: list[ColumnElement] = []
    if query.q and (tsquery := text_query(query.q)):
        conditions.append(Model.search_vector.op("@@", is_comparison=True)(func.to_tsquery("simple", tsquery)))
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
    columns: list[ColumnElement]  # the values a cursor records, the last one the id
    types: list[type]
    descending: bool

    def order(self, indexed: bool = True) -> list:
        """ORDER BY matching the sort index (scanned either way), or hiding it from the planner."""
        return [_directed(column if indexed else func.coalesce(column, column), column, self.descending)
                for column in self.columns]

    def cursor(self, values) -> str:
        return encode_cursor({"k": [_jsonable(v) for v in values]})

    def decode(self, cursor: str) -> list:
        values = decode_cursor(cursor).get("k")
        if not isinstance(values, list) or len(values) != len(self.types):
            raise QueryError("cursor", "not a cursor for this sort")
        try:
            return [_typed(kind, value) for kind, value in zip(self.types, values)]
        except (TypeError, ValueError):
            raise QueryError("cursor", "not a cursor this API gave out") from None

    def after(self, values: list) -> ColumnElement:
        return _keyset_after(self.columns, values, self.descending)


def _sort_key(query: SearchQuery, sort: str | None = None) -> _SortKey:
    column = SORT_COLUMNS[sort or query.effective_sort]
    return _SortKey([column, Model.id], [column.type.python_type, int], query.order == "desc")


def _relevance_key(query: SearchQuery) -> _SortKey:
    """A cursor is [tier, downloads, id] whether the page was read tier by tier or not."""
    return _SortKey([_relevance(query), Model.downloads, Model.id], [int, int, int], query.order == "desc")


def _directed(expression, column: ColumnElement, descending: bool):
    if column in NULLABLE_SORTS:  # indexed DESC NULLS LAST: missing values last, or first going up
        return expression.desc().nulls_last() if descending else expression.asc().nulls_first()
    return expression.desc() if descending else expression.asc()


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


def _typed(python_type: type, value):
    if value is None:
        return None
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type in (int, float) and not isinstance(value, int | float):
        raise TypeError(value)
    return value


def count(session: Session, conditions: list[ColumnElement], estimate: int | None = None) -> tuple[int, bool]:
    """(total, exact): exact when the planner expects fewer than EXACT_COUNT_BELOW rows."""
    if estimate is None:
        estimate = _estimate(session, conditions)
    if estimate >= EXACT_COUNT_BELOW:
        return estimate, False
    return session.execute(select(func.count()).select_from(Model).where(*conditions)).scalar_one(), True


def _estimate(session: Session, conditions: list[ColumnElement]) -> int:
    """The planner's row estimate (EXPLAIN costs well under a millisecond)."""
    connection = session.connection()
    compiled = select(Model.id).where(*conditions).compile(
        connection, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def _capped_count(session: Session, conditions: list[ColumnElement], cap: int) -> int:
    capped = select(Model.id).where(*conditions).limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()


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
