"""The search page's size, quantization and fold controls in headless Chromium: URL round trip
and the "+N variants" expansion."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from components import search as view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.conftest import TEMPLATE_DB, _admin, _database_url
from tests.results_view import shown_ids
from tests.stack import TEST_SECRET_KEY
from tests.test_search_browser import address, open_page, wait_for

# Real ids of a quantization family (crawl of July 2024), tags trimmed to the signs that matter.
RECORDS = [
    {"id": "meta-llama/Llama-2-7b-hf", "downloads": 900, "tags": ["transformers", "llama"]},
    {"id": "TheBloke/Llama-2-7B-GGUF", "downloads": 500, "tags": ["gguf", "base_model:meta-llama/Llama-2-7b-hf"]},
    {
        "id": "TheBloke/Llama-2-7B-AWQ",
        "downloads": 300,
        "tags": ["awq", "4-bit", "base_model:meta-llama/Llama-2-7b-hf"],
    },
    {"id": "TheBloke/Llama-2-7B-GPTQ", "downloads": 200, "tags": ["gptq", "base_model:meta-llama/Llama-2-7b-hf"]},
    {"id": "meta-llama/Llama-2-13b-hf", "downloads": 800, "tags": ["transformers", "llama"]},
    {"id": "EleutherAI/pythia-1.4b-deduped", "downloads": 100, "tags": ["transformers"]},
]


@pytest.fixture(scope="module")
def site_url(server_url, template_url):
    name = f"catalog_variants_ui_{uuid.uuid4().hex[:8]}"
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    url = _database_url(server_url, name)
    db = Database.from_urls(url)
    ingest(db, RECORDS)
    yield db, url
    db.dispose()
    with _admin(server_url).connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def site(site_url, live_server):
    db, url = site_url
    return live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=url, rate_limit="off"), db))


def test_folded_variants_expand_under_their_base(browser, site):
    open_page(browser, site, "/?group=variants")
    wait_for(
        browser,
        lambda: (
            shown_ids(browser)
            == ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "EleutherAI/pythia-1.4b-deduped"]
        ),
    )
    toggle = browser.find_element(".results-grid .variants-toggle")
    assert toggle.text == "+3 variants"
    links = ".results-grid .variant-link"
    assert not any(link.is_displayed() for link in browser.driver.find_elements("css selector", links))
    toggle.click()
    wait_for(
        browser,
        lambda: (
            [a.text for a in browser.driver.find_elements("css selector", links) if a.is_displayed()]
            == ["TheBloke/Llama-2-7B-GGUF", "TheBloke/Llama-2-7B-AWQ", "TheBloke/Llama-2-7B-GPTQ"]
        ),
    )
    assert browser.find_element(".result-total").text == "3 models"
    assert browser.get_logs() == []


def test_size_quant_and_fold_survive_the_url_round_trip(browser, site):
    open_page(browser, site, "/?min_params=7B&max_params=13b&sort=params&order=asc")
    wait_for(browser, lambda: shown_ids(browser)[:2] == ["meta-llama/Llama-2-7b-hf", "TheBloke/Llama-2-7B-GGUF"])
    assert shown_ids(browser)[-1] == "meta-llama/Llama-2-13b-hf"
    assert browser.find_element(f"#{view.MIN_PARAMS}").get_attribute("value") == "7B"
    assert browser.find_element(f"#{view.MAX_PARAMS}").get_attribute("value") == "13B"
    fold = browser.find_element(f"#{view.GROUP} input[value='variants']")
    browser.driver.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", fold)
    wait_for(browser, lambda: address(browser).get("group") == "variants")
    assert address(browser) == {
        "group": "variants",
        "max_params": "13B",
        "min_params": "7B",
        "order": "asc",
        "sort": "params",
    }
    wait_for(browser, lambda: shown_ids(browser) == ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf"])
    wait_for(browser, lambda: "3B-10B (1)" in browser.find_element(f"#{view.PARAMS_COUNTS}").text)
    open_page(browser, site, "/?quant=gguf")
    wait_for(browser, lambda: shown_ids(browser) == ["TheBloke/Llama-2-7B-GGUF"])
    assert "gguf" in browser.find_element(f"#{view.FACET_DROPDOWNS['quant']}").text
    assert browser.get_logs() == []
