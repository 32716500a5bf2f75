"""What arrived in the catalog after a point: models.id only grows, so "new since" is the rows
above a remembered id (a walk of the primary key), exact and cheap.

Saved searches, watches, feeds, webhooks and the live dashboard all count and list arrivals
this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from data.catalog import SUMMARY_COLUMNS, ModelSummary, summary_of
from data.models import Model, SearchRow
from data.query import SearchQuery, parse_query
from data.search.filters import filters
from data.search.lineage import resolve_roots


@dataclass(frozen=True)
class Arrival:
    id: int  # the model's row id: its place in the order of arrival
    model: ModelSummary
    stored_at: datetime  # when the catalog last stored it: for a new model, when it arrived


def high_point(session: Session) -> int:
    """The highest model row id so far: whatever arrives later is above it."""
    return session.scalar(select(func.max(Model.id))) or 0


def matching_ids(session: Session, query_text: str, after: int, up_to: int | None = None) -> Select:
    """Row ids of the query's matches above `after` (and at most `up_to`)."""
    query = _query(query_text)
    selected = select(SearchRow.id).where(*filters(query, resolve_roots(session, query)), SearchRow.id > after)
    return selected if up_to is None else selected.where(SearchRow.id <= up_to)


def count_matches(session: Session, query_text: str, after: int, up_to: int | None = None) -> int:
    matching = matching_ids(session, query_text, after, up_to).subquery()
    return session.scalar(select(func.count()).select_from(matching)) or 0


def newest_arrivals(
    session: Session, query_text: str, limit: int, *, after: int = 0, up_to: int | None = None
) -> list[Arrival]:
    """The query's matches that arrived last (highest id first), above `after`, up to `up_to`."""
    ids = matching_ids(session, query_text, after, up_to).order_by(SearchRow.id.desc()).limit(limit)
    rows = session.execute(
        select(*SUMMARY_COLUMNS, Model.id, Model.ingested_at).where(Model.id.in_(ids)).order_by(Model.id.desc())
    )
    return [Arrival(row.id, summary_of(row[:-2]), row.ingested_at) for row in rows]


def newest_matches(
    session: Session, query_text: str, limit: int, *, after: int = 0, up_to: int | None = None
) -> list[ModelSummary]:
    return [arrival.model for arrival in newest_arrivals(session, query_text, limit, after=after, up_to=up_to)]


def _query(query_text: str) -> SearchQuery:
    return parse_query(parse_qsl(query_text), strict=False)  # lenient: a bad filter is dropped, as in a URL
