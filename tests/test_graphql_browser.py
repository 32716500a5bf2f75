"""GraphiQL at /api/graphql in headless Chromium: it loads from the app's own assets under its
Content-Security-Policy (any blocked script or style is a console error), and a query typed in
it answers the catalog's models."""

from __future__ import annotations

import pytest

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY
from tests.test_model_browser import open_page, wait_for

pytestmark = pytest.mark.browser
QUERY = "{ models(first: 3, sort: DOWNLOADS) { totalCount nodes { id license } } }"
RESPONSE_TEXT = "return document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror.getValue() || '';"


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    ingest(db, family_records())
    yield live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db))
    db.dispose()


def test_graphiql_runs_a_query_from_the_app_s_own_assets(browser, site):
    open_page(browser, site, "/api/graphql")
    editor = ".graphiql-query-editor .CodeMirror"
    browser.wait_for_element(editor, timeout=15)
    browser.driver.execute_script(f"document.querySelector('{editor}').CodeMirror.setValue(arguments[0]);", QUERY)
    browser.find_element(".graphiql-execute-button").click()
    wait_for(browser, lambda: '"totalCount"' in browser.driver.execute_script(RESPONSE_TEXT), timeout=15)
    answer = browser.driver.execute_script(RESPONSE_TEXT)
    assert '"id": "acme/base-7b"' in answer and '"totalCount": 9' in answer
    scripts = browser.driver.execute_script("return [...document.scripts].map(s => s.src).filter(Boolean);")
    assert scripts and all(src.startswith(site + "/assets/vendor/graphiql/") for src in scripts)
    assert browser.get_logs() == []
