"""Search: a query in the grammar (data/query.py) → a page of models, its total and facets.

From the URL to SQL: `filters` (conditions on `model_search`, text matching in `text`) →
`plan` (the order, the cursor, and whether to walk the sort index or gather the matches) →
`estimates` (the total, counted or estimated) → the page's summaries and card snippets.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from data.catalog import SUMMARY_COLUMNS, ModelSummary, Variants, summary_of
from data.counting import count_dimensions
from data.models import Model, ModelCard, SearchRow
from data.query import SearchQuery
from data.search.estimates import (
    EXACT_COUNT_BELOW,
    count,
    estimate_rows,
    expected_matches,
    remembered,
    upper_bound,
)
from data.search.filters import field_filters, filters, text_filters
from data.search.lineage import LISTED_AT_MOST, resolve_roots
from data.search.plan import Criteria, Page, Read, criteria, page_rows, sized, sort_key
from data.search.text import (
    SNIPPET_OPTIONS,
    SNIPPET_SOURCE_CHARS,
    SNIPPET_START,
    SNIPPET_STOP,
    card_query,
    describe_match,
)

__all__ = [
    "SearchResult",
    "count",
    "describe_match",
    "estimate_rows",
    "expected_matches",
    "export",
    "facets",
    "filters",
    "search",
    "search_facets",
]
EXPORT_PAGE = 100
FACET_SIZE = 10
FACET_SAMPLE = 1_000  # matches counted for the facets of a large result
FAMILY_COUNTED_AT_MOST = LISTED_AT_MOST  # members a count probes (~2.5 µs each) for an exact total
VARIANT_IDS = 10  # the ids of a group's variants a page lists (the count says how many in all)


@dataclass
class SearchResult:
    models: list[ModelSummary]
    total: int
    total_exact: bool
    next_cursor: str | None
    match: str = ""  # how the text was matched, in words
    facets: dict[str, list[dict]] = field(default_factory=dict)
    facets_exact: bool = True


def search(session: Session, query: SearchQuery, *, counted: bool = True) -> SearchResult:
    """A page of models and the total (when `counted`), next cursor and facets asked for."""
    with remembered(session):
        return _search(session, query, counted)


def _search(session: Session, query: SearchQuery, counted: bool) -> SearchResult:
    found = sized(session, criteria(query, resolve_roots(session, query)))
    conditions = found.all
    key = sort_key(query)
    page = Page(key.decode(query.cursor) if query.cursor else None, query.per_page + 1)
    page.skip = 0 if page.after else (query.page - 1) * query.per_page
    read = page_rows(session, query, found, key, page)
    rows, total = read.rows, read.total
    exact = total is not None
    seen = page.skip + min(len(rows), query.per_page)
    if total is None and not page.after and len(rows) <= query.per_page and (rows or not page.skip):
        total, exact = seen, True  # the last page, read from the start: everything was seen
    elif total is None and counted:
        total, exact = _total(session, found, read)
        total = max(total, seen)  # an estimate is never below what was seen
    elif total is None:
        total, exact = 0, False
    more = len(rows) > query.per_page
    rows = rows[: query.per_page]
    summaries = _summaries(session, [row[-1] for row in rows])
    kept = [row[-1] for row in rows if row[-1] in summaries]
    models = [summaries[model_id] for model_id in kept]
    if query.card and models:
        models = _with_snippets(session, query.card, models, kept)
    if query.group == "variants" and models:
        models = _with_variants(session, query, models, kept)
    result = SearchResult(
        models,
        total,
        exact,
        key.cursor(rows[-1]) if more and rows else None,
        describe_match(query.q, query.card, query.effective_sort),
    )
    if query.facets:
        result.facets, result.facets_exact = facets(
            session, conditions, query.facets, expected_matches(session, conditions)
        )
    return result


def _total(session: Session, found: Criteria, read: Read) -> tuple[int, bool]:
    """(total, exact) of a page that did not count its matches: `count`; a walk met many, more
    than a count is exact for, so it goes straight to the estimate. A lineage family bounds
    its matches: they are counted, by a lookup in lineage_counts when it counts them, else
    over the family when that is small enough; a larger one is estimated like any search."""
    conditions = found.all
    if found.family and found.family.counted is not None:
        return session.execute(found.family.counted).scalar_one(), True
    if found.family and (found.family.members or 0) <= FAMILY_COUNTED_AT_MOST:
        counted = select(func.count()).select_from(SearchRow).where(*found.gathered)
        return session.execute(counted).scalar_one(), True
    estimate = estimate_rows(session, conditions)
    most = EXACT_COUNT_BELOW if read.walked else upper_bound(session, conditions, estimate)
    return count(session, conditions, estimate, most)


def _summaries(session: Session, ids: list[int]) -> dict[int, ModelSummary]:
    """The page's models by id (one deleted since the page was read is missing)."""
    if not ids:
        return {}
    rows = session.execute(select(Model.id, *SUMMARY_COLUMNS).where(Model.id.in_(ids)))
    return {model_id: summary_of(summary) for model_id, *summary in rows}


def _with_snippets(session: Session, card: str, models: list[ModelSummary], ids: list[int]) -> list[ModelSummary]:
    headline = func.ts_headline(
        "english", func.left(ModelCard.card, SNIPPET_SOURCE_CHARS), card_query(card), SNIPPET_OPTIONS
    )
    snippets: dict[int, str | None] = dict(
        session.execute(select(ModelCard.id, headline).where(ModelCard.id.in_(ids))).all()
    )
    return [
        replace(model, snippet=_marked(snippets.get(model_id))) for model, model_id in zip(models, ids, strict=True)
    ]


def _with_variants(session: Session, query: SearchQuery, models: list[ModelSummary], ids: list[int]):
    """Each model's folded variants that match the search themselves: their count and the
    VARIANT_IDS most downloaded (a head's variants are read by the variant_of index)."""
    conditions = [*text_filters(query), *field_filters(query)]
    ranked = aggregate_order_by(Model.repo_id, SearchRow.downloads.desc())
    rows = session.execute(
        select(SearchRow.variant_of, func.count(), func.array_agg(ranked))
        .join(Model, Model.id == SearchRow.id)
        .where(SearchRow.variant_of.in_(ids), *conditions)
        .group_by(SearchRow.variant_of)
    )
    found = {head: Variants(count, list(names[:VARIANT_IDS])) for head, count, names in rows}
    return [
        replace(model, variants=found.get(model_id, Variants(0, [])))
        for model, model_id in zip(models, ids, strict=True)
    ]


def _marked(headline: str | None) -> str | None:
    """HTML-escaped text, the matches wrapped in <mark>."""
    if not headline:
        return None
    escaped = html.escape(" ".join(headline.split()), quote=False)
    return escaped.replace(SNIPPET_START, "<mark>").replace(SNIPPET_STOP, "</mark>")


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
    conditions = filters(query, resolve_roots(session, query))
    return facets(session, conditions, names, expected_matches(session, conditions))


def facets(session, conditions, names, expected: int) -> tuple[dict, bool]:
    """The top values of each facet in the result: counted, or estimated from a sample."""
    found = count_dimensions(session, names, conditions, FACET_SIZE, expected, FACET_SAMPLE)
    return {name: counts.values for name, counts in found.items()}, all(c.exact for c in found.values())
