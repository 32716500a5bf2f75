"""Answers through a real `catalog serve` (gunicorn), bytes on the wire: a saved search's Atom
feed, a model's history, the trending list (likes per day, the catalog having no scores) and
GraphQL (its async view under gunicorn's threads).
Each is non-empty with a true Content-Length, gzipped when asked, and answers 304 to its ETag:
a CSV export once passed every test-client test and answered an empty body under gunicorn."""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message

import feedparser
import pytest
import requests
from sqlalchemy import text

from app.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from data.catalog import TREND_BASES
from data.db import Database
from data.ingest.pipeline import ingest
from tests.served import Served, catalog_database, serve

API = "/api/v1"
PASSWORD = "correct horse battery staple"
SAVED_QUERY = "author=acme&pipeline_tag=text-generation"


def record(repo_id: str, likes: int, downloads: int, created: str | None, task: str = "text-generation") -> dict:
    dated = {"createdAt": created} if created else {}
    return {"id": repo_id, "pipeline_tag": task, "likes": likes, "downloads": downloads, **dated}


RECORDS = [  # no trendingScore anywhere, and no sync: trending falls back to likes per day
    record("acme/chat", 90, 10, "2024-07-11T00:00:00Z"),
    record("acme/writer", 300, 5, "2024-06-25T00:00:00Z"),
    record("acme/dub", 4, 99, "2024-07-20T00:00:00Z", "translation"),  # the newest: the window ends here
    record("acme/poet", 0, 7, "2024-07-19T00:00:00Z"),
    record("lab/chat", 0, 70, "2024-07-19T00:00:00Z"),
    record("old/famous", 9_000, 10**6, "2024-06-01T00:00:00Z"),  # before the 30 days
    record("no/date", 500, 1, None),
]
START = datetime(2024, 7, 1, 6, 30, 15, 250_000, tzinfo=UTC)
HISTORY = [(START + timedelta(days=n, hours=n), 1_000 + 37 * n, n) for n in range(12)]  # of acme/chat


def feed_matches() -> set[str]:
    """SAVED_QUERY's matches among RECORDS."""
    return {r["id"] for r in RECORDS if r["id"].startswith("acme/") and r["pipeline_tag"] == "text-generation"}


def likes_per_day() -> list[tuple[str, float]]:
    """The trending list worked out from RECORDS: created within 30 days of the newest, ranked by
    likes per day since creation (at least a day), then downloads per day."""
    created = {r["id"]: datetime.fromisoformat(r["createdAt"]) for r in RECORDS if "createdAt" in r}
    newest = max(created.values())
    ranked = []
    for r in RECORDS:
        if r["id"] in created and (age := (newest - created[r["id"]]).total_seconds() / 86_400) <= 30:
            days = max(age, 1.0)
            ranked.append((-r["likes"] / days, -r["downloads"] / days, r["id"]))
    return [(repo_id, round(-likes, 6)) for likes, _, repo_id in sorted(ranked)]


@dataclass
class Catalog:
    served: Served
    arrival: dict[str, int]  # repo id -> the catalog's id, which grows with arrival


@pytest.fixture(scope="module")
def catalog(server_url, template_url):
    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        ingest(db, RECORDS)
        with db.session() as session:
            for observed_at, downloads, likes in HISTORY:
                session.execute(
                    text("""
                    INSERT INTO model_history (model_id, observed_at, downloads, likes)
                    SELECT id, :at, :downloads, :likes FROM models WHERE repo_id = 'acme/chat'"""),
                    {"at": observed_at, "downloads": downloads, "likes": likes},
                )
            arrival = {repo_id: id_ for repo_id, id_ in session.execute(text("SELECT repo_id, id FROM models"))}
            session.commit()
        db.dispose()
        with serve(url) as running:
            yield Catalog(running, arrival)


@pytest.fixture(scope="module")
def analyst(catalog) -> requests.Session:
    """A cookie-keeping client signed up over HTTP, as the dashboard's pages do."""
    browser = requests.Session()
    token = browser.get(catalog.served.url + API + "/auth/csrf", timeout=10).json()["data"]["csrf_token"]
    body = {"email": "ana@example.org", "password": PASSWORD}
    signed_up = browser.post(
        catalog.served.url + API + "/auth/signup", json=body, headers={CSRF_HEADER: token}, timeout=10
    )
    assert signed_up.status_code == 201, signed_up.text
    return browser


def change(catalog: Catalog, browser: requests.Session, method: str, path: str, body: dict) -> dict:
    headers = {CSRF_HEADER: browser.cookies[CSRF_COOKIE]}
    answer = browser.request(method, catalog.served.url + API + path, json=body, headers=headers, timeout=10)
    assert answer.ok, answer.text
    return answer.json()["data"]


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes  # as sent: no content coding undone


