"""The audit log (#14): one row per action saying who, what, when, from which address and
request; no secret in any row nor in any log line; rows that no role can change or delete.

The app runs behind one trusted proxy (CATALOG_TRUSTED_PROXIES=1, as behind deploy/nginx): the
address an audit row keeps is what that proxy says the client is, not the proxy's own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import requests
from click.testing import CliRunner
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.factory import create_app
from app.logs import JsonFormatter, TextFormatter
from app.settings import Settings
from data.accounts import audit
from data.accounts.keys import SHOWN_PREFIX_LENGTH
from data.accounts.tables import AuditEntry
from data.accounts.users import create_user
from data.db import Database
from tests.served import catalog_database, serve
from tests.stack import TEST_SECRET_KEY
from tests.test_admin_api import role_callback  # the request the users page sends

API = "/api/v1"
PASSWORD = "a long enough password"
CLIENT = "203.0.113.7"  # the caller, as the trusted proxy reports it
PROXY = "10.9.8.7"  # REMOTE_ADDR: the proxy in front of the app
FORGED = "198.51.100.66"  # what the caller claims in X-Forwarded-For: further left, not trusted
FORWARDED = {"X-Forwarded-For": f"{FORGED}, {CLIENT}"}  # the proxy appends the peer it saw
# Secrets the runs below hand over; none may be written anywhere.
ADMIN_PASSWORD = "root's own long password"
ANA_PASSWORD = "ana's correct horse battery"
WRONG_PASSWORD = "ana's wrong horse battery"
GUESS_PASSWORD = "a guess at nobody's password"
OIDC_SECRET = "oidc-client-secret-0f9e8d7c6b5a"


@pytest.fixture
def app(settings, db):
    return create_app(settings.model_copy(update={"rate_limit": "off", "trusted_proxies": 1}), database=db)


class Caller:
    """A browser (or script) reaching the app through the proxy; `send` adds the CSRF header."""

    def __init__(self, app):
        self.http = app.test_client()
        self.send("GET", "/auth/csrf")

    def send(self, method: str, path: str, body: dict | None = None, **headers: str):
        cookie = self.http.get_cookie("_csrf_token")
        if cookie is not None and "Authorization" not in headers:
            headers["X-CSRFToken"] = cookie.value
        headers = FORWARDED | headers
        return self.http.open(
            API + path, method=method, json=body, headers=headers, environ_base={"REMOTE_ADDR": PROXY}
        )

    def dash(self, body: dict):
        """A Dash callback, as the page's renderer posts it (CSRF header from the cookie)."""
        headers = FORWARDED | {"X-CSRFToken": self.http.get_cookie("_csrf_token").value}
        return self.http.post(
            "/_dash-update-component", json=body, headers=headers, environ_base={"REMOTE_ADDR": PROXY}
        )


def make_user(db: Database, email: str, role: str = "analyst") -> int:
    with db.session() as session:
        user = create_user(session, email, PASSWORD, role)
        session.commit()
        return user.id


def last_audit_id(db: Database) -> int:
    with db.session(read_only=True) as session:
        return session.scalar(text("SELECT coalesce(max(id), 0) FROM audit_log"))


def audit_after(db: Database, after_id: int) -> list[AuditEntry]:
    with db.session(read_only=True) as session:
        query = select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id)
        return list(session.scalars(query))


@dataclass
class World:
    """The app and its database; `act` sends the one request under test and keeps what it wrote."""

    app: object
    db: Database
    settings: Settings
    free_port: int
    response: object = None
    written: list[AuditEntry] = field(default_factory=list)
    started: datetime | None = None
    finished: datetime | None = None

    def caller(self) -> Caller:
        return Caller(self.app)

    def signed_in(self, email: str, password: str = PASSWORD) -> Caller:
        caller = self.caller()
        answer = caller.send("POST", "/auth/login", {"email": email, "password": password})
        assert answer.status_code == 200, answer.json
        return caller

    def user(self, email: str, role: str = "analyst") -> int:
        return make_user(self.db, email, role)

    def act(self, request: Callable[[], object]):
        before = last_audit_id(self.db)
        self.started = datetime.now(UTC)
        self.response = request()
        self.response.get_data()  # a streamed answer (the CSV) is done once read
        self.finished = datetime.now(UTC)
        self.written = audit_after(self.db, before)
        return self.response


