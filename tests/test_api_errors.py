"""Every error the API answers, route by route: each answer's code is in app.api.errors.ERRORS with
the status the table gives it, the body is exactly the envelope, and openapi.json documents for
each operation (path and method) the codes it really answers (the cases below are those, written
down, each produced the way it happens in use)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg.errors import QueryCanceled
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.api.docs import ERROR_CODES
from app.api.errors import ERRORS
from app.auth.csrf import CSRF_COOKIE, CSRF_HEADER, new_token
from app.auth.tokens import issue_token
from app.factory import create_app
from app.settings import Settings
from data.accounts.collections import create_collection
from data.accounts.keys import create_key, revoke_key
from data.accounts.searches import save_search
from data.accounts.sessions import open_session
from data.accounts.users import create_user, set_disabled
from data.db import Database
from tests.stack import TEST_SECRET_KEY

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"
API = "/api/v1"
ANALYST, ADMIN, DISABLED = "analyst@example.org", "admin@example.org", "gone@example.org"
PASSWORD = "a long enough password"
MISSING_ID = 999_999_999
SEARCH = f"{API}/me/searches/{{search_id}}"
COLLECTION = f"{API}/me/collections/{{collection_id}}"
ITEM = f"{COLLECTION}/models/{{repo_id}}"
RAW = b"not json"  # a body that is not JSON at all


@dataclass(frozen=True)
class Call:
    """A request to an operation: its URL (`{name}` filled from People.ids), who sends it, its body."""

    url: str
    caller: str = "anonymous"  # a key of People.callers
    body: Any = None  # JSON, RAW, or None (no body)
    throttled: bool = False  # send it once the sign-in throttle has counted enough failures


# A request to each documented operation that passes its guards (the codes below vary it).
CALLS = {
    (f"{API}/health", "GET"): Call(f"{API}/health"),
    (f"{API}/ready", "GET"): Call(f"{API}/ready"),
    (f"{API}/models", "GET"): Call(f"{API}/models"),
    (f"{API}/models/{{repo_id}}", "GET"): Call(f"{API}/models/nobody/nothing"),
    (f"{API}/models/{{repo_id}}/ancestry", "GET"): Call(f"{API}/models/nobody/nothing/ancestry"),
    (f"{API}/models/{{repo_id}}/lineage/timeline", "GET"): Call(f"{API}/models/nobody/nothing/lineage/timeline"),
    (f"{API}/models/{{repo_id}}/lineage/tree", "GET"): Call(f"{API}/models/nobody/nothing/lineage/tree"),
    (f"{API}/models/{{repo_id}}/history", "GET"): Call(f"{API}/models/nobody/nothing/history"),
    (f"{API}/models/{{repo_id}}/similar", "GET"): Call(f"{API}/models/nobody/nothing/similar"),
    (f"{API}/trending", "GET"): Call(f"{API}/trending"),
    (f"{API}/live", "GET"): Call(f"{API}/live"),
    (f"{API}/compare", "GET"): Call(f"{API}/compare?ids=nobody/nothing,nobody/else"),
    (f"{API}/live/stream", "GET"): Call(f"{API}/live/stream"),
    (f"{API}/stats", "GET"): Call(f"{API}/stats"),
    (f"{API}/stats/{{dimension}}", "GET"): Call(f"{API}/stats/license"),
    (f"{API}/authors/{{author}}", "GET"): Call(f"{API}/authors/nobody"),
    (f"{API}/papers/{{paper_id}}", "GET"): Call(f"{API}/papers/2401.99999"),
    (f"{API}/auth/csrf", "GET"): Call(f"{API}/auth/csrf"),
    (f"{API}/auth/signup", "POST"): Call(f"{API}/auth/signup", body={"email": "new@example.org", "password": PASSWORD}),
    (f"{API}/auth/login", "POST"): Call(f"{API}/auth/login", body={"email": ANALYST, "password": "not the password"}),
    (f"{API}/auth/logout", "POST"): Call(f"{API}/auth/logout", "analyst_session", {}),
    (f"{API}/auth/token", "POST"): Call(f"{API}/auth/token", "analyst_key"),
    (f"{API}/me", "GET"): Call(f"{API}/me"),
    (f"{API}/me/keys", "GET"): Call(f"{API}/me/keys", "analyst_session"),
    (f"{API}/me/keys", "POST"): Call(f"{API}/me/keys", "analyst_session", {"name": "another"}),
    (f"{API}/me/keys/{{key_id}}", "DELETE"): Call(f"{API}/me/keys/{{analyst_key}}", "analyst_session"),
    (f"{API}/me/searches", "GET"): Call(f"{API}/me/searches", "analyst_key"),
    (f"{API}/me/searches", "POST"): Call(f"{API}/me/searches", "analyst_key", {"name": "n", "query": "q=bert"}),
    (SEARCH, "GET"): Call(f"{API}/me/searches/{{search}}", "analyst_key"),
    (SEARCH, "PATCH"): Call(f"{API}/me/searches/{{search}}", "analyst_key", {"name": "renamed"}),
    (SEARCH, "DELETE"): Call(f"{API}/me/searches/{{search}}", "analyst_key"),
    (f"{SEARCH}/new", "GET"): Call(f"{API}/me/searches/{{search}}/new", "analyst_key"),
    (f"{SEARCH}/deliveries", "GET"): Call(f"{API}/me/searches/{{search}}/deliveries", "analyst_key"),
    (f"{API}/feeds/searches/{{token}}", "GET"): Call(f"{API}/feeds/searches/nothing"),
    (f"{API}/me/collections", "GET"): Call(f"{API}/me/collections", "analyst_key"),
    (f"{API}/me/collections", "POST"): Call(f"{API}/me/collections", "analyst_key", {"name": "picks"}),
    (COLLECTION, "PATCH"): Call(f"{API}/me/collections/{{collection}}", "analyst_key", {"public": True}),
    (COLLECTION, "DELETE"): Call(f"{API}/me/collections/{{collection}}", "analyst_key"),
    (ITEM, "PUT"): Call(f"{API}/me/collections/{{collection}}/models/nobody/nothing", "analyst_key", {"note": ""}),
    (ITEM, "DELETE"): Call(f"{API}/me/collections/{{collection}}/models/nobody/nothing", "analyst_key"),
    (f"{API}/collections/{{collection_id}}", "GET"): Call(f"{API}/collections/{{collection}}", "analyst_key"),
    (f"{API}/admin/users", "GET"): Call(f"{API}/admin/users", "admin_key"),
    (f"{API}/admin/users/{{user_id}}", "PATCH"): Call(f"{API}/admin/users/{{analyst}}", "admin_key", {"role": "admin"}),
    (f"{API}/admin/jobs", "GET"): Call(f"{API}/admin/jobs", "admin_key"),
    (f"{API}/admin/jobs", "POST"): Call(f"{API}/admin/jobs", "admin_key", {"kind": "sync"}),
    (f"{API}/admin/jobs/{{job_id}}", "GET"): Call(f"{API}/admin/jobs/{MISSING_ID}", "admin_key"),
    (f"{API}/admin/audit", "GET"): Call(f"{API}/admin/audit", "admin_key"),
}
# The request that makes an operation answer one of its own codes, where its CALLS entry does not.
OWN = {
    (f"{API}/models", "GET", "INVALID_PARAMETER"): Call(f"{API}/models?sort=bogus"),
    (f"{API}/models/{{repo_id}}/ancestry", "GET", "INVALID_PARAMETER"): Call(
        f"{API}/models/nobody/nothing/ancestry?depth=0"
    ),
    (f"{API}/trending", "GET", "INVALID_PARAMETER"): Call(f"{API}/trending?limit=0"),
    (f"{API}/compare", "GET", "INVALID_PARAMETER"): Call(f"{API}/compare?ids=nobody/nothing"),
    (f"{API}/models/{{repo_id}}/similar", "GET", "INVALID_PARAMETER"): Call(
        f"{API}/models/nobody/nothing/similar?limit=51"
    ),
    (f"{API}/stats/{{dimension}}", "GET", "INVALID_PARAMETER"): Call(f"{API}/stats/colour"),
    (f"{API}/papers/{{paper_id}}", "GET", "INVALID_PARAMETER"): Call(f"{API}/papers/2401.9"),
    (f"{API}/auth/signup", "POST", "INVALID_FIELD"): Call(f"{API}/auth/signup", body={"email": "new@example.org"}),
    (f"{API}/auth/signup", "POST", "EMAIL_TAKEN"): Call(
        f"{API}/auth/signup", body={"email": ANALYST, "password": PASSWORD}
    ),
    (f"{API}/auth/login", "POST", "INVALID_FIELD"): Call(f"{API}/auth/login", body={"email": ANALYST}),
    (f"{API}/auth/login", "POST", "LOGIN_RATE_LIMITED"): Call(
        f"{API}/auth/login", body={"email": ANALYST, "password": PASSWORD}, throttled=True
    ),
    (f"{API}/auth/logout", "POST", "INVALID_FIELD"): Call(
        f"{API}/auth/logout", "analyst_session", {"everywhere": "maybe"}
    ),
    (f"{API}/me/keys", "POST", "INVALID_FIELD"): Call(f"{API}/me/keys", "analyst_session", {}),
    (f"{API}/me/keys/{{key_id}}", "DELETE", "KEY_NOT_FOUND"): Call(f"{API}/me/keys/{{admin_key}}", "analyst_session"),
    (f"{API}/me/searches", "POST", "INVALID_FIELD"): Call(
        f"{API}/me/searches", "analyst_key", {"name": "n", "query": "sort=bogus"}
    ),
    (SEARCH, "PATCH", "INVALID_FIELD"): Call(f"{API}/me/searches/{{search}}", "analyst_key", {"query": "sort=bogus"}),
    **{
        (path, method, "SEARCH_NOT_FOUND"): Call(url, "analyst_key", body)
        for path, method, url, body in (
            (SEARCH, "GET", f"{API}/me/searches/{MISSING_ID}", None),
            (SEARCH, "PATCH", f"{API}/me/searches/{MISSING_ID}", {"name": "renamed"}),
            (SEARCH, "DELETE", f"{API}/me/searches/{MISSING_ID}", None),
            (f"{SEARCH}/new", "GET", f"{API}/me/searches/{MISSING_ID}/new", None),
            (f"{SEARCH}/deliveries", "GET", f"{API}/me/searches/{MISSING_ID}/deliveries", None),
        )
    },
    (f"{API}/me/collections", "POST", "INVALID_FIELD"): Call(f"{API}/me/collections", "analyst_key", {"name": ""}),
    (COLLECTION, "PATCH", "INVALID_FIELD"): Call(f"{API}/me/collections/{{collection}}", "analyst_key", {"name": ""}),
    (ITEM, "PUT", "INVALID_FIELD"): Call(
        f"{API}/me/collections/{{collection}}/models/nobody/nothing", "analyst_key", {"note": 1}
    ),
    **{
        (path, method, "COLLECTION_NOT_FOUND"): Call(url, caller, body)
        for path, method, url, caller, body in (
            (COLLECTION, "PATCH", f"{API}/me/collections/{MISSING_ID}", "analyst_key", {"public": True}),
            (COLLECTION, "DELETE", f"{API}/me/collections/{MISSING_ID}", "analyst_key", None),
            (ITEM, "PUT", f"{API}/me/collections/{MISSING_ID}/models/a/b", "analyst_key", {"note": ""}),
            (ITEM, "DELETE", f"{API}/me/collections/{MISSING_ID}/models/a/b", "analyst_key", None),
            (f"{API}/collections/{{collection_id}}", "GET", f"{API}/collections/{{collection}}", "anonymous", None),
        )
    },
    (f"{API}/collections/{{collection_id}}", "GET", "INVALID_PARAMETER"): Call(
        f"{API}/collections/{{collection}}?format=xml", "analyst_key"
    ),
    (f"{API}/admin/users", "GET", "INVALID_PARAMETER"): Call(f"{API}/admin/users?page=0", "admin_key"),
    (f"{API}/admin/users/{{user_id}}", "PATCH", "INVALID_FIELD"): Call(
        f"{API}/admin/users/{{analyst}}", "admin_key", {"role": "emperor"}
    ),
    (f"{API}/admin/users/{{user_id}}", "PATCH", "USER_NOT_FOUND"): Call(
        f"{API}/admin/users/{MISSING_ID}", "admin_key", {"role": "admin"}
    ),
    (f"{API}/admin/users/{{user_id}}", "PATCH", "LAST_ADMIN"): Call(
        f"{API}/admin/users/{{admin}}", "admin_key", {"role": "analyst"}
    ),
    (f"{API}/admin/jobs", "POST", "INVALID_FIELD"): Call(f"{API}/admin/jobs", "admin_key", {"kind": "reindex"}),
    (f"{API}/admin/jobs", "GET", "INVALID_PARAMETER"): Call(f"{API}/admin/jobs?limit=0", "admin_key"),
    (f"{API}/admin/audit", "GET", "INVALID_PARAMETER"): Call(f"{API}/admin/audit?action=bogus", "admin_key"),
    # These two touch the database only to look up a caller: send one.
    (f"{API}/auth/csrf", "GET", "DATABASE_UNAVAILABLE"): Call(f"{API}/auth/csrf", "analyst_key"),
    (f"{API}/auth/csrf", "GET", "QUERY_TIMEOUT"): Call(f"{API}/auth/csrf", "analyst_key"),
    (f"{API}/me", "GET", "DATABASE_UNAVAILABLE"): Call(f"{API}/me", "analyst_key"),
    (f"{API}/me", "GET", "QUERY_TIMEOUT"): Call(f"{API}/me", "analyst_key"),
}
# The caller that gets each code of the guards (app.auth.identity) from any operation they guard.
GUARD_CALLERS = {
    "INVALID_CREDENTIALS": "unknown_key",
    "KEY_REVOKED": "revoked_key",
    "KEY_EXPIRED": "expired_key",
    "TOKEN_EXPIRED": "expired_token",
    "ACCOUNT_DISABLED": "disabled_key",
    "AUTHENTICATION_REQUIRED": "anonymous",
    "SESSION_REQUIRED": "analyst_key",
    "ROLE_REQUIRED": "analyst_key",
}
# A caller's own session without the CSRF token, for CSRF_FAILED.
WITHOUT_CSRF = {"anonymous": "anonymous_no_csrf", "analyst": "analyst_no_csrf", "admin": "admin_no_csrf"}

# What openapi.json says each operation answers, besides its success and 304. Every API request's
# caller is looked up first (a bearer, a session cookie): its refusals and database failures are on each.
IDENTITY = [
    "INVALID_CREDENTIALS",
    "KEY_REVOKED",
    "KEY_EXPIRED",
    "TOKEN_EXPIRED",
    "ACCOUNT_DISABLED",
    "DATABASE_UNAVAILABLE",
    "QUERY_TIMEOUT",
]
ANY = [*IDENTITY, "RATE_LIMITED"]
MUTATING = [*ANY, "CSRF_FAILED"]
BODY = ["INVALID_BODY", "INVALID_FIELD"]
SIGNED_IN = ["AUTHENTICATION_REQUIRED"]
ADMIN_ONLY = [*SIGNED_IN, "ROLE_REQUIRED"]
SESSION_ONLY = [*SIGNED_IN, "SESSION_REQUIRED"]
DOCUMENTED = {
    (f"{API}/health", "GET"): IDENTITY,
    (f"{API}/ready", "GET"): ["MIGRATIONS_PENDING", "SCHEMA_NEWER_THAN_CODE", *IDENTITY],
    (f"{API}/models", "GET"): ["INVALID_PARAMETER", *ANY],
    (f"{API}/models/{{repo_id}}", "GET"): ["MODEL_NOT_FOUND", *ANY],
    (f"{API}/models/{{repo_id}}/ancestry", "GET"): ["INVALID_PARAMETER", "MODEL_NOT_FOUND", *ANY],
    (f"{API}/models/{{repo_id}}/lineage/timeline", "GET"): ["MODEL_NOT_FOUND", *ANY],
    (f"{API}/models/{{repo_id}}/lineage/tree", "GET"): ["MODEL_NOT_FOUND", *ANY],
    (f"{API}/models/{{repo_id}}/history", "GET"): ["MODEL_NOT_FOUND", *ANY],
    (f"{API}/models/{{repo_id}}/similar", "GET"): ["INVALID_PARAMETER", "MODEL_NOT_FOUND", *ANY],
    (f"{API}/trending", "GET"): ["INVALID_PARAMETER", *ANY],
    (f"{API}/live", "GET"): ANY,
    (f"{API}/compare", "GET"): ["INVALID_PARAMETER", "MODEL_NOT_FOUND", *ANY],
    (f"{API}/live/stream", "GET"): ["LIVE_STREAM_UNAVAILABLE", *ANY],
    (f"{API}/stats", "GET"): ANY,
    (f"{API}/stats/{{dimension}}", "GET"): ["INVALID_PARAMETER", *ANY],
    (f"{API}/authors/{{author}}", "GET"): ["AUTHOR_NOT_FOUND", *ANY],
    (f"{API}/papers/{{paper_id}}", "GET"): ["INVALID_PARAMETER", "PAPER_NOT_FOUND", *ANY],
    (f"{API}/auth/csrf", "GET"): ANY,
    (f"{API}/auth/signup", "POST"): [*BODY, "EMAIL_TAKEN", *MUTATING],
    (f"{API}/auth/login", "POST"): [*BODY, "LOGIN_FAILED", "LOGIN_RATE_LIMITED", *MUTATING],
    (f"{API}/auth/logout", "POST"): [*BODY, *SESSION_ONLY, *MUTATING],
    (f"{API}/auth/token", "POST"): [*SIGNED_IN, *MUTATING],
    (f"{API}/me", "GET"): ANY,
    (f"{API}/me/keys", "GET"): [*SIGNED_IN, *ANY],
    (f"{API}/me/keys", "POST"): [*BODY, *SESSION_ONLY, *MUTATING],
    (f"{API}/me/keys/{{key_id}}", "DELETE"): [*SESSION_ONLY, "KEY_NOT_FOUND", *MUTATING],
    (f"{API}/me/searches", "GET"): [*SIGNED_IN, *ANY],
    (f"{API}/me/searches", "POST"): [*BODY, *SIGNED_IN, *MUTATING],
    (SEARCH, "GET"): [*SIGNED_IN, "SEARCH_NOT_FOUND", *ANY],
    (SEARCH, "PATCH"): [*BODY, *SIGNED_IN, "SEARCH_NOT_FOUND", *MUTATING],
    (SEARCH, "DELETE"): [*SIGNED_IN, "SEARCH_NOT_FOUND", *MUTATING],
    (f"{SEARCH}/new", "GET"): [*SIGNED_IN, "SEARCH_NOT_FOUND", *ANY],
    (f"{SEARCH}/deliveries", "GET"): [*SIGNED_IN, "SEARCH_NOT_FOUND", *ANY],
    (f"{API}/feeds/searches/{{token}}", "GET"): ["FEED_NOT_FOUND", *ANY],
    (f"{API}/me/collections", "GET"): [*SIGNED_IN, *ANY],
    (f"{API}/me/collections", "POST"): [*BODY, *SIGNED_IN, *MUTATING],
    (COLLECTION, "PATCH"): [*BODY, *SIGNED_IN, "COLLECTION_NOT_FOUND", *MUTATING],
    (COLLECTION, "DELETE"): [*SIGNED_IN, "COLLECTION_NOT_FOUND", *MUTATING],
    (ITEM, "PUT"): [*BODY, *SIGNED_IN, "COLLECTION_NOT_FOUND", "COLLECTION_MODEL_NOT_FOUND", *MUTATING],
    (ITEM, "DELETE"): [*SIGNED_IN, "COLLECTION_NOT_FOUND", "COLLECTION_MODEL_NOT_FOUND", *MUTATING],
    (f"{API}/collections/{{collection_id}}", "GET"): ["INVALID_PARAMETER", "COLLECTION_NOT_FOUND", *ANY],
    (f"{API}/admin/users", "GET"): ["INVALID_PARAMETER", *ADMIN_ONLY, *ANY],
    (f"{API}/admin/users/{{user_id}}", "PATCH"): [*BODY, *ADMIN_ONLY, "USER_NOT_FOUND", "LAST_ADMIN", *MUTATING],
    (f"{API}/admin/jobs", "GET"): ["INVALID_PARAMETER", *ADMIN_ONLY, *ANY],
    (f"{API}/admin/jobs", "POST"): [*BODY, *ADMIN_ONLY, *MUTATING],
    (f"{API}/admin/jobs/{{job_id}}", "GET"): [*ADMIN_ONLY, "JOB_NOT_FOUND", *ANY],
    (f"{API}/admin/audit", "GET"): ["INVALID_PARAMETER", *ADMIN_ONLY, *ANY],
}
CASES = [(path, method, code) for (path, method), codes in DOCUMENTED.items() for code in codes]
RETRY_AFTER = {"RATE_LIMITED", "LOGIN_RATE_LIMITED", "DATABASE_UNAVAILABLE", "QUERY_TIMEOUT", "LIVE_STREAM_UNAVAILABLE"}


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


def test_openapi_documents_exactly_these_codes_per_operation(client):
    spec = client.get(f"{API}/openapi.json").json
    documented: dict[tuple[str, str], set[str]] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            codes = documented.setdefault((path, method.upper()), set())
            for status, response in operation["responses"].items():
                for code in response.get(ERROR_CODES, []):
                    assert ERRORS[code].status == int(status), code  # listed under the table's status
                    codes.add(code)
    assert documented == {operation: set(codes) for operation, codes in DOCUMENTED.items()}
    assert set(CALLS) == set(DOCUMENTED)  # a request for every operation the cases vary
    enum = spec["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["enum"]
    assert set(enum) == set(ERRORS)


@dataclass(frozen=True)
class Caller:
    bearer: str | None = None  # sent as `Authorization: Bearer ...`
    session: str | None = None  # a live session's token, put in the client's session cookie
    csrf: bool = True  # send the CSRF cookie and header, as the dashboard does


@dataclass(frozen=True)
class People:
    ids: dict[str, int]
    callers: dict[str, Caller]


@pytest.fixture
def people(db) -> People:
    """An analyst, an admin and a disabled account, with sessions and keys: every kind of caller."""
    with db.session() as session:
        analyst, admin = create_user(session, ANALYST, None), create_user(session, ADMIN, None, "admin")
        gone = create_user(session, DISABLED, None)
        analyst_key, key = create_key(session, analyst.id, "script")
        admin_key, admin_secret = create_key(session, admin.id, "ops")
        old, revoked = create_key(session, analyst.id, "old")
        revoke_key(session, analyst.id, old.id)
        _, lapsed = create_key(session, analyst.id, "lapsed", expires_at=datetime.now(UTC) - timedelta(seconds=1))
        _, disabled = create_key(session, gone.id, "left behind")
        set_disabled(session, gone.id, True)
        sessions = {user.email: open_session(session, user, address=None, user_agent=None) for user in (analyst, admin)}
        saved = save_search(session, analyst.id, "watched", "q=llama")
        kept = create_collection(session, analyst.id, "picks")  # private: anonymous readers get a 404
        session.commit()
        ids = {"analyst": analyst.id, "admin": admin.id, "analyst_key": analyst_key.id, "admin_key": admin_key.id}
        ids["search"], ids["collection"] = saved.id, kept.id
    expired, _ = issue_token(TEST_SECRET_KEY, ids["analyst"], ids["analyst_key"], lifetime=-60)
    callers = {
        "anonymous": Caller(),
        "anonymous_no_csrf": Caller(csrf=False),
        "analyst_session": Caller(session=sessions[ANALYST]),
        "analyst_no_csrf": Caller(session=sessions[ANALYST], csrf=False),
        "admin_no_csrf": Caller(session=sessions[ADMIN], csrf=False),
        "analyst_key": Caller(bearer=key),
        "admin_key": Caller(bearer=admin_secret),
        "unknown_key": Caller(bearer="mck_" + "x" * 43),
        "revoked_key": Caller(bearer=revoked),
        "expired_key": Caller(bearer=lapsed),  # keys made with an expiry (data.accounts.keys) lapse
        "expired_token": Caller(bearer=expired),
        "disabled_key": Caller(bearer=disabled),
    }
    return People(ids, callers)


def call_for(path: str, method: str, code: str) -> Call:
    """The request that makes the operation answer `code`."""
    if (path, method, code) in OWN:
        return OWN[path, method, code]
    call = CALLS[path, method]
    if code in GUARD_CALLERS:
        return replace(call, caller=GUARD_CALLERS[code])
    if code == "CSRF_FAILED":  # the same account by its session ("admin_key" → "admin_no_csrf")
        return replace(call, caller=WITHOUT_CSRF[call.caller.split("_")[0]])
    if code == "INVALID_BODY":
        return replace(call, body=RAW)
    return call


def client_of(app, caller: Caller):
    """A test client that sends what `caller` holds; the headers to send with it."""
    client, headers = app.test_client(), {}
    if caller.bearer:
        headers["Authorization"] = f"Bearer {caller.bearer}"
    if caller.session:
        with client.session_transaction() as cookie:  # Flask-Login's key for the signed-in user
            cookie["_user_id"] = caller.session
    if caller.csrf:
        token = new_token(TEST_SECRET_KEY)
        client.set_cookie(CSRF_COOKIE, token)
        headers[CSRF_HEADER] = token
    return client, headers


def send(client, headers: dict, method: str, call: Call, ids: dict[str, int]):
    body: dict[str, Any] = {}
    if call.body is RAW:
        body = {"data": RAW, "content_type": "application/json"}
    elif call.body is not None:
        body = {"json": call.body}
    return client.open(call.url.format(**ids), method=method, headers=headers, **body)


def exhaust_sign_ins(app, email: str) -> None:
    """Count failed sign-ins in the app's throttle, as the login route does, until it refuses."""
    throttle = app.extensions["catalog_auth"].throttle
    for _ in range(100):
        if throttle.retry_after("127.0.0.1", email) is not None:
            return
        throttle.failed("127.0.0.1", email)
    raise AssertionError("the sign-in throttle never refused")


