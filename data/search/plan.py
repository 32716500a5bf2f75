"""A page of matches: the order (sort keys and cursors) and the plan that reads it.

Every ordering ends on the model id, so pages never overlap or skip; a cursor holds the last
row's sort values (keyset paging: page 1,000 costs what page 1 does). Two plans:
- gather: the filters' indexes (trigrams for id words) find every match, then sort; best for
  few matches, and the page's query also counts them (a window count);
- walk: the sort index is read in order until a page of matches is met; best for many.
PostgreSQL left to itself can take a text match combined with other conditions for far
rarer than it is (PERFORMANCE.md): a walk hides the text conditions from the index choice (a
materialized CTE) and falls back to gathering in the same statement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import BigInteger, ColumnElement, Double, and_, cast, func, literal, null, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from data.models import ModelCard, SearchRow
from data.query import QueryError, SearchQuery, decode_cursor, encode_cursor
from data.search.estimates import capped_count, estimate_rows, models_in_catalog, upper_bound
from data.search.filters import field_filters, folding, text_filters
from data.search.lineage import Family, Roots, lineage_filters
from data.search.text import card_query, id_words, indexable, tier_of, tiers

WALK_TO_GATHER_COST = 0.06  # a row read walking vs a match gathered (0.35 µs vs ~6 µs, measured)
WALK_ROWS_AT_MOST = 20_000  # rows a walk reads before it gives way to gathering (~7 ms)
FAMILY_GATHERED_AT_MOST = 3_000  # a family's members probed by key (~2.5 µs each) before a walk is tried
SORT_COLUMNS = {
    "downloads": SearchRow.downloads,
    "likes": SearchRow.likes,
    "trending": SearchRow.trending_score,
    "created": SearchRow.created_at,
    "updated": SearchRow.last_modified,
    "params": SearchRow.params,
    "quality": SearchRow.quality,
}
NULLABLE_SORTS = {
    *(SearchRow.trending_score, SearchRow.created_at, SearchRow.last_modified, SearchRow.params, SearchRow.quality)
}
# Sorts whose missing values come last going up too (an index each way, migration 0015): the
# smallest models first, not the thousands of unknown size.
NULLS_LAST_BOTH_WAYS = {SearchRow.params}
BIGINT = 2**63  # cursor integers beyond PostgreSQL's bigint are not ours
SortColumn = ColumnElement | InstrumentedAttribute  # an expression, or a column of the ORM
NO_COUNT = cast(null(), BigInteger)  # a count the other branch of a walk-or-gather gives


@dataclass
class Page:
    after: list | None  # the cursor's sort values
    limit: int  # a page and one row more, to know whether another page follows
    skip: int = 0


@dataclass
class SortKey:
    columns: list[SortColumn]  # the values a cursor records, the last one the id
    types: list[type]
    descending: bool
    joins_cards: bool = False  # the first column is a card's rank

    def order(self, indexed: bool = True) -> list:
        """ORDER BY matching the sort index (scanned either way), or hiding it from the planner."""
        return [
            _directed(column if indexed else func.coalesce(column, column), column, self.descending)
            for column in self.columns
        ]

    def cursor(self, values) -> str:
        return encode_cursor({"k": [value.isoformat() if isinstance(value, datetime) else value for value in values]})

    def decode(self, cursor: str) -> list:
        values = decode_cursor(cursor).get("k")
        if not isinstance(values, list) or len(values) != len(self.types):
            raise QueryError("cursor", "not a cursor for this sort")
        try:
            return [
                _typed(kind, value, nullable=column in NULLABLE_SORTS)
                for kind, value, column in zip(self.types, values, self.columns, strict=True)
            ]
        except (TypeError, ValueError, OverflowError):
            raise QueryError("cursor", "not a cursor this API gave out") from None

    def after(self, values: list) -> ColumnElement:
        return _keyset_after(self.columns, values, self.descending)


def sort_key(query: SearchQuery, sort: str | None = None) -> SortKey:
    descending = query.order == "desc"
    sort = sort or query.effective_sort
    if sort == "relevance" and query.card:
        # As double precision: a real's value does not survive the cursor's round trip exactly.
        rank = cast(func.ts_rank(ModelCard.vector, card_query(query.card)), Double)
        return SortKey([rank, SearchRow.downloads, SearchRow.id], [float, int, int], descending, True)
    if sort == "relevance":
        return SortKey([tier_of(query.q or ""), SearchRow.downloads, SearchRow.id], [int, int, int], descending)
    column = SORT_COLUMNS[sort]
    return SortKey([column, SearchRow.id], [column.type.python_type, int], descending)


@dataclass(frozen=True)
class Criteria:
    """A search's conditions: text ones (id words, card, cited papers) and a lineage family's
    membership filter rows met on a walk; the others can go with the sort index (task and
    library have composite ones)."""

    texts: list[ColumnElement]
    others: list[ColumnElement]
    short_words: bool  # a word too short for the trigram index: gathering would scan every row
    family: Family | None = None  # descendant_of / ancestor_of: gathering reads the family only

    @property
    def tested(self) -> list[ColumnElement]:
        """The conditions a walk tests on the rows it meets."""
        return [*self.texts, *([self.family.probed] if self.family else [])]

    @property
    def all(self) -> list[ColumnElement]:
        return [*self.texts, *self.others, *([self.family.condition] if self.family else [])]

    @property
    def gathered(self) -> list[ColumnElement]:
        """`all`, a family's members probed by key (see data/search/lineage.py)."""
        return [*self.texts, *self.others, *([self.family.gathered] if self.family else [])]

    def adding(self, text_condition: ColumnElement) -> Criteria:
        return replace(self, texts=[*self.texts, text_condition])

    def with_texts(self, texts: list[ColumnElement]) -> Criteria:
        return replace(self, texts=texts)


