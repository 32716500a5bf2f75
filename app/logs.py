"""Logs: one JSON object per line when deployed, one readable text line per record on a terminal
(CATALOG_LOG_FORMAT), with the request id of the request being served.

Every request gets an id — the caller's `X-Request-ID` when it is a sane token, else a new
one — returned in the `X-Request-ID` response header and written on every log line of that
request, so a user's report and the server's logs meet on one string.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import TextIO

import orjson
from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Short and printable without spaces or quotes: UUIDs, hex and base64 trace ids pass; anything
# that could forge a log line or a header is replaced.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}")
ACCESS_LOGGER = "catalog.access"
# Attributes every LogRecord has; any other attribute came from `extra=` and is logged as a field.
RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

access_log = logging.getLogger(ACCESS_LOGGER)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return _dumps(entry)


class TextFormatter(logging.Formatter):
    """`12:00:01.234 INFO catalog.access: GET / 200 [request id] key=value …` for people."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        parts = [stamp, record.levelname, f"{record.name}: {record.getMessage()}"]
        request_id = current_request_id()
        if request_id:
            parts.append(f"[{request_id}]")
        parts += [f"{key}={value}" for key, value in _extras(record).items()]
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


LOG_FORMATS = {"json": JsonFormatter, "text": TextFormatter}


def default_log_format(stream: TextIO | None = None) -> str:
    """text for a person at a terminal, JSON for everything else (a file, a log collector)."""
    stream = stream or sys.stderr
    return "text" if getattr(stream, "isatty", lambda: False)() else "json"


def make_formatter(log_format: str | None, stream: TextIO | None = None) -> logging.Formatter:
    return LOG_FORMATS[log_format or default_log_format(stream)]()


def _extras(record: logging.LogRecord) -> dict:
    return {
        key: value for key, value in vars(record).items() if key not in RECORD_ATTRIBUTES and not key.startswith("_")
    }


def _dumps(entry: dict) -> str:
    try:
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits in an extra
        return json.dumps(entry, default=str, ensure_ascii=False)


class _CatalogHandler(logging.StreamHandler):
    """A handler that `configure_logging` installed: found by its class when it is called again."""


class _StderrHandler(_CatalogHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it and close the old one)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(level: str, stream: TextIO | None = None, log_format: str | None = None) -> logging.Handler:
    """Lines at `level` on the root logger, to `stream` (default: stderr), as `log_format`
    ("json" or "text"; default by whether the stream is a terminal). Calling it again replaces
    the handler it installed before and leaves other handlers alone."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _CatalogHandler)]:
        root.removeHandler(handler)
    handler = _CatalogHandler(stream) if stream is not None else _StderrHandler()
    handler.setFormatter(make_formatter(log_format, stream))
    root.addHandler(handler)
    root.setLevel(level)
    return handler


# --- request ids and the access log ------------------------------------------------------


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def request_id_from(incoming: str | None) -> str:
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def init_request_logging(server: Flask) -> None:
    """Give each request an id and log one access line per response. Register before the other
    hooks: before_request runs first, so even a rate-limited answer has an id; after_request
    runs last, so the line has the final status."""
    server.before_request(_begin)
    server.after_request(_finish)


def _begin() -> None:
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
    access_log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
        },
    )
    return response
