"""The accounts API as its users meet it (issue #14): sign-up, sign-in and -out, the session
cookie, API keys, tokens for keys, CSRF and the sign-in throttle — through the Flask test
client against the real PostgreSQL (and Redis for the throttle shared by processes).

Not here: which caller may call which route (the access matrix), nor what the audit log records."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import redis
from sqlalchemy import select, text, update

import app.api  # noqa: F401  (first: app.auth, imported before it, is a circular import)
from app.api.http import HttpOptions
from app.auth import SESSION_COOKIE
from app.auth.csrf import CSRF_COOKIE, CSRF_HEADER, new_token
from app.auth.throttle import PER_ADDRESS_AND_ACCOUNT
from app.auth.tokens import ALGORITHM, AUDIENCE, ISSUER, TOKEN_LIFETIME_SECONDS, issue_token
from app.factory import create_app
from data.accounts.keys import create_key
from data.accounts.passwords import MAX_PASSWORD_LENGTH
from data.accounts.tables import ApiKey, UserSession
from data.accounts.users import create_user
from data.db import Database
from tests.stack import TEST_SECRET_KEY

API = "/api/v1"
PASSWORD = "a long enough password"
REDIS_URL = os.environ.get("CATALOG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
KEY_FIELDS = {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"}


@pytest.fixture
def app(settings, db):
    # No request rate limit: these tests are about accounts (the sign-in throttle counts anyway).
    return create_app(settings.model_copy(update={"rate_limit": "off"}), database=db)


# --- helpers ------------------------------------------------------------------------------


def make_user(db: Database, email: str) -> int:
    with db.session() as session:
        user = create_user(session, email, PASSWORD)
        session.commit()
        return user.id


def csrf(client) -> str:
    """The client's CSRF token: its cookie's, or a new one (which also sets the cookie)."""
    cookie = client.get_cookie(CSRF_COOKIE)
    return cookie.value if cookie else client.get(f"{API}/auth/csrf").json["data"]["csrf_token"]


def send(client, method: str, path: str, body=None, **headers: str):
    """A request as a browser page sends it: the CSRF header unless a bearer is sent instead."""
    if "Authorization" not in headers:
        headers[CSRF_HEADER] = csrf(client)
    return client.open(API + path, method=method, json=body, headers=headers)


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def sign_in(app, email: str, password: str = PASSWORD):
    """A new client signed in as `email`."""
    client = app.test_client()
    answer = client.post(
        f"{API}/auth/login",
        json={"email": email, "password": password},
        headers={CSRF_HEADER: csrf(client)},
    )
    assert answer.status_code == 200, answer.json
    return client


def new_key(client, name: str = "script") -> dict:
    answer = send(client, "POST", "/me/keys", {"name": name})
    assert answer.status_code == 201, answer.json
    return answer.json["data"]


def me(client, **headers: str) -> dict:
    answer = client.get(f"{API}/me", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json["data"]


def error(response, status: int, code: str) -> dict:
    """The error of an answer that must be `status` `code` in the API's envelope."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert set(response.json) == {"error"}
    found = response.json["error"]
    assert set(found) == {"code", "message", "details"} and found["code"] == code
    assert isinstance(found["message"], str) and found["message"]
    return found


