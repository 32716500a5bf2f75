"""Shared by bench/ui.py and bench/screenshots.py: a live app server and a headless Chromium.

    from browser import serve, chromium, wait_for

`serve(url)` runs `catalog serve --no-fill --workers 2` on a free port (rate limit off) and
yields its base address; `chromium()` yields a Selenium driver for Debian's chromium with the
flags this machine needs (see tests/conftest.py); `wait_for(driver, js)` waits in the page,
without Selenium's polling round trips, until a JavaScript expression is truthy.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1400, 1000

# Page conditions, as JavaScript expressions.
RESULTS_SHOWN = (
    "document.querySelector('.results-grid .model-link') !== null && document.querySelector('.result-total') !== null"
)
GRAPH_DRAWN = (
    "(() => { const el = document.querySelector('.lineage-graph');"
    " const cy = el && el._cyreg && el._cyreg.cy;"
    " return !!cy && cy.nodes().length > 0; })()"
)
NOT_LOADING = "document.querySelector('[data-dash-is-loading=\"true\"]') === null"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(database_url: str, workers: int = 2, app_dir: str | Path = ROOT) -> Iterator[str]:
    """The app under gunicorn over `database_url`; yields "http://127.0.0.1:PORT". `app_dir`: the
    checkout whose code is served (e.g. `git archive` of another revision), this one by default."""
    port = free_port()
    env = os.environ | {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_RATE_LIMIT": "off",
        "CATALOG_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--no-fill", "--workers", str(workers), "--port", str(port)],
        env=env,
        cwd=app_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                sys.exit(
                    f"the server exited with code {process.returncode}: try"
                    f" `CATALOG_DATABASE_URL=… python -m app.cli serve --no-fill` in {app_dir} to see why"
                )
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not start")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextlib.contextmanager
def chromium(width: int = WIDTH, height: int = HEIGHT):
    """A headless Chromium driven by Selenium; closed on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    if binary := shutil.which("chromium"):
        options.binary_location = binary
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    set_viewport(driver, width, height)
    try:
        yield driver
    finally:
        driver.quit()


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport (not the window, which adds the browser's own bars) width x height."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def wait_for(driver, condition: str, timeout: float = 30, settle: bool = False) -> float:
    """Wait in the page until the JavaScript expression `condition` is true (checked on every DOM
    change and every animation frame); returns `performance.now()` at that moment, i.e. ms since
    the navigation started. `settle`: also wait until no Dash component is loading."""
    expression = f"({condition}) && ({NOT_LOADING})" if settle else condition
    driver.set_script_timeout(timeout + 10)
    found = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const timeout = arguments[0];
        const check = () => { try { return !!(%s); } catch (e) { return false; } };
        if (check()) { done(performance.now()); return; }
        const started = performance.now();
        const observer = new MutationObserver(() => { if (check()) finish(performance.now()); });
        let finished = false;
        function finish(value) {
            if (finished) return;
            finished = true; observer.disconnect(); done(value);
        }
        observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
        (function frame() {
            if (finished) return;
            if (check()) { finish(performance.now()); return; }
            if (performance.now() - started > timeout) { finish(null); return; }
            requestAnimationFrame(frame);
        })();
        """.replace("%s", expression),  # JavaScript: braces an f-string would have to double
        timeout * 1000,
    )
    if found is None:
        raise TimeoutError(f"not true after {timeout} s: {condition}")
    return found
