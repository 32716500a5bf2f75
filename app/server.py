"""Runs the app under gunicorn from `catalog serve`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from app.logs import make_formatter
from app.settings import Settings

MAX_REQUEST_LINE_BYTES = 8190  # gunicorn's own upper bound
REQUEST_THREADS = 4  # per worker, for requests; live streams get threads of their own


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Settings, options: dict):
        self.settings, self.options = settings, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each worker builds its own app (and its own connection pool) after the fork.
        from app.factory import create_app
        from app.logs import configure_logging

        configure_logging(self.settings.log_level, log_format=self.settings.log_format)
        return create_app(self.settings)


class CatalogGunicornLogger(Logger):
    """gunicorn's own lines (workers booting, timeouts) in the app's log format."""

    log_format: str | None = None

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.setFormatter(make_formatter(self.log_format))


def run_gunicorn(settings: Settings, host: str, port: int, workers: int) -> None:
    metrics_dir, owned = _prepare_metrics_dir()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": REQUEST_THREADS + settings.live_streams,  # an open live stream holds a thread
        "timeout": 120,
        "accesslog": None,  # the app logs each request itself, as JSON with its request id
        "logger_class": type("Logger", (CatalogGunicornLogger,), {"log_format": settings.log_format}),
        "loglevel": settings.log_level.lower(),
        "child_exit": _child_exit,
        "post_worker_init": _in_each_worker,
        # gunicorn's largest request line; longer ones it refuses itself (414, in JSON: see below)
        "limit_request_line": MAX_REQUEST_LINE_BYTES,
        "on_exit": lambda arbiter: _remove_metrics_dir(metrics_dir, owned),
    }
    _Gunicorn(settings, options).run()


def _prepare_metrics_dir() -> tuple[Path, bool]:
    """The directory every worker writes its metrics to, set before any worker imports
    prometheus_client. An operator's PROMETHEUS_MULTIPROC_DIR is used (and its stale metric
    files removed); otherwise a temporary one, removed when gunicorn stops."""
    from app.metrics import MULTIPROCESS_DIR_VARIABLE, clear_multiprocess_dir, use_multiprocess_dir

    configured = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="catalog-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    clear_multiprocess_dir(path)
    use_multiprocess_dir(path)
    return path, not configured


def write_json_error(sock, status: int, reason: str, message: str) -> None:
    """gunicorn's own answers to requests it cannot parse (414, 431, a bad request line), in the
    API's error envelope instead of its HTML page; the app never sees such requests."""
    from app.api.errors import http_code  # in a worker, after the app (and app.metrics) loaded

    body = json.dumps(
        {"error": {"code": http_code(status, reason), "message": message or reason, "details": {}}}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)


def _in_each_worker(worker) -> None:
    # gunicorn has no hook for its error pages: its one writer is replaced, in workers only.
    gunicorn_util.write_error = write_json_error
    _end_live_streams_on_exit(worker)


def _end_live_streams_on_exit(worker) -> None:
    """A stopping worker waits for its open requests: its live streams end at once (browsers
    reconnect to another process) instead of holding the stop for gunicorn's graceful timeout."""
    hub = worker.wsgi.extensions.get("catalog_live")
    stop = signal.getsignal(signal.SIGTERM)
    if hub is None or not callable(stop):
        return

    def closing_streams_first(signum, frame) -> None:
        hub.close()
        stop(signum, frame)

    signal.signal(signal.SIGTERM, closing_streams_first)


def _child_exit(arbiter, worker) -> None:
    from app.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)


def _remove_metrics_dir(path: Path, owned: bool) -> None:
    # on_exit runs in the master only (a finally block would also run in every exiting worker).
    if owned:
        shutil.rmtree(path, ignore_errors=True)
