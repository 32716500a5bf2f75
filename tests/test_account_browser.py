"""The account pages in headless Chromium over a fresh database: sign up, make a key, call the API
with it, revoke it; a wrong password's message; sign-out from the navbar, at a phone's width too."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import account as view
from components import shell
from data.accounts.audit import AuditFilter, entries
from data.accounts.users import create_user
from data.db import Database
from tests.served import catalog_database, serve
from tests.stack import TEST_SECRET_KEY

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
KEY_LIMIT = 5  # requests per minute per key, low enough to reach


@pytest.fixture
def database(fresh_database_url):
    db = Database.from_urls(fresh_database_url)
    yield db
    db.dispose()


@pytest.fixture
def base_url(database, fresh_database_url, live_server):
    settings = Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url)
    return live_server(create_app(settings, database))


@pytest.fixture
def served(server_url, template_url):
    """A real `catalog serve` (gunicorn) with a low per-key limit, over a database of its own
    that holds an admin: (its url, its database)."""
    with (
        catalog_database(server_url) as database_url,
        serve(database_url, CATALOG_KEY_RATE_LIMIT=f"{KEY_LIMIT}/minute") as served,
    ):
        database = Database.from_urls(database_url)
        add_user(database, "root@example.org", role="admin")
        yield served.url, database
        database.dispose()


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def open_page(browser, base_url: str, path: str) -> None:
    browser.server_url = base_url  # opens the root, then:
    browser.driver.get(f"{base_url}{path}")


def pathname(browser) -> str:
    return browser.driver.execute_script("return location.pathname;")


def fill(browser, selector: str, value: str) -> None:
    field = browser.wait_for_element(selector)
    field.clear()
    field.send_keys(value)


def submit_credentials(browser, kind: str, email: str, password: str) -> None:
    form = view.FORMS[kind]
    fill(browser, f"#{form.email}", email)
    fill(browser, f"#{form.password}", password)
    browser.find_element(f"#{form.form} .form-submit").click()


def api(path: str, base_url: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(f"{base_url}{path}", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def console_errors(browser, *expected: str) -> list[str]:
    """The console's errors but the failed requests a test provoked (Chromium logs each 4xx)."""
    messages = [entry["message"] for entry in browser.get_logs()]
    return [m for m in messages if not any(f"{path} - Failed to load resource" in m for path in expected)]


def add_user(database: Database, email: str, role: str = "analyst") -> None:
    with database.session() as session:
        create_user(session, email, PASSWORD, role)
        session.commit()


def audited(database: Database, email: str) -> list[tuple[str, str | None]]:
    """(action, the key's name) of the account's audit entries, oldest first."""
    with database.session() as session:
        found = entries(session, AuditFilter(actor_email=email))
        return [(entry.action, (entry.details or {}).get("name")) for entry in reversed(found)]


def test_sign_up_make_a_key_call_the_api_and_revoke_it(browser, base_url, database):
    open_page(browser, base_url, "/signup")
    submit_credentials(browser, "signup", "new@example.org", PASSWORD)
    wait_for(browser, lambda: pathname(browser) == "/account")
    browser.wait_for_contains_text(f"#{shell.NAV_ACCOUNT}", "new@example.org")
    browser.wait_for_contains_text(".account-profile", "analyst")

    fill(browser, f"#{view.KEY_NAME}", "laptop")
    browser.find_element(".create-key").click()
    browser.wait_for_contains_text(f"#{view.NEW_KEY_VALUE}", "mck_")
    assert "it will not be shown again" in browser.find_element(f"#{view.NEW_KEY}").text
    assert browser.find_element(".new-key-copy").is_displayed()
    key = browser.find_element(f"#{view.NEW_KEY_VALUE}").text
    browser.wait_for_contains_text(".key-list .key-name", "laptop")
    assert key not in browser.find_element(".key-list").text  # listed by its prefix only

    status, answer = api("/api/v1/me", base_url, key)
    assert status == 200
    me = answer["data"]
    assert (me["email"], me["role"], me["authenticated_by"]) == ("new@example.org", "analyst", "key")

    browser.find_element(".key-live .btn-danger").click()
    wait_for(browser, lambda: browser.driver.switch_to.alert).accept()
    browser.wait_for_contains_text(".key-list .key-status", "revoked")
    status, answer = api("/api/v1/me", base_url, key)
    assert (status, answer["error"]["code"]) == (401, "KEY_REVOKED")
    assert audited(database, "new@example.org") == [
        ("auth.signup", None),
        ("key.create", "laptop"),
        ("key.revoke", "laptop"),
    ]
    assert console_errors(browser) == []