def criteria(query: SearchQuery, roots: Roots | None = None) -> Criteria:
    """group=variants' test of the head goes with the text conditions when there are filters: it is
    checked on the rows met (left to the planner, it anti-joins every head row against them)."""
    lineage, family = lineage_filters(query, roots)
    texts, others = text_filters(query), [*field_filters(query), *lineage]
    folded = folding(query, [*texts, *others, *([family.condition] if family else [])])
    if texts or others or family:
        return Criteria([*texts, *folded], others, not indexable(query.q), family)
    return Criteria(texts, [*others, *folded], not indexable(query.q), family)


def sized(session: Session, found: Criteria) -> Criteria:
    """With the family's size read (a lookup in lineage_counts): the plan chooses by it."""
    if found.family is None:
        return found
    return replace(found, family=replace(found.family, members=session.execute(found.family.size).scalar_one()))


@dataclass
class Read:
    """A page's rows (the key's values, the id last) and what reading them told about the rest."""

    rows: list
    total: int | None = None  # every match, when the plan counted them on the way
    walked: bool = False  # met walking the sort order (so there are many matches)


def page_rows(session: Session, query: SearchQuery, found: Criteria, key: SortKey, page: Page) -> Read:
    if query.effective_sort == "relevance" and not key.joins_cards:
        return Read(_tiered_rows(session, query, found, page))
    return _rows(session, found, key, page, with_total=page.after is None)


def _rows(
    session: Session, found: Criteria, key: SortKey, page: Page, *, with_total: bool, rank: int | None = None
) -> Read:
    if not key.joins_cards and not found.tested:
        # Field filters alone: the planner's estimates for them are good; it picks the index.
        statement = _select(found.others, key, page, rank=rank, with_total=False)
        return Read(list(session.execute(statement.order_by(*key.order(indexed=True))).all()))
    if key.joins_cards or not _walks(session, found, page.limit):
        rows = [(*row, None) for row in session.execute(_gathering(found.gathered, key, page, rank))]
    else:
        rows = _walked_or_gathered(session, found, key, page, rank)
    if not rows:
        return Read([])
    *_, total, walked = rows[-1]
    return Read([row[:-2] for row in rows], total if with_total else None, bool(walked))


def _walks(session: Session, found: Criteria, limit: int) -> bool:
    """Walk when enough rows are expected that a page of them is met early in the sort order,
    or may be when a word is too short for trigrams, or when gathering would probe a large
    family (its size is known exactly)."""
    expected = estimate_rows(session, found.all)
    least = walk_above(models_in_catalog(session), limit)
    if expected >= least:
        return True
    if found.family and not found.texts and (found.family.members or 0) > FAMILY_GATHERED_AT_MOST:
        return True  # field filters rarely empty a large family; if they do, the walk gathers ~7 ms later
    return found.short_words and upper_bound(session, found.all, expected) >= least


def walk_above(models: int, limit: int) -> float:
    """Matches from which walking wins: a walk reads about limit × models / matches rows, a
    gather reads every match (WALK_TO_GATHER_COST times dearer each, from scattered pages)."""
    return math.sqrt(max(models, 1) * limit * WALK_TO_GATHER_COST)


def _select(conditions, key: SortKey, page: Page, *, rank: int | None, with_total: bool):
    ranked = [literal(rank).label("tier")] if rank is not None else []
    counted = [func.count().over().label("total")] if with_total else []
    statement = select(*ranked, *key.columns, *counted).where(*conditions)
    if key.joins_cards:
        statement = statement.join(ModelCard, ModelCard.id == SearchRow.id)
    if page.after is not None:
        statement = statement.where(key.after(page.after))
    return statement.offset(page.skip or None).limit(page.limit)


def _gathering(conditions, key: SortKey, page: Page, rank: int | None):
    """Every match sorted (the sort index hidden from the planner), counted on the way."""
    statement = _select(conditions, key, page, rank=rank, with_total=True)
    return statement.order_by(*key.order(indexed=False))


