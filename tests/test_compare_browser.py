"""The compare page in headless Chromium: differences highlighted, the relation drawn, models
added and removed through the URL; and "Add to comparison" from model pages, kept in the
browser across page loads."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from app.factory import create_app
from app.settings import Settings
from components import compare as view
from components import compare_list as listing
from components import routes
from data.ingest.pipeline import ingest
from tests.conftest import module_catalog
from tests.family import family_records
from tests.results_view import shown_ids
from tests.stack import TEST_SECRET_KEY
from tests.test_search_browser import wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def catalog(server_url, template_url):
    with module_catalog(server_url, "catalog_compare_ui") as db:
        ingest(db, family_records())
        yield db


@pytest.fixture
def site(catalog, shared_url, live_server) -> str:
    settings = Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off")
    return live_server(create_app(settings, catalog))


def open_page(browser, site: str, path: str) -> None:
    browser.server_url = site
    browser.driver.get(site + path)


def compared(browser) -> list[str]:
    return [link.text for link in browser.driver.find_elements(By.CSS_SELECTOR, ".compare-table .compare-model")]


def asked(browser) -> list[str]:
    query = parse_qs(urlsplit(browser.driver.current_url).query)
    return query.get("ids", [""])[0].split(",")


def stored(browser) -> list[str] | None:
    """The comparison list in the browser's local storage."""
    return browser.driver.execute_script(f"return JSON.parse(window.localStorage.getItem('{listing.LIST}'));")


def row_class(browser, field: str) -> str:
    return browser.find_element(f".compare-table tr[data-field='{field}']").get_attribute("class")


def test_the_compare_page_marks_differences_and_draws_the_relation(browser, site):
    open_page(browser, site, routes.compare_href(["quant/base-7b-chat-GGUF", "tuner/base-7b-lora-r16"]))
    browser.wait_for_element(".compare-table")
    assert compared(browser) == ["quant/base-7b-chat-GGUF", "tuner/base-7b-lora-r16"]
    assert "compare-differs" in row_class(browser, "library_name")  # gguf, peft
    assert "compare-same" in row_class(browser, "file_count") and "compare-differs" not in row_class(
        browser, "file_count"
    )
    relation = browser.find_element(".compare-relation").text
    assert "both descend from acme/base-7b" in relation and "adapter" in relation
    browser.wait_for_element(f"#{view.GRAPH} canvas")  # cytoscape drew it
    assert (
        browser.find_element(".compare-table .compare-model")
        .get_attribute("href")
        .endswith(routes.model_href("quant/base-7b-chat-GGUF"))
    )

    # A third model by its id (Enter in the box): the address says it, the table shows it.
    box = browser.find_element(f"#{view.ADD_INPUT}")
    box.send_keys("merger/chat-merge-7b", Keys.ENTER)
    wait_for(browser, lambda: len(compared(browser)) == 3)
    assert asked(browser) == ["quant/base-7b-chat-GGUF", "tuner/base-7b-lora-r16", "merger/chat-merge-7b"]
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, ".compare-relation")) == 3

    # Removing the first leaves the other two, in the address too.
    browser.driver.find_element(By.CSS_SELECTOR, ".compare-table th .compare-remove").click()
    wait_for(browser, lambda: compared(browser) == ["tuner/base-7b-lora-r16", "merger/chat-merge-7b"])
    assert asked(browser) == ["tuner/base-7b-lora-r16", "merger/chat-merge-7b"]
    assert "descends from tuner/base-7b-lora-r16" in browser.find_element(".compare-relation").text
    assert browser.get_logs() == []


def test_models_added_from_their_pages_are_compared(browser, site):
    # Two page loads at most per test: Chromium keeps few connections per host, and each load's
    # live stream (assets/live.js) can hold one a while after the page has gone.
    open_page(browser, site, routes.model_href("acme/base-7b"))
    link = f"#{listing.LINK}"
    browser.wait_for_element(f"#{listing.CLEAR}").click()  # a list of an earlier test
    browser.wait_for_text_to_equal(link, "Compare with…")
    browser.find_element(f"#{listing.ADD}").click()
    wait_for(browser, lambda: stored(browser) == ["acme/base-7b"])  # before leaving the page

    open_page(browser, site, routes.model_href("lab/base-7b-chat"))  # a new page load: the list stays
    browser.wait_for_text_to_equal(link, "Compare 2 models")
    assert (
        browser.find_element(link)
        .get_attribute("href")
        .endswith(routes.compare_href(["acme/base-7b", "lab/base-7b-chat"]))
    )
    browser.find_element(link).click()
    wait_for(browser, lambda: compared(browser) == ["acme/base-7b", "lab/base-7b-chat"])
    relation = browser.find_element(".compare-relation").text
    assert "lab/base-7b-chat descends from acme/base-7b: acme/base-7b → finetune → lab/base-7b-chat" in relation

    # Back to a model page from the table: the list still holds acme/base-7b alone; then cleared.
    browser.driver.find_elements(By.CSS_SELECTOR, ".compare-table .compare-model")[1].click()
    browser.wait_for_text_to_equal(link, "Compare 2 models")
    browser.find_element(f"#{listing.CLEAR}").click()
    browser.wait_for_text_to_equal(link, "Compare with…")
    assert stored(browser) == []
    assert browser.get_logs() == []


def test_rows_ticked_in_the_search_results_are_compared(browser, site):
    open_page(browser, site, "/?q=base-7b&sort=downloads")
    wait_for(browser, lambda: shown_ids(browser)[:2] == ["acme/base-7b", "lab/base-7b-chat"])
    link = f"#{listing.SELECTED}"
    assert "d-none" in browser.find_element(link).get_attribute("class")
    for repo_id in ("acme/base-7b", "quant/base-7b-chat-GGUF"):
        row = browser.driver.find_element(By.XPATH, f"//div[@role='row'][.//a[text()='{repo_id}']]")
        index = row.get_attribute("row-index")  # the checkbox is in the row of the same index, left
        browser.driver.find_element(By.CSS_SELECTOR, f".ag-row[row-index='{index}'] input[type='checkbox']").click()
    browser.wait_for_text_to_equal(link, "Compare 2 selected")
    browser.find_element(link).click()
    wait_for(browser, lambda: compared(browser) == ["acme/base-7b", "quant/base-7b-chat-GGUF"])
    relation = browser.find_element(".compare-relation").text
    assert "acme/base-7b → finetune → lab/base-7b-chat → quantized (inferred)" in relation
    assert browser.get_logs() == []
