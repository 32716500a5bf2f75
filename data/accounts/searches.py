"""Saved searches: a user's named queries in the search grammar, what matched since the last
visit, and the private token of each one's feed.

"New since the last visit" is data.arrivals': a visit keeps the catalog's highest row id and
the new matches are those above it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.accounts.tables import SavedSearch
from data.accounts.users import AccountError
from data.arrivals import count_matches, high_point, newest_matches
from data.catalog import ModelSummary
from data.query import QueryError, parse_query, query_string

MAX_NAME_LENGTH = 100
MAX_QUERY_LENGTH = 4_000
MAX_SEARCHES_PER_USER = 100
NEW_LISTED_AT_MOST = 200  # new matches one visit lists (all are marked seen; the count says how many)
# How results are shown, not which: a saved search keeps its sort but not its page.
NOT_KEPT: dict[str, object] = {"page": 1, "cursor": None, "facets": []}


@dataclass(frozen=True)
class SavedSearchInfo:
    id: int
    name: str
    query: str
    new_count: int
    feed_token: str
    created_at: datetime
    visited_at: datetime | None
    webhook_url: str | None = None
    webhook_secret: str | None = None  # the owner's, to check each delivery's signature


@dataclass(frozen=True)
class NewMatches:
    search: SavedSearchInfo  # as it was before this visit (its new_count, what is listed)
    models: list[ModelSummary]  # newest first, at most NEW_LISTED_AT_MOST


def canonical_query(text: str) -> str:
    """The query string in the grammar's canonical form, or an error naming what is wrong."""
    if not isinstance(text, str) or len(text) > MAX_QUERY_LENGTH:
        raise AccountError("INVALID_FIELD", "query", f"a query string of at most {MAX_QUERY_LENGTH} characters")
    try:
        query = parse_query(parse_qsl(text.removeprefix("?"), keep_blank_values=True))
    except QueryError as error:
        raise AccountError("INVALID_FIELD", "query", f"{error.parameter}: {error.reason}") from None
    return query_string(query, **NOT_KEPT)


def check_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise AccountError("INVALID_FIELD", "name", f"a name of 1 to {MAX_NAME_LENGTH} characters")
    return name


def save_search(session: Session, user_id: int, name: str, query: str) -> SavedSearchInfo:
    """Save a search; what matches now is seen, so it starts with nothing new."""
    name, query = check_name(name), canonical_query(query)
    kept = session.scalar(select(func.count()).where(SavedSearch.user_id == user_id))
    if (kept or 0) >= MAX_SEARCHES_PER_USER:
        raise AccountError("INVALID_FIELD", "name", f"at most {MAX_SEARCHES_PER_USER} saved searches: delete one first")
    row = SavedSearch(user_id=user_id, name=name, query=query, seen_up_to=high_point(session), feed_token=_token())
    session.add(row)
    session.flush()
    return info_of(session, row)


def list_searches(session: Session, user_id: int) -> list[SavedSearchInfo]:
    rows = session.scalars(select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.id))
    return [info_of(session, row) for row in rows]


def get_search(session: Session, user_id: int, search_id: int) -> SavedSearchInfo:
    return info_of(session, own_search(session, user_id, search_id))


def change_search(
    session: Session,
    user_id: int,
    search_id: int,
    *,
    name: str | None = None,
    query: str | None = None,
    new_feed_token: bool = False,
) -> SavedSearchInfo:
    """Rename it, change its query (what matches now is seen then) or revoke its feed's URL."""
    row = own_search(session, user_id, search_id)
    if name is not None:
        row.name = check_name(name)
    if query is not None and canonical_query(query) != row.query:
        row.query, row.seen_up_to = canonical_query(query), high_point(session)
    if new_feed_token:
        row.feed_token = _token()
    session.flush()
    return info_of(session, row)


def delete_search(session: Session, user_id: int, search_id: int) -> SavedSearchInfo:
    row = own_search(session, user_id, search_id)
    info = info_of(session, row)
    session.delete(row)
    session.flush()
    return info


def visit(session: Session, user_id: int, search_id: int) -> NewMatches:
    """The matches new since the last visit, newest first; they are seen from now on."""
    row = own_search(session, user_id, search_id)
    top = high_point(session)  # first: a model stored while this runs is new next time
    info = info_of(session, row, up_to=top)
    models = newest_matches(session, row.query, NEW_LISTED_AT_MOST, after=row.seen_up_to, up_to=top)
    row.seen_up_to, row.visited_at = top, datetime.now(UTC)
    session.flush()
    return NewMatches(info, models)


def by_feed_token(session: Session, token: str) -> SavedSearch | None:
    if not isinstance(token, str) or not token or "\x00" in token:
        return None
    return session.scalars(select(SavedSearch).where(SavedSearch.feed_token == token)).first()


def _token() -> str:
    return secrets.token_urlsafe(24)


def own_search(session: Session, user_id: int, search_id: int) -> SavedSearch:
    row = session.get(SavedSearch, search_id)
    if row is None or row.user_id != user_id:
        raise AccountError("SEARCH_NOT_FOUND", "id", f"you have no saved search {search_id}")
    return row


def info_of(session: Session, row: SavedSearch, up_to: int | None = None) -> SavedSearchInfo:
    new = count_matches(session, row.query, row.seen_up_to, up_to)
    return SavedSearchInfo(
        row.id,
        row.name,
        row.query,
        new,
        row.feed_token,
        row.created_at,
        row.visited_at,
        row.webhook_url,
        row.webhook_secret,
    )