def _walked_or_gathered(session, found: Criteria, key: SortKey, page: Page, rank: int | None) -> list:
    """One statement: walk the sort index (the walk is a subquery with a LIMIT, which hides the
    text conditions from the index choice) testing the text conditions on the rows met; when the
    first WALK_ROWS_AT_MOST rows hold too few matches (rarer than expected), gather instead.
    Words all too short for trigrams, with no field filter, walk as far as it takes: gathering
    would read every row too. The LIMIT stays, as a fence: without it the planner moves the
    text conditions into the walk and scans and sorts every match.
    Rows end with (the total when gathered, whether walked)."""
    unbounded = found.short_words and not found.others and not found.family
    reach = models_in_catalog(session) if unbounded else WALK_ROWS_AT_MOST
    bound = page.skip + max(reach, 1)
    texts = [condition.label(f"text_{i}") for i, condition in enumerate(found.tested)]
    walked = (
        _select(found.others, key, Page(page.after, 0), rank=None, with_total=False)
        .limit(bound)
        .add_columns(*texts)
        .order_by(*key.order(indexed=True))
        .subquery("walk")
    )
    ranked = [literal(rank).label("tier")] if rank is not None else []
    hits = (
        select(
            *ranked,
            *(walked.c[column.key] for column in key.columns),
            NO_COUNT.label("total"),
            literal(True).label("walked"),
        )
        .where(*(walked.c[text.key] for text in texts))
        .order_by(*(_directed(walked.c[c.key], c, key.descending) for c in key.columns))
        .offset(page.skip or None)
        .limit(page.limit)
        .cte("hits")
        .prefix_with("MATERIALIZED")
    )
    walk_wins = (select(func.count()).select_from(hits).scalar_subquery() == page.limit).label("wins")
    wins = select(select(walk_wins).cte("verdict").c.wins).scalar_subquery()
    gathering = _gathering(found.gathered, key, page, rank).add_columns(literal(False).label("walked"))
    gathered = gathering.subquery("gathered")
    return session.execute(select(hits).where(wins).union_all(select(gathered).where(~wins))).all()


def _tiered_rows(session: Session, query: SearchQuery, found: Criteria, page: Page) -> list:
    """Relevance, read tier by tier, each by downloads, so the match set is never ranked whole.
    `page.after` and the rows are [tier, downloads, id]."""
    within = sort_key(query, "downloads")
    after, skip = page.after, page.skip
    rows: list = []
    ordered = tiers(query.q or "") if query.order == "desc" else tiers(query.q or "")[::-1]
    for tier in ordered:
        if after and (tier.rank > after[0] if query.order == "desc" else tier.rank < after[0]):
            continue  # a tier before the cursor's
        in_tier = found.with_texts([*tier.conditions, *found.texts[len(id_words(query.q)) :]])
        tier_page = Page(after[1:] if after and tier.rank == after[0] else None, page.limit - len(rows), skip)
        got = _rows(session, in_tier, within, tier_page, with_total=False, rank=tier.rank).rows
        rows += got
        if len(rows) >= page.limit:
            break
        if skip:  # this tier ended before the offset: the rest of the offset is in the next
            skip = 0 if got else skip - capped_count(session, in_tier.all, skip)
    return rows


def _directed(expression, column: SortColumn, descending: bool):
    if column in NULLS_LAST_BOTH_WAYS:
        return expression.desc().nulls_last() if descending else expression.asc().nulls_last()
    if column in NULLABLE_SORTS:  # indexed DESC NULLS LAST: missing values last, or first going up
        return expression.desc().nulls_last() if descending else expression.asc().nulls_first()
    return expression.desc() if descending else expression.asc()


def _keyset_after(columns, values, descending: bool) -> ColumnElement:
    """Rows after `values` in the order of `columns` (NULLS LAST when descending)."""
    head, head_value = columns[0], values[0]
    rest = _keyset_after(columns[1:], values[1:], descending) if len(columns) > 1 else literal(False)
    nulls_last = descending or head in NULLS_LAST_BOTH_WAYS
    if head_value is None:
        # Nulls last: only nulls follow. Nulls first (ascending): all non-null follow.
        return and_(head.is_(None), rest) if nulls_last else or_(head.isnot(None), and_(head.is_(None), rest))
    beyond = head < head_value if descending else head > head_value
    if nulls_last and head in NULLABLE_SORTS:
        return or_(beyond, head.is_(None), and_(head == head_value, rest))
    return or_(beyond, and_(head == head_value, rest))


def _typed(python_type: type, value, *, nullable: bool):
    """A cursor value as the sort compares it; anything a cursor of ours cannot hold raises."""
    if value is None:
        if nullable:
            return None
        raise TypeError("null")
    if isinstance(value, bool):
        raise TypeError(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is int:
        if not isinstance(value, int) or not -BIGINT <= value < BIGINT:
            raise ValueError(value)
        return value
    if python_type is float:
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(value)
        return float(value)
    raise TypeError(value)