@pytest.fixture
def world(app, db, unused_port) -> World:
    return World(app, db, app.config["CATALOG_SETTINGS"], unused_port)


@dataclass(frozen=True)
class Expected:
    action: str
    actor_id: int | None
    actor_email: str | None
    target_type: str | None = None
    target_id: str | None = None
    details: dict = field(default_factory=dict)


# --- the actions: each sets up, then `act`s once, and says the row it should have written --


def signup(world: World) -> Expected:
    answer = world.act(
        lambda: world.caller().send("POST", "/auth/signup", {"email": "New@Example.org", "password": PASSWORD})
    )
    assert answer.status_code == 201, answer.json
    new = answer.json["data"]["id"]
    return Expected("auth.signup", new, "new@example.org", "user", str(new))


def login(world: World) -> Expected:
    ana = world.user("ana@example.org")
    caller = world.caller()
    answer = world.act(lambda: caller.send("POST", "/auth/login", {"email": "ana@example.org", "password": PASSWORD}))
    assert answer.status_code == 200, answer.json
    return Expected("auth.login", ana, "ana@example.org")


def login_unknown_email(world: World) -> Expected:
    caller = world.caller()
    answer = world.act(
        lambda: caller.send("POST", "/auth/login", {"email": "Nobody@Example.org", "password": PASSWORD})
    )
    assert answer.json["error"]["code"] == "LOGIN_FAILED"
    return Expected("auth.login_failed", None, None, details={"email": "nobody@example.org"})


def login_wrong_password(world: World) -> Expected:
    world.user("ana@example.org")
    caller = world.caller()
    wrong = {"email": "ana@example.org", "password": "not the password at all"}
    answer = world.act(lambda: caller.send("POST", "/auth/login", wrong))
    assert answer.json["error"]["code"] == "LOGIN_FAILED"
    return Expected("auth.login_failed", None, None, details={"email": "ana@example.org"})


def login_disabled(world: World) -> Expected:
    ana = world.user("ana@example.org")
    world.user("root@example.org", "admin")
    world.signed_in("root@example.org").send("PATCH", f"/admin/users/{ana}", {"disabled": True})
    caller = world.caller()
    answer = world.act(lambda: caller.send("POST", "/auth/login", {"email": "ana@example.org", "password": PASSWORD}))
    assert answer.json["error"]["code"] == "LOGIN_FAILED"
    return Expected("auth.login_failed", None, None, details={"email": "ana@example.org"})


def logout(world: World) -> Expected:
    ana = world.user("ana@example.org")
    caller = world.signed_in("ana@example.org")
    answer = world.act(lambda: caller.send("POST", "/auth/logout"))
    assert answer.status_code == 200, answer.json
    return Expected("auth.logout", ana, "ana@example.org")


def logout_everywhere(world: World) -> Expected:
    ana = world.user("ana@example.org")
    caller = world.signed_in("ana@example.org")
    world.signed_in("ana@example.org")  # another browser: ended too
    answer = world.act(lambda: caller.send("POST", "/auth/logout", {"everywhere": True}))
    assert answer.status_code == 200, answer.json
    return Expected("auth.logout_everywhere", ana, "ana@example.org", details={"sessions": 2})


def key_create(world: World) -> Expected:
    ana = world.user("ana@example.org")
    caller = world.signed_in("ana@example.org")
    answer = world.act(lambda: caller.send("POST", "/me/keys", {"name": "nightly script"}))
    assert answer.status_code == 201, answer.json
    key_id = str(answer.json["data"]["id"])
    return Expected("key.create", ana, "ana@example.org", "key", key_id, {"name": "nightly script"})


