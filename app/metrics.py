"""Prometheus metrics at /metrics: HTTP requests, database queries, the response cache, and the
catalog's size and last sync read at scrape time.

Under gunicorn (`catalog serve`) every worker writes its counters and histograms to files in
PROMETHEUS_MULTIPROC_DIR and a scrape of any worker adds them all up. Without that variable
(the Flask test client, `gunicorn app.wsgi:server` with one worker) each app keeps its own
in-process registry.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import SQLAlchemyError

from data.db import Database
from data.meta import LAST_SYNC_AT, read_state

METRICS_PATH = "/metrics"
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED_ROUTE = "<unmatched>"  # no URL rule matched: one label for every such path
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
QUERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
CATALOG_SIZE_SQL = text("SELECT count FROM facet_counts WHERE dimension = 'total' AND value = 'models'")

log = logging.getLogger(__name__)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None


def use_multiprocess_dir(path: Path) -> None:
    """Make every metric created from now on (in this process and its forks) write to `path`."""
    os.environ[MULTIPROCESS_DIR_VARIABLE] = str(path)
    # prometheus_client picks its value class when first imported: pick again in case that was
    # before the variable was set.
    values.ValueClass = values.get_value_class()


def clear_multiprocess_dir(path: Path) -> None:
    """Stale files from an earlier run would add their counts to this one's."""
    for stale in path.glob("*.db"):
        stale.unlink(missing_ok=True)


def mark_worker_dead(pid: int) -> None:
    """gunicorn's child_exit hook: drop the dead worker's live gauges (counters stay summed)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


@dataclass(frozen=True)
class Metrics:
    requests: Counter
    request_duration: Histogram
    query_duration: Histogram
    cache_requests: Counter
    exposed: CollectorRegistry  # what a scrape reads


def create_metrics(db: Database) -> Metrics:
    """The app's metrics; each app has its own registry, so tests building many apps stay apart."""
    shared_dir = multiprocess_dir()
    # In multiprocess mode values live in files; registering them would expose one worker only.
    own = None if shared_dir else CollectorRegistry()
    exposed = own if own is not None else CollectorRegistry()
    if shared_dir:
        multiprocess.MultiProcessCollector(exposed, path=shared_dir)
    exposed.register(CatalogCollector(db))
    return Metrics(
        requests=Counter(
            "catalog_http_requests",
            "HTTP requests answered, by URL rule, method and status.",
            ["route", "method", "status"],
            registry=own,
        ),
        request_duration=Histogram(
            "catalog_http_request_duration_seconds",
            "Time to answer an HTTP request, by URL rule.",
            ["route", "method"],
            buckets=HTTP_BUCKETS,
            registry=own,
        ),
        query_duration=Histogram(
            "catalog_db_query_duration_seconds",
            "Time of one SQL statement, by database role.",
            ["role"],
            buckets=QUERY_BUCKETS,
            registry=own,
        ),
        cache_requests=Counter(
            "catalog_cache_requests",
            "API response cache lookups, by result.",
            ["result"],
            registry=own,
        ),
        exposed=exposed,
    )


class CatalogCollector(Collector):
    """Gauges read from the database at scrape time, in the scraping process only, so they are
    never multiplied by the number of workers. A reading that fails is left out of the scrape."""

    def __init__(self, db: Database):
        self.db = db

    def collect(self):
        size = _read_or_none(self._catalog_size)
        if size is not None:
            yield GaugeMetricFamily("catalog_models", "Models in the catalog (as of the last refresh).", value=size)
        synced = _read_or_none(self._last_sync)
        if synced is not None:
            yield GaugeMetricFamily(
                "catalog_last_sync_timestamp_seconds",
                "When the last successful sync finished (Unix time).",
                value=synced,
            )

    def _catalog_size(self) -> float | None:
        with self.db.session(read_only=True) as session:
            count = session.execute(CATALOG_SIZE_SQL).scalar_one_or_none()
        return None if count is None else float(count)

    def _last_sync(self) -> float | None:
        moment = read_state(self.db, LAST_SYNC_AT)
        if moment is None:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # the sync writes UTC
        return moment.timestamp()


def _read_or_none(read) -> float | None:
    try:
        return read()
    except (SQLAlchemyError, ValueError) as error:  # unreachable database, unpopulated view, bad date
        log.warning("metric not read: %s", error)
        return None


# --- wiring ------------------------------------------------------------------------------


def init_metrics(server: Flask, db: Database) -> Metrics:
    """Time every request and every SQL statement of `db`, and serve /metrics on `server`."""
    metrics = create_metrics(db)
    server.extensions["catalog_metrics"] = metrics
    watch_queries(db, metrics.query_duration)
    server.before_request(_start_timer)
    server.after_request(lambda response: _record(metrics, response))
    server.add_url_rule(METRICS_PATH, "metrics", lambda: _scrape(metrics), methods=["GET"])
    return metrics


def watch_queries(db: Database, histogram: Histogram) -> None:
    roles = [("primary", db.bind)] + ([("replica", db.read_bind)] if db.read_bind is not None else [])
    for role, bind in roles:
        _time_statements(bind, histogram.labels(role))


def _time_statements(bind: Engine | Connection, observed: Histogram) -> None:
    # The start time rides on the statement's execution context: nothing is left behind when
    # a statement fails, and concurrent statements on other connections never mix.
    @event.listens_for(bind, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if context is not None:
            context.catalog_query_started = time.perf_counter()

    @event.listens_for(bind, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        started = getattr(context, "catalog_query_started", None)
        if started is not None:
            observed.observe(time.perf_counter() - started)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record(metrics: Metrics, response: Response) -> Response:
    started = g.get("metrics_started")
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    metrics.requests.labels(route, request.method, str(response.status_code)).inc()
    if started is not None:
        metrics.request_duration.labels(route, request.method).observe(time.perf_counter() - started)
    cache = response.headers.get("X-Cache")
    if cache in ("HIT", "MISS"):
        metrics.cache_requests.labels(cache.lower()).inc()
    return response


def _scrape(metrics: Metrics) -> Response:
    response = Response(generate_latest(metrics.exposed), mimetype=None, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