def set_cookies(response) -> dict[str, str]:
    """The Set-Cookie headers of an answer, by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def key_rows(db: Database, user_id: int) -> list[ApiKey]:
    with db.session() as session:
        return list(session.scalars(select(ApiKey).where(ApiKey.user_id == user_id)))


def token_for(client, key: str) -> str:
    answer = client.post(f"{API}/auth/token", headers=bearer(key))
    assert answer.status_code == 200, answer.json
    return answer.json["data"]["token"]


@pytest.fixture
def ana(app, db):
    """(a signed-in client of ana@example.org, her user id)."""
    user_id = make_user(db, "ana@example.org")
    return sign_in(app, "ana@example.org"), user_id


# --- sign-up, sign-in, sign-out -----------------------------------------------------------


def test_sign_up_signs_in_and_a_later_sign_in_gives_a_session_me_knows(app, db):
    client = app.test_client()
    signed_up = send(client, "POST", "/auth/signup", {"email": " Ada@Example.org ", "password": PASSWORD})
    assert signed_up.status_code == 201
    account = signed_up.json["data"]
    assert (account["email"], account["role"], account["authenticated_by"]) == ("ada@example.org", "analyst", "session")
    assert me(client)["id"] == account["id"]

    other = sign_in(app, "ADA@example.org")  # the address is one account whatever its case
    assert me(other) == {**account, "key_id": None}
    assert me(app.test_client())["authenticated_by"] == "anonymous"


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(app, db):
    make_user(db, "ana@example.org")
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    handed = client.get(f"{API}/auth/csrf", **https)
    token = handed.json["data"]["csrf_token"]
    assert handed.headers["Cache-Control"] == "no-store"
    csrf_cookie = set_cookies(handed)[CSRF_COOKIE]
    assert f"{CSRF_COOKIE}={token}" in csrf_cookie  # the body repeats the cookie
    # Dash's renderer reads the CSRF cookie: it must not be HttpOnly; it still stays on TLS.
    assert "Secure" in csrf_cookie and "HttpOnly" not in csrf_cookie and "SameSite=Lax" in csrf_cookie

    login = {"email": "ana@example.org", "password": PASSWORD}
    answer = client.post(f"{API}/auth/login", json=login, headers={CSRF_HEADER: token}, **https)
    assert answer.status_code == 200
    cookie = set_cookies(answer)[SESSION_COOKIE]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert client.get(f"{API}/me", **https).json["data"]["email"] == "ana@example.org"

    plain = app.test_client()
    over_http = plain.post(f"{API}/auth/login", json=login, headers={CSRF_HEADER: csrf(plain)})
    assert "Secure" not in set_cookies(over_http)[SESSION_COOKIE]  # plain http: usable on 127.0.0.1


def test_a_wrong_password_and_an_unknown_email_are_the_same_401(app, db):
    make_user(db, "ana@example.org")
    client = app.test_client()
    wrong = send(client, "POST", "/auth/login", {"email": "ana@example.org", "password": "not her password"})
    unknown = send(client, "POST", "/auth/login", {"email": "bob@example.org", "password": PASSWORD})
    assert error(wrong, 401, "LOGIN_FAILED") == error(unknown, 401, "LOGIN_FAILED")
    assert wrong.json["error"]["message"] == "Wrong email or password."
    assert SESSION_COOKIE not in set_cookies(wrong) and me(client)["authenticated_by"] == "anonymous"


def test_sign_out_ends_the_session_and_its_cookie_replayed_no_longer_works(app, ana):
    client, _ = ana
    stolen = client.get_cookie(SESSION_COOKIE).value
    replay = app.test_client()
    replay.set_cookie(SESSION_COOKIE, stolen)
    assert me(replay)["email"] == "ana@example.org"  # the copy works while the session lives

    signed_out = send(client, "POST", "/auth/logout")
    assert signed_out.status_code == 200 and signed_out.json["data"]["authenticated_by"] == "anonymous"
    assert me(client)["authenticated_by"] == "anonymous"
    assert me(replay)["authenticated_by"] == "anonymous"  # revoked server-side, not only forgotten
    error(send(replay, "POST", "/me/keys", {"name": "after"}), 401, "AUTHENTICATION_REQUIRED")


def test_sign_out_everywhere_ends_the_other_clients_sessions_and_sign_out_does_not(app, ana):
    laptop, _ = ana
    phone = sign_in(app, "ana@example.org")
    tablet = sign_in(app, "ana@example.org")
    assert send(tablet, "POST", "/auth/logout", {"everywhere": False}).status_code == 200
    assert me(laptop)["email"] == me(phone)["email"] == "ana@example.org"

    assert send(laptop, "POST", "/auth/logout", {"everywhere": True}).status_code == 200
    assert me(phone)["authenticated_by"] == me(laptop)["authenticated_by"] == "anonymous"
    sign_in(app, "ana@example.org")  # the account itself is fine: a new sign-in works


def test_a_session_past_its_lifetime_is_signed_out(db, ana):
    client, user_id = ana
    with db.session() as session:  # 30 days later, as far as the row can tell
        session.execute(update(UserSession).where(UserSession.user_id == user_id).values(expires_at=datetime.now(UTC)))
        session.commit()
    assert me(client)["authenticated_by"] == "anonymous"
    error(client.get(f"{API}/me/keys"), 401, "AUTHENTICATION_REQUIRED")


# --- API keys -----------------------------------------------------------------------------


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(db, ana):
    client, user_id = ana
    created = new_key(client, "nightly export")
    key = created["key"]
    assert set(created) == KEY_FIELDS | {"key"} and created["name"] == "nightly export"
    assert key.startswith("mck_") and created["prefix"] == key[:10]

    listing = client.get(f"{API}/me/keys")
    assert [set(item) for item in listing.json["data"]] == [KEY_FIELDS]  # never the key
    assert key not in listing.get_data(as_text=True)
    [row] = key_rows(db, user_id)
    assert row.secret_hash == hashlib.sha256(key.encode()).digest()
    with db.session() as session:  # the whole row as PostgreSQL holds it: the hash, never the key
        stored = session.scalar(text("SELECT row_to_json(k)::text FROM api_keys k WHERE k.id = :id"), {"id": row.id})
    assert created["prefix"] in stored and key not in stored


def test_a_key_works_as_bearer_and_its_listing_shows_when_it_was_last_used(app, ana):
    client, user_id = ana
    created = new_key(client)
    [before] = client.get(f"{API}/me/keys").json["data"]
    assert (before["id"], before["name"], before["last_used_at"]) == (created["id"], "script", None)
    assert before["created_at"] == created["created_at"]

    caller = app.test_client()  # no cookie at all: the key alone
    assert me(caller, **bearer(created["key"])) == {
        "id": user_id,
        "email": "ana@example.org",
        "role": "analyst",
        "authenticated_by": "key",
        "key_id": created["id"],
    }
    assert caller.get(f"{API}/me", headers=bearer(created["key"])).headers["Cache-Control"] == "private, no-store"
    assert caller.get(f"{API}/models?per_page=1", headers=bearer(created["key"])).status_code == 200
    [after] = client.get(f"{API}/me/keys").json["data"]
    assert after["last_used_at"] is not None and after["last_used_at"] >= after["created_at"]


def test_a_revoked_key_is_refused_as_revoked(app, ana):
    client, _ = ana
    created = new_key(client)
    revoked = send(client, "DELETE", f"/me/keys/{created['id']}")
    assert revoked.status_code == 200 and revoked.json["data"]["revoked_at"] is not None
    assert "key" not in revoked.json["data"]

    refused = app.test_client().get(f"{API}/me", headers=bearer(created["key"]))
    assert "revoked" in error(refused, 401, "KEY_REVOKED")["message"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    [listed] = client.get(f"{API}/me/keys").json["data"]
    assert listed["revoked_at"] == revoked.json["data"]["revoked_at"]


def test_a_key_past_its_expiry_is_refused_as_expired_and_so_are_its_tokens(app, db, ana):
    _, user_id = ana
    with db.session() as session:
        row, key = create_key(session, user_id, "short-lived", expires_at=datetime.now(UTC) - timedelta(seconds=1))
        key_id = row.id
        session.commit()
    caller = app.test_client()
    assert "expired" in error(caller.get(f"{API}/me", headers=bearer(key)), 401, "KEY_EXPIRED")["message"]
    error(caller.post(f"{API}/auth/token", headers=bearer(key)), 401, "KEY_EXPIRED")
    token, _ = issue_token(TEST_SECRET_KEY, user_id, key_id)  # made while it was live
    error(caller.get(f"{API}/me", headers=bearer(token)), 401, "KEY_EXPIRED")


def test_nobody_can_revoke_someone_elses_key(app, db, ana):
    client, _ = ana
    hers = new_key(client)
    make_user(db, "bob@example.org")
    bob = sign_in(app, "bob@example.org")
    found = error(send(bob, "DELETE", f"/me/keys/{hers['id']}"), 404, "KEY_NOT_FOUND")
    missing = error(send(bob, "DELETE", "/me/keys/987654321"), 404, "KEY_NOT_FOUND")
    assert found["message"] == missing["message"].replace("987654321", str(hers["id"]))  # hers looks like none
    assert bob.get(f"{API}/me/keys").json["data"] == []
    assert me(app.test_client(), **bearer(hers["key"]))["email"] == "ana@example.org"  # still live


@pytest.mark.parametrize("key_id", ["9223372036854775808", "99999999999999999999"])
def test_a_key_id_beyond_any_row_is_a_404_not_a_database_error(ana, key_id):
    # Ids are PostgreSQL bigints: a larger one was once looked up, and failed as a 500.
    client, _ = ana
    error(send(client, "DELETE", f"/me/keys/{key_id}"), 404, "NOT_FOUND")  # as /admin/users/{id} answers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/me/keys", {"name": "another"}), ("DELETE", "/me/keys/{id}", None), ("POST", "/auth/logout", None)],
)
def test_keys_and_tokens_cannot_make_keys_revoke_them_or_sign_out(app, db, ana, method, path, body):
    client, user_id = ana
    created = new_key(client)
    caller = app.test_client()
    for credential in (created["key"], token_for(caller, created["key"])):
        answer = caller.open(API + path.format(id=created["id"]), method=method, json=body, headers=bearer(credential))
        assert "signed-in session" in error(answer, 403, "SESSION_REQUIRED")["message"]
    [row] = key_rows(db, user_id)  # nothing made, nothing revoked
    assert row.revoked_at is None
    assert me(client)["authenticated_by"] == "session"


def test_a_key_may_list_its_accounts_keys(app, ana):
    client, _ = ana
    first, second = new_key(client, "first"), new_key(client, "second")
    listing = app.test_client().get(f"{API}/me/keys", headers=bearer(first["key"]))
    assert [item["id"] for item in listing.json["data"]] == [second["id"], first["id"]]  # newest first
    assert listing.json["meta"]["count"] == 2
    assert listing.headers["Cache-Control"] == "private, no-store"


# --- tokens -------------------------------------------------------------------------------


def test_a_key_is_exchanged_for_a_15_minute_token_that_works_as_bearer(app, ana):
    client, user_id = ana
    created = new_key(client)
    caller = app.test_client()
    answer = caller.post(f"{API}/auth/token", headers=bearer(created["key"]))  # no CSRF: a bearer
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    issued = answer.json["data"]
    assert issued["token_type"] == "Bearer"
    assert TOKEN_LIFETIME_SECONDS - 5 <= issued["expires_in"] <= TOKEN_LIFETIME_SECONDS == 900
    assert abs(issued["expires_at"] - (time.time() + TOKEN_LIFETIME_SECONDS)) < 5

    token = issued["token"]
    assert me(caller, **bearer(token)) == {
        "id": user_id,
        "email": "ana@example.org",
        "role": "analyst",
        "authenticated_by": "token",
        "key_id": created["id"],
    }
    assert caller.get(f"{API}/models?per_page=1", headers=bearer(token)).status_code == 200


def test_a_token_past_its_expiry_is_refused_as_expired(app, ana):
    client, user_id = ana
    created = new_key(client)
    expired, expires_at = issue_token(TEST_SECRET_KEY, user_id, created["id"], lifetime=-60)
    assert expires_at < time.time()
    refused = app.test_client().get(f"{API}/me", headers=bearer(expired))
    assert "POST /api/v1/auth/token" in error(refused, 401, "TOKEN_EXPIRED")["message"]  # says how to renew
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoking_a_key_ends_its_tokens_at_once(app, ana):
    client, _ = ana
    created = new_key(client)
    caller = app.test_client()
    token = token_for(caller, created["key"])
    assert me(caller, **bearer(token))["authenticated_by"] == "token"
    assert send(client, "DELETE", f"/me/keys/{created['id']}").status_code == 200
    error(caller.get(f"{API}/me", headers=bearer(token)), 401, "KEY_REVOKED")


def _claims(user_id: int, key_id: int) -> dict:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": str(user_id), "key": key_id, "iat": now, "exp": now + 600}


def _garbled_signature(token: str) -> str:
    # Not the last character: its low bits may be base64 padding that decodes the same.
    return token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]


FORGERIES = {
    "another secret": lambda uid, kid, good: issue_token("another-deployments-secret-key-0123456789", uid, kid)[0],
    # The raw secret key signs the session cookie; tokens must be signed with their own key.
    "the raw secret key": lambda uid, kid, good: jwt.encode(_claims(uid, kid), TEST_SECRET_KEY, algorithm=ALGORITHM),
    "no signature (alg none)": lambda uid, kid, good: jwt.encode(_claims(uid, kid), None, algorithm="none"),
    "a garbled signature": lambda uid, kid, good: _garbled_signature(good),
    "a garbled payload": lambda uid, kid, good: good.replace(".", ".x", 1),
    "three dots of nothing": lambda uid, kid, good: "a.b.c",
    "someone else's user id": lambda uid, kid, good: issue_token(TEST_SECRET_KEY, uid + 1, kid)[0],
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_or_garbled_token_is_invalid_credentials(app, ana, forgery):
    client, user_id = ana
    created = new_key(client)
    good = token_for(app.test_client(), created["key"])
    forged = FORGERIES[forgery](user_id, created["id"], good)
    assert forged != good
    refused = app.test_client().get(f"{API}/me", headers=bearer(forged))
    error(refused, 401, "INVALID_CREDENTIALS")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_only_a_key_is_exchanged_for_a_token(app, ana):
    client, _ = ana
    token = token_for(app.test_client(), new_key(client)["key"])
    again = app.test_client().post(f"{API}/auth/token", headers=bearer(token))
    error(again, 401, "AUTHENTICATION_REQUIRED")  # a token cannot extend itself
    error(send(client, "POST", "/auth/token"), 401, "AUTHENTICATION_REQUIRED")  # nor a session mint one


# --- CSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "/me/keys", {"name": "csrf"}), ("DELETE", "/me/keys/{id}", None), ("POST", "/auth/logout", None)],
)
def test_a_change_with_a_session_cookie_and_no_csrf_header_is_refused(db, ana, method, path, body):
    client, user_id = ana
    existing = new_key(client)
    answer = client.open(API + path.format(id=existing["id"]), method=method, json=body)
    found = error(answer, 403, "CSRF_FAILED")
    assert found["details"] == {"reason": f"no {CSRF_HEADER} header"}
    assert CSRF_HEADER in found["message"] and "GET /api/v1/auth/csrf" in found["message"]  # names the fix
    [row] = key_rows(db, user_id)  # nothing made, nothing revoked, still signed in
    assert row.id == existing["id"] and row.revoked_at is None
    assert me(client)["authenticated_by"] == "session"


def _foreign_pair(client) -> str:
    """A cookie and header that agree but were signed by another deployment."""
    forged = new_token("another-deployments-secret-key-0123456789")
    client.set_cookie(CSRF_COOKIE, forged)
    return forged


CSRF_ATTACKS = {
    # A valid token of this catalog, but not the one in this browser's cookie.
    "a token from another browser": lambda client: new_token(TEST_SECRET_KEY),
    "the cookie's nonce with a made-up mac": lambda client: csrf(client).split(".")[0] + "." + "0" * 32,
    "a pair signed elsewhere": _foreign_pair,
    "an unsigned pair": lambda client: (client.set_cookie(CSRF_COOKIE, "forged"), "forged")[1],
}


@pytest.mark.parametrize("attack", CSRF_ATTACKS)
def test_a_mismatched_or_forged_csrf_token_is_refused_and_changes_nothing(db, ana, attack):
    client, user_id = ana
    header = CSRF_ATTACKS[attack](client)
    answer = client.post(f"{API}/me/keys", json={"name": "forged"}, headers={CSRF_HEADER: header})
    assert error(answer, 403, "CSRF_FAILED")["details"] == {"reason": "the header does not match the cookie"}
    assert key_rows(db, user_id) == []


def test_sign_in_itself_needs_the_csrf_token(app, db):
    make_user(db, "ana@example.org")
    client = app.test_client()
    csrf(client)  # the cookie alone is what a cross-site form would ride on
    answer = client.post(f"{API}/auth/login", json={"email": "ana@example.org", "password": PASSWORD})
    error(answer, 403, "CSRF_FAILED")
    assert SESSION_COOKIE not in set_cookies(answer) and me(client)["authenticated_by"] == "anonymous"


def test_a_bearer_needs_no_csrf_and_is_never_helped_by_a_session_cookie(app, db, ana):
    client, user_id = ana
    created = new_key(client)
    assert app.test_client().post(f"{API}/auth/token", headers=bearer(created["key"])).status_code == 200
    # With a bearer the cookie is ignored: no CSRF check, and the key's own (lesser) rights.
    mixed = client.post(f"{API}/me/keys", json={"name": "sneaky"}, headers=bearer(created["key"]))
    error(mixed, 403, "SESSION_REQUIRED")
    assert [row.id for row in key_rows(db, user_id)] == [created["id"]]


def _keys_callback() -> dict:
    """The account page's key list callback, as the dashboard posts it."""
    from components import account as view

    return {
        "output": f"{view.KEYS}.children",
        "outputs": {"id": view.KEYS, "property": "children"},
        "inputs": [{"id": view.KEYS_CHANGED, "property": "data", "value": 1}],
        "state": [],
        "changedPropIds": [f"{view.KEYS_CHANGED}.data"],
    }