@pytest.fixture
def answer(settings, db, people, monkeypatch) -> Iterator:
    """The answer of an operation when it fails with `code`, the failure made as it happens in use."""
    unreachable = Database.from_urls(UNREACHABLE)

    def make(path: str, method: str, code: str):
        call = call_for(path, method, code)
        caller = people.callers[call.caller]
        if code == "DATABASE_UNAVAILABLE":
            app = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=UNREACHABLE), unreachable)
            return send(*client_of(app, caller), method, call, people.ids)
        if code == "RATE_LIMITED":
            limited = settings.model_copy(update={"rate_limit": "1/minute", "key_rate_limit": "1/minute"})
            client, headers = client_of(create_app(limited, db), caller)
            send(client, headers, method, call, people.ids)
            return send(client, headers, method, call, people.ids)
        no_streams = code == "LIVE_STREAM_UNAVAILABLE"  # a server whose streams are all taken
        app = create_app(settings.model_copy(update={"live_streams": 0}) if no_streams else settings, db)
        client, headers = client_of(app, caller)
        if call.throttled:
            exhaust_sign_ins(app, call.body["email"])
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
        return send(client, headers, method, call, people.ids)

    yield make
    unreachable.dispose()


@pytest.mark.parametrize("path, method, code", CASES)
def test_every_documented_error_is_answered_in_the_envelope(answer, path, method, code):
    response = answer(path, method, code)
    assert_envelope(response, code)
    if code in RETRY_AFTER:  # a client may retry these: it is told when
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
    model = CALLS[f"{API}/models/{{repo_id}}", "GET"].url
    assert assert_envelope(client.get(model), "MODEL_NOT_FOUND")["details"] == {"id": "nobody/nothing"}
    author = CALLS[f"{API}/authors/{{author}}", "GET"].url
    assert assert_envelope(client.get(author), "AUTHOR_NOT_FOUND")["details"] == {"author": "nobody"}
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
