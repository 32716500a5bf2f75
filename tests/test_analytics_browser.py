"""Analytics, trending and author pages in headless Chromium, served from a real PostgreSQL."""

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import analytics as view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.results_view import shown_ids
from tests.stack import TEST_SECRET_KEY
from tests.test_analytics import RECORDS

pytestmark = pytest.mark.browser


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    ingest(db, RECORDS)
    yield live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db))
    db.dispose()


def traces(browser, chart: str) -> dict[str, list]:
    """Trace name → y values of the chart as Plotly holds it in the page."""
    selector = f"#{view.chart_id(chart)} .js-plotly-plot"
    browser.wait_for_element(selector)
    data = browser.driver.execute_script(f"return document.querySelector('{selector}').data")
    return {trace.get("name") or "": trace["y"] for trace in data}


def current_query(browser) -> tuple[str, dict]:
    parts = urlsplit(browser.driver.current_url)
    return parts.path, parse_qs(parts.query)


def test_analytics_of_a_filtered_url_shows_only_that_result(browser, site):
    browser.server_url = site + "/analytics?pipeline_tag=image-classification"
    browser.wait_for_contains_text(".analytics-filter-bar", "Task: image-classification")
    browser.wait_for_contains_text(".analytics-total", "2 models")
    assert traces(browser, "tasks") == {"image-classification": [1, 1]}
    assert traces(browser, "libraries") == {"": ["timm"]}
    browser.wait_for_contains_text(f"#{view.chart_id('families')}", "Nothing to chart")  # no family among them
    assert browser.driver.title == "Analytics · Model Catalog"
    refine = browser.find_element(".analytics-refine")
    assert refine.get_attribute("href") == site + "/?pipeline_tag=image-classification"
    assert browser.get_logs() == []


def test_removing_a_filter_redraws_the_charts(browser, site):
    browser.server_url = site + "/analytics?library=timm&pipeline_tag=text-generation"
    browser.wait_for_contains_text(".analytics-total", "0 models")
    browser.wait_for_contains_text(f"#{view.chart_id('tasks')}", "Nothing to chart")
    browser.find_element(".analytics-filter[href$='?library=timm']").click()  # drops the task
    browser.wait_for_contains_text(".analytics-total", "2 models")
    assert traces(browser, "tasks") == {"image-classification": [1, 1]}
    assert current_query(browser) == ("/analytics", {"library": ["timm"]})
    assert browser.get_logs() == []


def test_clicking_a_bar_opens_the_search_filtered_by_it(browser, site):
    browser.server_url = site + "/analytics?pipeline_tag=text-generation"
    assert traces(browser, "libraries") == {"": ["transformers", "gguf"]}
    bar = browser.find_elements(f"#{view.chart_id('libraries')} .bars .point path")[1]
    ActionChains(browser.driver).move_to_element(bar).pause(0.3).click().perform()
    WebDriverWait(browser.driver, 10).until(lambda d: urlsplit(d.current_url).path == "/")
    assert current_query(browser) == ("/", {"library": ["gguf"], "pipeline_tag": ["text-generation"]})
    browser.wait_for_element(".results-grid .model-link")  # the search page rendered, without a reload
    assert browser.get_logs() == []


def test_trending_follows_the_task_in_the_url(browser, site):
    browser.server_url = site + "/trending?pipeline_tag=image-classification"
    browser.wait_for_contains_text(".results-grid", "c/vision")
    assert "a/base" not in browser.find_element(".results-grid").text
    browser.driver.get(site + "/trending")
    browser.wait_for_contains_text(".results-grid", "a/base")
    rows = shown_ids(browser)
    assert rows == ["a/base", "a/chat", "c/vision"]
    assert browser.driver.title == "Trending · Model Catalog"
    assert browser.get_logs() == []


def test_picking_a_task_puts_it_in_the_url(browser, site):
    browser.server_url = site + "/trending"
    browser.wait_for_contains_text(".results-grid", "a/base")
    browser.select_dcc_dropdown("#trending-tasks", value="image-classification (1)")  # its label
    WebDriverWait(browser.driver, 10).until(
        lambda d: urlsplit(d.current_url).query == "pipeline_tag=image-classification"
    )
    WebDriverWait(browser.driver, 10).until(lambda d: "a/base" not in browser.find_element("#trending-results").text)
    assert "c/vision" in browser.find_element("#trending-results").text
    browser.driver.back()  # the picker and the list follow the address bar back
    WebDriverWait(browser.driver, 10).until(lambda d: "a/base" in browser.find_element("#trending-results").text)
    assert browser.find_element("#trending-tasks").text.strip().startswith("All tasks")
    assert browser.get_logs() == []


def test_the_author_page_shows_totals_and_models(browser, site):
    browser.server_url = site + "/authors/a"
    browser.wait_for_contains_text(".author-stats", "1,005,000")
    assert shown_ids(browser) == ["a/base", "a/chat"]
    assert browser.find_element(".author-search").get_attribute("href") == site + "/?author=a"
    assert browser.driver.title == "a · Model Catalog"
    browser.driver.get(site + "/authors/nobody")
    browser.wait_for_contains_text(".author-not-found", "no models by “nobody”")
    assert browser.get_logs() == []
