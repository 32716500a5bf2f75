"""The account pages and the navbar's account menu, per identity, through the Flask test client:
the page layout and the router's callback as the dashboard requests them."""

from __future__ import annotations

import pytest

from app.auth import SESSION_COOKIE
from app.auth.csrf import CSRF_COOKIE
from app.factory import create_app
from app.settings import Settings
from components import account as view
from components import routes, shell
from data.accounts.users import set_role
from data.db import Database
from tests.stack import TEST_SECRET_KEY

PASSWORD = "correct horse battery"
PAGE_OUTPUT = "..page.children...page-title.data.."


# --- reading Dash's JSON trees -------------------------------------------------------------


def nodes(tree):
    """Every component of a JSON tree (as Dash sends it), depth first."""
    if isinstance(tree, list):
        for item in tree:
            yield from nodes(item)
    elif isinstance(tree, dict) and "props" in tree:
        yield tree
        props = tree["props"]
        for name in ("children", "label"):
            yield from nodes(props.get(name))


def by_id(tree, component_id):
    return next((node for node in nodes(tree) if node["props"].get("id") == component_id), None)


def text_of(tree) -> str:
    def texts(item):
        if isinstance(item, (str, int, float)):
            yield str(item)
        elif isinstance(item, list):
            for part in item:
                yield from texts(part)
        elif isinstance(item, dict) and "props" in item:
            for name in ("children", "label"):
                yield from texts(item["props"].get(name))

    return " ".join(" ".join(texts(tree)).split())


def hrefs(tree) -> list[str]:
    return [node["props"]["href"] for node in nodes(tree) if node["props"].get("href")]


# --- requests as the dashboard sends them -------------------------------------------------


def csrf(client) -> str:
    cookie = client.get_cookie(CSRF_COOKIE)
    return cookie.value if cookie else client.get("/api/v1/auth/csrf").json["data"]["csrf_token"]


def sign_up(client, email: str) -> None:
    response = client.post(
        "/api/v1/auth/signup", json={"email": email, "password": PASSWORD}, headers={"X-CSRFToken": csrf(client)}
    )
    assert response.status_code == 201, response.json


def navbar(client):
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    return response.json


def page(client, pathname: str, search: str = ""):
    """(children, title) of the page the router renders for the address."""
    body = {
        "output": PAGE_OUTPUT,
        "outputs": [{"id": "page", "property": "children"}, {"id": "page-title", "property": "data"}],
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["url.pathname"],
    }
    response = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.json["response"]
    return answer["page"]["children"], answer["page-title"]["data"]


def keys_again(client):
    """The key list as the account page asks for it after the browser changed a key."""
    body = {
        "output": f"{view.KEYS}.children",
        "outputs": {"id": view.KEYS, "property": "children"},
        "inputs": [{"id": view.KEYS_CHANGED, "property": "data", "value": 1}],
        "state": [],
        "changedPropIds": [f"{view.KEYS_CHANGED}.data"],
    }
    response = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf(client)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["response"][view.KEYS]["children"]


# --- the navbar ----------------------------------------------------------------------------


def test_a_visitor_is_offered_sign_in_and_sign_up(client):
    layout = navbar(client)
    assert routes.LOGIN in hrefs(layout) and routes.SIGNUP in hrefs(layout)
    assert by_id(layout, shell.NAV_ACCOUNT) is None


def test_an_account_sees_its_email_and_its_pages(client):
    sign_up(client, "Ada@Example.org")
    layout = navbar(client)
    menu = by_id(layout, shell.NAV_ACCOUNT)
    assert menu["props"]["label"] == "ada@example.org"
    assert hrefs(menu) == [
        routes.ACCOUNT,
        routes.ACCOUNT_KEYS,
        routes.SAVED_SEARCHES,
        routes.COLLECTIONS,
    ]  # no Admin for an analyst
    assert by_id(menu, shell.NAV_SIGN_OUT) is not None
    assert routes.LOGIN not in hrefs(layout)


def test_an_admin_also_sees_admin(client, db):
    sign_up(client, "root@example.org")
    with db.session() as session:
        set_role(session, client.get("/api/v1/me").json["data"]["id"], "admin")
        session.commit()
    assert hrefs(by_id(navbar(client), shell.NAV_ACCOUNT)) == [
        routes.ACCOUNT,
        routes.ACCOUNT_KEYS,
        routes.SAVED_SEARCHES,
        routes.COLLECTIONS,
        routes.ADMIN_HOME,
    ]


def test_after_sign_out_the_navbar_is_a_visitors_again(client):
    sign_up(client, "gone@example.org")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf(client)}).status_code == 200
    assert by_id(navbar(client), shell.NAV_ACCOUNT) is None


# --- /account ------------------------------------------------------------------------------


def test_a_visitor_at_account_gets_a_way_in_not_an_error(client):
    children, title = page(client, routes.ACCOUNT)
    assert title == "Your account · Model Catalog"
    assert "Sign in to see your account" in text_of(children)
    assert "/login?next=%2Faccount" in hrefs(children)
    assert by_id(children, view.KEY_FORM) is None


def test_the_account_page_shows_the_profile_sessions_and_keys(client):
    sign_up(client, "grace@example.org")
    children, _ = page(client, routes.ACCOUNT)
    profile = text_of(by_id(children, "api-keys"))
    assert "No keys yet." in profile
    shown = text_of(children)
    assert "Email grace@example.org" in shown and "Role analyst" in shown
    assert "You have 1 live session" in shown
    assert by_id(children, view.SIGN_OUT) and by_id(children, view.SIGN_OUT_EVERYWHERE)


