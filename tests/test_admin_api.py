"""The admin API: users and roles, jobs, the audit log (filters, keyset paging, CSV) — for admins only."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from app.factory import create_app
from data.accounts import audit
from data.accounts.tables import AuditEntry, Job
from data.accounts.users import create_user
from data.db import Database
from tests.served import catalog_database, serve

PASSWORD = "a long enough password"
API = "/api/v1"
ADMIN_ROUTES = [
    ("GET", "/admin/users", None),
    ("PATCH", "/admin/users/1", {"role": "admin"}),
    ("POST", "/admin/jobs", {"kind": "sync"}),
    ("GET", "/admin/jobs", None),
    ("GET", "/admin/jobs/1", None),
    ("GET", "/admin/audit", None),
    ("GET", "/admin/audit?format=csv", None),
]


@pytest.fixture
def app(settings, db):
    return create_app(settings.model_copy(update={"rate_limit": "off"}), database=db)


def make_user(db: Database, email: str, role: str = "analyst") -> int:
    with db.session() as session:
        user = create_user(session, email, PASSWORD, role)
        session.commit()
        return user.id


def signed_in(app, email: str):
    """A test client with a session of `email`; `send` adds the CSRF header."""
    client = app.test_client()
    client.get(f"{API}/auth/csrf")
    response = send(client, "POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return client


def send(client, method: str, path: str, body: dict | None = None, **headers: str):
    cookie = client.get_cookie("_csrf_token")
    if cookie is not None and "Authorization" not in headers:
        headers["X-CSRFToken"] = cookie.value
    return client.open(API + path, method=method, json=body, headers=headers)


def error_code(response) -> str:
    return response.json["error"]["code"]


def audit_rows(db: Database, action: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def admin(app, db):
    make_user(db, "root@example.org", "admin")
    return signed_in(app, "root@example.org")


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES)
def test_admin_routes_refuse_anonymous_visitors_and_analysts(app, db, method, path, body):
    anonymous = app.test_client()
    anonymous.get(f"{API}/auth/csrf")
    assert error_code(send(anonymous, method, path, body)) == "AUTHENTICATION_REQUIRED"
    make_user(db, "ana@example.org")
    analyst = signed_in(app, "ana@example.org")
    refused = send(analyst, method, path, body)
    assert refused.status_code == 403
    assert refused.json["error"] == {
        "code": "ROLE_REQUIRED",
        "message": "This needs the admin role; you are analyst.",
        "details": {"role": "admin", "current": "analyst"},
    }
    key = send(analyst, "POST", "/me/keys", {"name": "script"}).json["data"]["key"]
    by_key = send(app.test_client(), method, path, body, Authorization=f"Bearer {key}")
    assert by_key.status_code == 403 and error_code(by_key) == "ROLE_REQUIRED"


def test_an_admin_key_works_on_admin_routes(app, db, admin):
    key = send(admin, "POST", "/me/keys", {"name": "ops"}).json["data"]["key"]
    answer = app.test_client().get(f"{API}/admin/users", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200 and [user["email"] for user in answer.json["data"]] == ["root@example.org"]
    assert answer.headers["Cache-Control"] == "private, no-store"


# --- users --------------------------------------------------------------------------------


def test_users_are_listed_oldest_first_in_pages(db, admin):
    for name in ("b", "c", "d"):
        make_user(db, f"{name}@example.org")
    page = admin.get(f"{API}/admin/users?per_page=2&page=2").json
    assert [user["email"] for user in page["data"]] == ["c@example.org", "d@example.org"]
    assert page["meta"] == {"page": 2, "per_page": 2, "total": 4}
    assert set(page["data"][0]) == {"id", "email", "role", "created_at", "last_login_at", "disabled"}
    assert admin.get(f"{API}/admin/users?per_page=101").json["error"]["details"]["parameter"] == "per_page"


def test_a_role_change_is_audited_with_before_after_who_and_where(db, admin):
    user_id = make_user(db, "ana@example.org")
    answer = send(admin, "PATCH", f"/admin/users/{user_id}", {"role": "admin"})
    assert answer.status_code == 200 and answer.json["data"]["role"] == "admin"
    (row,) = audit_rows(db, "user.role_change")
    assert (row.actor_email, row.target_type, row.target_id) == ("root@example.org", "user", str(user_id))
    assert row.details == {"before": "analyst", "after": "admin"}
    assert row.address == "127.0.0.1" and row.request_id
    send(admin, "PATCH", f"/admin/users/{user_id}", {"role": "admin"})  # no change: no second row
    assert len(audit_rows(db, "user.role_change")) == 1


def test_the_last_admin_can_be_neither_demoted_nor_disabled(db, admin):
    (me,) = [user["id"] for user in admin.get(f"{API}/admin/users").json["data"]]
    for change in ({"role": "analyst"}, {"disabled": True}):
        refused = send(admin, "PATCH", f"/admin/users/{me}", change)
        assert refused.status_code == 409 and error_code(refused) == "LAST_ADMIN"
    other = make_user(db, "second@example.org", "admin")
    send(admin, "PATCH", f"/admin/users/{other}", {"disabled": True})  # a disabled admin is no admin
    assert error_code(send(admin, "PATCH", f"/admin/users/{me}", {"role": "analyst"})) == "LAST_ADMIN"
    send(admin, "PATCH", f"/admin/users/{other}", {"disabled": False})
    assert send(admin, "PATCH", f"/admin/users/{me}", {"role": "analyst"}).json["data"]["role"] == "analyst"
    assert audit_rows(db, "user.role_change")[-1].details == {"before": "admin", "after": "analyst"}


def test_disabling_ends_the_sessions_and_the_keys_stop_working(app, db, admin):
    user_id = make_user(db, "ana@example.org")
    analyst = signed_in(app, "ana@example.org")
    key = send(analyst, "POST", "/me/keys", {"name": "script"}).json["data"]["key"]
    by_key = {"Authorization": f"Bearer {key}"}
    assert app.test_client().get(f"{API}/me", headers=by_key).json["data"]["email"] == "ana@example.org"

    assert send(admin, "PATCH", f"/admin/users/{user_id}", {"disabled": True}).json["data"]["disabled"] is True
    assert analyst.get(f"{API}/me").json["data"]["authenticated_by"] == "anonymous"
    refused = app.test_client().get(f"{API}/me", headers=by_key)
    assert refused.status_code == 401 and error_code(refused) == "ACCOUNT_DISABLED"
    assert audit_rows(db, "user.disable")[0].details == {"sessions_ended": 1}

    send(admin, "PATCH", f"/admin/users/{user_id}", {"disabled": False})
    assert app.test_client().get(f"{API}/me", headers=by_key).status_code == 200
    assert analyst.get(f"{API}/me").json["data"]["authenticated_by"] == "anonymous"  # the session stays ended
    assert [row.target_id for row in audit_rows(db, "user.enable")] == [str(user_id)]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "INVALID_BODY"),
        ({"role": "root"}, 400, "INVALID_FIELD"),
        ({"disabled": "maybe"}, 400, "INVALID_FIELD"),
        ([1], 400, "INVALID_BODY"),
    ],
)
def test_bad_user_changes_are_a_clear_400(admin, body, status, code):
    answer = send(admin, "PATCH", "/admin/users/1", body)
    assert (answer.status_code, error_code(answer)) == (status, code)


def test_an_unknown_user_is_a_404_and_a_change_without_csrf_a_403(admin):
    assert error_code(send(admin, "PATCH", "/admin/users/999999", {"role": "admin"})) == "USER_NOT_FOUND"
    no_header = admin.patch(f"{API}/admin/users/1", json={"role": "admin"})
    assert no_header.status_code == 403 and error_code(no_header) == "CSRF_FAILED"


# --- jobs ---------------------------------------------------------------------------------


def test_starting_a_sync_queues_one_job_and_asking_again_returns_it(db, admin):
    first = send(admin, "POST", "/admin/jobs", {"kind": "sync"})
    assert first.status_code == 202 and first.json["meta"] == {"created": True}
    job = first.json["data"]
    assert (job["kind"], job["status"], job["started_at"], job["summary"]) == ("sync", "queued", None, None)
    again = send(admin, "POST", "/admin/jobs", {"kind": "sync"})
    assert again.status_code == 202 and again.json["data"]["id"] == job["id"] and again.json["meta"]["created"] is False
    rows = audit_rows(db, "admin.sync_start")
    assert [(row.target_id, row.details) for row in rows] == [
        (str(job["id"]), {"joined_existing": False}),
        (str(job["id"]), {"joined_existing": True}),
    ]
    assert admin.get(f"{API}/admin/jobs/{job['id']}").json["data"] == job
    assert admin.get(f"{API}/admin/jobs").json == {"data": [job], "meta": {"count": 1, "next": None}}
    missing = admin.get(f"{API}/admin/jobs/999999")
    assert missing.status_code == 404 and error_code(missing) == "JOB_NOT_FOUND"
    assert error_code(send(admin, "POST", "/admin/jobs", {"kind": "reboot"})) == "INVALID_FIELD"


def test_jobs_page_by_before(db, admin):
    with db.session() as session:
        session.add_all([Job(kind="sync", status="succeeded") for _ in range(3)])
        session.commit()
        ids = sorted(session.scalars(select(Job.id)), reverse=True)
    first = admin.get(f"{API}/admin/jobs?limit=2").json
    assert [job["id"] for job in first["data"]] == ids[:2] and first["meta"]["next"] == ids[1]
    rest = admin.get(f"{API}/admin/jobs?limit=2&before={ids[1]}").json
    assert [job["id"] for job in rest["data"]] == ids[2:] and rest["meta"]["next"] is None


# --- the audit log ------------------------------------------------------------------------

# (action, actor, at): written with times of their own, so that filters are checked exactly.
WRITTEN = [
    ("key.create", "ana@example.org", datetime(2020, 1, 1, 10, tzinfo=UTC)),
    ("auth.login", "ana@example.org", datetime(2020, 1, 2, 10, tzinfo=UTC)),
    ("auth.login", "bob@example.org", datetime(2020, 1, 3, 10, tzinfo=UTC)),
    ("user.role_change", "bob@example.org", datetime(2020, 1, 4, 10, tzinfo=UTC)),
    ("auth.login", "ana@example.org", datetime(2020, 1, 5, 10, tzinfo=UTC)),
]
WINDOW = "since=2020-01-01T00:00:00Z&until=2020-02-01T00:00:00Z"


@pytest.fixture
def written(db) -> list[int]:
    """The ids of WRITTEN's rows, in order."""
    with db.session() as session:
        rows = [AuditEntry(action=action, actor_email=actor, at=at, details={}) for action, actor, at in WRITTEN]
        session.add_all(rows)
        session.commit()
        return [row.id for row in rows]