def key_revoke(world: World) -> Expected:
    ana = world.user("ana@example.org")
    caller = world.signed_in("ana@example.org")
    key_id = caller.send("POST", "/me/keys", {"name": "old"}).json["data"]["id"]
    answer = world.act(lambda: caller.send("DELETE", f"/me/keys/{key_id}"))
    assert answer.status_code == 200, answer.json
    return Expected("key.revoke", ana, "ana@example.org", "key", str(key_id), {"name": "old"})


def enable(world: World) -> Expected:
    ana = world.user("ana@example.org")
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    admin.send("PATCH", f"/admin/users/{ana}", {"disabled": True})
    answer = world.act(lambda: admin.send("PATCH", f"/admin/users/{ana}", {"disabled": False}))
    assert answer.status_code == 200, answer.json
    return Expected("user.enable", root, "root@example.org", "user", str(ana))


def oidc_refused(world: World) -> Expected:
    provider = {"oidc_issuer": f"http://127.0.0.1:{world.free_port}", "oidc_client_id": "catalog"}
    settings = world.settings.model_copy(update={**provider, "oidc_client_secret": SecretStr(OIDC_SECRET)})
    caller = Caller(create_app(settings, database=world.db))
    answer = world.act(lambda: caller.send("GET", "/auth/oidc/login?next=/account"))
    assert answer.status_code == 302 and "error=OIDC_PROVIDER_FAILED" in answer.headers["Location"]
    reason = world.written[0].details["reason"]
    assert reason.startswith("discovery: "), reason  # nobody listens there
    details = {"issuer": provider["oidc_issuer"], "code": "OIDC_PROVIDER_FAILED", "reason": reason}
    return Expected("auth.oidc_failed", None, None, details=details)


def token(world: World) -> Expected:
    ana = world.user("ana@example.org")
    created = world.signed_in("ana@example.org").send("POST", "/me/keys", {"name": "browser app"}).json["data"]
    script = world.caller()
    answer = world.act(lambda: script.send("POST", "/auth/token", Authorization=f"Bearer {created['key']}"))
    assert answer.status_code == 200, answer.json
    return Expected("auth.token", ana, "ana@example.org", "key", str(created["id"]))


def role_change(world: World) -> Expected:
    ana = world.user("ana@example.org")
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    answer = world.act(lambda: admin.send("PATCH", f"/admin/users/{ana}", {"role": "admin"}))
    assert answer.status_code == 200, answer.json
    return Expected(
        "user.role_change", root, "root@example.org", "user", str(ana), {"before": "analyst", "after": "admin"}
    )


def role_change_on_the_users_page(world: World) -> Expected:
    ana = world.user("ana@example.org")
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    answer = world.act(lambda: admin.dash(role_callback(ana, "admin")))
    assert "ana@example.org is now admin." in answer.get_data(as_text=True)
    return Expected(
        "user.role_change", root, "root@example.org", "user", str(ana), {"before": "analyst", "after": "admin"}
    )


def disable(world: World) -> Expected:
    ana = world.user("ana@example.org")
    world.signed_in("ana@example.org")
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    answer = world.act(lambda: admin.send("PATCH", f"/admin/users/{ana}", {"disabled": True}))
    assert answer.status_code == 200, answer.json
    return Expected("user.disable", root, "root@example.org", "user", str(ana), {"sessions_ended": 1})


def sync_start(world: World) -> Expected:
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    answer = world.act(lambda: admin.send("POST", "/admin/jobs", {"kind": "sync"}))
    assert answer.status_code == 202, answer.json
    job = str(answer.json["data"]["id"])
    return Expected("admin.sync_start", root, "root@example.org", "job", job, {"joined_existing": False})


def audit_export(world: World) -> Expected:
    root = world.user("root@example.org", "admin")
    admin = world.signed_in("root@example.org")
    answer = world.act(lambda: admin.send("GET", "/admin/audit?format=csv&action=auth.login"))
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return Expected("admin.audit_export", root, "root@example.org", details={"filters": {"action": "auth.login"}})


ACTIONS = [
    signup,
    login,
    login_unknown_email,
    login_wrong_password,
    login_disabled,
    logout,
    logout_everywhere,
    key_create,
    key_revoke,
    token,
    role_change,
    role_change_on_the_users_page,
    disable,
    enable,
    sync_start,
    audit_export,
    oidc_refused,
]


