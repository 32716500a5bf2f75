"""Saved searches (#15): what matches anew after a second ingest, counted and listed exactly;
the API by key and by session; the Atom feed as a feed reader reads it."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser
import pytest
from sqlalchemy import text

from app.auth.csrf import CSRF_COOKIE
from app.factory import create_app
from data.accounts.keys import create_key
from data.accounts.users import create_user
from data.ingest.pipeline import ingest
from tests.stack import TEST_SECRET_KEY  # noqa: F401  (conftest sets it for the app)

API = "/api/v1"
PASSWORD = "correct horse battery staple"
QUERY = "author=acme&pipeline_tag=text-generation"


def record(repo_id: str, task: str = "text-generation", downloads: int = 10) -> dict:
    return {"id": repo_id, "pipeline_tag": task, "downloads": downloads, "likes": 1}


FIRST = [record("acme/chat"), record("acme/translate", "translation"), record("lab/chat")]
SECOND = [
    record("acme/chat", downloads=999),  # changed, not new
    record("acme/translate", "translation", downloads=5),
    record("lab/chat"),
    record("acme/writer"),
    record("acme/poet", downloads=3),
    record("acme/dub", "translation"),  # new, another task
    record("lab/writer"),  # new, another author
]
THIRD = [*SECOND, record("acme/late")]


def matches(records: list[dict], seen: list[dict]) -> set[str]:
    """The saved query's matches among `records` not in `seen`, worked out from the records."""
    before = {r["id"] for r in seen}
    return {
        r["id"]
        for r in records
        if r["id"] not in before and r["id"].startswith("acme/") and r["pipeline_tag"] == "text-generation"
    }


@pytest.fixture
def app(settings, db):
    return create_app(settings, db)


@pytest.fixture
def keys(db) -> dict[str, str]:
    """Two analysts' API keys, by email."""
    found = {}
    with db.session() as session:
        for email in ("ana@example.org", "bo@example.org"):
            user = create_user(session, email, PASSWORD)
            found[email] = create_key(session, user.id, "script")[1]
        session.commit()
    return found


def call(client, key: str, method: str, path: str, body: dict | None = None):
    return client.open(API + path, method=method, json=body, headers={"Authorization": f"Bearer {key}"})


def model_ids(db, repo_ids: set[str]) -> list[str]:
    """`repo_ids` by the catalog's id, highest (newest) first."""
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("SELECT repo_id FROM models WHERE repo_id = ANY(:ids) ORDER BY id DESC"), {"ids": list(repo_ids)}
        )
        return [repo_id for (repo_id,) in rows]


def test_matches_new_since_the_last_visit_are_exactly_the_second_ingests(app, db, keys):
    client, key = app.test_client(), keys["ana@example.org"]
    ingest(db, FIRST)
    created = call(client, key, "POST", "/me/searches", {"name": "acme chat", "query": f"?{QUERY}&page=3"})
    assert created.status_code == 201, created.json
    saved = created.json["data"]
    assert (saved["name"], saved["query"], saved["new_count"]) == ("acme chat", QUERY, 0)  # no page: not kept
    assert saved["search_url"] == f"/?{QUERY}"
    path = f"/me/searches/{saved['id']}"

    ingest(db, SECOND)
    expected = matches(SECOND, FIRST)
    assert expected == {"acme/writer", "acme/poet"}
    listed = call(client, key, "GET", "/me/searches").json
    assert [(s["id"], s["new_count"]) for s in listed["data"]] == [(saved["id"], len(expected))]
    news = call(client, key, "GET", f"{path}/new").json
    assert [m["id"] for m in news["data"]] == model_ids(db, expected)
    assert news["meta"]["new_count"] == len(expected)

    assert call(client, key, "GET", path).json["data"]["new_count"] == 0  # seen by that visit
    assert call(client, key, "GET", f"{path}/new").json["data"] == []
    ingest(db, THIRD)
    assert call(client, key, "GET", path).json["data"]["new_count"] == len(matches(THIRD, SECOND)) == 1


def test_a_search_changes_its_name_and_query_and_is_gone_once_deleted(app, db, keys):
    client, key = app.test_client(), keys["ana@example.org"]
    ingest(db, FIRST)
    saved = call(client, key, "POST", "/me/searches", {"name": "chat", "query": QUERY}).json["data"]
    path = f"/me/searches/{saved['id']}"
    ingest(db, SECOND)
    renamed = call(client, key, "PATCH", path, {"name": "  acme  "}).json["data"]
    assert (renamed["name"], renamed["new_count"]) == ("acme", 2)  # a rename keeps what is new
    requeried = call(client, key, "PATCH", path, {"query": "author=lab"}).json["data"]
    assert (requeried["query"], requeried["new_count"]) == ("author=lab", 0)  # a new query starts seen
    assert call(client, key, "DELETE", path).status_code == 200
    assert call(client, key, "GET", path).json["error"]["code"] == "SEARCH_NOT_FOUND"
    assert call(client, key, "GET", "/me/searches").json["data"] == []


