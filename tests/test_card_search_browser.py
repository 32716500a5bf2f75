"""Card-text search in headless Chromium: snippets under the results, the match line, markup
in cards never rendered as markup."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from components import search as view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.results_view import listed_ids, shown_ids
from tests.stack import TEST_SECRET_KEY
from tests.test_search_browser import open_page, wait_for

CARDS = {
    "docs/tuned-chat": "An instruction tuned <b>chat</b> model & friends, for chat in English.",
    "docs/vision": "A vision model for images.",
    "docs/tuned-code": "Instruction tuned for code <script>alert(1)</script> completion.",
}


def record(repo_id: str, card: str, downloads: int) -> dict:
    return {
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "downloads": downloads,
        "likes": 1,
        "tags": [],
        "pipeline_tag": "text-generation",
        "createdAt": "2024-05-01T00:00:00.000Z",
        "card": card,
    }


@pytest.fixture(scope="module")
def database(server_url, template_url):
    from tests.conftest import TEMPLATE_DB, _admin, _database_url

    name = f"catalog_cards_ui_{uuid.uuid4().hex[:8]}"
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    url = _database_url(server_url, name)
    db = Database.from_urls(url)
    ingest(db, [record(repo_id, card, 100 - index) for index, (repo_id, card) in enumerate(CARDS.items())])
    yield url
    db.dispose()
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def site(database, live_server):
    return live_server(
        create_app(
            Settings(secret_key=TEST_SECRET_KEY, database_url=database, rate_limit="off"), Database.from_urls(database)
        )
    )


def snippets(browser, scope: str) -> list[dict]:
    """Per shown snippet: its text and the text of its marks."""
    return browser.driver.execute_script(
        f"return [...document.querySelectorAll('{scope} .snippet')].map(s => ({{text: s.innerText,"
        " marks: [...s.querySelectorAll('mark')].map(m => m.innerText.toLowerCase()),"
        " elements: [...s.querySelectorAll('*')].map(e => e.tagName.toLowerCase())}));"
    )


def api(site: str, query: str) -> dict:
    with urllib.request.urlopen(f"{site}/api/v1/models?{query}") as response:
        return json.load(response)


def test_card_matches_show_their_snippets_with_marks_and_markup_as_text(browser, site):
    open_page(browser, site, "/?card=instruction+tuned&sort=downloads")
    wait_for(browser, lambda: shown_ids(browser) == ["docs/tuned-chat", "docs/tuned-code"])
    shown = snippets(browser, ".results-grid")
    assert [set(s["marks"]) for s in shown] == [{"instruction", "tuned"}] * 2
    assert {e for s in shown for e in s["elements"]} == {"mark"}  # no <b>, no <script>
    assert "model & friends" in shown[0]["text"]  # escaped by the server, shown as typed
    meta = api(site, "card=instruction+tuned&sort=downloads")["meta"]
    assert browser.find_element(f"#{view.MATCH}").text == meta["match"]
    assert browser.get_logs() == []


def test_the_phone_list_shows_the_snippets_too(browser, site):
    browser.driver.set_window_size(390, 844)
    try:
        open_page(browser, site, "/?card=vision&sort=downloads")
        wait_for(browser, lambda: listed_ids(browser) == ["docs/vision"])
        assert [s["marks"] for s in snippets(browser, ".results-list")] == [["vision"]]
        assert browser.get_logs() == []
    finally:
        browser.driver.set_window_size(1400, 1000)


def test_card_search_in_its_default_relevance_order(browser, site):
    open_page(browser, site, "/?card=chat")
    wait_for(browser, lambda: shown_ids(browser) == ["docs/tuned-chat"])
    assert browser.get_logs() == []