@pytest.mark.parametrize("action", ACTIONS, ids=[action.__name__ for action in ACTIONS])
def test_each_action_writes_one_row_of_who_what_when_where_and_which_request(world, action):
    expected = action(world)
    assert len(world.written) == 1, [(row.action, row.details) for row in world.written]
    (row,) = world.written
    assert Expected(row.action, row.actor_id, row.actor_email, row.target_type, row.target_id, row.details) == expected
    assert row.address == CLIENT  # the proxy's word for the client: neither the proxy nor the forged hop
    assert row.request_id == world.response.headers["X-Request-ID"]  # what the caller can quote back
    assert world.started <= row.at <= world.finished


def test_revoking_a_revoked_key_again_writes_no_second_row(world):
    # As a role set to the role it has: nothing happened, so nothing is logged as having happened.
    world.user("ana@example.org")
    caller = world.signed_in("ana@example.org")
    key_id = caller.send("POST", "/me/keys", {"name": "old"}).json["data"]["id"]
    first = world.act(lambda: caller.send("DELETE", f"/me/keys/{key_id}"))
    assert [row.action for row in world.written] == ["key.revoke"]
    again = world.act(lambda: caller.send("DELETE", f"/me/keys/{key_id}"))
    assert again.status_code == 200 and again.json["data"]["revoked_at"] == first.json["data"]["revoked_at"]
    assert world.written == []


def test_the_callers_own_request_id_is_kept_and_a_forged_one_replaced(world):
    world.user("ana@example.org")
    credentials = {"email": "ana@example.org", "password": PASSWORD}
    caller = world.caller()
    world.act(lambda: caller.send("POST", "/auth/login", credentials, **{"X-Request-ID": "support-ticket-42"}))
    assert [row.request_id for row in world.written] == ["support-ticket-42"]
    assert world.response.headers["X-Request-ID"] == "support-ticket-42"

    forged = 'x" action="auth.logout'  # a header that would forge a log field
    world.act(lambda: world.caller().send("POST", "/auth/login", credentials, **{"X-Request-ID": forged}))
    (row,) = world.written
    assert row.request_id == world.response.headers["X-Request-ID"] != forged
    assert re.fullmatch(r"[0-9a-f]{32}", row.request_id)  # a fresh uuid4 hex


def test_without_a_trusted_proxy_the_address_is_the_peers_and_x_forwarded_for_is_ignored(settings, db):
    untrusting = settings.model_copy(update={"rate_limit": "off"})
    world = World(create_app(untrusting, database=db), db, untrusting, 0)
    world.user("ana@example.org")
    caller = world.caller()
    world.act(lambda: caller.send("POST", "/auth/login", {"email": "ana@example.org", "password": "wrong password!"}))
    assert [(row.action, row.address) for row in world.written] == [("auth.login_failed", PROXY)]


# --- no secret anywhere -------------------------------------------------------------------


def every_audit_row(db: Database) -> list[str]:
    """Every row, every column (details included), as PostgreSQL itself renders it."""
    with db.session(read_only=True) as session:
        return list(session.scalars(text("SELECT row_to_json(audit_log)::text FROM audit_log ORDER BY id")))


def log_lines(records: list[logging.LogRecord]) -> list[str]:
    """Each record as the deployed app writes it (JSON, with its extra fields) and as a terminal shows it."""
    formats = (JsonFormatter(), TextFormatter())
    return [formatter.format(record) for record in records for formatter in formats]


def leaks(secrets_: dict[str, str], written: dict[str, str]) -> list[tuple[str, str]]:
    """(which secret, where) for every secret found in a written text."""
    return [(name, where) for name, value in secrets_.items() for where, text_ in written.items() if value in text_]


def session_token(app, caller: Caller) -> str:
    """The session token inside the signed cookie (the cookie carries it, the database its hash)."""
    cookie = caller.http.get_cookie("catalog_session").value
    return app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]