@pytest.mark.parametrize(
    ("query", "expected"),  # expected: indexes into WRITTEN, newest first
    [
        (WINDOW, [4, 3, 2, 1, 0]),
        (f"{WINDOW}&action=auth.login", [4, 2, 1]),
        (f"{WINDOW}&actor=ana@example.org", [4, 1, 0]),
        (f"{WINDOW}&actor=ANA@example.org&action=auth.login", [4, 1]),
        ("since=2020-01-02T10:00:00Z&until=2020-01-04T10:00:00Z", [2, 1]),  # since inclusive, until not
        ("since=2020-01-03T11:00:00%2B01:00&until=2020-01-05T00:00:00", [3, 2]),  # offsets honoured; none: UTC
        (f"{WINDOW}&action=user.disable", []),
    ],
)
def test_the_audit_filters_select_exactly_the_matching_rows(admin, written, query, expected):
    answer = admin.get(f"{API}/admin/audit?{query}").json
    assert [row["id"] for row in answer["data"]] == [written[index] for index in expected]
    assert answer["meta"] == {"count": len(expected), "next": None}


def test_keyset_pages_walk_every_row_once(admin, written):
    seen, before = [], ""
    while True:
        page = admin.get(f"{API}/admin/audit?{WINDOW}&limit=2{before}").json
        assert page["meta"]["count"] == 5  # every match, whichever page
        seen += [row["id"] for row in page["data"]]
        if page["meta"]["next"] is None:
            break
        before = f"&before={page['meta']['next']}"
    assert seen == written[::-1]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("action=auth.nothing", "action"), ("since=yesterday", "since"), ("before=0", "before"), ("limit=501", "limit")],
)
def test_bad_audit_parameters_are_a_400_naming_them(admin, query, parameter):
    answer = admin.get(f"{API}/admin/audit?{query}")
    assert answer.status_code == 400 and answer.json["error"]["details"]["parameter"] == parameter


