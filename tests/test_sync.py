"""Scheduled sync against a fake Hub on 127.0.0.1: catalog, history, trending, lock, failures."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from app.api.http import HttpOptions
from app.cli import main
from app.factory import create_app
from app.settings import Settings
from callbacks import model as model_page_callback
from components import history as history_view
from data.catalog import trending
from data.db import Database
from data.ingest.hub import HubError, HubSource
from data.ingest.pipeline import ingest
from data.meta import HIGH_WATER_MARK, LAST_SYNC_AT, SIMILAR_INDEX, read_state
from data.sync import SYNC_LOCK, SyncBusy, sync_once
from tests.catalog_state import catalog_state, consistency_problems, model
from tests.dash_tree import find
from tests.hubserver import FakeHub
from tests.stack import TEST_SECRET_KEY

# id, downloads, likes, the Hub's trending score (None: the Hub gives none), month modified
MODELS = [
    ("acme/llm-7b", 90_000, 900, 40.0, 3),
    ("acme/llm-7b-chat", 50_000, 500, None, 5),
    ("lab/vision-base", 30_000, 300, None, 4),
    ("lab/tiny-test", 10, 1, None, 2),
    ("solo/notes", 5, 0, None, 1),
]


def hub_models(**changes: dict) -> list[dict]:
    """The fake Hub's records; `changes` maps an id to fields that differ (a/b-c as a__b_c)."""
    records = []
    for repo_id, downloads, likes, score, month in MODELS:
        record = {
            "id": repo_id,
            "modelId": repo_id,
            "downloads": downloads,
            "likes": likes,
            "tags": ["transformers", "text-generation"],
            "pipeline_tag": "text-generation",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "lastModified": f"2024-0{month}-01T00:00:00.000Z",
        }
        if score is not None:
            record["trendingScore"] = score
        records.append(record | changes.get(repo_id.replace("/", "__").replace("-", "_"), {}))
    return records


@pytest.fixture
def hub():
    with FakeHub(hub_models(), page_size=2) as fake:
        yield fake


def sources(hub: FakeHub):
    return partial(HubSource, hub.url)


