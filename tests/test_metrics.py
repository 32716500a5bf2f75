"""/metrics: Prometheus text from the app, in-process and across gunicorn workers."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from data.ingest.state import write_state
from data.meta import LAST_SYNC_AT
from tests.factories import add_models
from tests.stack import TEST_SECRET_KEY, wait_until_up

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


def scrape(client) -> dict[tuple[str, frozenset], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return parse(response.get_data(as_text=True))


def parse(body: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, frozenset of label items): value} of every sample."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_requests_are_counted_by_url_rule_method_and_status(client):
    for _ in range(3):
        client.get("/api/v1/health")
    client.get("/api/v1/models/nobody/nothing")
    client.get("/api/v1/models/someone/else")
    client.get("/api/v1/no-such-route")
    samples = scrape(client)
    count = "catalog_http_requests_total"
    assert value(samples, count, route="/api/v1/health", method="GET", status="200") == 3
    # The rule, not the raw path: two model ids make one series.
    assert value(samples, count, route="/api/v1/models/<path:repo_id>", method="GET", status="404") == 2
    assert value(samples, count, route="/api/v1/<path:path>", method="GET", status="404") == 1
    assert not any("nobody" in str(labels) for _, labels in samples)


def test_request_durations_are_a_histogram_per_route(client):
    client.get("/api/v1/health")
    client.get("/api/v1/health")
    samples = scrape(client)
    labels = {"route": "/api/v1/health", "method": "GET"}
    name = "catalog_http_request_duration_seconds"
    assert value(samples, name + "_count", **labels) == 2
    assert value(samples, name + "_bucket", le="+Inf", **labels) == 2
    assert 0 < value(samples, name + "_sum", **labels) < 10
    assert value(samples, name + "_bucket", le="0.005", **labels) <= 2


def test_dashboard_routes_are_labelled_by_their_rule(client):
    client.get("/")
    client.post("/_dash-update-component", json={})
    samples = scrape(client)
    routes = {dict(labels).get("route") for name, labels in samples if name == "catalog_http_requests_total"}
    assert "/" in routes
    assert "/_dash-update-component" in routes


def test_database_statements_are_timed(client):
    before = value(scrape(client), "catalog_db_query_duration_seconds_count", role="primary") or 0
    client.get("/api/v1/health")  # one SELECT 1
    client.get("/api/v1/stats")
    samples = scrape(client)
    after = value(samples, "catalog_db_query_duration_seconds_count", role="primary")
    assert after >= before + 2
    assert value(samples, "catalog_db_query_duration_seconds_sum", role="primary") > 0


def test_cache_hits_and_misses_are_counted(client):
    client.get("/api/v1/stats")
    client.get("/api/v1/stats")
    client.get("/api/v1/stats")
    client.get("/api/v1/trending")
    samples = scrape(client)
    assert value(samples, "catalog_cache_requests_total", result="miss") == 2
    assert value(samples, "catalog_cache_requests_total", result="hit") == 2


def test_catalog_size_comes_from_facet_counts(client, db):
    add_models(db, "a/one", "a/two", "b/three")
    with db.session() as session:
        session.execute(text("REFRESH MATERIALIZED VIEW facet_counts"))
        session.commit()
    assert value(scrape(client), "catalog_models") == 3


def test_last_sync_time_is_exposed_once_a_sync_has_run(client, db):
    assert value(scrape(client), "catalog_last_sync_timestamp_seconds") is None
    synced = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    write_state(db, LAST_SYNC_AT, synced)
    assert value(scrape(client), "catalog_last_sync_timestamp_seconds") == synced.timestamp()


def test_metrics_are_never_cached_nor_rate_limited(settings, db):
    app = create_app(settings.model_copy(update={"rate_limit": "2/minute"}), database=db)
    client = app.test_client()
    responses = [client.get("/metrics") for _ in range(5)]
    assert [response.status_code for response in responses] == [200] * 5
    response = responses[-1]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content_type.startswith("text/plain; version=")
    assert "ETag" not in response.headers and "X-Cache" not in response.headers


def test_a_scrape_without_a_database_still_answers_without_the_catalog_gauges():
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=UNREACHABLE), Database.from_urls(UNREACHABLE))
    client = app.test_client()
    client.get("/api/v1/health")
    samples = scrape(client)
    assert value(samples, "catalog_http_requests_total", route="/api/v1/health", method="GET", status="503") == 1
    assert value(samples, "catalog_models") is None


def test_each_app_counts_only_its_own_requests(settings, db):
    first, second = (create_app(settings, database=db).test_client() for _ in range(2))
    first.get("/api/v1/health")
    labels = {"route": "/api/v1/health", "method": "GET", "status": "200"}
    assert value(scrape(second), "catalog_http_requests_total", **labels) is None
    assert value(scrape(first), "catalog_http_requests_total", **labels) == 1


# --- under gunicorn, with several workers ----------------------------------------------------


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


@pytest.fixture(params=["temporary", "operator's"])
def two_workers(request, fresh_database_url, unused_port, tmp_path):
    """`catalog serve --workers 2` on a fresh database, with its metrics in a temporary directory
    or in the operator's PROMETHEUS_MULTIPROC_DIR. Yields (base URL, metrics dir, stop)."""
    temp_root = tmp_path / "tmp"
    temp_root.mkdir()
    env = os.environ | {"CATALOG_DATABASE_URL": fresh_database_url, "TMPDIR": str(temp_root)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if request.param == "operator's":
        operator_dir = tmp_path / "metrics"
        operator_dir.mkdir()
        (operator_dir / "counter_999999.db").write_bytes(b"left by an earlier run")
        env["PROMETHEUS_MULTIPROC_DIR"] = str(operator_dir)
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(unused_port), "--workers", "2", "--no-fill"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            process.wait(15)

    base = f"http://127.0.0.1:{unused_port}"
    try:
        wait_until_up(base + "/api/v1/health", process, output=log_path.read_text)
        metrics_dir = operator_dir if request.param == "operator's" else _only(temp_root.glob("catalog-metrics-*"))
        yield base, metrics_dir, stop
    finally:
        stop()


def _only(paths):
    [path] = list(paths)
    return path


def _worker_pids(metrics_dir) -> set[str]:
    return {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}


def test_metrics_add_up_across_gunicorn_workers(two_workers, fresh_database_url):
    base, metrics_dir, stop = two_workers
    synced = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    db = Database.from_urls(fresh_database_url)
    write_state(db, LAST_SYNC_AT, synced)
    db.dispose()
    labels = {"route": "/api/v1/health", "method": "GET", "status": "200"}
    # The wait above may have sent more than one (a client timeout while a worker was booting).
    earlier = value(parse(_get(base + "/metrics").decode()), "catalog_http_requests_total", **labels)
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        # Concurrent requests until both workers have answered some (the kernel picks who accepts).
        while sent == 0 or (len(_worker_pids(metrics_dir)) < 2 and sent < 2000):
            list(pool.map(_get, [base + "/api/v1/health"] * 16))
            sent += 16
    assert len(_worker_pids(metrics_dir)) == 2, "one worker answered every request"
    for _ in range(6):  # whichever worker answers the scrape, it reports everyone's requests
        samples = parse(_get(base + "/metrics").decode())
        assert value(samples, "catalog_http_requests_total", **labels) == earlier + sent
        durations = value(samples, "catalog_http_request_duration_seconds_count", route="/api/v1/health", method="GET")
        assert durations == earlier + sent
        assert value(samples, "catalog_db_query_duration_seconds_count", role="primary") >= earlier + sent
        # Read at scrape time by the scraping worker: once, not once per worker.
        assert value(samples, "catalog_last_sync_timestamp_seconds") == synced.timestamp()
        assert value(samples, "catalog_models") == 0
    stop()
    assert metrics_dir.exists() == (metrics_dir.name == "metrics")  # only a temporary one is removed
