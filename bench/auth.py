"""What authentication costs a request: anonymous vs an API key vs a token vs a session cookie.

    .venv/bin/python bench/auth.py [--server-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--requests 300] [--models 2000] [--users 20] [--no-serve]

Makes a throw-away database (migrated, `--models` synthetic models, `--users` accounts with two
keys each; dropped at the end: the audit log is append-only, so no one's catalog gets the
bench's accounts), then times GET /api/v1/models?per_page=1 and GET /api/v1/me per way of
authenticating, interleaved (one request of each way in turn, so load on the machine hits all
alike): in-process through the Flask test client, and through a real `catalog serve` (one
gunicorn worker, one kept-alive connection) unless --no-serve. Rate limits are off. Also
argon2id's hash and verify time (a sign-in pays one verify).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/stack.py starts servers as the tests do

from app.factory import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from data import migrate  # noqa: E402
from data.accounts.keys import create_key  # noqa: E402
from data.accounts.passwords import hash_password, verify_password  # noqa: E402
from data.accounts.users import create_user  # noqa: E402
from data.db import Database, normalise_url  # noqa: E402
from data.ingest import synthetic  # noqa: E402
from data.ingest.pipeline import ingest  # noqa: E402
from tests.stack import free_port, start_app, wait_until_up  # noqa: E402

SECRET_KEY = "bench-auth-secret-key-not-for-production-0123456789"
PASSWORD = "bench password 0123"
PATHS = ("/api/v1/models?per_page=1", "/api/v1/me")
WAYS = ("anonymous", "key", "token", "session")
Request = Callable[[str], tuple[int, str]]  # path → (status, X-Cache)


def make_database(server_url: str, models: int, users: int) -> str:
    admin = create_engine(normalise_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    name = f"catalog_bench_auth_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = normalise_url(server_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    db = Database.from_urls(url)
    ingest(db, synthetic.generate(models, 0))
    with db.session() as session:
        for number in range(users):
            user = create_user(session, f"user{number}@bench.example", PASSWORD)
            for key_number in range(2):
                create_key(session, user.id, f"key {key_number}")
        session.commit()
    db.dispose()
    return url


def drop_database(server_url: str, url: str) -> None:
    admin = create_engine(normalise_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {normalise_url(url).database} WITH (FORCE)"))


def bench_user(url: str) -> tuple[str, str]:
    """A fresh account with one key: (its email, the key)."""
    db = Database.from_urls(url)
    with db.session() as session:
        user = create_user(session, f"bench{time.monotonic_ns()}@bench.example", PASSWORD)
        _, key = create_key(session, user.id, "bench")
        session.commit()
        email = user.email
    db.dispose()
    return email, key


def in_process(url: str, email: str, key: str) -> dict[str, Request]:
    """One Flask test client per way (the session's keeps its cookies)."""
    settings = Settings(database_url=url, secret_key=SECRET_KEY, rate_limit="off", key_rate_limit="off")
    app = create_app(settings)
    clients = {way: app.test_client() for way in WAYS}
    token = clients["token"].post("/api/v1/auth/token", headers={"Authorization": f"Bearer {key}"}).json["data"]
    session = clients["session"]
    csrf = session.get("/api/v1/auth/csrf").json["data"]["csrf_token"]
    signed_in = session.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"X-CSRFToken": csrf}
    )
    assert signed_in.status_code == 200, signed_in.json
    headers = {
        "anonymous": {},
        "key": {"Authorization": f"Bearer {key}"},
        "token": {"Authorization": f"Bearer {token['token']}"},
        "session": {},  # the client's cookie
    }

    def request(way: str) -> Request:
        def get(path: str) -> tuple[int, str]:
            answer = clients[way].get(path, headers=headers[way])
            return answer.status_code, answer.headers.get("X-Cache", "-")

        return get

    return {way: request(way) for way in WAYS}


