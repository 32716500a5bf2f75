"""The search page in headless Chromium: typing, cold URLs, URL state and history, no egress."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import search as view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.results_view import shown_ids

FIXTURES = Path(__file__).parent / "fixtures"
# Every resource the page loaded, as the browser saw it.
RESOURCES = "return performance.getEntriesByType('resource').map(r => r.name);"


@pytest.fixture(scope="module")
def database(server_url, template_url):
    from tests.conftest import TEMPLATE_DB, _admin, _database_url
    import uuid
    from sqlalchemy import text

    name = f"catalog_search_ui_{uuid.uuid4().hex[:8]}"
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    url = _database_url(server_url, name)
    db = Database.from_urls(url)
    ingest(db, json.loads((FIXTURES / "family.json").read_text()))
    yield db, url
    db.dispose()
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def site(database, live_server):
    db, url = database
    return live_server(create_app(Settings(database_url=url, rate_limit="off"), db))


def open_page(browser, site: str, path: str) -> None:
    browser.server_url = site
    browser.driver.get(f"{site}{path}")


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def api_ids(site: str, query: str) -> list[str]:
    with urllib.request.urlopen(f"{site}/api/v1/models?{query}") as response:
        return [model["id"] for model in json.load(response)["data"]]


def address(browser) -> dict:
    return dict(parse_qsl(browser.driver.execute_script("return window.location.search;").lstrip("?")))


def test_typing_searches_and_writes_the_url(browser, site):
    open_page(browser, site, "/")
    wait_for(browser, lambda: len(shown_ids(browser)) == 9)
    box = browser.find_element(f"#{view.Q}")
    box.send_keys("chat-merge", Keys.ENTER)
    wait_for(browser, lambda: shown_ids(browser) == ["merger/chat-merge-7b"])
    wait_for(browser, lambda: address(browser) == {"q": "chat-merge"})
    assert browser.find_element(".result-total").text == "1 model"
    assert browser.get_logs() == []


def test_a_filtered_url_opened_cold_restores_its_controls_and_results(browser, site):
    open_page(browser, site, "/?library=peft&q=7b&gated=false&sort=likes")
    wait_for(browser, lambda: shown_ids(browser) == ["tuner/base-7b-lora-r16"])
    assert browser.find_element(f"#{view.Q}").get_attribute("value") == "7b"
    assert "peft" in browser.find_element(f"#{view.LIBRARY}").text
    assert Select(browser.find_element(f"#{view.SORT}")).first_selected_option.text == "Likes"
    gated_no = browser.find_element(f"#{view.GATED} input[value='false']")
    assert gated_no.is_selected()
    assert browser.driver.title == "“7b” · Model Catalog"
    assert browser.get_logs() == []


def test_a_control_change_updates_the_url_and_back_restores_it(browser, site):
    open_page(browser, site, "/?q=7b")
    wait_for(browser, lambda: shown_ids(browser)[:1] == ["acme/base-7b"])
    Select(browser.find_element(f"#{view.ORDER}")).select_by_value("asc")
    wait_for(browser, lambda: address(browser) == {"q": "7b", "order": "asc"})
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "q=7b&order=asc"))
    browser.driver.back()
    wait_for(browser, lambda: address(browser) == {"q": "7b"})
    wait_for(browser, lambda: Select(browser.find_element(f"#{view.ORDER}")).first_selected_option.get_attribute("value") == "desc")
    wait_for(browser, lambda: shown_ids(browser)[:1] == ["acme/base-7b"])
    assert browser.get_logs() == []


def test_an_empty_result_offers_to_clear_the_filters(browser, site):
    open_page(browser, site, "/?q=base&library=nothing-like-this")
    browser.wait_for_element(".empty-state .clear-filters").click()
    wait_for(browser, lambda: address(browser) == {"q": "base"})
    wait_for(browser, lambda: len(shown_ids(browser)) >= 2)
    assert browser.get_logs() == []


@pytest.mark.parametrize("path, ready", [
    ("/?q=7b", ".results-grid .model-link"),
    ("/models/lab/base-7b-chat?tab=lineage", ".lineage-graph"),
    ("/analytics?pipeline_tag=text-generation", ".analytics-card .js-plotly-plot"),
    ("/trending", ".results-grid .model-link"),
    ("/authors/acme", ".results-grid .model-link"),
])
def test_every_page_loads_only_from_the_app_without_console_errors(browser, site, path, ready):
    open_page(browser, site, path)
    browser.wait_for_element(ready, timeout=15)
    foreign = [url for url in browser.driver.execute_script(RESOURCES) if not url.startswith(site)]
    assert foreign == []
    assert browser.get_logs() == []
