"""Live updates: what an ingestion announces (PostgreSQL NOTIFY, data.live), what each app
process pushes (Server-Sent Events, app.live) through nginx, and what polls see."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from components import ids
from components import search as search_view
from data.arrivals import high_point
from data.db import Database
from data.ingest.pipeline import ingest
from data.live import CHANNEL, POLL_SECONDS, Change, announce, listen
from tests.family import family_records
from tests.results_view import shown_ids
from tests.stack import ROOT, TEST_SECRET_KEY
from tests.test_search_browser import wait_for

API = "/api/v1"
PUSH_DEADLINE = 5.0  # seconds from an ingest's end to a browser's badge (the bound)


def arrivals(prefix: str, count: int, task: str = "text-to-image") -> list[dict]:
    """New Hub records, far more downloaded than the family (first by the default sort)."""
    stamp = "2026-11-30T00:00:00.000Z"
    return [
        {
            "id": f"{prefix}-{n}",
            "modelId": f"{prefix}-{n}",
            "pipeline_tag": task,
            "downloads": 10**9 - n,
            "likes": n,
            "tags": [task],
            "createdAt": stamp,
            "lastModified": stamp,
        }
        for n in range(count)
    ]


def ingest_in_another_process(database_url: str, records: list[dict], folder: Path) -> None:
    """`catalog ingest file`, as an operator (or the sync) runs it beside the app processes."""
    path = folder / f"arrivals-{time.monotonic_ns()}.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "file", str(path)],
        cwd=ROOT,
        env={**_environment(), "CATALOG_DATABASE_URL": database_url, "CATALOG_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def _environment() -> dict[str, str]:
    import os

    return dict(os.environ)


class Listener:
    """data.live.listen in a thread, keeping what it is told."""

    def __init__(self, database_url: str):
        self.db = Database.from_urls(database_url)
        self.told: list[Change] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=listen, args=(self.db.primary_conninfo, self.told.append, self.stop, self._current), daemon=True
        )

    def _current(self) -> Change:
        from data.live import current

        with self.db.session() as session:
            return current(session)

    def __enter__(self) -> Listener:
        self.thread.start()
        self.until(lambda: self.told, "the first reading")
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(5)
        self.db.dispose()

    def until(self, condition, what: str, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"not told {what}: {self.told}"
            time.sleep(0.05)


# --- what ingestion announces ---------------------------------------------------------------


def test_each_committed_batch_is_announced_with_what_it_stored(fresh_database_url):
    with Listener(fresh_database_url) as listener:
        assert listener.told[0].high_point == 0
        summary = ingest(listener.db, family_records(), batch_size=4)
        listener.until(lambda: sum(c.new for c in listener.told) == summary.new, f"{summary.new} new models")
        with listener.db.session() as session:
            top = high_point(session)
        assert listener.told[-1].high_point == top
        assert all(a.data_version <= b.data_version for a, b in zip(listener.told, listener.told[1:], strict=False))
        news = [c.new for c in listener.told[1:] if c.new]
        assert len(news) > 1 and max(news) <= 4  # one announcement per batch, as it commits


def test_a_batch_rolled_back_tells_nobody_and_junk_on_the_channel_is_ignored(fresh_database_url):
    with Listener(fresh_database_url) as listener:
        with listener.db.session() as session:
            announce(session, new=5, changed=0)
            session.rollback()
        with listener.db.session() as session:
            session.execute(
                text("SELECT pg_notify(:c, 'not json'), pg_notify(:c, '{\"high_point\": \"x\"}')"), {"c": CHANNEL}
            )
            session.commit()
        with listener.db.session() as session:
            announce(session, new=2, changed=1)
            session.commit()
        listener.until(lambda: len(listener.told) >= 2, "the committed announcement")
        assert [(c.new, c.changed) for c in listener.told[1:]] == [(2, 1)]


def test_a_listener_whose_connection_is_cut_reconnects_and_catches_up(fresh_database_url):
    with Listener(fresh_database_url) as listener:
        with listener.db.session() as session:
            cut = (
                session.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE query = :q AND datname = current_database()"
                    ),
                    {"q": f"LISTEN {CHANNEL}"},
                )
                .scalars()
                .all()
            )
            session.commit()
        assert cut == [True]
        ingest(listener.db, family_records())  # possibly while it is deaf
        listener.until(
            lambda: listener.told[-1].high_point == len(family_records()), "the catalog after reconnecting", 20
        )


# --- the API, through the test client ---------------------------------------------------------


def test_the_polled_state_is_the_catalog_now_and_never_cached(client, db):
    before = client.get(f"{API}/live")
    ingest(db, family_records())
    after = client.get(f"{API}/live")
    with db.session() as session:
        top = high_point(session)
    assert before.json["data"]["high_point"] == 0
    assert after.json["data"]["high_point"] == top > 0
    assert after.json["data"]["data_version"] > before.json["data"]["data_version"]
    assert after.json["meta"] == {"stream": f"{API}/live/stream", "poll_seconds": 5}
    assert after.headers["Cache-Control"] == "no-store"


def test_a_stream_begins_with_the_catalog_as_it_is(client, db):
    ingest(db, family_records())
    response = client.get(f"{API}/live/stream")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Accel-Buffering"] == "no"
    assert "Content-Encoding" not in response.headers
    events = parse_events(response.get_data(as_text=True))
    with db.session() as session:
        assert events[0][0] == "hello" and events[0][1]["high_point"] == high_point(session)


def test_a_server_with_no_room_for_streams_says_to_poll(db):
    app = create_app(Settings(secret_key=TEST_SECRET_KEY, live_streams=0, rate_limit="off"), database=db)
    response = app.test_client().get(f"{API}/live/stream")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "LIVE_STREAM_UNAVAILABLE"
    assert response.json["error"]["details"] == {"poll": f"{API}/live"}
    assert f"{API}/live " in response.json["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def parse_events(body: str) -> list[tuple[str, dict]]:
    """(event, data) of each event of a Server-Sent Events body; comments and `retry:` skipped."""
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


class EventReader:
    """A live stream read as it comes, in a thread (requests, as any SSE client would). Left
    open: the server ends it when it stops (closing it from here waits for a keepalive)."""

    def __init__(self, url: str):
        self.response = requests.get(url, stream=True, timeout=(5, 30), headers={"Accept": "text/event-stream"})
        assert self.response.status_code == 200, self.response.text[:300]
        self.events: list[tuple[str, dict]] = []
        self.headers = self.response.headers
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind = None
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: ") and kind:
                    self.events.append((kind, json.loads(line.removeprefix("data: "))))
        except requests.RequestException:
            pass  # closed by the test

    def until(self, condition, what: str, seconds: float) -> float:
        started = time.monotonic()
        while not condition(self.events):
            assert time.monotonic() - started < seconds, f"no {what} within {seconds} s: {self.events}"
            time.sleep(0.05)
        return time.monotonic() - started


# --- the deployed stack: nginx in front of two app processes ----------------------------------


@pytest.fixture(scope="module")
def live_stack(server_url, template_url, tmp_path_factory):
    from tests.served import catalog_database
    from tests.stack import start_stack
    from tests.test_stack import REDIS_URL, _missing

    reason = _missing()
    if reason:
        if __import__("os").environ.get("CI"):
            pytest.fail(f"the stack tests must run in CI: {reason}")
        pytest.skip(reason)
    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        ingest(db, family_records())
        db.dispose()
        running = start_stack(url, REDIS_URL, CATALOG_RATE_LIMIT="off")
        try:
            yield running
        finally:
            running.stop()


def test_every_process_pushes_an_ingest_in_another_process_through_nginx(live_stack, tmp_path):
    urls = [f"http://127.0.0.1:{port}{API}/live/stream" for port in live_stack.app_ports]
    readers = [EventReader(url) for url in [*urls, f"{live_stack.url}{API}/live/stream"]]
    for reader in readers:  # at once, not when nginx's buffer fills: nothing is held back
        reader.until(lambda events: events and events[0][0] == "hello", "hello", 3)
    assert readers[-1].headers["X-Upstream"]  # through nginx, to one of the two
    first = readers[0].events[0][1]["high_point"]
    records = arrivals("live/pushed", 7)
    ingest_in_another_process(live_stack.database_url, records, tmp_path)
    for reader in readers:
        waited = reader.until(
            lambda events: sum(data["new"] for kind, data in events if kind == "change") == len(records),
            "change telling of the 7 new models",
            PUSH_DEADLINE,
        )
        assert waited < PUSH_DEADLINE
        assert max(data["high_point"] for _, data in reader.events) >= first + len(records)


# --- in the browser --------------------------------------------------------------------------


def live_mode(browser) -> str | None:
    return browser.driver.find_element(By.ID, ids.LIVE_STATUS).get_attribute("data-live")


def new_matches_button(browser):
    return browser.driver.find_element(By.ID, search_view.SHOW_NEW)


def api_ids(site: str, query: str) -> list[str]:
    return [model["id"] for model in requests.get(f"{site}{API}/models?{query}", timeout=10).json()["data"]]


def badge_after_ingest(browser, site: str, database_url: str, folder: Path, prefix: str, seconds: float) -> float:
    """Open the text-to-image search, ingest 3 such models and 2 others in another process; the
    seconds from the ingest's end until the page tells of exactly the 3."""
    query = "pipeline_tag=text-to-image"
    browser.driver.get(f"{site}/?{query}")
    before = api_ids(site, query)
    wait_for(browser, lambda: shown_ids(browser) == before)
    records = arrivals(prefix, 3) + arrivals(f"{prefix}-chat", 2, task="text-generation")
    ingest_in_another_process(database_url, records, folder)
    ended = time.monotonic()
    wait_for(browser, lambda: "3 new models match this search" in new_matches_button(browser).text, seconds)
    waited = time.monotonic() - ended
    assert shown_ids(browser) == before  # told, not yet shown: the analyst chooses when
    new_matches_button(browser).click()
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, query))  # the API's cache may lag a second
    assert {f"{prefix}-{n}" for n in range(3)} <= set(shown_ids(browser)) - set(before)
    wait_for(browser, lambda: "d-none" in new_matches_button(browser).get_attribute("class"))
    return waited


