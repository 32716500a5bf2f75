"""Failing parts, with real processes on 127.0.0.1: PostgreSQL stopped under traffic, a read
replica that streams from its primary and goes away, a statement timeout, Redis stopped, and a
`catalog sync` killed with SIGKILL. The clusters these tests stop are their own (tests/replica.py),
never the machine's server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from app.api.database_errors import RETRY_AFTER_SECONDS, is_database_failure
from app.api.redis_guard import PAUSE_AFTER_FAILURE_SECONDS
from app.factory import open_database
from app.settings import Settings
from components.pages import TRENDING_RESULTS, TRENDING_TASKS
from data import migrate
from data.db import REPLICA_RETRY_SECONDS, Database
from data.ingest.pipeline import ingest
from data.ingest.synthetic import generate
from data.meta import HIGH_WATER_MARK, read_state
from tests import replica as clusters_module
from tests.catalog_state import catalog_state, consistency_problems
from tests.family import family_records
from tests.hubserver import FakeHub
from tests.replica import Clusters, wait_for_replay
from tests.served import serve
from tests.stack import TEST_SECRET_KEY, free_port, start_stack

CATALOG = "catalog"
OUTAGE_ANSWER_SECONDS = 1.0  # the bound for an answer while PostgreSQL is down


# --- helpers ----------------------------------------------------------------------------------


def fetch(url: str, body: dict | None = None, timeout: float = 15) -> tuple[int, dict, dict | None, float]:
    """(status, headers, JSON body or None, seconds) of a GET, or of a POST of `body`."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    elapsed = time.monotonic() - started
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    return status, dict(headers), parsed, elapsed


def error_code(answer) -> str | None:
    body = answer[2]
    return body["error"]["code"] if isinstance(body, dict) and "error" in body else None


def trending_callback() -> dict:
    """The request the dashboard's trending page sends for its results."""
    return {
        "output": f"{TRENDING_RESULTS}.children",
        "outputs": {"id": TRENDING_RESULTS, "property": "children"},
        "inputs": [{"id": TRENDING_TASKS, "property": "value", "value": []}],
        "changedPropIds": [f"{TRENDING_TASKS}.value"],
        "state": [],
    }


def add_model(database_url: str, repo_id: str) -> None:
    db = Database.from_urls(database_url)
    try:
        ingest(
            db,
            [
                {
                    "id": repo_id,
                    "modelId": repo_id,
                    "downloads": 3,
                    "likes": 0,
                    "tags": ["gguf"],
                    "createdAt": "2025-03-01T00:00:00.000Z",
                    "lastModified": "2025-03-01T00:00:00.000Z",
                }
            ],
        )
    finally:
        db.dispose()


def fill(database_url: str) -> None:
    db = Database.from_urls(database_url)
    try:
        ingest(db, family_records())
    finally:
        db.dispose()


# --- clusters of our own ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def clusters():
    """A primary with a migrated, filled catalog and a hot standby streaming from it."""
    reason = clusters_module.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the fault tests must run in CI: {reason}")
        pytest.skip(reason)
    made = Clusters()
    try:
        primary = made.primary()
        primary.execute(f"CREATE DATABASE {CATALOG}")
        migrate.upgrade(primary.url(CATALOG))
        fill(primary.url(CATALOG))
        standby = made.replica_of(primary)
        wait_for_replay(primary, standby)
        yield primary, standby
    finally:
        made.remove()


def test_reads_go_to_the_replica_and_to_the_primary_while_it_is_down(clusters):
    primary, standby = clusters
    assert standby.execute("SELECT pg_is_in_recovery()") == [(True,)]
    with serve(primary.url(CATALOG), CATALOG_READ_DATABASE_URL=standby.url(CATALOG)) as app:
        # Replay paused, a model only the primary has: the app not finding it reads the replica.
        standby.execute("SELECT pg_wal_replay_pause()")
        add_model(primary.url(CATALOG), "late/first")
        assert fetch(f"{app.url}/api/v1/models/late/first")[0] == 404
        assert fetch(f"{app.url}/api/v1/models/acme/base-7b")[0] == 200

        standby.stop()
        paths = [
            "/api/v1/models/late/first",
            "/api/v1/models?q=base",
            "/api/v1/stats",
            "/api/v1/health",
            "/api/v1/models/acme/base-7b/ancestry",
        ] * 2
        answers = [fetch(app.url + path) for path in paths]
        assert [answer[0] for answer in answers] == [200] * len(paths)  # the primary answered
        assert max(answer[3] for answer in answers) < OUTAGE_ANSWER_SECONDS
        assert fetch(app.url + "/_dash-update-component", trending_callback())[0] == 200

        standby.start()
        standby.execute("SELECT pg_wal_replay_pause()")
        add_model(primary.url(CATALOG), "late/second")
        time.sleep(REPLICA_RETRY_SECONDS + 0.5)
        assert fetch(f"{app.url}/api/v1/models/late/second")[0] == 404  # the replica's view again
        standby.execute("SELECT pg_wal_replay_resume()")
        wait_for_replay(primary, standby)
        assert fetch(f"{app.url}/api/v1/models/late/second")[0] == 200