def test_a_dash_callback_with_a_session_cookie_needs_the_csrf_token(app, ana):
    client, _ = ana
    new_key(client, "seen by the page")
    refused = client.post("/_dash-update-component", json=_keys_callback())
    assert error(refused, 403, "CSRF_FAILED")["details"] == {"reason": f"no {CSRF_HEADER} header"}
    allowed = client.post("/_dash-update-component", json=_keys_callback(), headers={CSRF_HEADER: csrf(client)})
    assert allowed.status_code == 200 and "seen by the page" in allowed.get_data(as_text=True)
    # A visitor without a session acts for nobody: its callbacks are not checked.
    assert app.test_client().post("/_dash-update-component", json=_keys_callback()).status_code == 200


# --- the sign-in throttle -----------------------------------------------------------------


@pytest.fixture
def redis_prefix():
    """A Redis key prefix of this test's own; its keys (and only those) are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as problem:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must run in CI at {REDIS_URL}: {problem}")
        pytest.skip(f"no Redis at {REDIS_URL} ({problem}); set CATALOG_TEST_REDIS_URL")
    prefix = f"catalog-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def _login(client, email: str, password: str, address: str):
    return client.post(
        f"{API}/auth/login",
        json={"email": email, "password": password},
        headers={CSRF_HEADER: csrf(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_repeated_failures_throttle_the_account_from_that_address_across_processes(settings, db, redis_prefix):
    make_user(db, "ana@example.org")
    make_user(db, "bob@example.org")
    shared = settings.model_copy(update={"redis_url": REDIS_URL, "rate_limit": "off"})
    options = HttpOptions(redis_prefix=redis_prefix)
    first, second = (create_app(shared, database=db, http=options).test_client() for _ in range(2))
    address = "198.51.100.7"
    allowed = PER_ADDRESS_AND_ACCOUNT.amount
    for attempt in range(allowed):  # the failures of both processes add up in Redis
        answer = _login(first if attempt % 2 else second, "ana@example.org", "wrong password!", address)
        error(answer, 401, "LOGIN_FAILED")

    for client, password in ((first, "wrong password!"), (second, PASSWORD)):  # the right one too
        refused = _login(client, "Ana@Example.org", password, address)
        found = error(refused, 429, "LOGIN_RATE_LIMITED")
        retry = int(refused.headers["Retry-After"])
        assert 1 <= retry <= PER_ADDRESS_AND_ACCOUNT.get_expiry()
        assert found["details"] == {"retry_after_seconds": retry}
        assert f"retry in {retry} s" in found["message"] and "Too many failed sign-ins" in found["message"]
        assert SESSION_COOKIE not in set_cookies(refused)
    assert me(second)["authenticated_by"] == "anonymous"

    assert _login(first, "bob@example.org", PASSWORD, address).status_code == 200  # another account
    assert _login(second, "ana@example.org", PASSWORD, "198.51.100.8").status_code == 200  # another address
    stored = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}*")]
    assert any("login" in key for key in stored) and not any("ana@" in key.lower() for key in stored)


def test_successful_sign_ins_are_not_counted_as_failures(app, db):
    make_user(db, "ana@example.org")
    client = app.test_client()
    for _ in range(PER_ADDRESS_AND_ACCOUNT.amount + 1):
        assert _login(client, "ana@example.org", PASSWORD, "198.51.100.9").status_code == 200


# --- bad input ----------------------------------------------------------------------------

LONG_EMAIL = "a" * 250 + "@example.org"
BAD_CREDENTIALS = [
    pytest.param(
        {"data": "email=a@example.org", "content_type": "application/x-www-form-urlencoded"},
        "INVALID_BODY",
        None,
        id="a form",
    ),
    pytest.param({"data": "{not json", "content_type": "application/json"}, "INVALID_BODY", None, id="broken JSON"),
    pytest.param({"json": ["ana@example.org", PASSWORD]}, "INVALID_BODY", None, id="a JSON array"),
    pytest.param({"json": {"password": PASSWORD}}, "INVALID_FIELD", "email", id="no email"),
    pytest.param({"json": {"email": "ana@example.org"}}, "INVALID_FIELD", "password", id="no password"),
    pytest.param({"json": {"email": 7, "password": PASSWORD}}, "INVALID_FIELD", "email", id="a number for email"),
    pytest.param({"json": {"email": "ana@example.org", "password": None}}, "INVALID_FIELD", "password", id="null"),
    pytest.param({"json": {"email": LONG_EMAIL, "password": PASSWORD}}, "INVALID_FIELD", "email", id="long email"),
    pytest.param(
        {"json": {"email": "ana@example.org", "password": "p" * (MAX_PASSWORD_LENGTH + 1)}},
        "INVALID_FIELD",
        "password",
        id="a password just too long",
    ),
    # Far too long, yet within the body limit (app.guards): refused before argon2 ever sees it.
    pytest.param(
        {"json": {"email": "ana@example.org", "password": "p" * 50_000}},
        "INVALID_FIELD",
        "password",
        id="a 50 kB password",
    ),
    # PostgreSQL text cannot hold NUL: once a 500 (the email reaches a query, the audit log).
    pytest.param({"json": {"email": "ana\x00@example.org", "password": PASSWORD}}, "INVALID_FIELD", "email", id="NUL"),
]


@pytest.mark.parametrize("route", ["/auth/signup", "/auth/login"])
@pytest.mark.parametrize(("request_body", "code", "field"), BAD_CREDENTIALS)
def test_bad_credentials_bodies_are_a_400_in_the_envelope(app, db, route, request_body, code, field):
    make_user(db, "ana@example.org")
    client = app.test_client()
    answer = client.post(API + route, headers={CSRF_HEADER: csrf(client)}, **request_body)
    found = error(answer, 400, code)
    assert found["details"].get("field") == field
    assert me(client)["authenticated_by"] == "anonymous"


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"email": "not an address", "password": PASSWORD}, 400, "INVALID_FIELD", "email"),
        ({"email": "new@example.org", "password": "short"}, 400, "INVALID_FIELD", "password"),
        ({"email": "ANA@example.org", "password": PASSWORD}, 409, "EMAIL_TAKEN", "email"),
    ],
)
def test_sign_up_refuses_what_cannot_be_an_account(app, db, body, status, code, field):
    make_user(db, "ana@example.org")
    client = app.test_client()
    found = error(send(client, "POST", "/auth/signup", body), status, code)
    assert found["details"]["field"] == field
    assert me(client)["authenticated_by"] == "anonymous"


BAD_KEY_NAMES = [
    ({}, "INVALID_FIELD"),
    ({"name": ""}, "INVALID_FIELD"),
    ({"name": "   "}, "INVALID_FIELD"),
    ({"name": "n" * 101}, "INVALID_FIELD"),
    ({"name": 5}, "INVALID_FIELD"),
    ({"name": "a\x00b"}, "INVALID_FIELD"),
    ("a name", "INVALID_BODY"),  # JSON, but not an object
]


@pytest.mark.parametrize(("body", "code"), BAD_KEY_NAMES)
def test_a_key_needs_a_name_of_1_to_100_characters(db, ana, body, code):
    client, user_id = ana
    found = error(send(client, "POST", "/me/keys", body), 400, code)
    assert found["details"].get("field") == ("name" if code == "INVALID_FIELD" else None)
    assert key_rows(db, user_id) == []


def test_sign_out_with_a_body_that_is_not_a_choice_is_a_400_and_keeps_the_session(ana):
    client, _ = ana
    error(send(client, "POST", "/auth/logout", {"everywhere": "perhaps"}), 400, "INVALID_FIELD")
    assert me(client)["authenticated_by"] == "session"
