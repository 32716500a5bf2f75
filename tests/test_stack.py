"""The stack as users deploy it: nginx in front of two app processes sharing PostgreSQL and
Redis, all on 127.0.0.1. Each test speaks for its own client (X-Forwarded-For from a public
address, as a load balancer in front of nginx would send), so rate-limit windows do not leak
between tests."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
import redis

from data.accounts import audit
from data.db import Database
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import start_stack

# A Redis database of its own: the stack test empties it first (its rate windows and cache).
REDIS_URL = os.environ.get("CATALOG_TEST_STACK_REDIS_URL", "redis://127.0.0.1:6379/14")
LIMIT = 20
KEY_LIMIT = 30  # per API key: over the per-address LIMIT, so an address-counted key would fail


def _missing() -> str | None:
    if not shutil.which("nginx"):
        return "nginx is not installed (apt-get install nginx)"
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return f"no Redis at {REDIS_URL}"
    return None


@pytest.fixture(scope="module")
def stack(server_url, template_url):
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the stack tests must run in CI: {reason}")
        pytest.skip(reason)
    from sqlalchemy import text

    from tests.conftest import TEMPLATE_DB, _admin, _database_url

    name = f"catalog_stack_{os.getpid()}"
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    url = _database_url(server_url, name)
    db = Database.from_urls(url)
    ingest(db, family_records())
    db.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()
    # Two trusted proxies: the tests play a load balancer in front of nginx, whose
    # X-Forwarded-For names each test's own client.
    running = start_stack(
        url,
        REDIS_URL,
        CATALOG_RATE_LIMIT=f"{LIMIT}/minute",
        CATALOG_KEY_RATE_LIMIT=f"{KEY_LIMIT}/minute",
        CATALOG_TRUSTED_PROXIES="2",
    )
    yield running
    running.stop()
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def call(stack, method: str, path: str, client: str, body: dict | None = None, **headers: str):
    """(status, headers, body) of a request through nginx, as `client`."""
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(
        stack.url + path, data=data, method=method, headers={"X-Forwarded-For": client, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get(stack, path: str, client: str, **headers: str):
    return call(stack, "GET", path, client, **headers)


def served_by(headers) -> str:
    return headers["X-Upstream"].split(",")[-1].strip()  # after a retry, the last one tried


def test_both_app_processes_serve(stack):
    seen = {served_by(get(stack, "/api/v1/health", "203.0.113.1")[1]) for _ in range(8)}
    assert seen == {f"127.0.0.1:{port}" for port in stack.app_ports}


def test_api_and_dashboard_through_nginx(stack):
    status, _, body = get(stack, "/api/v1/models?q=7b", "203.0.113.2")
    assert status == 200 and len(json.loads(body)["data"]) == 5
    status, headers, body = get(stack, "/models/acme/base-7b", "203.0.113.2")
    assert status == 200 and b"_dash-renderer" in body


def test_static_assets_are_served_by_nginx_with_a_year_of_cache(stack):
    status, headers, body = get(stack, "/assets/catalog.css", "203.0.113.3")
    assert status == 200 and "X-Upstream" not in headers  # nginx answered alone
    assert "max-age=31536000" in headers["Cache-Control"]
    assert body == (Path(__file__).parents[1] / "assets" / "catalog.css").read_bytes()


def test_dash_bundles_are_compressed_and_cached(stack):
    _, _, page = get(stack, "/", "203.0.113.4")
    bundle = re.search(rb'src="(/_dash-component-suites/[^"]+\.js[^"]*)"', page)[1].decode()
    status, headers, body = get(stack, bundle, "203.0.113.4", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body)
    assert "max-age=31536000" in headers["Cache-Control"]


def test_api_responses_are_compressed(stack):
    status, headers, body = get(stack, "/api/v1/models", "203.0.113.5", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["meta"]["total"] == 9


def test_the_rate_limit_is_shared_by_both_processes(stack):
    client = "203.0.113.6"
    answered = [get(stack, f"/api/v1/models?page={n + 1}", client) for n in range(LIMIT)]
    assert {status for status, _, _ in answered} == {200}
    assert len({served_by(headers) for _, headers, _ in answered}) == 2  # both counted
    refused = [get(stack, "/api/v1/models", client) for _ in range(2)]
    assert [status for status, _, _ in refused] == [429, 429]
    assert len({served_by(headers) for _, headers, _ in refused}) == 2  # refused by each
    assert int(refused[0][1]["Retry-After"]) > 0
    assert json.loads(refused[0][2])["error"]["code"] == "RATE_LIMITED"


def test_an_entry_cached_by_one_process_is_served_by_the_other(stack):
    path, client = "/api/v1/models?q=chat&per_page=7", "203.0.113.7"
    _, first, body = get(stack, path, client)
    assert first["X-Cache"] == "MISS"
    for _ in range(4):  # round robin: the next requests reach the other process
        _, headers, again = get(stack, path, client)
        if served_by(headers) != served_by(first):
            break
    assert served_by(headers) != served_by(first)
    assert headers["X-Cache"] == "HIT" and again == body


def test_a_scheduled_sync_updates_catalog_history_and_metrics_while_reads_go_on(stack):
    import subprocess
    import sys
    import threading

    from sqlalchemy import text

    from tests.hubserver import FakeHub

    records = family_records()
    records[1]["downloads"] += 5_000  # lab/base-7b-chat gained downloads
    records.append(
        {
            "id": "new/arrival-7b",
            "modelId": "new/arrival-7b",
            "downloads": 77,
            "likes": 1,
            "tags": ["gguf"],
            "createdAt": "2025-02-01T00:00:00.000Z",
            "lastModified": "2025-02-01T00:00:00.000Z",
        }
    )
    statuses, stop = [], threading.Event()

    def read_on():  # as many readers (each under the rate limit) as it takes
        while not stop.is_set():
            reader_address = f"198.51.100.{len(statuses) // (LIMIT - 1) + 1}"
            statuses.append(get(stack, f"/api/v1/models?q=base&page={len(statuses) % 10_000 + 1}", reader_address)[0])

    reader = threading.Thread(target=read_on)
    with FakeHub(records, page_size=3) as hub:
        reader.start()
        environment = os.environ | {
            "CATALOG_DATABASE_URL": stack.database_url,
            "HF_ENDPOINT": hub.url,
            "CATALOG_LOG_LEVEL": "WARNING",
        }
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "sync", "--once", "--top", "20"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        stop.set()
        reader.join()
    assert done.returncode == 0, done.stdout + done.stderr
    assert statuses and set(statuses) == {200}  # reads went on, through nginx, during the sync
    status, _, body = get(stack, "/api/v1/models/new/arrival-7b", "203.0.113.9")
    assert status == 200 and json.loads(body)["data"]["downloads"] == 77
    db = Database.from_urls(stack.database_url)
    with db.session(read_only=True) as session:
        history = dict(
            session.execute(
                text("SELECT m.repo_id, h.downloads FROM model_history h JOIN models m ON m.id = h.model_id")
            ).all()
        )
    db.dispose()
    assert history["lab/base-7b-chat"] == records[1]["downloads"]
    _, _, metrics = get(stack, "/metrics", "203.0.113.9")
    figures = dict(
        line.rsplit(" ", 1)
        for line in metrics.decode().splitlines()
        if line.startswith(("catalog_models ", "catalog_last_sync_timestamp_seconds "))
    )
    assert float(figures["catalog_models"]) == 10
    assert float(figures["catalog_last_sync_timestamp_seconds"]) > 0


PASSWORD = "a stack test password"


class Browser:
    """A client through nginx that keeps its cookies (sent whether Secure or not: it plays the
    TLS balancer too) and sends the CSRF token on what it changes."""

    def __init__(self, stack, client: str, **headers: str):
        self.stack, self.client, self.headers = stack, client, headers
        self.cookies: dict[str, str] = {}
        self.set_cookies: dict[str, str] = {}  # the last Set-Cookie header of each name

    def call(self, method: str, path: str, body: dict | None = None):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if "_csrf_token" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["_csrf_token"]
        status, answer, data = call(self.stack, method, path, self.client, body, **headers)
        for header in answer.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name], self.set_cookies[name] = morsel.value, header
        return status, answer, data

    def enter(self, email: str, how: str = "login"):
        """Sign up or sign in: (status, the answer's data)."""
        self.call("GET", "/api/v1/auth/csrf")
        status, _, body = self.call("POST", f"/api/v1/auth/{how}", {"email": email, "password": PASSWORD})
        return status, json.loads(body).get("data")

    def new_key(self, name: str) -> dict:
        status, _, body = self.call("POST", "/api/v1/me/keys", {"name": name})
        assert status == 201, body
        return json.loads(body)["data"]


def cli_user(stack, email: str, *flags: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli", "users", "create", email, *flags],
        env=os.environ | {"CATALOG_DATABASE_URL": stack.database_url, "CATALOG_LOG_LEVEL": "WARNING"},
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        timeout=60,
        check=True,
    )


def me(answer) -> dict:
    return json.loads(answer[2])["data"]


def test_a_user_made_by_the_cli_signs_in_through_nginx_and_both_processes_know_the_session(stack):
    cli_user(stack, "cli@example.com", "--admin")
    browser = Browser(stack, "203.0.113.20")
    status, signed_in = browser.enter("cli@example.com")
    assert status == 200 and signed_in["role"] == "admin"
    cookie = browser.set_cookies["catalog_session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http
    answers = [browser.call("GET", "/api/v1/me") for _ in range(6)]
    assert {(me(a)["email"], me(a)["authenticated_by"]) for a in answers} == {("cli@example.com", "session")}
    assert len({served_by(headers) for _, headers, _ in answers}) == 2  # one secret key for both


def test_behind_a_tls_balancer_the_cookies_are_secure(stack):
    cli_user(stack, "tls@example.com")
    browser = Browser(stack, "203.0.113.21", **{"X-Forwarded-Proto": "https"})
    assert browser.enter("tls@example.com")[0] == 200
    assert "Secure" in browser.set_cookies["catalog_session"] and "Secure" in browser.set_cookies["_csrf_token"]
    assert me(browser.call("GET", "/api/v1/me"))["email"] == "tls@example.com"


def test_a_new_users_key_works_on_both_processes_up_to_its_own_shared_limit(stack):
    address = "203.0.113.22"
    browser = Browser(stack, address)
    status, account = browser.enter("new@example.com", "signup")
    assert status == 201
    key = browser.new_key("limit test")
    bearer = {"Authorization": f"Bearer {key['key']}"}
    keyed, anonymous = [], []
    for n in range(KEY_LIMIT):  # more than the address may make: the key's requests are not the address's
        keyed.append(get(stack, f"/api/v1/models?per_page=1&page={n + 1}", address, **bearer))
        if n % 3 == 0:  # the same address without the key, meanwhile
            anonymous.append(get(stack, f"/api/v1/models?per_page=1&page={n + 1}", address))
    assert [status for status, _, _ in keyed] == [200] * KEY_LIMIT
    assert {headers["X-RateLimit-Limit"] for _, headers, _ in keyed} == {str(KEY_LIMIT)}
    assert len({served_by(headers) for _, headers, _ in keyed}) == 2  # both counted in one budget
    refused = [get(stack, "/api/v1/models?per_page=1", address, **bearer) for _ in range(2)]
    assert [status for status, _, _ in refused] == [429, 429]
    assert len({served_by(headers) for _, headers, _ in refused}) == 2  # refused by each
    error = json.loads(refused[0][2])["error"]
    assert error["code"] == "RATE_LIMITED" and error["details"]["limit"] == KEY_LIMIT
    anonymous.append(get(stack, "/api/v1/models?per_page=1", address))  # after the key ran out
    assert [status for status, _, _ in anonymous] == [200] * len(anonymous)
    assert {headers["X-RateLimit-Limit"] for _, headers, _ in anonymous} == {str(LIMIT)}

    db = Database.from_urls(stack.database_url)  # what an admin's audit log shows of it
    with db.session(read_only=True) as session:
        entries = audit.entries(session, audit.AuditFilter(actor_email="new@example.com"))
        done = [(entry.action, entry.target_id, entry.address) for entry in reversed(entries)]
        logged = json.dumps([audit.as_dict(entry) for entry in entries])
    db.dispose()
    assert done == [
        ("auth.signup", str(account["id"]), address),
        ("key.create", str(key["id"]), address),
        ("key.rate_limited", str(key["id"]), address),  # once, though both processes refused it
    ]
    assert key["key"] not in logged and PASSWORD not in logged


def test_a_token_made_on_one_process_works_on_the_other(stack):
    address = "203.0.113.23"
    browser = Browser(stack, address)
    assert browser.enter("token@example.com", "signup")[0] == 201
    key = browser.new_key("token test")
    status, made, body = call(stack, "POST", "/api/v1/auth/token", address, Authorization=f"Bearer {key['key']}")
    assert status == 200, body
    token = json.loads(body)["data"]["token"]
    for _ in range(4):  # round robin: the next requests reach the other process
        answer = get(stack, "/api/v1/me", address, Authorization=f"Bearer {token}")
        if served_by(answer[1]) != served_by(made):
            break
    assert served_by(answer[1]) != served_by(made) and answer[0] == 200
    assert (me(answer)["email"], me(answer)["authenticated_by"], me(answer)["key_id"]) == (
        "token@example.com",
        "token",
        key["id"],
    )


def test_killing_an_app_process_loses_no_request(stack):  # last: it takes a process away
    stack.kill_app(0)
    answers = [get(stack, f"/api/v1/models?q=base&page={n + 1}", "203.0.113.8") for n in range(12)]
    assert [status for status, _, _ in answers] == [200] * 12
    assert {served_by(headers) for _, headers, _ in answers} == {f"127.0.0.1:{stack.app_ports[1]}"}
