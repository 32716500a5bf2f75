"""Structured JSON logs and request ids, in-process and from `catalog serve`."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest

from app.factory import create_app
from app.logs import configure_logging
from app.settings import Settings
from data.db import Database
from tests.stack import TEST_SECRET_KEY, wait_until_up

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


class LogCapture:
    """The app's JSON logging, into a buffer instead of stderr."""

    def __init__(self):
        self.buffer = io.StringIO()

    def configure(self, level: str = "INFO") -> None:
        configure_logging(level, stream=self.buffer)

    def __call__(self) -> list[dict]:
        return [json.loads(line) for line in self.buffer.getvalue().splitlines()]


@pytest.fixture
def log_lines():
    """Lines logged during the test, parsed (each must be JSON); the root logger is restored after."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    capture = LogCapture()
    capture.configure()
    yield capture
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


def access_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "catalog.access"]


def test_each_request_logs_one_json_access_line_with_its_request_id(client, log_lines):
    response = client.get("/api/v1/health?x=1")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) >= 16
    [line] = access_lines(log_lines())
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/health", 200)
    assert line["level"] == "INFO" and line["message"] == "GET /api/v1/health 200"
    assert 0 <= line["duration_ms"] < 10_000
    assert line["time"].endswith("+00:00")


def test_every_request_gets_a_different_id(client):
    ids = {client.get("/api/v1/health").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_app_log_lines_within_a_request_carry_its_id_and_extras(log_lines):
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=UNREACHABLE), Database.from_urls(UNREACHABLE))
    response = app.test_client().get("/api/v1/stats")  # the error handler logs a warning
    assert response.status_code == 503
    request_id = response.headers["X-Request-ID"]
    lines = log_lines()
    warning = next(
        line
        for line in lines
        if line["logger"].startswith("app.api")
        and line["level"] == "WARNING"
        and "database unavailable" in line["message"]
    )
    assert warning["level"] == "WARNING" and "database unavailable" in warning["message"]
    assert warning["request_id"] == request_id
    assert access_lines(lines)[0]["status"] == 503


def test_a_log_line_outside_a_request_has_no_request_id(log_lines):
    logging.getLogger("catalog.test").info("hello %s", "world", extra={"models": 3})
    [line] = log_lines()
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "catalog.test",
        "message": "hello world",
        "models": 3,
    }


def test_exceptions_are_logged_inside_the_json_line(log_lines):
    try:
        raise ValueError("boom\nwith a second line")
    except ValueError:
        logging.getLogger("catalog.test").exception("it failed")
    [line] = log_lines()
    assert line["message"] == "it failed"
    assert "ValueError: boom" in line["exception"]


@pytest.mark.parametrize("incoming", ["0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "abc123", "trace:1/2+3=="])
def test_a_sane_incoming_request_id_is_kept(client, log_lines, incoming):
    response = client.get("/api/v1/health", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming
    assert access_lines(log_lines())[0]["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming",
    [
        "x" * 200,  # too long
        'a", "level": "CRITICAL',  # quotes: a forged field
        "id with spaces",
        "<script>alert(1)</script>",
        "caf\u00e9",  # not ASCII
        "-leading-dash",
        "",
    ],
)
def test_a_malicious_or_odd_incoming_request_id_is_replaced(client, log_lines, incoming):
    response = client.get("/api/v1/health", headers={"X-Request-ID": incoming})
    replaced = response.headers["X-Request-ID"]
    assert replaced != incoming and replaced.isalnum() and len(replaced) == 32
    assert access_lines(log_lines())[0]["request_id"] == replaced


def test_request_id_on_dashboard_rate_limited_and_error_answers(settings, db):
    app = create_app(settings.model_copy(update={"rate_limit": "1/minute"}), db)

    @app.get("/test-only/boom")
    def boom():
        raise RuntimeError("an unhandled error")

    client = app.test_client()
    answers = [
        client.get("/"),
        client.get("/api/v1/stats"),
        client.get("/api/v1/stats"),
        client.get("/test-only/boom"),
        client.get("/assets/no-such-file.js"),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 429, 500, 404]
    assert all(len(answer.headers.get("X-Request-ID", "")) == 32 for answer in answers)


def test_log_level_comes_from_the_environment(client, log_lines):
    settings = Settings.from_env({"CATALOG_LOG_LEVEL": "warning"})
    assert settings.log_level == "WARNING"
    log_lines.configure(settings.log_level)
    client.get("/api/v1/health")
    logging.getLogger("catalog.test").warning("shown")
    assert [line["message"] for line in log_lines()] == ["shown"]  # no INFO access line


def test_configuring_twice_keeps_one_handler(log_lines):
    log_lines.configure()
    log_lines.configure()
    logging.getLogger("catalog.test").info("once")
    assert [line["message"] for line in log_lines()] == ["once"]


# --- from a real server ------------------------------------------------------------------


def test_catalog_serve_writes_only_json_lines(fresh_database_url, unused_port, tmp_path):
    stderr_path = tmp_path / "stderr.log"
    env = os.environ | {"CATALOG_DATABASE_URL": fresh_database_url, "CATALOG_LOG_LEVEL": "INFO"}
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(unused_port), "--workers", "1", "--no-fill"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        ready, request_id = f"http://127.0.0.1:{unused_port}/api/v1/ready", "from-the-test-1"
        wait_until_up(ready, process, output=stderr_path.read_text)  # then one request with the id:
        headers, _ = wait_until_up(ready, process, 5, {"X-Request-ID": request_id})  # retries would log it twice
        assert headers["X-Request-ID"] == request_id
        lines = _wait_for_line(stderr_path, request_id)
    finally:
        process.terminate()
        process.wait(15)
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # gunicorn's own lines too
    access = [line for line in lines if line.get("request_id") == request_id]
    assert [line["logger"] for line in access] == ["catalog.access"]
    assert access[0]["path"] == "/api/v1/ready" and access[0]["status"] == 200


def _wait_for_line(path, request_id: str, seconds: float = 10) -> list[dict]:
    """Every line of the log parsed as JSON, once the line of `request_id` is there."""
    deadline = time.monotonic() + seconds
    while True:
        text = path.read_text()
        text = text[: text.rfind("\n") + 1]  # a line still being written is read next time
        lines = [json.loads(line) for line in text.splitlines()]  # fails on any non-JSON line
        if any(line.get("request_id") == request_id for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)
