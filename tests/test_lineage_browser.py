"""Big families on the model page in headless Chromium: the graph drawn in groups (bounded,
layered left to right by dagre, labels apart and readable at the default zoom), a summary
expanding on a click into the URL, the whole family's sunburst, every script served locally.

Families: Qwen/Qwen2.5-7B-Instruct of the demo catalog (`catalog ingest synthetic 20000`, the
issue's case: thousands of descendants), and the largest family of the first 50,000 real models.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from components import model_page as page
from data.ingest import synthetic
from data.ingest.pipeline import ingest
from data.vocabulary import RELATION_TYPES
from tests.conftest import module_catalog
from tests.stack import TEST_SECRET_KEY

DEMO_ROOT = "Qwen/Qwen2.5-7B-Instruct"
RESOURCES = "return performance.getEntriesByType('resource').map(r => r.name);"
CY = """
const holder = document.querySelector('.lineage-graph');
const cy = holder && holder._cyreg && holder._cyreg.cy;
"""
NODE_IDS = CY + "return cy ? cy.nodes().map(n => n.id()).sort() : null;"
TAP = CY + "cy.getElementById(arguments[0]).emit('tap'); return true;"
POINT = CY + "cy.getElementById(arguments[0]).emit('mouseover'); return true;"
# Each node's box on screen, label included, its label's font size on screen, its x.
BOXES = (
    CY
    + """
