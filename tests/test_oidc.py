"""Sign-in through an OIDC provider over HTTP: the app served on 127.0.0.1 with authlib's real
client, the tests' own provider (tests/oidc_provider.py), a real PostgreSQL; each redirect
followed by hand, so every hop is seen to stay on 127.0.0.1."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from app.api.errors import ERRORS, SIGN_IN_FAILURES, sign_in_failure
from app.factory import create_app
from app.settings import Settings
from data.accounts.audit import AuditFilter, entries
from data.accounts.tables import User, UserIdentity
from data.accounts.users import create_user, set_disabled
from data.db import Database
from tests.oidc_provider import OidcProvider, ProviderUser
from tests.served import catalog_database, serve
from tests.stack import TEST_SECRET_KEY

ALICE = ProviderUser("alice-sub", "alice@example.com")
BOB = ProviderUser("bob-sub", "bob@example.com", email_verified=False)
CAROL = ProviderUser("carol-sub", "carol@example.com", email_in_id_token=False)
LOGIN = "/api/v1/auth/oidc/login"
PASSWORD = "correct horse battery staple"
STACK_REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of its own: other tests flush theirs


@pytest.fixture
def provider():
    with OidcProvider([ALICE, BOB, CAROL]) as provider:
        yield provider


@pytest.fixture
def database(fresh_database_url):
    db = Database.from_urls(fresh_database_url)
    yield db
    db.dispose()


def oidc_settings(database_url: str, issuer: str, client_id: str, client_secret: str) -> Settings:
    return Settings(
        secret_key=TEST_SECRET_KEY,
        database_url=database_url,
        rate_limit="off",
        oidc_issuer=issuer,
        oidc_client_id=client_id,
        oidc_client_secret=client_secret,
        oidc_name="Test provider",
    )


@pytest.fixture
def site(provider, database, fresh_database_url, live_server) -> str:
    settings = oidc_settings(fresh_database_url, provider.issuer, provider.client_id, provider.client_secret)
    return live_server(create_app(settings, database))


def walk(browser: requests.Session, url: str) -> tuple[requests.Response, list[str]]:
    """Follow redirects by hand until one leads to a page of the site (a relative Location);
    (that last answer, every URL visited). Nothing may lead off 127.0.0.1."""
    visited = [url]
    response = browser.get(url, allow_redirects=False, timeout=20)
    while response.status_code == 302 and not response.headers["Location"].startswith("/"):
        url = response.headers["Location"]
        assert url.startswith("http://127.0.0.1:"), url
        visited.append(url)
        response = browser.get(url, allow_redirects=False, timeout=20)
    return response, visited


def sign_in(site: str, provider: OidcProvider, user: ProviderUser, next_path: str = "/account", browser=None):
    """One sign-in as `user` approved at once; (the browser, the callback's answer)."""
    provider.auto_approve = user.subject
    browser = browser or requests.Session()
    answer, _ = walk(browser, f"{site}{LOGIN}?{requests.compat.urlencode({'next': next_path})}")
    return browser, answer


def me(site: str, browser: requests.Session) -> dict:
    return browser.get(f"{site}/api/v1/me", timeout=10).json()["data"]


def refused_with(answer: requests.Response) -> str:
    """The code a refused sign-in ends on /login with (the `next` kept beside it)."""
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/login" and not location.netloc
    query = parse_qs(location.query)
    assert set(query) == {"error", "next"}
    return query["error"][0]


def audit_rows(database: Database, action: str) -> list:
    with database.session() as session:
        return entries(session, AuditFilter(action=action))


def user_rows(database: Database) -> list[User]:
    with database.session() as session:
        return list(session.scalars(select(User)).all())


def identity_rows(database: Database) -> list[tuple[str, str, int]]:
    with database.session() as session:
        rows = session.scalars(select(UserIdentity)).all()
        return [(row.issuer, row.subject, row.user_id) for row in rows]


def test_first_sign_in_creates_an_analyst_with_the_identity_and_lands_on_next(site, provider, database):
    browser, answer = sign_in(site, provider, ALICE, next_path="/models?q=llama")
    assert answer.status_code == 302 and answer.headers["Location"] == "/models?q=llama"
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert me(site, browser) | {"id": None} == {
        "id": None,
        "email": "alice@example.com",
        "role": "analyst",
        "authenticated_by": "session",
        "key_id": None,
    }
    [user] = user_rows(database)
    assert (user.email, user.role, user.password_hash) == ("alice@example.com", "analyst", None)
    assert user.last_login_at is not None
    assert identity_rows(database) == [(provider.issuer, "alice-sub", user.id)]
    [row] = audit_rows(database, "auth.oidc_login")
    assert (row.actor_id, row.actor_email, row.target_id) == (user.id, "alice@example.com", str(user.id))
    assert row.details == {"issuer": provider.issuer, "created": True}


def test_the_flow_uses_pkce_s256_a_nonce_and_the_client_secret(site, provider):
    sign_in(site, provider, ALICE)
    [authorize] = [entry for entry in provider.requests if entry["path"] == "/authorize"]
    assert authorize["args"]["code_challenge_method"] == "S256"
    assert authorize["args"]["scope"] == "openid email profile"
    assert len(authorize["args"]["nonce"]) >= 20 and authorize["args"]["state"]
    [token] = [entry for entry in provider.requests if entry["path"] == "/token"]
    assert len(token["form"]["code_verifier"]) >= 43
    assert token["form"]["redirect_uri"] == f"{site.rstrip('/')}/api/v1/auth/oidc/callback"


def test_a_second_sign_in_reuses_the_account(site, provider, database):
    sign_in(site, provider, ALICE)
    browser, answer = sign_in(site, provider, ALICE)
    assert answer.headers["Location"] == "/account"
    assert me(site, browser)["email"] == "alice@example.com"
    assert len(user_rows(database)) == 1 and len(identity_rows(database)) == 1
    assert [row.details["created"] for row in audit_rows(database, "auth.oidc_login")] == [False, True]


def test_the_provider_is_read_lazily_and_its_documents_once(site, provider):
    assert provider.paths() == []  # serving the app fetched nothing
    sign_in(site, provider, ALICE)
    sign_in(site, provider, ALICE)
    paths = provider.paths()
    assert paths.count("/.well-known/openid-configuration") == 1 and paths.count("/jwks") == 1
    assert paths.count("/token") == 2


def test_a_verified_email_links_the_password_account_of_that_email(site, provider, database):
    with database.session() as session:
        existing = create_user(session, "Alice@Example.com", PASSWORD)
        session.commit()
        existing_id = existing.id
    browser, answer = sign_in(site, provider, ALICE)
    assert answer.headers["Location"] == "/account"
    assert me(site, browser)["id"] == existing_id
    assert identity_rows(database) == [(provider.issuer, "alice-sub", existing_id)]
    assert audit_rows(database, "auth.oidc_login")[0].details["created"] is False


def test_an_unverified_email_is_refused_and_links_nothing(site, provider, database):
    with database.session() as session:
        create_user(session, "bob@example.com", PASSWORD)
        session.commit()
    browser, answer = sign_in(site, provider, BOB)
    assert refused_with(answer) == "OIDC_EMAIL_UNVERIFIED"
    assert me(site, browser)["authenticated_by"] == "anonymous"
    assert identity_rows(database) == [] and len(user_rows(database)) == 1


def test_an_unverified_email_makes_no_account_either(site, provider, database):
    _, answer = sign_in(site, provider, BOB)
    assert refused_with(answer) == "OIDC_EMAIL_UNVERIFIED"
    assert user_rows(database) == []


def test_an_email_only_userinfo_tells_is_read_there(site, provider, database):
    browser, _ = sign_in(site, provider, CAROL)
    assert me(site, browser)["email"] == "carol@example.com"
    assert "/userinfo" in provider.paths()


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        ("deny", "OIDC_DENIED"),
        ("wrong_nonce", "OIDC_PROVIDER_FAILED"),
        ("wrong_audience", "OIDC_PROVIDER_FAILED"),
        ("expired", "OIDC_PROVIDER_FAILED"),
        ("wrong_key", "OIDC_PROVIDER_FAILED"),
        ("wrong_issuer", "OIDC_PROVIDER_FAILED"),
        ("discovery_issuer", "OIDC_PROVIDER_FAILED"),
        ("token_error", "OIDC_PROVIDER_FAILED"),
    ],
)
def test_each_failure_of_the_provider_signs_nobody_in(site, provider, database, caplog, failure, code):
    provider.failure = failure
    with caplog.at_level(logging.WARNING, logger="app.api.oidc"):
        browser, answer = sign_in(site, provider, ALICE, next_path="/trending")
    assert refused_with(answer) == code
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["next"] == ["/trending"]
    assert me(site, browser)["authenticated_by"] == "anonymous"
    assert user_rows(database) == [] and audit_rows(database, "auth.oidc_login") == []
    [row] = audit_rows(database, "auth.oidc_failed")
    assert row.details["code"] == code and row.details["issuer"] == provider.issuer
    written = json.dumps(row.details) + caplog.text
    assert code in caplog.text
    for secret in [*provider.issued, provider.client_secret]:
        assert secret not in written


