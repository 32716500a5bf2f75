"""The search page in headless Chromium: typing, cold URLs, URL state and history, no egress."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import search as view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.results_view import listed_ids, shown_ids
from tests.stack import TEST_SECRET_KEY

FIXTURES = Path(__file__).parent / "fixtures"
# Every resource the page loaded, as the browser saw it.
RESOURCES = "return performance.getEntriesByType('resource').map(r => r.name);"


@pytest.fixture(scope="module")
def database(server_url, template_url):
    import uuid

    from sqlalchemy import text

    from tests.conftest import TEMPLATE_DB, _admin, _database_url

    name = f"catalog_search_ui_{uuid.uuid4().hex[:8]}"
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    url = _database_url(server_url, name)
    db = Database.from_urls(url)
    ingest(db, family_records())
    yield db, url
    db.dispose()
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def site(database, live_server):
    db, url = database
    return live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=url, rate_limit="off"), db))


def open_page(browser, site: str, path: str) -> None:
    browser.server_url = site
    browser.driver.get(f"{site}{path}")


def wait_for(browser, condition, timeout: float = 10):
    """Until `condition()` holds; the grid replaced mid-read counts as not yet."""
    return WebDriverWait(browser.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda driver: condition()
    )


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
    assert "peft" in browser.find_element(f"#{view.FACET_DROPDOWNS['library']}").text
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
    wait_for(
        browser,
        lambda: Select(browser.find_element(f"#{view.ORDER}")).first_selected_option.get_attribute("value") == "desc",
    )
    wait_for(browser, lambda: shown_ids(browser)[:1] == ["acme/base-7b"])
    assert browser.get_logs() == []


def test_an_empty_result_offers_to_clear_the_filters(browser, site):
    open_page(browser, site, "/?q=base&library=nothing-like-this")
    browser.wait_for_element(".empty-state .clear-filters").click()
    wait_for(browser, lambda: address(browser) == {"q": "base"})
    wait_for(browser, lambda: len(shown_ids(browser)) >= 2)
    assert browser.get_logs() == []


@pytest.mark.parametrize(
    "path, ready",
    [
        ("/?q=7b", ".results-grid .model-link"),
        ("/models/lab/base-7b-chat?tab=lineage", ".lineage-graph"),
        ("/analytics?pipeline_tag=text-generation", ".analytics-card .js-plotly-plot"),
        ("/trending", ".results-grid .model-link"),
        ("/authors/acme", ".results-grid .model-link"),
    ],
)
def test_every_page_loads_only_from_the_app_without_console_errors(browser, site, path, ready):
    open_page(browser, site, path)
    browser.wait_for_element(ready, timeout=15)
    foreign = [url for url in browser.driver.execute_script(RESOURCES) if not url.startswith(site)]
    assert foreign == []
    assert browser.get_logs() == []


def header(browser, col_id: str):
    return browser.find_element(f".results-grid .ag-header-cell[col-id='{col_id}']")


def test_a_header_click_sorts_by_its_column_and_back_restores_the_order(browser, site):
    open_page(browser, site, "/?q=7b")
    wait_for(browser, lambda: shown_ids(browser)[:1] == ["acme/base-7b"])
    sortable = browser.driver.execute_script(
        "return [...document.querySelectorAll('.results-grid .ag-header-cell-sortable')]"
        ".map(c => c.getAttribute('col-id'));"
    )
    assert sorted(sortable) == ["created", "downloads", "likes", "params", "quality", "trending", "updated"]
    header(browser, "likes").click()
    wait_for(browser, lambda: address(browser) == {"q": "7b", "sort": "likes"})
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "q=7b&sort=likes"))
    assert Select(browser.find_element(f"#{view.SORT}")).first_selected_option.text == "Likes"
    header(browser, "likes").click()  # the second click turns the order
    wait_for(browser, lambda: address(browser) == {"q": "7b", "sort": "likes", "order": "asc"})
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "q=7b&sort=likes&order=asc"))
    assert shown_ids(browser) != api_ids(site, "q=7b&sort=likes")
    browser.driver.back()
    wait_for(browser, lambda: address(browser) == {"q": "7b", "sort": "likes"})
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "q=7b&sort=likes"))
    wait_for(browser, lambda: header(browser, "likes").get_attribute("aria-sort") == "descending")
    assert browser.get_logs() == []


def test_a_model_link_in_the_grid_opens_its_page_without_reloading(browser, site):
    open_page(browser, site, "/?q=chat-merge")
    wait_for(browser, lambda: shown_ids(browser) == ["merger/chat-merge-7b"])
    browser.driver.execute_script("window.stillTheSamePage = true;")
    browser.find_element(".results-grid .model-link").click()
    wait_for(browser, lambda: browser.driver.title == "merger/chat-merge-7b · Model Catalog")
    assert browser.driver.execute_script("return window.stillTheSamePage === true;")
    browser.driver.back()
    wait_for(browser, lambda: shown_ids(browser) == ["merger/chat-merge-7b"])
    assert browser.get_logs() == []


def test_every_column_fits_a_1400_pixel_window(browser, site):
    open_page(browser, site, "/?q=7b")
    wait_for(browser, lambda: len(shown_ids(browser)) > 0)
    width = browser.driver.execute_script("return document.documentElement.clientWidth;")
    assert width <= 1400
    rights = browser.driver.execute_script(
        "return [...document.querySelectorAll('.results-grid .ag-header-cell')]"
        ".map(c => [c.getAttribute('col-id'), c.getBoundingClientRect().right]);"
    )
    assert [col for col, _ in rights][-3:] == ["created", "updated", "derivatives"]
    assert [col for col, right in rights if right > width] == []
    viewport = browser.find_element(".results-grid .ag-center-cols-viewport")
    assert browser.driver.execute_script("return arguments[0].scrollWidth <= arguments[0].clientWidth;", viewport)
    assert browser.get_logs() == []


def test_the_card_box_writes_card_to_the_url_and_back_clears_it(browser, site):
    open_page(browser, site, "/?q=7b&sort=downloads")
    wait_for(browser, lambda: len(shown_ids(browser)) > 0)
    browser.find_element(f"#{view.CARD}").send_keys("instruction tuned", Keys.ENTER)
    wait_for(browser, lambda: address(browser) == {"q": "7b", "sort": "downloads", "card": "instruction tuned"})
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "q=7b&sort=downloads&card=instruction+tuned"))
    browser.driver.back()
    wait_for(browser, lambda: address(browser) == {"q": "7b", "sort": "downloads"})
    wait_for(browser, lambda: browser.find_element(f"#{view.CARD}").get_attribute("value") == "")
    assert browser.get_logs() == []


def visible(browser, selector: str) -> bool:
    elements = browser.driver.find_elements("css selector", selector)
    return bool(elements) and elements[0].is_displayed()


def test_on_a_phone_results_come_first_and_filters_and_links_wait_behind_toggles(browser, site):
    browser.driver.set_window_size(390, 844)
    try:
        open_page(browser, site, "/?q=7b")
        wait_for(browser, lambda: listed_ids(browser)[:1] == ["acme/base-7b"])
        first = browser.find_element(".results-list .model-link")
        bottom, screen = browser.driver.execute_script(
            "return [arguments[0].getBoundingClientRect().bottom, window.innerHeight];", first
        )
        assert first.is_displayed() and bottom <= screen
        assert not visible(browser, ".results-grid")
        assert not visible(browser, f"#{view.FILTERS} .filters-panel")
        browser.find_element(f"#{view.FILTERS_TOGGLE}").click()
        wait_for(browser, lambda: visible(browser, f"#{view.FILTERS} .filters-panel"))
        wait_for(
            browser,
            lambda: browser.driver.execute_script(  # slid in all the way
                f"return document.getElementById('{view.FILTERS}').getBoundingClientRect().left === 0;"
            ),
        )
        browser.find_element(f"#{view.FILTERS_CLOSE}").click()
        wait_for(browser, lambda: not visible(browser, f"#{view.FILTERS} .filters-panel"))
        assert not visible(browser, ".navbar a.nav-link[href='/trending']")
        browser.find_element(".navbar-toggler").click()
        wait_for(browser, lambda: visible(browser, ".navbar a.nav-link[href='/trending']"))
        browser.find_element(".navbar a.nav-link[href='/trending']").click()
        wait_for(browser, lambda: listed_ids(browser, "#trending-results") != [])
        wait_for(browser, lambda: not visible(browser, ".navbar a.nav-link[href='/trending']"))
        assert browser.get_logs() == []
    finally:
        browser.driver.set_window_size(1400, 1000)