def test_through_catalog_serve_a_new_key_reaches_its_rate_limit_and_an_admin_sees_it(browser, served):
    """The issue's "done when": sign up, make a key, call the API with it, hit its limit; an admin
    sees that in the audit log."""
    served_url, database = served
    open_page(browser, served_url, "/signup")
    submit_credentials(browser, "signup", "busy@example.org", PASSWORD)
    wait_for(browser, lambda: pathname(browser) == "/account")
    session_cookie = browser.driver.get_cookie("catalog_session")
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax"
    assert not session_cookie["secure"]  # plain http://127.0.0.1: Secure only over TLS
    fill(browser, f"#{view.KEY_NAME}", "script")
    browser.find_element(".create-key").click()
    browser.wait_for_contains_text(f"#{view.NEW_KEY_VALUE}", "mck_")
    key = browser.find_element(f"#{view.NEW_KEY_VALUE}").text
    answers = [api("/api/v1/me", served_url, key) for _ in range(KEY_LIMIT + 3)]
    assert [status for status, _ in answers] == [200] * KEY_LIMIT + [429] * 3
    assert answers[0][1]["data"]["email"] == "busy@example.org"
    assert answers[-1][1]["error"]["code"] == "RATE_LIMITED"
    assert console_errors(browser) == []

    browser.driver.delete_all_cookies()
    audit_page = "/admin/audit?" + urlencode({"actor": "busy@example.org"})
    open_page(browser, served_url, "/login?" + urlencode({"next": audit_page}))
    submit_credentials(browser, "login", "root@example.org", PASSWORD)
    wait_for(browser, lambda: pathname(browser) == "/admin/audit")
    browser.wait_for_element(".admin-audit-entry", timeout=30)  # a fourth page load on a loaded machine
    entries = browser.driver.find_elements(By.CSS_SELECTOR, ".admin-audit-entry")
    actions = [entry.find_elements(By.TAG_NAME, "td")[2].text for entry in entries]  # newest first
    assert actions == ["key.rate_limited", "key.create", "auth.signup"]
    assert audited(database, "busy@example.org")[-1] == ("key.rate_limited", None)  # one row, not three


def test_a_wrong_password_shows_the_apis_message(browser, base_url, database):
    add_user(database, "known@example.org")
    open_page(browser, base_url, "/login")
    submit_credentials(browser, "login", "known@example.org", "not the password")
    browser.wait_for_text_to_equal(".form-error", "Wrong email or password.")
    assert pathname(browser) == "/login"
    assert browser.find_elements(".nav-sign-in")
    assert console_errors(browser, "/api/v1/auth/login") == []


def test_a_taken_email_shows_the_apis_message(browser, base_url, database):
    add_user(database, "taken@example.org")
    open_page(browser, base_url, "/signup")
    submit_credentials(browser, "signup", "taken@example.org", PASSWORD)
    browser.wait_for_text_to_equal(".form-error", "An account already has this email address.")
    assert console_errors(browser, "/api/v1/auth/signup") == []