@pytest.mark.browser
def test_an_open_search_shows_a_badge_of_new_matches_pushed_through_nginx(live_stack, browser, tmp_path):
    browser.driver.get(live_stack.url + "/")
    wait_for(browser, lambda: live_mode(browser) == "push")
    waited = badge_after_ingest(browser, live_stack.url, live_stack.database_url, tmp_path, "live/badge", 8)
    assert waited < PUSH_DEADLINE, f"the badge took {waited:.1f} s"


@pytest.mark.browser
def test_the_live_page_adds_arrivals_as_they_come_and_marks_them_new(live_stack, browser, tmp_path):
    browser.driver.get(f"{live_stack.url}/live?pipeline_tag=text-generation")
    wait_for(browser, lambda: live_mode(browser) == "push")
    wait_for(browser, lambda: browser.driver.find_elements(By.CSS_SELECTOR, ".live-since"))
    records = arrivals("live/page", 2, task="text-generation") + arrivals("live/page-art", 1)
    ingest_in_another_process(live_stack.database_url, records, tmp_path)
    marked = "return [...document.querySelectorAll('.live-new .model-link')].map(a => a.innerText);"
    wait_for(browser, lambda: browser.driver.execute_script(marked) == ["live/page-1", "live/page-0"], PUSH_DEADLINE)
    since = browser.driver.find_element(By.CSS_SELECTOR, ".live-since").text
    assert since.startswith("2 new since you opened this page")
    listed = "return [...document.querySelectorAll('.live-arrival .model-link')].map(a => a.innerText);"
    assert "live/page-art-0" not in browser.driver.execute_script(listed)  # not text-generation


@pytest.mark.browser
def test_where_no_stream_can_open_the_page_polls_and_still_shows_the_badge(server_url, template_url, browser, tmp_path):
    from tests.served import catalog_database, serve

    with catalog_database(server_url) as url:
        db = Database.from_urls(url)
        ingest(db, family_records())
        db.dispose()
        with serve(url, CATALOG_LIVE_STREAMS="0") as served:
            browser.driver.get(served.url + "/")
            wait_for(browser, lambda: live_mode(browser) == "poll")
            assert "polling" in browser.driver.find_element(By.ID, ids.LIVE_STATUS).text
            waited = badge_after_ingest(browser, served.url, url, tmp_path, "live/polled", POLL_SECONDS + 8)
            assert waited < POLL_SECONDS + PUSH_DEADLINE