def test_a_second_session_is_counted(app, client):
    sign_up(client, "two@example.org")
    other = app.test_client()
    token = csrf(other)
    signed_in = other.post(
        "/api/v1/auth/login", json={"email": "two@example.org", "password": PASSWORD}, headers={"X-CSRFToken": token}
    )
    assert signed_in.status_code == 200
    assert "You have 2 live sessions" in text_of(page(client, routes.ACCOUNT)[0])


def test_keys_are_listed_by_prefix_and_never_shown_again(client):
    sign_up(client, "keys@example.org")
    created = client.post("/api/v1/me/keys", json={"name": "laptop"}, headers={"X-CSRFToken": csrf(client)}).json
    key, prefix, key_id = created["data"]["key"], created["data"]["prefix"], created["data"]["id"]
    children, _ = page(client, routes.ACCOUNT)
    listed = text_of(by_id(children, view.KEYS))
    assert "laptop" in listed and f"{prefix}…" in listed and "live" in listed
    assert key not in str(children)
    assert by_id(children, {"type": view.REVOKE, "index": key_id})["props"]["value"] == "laptop"

    client.delete(f"/api/v1/me/keys/{key_id}", headers={"X-CSRFToken": csrf(client)})
    again = keys_again(client)
    assert "revoked" in text_of(again)
    assert by_id(again, {"type": view.REVOKE, "index": key_id}) is None  # nothing left to revoke


def test_the_key_list_of_a_session_ended_elsewhere_is_a_sign_in_prompt(client):
    sign_up(client, "ended@example.org")
    client.post("/api/v1/auth/logout", json={"everywhere": True}, headers={"X-CSRFToken": csrf(client)})
    assert "Sign in to see your account" in text_of(keys_again(client))


# --- /login and /signup --------------------------------------------------------------------


def form_config(children, kind: str) -> dict:
    return by_id(children, view.FORMS[kind].config)["props"]["data"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("search", "next_path"),
    [
        ("", routes.ACCOUNT),
        ("?next=/models/acme/base-7b?tab=files", "/models/acme/base-7b?tab=files"),
        ("?next=https://evil.example/", routes.ACCOUNT),
        ("?next=//evil.example/", routes.ACCOUNT),
        ("?next=/%5Cevil.example/", routes.ACCOUNT),
        ("?next=javascript:alert(1)", routes.ACCOUNT),
        ("?next=/x%0d%0aSet-Cookie:a", routes.ACCOUNT),
    ],
)
def test_sign_in_keeps_a_local_next_only(client, search, next_path):
    children, title = page(client, routes.LOGIN, search)
    assert title == "Sign in · Model Catalog"
    assert form_config(children, "login") == {"path": routes.API_LOGIN, "next": next_path}
    assert routes.signup_href(next_path) in hrefs(children)


def test_sign_up_posts_to_the_signup_route(client):
    children, title = page(client, routes.SIGNUP, "?next=/trending")
    assert title == "Sign up · Model Catalog"
    assert form_config(children, "signup") == {"path": routes.API_SIGNUP, "next": "/trending"}
    assert by_id(children, view.OIDC_SIGN_IN) is None


def test_no_single_sign_on_button_without_a_provider(client):
    assert by_id(page(client, routes.LOGIN)[0], view.OIDC_SIGN_IN) is None


@pytest.mark.parametrize(
    ("name", "label"), [(None, "Sign in with login.example.org"), ("Acme SSO", "Sign in with Acme SSO")]
)
def test_a_configured_provider_gets_its_button(db, shared_url, name, label):
    settings = Settings(
        secret_key=TEST_SECRET_KEY,
        database_url=shared_url,
        oidc_issuer="https://login.example.org/realms/main",
        oidc_client_id="catalog",
        oidc_client_secret="not-used-here",
        oidc_name=name,
    )
    client = create_app(settings, database=db).test_client()
    button = by_id(page(client, routes.LOGIN, "?next=/trending")[0], view.OIDC_SIGN_IN)
    assert button["props"]["children"] == label
    assert button["props"]["href"] == "/api/v1/auth/oidc/login?next=%2Ftrending"


def test_a_signed_in_visitor_at_login_is_told_so(client):
    sign_up(client, "here@example.org")
    children, _ = page(client, routes.LOGIN)
    assert "You are signed in as here@example.org." in text_of(children)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("/account#api-keys", "/account#api-keys"),
        ("", routes.ACCOUNT),
        (None, routes.ACCOUNT),
        (["/"], routes.ACCOUNT),
        ("account", routes.ACCOUNT),
        ("http://evil.example", routes.ACCOUNT),
        ("///evil.example", routes.ACCOUNT),
        ("/\\evil.example", routes.ACCOUNT),
        ("/\tx", routes.ACCOUNT),
        ("/" + "a" * routes.MAX_NEXT_LENGTH, routes.ACCOUNT),
    ],
)
def test_local_path(value, expected):
    assert routes.local_path(value) == expected


def test_a_signed_in_visitor_gets_the_database_page_when_it_is_down(client, shared_url):
    sign_up(client, "offline@example.org")
    down = Database.from_urls("postgresql://nobody@127.0.0.1:1/none")
    settings = Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url)
    offline = create_app(settings, database=down).test_client()
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        offline.set_cookie(name, client.get_cookie(name).value)
    assert by_id(navbar(offline), shell.NAV_ACCOUNT) is None  # who it is cannot be known
    children, title = page(offline, routes.ACCOUNT)
    assert title == "Database unavailable · Model Catalog"
