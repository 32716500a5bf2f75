"""The dashboard in headless Chromium."""

import pytest

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from tests.factories import add_models
from tests.results_view import shown_ids
from tests.stack import TEST_SECRET_KEY


@pytest.fixture
def dashboard_url(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    add_models(db, "org/popular-model", "org/second-model", pipeline_tag="text-generation")
    server = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db)
    yield live_server(server)
    db.dispose()


def test_dashboard_loads_without_console_errors(browser, dashboard_url):
    browser.server_url = dashboard_url
    browser.wait_for_text_to_equal(".navbar-brand", "Model Catalog")
    browser.wait_for_contains_text(".results-grid", "org/popular-model")
    assert shown_ids(browser) == ["org/popular-model", "org/second-model"]
    assert browser.get_logs() == []


def test_a_fresh_app_serves_its_script_bundles_to_its_first_visitors_at_once(settings, db, live_server):
    """Dash registers its bundles while it first sets up; requests racing that setup on other
    threads were answered 500 ("not a registered library") until the app set up eagerly."""
    import re
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    page = create_app(settings, db).test_client().get("/").get_data(as_text=True)
    bundles = re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)
    base = live_server(create_app(settings, db))  # a fresh worker: nothing rendered yet

    def status(path: str) -> int:
        try:
            with urllib.request.urlopen(base + path, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(len(bundles)) as pool:
        statuses = list(pool.map(status, bundles))
    assert bundles and statuses == [200] * len(bundles)
