"""Webhooks of saved searches (#15): after an ingest, the new matches are POSTed to a receiver of
the test's own on 127.0.0.1, signed; failures are retried with backoff; an address off the
allow-list is refused when set and when sent; each attempt is in the owner's delivery log."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from app import webhooks as sender
from app.cli import main
from app.factory import create_app
from data.accounts import searches, webhooks
from data.accounts.keys import create_key
from data.accounts.users import create_user
from data.db import Database
from data.ingest.pipeline import ingest
from tests.hubserver import FakeHub
from tests.test_saved_searches import FIRST, QUERY, SECOND, matches, model_ids
from tests.test_sync import MODELS, hub_models

API = "/api/v1"


class Receiver:
    """An HTTP server that records each POST and answers the statuses it is given, then 200."""

    def __init__(self):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def hooked(settings, db, receiver):
    """An analyst's saved search over FIRST whose webhook points at the receiver."""
    settings = settings.model_copy(update={"webhook_hosts": (receiver.host,)})
    client = create_app(settings, db).test_client()
    with db.session() as session:
        key = create_key(session, create_user(session, "ana@example.org", None).id, "script")[1]
        session.commit()
    ingest(db, FIRST)
    bearer = {"Authorization": f"Bearer {key}"}
    search = client.post(f"{API}/me/searches", json={"name": "acme chat", "query": QUERY}, headers=bearer).json["data"]
    path = f"{API}/me/searches/{search['id']}"
    answer = client.patch(path, json={"webhook_url": f"http://{receiver.host}/hook"}, headers=bearer)
    assert answer.status_code == 200, answer.json
    return client, bearer, path, answer.json["data"], settings


def log_of(client, bearer, path) -> list[dict]:
    return client.get(f"{path}/deliveries", headers=bearer).json["data"]


def test_new_matches_are_posted_signed_after_an_ingest(db, receiver, hooked):
    client, bearer, path, search, settings = hooked
    assert search["webhook_url"].endswith("/hook") and len(search["webhook_secret"]) >= 32
    sender.dispatch(db, settings)
    assert receiver.received == []  # what matched when it was set is not sent

    ingest(db, SECOND)
    sender.dispatch(db, settings)
    ((headers, body),) = receiver.received
    expected = hmac.new(search["webhook_secret"].encode(), body, hashlib.sha256).hexdigest()
    assert headers[webhooks.SIGNATURE_HEADER] == f"sha256={expected}"
    sent = json.loads(body)
    assert sent["search"] == {"id": search["id"], "name": "acme chat", "query": QUERY}
    assert [m["id"] for m in sent["models"]] == model_ids(db, matches(SECOND, FIRST))
    assert sent["new_count"] == 2
    (delivery,) = log_of(client, bearer, path)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 1, 200)
    assert headers[webhooks.DELIVERY_HEADER] == str(delivery["id"])

    sender.dispatch(db, settings)  # nothing new since
    assert len(receiver.received) == 1


def test_a_failed_delivery_is_retried_on_its_backoff_with_the_same_body(db, receiver, hooked):
    client, bearer, path, search, settings = hooked
    ingest(db, SECOND)
    receiver.statuses = [500]
    sender.dispatch(db, settings)
    (delivery,) = log_of(client, bearer, path)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("pending", 1, "answered 500")
    due = datetime.fromisoformat(delivery["next_attempt_at"])
    assert timedelta(seconds=25) < due - datetime.now(UTC) <= webhooks.FIRST_RETRY

    sender.dispatch(db, settings, queue=False)  # not due yet
    assert len(receiver.received) == 1
    webhooks.deliver_due(db, settings.webhook_hosts, sender.post, now=due + timedelta(seconds=1))
    (first_headers, first_body), (headers, body) = receiver.received
    assert body == first_body and headers[webhooks.SIGNATURE_HEADER] == first_headers[webhooks.SIGNATURE_HEADER]
    (delivery,) = log_of(client, bearer, path)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 2)