class Served:
    """`catalog serve --workers 1` over the bench database, and a kept-alive connection per way."""

    def __init__(self, url: str):
        self.port = free_port()
        self.log = Path(tempfile.mkdtemp(prefix="catalog-bench-auth-")) / "server.log"
        environment = {
            "CATALOG_DATABASE_URL": url,
            "CATALOG_SECRET_KEY": SECRET_KEY,
            "CATALOG_LOG_LEVEL": "WARNING",
            "CATALOG_RATE_LIMIT": "off",
            "CATALOG_KEY_RATE_LIMIT": "off",
        }
        self.process = start_app(self.port, environment, self.log)
        wait_until_up(f"http://127.0.0.1:{self.port}/api/v1/health", self.process, output=self.log.read_text)

    def call(self, connection: http.client.HTTPConnection, method: str, path: str, body=None, **headers):
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response, response.read()

    def requests(self, email: str, key: str) -> dict[str, Request]:
        connections = {way: http.client.HTTPConnection("127.0.0.1", self.port, timeout=30) for way in WAYS}
        _, body = self.call(connections["token"], "POST", "/api/v1/auth/token", Authorization=f"Bearer {key}")
        token = json.loads(body)["data"]["token"]
        session = connections["session"]
        _, body = self.call(session, "GET", "/api/v1/auth/csrf")
        csrf = json.loads(body)["data"]["csrf_token"]
        credentials = {"email": email, "password": PASSWORD}
        csrf_headers = {"Cookie": f"_csrf_token={csrf}", "X-CSRFToken": csrf}
        response, body = self.call(session, "POST", "/api/v1/auth/login", credentials, **csrf_headers)
        assert response.status == 200, body
        cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
        headers = {
            "anonymous": {},
            "key": {"Authorization": f"Bearer {key}"},
            "token": {"Authorization": f"Bearer {token}"},
            "session": {"Cookie": "; ".join(cookies)},
        }

        def request(way: str) -> Request:
            def get(path: str) -> tuple[int, str]:
                response, _ = self.call(connections[way], "GET", path, **headers[way])
                return response.status, response.headers.get("X-Cache", "-")

            return get

        return {way: request(way) for way in WAYS}

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)


def measure(ways: dict[str, Request], path: str, count: int) -> tuple[dict[str, list[float]], dict[str, Counter]]:
    """Milliseconds per way, one request of each way in turn, after a warm-up of 20 each; and
    how the response cache answered them (X-Cache)."""
    times: dict[str, list[float]] = {way: [] for way in ways}
    caching: dict[str, Counter] = {way: Counter() for way in ways}
    for round_number in range(count + 20):
        for way, request in ways.items():
            started = time.perf_counter()
            status, cache = request(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert status == 200, (way, path, status)
            if round_number >= 20:
                times[way].append(elapsed)
                caching[way][cache] += 1
    return times, caching


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def report(where: str, ways: dict[str, Request], count: int) -> None:
    for path in PATHS:
        times, caching = measure(ways, path, count)
        base = statistics.median(times["anonymous"])
        print(f"\n{where}: GET {path}  ({count} requests per way)")
        print(f"  {'way':<10} {'median ms':>10} {'p95 ms':>8} {'median - anonymous':>19}  X-Cache")
        for way, values in times.items():
            median = statistics.median(values)
            cache = ", ".join(f"{name} {n}" for name, n in sorted(caching[way].items()))
            print(f"  {way:<10} {median:>10.2f} {p95(values):>8.2f} {median - base:>+19.2f}  {cache}")


def argon2_times(runs: int = 20) -> None:
    hashes, verifies = [], []
    for _ in range(runs):
        started = time.perf_counter()
        stored = hash_password(PASSWORD)
        hashes.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert verify_password(stored, PASSWORD)
        verifies.append((time.perf_counter() - started) * 1000)
    print(f"\nargon2id ({runs} runs): hash median {statistics.median(hashes):.1f} ms, p95 {p95(hashes):.1f} ms;")
    print(f"  verify median {statistics.median(verifies):.1f} ms, p95 {p95(verifies):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per way and path")
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--no-serve", action="store_true", help="in-process only")
    args = parser.parse_args()
    url = make_database(args.server_url, args.models, args.users)
    try:
        print(f"database: {args.models} synthetic models, {args.users + 2} users, {2 * args.users + 2} keys")
        report("in-process (Flask test client)", in_process(url, *bench_user(url)), args.requests)
        if not args.no_serve:
            served = Served(url)
            try:
                ways = served.requests(*bench_user(url))
                report("catalog serve (1 gunicorn worker, keep-alive)", ways, args.requests)
            finally:
                served.stop()
        argon2_times()
    finally:
        drop_database(args.server_url, url)


if __name__ == "__main__":
    main()