def test_the_csv_holds_every_match_and_the_export_is_audited(db, admin, written):
    with db.session() as session:
        actor = audit.Actor(None, "=cmd@example.org")  # a spreadsheet would run it
        audit.record(session, "key.create", actor, target_type="key", target_id=7, name="x")
        session.commit()
    answer = admin.get(f"{API}/admin/audit?{WINDOW}&action=auth.login&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [int(row["id"]) for row in rows] == [written[4], written[2], written[1]]
    assert rows[0]["at"] == "2020-01-05T10:00:00+00:00" and rows[0]["details"] == "{}"
    (export,) = audit_rows(db, "admin.audit_export")
    assert export.actor_email == "root@example.org"
    assert export.details == {
        "filters": {"action": "auth.login", "since": "2020-01-01T00:00:00+00:00", "until": "2020-02-01T00:00:00+00:00"}
    }
    hostile_csv = admin.get(f"{API}/admin/audit?format=csv&action=key.create&since=2021-01-01").text
    hostile = list(csv.DictReader(io.StringIO(hostile_csv)))
    assert [row["actor_email"] for row in hostile] == ["'=cmd@example.org"]
    assert hostile[0]["details"] == '{"name": "x"}'


# --- the CSV through a real server -------------------------------------------------------

EXPORTED = 1_234  # more than two pages of audit.MAX_PAGE


@pytest.fixture
def served_admin(server_url, template_url):
    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        try:
            make_user(db, "root@example.org", "admin")
            with db.session() as session:
                for number in range(EXPORTED):
                    action = "auth.login" if number % 2 else "key.create"
                    audit.record(session, action, audit.Actor(None, f"user{number}@example.org"))
                session.commit()
        finally:
            db.dispose()
        with serve(url) as served:
            http = requests.Session()
            token = http.get(f"{served.url}{API}/auth/csrf", timeout=10).json()["data"]["csrf_token"]
            signed = http.post(
                f"{served.url}{API}/auth/login",
                json={"email": "root@example.org", "password": PASSWORD},
                headers={"X-CSRFToken": token},
                timeout=10,
            )
            assert signed.status_code == 200, signed.text
            yield served, http


def test_the_csv_export_streams_every_row_under_gunicorn(served_admin):
    served, http = served_admin
    answer = http.get(f"{served.url}{API}/admin/audit", params={"format": "csv"}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Cache-Control"] == "private, no-store"
    lines = answer.text.splitlines()
    assert lines[0] == "id,at,actor_id,actor_email,action,target_type,target_id,address,request_id,details"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    # every written row, plus the admin's sign-in (the export's own row is written before it streams: in it too)
    assert len(rows) == EXPORTED + 2
    assert {row["actor_email"] for row in rows} >= {f"user{number}@example.org" for number in range(EXPORTED)}
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)

    filtered = http.get(f"{served.url}{API}/admin/audit", params={"format": "csv", "action": "key.create"}, timeout=30)
    emails = [row["actor_email"] for row in csv.DictReader(io.StringIO(filtered.text))]
    assert emails == [f"user{number}@example.org" for number in range(EXPORTED - 2, -1, -2)]


# --- the dashboard's admin callbacks: anyone can post to them -----------------------------


def role_callback(user_id: int, role: str) -> dict:
    """The request the users page sends when a role is picked."""
    picked = {"type": "admin-role", "user": user_id}
    outputs = [{"id": name, "property": "children"} for name in ("admin-users-notice", "admin-users-table")]
    return {
        "output": "..admin-users-notice.children...admin-users-table.children..",
        "outputs": outputs,
        "inputs": [[{"id": picked, "property": "value", "value": role}], []],
        "changedPropIds": [json.dumps(picked, separators=(",", ":"), sort_keys=True) + ".value"],
        "state": [],
    }


def audit_callback(action: str) -> dict:
    """The request the audit page sends for its table."""
    names = ["admin-audit-table.children", "admin-audit-count.children", "admin-audit-export.href"]
    names += ["admin-audit-older.href", "admin-audit-older.style"]
    controls = ["admin-audit-action", "admin-audit-actor", "admin-audit-since", "admin-audit-until"]
    inputs = [{"id": control, "property": "value", "value": ""} for control in controls]
    inputs[0]["value"] = action
    return {
        "output": ".." + "...".join(names) + "..",
        "outputs": [dict(zip(("id", "property"), name.split("."), strict=True)) for name in names],
        "inputs": [*inputs, {"id": "admin-audit-before", "property": "data", "value": None}],
        "changedPropIds": ["admin-audit-action.value"],
        "state": [],
    }


def post_callback(client, body: dict):
    return client.post(
        "/_dash-update-component",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": client.get_cookie("_csrf_token").value},
    )


def test_an_analyst_posting_the_admin_callbacks_changes_and_sees_nothing(app, db):
    me = make_user(db, "ana@example.org")
    analyst = signed_in(app, "ana@example.org")
    analyst.get("/admin/users")  # the page hands out the CSRF cookie, as a browser gets it
    refused = post_callback(analyst, role_callback(me, "admin"))
    assert refused.status_code == 204 and refused.get_data() == b""
    assert analyst.get(f"{API}/me").json["data"]["role"] == "analyst"
    assert audit_rows(db, "user.role_change") == []
    hidden = post_callback(analyst, audit_callback("auth.login"))
    assert hidden.status_code == 204 and b"ana@example.org" not in hidden.get_data()


def test_an_admin_posting_them_changes_the_role_with_its_audit_row(db, admin):
    user_id = make_user(db, "ana@example.org")
    changed = post_callback(admin, role_callback(user_id, "admin"))
    assert changed.status_code == 200 and "ana@example.org is now admin." in changed.get_data(as_text=True)
    (row,) = audit_rows(db, "user.role_change")
    assert (row.actor_email, row.target_id, row.details) == (
        "root@example.org",
        str(user_id),
        {"before": "analyst", "after": "admin"},
    )
    assert row.address == "127.0.0.1" and row.request_id
    shown = post_callback(admin, audit_callback("user.role_change")).get_data(as_text=True)
    assert f"user {user_id}" in shown and "auth.login" not in shown


def page_callback(pathname: str) -> dict:
    """The request the dashboard sends to draw the page at `pathname`."""
    return {
        "output": "..page.children...page-title.data..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "page-title", "property": "data"}],
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "changedPropIds": ["url.pathname"],
        "state": [{"id": "url", "property": "search", "value": ""}],
    }


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        (None, "admin-sign-in"),
        ("ana@example.org", "admin-needed"),
        ("root@example.org", "admin-users"),
    ],
)
def test_admin_is_the_users_page_for_admins_and_a_notice_for_others(app, db, who, shown):
    make_user(db, "root@example.org", "admin")
    make_user(db, "ana@example.org")
    client = signed_in(app, who) if who else app.test_client()
    client.get("/admin")  # the CSRF cookie, as a browser gets it
    page = post_callback(client, page_callback("/admin")).get_data(as_text=True)
    assert shown in page
    assert ("ana@example.org" in page) == (who == "root@example.org")  # the table is for admins only


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/admin/users/9223372036854775808"),
        ("GET", "/admin/jobs/99999999999999999999"),
        ("GET", "/admin/jobs?before=9223372036854775808"),
        ("GET", "/admin/audit?before=9223372036854775808"),
    ],
)
def test_ids_beyond_the_databases_range_are_a_4xx_not_a_500(admin, method, path):
    answer = send(admin, method, path, {"role": "admin"} if method == "PATCH" else None)
    assert answer.status_code in (400, 404) and error_code(answer) in ("NOT_FOUND", "INVALID_PARAMETER")