def test_a_receiver_that_never_answers_well_fails_after_the_last_attempt(db, receiver, hooked):
    client, bearer, path, _, settings = hooked
    ingest(db, SECOND)
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    now = datetime.now(UTC)
    for _ in range(webhooks.MAX_ATTEMPTS):
        with db.session() as session:
            webhooks.queue_deliveries(session)
            session.commit()
        webhooks.deliver_due(db, settings.webhook_hosts, sender.post, now=now)
        now += timedelta(hours=1)
    (delivery,) = log_of(client, bearer, path)
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == (
        "failed",
        webhooks.MAX_ATTEMPTS,
        503,
    )
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://10.0.0.1/hook", "not on CATALOG_WEBHOOK_HOSTS"),
        ("http://169.254.169.254/latest/meta-data", "not on CATALOG_WEBHOOK_HOSTS"),
        ("http://localhost/hook", "not on CATALOG_WEBHOOK_HOSTS"),
        ("http://127.0.0.1:1/hook", "not on CATALOG_WEBHOOK_HOSTS"),  # the host, another port
        ("file:///etc/passwd", "http:// or https://"),
        ("http://user:pw@{host}/hook", "without credentials"),
        ("not a url", "http(s) URL"),
    ],
)
def test_a_url_off_the_allow_list_is_refused(receiver, hooked, url, reason):
    client, bearer, path, search, _ = hooked
    answer = client.patch(path, json={"webhook_url": url.format(host=receiver.host)}, headers=bearer)
    assert answer.status_code == 400
    assert (
        answer.json["error"]["details"]["field"] == "webhook_url"
        and reason in answer.json["error"]["details"]["reason"]
    )
    assert client.get(path, headers=bearer).json["data"]["webhook_url"] == search["webhook_url"]  # unchanged


def test_a_host_taken_off_the_list_is_not_called(db, receiver, hooked):
    client, bearer, path, _, settings = hooked
    ingest(db, SECOND)
    sender.dispatch(db, settings.model_copy(update={"webhook_hosts": ()}))
    assert receiver.received == []
    (delivery,) = log_of(client, bearer, path)
    assert delivery["status"] == "failed" and "not on CATALOG_WEBHOOK_HOSTS" in delivery["last_error"]


def test_removing_the_webhook_stops_it(db, receiver, hooked):
    client, bearer, path, _, settings = hooked
    answer = client.patch(path, json={"webhook_url": None}, headers=bearer).json["data"]
    assert answer["webhook_url"] is None and answer["webhook_secret"] is None
    ingest(db, SECOND)
    sender.dispatch(db, settings)
    assert receiver.received == [] and log_of(client, bearer, path) == []


def test_nobody_else_reads_the_delivery_log(settings, db, hooked):
    client, _, path, _, _ = hooked
    with db.session() as session:
        other = create_key(session, create_user(session, "bo@example.org", None).id, "x")[1]
        session.commit()
    answer = client.get(f"{path}/deliveries", headers={"Authorization": f"Bearer {other}"})
    assert answer.json["error"]["code"] == "SEARCH_NOT_FOUND"


def test_catalog_sync_posts_what_it_brought(fresh_database_url, receiver):
    """The command users run: `catalog sync --once` against a Hub on 127.0.0.1 sends the webhook."""
    db = Database.from_urls(fresh_database_url)
    with db.session() as session:
        user = create_user(session, "ana@example.org", None)
        search = searches.save_search(session, user.id, "acme", "author=acme")
        webhooks.set_webhook(session, user.id, search.id, f"http://{receiver.host}/hook", (receiver.host,))
        session.commit()
    db.dispose()
    with FakeHub(hub_models(), page_size=2) as hub:
        result = CliRunner().invoke(
            main,
            ["sync", "--once"],
            env={
                "CATALOG_DATABASE_URL": fresh_database_url,
                "HF_ENDPOINT": hub.url,
                "CATALOG_WEBHOOK_HOSTS": receiver.host,
            },
        )
    assert result.exit_code == 0, result.output
    ((_, body),) = receiver.received
    expected = sorted(repo_id for repo_id, *_ in MODELS if repo_id.startswith("acme/"))
    assert sorted(m["id"] for m in json.loads(body)["models"]) == expected