def test_postgresql_stopped_under_traffic_is_a_quick_503_and_the_app_recovers(clusters):
    primary, _ = clusters
    with serve(primary.url(CATALOG)) as app:
        answers: list[tuple[float, tuple]] = []
        stop = threading.Event()

        def traffic(client: int) -> None:
            for n in range(10**6):
                if stop.is_set():
                    return
                # A new query string each time: no cached answer hides the database.
                sent_at = time.monotonic()
                answers.append((sent_at, fetch(f"{app.url}/api/v1/models?q=base&min_downloads={client * 10**6 + n}")))

        clients = [threading.Thread(target=traffic, args=(client,)) for client in range(3)]
        for client in clients:
            client.start()
        try:
            time.sleep(1)
            primary.stop()
            stopped_at = time.monotonic()
            time.sleep(1.5)
            during = [
                fetch(app.url + "/api/v1/health"),
                fetch(app.url + "/_dash-update-component", trending_callback()),
            ]
            restarting_at = time.monotonic()  # the server may answer before start() returns
            primary.start()
            started_at = time.monotonic()
            deadline = started_at + 15
            while time.monotonic() < deadline and not any(t > started_at and a[0] == 200 for t, a in answers):
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop.set()
            for client in clients:
                client.join()
        assert app.alive()  # the same process served throughout

    outage = [answer for at, answer in answers if stopped_at < at < restarting_at] + during
    assert len(outage) >= 5
    assert {(answer[0], error_code(answer)) for answer in outage} == {(503, "DATABASE_UNAVAILABLE")}, [
        (answer[0], str(answer[2])[:200]) for answer in outage if answer[0] != 503
    ]
    assert all(answer[1]["Retry-After"] == str(RETRY_AFTER_SECONDS) for answer in outage)
    assert max(answer[3] for answer in outage) < OUTAGE_ANSWER_SECONDS, sorted(a[3] for a in outage)
    assert {answer[0] for _, answer in answers} <= {200, 503}  # never a 500
    recovered = [answer for at, answer in answers if at > started_at]
    assert recovered and recovered[-1][0] == 200


# --- the statement timeout --------------------------------------------------------------------


def test_a_query_over_the_statement_timeout_is_cancelled_with_a_503(fresh_database_url):
    fill(fresh_database_url)
    locker = Database.from_urls(fresh_database_url)
    with serve(fresh_database_url, CATALOG_STATEMENT_TIMEOUT_MS="300") as app:
        with locker.session() as session:  # a lock held elsewhere: the app's query waits on it
            session.execute(text("LOCK TABLE models IN ACCESS EXCLUSIVE MODE"))
            search = fetch(f"{app.url}/api/v1/models?q=base")
            callback = fetch(app.url + "/_dash-update-component", trending_callback())
        after = fetch(f"{app.url}/api/v1/models?q=base")
    locker.dispose()
    assert (search[0], error_code(search)) == (503, "QUERY_TIMEOUT")
    assert search[2]["error"]["details"] == {"statement_timeout_ms": 300}
    assert search[1]["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert search[3] < 2
    assert (callback[0], error_code(callback)) == (503, "QUERY_TIMEOUT")
    assert after[0] == 200 and after[2]["data"]  # the lock gone, the same search answers


def test_requests_have_the_statement_timeout_and_jobs_do_not(shared_url):
    settings = Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, statement_timeout_ms=1234)
    for for_requests, expected in [(True, "1234ms"), (False, "0")]:
        db = open_database(settings, for_requests=for_requests)
        try:
            with db.session() as session, db.session(read_only=True) as reading:
                shown = [s.execute(text("SHOW statement_timeout")).scalar_one() for s in (session, reading)]
        finally:
            db.dispose()
        assert shown == [expected, expected]


def raised(db: Database, sql: str, parameters: dict | None = None) -> Exception:
    try:
        with db.session() as session:
            session.execute(text(sql), parameters or {})
    except Exception as error:  # noqa: BLE001  the error is what is tested
        return error
    raise AssertionError(f"{sql[:60]} did not fail")


