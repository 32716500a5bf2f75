"""Saved searches under /api/v1/me/searches (by session or API key) and their Atom feeds under
/api/v1/feeds (by the private token in the URL: a feed reader sends no credential)."""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, g, request
from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.accounts import BODY_ERRORS, ID, SIGNED_IN_ERRORS
from app.api.atom import search_feed
from app.api.docs import documented, parse_body
from app.api.errors import ApiError
from app.api.payload import payload
from app.auth.identity import current_identity, requires
from components import routes
from data.accounts import searches, webhooks
from data.accounts.searches import SavedSearchInfo
from data.arrivals import newest_matches

FEED_LENGTH = 50  # entries of a feed: the newest arrivals that match
ERRORS = [*SIGNED_IN_ERRORS, "SEARCH_NOT_FOUND"]


class NewSearch(BaseModel):
    name: str = Field(description="1–100 characters.")
    query: str = Field(description="A query string in the search grammar, e.g. `q=llama&pipeline_tag=text-generation`.")


class SearchChange(BaseModel):
    name: str | None = None
    query: str | None = Field(None, description="A new query: what matches now counts as seen.")
    new_feed_url: bool = Field(False, description="Revoke the feed's URL and make a new one.")
    webhook_url: str | None = Field(
        None,
        description="POSTed the new matches after each sync (null: none); its host must be on CATALOG_WEBHOOK_HOSTS.",
    )


class Delivery(BaseModel):
    id: int
    status: str = Field(description="pending (retried with backoff), delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    new_count: int


class Saved(BaseModel):
    id: int
    name: str
    query: str = Field(description="The canonical query string (no page nor cursor).")
    new_count: int = Field(description="Matches that arrived since the last visit of `/new`.")
    feed_url: str = Field(description="Its Atom feed; the URL is the credential: keep it private.")
    search_url: str = Field(description="The dashboard's search of it.")
    created_at: datetime
    visited_at: datetime | None
    webhook_url: str | None
    webhook_secret: str | None = Field(
        description=f"Checks a delivery: its `{webhooks.SIGNATURE_HEADER}` is sha256= and the HMAC-SHA256 of the body."
    )


def saved(info: SavedSearchInfo) -> dict:
    feed = request.host_url.rstrip("/") + routes.search_feed_href(info.feed_token)
    search = f"/?{info.query}" if info.query else "/"
    return Saved(**{**payload(info), "feed_url": feed, "search_url": search}).model_dump(mode="json")


def _user_id() -> int:
    user_id = current_identity().user_id
    assert user_id is not None  # @requires saw to it
    return user_id


@bp.get("/me/searches")
@documented(
    summary="Your saved searches, each with its count of new matches",
    response=list[Saved],
    errors=SIGNED_IN_ERRORS,
    tags=["saved searches"],
)
@requires("analyst")
def my_searches():
    with database().session(read_only=True) as session:
        found = searches.list_searches(session, _user_id())
    return envelope([saved(info) for info in found], count=len(found))


@bp.post("/me/searches")
@documented(
    summary="Save a search (what matches now counts as seen)",
    body=NewSearch,
    response=Saved,
    status=201,
    errors=[*BODY_ERRORS, *SIGNED_IN_ERRORS],
    tags=["saved searches"],
)
@requires("analyst")
def save_my_search():
    body = parse_body(NewSearch)
    with database().session() as session:
        info = searches.save_search(session, _user_id(), body.name, body.query)
        session.commit()
    return envelope(saved(info)), 201


@bp.get(f"/me/searches/<{ID}:search_id>")
@documented(summary="One of your saved searches", response=Saved, errors=ERRORS, tags=["saved searches"])
@requires("analyst")
def my_search(search_id: int):
    with database().session(read_only=True) as session:
        return envelope(saved(searches.get_search(session, _user_id(), search_id)))


@bp.patch(f"/me/searches/<{ID}:search_id>")
@documented(
    summary="Rename a saved search, change its query or revoke its feed's URL",
    body=SearchChange,
    response=Saved,
    errors=[*BODY_ERRORS, *ERRORS],
    tags=["saved searches"],
)
@requires("analyst")
def change_my_search(search_id: int):
    body = parse_body(SearchChange)
    with database().session() as session:
        info = searches.change_search(
            session, _user_id(), search_id, name=body.name, query=body.query, new_feed_token=body.new_feed_url
        )
        if "webhook_url" in body.model_fields_set:
            hosts = current_app.config["CATALOG_SETTINGS"].webhook_hosts
            info = searches.info_of(
                session, webhooks.set_webhook(session, _user_id(), search_id, body.webhook_url, hosts)
            )
        session.commit()
    return envelope(saved(info))


@bp.get(f"/me/searches/<{ID}:search_id>/deliveries")
@documented(
    summary="The webhook's delivery log of a saved search, newest first",
    response=list[Delivery],
    errors=ERRORS,
    tags=["saved searches"],
)
@requires("analyst")
def my_search_deliveries(search_id: int):
    with database().session(read_only=True) as session:
        found = webhooks.list_deliveries(session, _user_id(), search_id)
    return envelope(payload(found), count=len(found))


@bp.delete(f"/me/searches/<{ID}:search_id>")
@documented(summary="Delete a saved search (and its feed)", response=Saved, errors=ERRORS, tags=["saved searches"])
@requires("analyst")
def delete_my_search(search_id: int):
    with database().session() as session:
        info = searches.delete_search(session, _user_id(), search_id)
        session.commit()
    return envelope(saved(info))


@bp.get(f"/me/searches/<{ID}:search_id>/new")
@documented(
    summary="The matches new since your last visit, newest first; they count as seen from now on",
    description=f"At most {searches.NEW_LISTED_AT_MOST} are listed; `meta.new_count` says how many there were.",
    errors=ERRORS,
    tags=["saved searches"],
)
@requires("analyst")
def my_search_news(search_id: int):
    with database().session() as session:
        visit = searches.visit(session, _user_id(), search_id)
        session.commit()
    return envelope(payload(visit.models), new_count=visit.search.new_count, search=saved(visit.search))


@bp.get("/feeds/searches/<token>")
@documented(
    summary="A saved search's Atom feed: its newest matching arrivals",
    description="The URL is the credential (feed readers send none); a new one revokes it.",
    other_formats={"application/atom+xml": "an Atom 1.0 feed"},
    errors=["FEED_NOT_FOUND"],
    tags=["saved searches"],
)
def search_feed_route(token: str):
    g.catalog_private = True  # never cached, by us or on the way: a revoked URL stops at once
    with database().session(read_only=True) as session:
        row = searches.by_feed_token(session, token)
        if row is None:
            raise ApiError("FEED_NOT_FOUND")
        models = newest_matches(session, row.query, FEED_LENGTH)
        name, query = row.name, row.query
    body = search_feed(name, request.url, request.host_url.rstrip("/"), query, models)
    return Response(body, mimetype="application/atom+xml")
