"""Search: filters, full text, sorting, pages and cursors, totals and facets.

Every ordering ends on `id`, so pages never overlap or skip, even for equal sort values.
A cursor holds the last row's sort key (keyset paging: as fast on page 1,000 as on page 1).
Totals are exact when few rows can match, otherwise estimated (and marked so): an exact
count of hundreds of thousands of matches costs more than the page itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from psycopg.errors import QueryCanceled
from sqlalchemy import and_, case, cast, exists, false, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY, TEXT
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from data.catalog import SUMMARY_COLUMNS, ModelSummary
from data.counting import count_dimensions, sampled_count
from data.models import BaseModelRelation, DatasetRelation, Model
from data.query import QueryError, SearchQuery, decode_cursor, encode_cursor
from data.search_words import words

LETTER_DIGIT = re.compile(r"[^\W\d_]+|\d+")
ID_TEXT = re.compile(r"[\w./-]+")  # what a Hub id can contain
EXACT_COUNT_BELOW = 10_000  # possible matches (`_upper_bound`); counting costs ~3 µs a match
PREFIX_FROM = 3
WALK_INDEX_ABOVE = 5_000  # expected matches from which walking the sort index wins
EXPORT_PAGE = 100
WALK_BUDGET_MS = 30  # a longer walk gives way to gathering the matches
FACET_SIZE = 10
FACET_SAMPLE = 1_000  # matches counted for the facets of a large result
SORT_COLUMNS = {
    "downloads": Model.downloads, "likes": Model.likes, "trending": Model.trending_score,
    "created": Model.created_at, "updated": Model.last_modified,
}
NULLABLE_SORTS = {Model.trending_score, Model.created_at, Model.last_modified}


@dataclass
class SearchResult:
    models: list[ModelSummary]
    total: int
    total_exact: bool
    next_cursor: str | None
    facets: dict[str, list[dict]] = field(default_factory=dict)
    facets_exact: bool = True


def text_query(q: str, weights: str = "") -> str | None:
    """A tsquery for the words typed, all required; see `text_terms`."""
    return " & ".join(text_terms(q, weights)) or None


def text_terms(q: str, weights: str = "") -> list[str]:
    """A tsquery term per word typed; "llama3" also matches "llama-3".

    Words match whole (an id word, or the end of one: the vector holds their suffixes), but
    for the last word typed, which may be unfinished: of PREFIX_FROM characters or more it
    matches as a prefix, so that "qwen2.5-7b-inst" finds "Qwen2.5-7B-Instruct". Prefixes
    of every word would union the postings of thousands of lexemes each.
    Words are alphanumeric (see `words`), so they cannot carry tsquery operators.
    `weights` ("A") restricts the match to the id's words.
    """
    typed = words(q)
    terms = []
    for position, word in enumerate(typed, start=1):
        last = position == len(typed)

        def lexeme(text: str, prefix: bool) -> str:
            return f"{text}:{'*' if prefix and len(text) >= PREFIX_FROM else ''}{weights}".rstrip(":")

        parts = LETTER_DIGIT.findall(word)
        if len(parts) > 1 and len(word) >= PREFIX_FROM:
            split = " & ".join(lexeme(part, last and i == len(parts) - 1) for i, part in enumerate(parts))
            terms.append(f"({lexeme(word, last)} | ({split}))")
        else:
            terms.append(lexeme(word, last))
    return terms


def search(session: Session, query: SearchQuery, *, counted: bool = True) -> SearchResult:
    """A page of models and the total (when `counted`), next cursor and facets asked for."""
    conditions = filters(session, query)
    expected = estimate_rows(session, conditions)
    most = _upper_bound(session, conditions, expected)
    key = _relevance_key(query) if query.effective_sort == "relevance" else _sort_key(query)
    page = _Page(key.decode(query.cursor) if query.cursor else None, query.per_page + 1)
    page.skip = 0 if page.after else (query.page - 1) * query.per_page
    rows = _walked_rows(session, query, conditions, key, page) if most >= WALK_INDEX_ABOVE else None
    total = None
    if rows is None:  # few matches: one pass gives the page and, with no cursor, the total
        rows = _gathered_rows(session, conditions, key, page)
        total = rows[0][-1] if rows and not page.after else None
    if not rows and not page.after and not page.skip:
        total = 0  # nothing matched at all
    if total is not None:
        exact = True
    elif counted:
        total, exact = count(session, conditions, expected, most)
        total = max(total, page.skip + len(rows))  # an estimate is never below what was seen
    else:
        total, exact = 0, False
    more = len(rows) > query.per_page
    rows = rows[: query.per_page]
    summaries = [ModelSummary(*row[: len(SUMMARY_COLUMNS)]) for row in rows]
    cursor_values = slice(len(SUMMARY_COLUMNS), len(SUMMARY_COLUMNS) + len(key.types))
    next_cursor = key.cursor(rows[-1][cursor_values]) if more and rows else None
    result = SearchResult(summaries, total, exact, next_cursor)
    if query.facets:
        result.facets, result.facets_exact = facets(session, conditions, query.facets, most)
    return result


@dataclass
class _Page:
    after: list | None  # the cursor's sort values
    limit: int  # a page and one row more, to know whether another page follows
    skip: int = 0


def _select(conditions, key: _SortKey, page: _Page, *, after: list | None, rank: int | None = None,
            with_total: bool = False):
    ranked = [literal(rank).label("rank")] if rank is not None else []
    counted = [func.count().over().label("total")] if with_total else []
    statement = select(*SUMMARY_COLUMNS, *ranked, *key.columns, *counted).where(*conditions)
    if after is not None:
        statement = statement.where(key.after(after))
    return statement.offset(page.skip or None).limit(page.limit)


def _gathered_rows(session, conditions, key: _SortKey, page: _Page) -> list:
    """Gather every match through the filters' indexes, then sort: best for few matches.
    The sort index is hidden from the planner; with no cursor, the last column is the total."""
    statement = _select(conditions, key, page, after=page.after, with_total=not page.after)
    return session.execute(statement.order_by(*key.order(indexed=False))).all()


def _walked_rows(session, query: SearchQuery, conditions, key: _SortKey, page: _Page) -> list | None:
    """Walk the sort index until a page of matches is met: best for many matches. None when
    that takes longer than WALK_BUDGET_MS: the matches are rarer than estimated. Left to
    itself PostgreSQL takes a text match combined with other conditions for far rarer than it
    is and gathers every match (PERFORMANCE.md); the settings that make it walk live in a
    savepoint, always rolled back, so they end with the walk."""
    savepoint = session.begin_nested()
    try:
        session.execute(text(
            "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true),"
            " set_config('max_parallel_workers_per_gather', '0', true),"
            f" set_config('statement_timeout', '{WALK_BUDGET_MS}ms', true)"))
        if query.effective_sort == "relevance":
            return _tiered_rows(session, query, conditions, page)
        statement = _select(conditions, key, page, after=page.after)
        return session.execute(statement.order_by(*key.order(indexed=True))).all()
    except OperationalError as error:
        if isinstance(error.orig, QueryCanceled):
            return None
        raise
    finally:
        savepoint.rollback()


def _tiered_rows(session, query: SearchQuery, conditions, page: _Page) -> list:
    """Relevance, walked tier by tier, each by downloads, so that the match set is never
    ranked whole. `page.after` is a cursor's [tier, downloads, id]."""
    within = _sort_key(query, "downloads")
    after, skip, rows = page.after, page.skip, []
    for rank, tier in _tiers(query):
        if after and (rank > after[0] if query.order == "desc" else rank < after[0]):
            continue  # a tier before the cursor's
        tier_conditions = [*conditions, tier]
        statement = _select(tier_conditions, within, _Page(None, page.limit - len(rows), skip),
                            after=after[1:] if after and rank == after[0] else None, rank=rank)
        found = session.execute(statement.order_by(*within.order(indexed=True))).all()
        rows += found
        if len(rows) >= page.limit:
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
        if _one_plain_word(q):  # its id matches are substrings: tier 1 is empty, never walk it
            del tiers[1]
    else:  # no id contains this text (a space, say): skip the tier rather than search it
        tiers = [(1, id_has_words), (0, ~id_has_words)]
    return tiers if query.order == "desc" else tiers[::-1]