KEY_LIMIT = 3  # the token exchange and the two calls of /me by the key and its token


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_no_secret_reaches_the_audit_log_or_the_app_log(fresh_database_url, unused_port, caplog):
    url = fresh_database_url
    secrets_seen: dict[str, str] = {}  # name -> value: every secret the run handed out or was given
    with caplog.at_level(logging.DEBUG):
        cli = CliRunner().invoke(
            main,
            ["users", "create", "root@example.org", "--admin"],
            input=ADMIN_PASSWORD + "\n",
            env={"CATALOG_DATABASE_URL": url},
        )
        assert cli.exit_code == 0, cli.output
        logging.getLogger().setLevel(logging.DEBUG)  # the CLI set its own level; caplog restores it after
        settings = Settings(
            secret_key=TEST_SECRET_KEY,
            database_url=url,
            rate_limit="off",
            key_rate_limit=f"{KEY_LIMIT}/minute",  # the key's requests below reach it: key.rate_limited
            trusted_proxies=1,
            oidc_issuer=f"http://127.0.0.1:{unused_port}",  # nobody there: a refused OIDC sign-in
            oidc_client_id="catalog",
            oidc_client_secret=OIDC_SECRET,
        )
        app = create_app(settings)
        db: Database = app.extensions["catalog_db"]
        try:
            exported = run_every_action(app, secrets_seen)
            rows = every_audit_row(db)
        finally:
            db.dispose()

    actions = {json.loads(row)["action"] for row in rows}
    assert actions == set(audit.ACTIONS) - {"auth.oidc_login"}, "every action ran, so every kind of row is checked"
    lines = log_lines(caplog.records)
    assert any(record.name == "catalog.access" for record in caplog.records), "the access log was captured"
    assert any(record.levelno == logging.DEBUG for record in caplog.records), "DEBUG lines were captured"

    key = secrets_seen["api key"]
    secrets_seen |= {
        "admin password": ADMIN_PASSWORD,
        "analyst password": ANA_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "guessed password": GUESS_PASSWORD,
        "OIDC client secret": OIDC_SECRET,
        "secret key": TEST_SECRET_KEY,
        "api key beyond its shown prefix": key[: SHOWN_PREFIX_LENGTH + 1],
        "api key hash": sha256_hex(key),
        "api key hash prefix": sha256_hex(key)[:12],
    }
    written = {"audit rows": "\n".join(rows), "log lines": "\n".join(lines), "CLI output": cli.output}
    written["CSV export"] = exported
    assert leaks(secrets_seen, written) == []


def run_every_action(app, secrets_seen: dict[str, str]) -> str:
    """Every audited action, through the API as a browser and a script do it; the secrets it
    handed out go into `secrets_seen`. Returns the audit CSV an admin exported at the end."""
    visitor = Caller(app)
    assert (
        visitor.send("POST", "/auth/signup", {"email": "ana@example.org", "password": ANA_PASSWORD}).status_code == 201
    )
    ana_id = visitor.send("GET", "/me").json["data"]["id"]
    for email, password in (("nobody@example.org", GUESS_PASSWORD), ("ana@example.org", WRONG_PASSWORD)):
        assert Caller(app).send("POST", "/auth/login", {"email": email, "password": password}).status_code == 401
    ana = Caller(app)
    assert ana.send("POST", "/auth/login", {"email": "ana@example.org", "password": ANA_PASSWORD}).status_code == 200
    created = ana.send("POST", "/me/keys", {"name": "script"}).json["data"]
    key = created["key"]
    script = Caller(app)
    jwt = script.send("POST", "/auth/token", Authorization=f"Bearer {key}").json["data"]["token"]
    for credential in (key, jwt):
        assert script.send("GET", "/me", Authorization=f"Bearer {credential}").json["data"]["id"] == ana_id
    assert script.send("GET", "/me", Authorization=f"Bearer {key}").status_code == 429  # KEY_LIMIT reached
    bogus = "mck_" + uuid.uuid4().hex
    assert script.send("GET", "/me", Authorization=f"Bearer {bogus}").status_code == 401
    assert ana.send("DELETE", f"/me/keys/{created['id']}").status_code == 200
    secrets_seen |= {"api key": key, "token": jwt, "unknown key presented": bogus}
    secrets_seen |= cookies_of(app, "visitor", visitor) | cookies_of(app, "analyst", ana)
    assert ana.send("POST", "/auth/logout").status_code == 200
    assert visitor.send("POST", "/auth/logout", {"everywhere": True}).status_code == 200

    admin = Caller(app)
    assert (
        admin.send("POST", "/auth/login", {"email": "root@example.org", "password": ADMIN_PASSWORD}).status_code == 200
    )
    secrets_seen |= cookies_of(app, "admin", admin)
    for change in ({"role": "admin"}, {"role": "analyst"}, {"disabled": True}, {"disabled": False}):
        assert admin.send("PATCH", f"/admin/users/{ana_id}", change).status_code == 200
    assert admin.send("POST", "/admin/jobs", {"kind": "sync"}).status_code == 202
    oidc = admin.send("GET", "/auth/oidc/login?next=/account")
    assert oidc.status_code in (302, 303), oidc.status_code  # back to the login page, refused
    export = admin.send("GET", "/admin/audit?format=csv")
    assert export.status_code == 200
    return export.get_data(as_text=True)


