"""The admin pages in headless Chromium: an admin changes a role, finds it in the audit log by a
filter in the URL, starts a sync and watches the job finish. Others get a notice, never the data."""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from app.factory import create_app
from app.settings import Settings
from data.accounts.users import create_user
from data.db import Database
from data.jobs import run_next
from tests.hubserver import FakeHub
from tests.stack import TEST_SECRET_KEY
from tests.test_jobs import hub_sync
from tests.test_search_browser import wait_for
from tests.test_sync import hub_models

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture
def site(fresh_database_url, live_server):
    db = Database.from_urls(fresh_database_url)
    with db.session() as session:
        ids = {email: create_user(session, email, PASSWORD, role).id for email, role in ACCOUNTS}
        session.commit()
    server = create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, rate_limit="off"), db)
    yield live_server(server), db, ids
    db.dispose()


ACCOUNTS = [("root@example.org", "admin"), ("ana@example.org", "analyst")]


def sign_in(browser, url: str, email: str) -> None:
    """Sign in through the API, then hand the session cookie to the browser."""
    http = requests.Session()
    token = http.get(f"{url}/api/v1/auth/csrf", timeout=10).json()["data"]["csrf_token"]
    answer = http.post(
        f"{url}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    browser.server_url = url
    browser.driver.add_cookie({"name": "catalog_session", "value": http.cookies["catalog_session"], "path": "/"})


def visit(browser, url: str, path: str) -> None:
    browser.driver.get(url + path)


def rows(browser, selector: str) -> list[str]:
    return [row.text for row in browser.driver.find_elements(By.CSS_SELECTOR, selector)]


def test_an_admin_changes_a_role_and_finds_it_in_the_audit_log(browser, site):
    url, db, ids = site
    sign_in(browser, url, "root@example.org")
    visit(browser, url, "/admin/users")
    ana = f"tr[data-user='{ids['ana@example.org']}']"
    browser.wait_for_element(f"{ana} select")
    Select(browser.find_element(f"{ana} select")).select_by_value("admin")
    browser.wait_for_contains_text(".admin-notice", "ana@example.org is now admin.")

    visit(browser, url, "/admin/audit?action=user.role_change")
    browser.wait_for_element(".admin-audit-entry")
    (entry,) = rows(browser, ".admin-audit-entry")
    assert "root@example.org" in entry and f"user {ids['ana@example.org']}" in entry
    assert json.dumps({"after": "admin", "before": "analyst"}) in entry
    browser.wait_for_contains_text(f"#{'admin-audit-action'}", "user.role_change")
    export = urlsplit(browser.find_element("#admin-audit-export").get_attribute("href"))
    assert export.path == "/api/v1/admin/audit"
    assert parse_qsl(export.query) == [("action", "user.role_change"), ("format", "csv")]

    # A filter typed goes to the address bar: the link shares the view.
    actor = browser.find_element("#admin-audit-actor")
    actor.send_keys("nobody@example.org", Keys.ENTER)
    browser.wait_for_contains_text(".admin-no-entries", "No entries match.")
    search = browser.driver.execute_script("return window.location.search;")
    assert parse_qsl(search.lstrip("?")) == [("action", "user.role_change"), ("actor", "nobody@example.org")]
    assert browser.get_logs() == []


def test_an_admin_starts_a_sync_and_sees_the_job_finish(browser, site):
    url, db, _ = site
    sign_in(browser, url, "root@example.org")
    visit(browser, url, "/admin/jobs")
    browser.wait_for_contains_text(".admin-no-jobs", "No jobs yet.")
    browser.find_element("#admin-jobs-start").click()
    browser.wait_for_contains_text(".admin-notice", "queued.")
    browser.wait_for_text_to_equal(".admin-job-status", "queued")
    with FakeHub(hub_models()) as hub:
        worker = threading.Thread(target=run_next, args=(db, hub_sync(db, hub)))
        worker.start()
        worker.join(60)
    browser.wait_for_text_to_equal(".admin-job-status", "succeeded", timeout=15)  # the table refreshes itself
    assert "new 5" in browser.find_element(".admin-job-outcome").text
    assert browser.get_logs() == []


def test_others_get_a_notice_and_never_the_data(browser, site):
    url, _, _ = site
    browser.server_url = url
    visit(browser, url, "/admin/audit?action=auth.login")
    link = browser.wait_for_element(".admin-sign-in a")
    assert urlsplit(link.get_attribute("href")).path == "/login"
    assert parse_qsl(urlsplit(link.get_attribute("href")).query) == [("next", "/admin/audit?action=auth.login")]
    sign_in(browser, url, "ana@example.org")
    visit(browser, url, "/admin/users")
    browser.wait_for_contains_text(".admin-needed", "This page needs the admin role.")
    wait_for(browser, lambda: not browser.driver.find_elements(By.CSS_SELECTOR, ".admin-user"))
    assert browser.get_logs() == []
