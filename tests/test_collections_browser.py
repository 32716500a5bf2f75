"""Collections in headless Chromium: make one, add a model from its page, open the collection,
and read it signed out once it is public."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from app.factory import create_app
from app.settings import Settings
from components import collections as view
from data.accounts import collections
from data.accounts.users import create_user
from data.db import Database
from data.ingest.pipeline import ingest
from tests.stack import TEST_SECRET_KEY
from tests.test_admin_browser import PASSWORD, sign_in
from tests.test_search_browser import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    with db.session() as session:
        user_id = create_user(session, "ana@example.org", PASSWORD).id
        session.commit()
    ingest(db, [{"id": "acme/chat", "pipeline_tag": "text-generation"}, {"id": "lab/vision"}])
    server = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, rate_limit="off"), db)
    yield live_server(server), db, user_id
    db.dispose()


def texts(browser, selector: str) -> list[str]:
    return [element.text for element in browser.driver.find_elements(By.CSS_SELECTOR, selector)]


def test_make_a_collection_add_a_model_and_share_it(browser, site):
    url, db, user_id = site
    sign_in(browser, url, "ana@example.org")
    browser.driver.get(f"{url}/collections")
    browser.wait_for_element(f"#{view.NEW_NAME}").send_keys("reading list")
    browser.find_element(".make-collection").click()
    wait_for(browser, lambda: texts(browser, ".collection-name") == ["reading list"])

    browser.driver.get(f"{url}/models/acme/chat")
    browser.wait_for_element(".add-to-collection .dropdown-toggle").click()
    wait_for(browser, lambda: texts(browser, ".add-to-collection .dropdown-item") == ["reading list"])
    browser.find_element(".add-to-collection .dropdown-item").click()
    browser.wait_for_text_to_equal(".collection-added", "Added.")

    with db.session() as session:
        (made,) = collections.list_collections(session, user_id)
    browser.driver.get(f"{url}/collections/{made.id}")
    browser.wait_for_element(".collection-item")
    assert texts(browser, ".collection-item .model-link") == ["acme/chat"]
    assert "Private" in browser.find_element(".collection-page").text

    browser.driver.delete_all_cookies()  # a visitor with the link: private is not found
    browser.driver.get(f"{url}/collections/{made.id}")
    browser.wait_for_element(".collection-missing")
    with db.session() as session:
        collections.change_collection(session, user_id, made.id, public=True)
        session.commit()
    browser.driver.get(f"{url}/collections/{made.id}")
    browser.wait_for_element(".collection-item")
    assert texts(browser, ".collection-title") == ["reading list"]
    assert browser.get_logs() == []