def test_database_failures_are_told_from_bad_requests_and_bugs(shared_url):
    db = Database.from_urls(shared_url, statement_timeout_ms=50)
    many = {f"p{n}": n for n in range(70_000)}  # more bind parameters than the protocol carries
    try:
        assert is_database_failure(raised(Database.from_urls("postgresql://nobody@127.0.0.1:1/none"), "SELECT 1"))
        assert is_database_failure(raised(db, "SELECT pg_sleep(1)"))  # the statement timeout
        assert not is_database_failure(raised(db, "SELECT " + ",".join(f":{name}" for name in many), many))
        assert not is_database_failure(raised(db, "SELECT nonsense FROM nowhere"))  # a bug
        assert not is_database_failure(raised(db, "SELECT 1 / 0"))  # a value PostgreSQL refuses
        engine = db.bind
        held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
        try:
            assert is_database_failure(raised(db, "SELECT 1"))  # no pooled connection came free
        finally:
            for connection in held:
                connection.close()
    finally:
        db.dispose()


# --- Redis stopped ----------------------------------------------------------------------------


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        import redis

        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.RedisError:
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def cache_states(base: str, path: str, times: int) -> list[tuple[int, str | None, float]]:
    return [(a[0], a[1].get("X-Cache"), a[3]) for a in (fetch(base + path) for _ in range(times))]


def test_redis_stopped_the_api_serves_on_without_cache_then_uses_it_again(fresh_database_url):
    import shutil

    if not shutil.which("redis-server") or not shutil.which("nginx"):
        if os.environ.get("CI"):
            pytest.fail("redis-server and nginx must be installed in CI")
        pytest.skip("redis-server or nginx is not installed")
    fill(fresh_database_url)
    port = free_port()
    with redis_server(port) as first:
        stack = start_stack(fresh_database_url, f"redis://127.0.0.1:{port}/0", CATALOG_RATE_LIMIT="1000/minute")
        try:
            assert [state for _, state, _ in cache_states(stack.url, "/api/v1/models?q=chat", 3)] == [
                "MISS",
                "HIT",
                "HIT",
            ]  # shared: whichever process answers
            first.terminate()
            first.wait(10)
            bases = [stack.url] + [f"http://127.0.0.1:{app_port}" for app_port in stack.app_ports]
            without = [state for base in bases for state in cache_states(base, "/api/v1/models?q=7b", 4)]
            with redis_server(port):
                time.sleep(PAUSE_AFTER_FAILURE_SECONDS + 0.5)
                again = cache_states(stack.url, "/api/v1/models?q=lora", 3)
        finally:
            stack.stop()
    assert {(status, state) for status, state, _ in without} == {(200, "MISS")}  # no cache, no error
    assert max(seconds for _, _, seconds in without) < 1
    assert [(status, state) for status, state, _ in again] == [(200, "MISS"), (200, "HIT"), (200, "HIT")]


# --- catalog sync killed ----------------------------------------------------------------------

SYNC_MODELS = 6_000  # more than one ingestion batch (5,000), so a kill can fall between batches
PAGE = 500


def sync_command(database_url: str, hub: FakeHub) -> subprocess.Popen:
    environment = os.environ | {
        "CATALOG_DATABASE_URL": database_url,
        "HF_ENDPOINT": hub.url,
        "CATALOG_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sync", "--once", "--top", "200"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stored(db: Database) -> int:
    with db.session() as session:
        return session.execute(text("SELECT count(*) FROM models")).scalar_one()


def history(db: Database) -> list[tuple]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT m.repo_id, h.downloads, h.likes FROM model_history h JOIN models m ON m.id = h.model_id "
                    "ORDER BY 1"
                )
            )
        ]


def test_a_sync_killed_mid_run_is_completed_by_the_next_with_nothing_lost_or_doubled(make_database):
    interrupted_url, clean_url = make_database(), make_database()
    interrupted, clean = Database.from_urls(interrupted_url), Database.from_urls(clean_url)
    with FakeHub(list(generate(SYNC_MODELS, seed=5)), page_size=PAGE) as hub:
        hub.delay_next(0, times=5_000 // PAGE)
        hub.delay_next(5, times=1)  # the page after the first batch: time to kill the run there
        process = sync_command(interrupted_url, hub)
        deadline = time.monotonic() + 120
        while stored(interrupted) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the sync ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert 0 < stored(interrupted) < SYNC_MODELS
        assert history(interrupted) == [] and read_state(interrupted, HIGH_WATER_MARK) is None

        for url in (interrupted_url, clean_url):
            rerun = sync_command(url, hub)
            output = rerun.communicate(timeout=300)[0].decode()
            assert rerun.returncode == 0, output
    try:
        assert catalog_state(interrupted) == catalog_state(clean)
        assert history(interrupted) == history(clean)
        assert len(history(interrupted)) == len({row[0] for row in history(interrupted)}) == SYNC_MODELS
        assert read_state(interrupted, HIGH_WATER_MARK) == read_state(clean, HIGH_WATER_MARK) is not None
        assert consistency_problems(interrupted) == {}
    finally:
        interrupted.dispose(), clean.dispose()