def test_a_failed_sign_in_leaves_no_flow_behind_and_the_next_one_works(site, provider):
    provider.failure = "wrong_key"
    browser, answer = sign_in(site, provider, ALICE)
    assert refused_with(answer) == "OIDC_PROVIDER_FAILED"
    provider.failure = None
    _, answer = sign_in(site, provider, ALICE, browser=browser)
    assert answer.headers["Location"] == "/account"
    assert me(site, browser)["email"] == "alice@example.com"


def test_the_audit_log_and_the_app_log_hold_no_token(site, provider, database, caplog):
    with caplog.at_level(logging.DEBUG):
        sign_in(site, provider, ALICE)
    rows = audit_rows(database, "auth.oidc_login")
    ours = [record.getMessage() for record in caplog.records if record.name.startswith(("app", "catalog", "authlib"))]
    written = json.dumps([row.details for row in rows]) + "\n".join(ours)
    [token_request] = [entry["form"] for entry in provider.requests if entry["path"] == "/token"]
    secrets = [*provider.issued, token_request["code_verifier"], provider.client_secret]
    assert len(secrets) == 5 and ours
    for secret in secrets:
        assert secret not in written


def callback_url(site: str, provider: OidcProvider, browser: requests.Session) -> str:
    """Start a sign-in in `browser` and stop at the provider's redirect back: the callback URL."""
    provider.auto_approve = ALICE.subject
    start = browser.get(f"{site}{LOGIN}", allow_redirects=False, timeout=10)
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    return back.headers["Location"]