def _one_plain_word(q: str) -> bool:
    found = words(q)
    return found == [q.lower()] and (len(LETTER_DIGIT.findall(q)) == 1 or len(q) < PREFIX_FROM)


def _relevance(query: SearchQuery) -> ColumnElement:
    return case(*((condition, rank) for rank, condition in _tiers(query) if rank), else_=0)


def filters(session: Session, query: SearchQuery) -> list[ColumnElement]:
    conditions: list[ColumnElement] = []
    for term in text_terms(query.q or ""):  # one condition a word: `_upper_bound` weighs each
        conditions.append(Model.search_vector.op("@@", is_comparison=True)(func.to_tsquery("simple", term)))
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


def count(session: Session, conditions: list[ColumnElement], estimate: int | None = None,
          most: int | None = None) -> tuple[int, bool]:
    """(total, exact): exact when few rows match, else the planner's estimate. `estimate` and
    `most` (an upper bound, see `_upper_bound`) are computed when not given."""
    if estimate is None:
        estimate = estimate_rows(session, conditions)
    if most is None:
        most = _upper_bound(session, conditions, estimate)
    if most >= EXACT_COUNT_BELOW and len(conditions) > 1:  # correlated: the planner can be far off
        return sampled_count(session, conditions), False
    if most >= EXACT_COUNT_BELOW:  # `most` is never below `estimate`
        return estimate, False
    return session.execute(select(func.count()).select_from(Model).where(*conditions)).scalar_one(), True


