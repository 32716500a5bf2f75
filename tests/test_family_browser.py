"""The model page's Family tab and the analytics page's fastest-growing families in headless
Chromium: the growth chart renders what the family holds, the model tree's links and the
chart's bars open the lineage-aware search, without reloading the page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from app.factory import create_app
from app.settings import Settings
from components import analytics as analytics_view
from data.db import Database
from data.ingest.pipeline import ingest
from tests.growth_family import OTHER_ROOT, ROOT, family_truth, growth_records
from tests.stack import TEST_SECRET_KEY

pytestmark = pytest.mark.browser
GROWTH = ".family-growth .js-plotly-plot"


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    ingest(db, growth_records())
    yield live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), db))
    db.dispose()


def open_page(browser, site: str, path: str) -> None:
    browser.server_url = site  # opens the root, then:
    browser.driver.get(f"{site}{path}")


def wait_for(browser, condition, timeout: float = 10):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def plotted(browser, selector: str) -> list[dict]:
    browser.wait_for_element(selector)
    return browser.driver.execute_script(f"return document.querySelector('{selector}').data")


def address(browser) -> tuple[str, dict]:
    parts = urlsplit(browser.driver.current_url)
    return parts.path, parse_qs(parts.query)


def test_the_family_tab_draws_the_growth_of_the_family(browser, site):
    open_page(browser, site, f"/models/{ROOT}?tab=family")
    traces = {trace["name"]: trace for trace in plotted(browser, GROWTH)}
    members = family_truth(growth_records(), ROOT).values()
    relations = {m.relation for m in members if m.created}
    assert set(traces) == relations | {"family size"}
    assert sum(sum(traces[kind]["y"]) for kind in relations) == sum(1 for m in members if m.created)
    assert traces["family size"]["y"][-1] == sum(1 for m in members if m.created)
    browser.wait_for_contains_text(".model-tabs .nav-link.active", "Family")
    browser.wait_for_contains_text(".model-tree .tree-link-all", str(len(members)))
    browser.wait_for_contains_text(".family-card", "1 undated")
    assert browser.get_logs() == []


def test_the_family_tab_is_reached_from_the_tabs(browser, site):
    open_page(browser, site, f"/models/{OTHER_ROOT}")
    browser.wait_for_element(".model-overview")
    [tab] = [link for link in browser.find_elements(".model-tabs .nav-link") if link.text == "Family"]
    tab.click()
    wait_for(browser, lambda: address(browser) == (f"/models/{OTHER_ROOT}", {"tab": ["family"]}))
    assert {trace["name"] for trace in plotted(browser, GROWTH)} == {"finetune", "quantized", "family size"}
    assert browser.get_logs() == []


def test_a_model_tree_link_opens_the_lineage_search(browser, site):
    open_page(browser, site, f"/models/{ROOT}?tab=family")
    browser.driver.execute_script("window.notReloaded = true;")
    link = browser.find_element(".model-tree .tree-link-all-quantized")
    assert link.text == str(sum(1 for m in family_truth(growth_records(), ROOT).values() if m.relation == "quantized"))
    link.click()
    wait_for(browser, lambda: address(browser)[0] == "/")
    assert address(browser) == ("/", {"descendant_of": [ROOT], "relation": ["quantized"]})
    browser.wait_for_element(".results-grid")  # the search page rendered
    assert browser.driver.execute_script("return window.notReloaded === true;")
    assert browser.get_logs() == []


def test_a_top_author_opens_their_part_of_the_family(browser, site):
    open_page(browser, site, f"/models/{ROOT}?tab=family")
    first = browser.find_elements(".family-authors .family-author")[0]
    author = first.text
    first.click()
    wait_for(browser, lambda: address(browser)[0] == "/")
    assert address(browser) == ("/", {"author": [author], "descendant_of": [ROOT]})
    assert browser.get_logs() == []


def test_a_growth_bar_opens_the_search_of_its_month(browser, site):
    open_page(browser, site, f"/models/{OTHER_ROOT}?tab=family")
    traces = plotted(browser, GROWTH)
    bar = browser.find_elements(f"{GROWTH} .bars .point path")[0]
    ActionChains(browser.driver).move_to_element(bar).pause(0.3).click().perform()
    wait_for(browser, lambda: address(browser)[0] == "/")
    path, query = address(browser)
    assert query["descendant_of"] == [OTHER_ROOT] and query["relation"][0] in {t["name"] for t in traces}
    month = query["created_from"][0][:7]
    assert query["created_from"] == [f"{month}-01"] and query["created_to"][0].startswith(month)
    assert browser.get_logs() == []


def test_the_analytics_page_ranks_the_fastest_growing_families(browser, site):
    browser.server_url = site + "/analytics"
    selector = f"#{analytics_view.chart_id('growing')} .js-plotly-plot"
    traces = {trace["name"]: trace for trace in plotted(browser, selector)}
    assert traces["finetune"]["y"][0] == OTHER_ROOT  # 5 new descendants: the fastest
    assert traces["finetune"]["x"][0] + traces["quantized"]["x"][0] == 5
    bar = browser.find_elements(f"#{analytics_view.chart_id('growing')} .bars .point path")[0]
    ActionChains(browser.driver).move_to_element(bar).pause(0.3).click().perform()
    wait_for(browser, lambda: address(browser)[0] == "/")
    assert address(browser)[1]["created_from"] == ["2024-07-18"]
    assert browser.get_logs() == []