def get(url: str, **headers: str) -> Answer:
    """A GET by urllib, which undoes no compression (it asks `identity` unless told otherwise)."""
    request = urllib.request.Request(url, headers={name.replace("_", "-"): v for name, v in headers.items()})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return Answer(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as refused:  # 304 and 404 too
        return Answer(refused.code, refused.headers, refused.read())


def served_well(url: str) -> Answer:
    """The answer at `url`, checked on the wire: a body as long as its Content-Length, the same
    body gzipped when asked, and a 304 for each coding's own ETag."""
    plain = get(url, Accept_Encoding="identity")
    assert plain.status == 200 and plain.body
    assert int(plain.headers["Content-Length"]) == len(plain.body) and "Content-Encoding" not in plain.headers
    zipped = get(url, Accept_Encoding="gzip")
    assert zipped.status == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(zipped.body) < len(plain.body)
    assert gzip.decompress(zipped.body) == plain.body
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["Content-Type"] == plain.headers["Content-Type"]
    etags = {plain.headers["ETag"], zipped.headers["ETag"]}
    assert len(etags) == 2 and all(etags)  # one per content coding
    for coding, answer in (("identity", plain), ("gzip", zipped)):
        again = get(url, Accept_Encoding=coding, If_None_Match=answer.headers["ETag"])
        assert (again.status, again.body, again.headers["ETag"]) == (304, b"", answer.headers["ETag"])
    assert get(url, Accept_Encoding="gzip", If_None_Match='"another"').status == 200
    return plain


def refused(answer: Answer, status: int, code: str) -> None:
    assert answer.status == status and answer.headers["Content-Type"].startswith("application/json")
    error = json.loads(answer.body)["error"]
    assert error["code"] == code and set(error) == {"code", "message", "details"}


def test_a_saved_searchs_feed_is_served_to_a_reader_without_credentials(catalog, analyst):
    saved = change(catalog, analyst, "POST", "/me/searches", {"name": "acme chat", "query": SAVED_QUERY})
    assert saved["feed_url"].startswith(catalog.served.url + API + "/feeds/searches/")
    answer = served_well(saved["feed_url"])  # urllib keeps no cookie: the URL is the credential
    assert answer.headers["Content-Type"].startswith("application/atom+xml")
    assert answer.headers["Cache-Control"] == "private, no-store"
    feed = feedparser.parse(answer.body)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "acme chat · Model Catalog"
    newest_first = sorted(feed_matches(), key=catalog.arrival.__getitem__, reverse=True)
    assert [entry.title for entry in feed.entries] == newest_first
    assert all(entry.link == f"{catalog.served.url}/models/{entry.title}" for entry in feed.entries)


def test_a_revoked_or_unknown_feed_url_is_a_404_in_the_error_envelope(catalog, analyst):
    saved = change(catalog, analyst, "POST", "/me/searches", {"name": "to revoke", "query": SAVED_QUERY})
    assert get(saved["feed_url"]).status == 200
    renewed = change(catalog, analyst, "PATCH", f"/me/searches/{saved['id']}", {"new_feed_url": True})
    refused(get(saved["feed_url"]), 404, "FEED_NOT_FOUND")
    refused(get(catalog.served.url + API + "/feeds/searches/no-such-token"), 404, "FEED_NOT_FOUND")
    assert get(renewed["feed_url"]).status == 200


def test_a_models_history_is_served_as_recorded(catalog):
    answer = json.loads(served_well(catalog.served.url + API + "/models/ACME/Chat/history").body)
    points = [(datetime.fromisoformat(p["observed_at"]), p["downloads"], p["likes"]) for p in answer["data"]["points"]]
    assert answer["data"]["id"] == "acme/chat" and points == HISTORY
    assert answer["meta"]["count"] == len(HISTORY)
    unrecorded = get(catalog.served.url + API + "/models/lab/chat/history")
    assert json.loads(unrecorded.body)["data"] == {"id": "lab/chat", "points": []}
    refused(get(catalog.served.url + API + "/models/nobody/nothing/history"), 404, "MODEL_NOT_FOUND")


def test_trending_without_scores_is_likes_per_day_and_says_so(catalog):
    answer = json.loads(served_well(catalog.served.url + API + "/trending").body)
    ranked = [(m["id"], round(m["trend"]["score"], 6)) for m in answer["data"]]
    assert ranked == likes_per_day()
    assert ranked[:2] == [("acme/writer", 12.0), ("acme/chat", 10.0)]  # 300 likes in 25 days, 90 in 9
    assert {m["trend"]["basis"] for m in answer["data"]} == {"likes_per_day"}
    assert answer["meta"]["bases"] == {"likes_per_day": TREND_BASES["likes_per_day"]}


GRAPHQL_QUERY = (  # long enough an answer to be compressed
    "{ trending(first: 3) { id trend { basis } } "
    "models(first: 7) { totalCount nodes { id author pipelineTag downloads likes createdAt quality } } }"
)


def test_graphql_answers_through_gunicorn_by_post_and_by_get(catalog):
    url = catalog.served.url + "/api/graphql"
    posted = requests.post(url, json={"query": GRAPHQL_QUERY}, timeout=10)
    assert posted.status_code == 200 and int(posted.headers["Content-Length"]) == len(posted.content)
    found = posted.json()["data"]
    twin = requests.get(catalog.served.url + API + "/trending?limit=3", timeout=10).json()["data"]
    assert [model["id"] for model in found["trending"]] == [model["id"] for model in twin]
    assert {model["trend"]["basis"] for model in found["trending"]} == {"likes_per_day"}
    assert found["models"]["totalCount"] == len(RECORDS)
    by_get = served_well(url + "?" + urllib.parse.urlencode({"query": GRAPHQL_QUERY}))  # cacheable: gzip, ETag, 304
    assert json.loads(by_get.body)["data"] == found
    broken = requests.post(url, data="{", headers={"Content-Type": "application/json"}, timeout=10)
    assert broken.status_code == 400 and broken.json()["errors"][0]["extensions"]["code"] == "INVALID_QUERY"
    refused = requests.post(url, json={"query": GRAPHQL_QUERY}, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "INVALID_CREDENTIALS"


def test_graphiql_is_served_by_gunicorn_with_its_script_allowed_by_hash(catalog):
    from app.graphql import GRAPHIQL_SCRIPT_HASH

    page = requests.get(catalog.served.url + "/api/graphql", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert GRAPHIQL_SCRIPT_HASH in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store" and "/assets/vendor/graphiql/graphiql.min.js" in page.text
    script = requests.get(catalog.served.url + "/assets/vendor/graphiql/graphiql.min.js", timeout=10)
    assert script.status_code == 200 and len(script.content) > 1_000_000