def history(db: Database) -> list[tuple]:
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""
            SELECT m.repo_id, h.downloads, h.likes FROM model_history h JOIN models m ON m.id = h.model_id
            ORDER BY m.repo_id, h.observed_at""")
        )
        return [tuple(row) for row in rows]


def meta(db: Database, key: str):
    with db.session(read_only=True) as session:
        return session.execute(text("SELECT value FROM catalog_meta WHERE key = :key"), {"key": key}).scalar()


def test_a_sync_fills_the_catalog_and_records_history(db, hub):
    summary = sync_once(db, sources(hub))
    assert summary.ingested.new == 5 and summary.history_rows == 5
    assert model(db, "acme/llm-7b-chat")["downloads"] == 50_000
    assert ("lab/vision-base", 30_000, 300) in history(db)
    assert read_state(db, HIGH_WATER_MARK) == datetime(2024, 5, 1, tzinfo=UTC)
    synced = read_state(db, LAST_SYNC_AT)
    assert synced.utcoffset() == timedelta(0) and synced == summary.finished_at
    assert consistency_problems(db) == {}


def test_a_sync_asked_to_retrains_the_similarity_after_a_change_only(db, hub):
    assert sync_once(db, sources(hub)).similar is None  # not asked: no training
    assert meta(db, SIMILAR_INDEX) is None
    hub.set_models(hub_models(lab__vision_base={"downloads": 31_000}))
    summary = sync_once(db, sources(hub), similar=True)
    assert summary.ingested.updated == 1 and summary.similar is not None
    assert meta(db, SIMILAR_INDEX)["models"] == summary.similar.models == 5
    assert sync_once(db, sources(hub), similar=True).similar is None  # nothing changed: the same similarity
    assert meta(db, SIMILAR_INDEX)["trained_at"] == summary.similar.trained_at


def test_a_second_sync_records_only_the_models_whose_counts_changed(db, hub):
    sync_once(db, sources(hub))
    hub.set_models(
        hub_models(
            lab__vision_base={"downloads": 31_000},  # counts move without a new commit
            lab__tiny_test={"tags": ["gguf"], "lastModified": "2024-06-01T00:00:00.000Z"},
        )
    )
    summary = sync_once(db, sources(hub))
    assert summary.ingested.updated == 2
    assert summary.history_rows == 1
    assert [row for row in history(db) if row[0] == "lab/vision-base"] == [
        ("lab/vision-base", 30_000, 300),
        ("lab/vision-base", 31_000, 300),
    ]
    assert len(history(db)) == 6
    assert read_state(db, HIGH_WATER_MARK) == datetime(2024, 6, 1, tzinfo=UTC)


def test_the_top_listing_is_bounded_and_the_incremental_one_stops_at_the_mark(db, hub):
    sync_once(db, sources(hub), top=2)
    before = len(hub.requests)
    sync_once(db, sources(hub), top=2)
    listed = hub.requests[before:]
    by_downloads = [r for r in listed if r["query"]["sort"] == ["downloads"]]
    by_modified = [r for r in listed if r["query"]["sort"] == ["lastModified"]]
    assert len(by_downloads) == 1 and by_downloads[0]["query"]["limit"] == ["2"]
    assert len(by_modified) == 1  # the newest page reaches the high-water mark


def add_history(db: Database, repo_id: str, downloads: int, likes: int, days_ago: float) -> None:
    with db.session() as session:
        session.execute(
            text("""
            INSERT INTO model_history (model_id, observed_at, downloads, likes)
            SELECT id, now() - make_interval(secs => :seconds), :downloads, :likes
            FROM models WHERE repo_id = :id"""),
            {"id": repo_id, "downloads": downloads, "likes": likes, "seconds": days_ago * 86400},
        )
        session.commit()


def test_computed_trending_ranks_growth_where_the_hub_gives_no_score(db, hub):
    sync_once(db, sources(hub))
    add_history(db, "acme/llm-7b-chat", 49_000, 490, days_ago=9)  # +1,000 downloads, +10 likes
    add_history(db, "acme/llm-7b-chat", 10, 1, days_ago=20)  # before the window: not the baseline
    add_history(db, "lab/vision-base", 27_000, 300, days_ago=8)  # +3,000
    add_history(db, "lab/tiny-test", 10, 1, days_ago=8)  # no growth
    add_history(db, "acme/llm-7b", 1_000, 0, days_ago=8)  # grew most, but the Hub scores it
    sync_once(db, sources(hub))
    with db.session(read_only=True) as session:
        ranked = [m.repo_id for m in trending(session, 10, [])]
        assert trending(session, 10, ["image-classification"]) == []
    assert ranked == ["acme/llm-7b", "lab/vision-base", "acme/llm-7b-chat"]
    assert model(db, "acme/llm-7b-chat")["computed_trending"] == 1_000 + 10 * 10
    assert model(db, "acme/llm-7b")["computed_trending"] is None  # the Hub's score is kept apart
    assert model(db, "lab/tiny-test")["computed_trending"] is None


def test_growth_counts_from_the_first_row_of_a_model_first_seen_within_the_window(db, hub):
    add_history_later = hub_models(solo__notes={"downloads": 500})
    sync_once(db, sources(hub))
    hub.set_models(add_history_later)
    sync_once(db, sources(hub))
    assert model(db, "solo/notes")["computed_trending"] == 495
    with db.session() as session:  # a week later the growth has left the window
        session.execute(text("UPDATE model_history SET observed_at = observed_at - interval '8 days'"))
        session.commit()
    sync_once(db, sources(hub))
    assert model(db, "solo/notes")["computed_trending"] is None


def holds_sync_lock(db: Database) -> bool:
    with db.session(read_only=True) as session:
        return session.execute(
            text("""
            SELECT count(*) > 0 FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objid::text::bigint = :key
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""),
            {"key": SYNC_LOCK},
        ).scalar_one()


def test_two_syncs_at_once_one_runs_and_the_other_reports_the_lock(fresh_database_url, hub):
    db = Database.from_urls(fresh_database_url)
    hub.delay_next(1.5)
    outcome = {}
    first = threading.Thread(target=lambda: outcome.update(first=sync_once(db, sources(hub))))
    first.start()
    try:
        deadline = time.monotonic() + 10
        while not holds_sync_lock(db) and time.monotonic() < deadline:
            time.sleep(0.02)
        with pytest.raises(SyncBusy, match="another sync is running"):
            sync_once(db, sources(hub))
    finally:
        first.join(30)
    assert outcome["first"].ingested.new == 5
    assert sync_once(db, sources(hub)).ingested.unchanged == 5  # the lock was let go
    db.dispose()


