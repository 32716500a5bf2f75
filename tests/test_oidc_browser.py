"""Sign-in through the OIDC provider end to end in headless Chromium: the app and the tests' own
provider both on 127.0.0.1, the provider's page clicked like a person would."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from app.factory import create_app
from data.db import Database
from tests.oidc_provider import OidcProvider, ProviderUser
from tests.test_oidc import oidc_settings

pytestmark = pytest.mark.browser

ALICE = ProviderUser("alice-sub", "alice@example.com")
BOB = ProviderUser("bob-sub", "bob@example.com")
LOADED_URLS = "return performance.getEntries().map(entry => entry.name).filter(name => name.startsWith('http'));"


@pytest.fixture
def provider():
    with OidcProvider([ALICE, BOB]) as provider:
        yield provider


@pytest.fixture
def site(provider, fresh_database_url, live_server):
    database = Database.from_urls(fresh_database_url)
    settings = oidc_settings(fresh_database_url, provider.issuer, provider.client_id, provider.client_secret)
    yield live_server(create_app(settings, database))
    database.dispose()


def wait_for(browser, condition, timeout: float = 15):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def start_sign_in(browser, site: str, provider: OidcProvider, next_path: str) -> None:
    """The /login page's "Sign in with …" button, as a visitor clicks it."""
    browser.driver.get(f"{site}/login?next={next_path}")
    browser.wait_for_element("#oidc-sign-in").click()
    wait_for(browser, lambda: browser.driver.current_url.startswith(f"{provider.issuer}/authorize"))


def loaded_urls(browser) -> list[str]:
    return browser.driver.execute_script(LOADED_URLS) + [browser.driver.current_url]


def me(browser, site: str) -> dict:
    """GET /api/v1/me with the browser's own cookies."""
    browser.driver.get(f"{site}/api/v1/me")
    return json.loads(browser.driver.find_element("tag name", "body").text)["data"]


def test_sign_in_through_the_provider_page_lands_signed_in(browser, site, provider):
    start_sign_in(browser, site, provider, "/trending")
    page = browser.driver.find_element("id", "sign-in-as-1")
    assert page.text == "Sign in as bob@example.com"
    seen = loaded_urls(browser)
    page.click()
    wait_for(browser, lambda: urlsplit(browser.driver.current_url).path == "/trending")
    assert browser.driver.current_url == f"{site}/trending"
    browser.wait_for_element(".navbar")  # the dashboard's page, served after the redirect
    seen += loaded_urls(browser)
    assert all(url.startswith("http://127.0.0.1:") for url in seen), seen
    assert browser.get_logs() == []
    assert me(browser, site) | {"id": None} == {
        "id": None,
        "email": "bob@example.com",
        "role": "analyst",
        "authenticated_by": "session",
        "key_id": None,
    }


def test_cancelling_at_the_provider_ends_on_the_login_page_signed_out(browser, site, provider):
    start_sign_in(browser, site, provider, "/account")
    browser.driver.find_element("id", "cancel").click()
    wait_for(browser, lambda: urlsplit(browser.driver.current_url).path == "/login")
    query = parse_qs(urlsplit(browser.driver.current_url).query)
    assert query == {"error": ["OIDC_DENIED"], "next": ["/account"]}
    assert me(browser, site)["authenticated_by"] == "anonymous"