def estimate_rows(session: Session, conditions: list[ColumnElement]) -> int:
    """The planner's row estimate (EXPLAIN costs well under a millisecond)."""
    connection = session.connection()
    compiled = select(Model.id).where(*conditions).compile(
        connection, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def expected_matches(session: Session, conditions: list[ColumnElement]) -> int:
    """How many rows may match, erring high (see `_upper_bound`)."""
    return _upper_bound(session, conditions, estimate_rows(session, conditions)) if conditions else 0


def _upper_bound(session: Session, conditions: list[ColumnElement], estimate: int) -> int:
    """The planner's estimate, raised to the fewest rows any one word typed matches. The
    planner multiplies selectivities as if conditions were independent, and words typed
    together ("stable diffusion") are anything but: it expected 1,677 rows for 19,000
    matches. Filters on columns have extended statistics (migration 0008) and are believed."""
    words = [condition for condition in conditions if _is_text_match(condition)]
    if not words or len(conditions) < 2:
        return estimate
    return max(estimate, min(estimate_rows(session, [word]) for word in words))


def _is_text_match(condition: ColumnElement) -> bool:
    return getattr(getattr(condition, "operator", None), "opstring", None) == "@@"


def _capped_count(session: Session, conditions: list[ColumnElement], cap: int) -> int:
    capped = select(Model.id).where(*conditions).limit(cap).subquery()
    return session.execute(select(func.count()).select_from(capped)).scalar_one()


def export(session: Session, query: SearchQuery, cap: int) -> Iterator[ModelSummary]:
    """Up to `cap` models of a search, in its order, read EXPORT_PAGE at a time by cursor."""
    page = query.model_copy(update={"per_page": EXPORT_PAGE, "page": 1, "cursor": None, "facets": []})
    sent = 0
    while sent < cap:
        found = search(session, page, counted=False)
        yield from found.models[: cap - sent]
        sent += len(found.models)
        if not found.next_cursor:
            return
        page = page.model_copy(update={"cursor": found.next_cursor})


def search_facets(session: Session, query: SearchQuery, names: list[str]) -> tuple[dict, bool]:
    """Only the facets of a search (the dashboard loads them after the results)."""
    conditions = filters(session, query)
    return facets(session, conditions, names, expected_matches(session, conditions))


def facets(session, conditions, names, expected: int) -> tuple[dict, bool]:
    """The top values of each facet in the result: counted, or estimated from a sample."""
    found = count_dimensions(session, names, conditions, FACET_SIZE, expected, FACET_SAMPLE)
    return {name: counts.values for name, counts in found.items()}, all(c.exact for c in found.values())