def test_a_hub_that_fails_leaves_the_previous_sync_serving(db, hub, no_waiting):
    sync_once(db, sources(hub))
    before = catalog_state(db), history(db), meta(db, LAST_SYNC_AT), meta(db, HIGH_WATER_MARK)
    hub.set_models(hub_models(lab__vision_base={"downloads": 99_000}))
    hub.fail_next(500, times=100)
    with pytest.raises(HubError, match="refused"):
        sync_once(db, sources(hub))
    assert (catalog_state(db), history(db), meta(db, LAST_SYNC_AT), meta(db, HIGH_WATER_MARK)) == before


def test_a_sync_cut_short_keeps_its_batches_but_writes_no_history_or_marks(db, hub, no_waiting):
    sync_once(db, sources(hub))
    before = history(db), meta(db, LAST_SYNC_AT), meta(db, HIGH_WATER_MARK)
    changed = hub_models(acme__llm_7b_chat={"downloads": 70_000, "lastModified": "2024-07-01T00:00:00.000Z"})
    hub.set_models(changed)
    with FakeHub(changed) as broken:  # the top listing fails after the modified ones were merged
        broken.fail_next(500, times=100)

        def split(sort, **options):
            return HubSource(hub.url if sort == "lastModified" else broken.url, sort=sort, **options)

        with pytest.raises(HubError):
            sync_once(db, split, batch_size=1)
    assert model(db, "acme/llm-7b-chat")["downloads"] == 70_000  # its batch was complete
    assert consistency_problems(db) == {}
    assert (history(db), meta(db, LAST_SYNC_AT), meta(db, HIGH_WATER_MARK)) == before
    summary = sync_once(db, sources(hub))  # the next sync fetches it again and completes
    assert summary.history_rows == 1 and summary.views_refreshed  # views skipped by the cut
    assert meta(db, LAST_SYNC_AT) != before[1]


def test_reads_continue_while_a_sync_writes(fresh_database_url, hub):
    db = Database.from_urls(fresh_database_url)
    settings = Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, rate_limit="100000/minute")
    client = create_app(settings, database=db, http=HttpOptions(response_cache=False)).test_client()
    sync_once(db, sources(hub))
    hub.set_models(hub_models(lab__vision_base={"downloads": 95_000}, solo__notes={"likes": 3}))
    hub.delay_next(0.5, times=4)  # a sync of a few seconds (4 pages), merging batches of one
    syncing = threading.Thread(target=sync_once, args=(db, sources(hub)), kwargs={"batch_size": 1})
    syncing.start()
    slowest, reads = 0.0, 0
    while syncing.is_alive():
        started = time.monotonic()
        response = client.get("/api/v1/models?sort=downloads&per_page=5")
        trending_response = client.get("/api/v1/trending")
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 200 and trending_response.status_code == 200
        assert len(response.get_json()["data"]) == 5  # never an empty or half-written catalog
        reads += 1
    syncing.join()
    assert reads >= 5 and slowest < 1.0, (reads, slowest)
    assert model(db, "lab/vision-base")["downloads"] == 95_000
    db.dispose()


def catalog_command(url: str, hub: FakeHub, *args: str, **popen) -> subprocess.Popen:
    env = os.environ | {"CATALOG_DATABASE_URL": url, "HF_ENDPOINT": hub.url}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "sync", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **popen,
    )


def test_sync_once_as_a_command(fresh_database_url, hub):
    process = catalog_command(fresh_database_url, hub, "--once", "--top", "100")
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output
    assert "new 5" in output and "history rows 5" in output
    db = Database.from_urls(fresh_database_url)
    assert read_state(db, LAST_SYNC_AT) is not None
    db.dispose()


def test_sync_once_reports_another_running_sync(fresh_database_url, hub):
    db = Database.from_urls(fresh_database_url)
    with db.advisory_lock(SYNC_LOCK) as got:
        assert got
        process = catalog_command(fresh_database_url, hub, "--once")
        output, _ = process.communicate(timeout=120)
    assert process.returncode == 75 and "another sync is running" in output
    db.dispose()


