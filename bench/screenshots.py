"""README screenshots: each page of the dashboard, from a live server over a filled catalog.

    python bench/screenshots.py --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench \\
        [--out docs/screenshots]

Starts the app like bench/ui.py, opens each page in headless Chromium at 1400x1000, waits for
its content (result tables, plotly charts, cytoscape nodes, nothing loading) and saves a PNG;
pages taller than the window are shot at their full height. The account page's shot signs up
a throw-away account on that catalog and makes it a key.
"""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path

from browser import GRAPH_DRAWN, HEIGHT, RESULTS_SHOWN, ROOT, WIDTH, chromium, serve, set_viewport, wait_for

TABLE = "document.querySelector('.results-grid .model-link, .trending-empty') !== null"
CHARTS_DRAWN = (
    "document.querySelectorAll('.analytics-card').length > 0 && [...document.querySelectorAll("
    "'.analytics-card .analytics-body')].every(b => b.querySelector('.js-plotly-plot .main-svg,"
    " .analytics-empty'))"
)
MODEL_HEADER = "document.querySelector('.model-header') !== null"

PHONE = (390, 844)  # an iPhone 14's viewport
LIST_SHOWN = "document.querySelector('.results-list .model-link') !== null"
# name: (path, what to wait for, full page height[, viewport])
SHOTS = {
    "search": ("/?pipeline_tag=text-generation&library=transformers&q=llama", RESULTS_SHOWN, False),
    "search-phone": ("/?pipeline_tag=text-generation&q=llama", LIST_SHOWN, False, PHONE),
    "model-lineage": ("/models/cognitivecomputations/dolphin-2.9.1-llama-3-8b?tab=lineage", GRAPH_DRAWN, False),
    "model-overview": ("/models/mistralai/Mistral-7B-Instruct-v0.2", MODEL_HEADER, False),
    "analytics": ("/analytics", CHARTS_DRAWN, True),
    "analytics-filtered": ("/analytics?pipeline_tag=text-generation&library=transformers", CHARTS_DRAWN, True),
    "trending": ("/trending", TABLE, False),
    "author": ("/authors/TheBloke", TABLE, False),
}


def shoot(driver, url: str, condition: str, full_page: bool, path: Path, viewport=(WIDTH, HEIGHT)) -> None:
    set_viewport(driver, *viewport)
    driver.get(url)
    wait_for(driver, condition, timeout=60, settle=True)
    time.sleep(1.0)  # animations: cytoscape's layout, plotly's transitions, fading spinners
    if full_page:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        if height > viewport[1]:
            set_viewport(driver, viewport[0], height)
            time.sleep(1.0)  # plotly and cytoscape redraw on resize
            wait_for(driver, condition, timeout=30, settle=True)
    driver.save_screenshot(str(path))


def shoot_account(driver, base: str, path: Path) -> None:
    """/account with a key just made, shown this once (so no reload): signs up a throw-away
    account on the served catalog. The ids are components/account.py's."""
    from selenium.webdriver.common.by import By

    set_viewport(driver, WIDTH, HEIGHT)
    driver.get(f"{base}/signup")
    wait_for(driver, "document.querySelector('#signup-email') !== null", settle=True)
    driver.find_element(By.ID, "signup-email").send_keys(f"ada-{secrets.token_hex(3)}@example.org")
    driver.find_element(By.ID, "signup-password").send_keys(secrets.token_urlsafe(18))
    driver.find_element(By.CSS_SELECTOR, "#signup-form .form-submit").click()
    wait_for(driver, "document.querySelector('#account-key-name') !== null", settle=True)
    driver.find_element(By.ID, "account-key-name").send_keys("laptop")
    driver.find_element(By.CSS_SELECTOR, ".create-key").click()
    wait_for(driver, "document.querySelector('.key-list .key-name') !== null", settle=True)
    time.sleep(0.5)  # the alert's fade-in
    driver.save_screenshot(str(path))


ACCOUNT_SHOT = "account"  # not in SHOTS: it acts on the page before its picture


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--app-dir", default=str(ROOT), help="the checkout to serve (default: this one)")
    parser.add_argument("--only", nargs="*", choices=sorted([*SHOTS, ACCOUNT_SHOT]), help="these shots only")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with serve(args.database_url, app_dir=args.app_dir) as base, chromium() as driver:
        for name, (path, condition, full_page, *viewport) in SHOTS.items():
            if args.only and name not in args.only:
                continue
            started = time.perf_counter()
            shoot(driver, base + path, condition, full_page, out / f"{name}.png", *viewport)
            errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            print(f"{name + '.png':<24} {path}  ({time.perf_counter() - started:.1f} s)")
            for error in errors:
                print(f"    browser error: {error[:300]}")
        if not args.only or ACCOUNT_SHOT in args.only:
            shoot_account(driver, base, out / f"{ACCOUNT_SHOT}.png")
            print(f"{ACCOUNT_SHOT}.png (a new account and key)")


if __name__ == "__main__":
    main()
