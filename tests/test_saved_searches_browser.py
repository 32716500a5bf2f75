"""Saved searches in headless Chromium: save the search on screen, see what a later ingest
brought counted on /searches, open it marked new, and delete the search."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from app.factory import create_app
from app.settings import Settings
from components import saved as view
from data.accounts.users import create_user
from data.db import Database
from data.ingest.pipeline import ingest
from tests.stack import TEST_SECRET_KEY
from tests.test_admin_browser import sign_in
from tests.test_saved_searches import FIRST, QUERY, SECOND, matches, model_ids
from tests.test_search_browser import wait_for

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"  # the one tests.test_admin_browser.sign_in sends


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    with db.session() as session:
        create_user(session, "ana@example.org", PASSWORD)
        session.commit()
    ingest(db, FIRST)
    server = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, rate_limit="off"), db)
    yield live_server(server), db
    db.dispose()


def texts(browser, selector: str) -> list[str]:
    return [element.text for element in browser.driver.find_elements(By.CSS_SELECTOR, selector)]


def test_save_a_search_then_see_what_is_new_marked(browser, site):
    url, db = site
    sign_in(browser, url, "ana@example.org")
    browser.driver.get(f"{url}/?{QUERY}")
    browser.wait_for_element(".save-search-link").click()
    browser.wait_for_contains_text(".saved-query-to-save", "author=acme")
    browser.find_element(f"#{view.SAVE_NAME}").send_keys("acme chat")
    browser.find_element(".save-search").click()
    wait_for(browser, lambda: texts(browser, ".saved-name") == ["acme chat"])
    assert texts(browser, ".saved-new") == ["nothing new"]
    assert browser.find_element(".saved-name").get_attribute("href").endswith(f"/?{QUERY}")

    ingest(db, SECOND)  # what a later ingest or sync brings
    browser.driver.get(f"{url}/searches")
    expected = model_ids(db, matches(SECOND, FIRST))
    browser.wait_for_text_to_equal(".saved-new", f"{len(expected)} new")
    browser.find_element(".saved-new").click()
    browser.wait_for_element(".new-match")
    assert texts(browser, ".new-match .model-link") == expected
    assert texts(browser, ".new-match .badge") == ["new"] * len(expected)
    browser.driver.get(f"{url}/searches")  # that was the visit
    browser.wait_for_text_to_equal(".saved-new", "nothing new")

    browser.find_element(".saved-delete").click()
    browser.wait_for_element(".saved-empty")
    assert browser.get_logs() == []


def test_watch_a_models_new_quantizations(browser, site):
    url, db = site
    sign_in(browser, url, "ana@example.org")
    browser.driver.get(f"{url}/models/acme/chat")
    browser.wait_for_element(".watch-model .dropdown-toggle").click()
    menu = browser.driver.find_elements(By.CSS_SELECTOR, ".watch-model .dropdown-item")
    assert [item.text for item in menu] == [
        "New derivatives",
        "New finetunes",
        "New adapters",
        "New quantizations",
        "New merges",
    ]
    menu[3].click()
    browser.wait_for_element(f"#{view.SAVE_NAME}")
    assert browser.find_element(f"#{view.SAVE_NAME}").get_attribute("value") == "New quantizations of acme/chat"
    browser.find_element(".save-search").click()
    wait_for(browser, lambda: texts(browser, ".saved-name") == ["New quantizations of acme/chat"])

    derived = [
        {"id": "q/chat-gguf", "tags": ["base_model:quantized:acme/chat"]},
        {"id": "q/chat-gguf-of-tune", "tags": ["base_model:quantized:t/chat-tune"]},  # a grandchild
        {"id": "t/chat-tune", "tags": ["base_model:finetune:acme/chat"]},
    ]
    ingest(db, derived)
    browser.driver.get(f"{url}/searches")
    browser.wait_for_text_to_equal(".saved-new", "2 new")
    browser.find_element(".saved-new").click()
    browser.wait_for_element(".new-match")
    assert sorted(texts(browser, ".new-match .model-link")) == ["q/chat-gguf", "q/chat-gguf-of-tune"]
    assert browser.get_logs() == []
