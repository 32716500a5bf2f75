"""The dashboard in headless Chromium."""

import pytest

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from tests.factories import add_models


@pytest.fixture
def dashboard_url(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    add_models(db, "org/popular-model", "org/second-model", pipeline_tag="text-generation")
    server = create_app(Settings(database_url=fresh_database_url), db)
    yield live_server(server)
    db.dispose()


def test_dashboard_loads_without_console_errors(browser, dashboard_url):
    browser.server_url = dashboard_url
    browser.wait_for_text_to_equal(".navbar-brand", "Model Catalog")
    browser.wait_for_contains_text(".results-table", "org/popular-model")
    rows = browser.find_elements(".results-table tbody tr")
    assert [row.text.split()[0] for row in rows] == ["org/popular-model", "org/second-model"]
    assert browser.get_logs() == []