def cookies_of(app, who: str, caller: Caller) -> dict[str, str]:
    """The session cookie, the session token in it, its hash, and the CSRF token of a signed-in caller."""
    token_ = session_token(app, caller)
    return {
        f"{who}'s session cookie": caller.http.get_cookie("catalog_session").value,
        f"{who}'s session token": token_,
        f"{who}'s session token hash": sha256_hex(token_),
        f"{who}'s CSRF token": caller.http.get_cookie("_csrf_token").value,
    }


# --- append-only --------------------------------------------------------------------------


@pytest.fixture
def entry(db) -> tuple[int, str]:
    """One committed row: its id and its row as JSON."""
    with db.session() as session:
        audit.record(session, "key.create", audit.Actor(None, "ana@example.org"), target_type="key", target_id=1)
        session.commit()
    with db.session(read_only=True) as session:
        row_id = session.scalar(text("SELECT max(id) FROM audit_log"))
        return row_id, row_json(db, row_id)


def row_json(db: Database, row_id: int) -> str:
    with db.session(read_only=True) as session:
        return session.scalar(text("SELECT row_to_json(audit_log)::text FROM audit_log WHERE id = :id"), {"id": row_id})


CHANGES = {
    "UPDATE": "UPDATE audit_log SET actor_email = 'someone@else.org', details = '{}' WHERE id = :id",
    "DELETE": "DELETE FROM audit_log WHERE id = :id",
    "TRUNCATE": "TRUNCATE audit_log",
}


def refused(db: Database, statement: str, row_id: int, *, first: str | None = None) -> str:
    """The database's refusal of `statement`, in a savepoint, after the `first` (a SET LOCAL)."""
    with db.session() as session:
        savepoint = session.begin_nested()
        try:
            if first:
                session.execute(text(first))
            session.execute(text(statement), {"id": row_id})
        except DBAPIError as error:
            savepoint.rollback()
            return str(error.orig)
        savepoint.rollback()
    pytest.fail(f"{statement!r} was allowed")


@pytest.mark.parametrize("operation", CHANGES)
def test_no_update_delete_or_truncate_even_for_the_owner(db, entry, operation):
    # The tests connect as the owner (a superuser even): privileges would not bind it; the trigger does.
    row_id, before = entry
    reason = refused(db, CHANGES[operation], row_id)
    assert f"audit_log is append-only: {operation} refused" in reason
    assert row_json(db, row_id) == before