def test_sync_once_fails_on_an_unreachable_hub(fresh_database_url, unused_port, no_waiting):
    result = CliRunner().invoke(
        main,
        ["sync", "--once"],
        env={"CATALOG_DATABASE_URL": fresh_database_url, "HF_ENDPOINT": f"http://127.0.0.1:{unused_port}"},
    )
    assert result.exit_code == 1 and "cannot reach the Hub" in result.output


def test_the_sync_loop_runs_then_stops_on_sigterm(fresh_database_url, hub):
    process = catalog_command(fresh_database_url, hub, "--every", "1h")
    lines = []
    try:
        for line in process.stdout:  # logged: a run, then the wait for the next one
            lines.append(line)
            if "next sync in" in line:
                break
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, "".join(lines) + output
    assert any("sync done" in line and "new 5" in line for line in lines)
    assert "SIGTERM received" in output and "sync loop stopped" in output


@pytest.mark.parametrize("every", ["0m", "1x", "h", "1h 30m"])
def test_sync_refuses_a_malformed_interval(every):
    result = CliRunner().invoke(main, ["sync", "--every", every])
    assert result.exit_code == 2 and "--every" in result.output


def test_old_history_is_thinned_to_a_row_a_week_per_model(db, hub):
    sync_once(db, sources(hub))
    now = datetime.now(UTC)
    monday = (now - timedelta(weeks=10)).replace(hour=0, minute=0, second=0, microsecond=0)
    monday -= timedelta(days=monday.weekday())  # a UTC week ten weeks back
    for at, downloads in ((monday + timedelta(hours=1), 1), (monday + timedelta(days=3), 2)):
        add_history(db, "lab/tiny-test", downloads, 1, days_ago=(now - at).total_seconds() / 86_400)
    add_history(db, "lab/tiny-test", 3, 1, days_ago=(now - monday).days - 8)  # the week after
    add_history(db, "lab/tiny-test", 4, 1, days_ago=20)  # within the 35 days: kept as it is
    add_history(db, "solo/notes", 1, 0, days_ago=80)  # its only old row: kept
    sync_once(db, sources(hub))
    kept = [row[1] for row in history(db) if row[0] == "lab/tiny-test"]
    assert kept == [2, 3, 4, 10]  # the week's last, the next week's, 20 days ago, now
    assert [row[1] for row in history(db) if row[0] == "solo/notes"] == [1, 5]


def test_a_models_history_is_served_as_recorded_and_drawn_on_its_page(db, hub, settings):
    sync_once(db, sources(hub))
    hub.set_models(hub_models(lab__vision_base={"downloads": 31_000, "likes": 310}))
    sync_once(db, sources(hub))
    with db.session(read_only=True) as session:
        recorded = session.execute(
            text("""
            SELECT h.observed_at, h.downloads, h.likes FROM model_history h JOIN models m ON m.id = h.model_id
            WHERE m.repo_id = 'lab/vision-base' ORDER BY h.observed_at""")
        ).all()
    assert [(d, n) for _, d, n in recorded] == [(30_000, 300), (31_000, 310)]
    client = create_app(settings, db).test_client()
    answer = client.get("/api/v1/models/LAB/vision-base/history").json  # any case, as the Hub's ids
    assert answer["data"]["id"] == "lab/vision-base" and answer["meta"]["count"] == 2
    assert answer["data"]["points"] == [
        {"observed_at": at.isoformat(), "downloads": d, "likes": n} for at, d, n in recorded
    ]
    assert client.get("/api/v1/models/nobody/nothing/history").json["error"]["code"] == "MODEL_NOT_FOUND"

    tab, _ = model_page_callback.layout(db, [("tab", "history")], repo_id="lab/vision-base")
    graph = find(tab, lambda c: getattr(c, "id", None) == history_view.HISTORY_GRAPH)
    downloads, likes = graph.figure.data
    assert list(downloads.y) == [30_000, 31_000] and list(likes.y) == [300, 310]
    ingest(db, [{"id": "file/only", "downloads": 3}])  # from a file: no sync has seen it
    empty, _ = model_page_callback.layout(db, [("tab", "history")], repo_id="file/only")
    assert history_view.NO_HISTORY in str(empty)