def test_a_callback_of_another_browser_is_refused(site, provider, database):
    stolen = callback_url(site, provider, requests.Session())
    victim = requests.Session()
    answer = victim.get(stolen, allow_redirects=False, timeout=10)
    assert refused_with(answer) == "OIDC_SIGN_IN_EXPIRED"
    assert me(site, victim)["authenticated_by"] == "anonymous" and user_rows(database) == []


def test_a_callback_is_used_once(site, provider):
    browser = requests.Session()
    url = callback_url(site, provider, browser)
    assert browser.get(url, allow_redirects=False, timeout=10).headers["Location"] == "/account"
    assert refused_with(browser.get(url, allow_redirects=False, timeout=10)) == "OIDC_SIGN_IN_EXPIRED"


def test_a_callback_without_state_is_refused(site, provider):
    answer = requests.get(f"{site}/api/v1/auth/oidc/callback?code=abc", allow_redirects=False, timeout=10)
    assert refused_with(answer) == "OIDC_SIGN_IN_EXPIRED"


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "evil", "/a\r\nb"],
)
def test_next_leading_off_the_site_is_refused_before_leaving(site, provider, next_path):
    answer = requests.get(f"{site}{LOGIN}", params={"next": next_path}, allow_redirects=False, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "INVALID_PARAMETER"
    assert answer.json()["error"]["details"]["parameter"] == "next"
    assert provider.paths() == []


def test_a_disabled_account_cannot_sign_in_through_the_provider(site, provider, database):
    sign_in(site, provider, ALICE)
    [user] = user_rows(database)
    with database.session() as session:
        set_disabled(session, user.id, True)
        session.commit()
    browser, answer = sign_in(site, provider, ALICE)
    assert refused_with(answer) == "ACCOUNT_DISABLED"
    assert me(site, browser)["authenticated_by"] == "anonymous"
    assert audit_rows(database, "auth.oidc_failed")[0].details["code"] == "ACCOUNT_DISABLED"


def test_without_oidc_settings_both_routes_answer_404(client):
    for path in (LOGIN, "/api/v1/auth/oidc/callback?code=x&state=y"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json["error"]["code"] == "OIDC_NOT_CONFIGURED"


def test_an_unreachable_provider_starts_the_app_and_refuses_sign_in(
    database, fresh_database_url, live_server, unused_port
):
    settings = oidc_settings(fresh_database_url, f"http://127.0.0.1:{unused_port}", "catalog", "a-secret")
    site = live_server(create_app(settings, database))
    assert requests.get(f"{site}/api/v1/health", timeout=10).status_code == 200
    answer = requests.get(f"{site}{LOGIN}", allow_redirects=False, timeout=30)
    assert refused_with(answer) == "OIDC_PROVIDER_FAILED"
    assert audit_rows(database, "auth.oidc_failed")[0].details["reason"].startswith("discovery: ConnectionError")


def test_sign_in_through_a_real_catalog_serve(server_url, template_url, provider):
    """gunicorn's answers: the cookie that carries the flow, and the session it ends with."""
    with catalog_database(server_url) as database_url:
        environment = {
            "CATALOG_OIDC_ISSUER": provider.issuer,
            "CATALOG_OIDC_CLIENT_ID": provider.client_id,
            "CATALOG_OIDC_CLIENT_SECRET": provider.client_secret,
        }
        with serve(database_url, **environment) as served:
            browser, answer = sign_in(served.url, provider, ALICE)
            assert answer.headers["Location"] == "/account"
            cookie = answer.headers["Set-Cookie"]
            assert "catalog_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
            assert me(served.url, browser)["email"] == "alice@example.com"


def test_the_login_page_message_of_each_failure_is_fixed_text():
    for code in SIGN_IN_FAILURES:
        message = sign_in_failure(code)
        assert message == ERRORS[code].message and "{" not in message, code
    for error in ("INVALID_PARAMETER", "<script>alert(1)</script>", "", None, ["OIDC_DENIED"]):
        assert sign_in_failure(error) is None


def test_sign_in_through_nginx_and_two_app_processes(server_url, template_url, provider):
    """The flow's state lives in the cookie, not in a process: the callback may reach the other
    app process. The redirect_uri the app names must be nginx's address, port included."""
    from tests.stack import start_stack

    with catalog_database(server_url) as database_url:
        stack = start_stack(
            database_url,
            STACK_REDIS_URL,
            CATALOG_OIDC_ISSUER=provider.issuer,
            CATALOG_OIDC_CLIENT_ID=provider.client_id,
            CATALOG_OIDC_CLIENT_SECRET=provider.client_secret,
        )
        try:
            flows = []  # (the process that started a flow, the one that finished it)
            for _ in range(4):
                browser, upstreams = upstream_logging_session()
                _, answer = sign_in(stack.url, provider, ALICE, browser=browser)
                assert answer.headers["Location"] == "/account"
                assert me(stack.url, browser)["email"] == "alice@example.com"
                assert len(upstreams) == 3  # the login, the callback, /me (the provider sends none)
                flows.append((upstreams[0], upstreams[1]))
            assert any(started != finished for started, finished in flows), flows
            [authorize, *_] = [entry for entry in provider.requests if entry["path"] == "/authorize"]
            assert authorize["args"]["redirect_uri"] == f"{stack.url}/api/v1/auth/oidc/callback"
        finally:
            stack.stop()


def upstream_logging_session() -> tuple[requests.Session, list[str]]:
    """A session that notes which app process answered each of its requests through nginx."""
    browser, upstreams = requests.Session(), []

    def note(answer: requests.Response, **_) -> None:
        if "X-Upstream" in answer.headers:
            upstreams.append(answer.headers["X-Upstream"])

    browser.hooks["response"].append(note)
    return browser, upstreams
