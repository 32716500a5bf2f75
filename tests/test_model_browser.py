"""The model page in headless Chromium: lineage graph, tabs in the URL, no console errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import model_page as page
from data.db import Database
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY

FIXTURES = Path(__file__).parent / "fixtures"
BASE, CHAT, GGUF = "acme/base-7b", "lab/base-7b-chat", "quant/base-7b-chat-GGUF"
LORA, MERGE = "tuner/base-7b-lora-r16", "merger/chat-merge-7b"

# The cytoscape instance hangs on its container (cytoscape's own registry).
CY = """
const holder = document.querySelector('.lineage-graph');
const cy = holder && holder._cyreg && holder._cyreg.cy;
"""
NODE_IDS = CY + "return cy ? cy.nodes().map(n => n.id()).sort() : null;"
TAP = CY + "cy.getElementById(arguments[0]).emit('tap'); return true;"


@pytest.fixture
def database(fresh_database_url):
    db = Database.from_urls(fresh_database_url)
    ingest(db, family_records())
    yield db
    db.dispose()


@pytest.fixture
def page_url(database, fresh_database_url, live_server):
    return live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), database))


def open_page(browser, page_url: str, path: str) -> None:
    browser.server_url = page_url  # opens the root, then:
    browser.driver.get(f"{page_url}{path}")


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def drawn_nodes(browser) -> list[str] | None:
    return browser.driver.execute_script(NODE_IDS)


def query_string(browser) -> str:
    return browser.driver.execute_script("return window.location.search;")


def test_a_cold_lineage_url_draws_the_family(browser, page_url):
    open_page(browser, page_url, f"/models/{BASE}?tab=lineage&junk=1")
    assert wait_for(browser, lambda: drawn_nodes(browser)) == sorted([BASE, CHAT, GGUF, LORA, MERGE])
    browser.wait_for_contains_text(".model-tabs .nav-link.active", "Lineage")
    assert browser.driver.title == f"{BASE} · Model Catalog"
    browser.wait_for_contains_text(".lineage-counts .relation-quantized", "quantized 1 1")
    assert browser.get_logs() == []


def test_tabs_rewrite_the_url_without_reloading(browser, page_url):
    open_page(browser, page_url, f"/models/{BASE}")
    browser.wait_for_contains_text(".model-overview", "acme/web-corpus")
    browser.driver.execute_script("window.notReloaded = true;")
    tab_links = browser.find_elements(".model-tabs .nav-link")
    [files] = [link for link in tab_links if link.text == "Files"]
    files.click()
    wait_for(browser, lambda: query_string(browser) == "?tab=files")
    [lineage] = [link for link in tab_links if link.text == "Lineage"]
    lineage.click()
    wait_for(browser, lambda: query_string(browser) == "?tab=lineage")
    assert wait_for(browser, lambda: drawn_nodes(browser)) == sorted([BASE, CHAT, GGUF, LORA, MERGE])
    assert browser.driver.execute_script("return window.notReloaded === true;")
    browser.driver.back()
    wait_for(browser, lambda: query_string(browser) == "?tab=files")
    browser.wait_for_contains_text(".model-tabs .nav-link.active", "Files")
    assert browser.get_logs() == []


def test_clicking_a_node_opens_its_lineage(browser, page_url):
    open_page(browser, page_url, f"/models/{BASE}?tab=lineage")
    wait_for(browser, lambda: drawn_nodes(browser))
    browser.driver.execute_script(TAP, CHAT)
    wait_for(browser, lambda: browser.driver.execute_script("return location.pathname;") == f"/models/{CHAT}")
    assert query_string(browser) == "?tab=lineage"
    browser.wait_for_text_to_equal(".model-id", CHAT)
    wait_for(browser, lambda: drawn_nodes(browser) == sorted([BASE, CHAT, GGUF, MERGE]))
    assert browser.get_logs() == []


def test_a_missing_parent_is_drawn_apart(browser, page_url):
    open_page(browser, page_url, "/models/orphan/child-of-deleted?tab=lineage")
    wait_for(browser, lambda: drawn_nodes(browser))
    classes = browser.driver.execute_script(CY + "return cy.getElementById('gone/deleted-model').classes();")
    assert classes == ["missing"]
    assert browser.get_logs() == []


def test_a_summary_node_expands_its_group(browser, page_url, database, monkeypatch):
    ingest(
        database,
        [{"id": "big/root", "downloads": 10**6, "tags": []}]
        + [{"id": f"q/root-q{i:02}", "downloads": i, "tags": ["base_model:quantized:big/root"]} for i in range(30)],
    )
    monkeypatch.setattr(page, "BOUNDS", replace(page.BOUNDS, small=5, expanded=20))
    open_page(browser, page_url, "/models/big/root?tab=lineage")
    assert wait_for(browser, lambda: drawn_nodes(browser)) == ["big/root", "more:quantized:1"]
    label = browser.driver.execute_script(CY + "return cy.getElementById('more:quantized:1').data('label');")
    assert label == "30 quantizations"
    browser.driver.execute_script(TAP, "more:quantized:1")
    wait_for(browser, lambda: query_string(browser) == "?expand=quantized&tab=lineage")
    wait_for(browser, lambda: len(drawn_nodes(browser) or []) == 1 + 20 + 1)
    label = browser.driver.execute_script(CY + "return cy.getElementById('more:quantized:1').data('label');")
    assert label == "+10 more quantizations"
    browser.find_element(".lineage-expanded .collapse-quantized-1").click()  # "fewer"
    wait_for(browser, lambda: query_string(browser) == "?tab=lineage")
    wait_for(browser, lambda: len(drawn_nodes(browser) or []) == 2)
    assert browser.get_logs() == []


def test_an_unknown_model_is_a_friendly_page(browser, page_url):
    open_page(browser, page_url, "/models/nobody/nothing?tab=lineage")
    browser.wait_for_contains_text(".model-not-found", "Model not found")
    assert browser.get_logs() == []
