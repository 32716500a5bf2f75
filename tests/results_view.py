"""Reading the model lists (components/results.py) in the browser, as a visitor sees them."""

from __future__ import annotations

# One script: the grid is replaced while results arrive. The grid keeps its rows in DOM order.
SHOWN_IDS = "return [...document.querySelectorAll('{scope} .results-grid .model-link')].map(a => a.innerText);"
LISTED_IDS = "return [...document.querySelectorAll('{scope} .results-list .model-link')].map(a => a.innerText);"


def shown_ids(browser, scope: str = "") -> list[str]:
    """The ids in the results grid (wide screens), in order."""
    return browser.driver.execute_script(SHOWN_IDS.format(scope=scope))


def listed_ids(browser, scope: str = "") -> list[str]:
    """The ids in the compact list (narrow screens), in order."""
    return browser.driver.execute_script(LISTED_IDS.format(scope=scope))
