"""The model page's "Models like this" in headless Chromium: filled after the page has loaded,
each suggestion a link with its reasons, and a click opens that model's page."""

from __future__ import annotations

import pytest

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from data.ingest.pipeline import ingest
from data.similar.rebuild import rebuild
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY
from tests.test_model_browser import BASE, CHAT, open_page, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def page_url(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    ingest(db, family_records())
    rebuild(db, index="table")
    yield live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db))
    db.dispose()


def test_models_like_this_lists_the_neighbours_with_reasons(browser, page_url):
    open_page(browser, page_url, f"/models/{CHAT}")
    browser.wait_for_contains_text(".model-similar", "is one of its base models")
    names = [link.text for link in browser.find_elements(".model-similar .similar-model")]
    assert BASE in names and CHAT not in names
    assert "same task: text-generation" in browser.find_element(".model-similar").text
    [base] = [link for link in browser.find_elements(".model-similar .similar-model") if link.text == BASE]
    base.click()
    wait_for(browser, lambda: browser.driver.execute_script("return window.location.pathname;") == f"/models/{BASE}")
    browser.wait_for_contains_text(".model-similar", "derives from it")
    assert browser.get_logs() == []
