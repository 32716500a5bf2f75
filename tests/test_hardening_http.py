"""Hardening of the HTTP surface (issue #11), through a real `catalog serve` where the real
server is what matters, and through Flask's test client otherwise."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re

import pytest
import requests
from selenium.webdriver.support.ui import WebDriverWait

from app.logs import configure_logging
from data.db import Database
from tests.factories import add_models
from tests.served import catalog_database, serve
from tests.stack import TEST_SECRET_KEY

HOSTILE_CELLS = ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.fixture(scope="module")
def served(server_url, template_url):
    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        add_models(db, *(f"org/model-{n}" for n in range(150)), license="mit")
        for number, cell in enumerate(HOSTILE_CELLS):
            add_models(db, f"hostile/cell-{number}", license=cell, pipeline_tag=cell, trending_score=-1.5)
        db.dispose()
        with serve(url) as running:
            yield running


# --- CSV ---------------------------------------------------------------------------------------


def csv_rows(served, **params) -> list[dict]:
    response = requests.get(served.url + "/api/v1/models", params={"format": "csv", **params}, timeout=20)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_csv_export_streams_every_row_under_gunicorn(served):
    rows = csv_rows(served, license="mit")
    assert len(rows) == 150  # more than one streamed chunk (100 rows each)
    assert rows[0]["id"] == "org/model-0" and rows[0]["downloads"] == "150000"


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted_and_numbers_stay_numbers(served):
    rows = {row["id"]: row for row in csv_rows(served, author="hostile")}
    assert len(rows) == len(HOSTILE_CELLS)
    for number, cell in enumerate(HOSTILE_CELLS):
        row = rows[f"hostile/cell-{number}"]
        assert row["license"] == "'" + cell and row["pipeline_tag"] == "'" + cell
        assert row["trending_score"] == "-1.5"  # a negative number is a number, not a formula


# --- unknown and repeated parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    "path, typo, meant",
    [
        ("/api/v1/models", "pipline_tag", "pipeline_tag"),
        ("/api/v1/models", "formt", "format"),
        ("/api/v1/stats/license", "licence", "license"),
        ("/api/v1/trending", "limt", "limit"),
        ("/api/v1/models/org/a/ancestry", "dept", "depth"),
    ],
)
def test_a_misspelled_parameter_is_a_400_naming_the_closest_known_one(client, path, typo, meant):
    response = client.get(path, query_string={typo: "1"})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "INVALID_PARAMETER" and error["details"]["parameter"] == typo
    assert f"did you mean {meant}?" in error["message"]


def test_an_unknown_parameter_with_nothing_close_lists_the_known_ones(client):
    error = client.get("/api/v1/trending?zzz=1").json["error"]
    assert error["details"] == {"parameter": "zzz", "reason": "unknown parameter (known: limit, pipeline_tag)"}


def test_every_route_still_takes_its_own_parameters(client, db):
    add_models(db, "org/a", pipeline_tag="text-generation")
    for path in [
        "/api/v1/models?format=csv&q=a",
        "/api/v1/models?format=json&pipeline_tag=x&facets=author",
        "/api/v1/stats/license?q=a&min_likes=0",
        "/api/v1/trending?limit=5&pipeline_tag=x",
        "/api/v1/models/org/a/ancestry?direction=up&depth=2&relation=merge&limit=5",
        "/api/v1/health?probe=1",
        "/api/v1/models/org/a",
    ]:
        assert client.get(path).status_code == 200, path


def test_the_dashboard_stays_tolerant_of_unknown_parameters():
    from data.query import parse_query

    assert parse_query([("pipline_tag", "x"), ("q", "llama")], strict=False).q == "llama"


def test_repeated_facet_names_are_counted_once(client, db):
    add_models(db, "org/a", "org/b")
    response = client.get("/api/v1/models?" + "&".join(["facets=author,author"] * 500))
    assert response.status_code == 200
    assert list(response.json["meta"]["facets"]) == ["author"]
    assert response.json["meta"]["query"] == "facets=author"


# --- log format ----------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    yield
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


@pytest.mark.parametrize(
    "stream, log_format, json_lines",
    [
        (Terminal(), None, False),
        (io.StringIO(), None, True),
        (Terminal(), "json", True),
        (io.StringIO(), "text", False),
    ],
)
def test_the_log_is_text_on_a_terminal_and_json_elsewhere_unless_set(restore_logging, stream, log_format, json_lines):
    configure_logging("INFO", stream=stream, log_format=log_format)
    logging.getLogger("catalog.test").info("hello %s", "there", extra={"path": "/x", "status": 200})
    [line] = stream.getvalue().splitlines()
    if json_lines:
        assert json.loads(line)["message"] == "hello there"
    else:
        assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} INFO catalog\.test: hello there path=/x status=200", line)


def test_a_text_line_carries_the_request_id(restore_logging, client):
    stream = io.StringIO()
    configure_logging("INFO", stream=stream, log_format="text")
    request_id = client.get("/api/v1/health").headers["X-Request-ID"]
    access = [line for line in stream.getvalue().splitlines() if "catalog.access" in line]
    assert access == [access[0]] and f"[{request_id}]" in access[0] and "status=200" in access[0]


# --- malformed requests: 4xx, JSON under /api/v1 and for Dash's endpoints ----------------------------


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.json["error"]["code"] == code


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/", "/api/v1//models", "/api/v1//health", "/api/v1/%0a"])
def test_api_paths_no_route_serves_are_the_apis_json_404(client, path):
    assert_error(client.get(path), 404, "NOT_FOUND")


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PROPFIND"])
def test_unknown_methods_under_the_api_are_a_json_405(client, method):
    response = client.open("/api/v1/models", method=method)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/authors/%00", "/models/a%00b/c", "/%00"])
def test_pages_with_nul_in_the_path_are_a_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/../../../etc/passwd",
        "/_dash-component-suites/../../app/settings.py",
        "/_dash-component-suites/dash/no-such-file.js",
    ],
)
def test_component_suite_paths_dash_does_not_serve_are_a_404(client, path):
    assert_error(client.get(path), 404, "NOT_FOUND")


TRENDING = "trending-results.children"


def trending_callback(value, **changes) -> dict:
    body = {
        "output": TRENDING,
        "outputs": {"id": "trending-results", "property": "children"},
        "inputs": [{"id": "trending-tasks", "property": "value", "value": value}],
        "changedPropIds": ["trending-tasks.value"],
        "state": [],
    }
    return body | changes


def post_callback(client, body):
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_a_callback_request_as_the_dashboard_sends_it_is_answered(client):
    response = post_callback(client, trending_callback(["text-generation"]))
    assert response.status_code == 200 and "trending-results" in response.json["response"]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {},
        {"output": 5},
        {"output": "no-such.children"},
        trending_callback(["x"], outputs=[]),
        trending_callback(["x"], inputs="x"),
        trending_callback(["x"], inputs=[{"id": 5}]),
        trending_callback(["x"], changedPropIds=[None]),
        trending_callback(["a\x00b"]),
    ],
)
def test_malformed_callback_requests_are_a_json_400(client, body):
    assert_error(post_callback(client, body), 400, "INVALID_CALLBACK_REQUEST")


@pytest.mark.parametrize("value", ["text-generation", 5, {"a": 1}, [1, {"a": None}], [None], True, [[]]])
def test_callback_inputs_of_the_wrong_type_are_read_tolerantly(client, value):
    response = post_callback(client, trending_callback(value))
    assert response.status_code == 200 and "trending-results" in response.json["response"]


def test_a_callback_body_is_bounded(client):
    assert_error(post_callback(client, trending_callback(["x" * 200_000])), 413, "REQUEST_ENTITY_TOO_LARGE")


def test_a_deeply_nested_callback_body_is_a_400(client):
    deep = "[" * 50_000 + "]" * 50_000
    response = client.post("/_dash-update-component", data=deep, content_type="application/json")
    assert_error(response, 400, "INVALID_CALLBACK_REQUEST")


# --- security headers, versions, the docs page -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/trending",
        "/api/v1/models",
        "/api/v1/no-such",
        "/api/v1/docs",
        "/assets/catalog.css",
        "/_dash-layout",
        "/no-page%00",
    ],
)
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in policy and "unsafe-eval" not in policy  # no external origin, no eval
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_dashboard_page_reveals_no_python_nor_dash_version(client):
    import sys

    import dash

    page = client.get("/").data.decode()
    assert sys.version.split()[0] not in page and "python_version" not in page
    assert f"?v={dash.__version__}" not in page and '"dash_version"' not in page


def test_a_script_name_header_cannot_poison_the_cached_docs_page(client):
    evil = '/x"});alert(document.domain);({"'
    poisoned = client.get("/api/v1/docs", environ_base={"SCRIPT_NAME": evil})
    clean = client.get("/api/v1/docs")
    assert "alert" not in poisoned.get_data(as_text=True)
    assert clean.headers["X-Cache"] == "HIT" and clean.data == poisoned.data  # one page for everyone
    assert 'data-spec="openapi.json"' in clean.get_data(as_text=True)


@pytest.mark.browser
def test_the_dashboard_and_the_docs_run_under_the_policy(browser, live_server, fresh_database_url):
    from app.factory import create_app
    from app.settings import Settings

    db = Database.from_urls(fresh_database_url)
    add_models(db, "org/base-7b", pipeline_tag="text-generation")
    site = live_server(
        create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, rate_limit="off"), database=db)
    )
    for path, shown in [("/", "org/base-7b"), ("/analytics", "Models created"), ("/api/v1/docs", "openapi.json")]:
        browser.driver.get(site + path)
        WebDriverWait(browser.driver, 15).until(
            lambda driver, shown=shown: shown in driver.find_element("tag name", "body").text
        )
        violations = [
            entry["message"]
            for entry in browser.driver.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]
        assert violations == [], path


# --- what gunicorn answers itself ---------------------------------------------------------------


def raw_request(served, request: bytes) -> tuple[int, dict, bytes]:
    import socket

    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /api/v1/models?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (
            b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(200)) + b"\r\n",
            431,
        ),
        (b"GET /api/v1/\x01models HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
)
def test_requests_gunicorn_refuses_itself_get_the_json_envelope(served, request_bytes, status):
    answered, headers, body = raw_request(served, request_bytes)
    assert answered == status and headers["Content-Type"] == "application/json"
    assert set(json.loads(body)["error"]) == {"code", "message", "details"}
    assert served.alive()


def test_a_long_query_that_gunicorn_takes_is_answered_by_the_app_in_json(served):
    response = requests.get(served.url + "/api/v1/models", params={"q": "a" * 7000}, timeout=10)
    assert response.status_code == 400 and response.json()["error"]["details"]["parameter"] == "q"


# --- what nginx answers itself (deploy/nginx) ----------------------------------------------------


@pytest.fixture(scope="module")
def nginx_stack(server_url, template_url):
    import shutil

    if not shutil.which("nginx"):
        if os.environ.get("CI"):
            pytest.fail("nginx must be installed in CI")
        pytest.skip("nginx is not installed")
    from tests.stack import start_stack

    with catalog_database(server_url) as url:
        # A Redis nobody listens on: the app serves on without it, and touches no one's keys.
        stack = start_stack(url, "redis://127.0.0.1:1/0", apps=1, CATALOG_RATE_LIMIT="off")
        try:
            yield stack
        finally:
            stack.stop()


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /api/v1/models?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        (b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
        (
            b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000000\r\n\r\n" + b" " * 2_000_000,
            413,
        ),
    ],
)
def test_requests_nginx_refuses_itself_get_the_json_envelope(nginx_stack, request_bytes, status):
    answered, headers, body = raw_request(nginx_stack, request_bytes)
    assert answered == status and headers["Content-Type"] == "application/json"
    assert set(json.loads(body)["error"]) == {"code", "message", "details"}
    assert "nginx/" not in headers.get("Server", "")
