"""The access matrix: every route of the app's url_map and every dashboard page, called by every
kind of caller (anonymous, analyst and admin by session, key or token, and bad credentials),
each answering as the table below says; every 401 and 403 in the error envelope.

`ROUTES` is this test's own statement of the least role each route needs. A rule of the url_map
missing from it fails the run, so a new route has to be classified here before it ships.
One app and one database serve the module; mutating routes are called with bodies that are
refused after authentication (a JSON list is never a valid body), so nothing changes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

import app.api  # noqa: F401  (first: app.auth, imported before it, is a circular import)
from app.api import GRAPHQL_PATH
from app.api.accounts import ID
from app.api.errors import ERRORS
from app.auth.csrf import CSRF_COOKIE, SAFE_METHODS
from app.auth.identity import WWW_AUTHENTICATE
from app.auth.tokens import issue_token
from app.factory import create_app
from app.settings import Settings
from callbacks.router import PAGES
from components import admin as admin_view
from components import routes as paths
from data.accounts.keys import create_key
from data.accounts.users import create_user, set_disabled
from data.ingest.pipeline import ingest
from tests.conftest import module_catalog
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY

PASSWORD = "a long enough password"
API = "/api/v1"
NOT_A_BODY = []  # a JSON list: every route with a body refuses it (INVALID_BODY), after auth
NO_BODY = None
ANALYST, ADMIN, BYSTANDER = "ana@example.org", "root@example.org", "bystander@example.org"
AUTH_CODES = {code for code, entry in ERRORS.items() if entry.status in (401, 403)}


# --- the table ------------------------------------------------------------------------------

# The least role a route needs:
#   anyone           no account needed
#   key              an API key itself (POST /auth/token exchanges one for a token)
#   analyst          a signed-in account, by session, key or token
#   analyst-session  a signed-in account by its session cookie only (not a key or token)
#   admin            the admin role, by session, key or token
ROLES = ("anyone", "key", "analyst", "analyst-session", "admin")


@dataclass(frozen=True)
class Route:
    method: str
    rule: str  # as the url_map spells it
    role: str
    url: str  # a concrete URL to call it at
    status: int = 200  # what a caller allowed in gets
    code: str | None = None  # and its error code, when that is an error: proof it got past auth
    body: object = NO_BODY

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def api(self) -> bool:
        return self.url == API or self.url.startswith((API + "/", GRAPHQL_PATH))


CATCH_ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CATCH_ALL_RULES = ("/api/v1/", "/api/v1/<path:path>")
ANY_ID = "9" * 18  # the largest id a route takes: no such row

ROUTES = [
    # The dashboard (Dash) and the app's other routes: public, and a bearer is never read there.
    Route("GET", "/", "anyone", "/"),
    Route("GET", "/<path:path>", "anyone", "/admin/users"),
    Route(
        "GET",
        "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>",
        "anyone",
        "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js",
    ),
    Route("GET", "/_dash-dependencies", "anyone", "/_dash-dependencies"),
    Route("GET", "/_dash-layout", "anyone", "/_dash-layout"),
    Route("POST", "/_dash-update-component", "anyone", "/_dash-update-component", body="page:/"),
    Route("GET", "/_favicon.ico", "anyone", "/_favicon.ico"),
    Route("GET", "/_reload-hash", "anyone", "/_reload-hash"),
    Route("GET", "/assets/<path:filename>", "anyone", "/assets/account.js"),
    Route("GET", "/static/<path:filename>", "anyone", "/static/none.js", 404),  # Flask's, no folder
    Route("GET", "/metrics", "anyone", "/metrics"),
    # The API's catch-all: every method of an unknown path is its 404.
    *(Route(method, "/api/v1/", "anyone", API, 404, "NOT_FOUND") for method in CATCH_ALL_METHODS),
    *(
        Route(method, "/api/v1/<path:path>", "anyone", f"{API}/no/such/route", 404, "NOT_FOUND")
        for method in CATCH_ALL_METHODS
    ),
    # Public reads.
    Route("GET", "/api/v1/health", "anyone", f"{API}/health"),
    Route("GET", "/api/v1/ready", "anyone", f"{API}/ready"),
    Route("GET", "/api/v1/docs", "anyone", f"{API}/docs"),
    Route("GET", "/api/v1/openapi.json", "anyone", f"{API}/openapi.json"),
    Route("GET", "/api/v1/models", "anyone", f"{API}/models?q=base"),
    Route("GET", "/api/v1/models/<path:repo_id>", "anyone", f"{API}/models/acme/base-7b"),
    Route("GET", "/api/v1/models/<path:repo_id>/ancestry", "anyone", f"{API}/models/lab/base-7b-chat/ancestry"),
    Route("GET", "/api/v1/models/<path:repo_id>/lineage/tree", "anyone", f"{API}/models/acme/base-7b/lineage/tree"),
    Route("GET", "/api/v1/models/<path:repo_id>/history", "anyone", f"{API}/models/acme/base-7b/history"),
    Route("GET", "/api/v1/models/<path:repo_id>/similar", "anyone", f"{API}/models/acme/base-7b/similar"),
    Route(
        "GET",
        "/api/v1/models/<path:repo_id>/lineage/timeline",
        "anyone",
        f"{API}/models/acme/base-7b/lineage/timeline",
    ),
    Route("GET", "/api/v1/authors/<author>", "anyone", f"{API}/authors/acme"),
    Route("GET", "/api/v1/papers/<path:paper_id>", "anyone", f"{API}/papers/2401.00001"),
    Route("GET", "/api/v1/stats", "anyone", f"{API}/stats"),
    Route("GET", "/api/v1/stats/<dimension>", "anyone", f"{API}/stats/license"),
    Route("GET", "/api/v1/trending", "anyone", f"{API}/trending"),
    Route("GET", "/api/v1/live", "anyone", f"{API}/live"),
    Route("GET", "/api/v1/compare", "anyone", f"{API}/compare?ids=acme/base-7b,lab/base-7b-chat"),
    Route("GET", "/api/v1/live/stream", "anyone", f"{API}/live/stream"),
    Route("GET", "/api/graphql", "anyone", "/api/graphql?query={trending{id}}"),
    Route("POST", "/api/graphql", "anyone", "/api/graphql", body={"query": "{ trending { id } }"}),
    # Accounts.
    Route("GET", "/api/v1/auth/csrf", "anyone", f"{API}/auth/csrf"),
    Route("POST", "/api/v1/auth/signup", "anyone", f"{API}/auth/signup", 400, "INVALID_BODY", NOT_A_BODY),
    Route("POST", "/api/v1/auth/login", "anyone", f"{API}/auth/login", 400, "INVALID_BODY", NOT_A_BODY),
    Route("GET", "/api/v1/auth/oidc/login", "anyone", f"{API}/auth/oidc/login", 404, "OIDC_NOT_CONFIGURED"),
    Route("GET", "/api/v1/auth/oidc/callback", "anyone", f"{API}/auth/oidc/callback", 404, "OIDC_NOT_CONFIGURED"),
    Route("GET", "/api/v1/me", "anyone", f"{API}/me"),
    Route("POST", "/api/v1/auth/token", "key", f"{API}/auth/token"),
    Route("POST", "/api/v1/auth/logout", "analyst-session", f"{API}/auth/logout", 400, "INVALID_BODY", NOT_A_BODY),
    Route("GET", "/api/v1/me/keys", "analyst", f"{API}/me/keys"),
    Route("POST", "/api/v1/me/keys", "analyst-session", f"{API}/me/keys", 400, "INVALID_BODY", NOT_A_BODY),
    Route(
        "DELETE", f"/api/v1/me/keys/<{ID}:key_id>", "analyst-session", f"{API}/me/keys/{ANY_ID}", 404, "KEY_NOT_FOUND"
    ),
    # Saved searches, by session or key; their feeds by the token in the URL.
    Route("GET", "/api/v1/me/searches", "analyst", f"{API}/me/searches"),
    Route("POST", "/api/v1/me/searches", "analyst", f"{API}/me/searches", 400, "INVALID_BODY", NOT_A_BODY),
    *(
        Route(
            method,
            f"/api/v1/me/searches/<{ID}:search_id>",
            "analyst",
            f"{API}/me/searches/{ANY_ID}",
            404,
            "SEARCH_NOT_FOUND",
        )
        for method in ("GET", "DELETE")
    ),
    Route(
        "PATCH",
        f"/api/v1/me/searches/<{ID}:search_id>",
        "analyst",
        f"{API}/me/searches/{ANY_ID}",
        400,
        "INVALID_BODY",
        NOT_A_BODY,
    ),
    Route(
        "GET",
        f"/api/v1/me/searches/<{ID}:search_id>/new",
        "analyst",
        f"{API}/me/searches/{ANY_ID}/new",
        404,
        "SEARCH_NOT_FOUND",
    ),
    Route(
        "GET",
        f"/api/v1/me/searches/<{ID}:search_id>/deliveries",
        "analyst",
        f"{API}/me/searches/{ANY_ID}/deliveries",
        404,
        "SEARCH_NOT_FOUND",
    ),
    Route("GET", "/api/v1/feeds/searches/<token>", "anyone", f"{API}/feeds/searches/nothing", 404, "FEED_NOT_FOUND"),
    # Collections: yours by session or key; a public one (or yours) by anyone.
    Route("GET", "/api/v1/me/collections", "analyst", f"{API}/me/collections"),
    Route("POST", "/api/v1/me/collections", "analyst", f"{API}/me/collections", 400, "INVALID_BODY", NOT_A_BODY),
    Route(
        "PATCH",
        f"/api/v1/me/collections/<{ID}:collection_id>",
        "analyst",
        f"{API}/me/collections/{ANY_ID}",
        400,
        "INVALID_BODY",
        NOT_A_BODY,
    ),
    Route(
        "DELETE",
        f"/api/v1/me/collections/<{ID}:collection_id>",
        "analyst",
        f"{API}/me/collections/{ANY_ID}",
        404,
        "COLLECTION_NOT_FOUND",
    ),
    Route(
        "PUT",
        f"/api/v1/me/collections/<{ID}:collection_id>/models/<path:repo_id>",
        "analyst",
        f"{API}/me/collections/{ANY_ID}/models/acme/base-7b",
        400,
        "INVALID_BODY",
        NOT_A_BODY,
    ),
    Route(
        "DELETE",
        f"/api/v1/me/collections/<{ID}:collection_id>/models/<path:repo_id>",
        "analyst",
        f"{API}/me/collections/{ANY_ID}/models/acme/base-7b",
        404,
        "COLLECTION_NOT_FOUND",
    ),
    Route(
        "GET",
        f"/api/v1/collections/<{ID}:collection_id>",
        "anyone",
        f"{API}/collections/{ANY_ID}",
        404,
        "COLLECTION_NOT_FOUND",
    ),
    # Admin.
    Route("GET", "/api/v1/admin/users", "admin", f"{API}/admin/users"),
    Route(
        "PATCH",
        f"/api/v1/admin/users/<{ID}:user_id>",
        "admin",
        f"{API}/admin/users/{ANY_ID}",
        400,
        "INVALID_BODY",
        NOT_A_BODY,
    ),
    Route("POST", "/api/v1/admin/jobs", "admin", f"{API}/admin/jobs", 400, "INVALID_BODY", NOT_A_BODY),
    Route("GET", "/api/v1/admin/jobs", "admin", f"{API}/admin/jobs"),
    Route(
        "GET",
        f"/api/v1/admin/jobs/<{ID}:job_id>",
        "admin",
        f"{API}/admin/jobs/{ANY_ID}",
        404,
        "JOB_NOT_FOUND",
    ),
    Route("GET", "/api/v1/admin/audit", "admin", f"{API}/admin/audit"),
]


# --- the callers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    name: str
    via: str  # anonymous, session, key or token
    role: str | None = None  # analyst or admin, when the credential is good
    refused: str | None = None  # the 401 code of a bad credential


CALLERS = [
    Caller("anonymous", "anonymous"),
    Caller("no-csrf-visitor", "anonymous"),  # a script with no cookie: no CSRF token either
    Caller("ended-session", "session"),  # the cookie of a session its account's disabling ended
    Caller("analyst-session", "session", "analyst"),
    Caller("analyst-key", "key", "analyst"),
    Caller("analyst-token", "token", "analyst"),
    Caller("admin-session", "session", "admin"),
    Caller("admin-key", "key", "admin"),
    Caller("admin-token", "token", "admin"),
    Caller("revoked-key", "key", refused="KEY_REVOKED"),
    Caller("expired-key", "key", refused="KEY_EXPIRED"),
    Caller("expired-token", "token", refused="TOKEN_EXPIRED"),
    Caller("revoked-keys-token", "token", refused="KEY_REVOKED"),
    Caller("disabled-users-key", "key", refused="ACCOUNT_DISABLED"),
    Caller("disabled-users-token", "token", refused="ACCOUNT_DISABLED"),  # issued before the disabling
    Caller("mismatched-token", "token", refused="INVALID_CREDENTIALS"),  # the admin's id, the analyst's key
    Caller("forged-token", "token", refused="INVALID_CREDENTIALS"),
]
ANONYMOUS = CALLERS[0]
ADMIN_BY_KEY = next(caller for caller in CALLERS if caller.name == "admin-key")


def expected(route: Route, caller: Caller) -> tuple[int, str | None]:
    """(status, error code) the route must answer the caller: the matrix itself."""
    if caller.refused:
        # A bad bearer is a 401 on every API route, even a public one; off the API it is not read.
        return (401, caller.refused) if route.api else (route.status, route.code)
    unknown = route.rule in CATCH_ALL_RULES  # an unknown path's 404 tells better than a CSRF refusal
    exempt = unknown or route.rule == GRAPHQL_PATH  # GraphQL has no mutation: nothing to forge
    if caller.name == "no-csrf-visitor" and route.api and route.method not in SAFE_METHODS and not exempt:
        return 403, "CSRF_FAILED"  # checked before anything, sign-in and signup included
    allowed = (route.status, route.code)
    if route.role == "anyone":
        return allowed
    if route.role == "key":
        return allowed if caller.via == "key" else (401, "AUTHENTICATION_REQUIRED")
    if caller.role is None:
        return 401, "AUTHENTICATION_REQUIRED"
    if route.role == "admin" and caller.role != "admin":
        return 403, "ROLE_REQUIRED"
    if route.role == "analyst-session" and caller.via != "session":
        return 403, "SESSION_REQUIRED"
    return allowed


# --- one app, its accounts and credentials, for the module -------------------------------------


@dataclass
class World:
    app: object
    clients: dict  # the session (and anonymous) callers' clients, cookies and all
    bearers: dict  # the bearer callers' credentials


def csrf_header(client) -> dict[str, str]:
    cookie = client.get_cookie(CSRF_COOKIE)
    return {"X-CSRFToken": cookie.value} if cookie else {}


def signed_in_client(app, email: str):
    client = app.test_client()
    client.get(f"{API}/auth/csrf")
    answer = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD}, headers=csrf_header(client))
    assert answer.status_code == 200, answer.json
    return client


def new_key(db, user_id: int, name: str, **options) -> tuple[int, str]:
    with db.session() as session:
        row, key = create_key(session, user_id, name, **options)
        session.commit()
        return row.id, key


def exchanged(app, key: str) -> str:
    answer = app.test_client().post(f"{API}/auth/token", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200, answer.json
    return answer.json["data"]["token"]


@pytest.fixture(scope="module")
def world(server_url, template_url, shared_url):
    with module_catalog(server_url, "catalog_access") as db:
        ingest(db, family_records())
        with db.session() as session:
            users = {
                email: create_user(session, email, PASSWORD, role)
                for email, role in ((ANALYST, "analyst"), (ADMIN, "admin"), (BYSTANDER, "analyst"))
            }
            session.commit()
            ids = {email: user.id for email, user in users.items()}
        settings = Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off")
        app = create_app(settings, database=db)
        anonymous = app.test_client()
        anonymous.get(f"{API}/auth/csrf")  # a visitor's browser holds the CSRF cookie too
        clients = {
            "anonymous": anonymous,
            "analyst-session": signed_in_client(app, ANALYST),
            "admin-session": signed_in_client(app, ADMIN),
        }
        analyst_key_id, analyst_key = new_key(db, ids[ANALYST], "script")
        admin_key_id, admin_key = new_key(db, ids[ADMIN], "ops")
        revoked_id, revoked = new_key(db, ids[ANALYST], "old")
        revoked_token = exchanged(app, revoked)  # issued while the key lived
        gone = clients["analyst-session"].delete(
            f"{API}/me/keys/{revoked_id}", headers=csrf_header(clients["analyst-session"])
        )
        assert gone.status_code == 200, gone.json
        _, expired_key = new_key(db, ids[ANALYST], "lapsed", expires_at=datetime.now(UTC) - timedelta(days=1))
        _, bystander_key = new_key(db, ids[BYSTANDER], "theirs")
        clients["ended-session"] = signed_in_client(app, BYSTANDER)
        bystander_token = exchanged(app, bystander_key)
        with db.session() as session:
            set_disabled(session, ids[BYSTANDER], True)
            session.commit()
        expired_token, _ = issue_token(TEST_SECRET_KEY, ids[ANALYST], analyst_key_id, lifetime=-60)  # exp in the past
        # Signed with our secret, but its user is not its key's: one key cannot stand for another user.
        mismatched_token, _ = issue_token(TEST_SECRET_KEY, ids[ADMIN], analyst_key_id)
        # The admin's own claims, signed with another secret: the signature is what counts.
        forged_token, _ = issue_token("another-secret-key-not-this-catalogs-0123456789", ids[ADMIN], admin_key_id)
        bearers = {
            "analyst-key": analyst_key,
            "analyst-token": exchanged(app, analyst_key),
            "admin-key": admin_key,
            "admin-token": exchanged(app, admin_key),
            "revoked-key": revoked,
            "expired-key": expired_key,
            "expired-token": expired_token,
            "revoked-keys-token": revoked_token,
            "disabled-users-key": bystander_key,
            "disabled-users-token": bystander_token,
            "mismatched-token": mismatched_token,
            "forged-token": forged_token,
        }
        yield World(app, clients, bearers)


def page_request(pathname: str, search: str = "") -> dict:
    """The callback request the dashboard sends to draw the page at `pathname`."""
    return {
        "output": "..page.children...page-title.data..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "page-title", "property": "data"}],
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["url.pathname"],
    }


def call(world: World, caller: Caller, method: str, url: str, body: object = NO_BODY):
    """The request as this caller sends it: a session (or visitor) with its cookies and CSRF
    header, a bearer from a client of its own holding no cookie."""
    if isinstance(body, str) and body.startswith("page:"):
        body = page_request(body.removeprefix("page:"))
    if caller.name in world.clients:
        client = world.clients[caller.name]
        headers = csrf_header(client)
    elif caller.name in world.bearers:
        client = world.app.test_client()
        headers = {"Authorization": f"Bearer {world.bearers[caller.name]}"}
    else:
        client, headers = world.app.test_client(), {}
    return client.open(url, method=method, json=body, headers=headers)


# --- the routes -----------------------------------------------------------------------------


def rules_of(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_of_the_url_map_is_in_the_table_and_only_those(world):
    table = [(route.method, route.rule) for route in ROUTES]
    assert len(table) == len(set(table)), "a route is in the table twice"
    assert rules_of(world.app) - set(table) == set(), "routes to classify in ROUTES"
    assert set(table) - rules_of(world.app) == set(), "routes in ROUTES the app no longer has"
    assert {route.role for route in ROUTES} <= set(ROLES)


def test_the_table_agrees_with_the_routes_requires_decorators(world):
    """The table is this test's own statement; here it is held against the code's @requires."""
    adapter = world.app.url_map.bind("localhost")
    for route in ROUTES:
        endpoint, _ = adapter.match(route.url.partition("?")[0], method=route.method)
        declared = getattr(world.app.view_functions[endpoint], "required_role", None)
        wanted = {"analyst": "analyst", "analyst-session": "analyst", "admin": "admin"}.get(route.role)
        assert declared == wanted, route.id


def assert_error_envelope(answer, status: int, code: str) -> None:
    """The API's error envelope, or GraphQL's shape of the same error at /api/graphql."""
    assert answer.status_code == status, (code, answer.get_data(as_text=True)[:300])
    assert answer.mimetype == "application/json"
    if "errors" in answer.json:
        [graphql_error] = answer.json["errors"]
        error = {"message": graphql_error["message"], **graphql_error["extensions"]}
    else:
        assert set(answer.json) == {"error"}
        error = answer.json["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if status == 401:
        assert answer.headers["WWW-Authenticate"] == WWW_AUTHENTICATE
    if code == "ROLE_REQUIRED":
        assert error["details"] == {"role": "admin", "current": "analyst"}


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.name)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_access(world, route, caller):
    status, code = expected(route, caller)
    answer = call(world, caller, route.method, route.url, route.body)
    if code is not None:
        assert_error_envelope(answer, status, code)
    else:
        assert answer.status_code == status, answer.get_data(as_text=True)[:300]
        assert error_code_of(answer) is None
    if status not in (401, 403):
        assert error_code_of(answer) not in AUTH_CODES  # let in: no refusal of who is asking
    if route.role in ("analyst", "analyst-session", "admin") and status < 400:
        assert answer.headers["Cache-Control"] == "private, no-store"  # an account's own: never stored


def error_code_of(answer) -> str | None:
    body = answer.json if answer.mimetype == "application/json" else None
    if isinstance(body, dict) and body.get("errors"):  # GraphQL's shape
        return body["errors"][0]["extensions"]["code"]
    return body["error"].get("code") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None


@pytest.mark.parametrize("caller", [caller for caller in CALLERS if caller.role], ids=lambda caller: caller.name)
def test_each_good_credential_is_who_the_matrix_takes_it_for(world, caller):
    me = call(world, caller, "GET", f"{API}/me").json["data"]
    assert (me["role"], me["authenticated_by"]) == (caller.role, caller.via)
    assert me["email"] == (ADMIN if caller.role == "admin" else ANALYST)


def test_a_cached_public_answer_is_never_served_to_a_bad_credential(world):
    """The response cache answers before any route: a bad bearer must be refused before it."""
    url = f"{API}/models?q=chat"
    assert call(world, ANONYMOUS, "GET", url).status_code == 200
    again = call(world, ANONYMOUS, "GET", url)
    assert (again.status_code, again.headers.get("X-Cache")) == (200, "HIT")
    revoked = next(caller for caller in CALLERS if caller.name == "revoked-key")
    assert_error_envelope(call(world, revoked, "GET", url), 401, "KEY_REVOKED")


PROTECTED = [route for route in ROUTES if route.role not in ("anyone", "key")]


@pytest.mark.parametrize("route", [r for r in PROTECTED if r.method == "GET"], ids=lambda route: route.id)
def test_head_of_a_protected_route_is_refused_as_its_get(world, route):
    answer = call(world, ANONYMOUS, "HEAD", route.url)
    assert (answer.status_code, answer.get_data()) == (401, b"")
    assert answer.headers["WWW-Authenticate"] == WWW_AUTHENTICATE


@pytest.mark.parametrize("route", PROTECTED, ids=lambda route: route.id)
def test_a_preflight_of_a_protected_route_answers_without_data(world, route):
    """OPTIONS is not authenticated (a CORS preflight carries no credential): it must hold nothing."""
    answer = call(world, ANONYMOUS, "OPTIONS", route.url)
    assert (answer.status_code, answer.get_data()) == (204, b"")
    assert route.method in answer.headers["Allow"]


# --- the pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    pathname: str
    kind: str  # public, account (a sign-in prompt for visitors), admin (admins only)
    title: str


PAGE_TABLE = [
    Page(paths.SEARCH, "public", "Search · Model Catalog"),
    Page(paths.model_href("acme/base-7b"), "public", "acme/base-7b · Model Catalog"),
    Page(paths.ANALYTICS, "public", "Analytics · Model Catalog"),
    Page(paths.TRENDING, "public", "Trending · Model Catalog"),
    Page(paths.LIVE, "public", "New models · Model Catalog"),
    Page(paths.COMPARE, "public", "Compare models · Model Catalog"),
    Page(paths.author_href("acme"), "public", "acme · Model Catalog"),
    Page(paths.paper_href("2401.00001"), "public", "arXiv:2401.00001 · Model Catalog"),
    Page(paths.LOGIN, "public", "Sign in · Model Catalog"),
    Page(paths.SIGNUP, "public", "Sign up · Model Catalog"),
    Page(paths.ACCOUNT, "account", "Your account · Model Catalog"),
    Page(paths.SAVED_SEARCHES, "saved", "Saved searches · Model Catalog"),
    Page(paths.COLLECTIONS, "collections", "Collections · Model Catalog"),
    Page(paths.collection_href(int(ANY_ID)), "public", "Collections · Model Catalog"),  # none: a notice
    Page(paths.ADMIN_HOME, "admin", "Admin · Users · Model Catalog"),
    Page(paths.ADMIN_USERS, "admin", "Admin · Users · Model Catalog"),
    Page(paths.ADMIN_JOBS, "admin", "Admin · Jobs · Model Catalog"),
    Page(paths.ADMIN_AUDIT, "admin", "Admin · Audit log · Model Catalog"),
]
# The dashboard reads the session cookie only: a bearer there, even an admin's key, is nobody.
PAGE_CALLERS = [caller for caller in CALLERS if caller.via == "session" or caller in (ANONYMOUS, ADMIN_BY_KEY)]


def page_role(caller: Caller) -> str | None:
    return caller.role if caller.via == "session" else None


ADMIN_CLASS = {
    paths.ADMIN_HOME: "admin-users",
    paths.ADMIN_USERS: "admin-users",
    paths.ADMIN_JOBS: "admin-jobs",
    paths.ADMIN_AUDIT: "admin-audit",
}


def test_every_page_of_the_router_is_in_the_page_table():
    for pattern, _ in PAGES:
        assert any(pattern.fullmatch(page.pathname) for page in PAGE_TABLE), pattern.pattern
    assert {paths.ADMIN + section for section in paths.ADMIN_SECTIONS} <= {page.pathname for page in PAGE_TABLE}


def rendered(world: World, caller: Caller, pathname: str) -> tuple[str, str]:
    """(the page's JSON as text, its title) as the router draws it for the caller."""
    answer = call(world, caller, "POST", "/_dash-update-component", f"page:{pathname}")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    response = answer.json["response"]
    return str(response["page"]["children"]), response["page-title"]["data"]


@pytest.mark.parametrize("caller", PAGE_CALLERS, ids=lambda caller: caller.name)
@pytest.mark.parametrize("page", PAGE_TABLE, ids=lambda page: page.pathname)
def test_page_access(world, page, caller):
    role = page_role(caller)
    shown, title = rendered(world, caller, page.pathname)
    assert title == page.title
    emails = [email for email in (ANALYST, ADMIN, BYSTANDER) if email in shown]
    if page.kind == "public":
        assert "admin-sign-in" not in shown and "admin-needed" not in shown
    elif page.kind == "account":
        if role is None:
            assert "Sign in to see your account" in shown and emails == []
        else:
            mine = ADMIN if role == "admin" else ANALYST
            assert f"'{mine}'" in shown and emails == [mine]  # its own account, nobody else's
    elif page.kind == "collections":
        assert ("collections-prompt" in shown) == (role is None) and ("collections-page" in shown) == (role is not None)
    elif page.kind == "saved":
        assert ("saved-prompt" in shown) == (role is None) and ("saved-page" in shown) == (role is not None)
    elif role is None:
        assert "admin-sign-in" in shown and emails == []
        assert re.search(r"/login\?next=%2Fadmin", shown)
    elif role != "admin":
        assert "admin-needed" in shown and emails == []
        assert ADMIN_CLASS[page.pathname] not in shown
    else:
        assert ADMIN_CLASS[page.pathname] in shown and "admin-needed" not in shown
        if ADMIN_CLASS[page.pathname] == "admin-users":  # the users' table: the data itself
            assert sorted(emails) == sorted([ANALYST, ADMIN, BYSTANDER])


# --- the admin pages' callbacks: anyone can post to one, only an admin gets an answer -----------


def dash_id(component_id: str | dict) -> str:
    """A component id as callback requests spell it (a pattern-matching id as compact JSON)."""
    return (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )


def callback_request(outputs: list[tuple[str | dict, str]], inputs: list, changed: list[str]) -> dict:
    """A callback request as dash-renderer sends it."""
    output = "...".join(f"{dash_id(cid)}.{prop}" for cid, prop in outputs)
    return {
        "output": f"..{output}.." if len(outputs) > 1 else output,
        "outputs": [{"id": cid, "property": prop} for cid, prop in outputs],
        "inputs": inputs,
        "state": [],
        "changedPropIds": changed,
    }


def audit_callback() -> dict:
    controls = [admin_view.AUDIT_ACTION, admin_view.AUDIT_ACTOR, admin_view.AUDIT_SINCE, admin_view.AUDIT_UNTIL]
    outputs = [
        (admin_view.AUDIT_TABLE, "children"),
        (admin_view.AUDIT_COUNT, "children"),
        (admin_view.AUDIT_EXPORT, "href"),
        (admin_view.AUDIT_OLDER, "href"),
        (admin_view.AUDIT_OLDER, "style"),
    ]
    inputs = [{"id": control, "property": "value", "value": None} for control in controls]
    return callback_request(outputs, [*inputs, {"id": admin_view.AUDIT_BEFORE, "property": "data", "value": None}], [])


def jobs_callback() -> dict:
    outputs = [
        (admin_view.JOBS_TABLE, "children"),
        (admin_view.JOBS_TICK, "disabled"),
        (admin_view.JOBS_NOTICE, "children"),
    ]
    inputs = [
        {"id": admin_view.JOBS_START, "property": "n_clicks", "value": None},
        {"id": admin_view.JOBS_TICK, "property": "n_intervals", "value": 1},
    ]
    return callback_request(outputs, inputs, [f"{admin_view.JOBS_TICK}.n_intervals"])


def role_callback(user_id: int, role: str) -> dict:
    """The users table's role picker set to `role` for the user."""
    picker = {"type": admin_view.ROLE, "user": user_id}
    outputs = [(admin_view.USERS_NOTICE, "children"), (admin_view.USERS_TABLE, "children")]
    inputs = [[{"id": picker, "property": "value", "value": role}], []]  # the pickers, the switches
    return callback_request(outputs, inputs, [f"{dash_id(picker)}.value"])


def role_change(world: World, caller: Caller) -> dict:
    """Anyone else tries to make the analyst an admin; an admin sets it to what it is (harmless)."""
    wanted = "analyst" if page_role(caller) == "admin" else "admin"
    return role_callback(account_of(world, ANALYST)["id"], wanted)


def account_of(world: World, email: str) -> dict:
    """The account as the admin API lists it (read by the admin's key)."""
    users = call(world, ADMIN_BY_KEY, "GET", f"{API}/admin/users").json["data"]
    return next(user for user in users if user["email"] == email)


# Each callback's request, and the emails an admin's answer shows (nobody else's shows any).
ADMIN_CALLBACKS = {
    "audit": (lambda world, caller: audit_callback(), [ANALYST, ADMIN, BYSTANDER]),  # the actors of sign-ins
    "jobs": (lambda world, caller: jobs_callback(), []),
    "role-change": (role_change, [ANALYST, ADMIN, BYSTANDER]),
}


@pytest.mark.parametrize("caller", PAGE_CALLERS, ids=lambda caller: caller.name)
@pytest.mark.parametrize("name", ADMIN_CALLBACKS)
def test_admin_callbacks_answer_admins_only(world, name, caller):
    build, emails = ADMIN_CALLBACKS[name]
    answer = call(world, caller, "POST", "/_dash-update-component", build(world, caller))
    if page_role(caller) != "admin":
        assert (answer.status_code, answer.get_data()) == (204, b"")  # PreventUpdate: nothing done, nothing shown
    else:
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        shown = str(answer.json["response"])
        assert [email for email in (ANALYST, ADMIN, BYSTANDER) if email in shown] == emails
    assert account_of(world, ANALYST)["role"] == "analyst"  # nobody made an admin