def test_nobody_else_sees_or_touches_a_search(app, keys):
    client = app.test_client()
    saved = call(client, keys["ana@example.org"], "POST", "/me/searches", {"name": "mine", "query": QUERY}).json
    path = f"/me/searches/{saved['data']['id']}"
    other = keys["bo@example.org"]
    for method, suffix, body in (
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("GET", "/new", None),
    ):
        answer = call(client, other, method, path + suffix, body)
        assert (answer.status_code, answer.json["error"]["code"]) == (404, "SEARCH_NOT_FOUND")
    assert call(client, other, "GET", "/me/searches").json["data"] == []
    assert call(client, keys["ana@example.org"], "GET", path).json["data"]["name"] == "mine"
    assert client.get(API + "/me/searches").json["error"]["code"] == "AUTHENTICATION_REQUIRED"


@pytest.mark.parametrize(
    "body, field, reason",
    [
        ({"name": "x", "query": "sort=bogus"}, "query", "sort"),
        ({"name": "x", "query": "colour=blue"}, "query", "colour"),
        ({"name": "x", "query": "q=" + "a" * 5_000}, "query", "at most"),
        ({"name": " ", "query": QUERY}, "name", "1 to 100"),
        ({"name": "x" * 101, "query": QUERY}, "name", "1 to 100"),
        ({"query": QUERY}, "name", "required"),
    ],
)
def test_a_bad_search_is_a_400_naming_the_field_and_nothing_is_saved(app, keys, body, field, reason):
    client, key = app.test_client(), keys["ana@example.org"]
    answer = call(client, key, "POST", "/me/searches", body)
    assert answer.status_code == 400
    error = answer.json["error"]
    assert error["code"] == "INVALID_FIELD" and error["details"]["field"] == field
    assert reason in error["details"]["reason"]
    assert call(client, key, "GET", "/me/searches").json["data"] == []


def test_by_session_a_save_needs_the_csrf_token(app, db, keys):
    client = app.test_client()
    token = client.get(API + "/auth/csrf").json["data"]["csrf_token"]
    login = {"email": "ana@example.org", "password": PASSWORD}
    assert client.post(API + "/auth/login", json=login, headers={"X-CSRFToken": token}).status_code == 200
    refused = client.post(API + "/me/searches", json={"name": "s", "query": QUERY})
    assert refused.json["error"]["code"] == "CSRF_FAILED"
    assert client.get(API + "/me/searches").json["data"] == []
    token = client.get_cookie(CSRF_COOKIE).value
    saved = client.post(API + "/me/searches", json={"name": "s", "query": QUERY}, headers={"X-CSRFToken": token})
    assert saved.status_code == 201
    assert [s["name"] for s in client.get(API + "/me/searches").json["data"]] == ["s"]


def test_the_feed_is_valid_atom_of_the_newest_matches_and_its_url_can_be_revoked(app, db, keys):
    client, key = app.test_client(), keys["ana@example.org"]
    ingest(db, FIRST)
    saved = call(client, key, "POST", "/me/searches", {"name": "acme chat", "query": QUERY}).json["data"]
    ingest(db, SECOND)
    feed_path = urlsplit(saved["feed_url"]).path
    answer = client.get(feed_path)  # a feed reader sends no credential: the URL is it
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    assert answer.headers["Cache-Control"] == "private, no-store"  # nobody on the way keeps it
    feed = feedparser.parse(answer.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "acme chat · Model Catalog"
    every_match = {r["id"] for r in SECOND if r["id"].startswith("acme/") and r["pipeline_tag"] == "text-generation"}
    assert [entry.title for entry in feed.entries] == model_ids(db, every_match)
    assert all(urlsplit(entry.link).path == f"/models/{entry.title}" for entry in feed.entries)
    assert all(entry.id and entry.updated_parsed for entry in feed.entries)
    assert call(client, key, "GET", f"/me/searches/{saved['id']}").json["data"]["new_count"] == 2  # reading is no visit

    renewed = call(client, key, "PATCH", f"/me/searches/{saved['id']}", {"new_feed_url": True}).json["data"]
    assert renewed["feed_url"] != saved["feed_url"]
    assert client.get(feed_path).json["error"]["code"] == "FEED_NOT_FOUND"
    assert client.get(urlsplit(renewed["feed_url"]).path).status_code == 200


def test_a_hostile_name_still_makes_a_well_formed_feed(app, db, keys):
    client, key = app.test_client(), keys["ana@example.org"]
    ingest(db, FIRST)
    name = "a\x01b <&> ]]> \U0001f999"
    saved = call(client, key, "POST", "/me/searches", {"name": name, "query": QUERY}).json["data"]
    feed = feedparser.parse(client.get(urlsplit(saved["feed_url"]).path).data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "ab <&> ]]> \U0001f999 · Model Catalog"  # what XML cannot hold is left out


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_an_id_beyond_any_row_is_a_404_for_every_method(app, keys, method):
    answer = call(app.test_client(), keys["ana@example.org"], method, "/me/searches/1550840504741324447023104", {})
    assert (answer.status_code, answer.json["error"]["code"]) == (404, "NOT_FOUND")