def test_sign_in_returns_to_next_and_sign_out_ends_it(browser, base_url, database):
    add_user(database, "back@example.org")
    open_page(browser, base_url, "/login?next=/trending")
    submit_credentials(browser, "login", "back@example.org", PASSWORD)
    wait_for(browser, lambda: pathname(browser) == "/trending")
    browser.wait_for_contains_text(f"#{shell.NAV_ACCOUNT}", "back@example.org")
    browser.find_element(f"#{shell.NAV_ACCOUNT} .dropdown-toggle").click()
    [keys] = [item for item in browser.find_elements(f"#{shell.NAV_ACCOUNT} .dropdown-item") if item.text == "API keys"]
    keys.click()
    wait_for(browser, lambda: pathname(browser) == "/account")
    browser.wait_for_element(f"#{view.KEY_NAME}")
    browser.driver.back()
    wait_for(browser, lambda: pathname(browser) == "/trending")

    browser.find_element(f"#{shell.NAV_ACCOUNT} .dropdown-toggle").click()
    browser.wait_for_element(f"#{shell.NAV_SIGN_OUT}").click()
    browser.wait_for_contains_text(".nav-sign-in", "Sign in")
    assert pathname(browser) == "/trending"  # signed out where one was
    assert not browser.driver.find_elements(By.ID, shell.NAV_ACCOUNT)
    open_page(browser, base_url, "/account")
    browser.wait_for_contains_text(".account-prompt", "Sign in to see your account")
    assert console_errors(browser) == []


def other_browser(base_url: str, email: str):
    """A second client signed in as `email` (a cookie jar of its own): its session is live."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    token = json.load(opener.open(f"{base_url}/api/v1/auth/csrf"))["data"]["csrf_token"]
    body = json.dumps({"email": email, "password": PASSWORD}).encode()
    headers = {"Content-Type": "application/json", "X-CSRFToken": token}
    opener.open(urllib.request.Request(f"{base_url}/api/v1/auth/login", body, headers))
    return opener


def who(opener, base_url: str) -> str | None:
    return json.load(opener.open(f"{base_url}/api/v1/me"))["data"]["email"]


def test_sign_out_everywhere_from_the_account_page(browser, base_url, database):
    add_user(database, "all@example.org")
    elsewhere = other_browser(base_url, "all@example.org")
    open_page(browser, base_url, "/login")
    submit_credentials(browser, "login", "all@example.org", PASSWORD)
    browser.wait_for_contains_text(".live-sessions", "2 live sessions")
    assert who(elsewhere, base_url) == "all@example.org"
    browser.find_element(f"#{view.SIGN_OUT_EVERYWHERE}").click()
    browser.wait_for_contains_text(".account-prompt", "Sign in to see your account")
    assert browser.find_elements(".nav-sign-in")
    assert who(elsewhere, base_url) is None  # the other session ended too
    assert console_errors(browser) == []


def test_sign_out_ends_this_session_only(browser, base_url, database):
    add_user(database, "one@example.org")
    elsewhere = other_browser(base_url, "one@example.org")
    open_page(browser, base_url, "/login")
    submit_credentials(browser, "login", "one@example.org", PASSWORD)
    browser.wait_for_contains_text(".live-sessions", "2 live sessions")
    browser.find_element(f"#{view.SIGN_OUT}").click()
    browser.wait_for_contains_text(".account-prompt", "Sign in to see your account")
    assert who(elsewhere, base_url) == "one@example.org"
    assert console_errors(browser) == []


def test_the_account_menu_at_a_phones_width(browser, base_url, database):
    add_user(database, "phone@example.org")
    browser.driver.set_window_size(390, 844)
    open_page(browser, base_url, "/login")
    toggler = browser.wait_for_element(".navbar-toggler")
    assert toggler.is_displayed()
    assert not browser.find_element(".nav-sign-in").is_displayed()  # behind the toggler
    toggler.click()
    wait_for(browser, lambda: browser.find_element(".nav-sign-in").is_displayed())

    submit_credentials(browser, "login", "phone@example.org", PASSWORD)
    wait_for(browser, lambda: pathname(browser) == "/account")
    browser.wait_for_element(".navbar-toggler").click()
    menu = browser.wait_for_element(f"#{shell.NAV_ACCOUNT} .dropdown-toggle")
    wait_for(browser, menu.is_displayed)
    assert menu.text == "phone@example.org"
    menu.click()
    sign_out = browser.wait_for_element(f"#{shell.NAV_SIGN_OUT}")
    wait_for(browser, sign_out.is_displayed)
    width = browser.driver.execute_script("return document.documentElement.scrollWidth;")
    assert width <= 390  # nothing pushed the page sideways
    sign_out.click()
    browser.wait_for_contains_text(".account-prompt", "Sign in to see your account")
    assert console_errors(browser) == []
