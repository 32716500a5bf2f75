"""Every error the API answers, route by route: each answer's code is in app.api.errors.ERRORS with
the status the table gives it, the body is exactly the envelope, and openapi.json documents for
each route the codes it really answers (the cases below are those, written down)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from psycopg.errors import QueryCanceled
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.api.docs import ERROR_CODES
from app.api.errors import ERRORS
from app.factory import create_app
from app.settings import Settings
from data.db import Database
from tests.stack import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"

# A URL of each documented route, and one its own parameters make a 400 of.
URLS = {
    "/api/v1/health": "/api/v1/health",
    "/api/v1/ready": "/api/v1/ready",
    "/api/v1/models": "/api/v1/models",
    "/api/v1/models/{repo_id}": "/api/v1/models/nobody/nothing",
    "/api/v1/models/{repo_id}/ancestry": "/api/v1/models/nobody/nothing/ancestry",
    "/api/v1/models/{repo_id}/lineage/timeline": "/api/v1/models/nobody/nothing/lineage/timeline",
    "/api/v1/models/{repo_id}/lineage/tree": "/api/v1/models/nobody/nothing/lineage/tree",
    "/api/v1/trending": "/api/v1/trending",
    "/api/v1/stats": "/api/v1/stats",
    "/api/v1/stats/{dimension}": "/api/v1/stats/license",
    "/api/v1/authors/{author}": "/api/v1/authors/nobody",
    "/api/v1/papers/{paper_id}": "/api/v1/papers/2401.99999",
}
INVALID = {
    "/api/v1/models": "/api/v1/models?sort=bogus",
    "/api/v1/models/{repo_id}/ancestry": "/api/v1/models/nobody/nothing/ancestry?depth=0",
    "/api/v1/trending": "/api/v1/trending?limit=0",
    "/api/v1/stats/{dimension}": "/api/v1/stats/colour",
    "/api/v1/papers/{paper_id}": "/api/v1/papers/2401.9",
}
# What openapi.json says each route answers, besides 200 and 304.
LIMITED = ["RATE_LIMITED", "DATABASE_UNAVAILABLE", "QUERY_TIMEOUT"]
DOCUMENTED = {
    "/api/v1/health": ["DATABASE_UNAVAILABLE"],
    "/api/v1/ready": ["MIGRATIONS_PENDING", "SCHEMA_NEWER_THAN_CODE", "DATABASE_UNAVAILABLE"],
    "/api/v1/models": ["INVALID_PARAMETER", *LIMITED],
    "/api/v1/models/{repo_id}": ["MODEL_NOT_FOUND", *LIMITED],
    "/api/v1/models/{repo_id}/ancestry": ["INVALID_PARAMETER", "MODEL_NOT_FOUND", *LIMITED],
    "/api/v1/models/{repo_id}/lineage/timeline": ["MODEL_NOT_FOUND", *LIMITED],
    "/api/v1/models/{repo_id}/lineage/tree": ["MODEL_NOT_FOUND", *LIMITED],
    "/api/v1/trending": ["INVALID_PARAMETER", *LIMITED],
    "/api/v1/stats": LIMITED,
    "/api/v1/stats/{dimension}": ["INVALID_PARAMETER", *LIMITED],
    "/api/v1/authors/{author}": ["AUTHOR_NOT_FOUND", *LIMITED],
    "/api/v1/papers/{paper_id}": ["INVALID_PARAMETER", "PAPER_NOT_FOUND", *LIMITED],
}
ACCOUNT_PATHS = ("/api/v1/auth/", "/api/v1/me", "/api/v1/admin/")
ROUTE_CASES = [(route, code) for route, codes in DOCUMENTED.items() for code in codes]


def assert_envelope(response, code: str) -> dict:
    assert response.status_code == ERRORS[code].status, response.data[:300]
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    error = response.json["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    return error


def test_openapi_documents_exactly_these_codes_per_route(client):
    spec = client.get("/api/v1/openapi.json").json
    documented = {}
    for path, item in spec["paths"].items():
        if path.startswith(ACCOUNT_PATHS):
            continue  # the account routes' codes: tests/test_access.py
        for response in item["get"]["responses"].values():
            for code in response.get(ERROR_CODES, []):
                assert code in ERRORS, code
                documented.setdefault(path, set()).add(code)
    assert documented == {route: set(codes) for route, codes in DOCUMENTED.items()}
    enum = spec["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["enum"]
    assert set(enum) == set(ERRORS)


@pytest.fixture
def answer(settings, db, monkeypatch):
    """The answer of `route` when it fails with `code`, the failure made as it happens in use."""

    def make(route: str, code: str):
        url = INVALID[route] if code == "INVALID_PARAMETER" else URLS[route]
        if code == "DATABASE_UNAVAILABLE":
            unreachable = Database.from_urls(UNREACHABLE)
            try:
                return (
                    create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=UNREACHABLE), unreachable)
                    .test_client()
                    .get(url)
                )
            finally:
                unreachable.dispose()
        if code == "RATE_LIMITED":
            client = create_app(settings.model_copy(update={"rate_limit": "1/minute"}), db).test_client()
            client.get(url)
            return client.get(url)
        if code == "QUERY_TIMEOUT":

            def cancelled(*args, **kwargs):
                raise OperationalError("SELECT", {}, QueryCanceled("canceling statement due to statement timeout"))

            monkeypatch.setattr(Database, "session", cancelled)
        if code == "MIGRATIONS_PENDING":
            with db.session() as session:
                session.execute(text("DELETE FROM alembic_version"))
                session.commit()  # into the test's transaction, rolled back after it
        if code == "SCHEMA_NEWER_THAN_CODE":
            with db.session() as session:
                session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
                session.commit()
        return create_app(settings, db).test_client().get(url)

    return make


@pytest.mark.parametrize("route, code", ROUTE_CASES)
def test_every_documented_error_is_answered_in_the_envelope(answer, route, code):
    response = answer(route, code)
    assert_envelope(response, code)
    if code in LIMITED:  # a client may retry these: it is told when
        assert response.headers["Retry-After"].isdigit()


@pytest.mark.parametrize(
    "method, path, code",
    [
        ("GET", "/api/v1/no-such-route", "NOT_FOUND"),
        ("POST", "/api/v1/models", "NOT_FOUND"),
        ("GET", "/api/v1//models", "NOT_FOUND"),
        ("TRACE", "/api/v1/models", "METHOD_NOT_ALLOWED"),
        ("GET", "/api/v1/models?pipline_tag=x", "INVALID_PARAMETER"),
        ("GET", "/api/v1/health?q=%00", "INVALID_PARAMETER"),
        ("GET", "/_dash-component-suites/dash/no-such-file.js", "NOT_FOUND"),
    ],
)
def test_errors_of_any_route_are_in_the_table(client, method, path, code):
    assert_envelope(client.open(path, method=method), code)


def test_a_callback_request_the_dashboard_never_sends_is_in_the_table(client):
    assert_envelope(client.post("/_dash-update-component", json={}), "INVALID_CALLBACK_REQUEST")
    too_large = client.post("/_dash-update-component", data=b" " * 200_000, content_type="application/json")
    assert_envelope(too_large, "REQUEST_ENTITY_TOO_LARGE")


def test_a_bug_is_an_internal_error_in_the_envelope(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("data.catalog.trending", broken)
    error = assert_envelope(client.get("/api/v1/trending"), "INTERNAL_ERROR")
    assert "a bug" not in error["message"]


def test_the_not_found_codes_name_what_was_missing(client):
    assert assert_envelope(client.get(URLS["/api/v1/models/{repo_id}"]), "MODEL_NOT_FOUND")["details"] == {
        "id": "nobody/nothing"
    }
    assert assert_envelope(client.get(URLS["/api/v1/authors/{author}"]), "AUTHOR_NOT_FOUND")["details"] == {
        "author": "nobody"
    }
    assert assert_envelope(client.get("/api/v1/nothing"), "NOT_FOUND")["details"] == {"path": "/api/v1/nothing"}


def test_nginx_answers_with_codes_of_the_table():
    conf = (ROOT / "deploy" / "nginx" / "catalog.conf.template").read_text()
    answers = re.findall(r"return (\d+) '\{\"error\": \{\"code\": \"(\w+)\"", conf)
    assert len(answers) == 3
    for status, code in answers:
        assert ERRORS[code].status == int(status), code


@pytest.mark.parametrize(
    "status, reason, code",
    [
        (400, "Bad Request", "BAD_REQUEST"),
        (414, "URI Too Long", "URI_TOO_LONG"),
        (431, "Request Header Fields Too Large", "REQUEST_HEADER_FIELDS_TOO_LARGE"),
        (417, "Expectation Failed", "EXPECTATION_FAILED"),
        (403, "Forbidden", "FORBIDDEN"),
        (500, "Internal Server Error", "INTERNAL_ERROR"),
        (501, "Not Implemented", "NOT_IMPLEMENTED"),
    ],
)
def test_gunicorn_answers_with_codes_of_the_table(status, reason, code):
    import socket

    from app.server import write_json_error

    ours, theirs = socket.socketpair()
    with ours, theirs:
        write_json_error(ours, status, reason, "a message")
        head, _, body = theirs.recv(65_536).partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert ERRORS[code].status == status
    assert body == b'{"error": {"code": "%s", "message": "a message", "details": {}}}' % code.encode()