@pytest.mark.parametrize("operation", CHANGES)
def test_a_role_granted_every_privilege_still_cannot_change_a_row(db, entry, operation):
    # A role made in the test's transaction (rolled back with it), given all it could be given.
    role = f"audit_test_{uuid.uuid4().hex[:10]}"
    with db.session() as session:
        session.execute(text(f"CREATE ROLE {role}"))
        session.execute(text(f"GRANT ALL ON audit_log TO {role}"))
        session.commit()
    row_id, before = entry
    assert f"{operation} refused" in refused(db, CHANGES[operation], row_id, first=f"SET LOCAL ROLE {role}")
    assert row_json(db, row_id) == before
    assert "must be owner" in refused(
        db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change", row_id, first=f"SET LOCAL ROLE {role}"
    )


def test_the_app_can_still_append(db, entry):
    row_id, _ = entry
    with db.session() as session:
        audit.record(session, "auth.logout", audit.Actor(1, "ana@example.org"))
        session.commit()
    assert last_audit_id(db) > row_id


# --- the same under a real `catalog serve`, its log at DEBUG --------------------------------


def test_a_served_catalog_logs_no_secret_even_at_debug(server_url, template_url, unused_port):
    with catalog_database(server_url) as url:
        environment = {
            "CATALOG_LOG_LEVEL": "DEBUG",
            "CATALOG_LOG_FORMAT": "json",
            "CATALOG_OIDC_ISSUER": f"http://127.0.0.1:{unused_port}",
            "CATALOG_OIDC_CLIENT_ID": "catalog",
            "CATALOG_OIDC_CLIENT_SECRET": OIDC_SECRET,
        }
        with serve(url, **environment) as served:
            secrets_seen = served_actions(served.url)
            log = served.log.read_text()
        db = Database.from_urls(url)
        try:
            rows = every_audit_row(db)
        finally:
            db.dispose()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert {line["logger"] for line in lines} >= {"catalog.access"}
    assert any(line["level"] == "DEBUG" for line in lines), "the log was at DEBUG"
    assert {json.loads(row)["action"] for row in rows} >= {"auth.signup", "key.create", "auth.token", "auth.logout"}
    secrets_seen |= {"password": ANA_PASSWORD, "OIDC client secret": OIDC_SECRET, "secret key": TEST_SECRET_KEY}
    written = {"server log": log, "audit rows": "\n".join(rows)}
    assert leaks(secrets_seen, written) == []


def served_actions(base: str) -> dict[str, str]:
    """Sign up, make a key and its token and use both, try the OIDC provider, sign out; the
    secrets handed out on the way."""
    browser = requests.Session()
    csrf = browser.get(f"{base}{API}/auth/csrf", timeout=10).json()["data"]["csrf_token"]
    headers = {"X-CSRFToken": csrf}
    body = {"email": "ana@example.org", "password": ANA_PASSWORD}
    assert browser.post(f"{base}{API}/auth/signup", json=body, headers=headers, timeout=10).status_code == 201
    session_cookie = browser.cookies["catalog_session"]
    key = browser.post(f"{base}{API}/me/keys", json={"name": "script"}, headers=headers, timeout=10).json()["data"][
        "key"
    ]
    by_key = {"Authorization": f"Bearer {key}"}
    jwt = requests.post(f"{base}{API}/auth/token", headers=by_key, timeout=10).json()["data"]["token"]
    for credential in (key, jwt):
        answer = requests.get(f"{base}{API}/me", headers={"Authorization": f"Bearer {credential}"}, timeout=10)
        assert answer.json()["data"]["email"] == "ana@example.org"
    browser.get(f"{base}{API}/auth/oidc/login?next=/account", timeout=10, allow_redirects=False)
    assert browser.post(f"{base}{API}/auth/logout", headers=headers, timeout=10).status_code == 200
    return {"CSRF token": csrf, "session cookie": session_cookie, "api key": key, "token": jwt}


@pytest.mark.parametrize("operation", CHANGES)
def test_replica_mode_does_not_switch_the_refusal_off(db, entry, operation):
    # session_replication_role = replica skips ordinary triggers: one SET by a superuser (the
    # compose file's app user is one) would otherwise make the log editable without any DDL.
    row_id, before = entry
    replica = "SET LOCAL session_replication_role = replica"
    assert f"{operation} refused" in refused(db, CHANGES[operation], row_id, first=replica)
    assert row_json(db, row_id) == before