return cy.nodes().map(n => {
    const box = n.renderedBoundingBox({includeLabels: true});
    return {id: n.id(), x1: box.x1, x2: box.x2, y1: box.y1, y2: box.y2, x: n.position('x'),
            font: parseFloat(n.style('font-size')) * cy.zoom()};
});
"""
)
READABLE_PX = 8  # smallest label font on screen at the default zoom
SUBPIXEL = 1  # boxes touching by less than this (rounding) are apart


@pytest.fixture(scope="module")
def demo(server_url, template_url):
    with module_catalog(server_url, "catalog_demo") as db:
        ingest(db, synthetic.generate(20_000, 0))
        yield db


def serve(live_server, db, shared_url) -> str:
    return live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), db))


def open_page(browser, site: str, path: str) -> None:
    browser.server_url = site
    browser.driver.get(f"{site}{path}")


def wait_for(browser, condition, timeout: float = 20):
    return WebDriverWait(browser.driver, timeout).until(lambda driver: condition())


def drawn(browser) -> list[str]:
    return browser.driver.execute_script(NODE_IDS) or []


def query_string(browser) -> str:
    return browser.driver.execute_script("return window.location.search;")


def family_size(db, repo_id: str) -> int:
    with db.session(read_only=True) as session:
        return session.execute(
            text("SELECT count(*) FROM lineage_closure c JOIN models m ON m.id = c.ancestor WHERE m.repo_id = :id"),
            {"id": repo_id},
        ).scalar_one()


def assert_readable(browser, bound: int) -> list[dict]:
    """At most `bound` nodes; labels at READABLE_PX or more, no two nodes' boxes (labels
    included) overlapping."""
    boxes = browser.driver.execute_script(BOXES)
    assert 1 < len(boxes) <= bound
    assert min(box["font"] for box in boxes) >= READABLE_PX
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = min(a["x2"] - b["x1"], b["x2"] - a["x1"], a["y2"] - b["y1"], b["y2"] - a["y1"]) <= SUBPIXEL
            assert apart, f"{a} overlaps {b}"
    return boxes


def bound(ancestors: int = 10) -> int:
    return ancestors + 1 + page.BOUNDS.descendants(len(RELATION_TYPES))


def biggest_summary(browser) -> str:
    return browser.driver.execute_script(
        CY + "return cy.nodes('.summary.expandable').max(n => n.data('count')).ele.id();"
    )


def test_the_demo_family_is_drawn_in_readable_groups_that_expand(browser, demo, live_server, shared_url):
    size = family_size(demo, DEMO_ROOT)
    assert size > 1_000  # the case: thousands of descendants
    site = serve(live_server, demo, shared_url)
    open_page(browser, site, f"/models/{DEMO_ROOT}?tab=lineage")
    wait_for(browser, lambda: DEMO_ROOT in drawn(browser))
    boxes = {box["id"]: box for box in assert_readable(browser, bound())}
    counts = browser.driver.execute_script(CY + "return cy.nodes('.summary').map(n => n.data('count'));")
    assert sum(counts) + sum(1 for node in boxes if not node.startswith("more:")) - 1 >= size  # all accounted for
    first = [box for node, box in boxes.items() if node.endswith(":1")]
    assert first and all(box["x"] > boxes[DEMO_ROOT]["x"] for box in first)  # generations left to right
    summary = biggest_summary(browser)
    relation, _, generation = summary.removeprefix("more:").partition(":")
    browser.driver.execute_script(TAP, summary)
    expanded = relation if generation == "1" else f"{relation}:{generation}"
    wait_for(browser, lambda: query_string(browser) == f"?expand={expanded}&tab=lineage")
    wait_for(browser, lambda: len(drawn(browser)) > len(boxes))
    after = assert_readable(browser, bound())
    assert sum(1 for box in after if not box["id"].startswith("more:")) > sum(
        1 for n in boxes if not n.startswith("more:")
    )
    label = browser.driver.execute_script(CY + "return cy.getElementById(arguments[0]).data('label');", summary)
    assert label.startswith("+") and "more" in label
    browser.driver.execute_script(POINT, DEMO_ROOT)
    browser.wait_for_text_to_equal(f"#{page.LINEAGE_HOVER}", f"{DEMO_ROOT} · {downloads(demo, DEMO_ROOT):,} downloads")
    foreign = [url for url in browser.driver.execute_script(RESOURCES) if not url.startswith(site)]
    assert foreign == []
    assert any("dash_cytoscape_extra" in url for url in browser.driver.execute_script(RESOURCES))  # dagre's bundle
    assert browser.get_logs() == []


def downloads(db, repo_id: str) -> int:
    with db.session(read_only=True) as session:
        return session.execute(text("SELECT downloads FROM models WHERE repo_id = :id"), {"id": repo_id}).scalar_one()


def test_the_whole_family_sunburst_renders(browser, demo, live_server, shared_url):
    site = serve(live_server, demo, shared_url)
    open_page(browser, site, f"/models/{DEMO_ROOT}?tab=lineage")
    wait_for(browser, lambda: DEMO_ROOT in drawn(browser))
    browser.find_element(".lineage-views .lineage-view-sunburst").click()
    wait_for(browser, lambda: query_string(browser) == "?tab=lineage&view=sunburst")
    wait_for(browser, lambda: len(browser.driver.find_elements("css selector", ".lineage-family g.slice")) > 4)
    sectors = browser.driver.execute_script(
        "return [...document.querySelectorAll('.lineage-family g.slice text')].map(t => t.textContent);"
    )
    assert "finetune" in sectors and "quantized" in sectors
    foreign = [url for url in browser.driver.execute_script(RESOURCES) if not url.startswith(site)]
    assert foreign == []
    assert browser.get_logs() == []


def test_the_largest_real_family_is_drawn_in_readable_groups(browser, real_db, live_server, shared_url):
    with real_db.session(read_only=True) as session:
        root, size = session.execute(
            text("""
            SELECT m.repo_id, sum(c.descendants) AS size FROM lineage_counts c JOIN models m ON m.id = c.ancestor
            GROUP BY m.repo_id ORDER BY size DESC, m.repo_id LIMIT 1""")
        ).one()
    site = serve(live_server, real_db, shared_url)
    open_page(browser, site, f"/models/{root}?tab=lineage")
    wait_for(browser, lambda: root in drawn(browser))
    boxes = assert_readable(browser, bound(ancestors=20))
    counts = browser.driver.execute_script(CY + "return cy.nodes('.summary').map(n => n.data('count'));")
    assert sum(counts) + sum(1 for box in boxes if not box["id"].startswith("more:")) - 1 >= size
    summary = biggest_summary(browser)
    browser.driver.execute_script(TAP, summary)
    wait_for(browser, lambda: query_string(browser).startswith("?expand="))
    wait_for(browser, lambda: len(drawn(browser)) > len(boxes))
    assert_readable(browser, bound(ancestors=20))
    assert browser.get_logs() == []
