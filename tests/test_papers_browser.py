"""The paper page and the has_card control in headless Chromium, over real models: the first
2,000 of the Hub list (arXiv tags) and one model-tree file (READMEs)."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import parse_qsl

import pytest

from app.factory import create_app
from app.settings import Settings
from components import paper_page, routes
from components import search as view
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import module_catalog, require_shared
from tests.results_view import shown_ids
from tests.stack import TEST_SECRET_KEY
from tests.test_ingest_shared import pages
from tests.test_search_browser import open_page, wait_for

TREE = ("hf-snapshot", "raw", "oderinwale-model-trees", "Llama-2-7b-chat-hf_finetunes_20250422_201036.json")


@pytest.fixture(scope="module")
def database(server_url, template_url):
    with module_catalog(server_url, "catalog_papers_ui") as db:
        ingest(db, FileSource([*pages(2), require_shared(*TREE)]))
        yield db


@pytest.fixture
def site(database, live_server, shared_url):
    return live_server(
        create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), database)
    )


def api(site: str, path: str) -> dict:
    with urllib.request.urlopen(f"{site}{path}") as response:
        return json.load(response)


def address(browser) -> list[tuple[str, str]]:
    return parse_qsl(browser.driver.execute_script("return window.location.search;").lstrip("?"))


def texts(browser, selector: str) -> list[str]:
    return [element.text for element in browser.driver.find_elements("css selector", selector)]


def test_the_paper_page_shows_its_families_and_links_to_the_search(browser, site):
    top = api(site, "/api/v1/models?facets=arxiv")["meta"]["facets"]["arxiv"]
    paper = top[1]["value"]  # the second most cited (the first is the card template's citation)
    expected = api(site, routes.api_paper_href(paper))["data"]
    open_page(browser, site, routes.paper_href(paper))
    wait_for(
        browser,
        lambda: (
            texts(browser, f"#{paper_page.FAMILIES} .family-root")
            == [family["root"] for family in expected["top_families"]]
        ),
    )
    counts = texts(browser, f"#{paper_page.FAMILIES} .family-count")
    assert counts == [f"{f['models']:,} model{'s' if f['models'] != 1 else ''}" for f in expected["top_families"]]
    members = texts(browser, f"#{paper_page.FAMILIES} > :first-child .family-member")
    assert members == [model["id"] for model in expected["top_families"][0]["top_models"]]
    assert browser.driver.title == f"arXiv:{paper} · Model Catalog"
    browser.find_element(f"#{paper_page.SEARCH_LINK}").click()
    wait_for(browser, lambda: address(browser) == [("arxiv", paper)])
    first_page = [m["id"] for m in api(site, f"/api/v1/models?arxiv={paper}")["data"]]
    wait_for(browser, lambda: shown_ids(browser) == first_page)
    assert browser.get_logs() == []


def test_a_model_page_arxiv_tag_opens_the_paper_page(browser, site):
    model = api(site, "/api/v1/models?arxiv=1910.09700&per_page=1")["data"][0]["id"]
    papers = api(site, f"/api/v1/models/{model}")["data"]["tags"]["arxiv"]
    open_page(browser, site, routes.model_href(model))
    link = wait_for(browser, lambda: browser.driver.find_elements("css selector", ".paper-tag"))[0]
    paper = link.text.removeprefix("arxiv:")
    assert f"arxiv:{paper}" in papers
    link.click()
    wait_for(browser, lambda: browser.driver.find_elements("css selector", f"#{paper_page.FAMILIES}"))
    assert browser.driver.execute_script("return window.location.pathname;") == routes.paper_href(paper)
    assert browser.get_logs() == []


def test_an_unknown_or_malformed_paper_says_so(browser, site):
    open_page(browser, site, routes.paper_href("2401.99999"))
    wait_for(browser, lambda: "No model in the catalog cites arXiv:2401.99999." in browser.driver.page_source)
    open_page(browser, site, "/papers/not-a-paper")
    wait_for(browser, lambda: "is not an arXiv id" in browser.driver.page_source)
    assert browser.get_logs() == []


def test_the_has_card_control_round_trips_through_the_url(browser, site):
    counts = {r["value"]: r["count"] for r in api(site, "/api/v1/models?facets=has_card")["meta"]["facets"]["has_card"]}
    assert counts["true"] > 100 and counts["false"] > 100
    open_page(browser, site, "/?has_card=true")
    yes = browser.find_element(f"#{view.HAS_CARD} input[value='true']")
    assert yes.is_selected()
    wait_for(
        browser, lambda: shown_ids(browser) == [m["id"] for m in api(site, "/api/v1/models?has_card=true")["data"]]
    )
    labels = f"#{view.HAS_CARD} label"
    wait_for(browser, lambda: f"No ({counts['false']:,})" in texts(browser, labels))  # the counts of the whole catalog
    no = browser.find_element(f"#{view.HAS_CARD} input[value='false']")
    # Centred first: the filter panel is taller than the window, its last controls under the fold.
    browser.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", no)
    # Clicked by script: a section that fills in meanwhile (facet counts, a live update) may move
    # it under the pointer, which is not what this test is about.
    browser.driver.execute_script("arguments[0].click();", no)
    wait_for(browser, lambda: address(browser) == [("has_card", "false")])
    no_card = [m["id"] for m in api(site, "/api/v1/models?has_card=false")["data"]]
    wait_for(browser, lambda: shown_ids(browser) == no_card)
    browser.driver.back()
    wait_for(browser, lambda: address(browser) == [("has_card", "true")])
    wait_for(browser, lambda: browser.find_element(f"#{view.HAS_CARD} input[value='true']").is_selected())
    assert browser.get_logs() == []
