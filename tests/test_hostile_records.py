"""The hostile-record corpus through files and through a Hub, into an empty catalog.

Each hostile record is skipped with its reason, the good records beside it are stored, the
bulk load of the empty catalog builds every key and index, and the next ingest or
`catalog sync --once` moves on.
"""

import logging
from collections import Counter
from datetime import UTC, datetime
from functools import partial

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from app.cli import main
from data.db import Database
from data.ingest.files import FileSource
from data.ingest.hub import HubSource
from data.ingest.pipeline import IngestSummary, ingest
from data.meta import HIGH_WATER_MARK, read_state
from data.models import Base
from data.sync import sync_once
from tests.catalog_state import consistency_problems
from tests.hostile_records import corpus, write
from tests.hubserver import FakeHub


def good(name: str, month: int, **fields) -> dict:
    return {
        "id": f"good/{name}",
        "author": "good",
        "downloads": 100 * month,
        "likes": month,
        "tags": ["transformers", "license:mit", "base_model:finetune:good/root"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-01-01T00:00:00.000Z",
        "lastModified": f"2024-0{month}-01T00:00:00.000Z",
        "siblings": [{"rfilename": "model.safetensors", "size": 2**40}],
    } | fields


GOOD = [good("root", 1, tags=["transformers"]), *(good(f"model-{n}", n) for n in range(2, 7))]
# Newer: two new models and a new commit of one that is stored.
LATER = [good("model-7", 7), good("model-8", 8), good("model-2", 9, downloads=5)]


@pytest.fixture
def catalog(fresh_database_url):
    db = Database.from_urls(fresh_database_url)  # several connections: the real bulk load
    yield db
    db.dispose()


def keys_and_indexes(db: Database) -> set[str]:
    """The names of the catalog's keys and indexes, every index the models declare among them."""
    with db.session(read_only=True) as session:
        found = set(
            session.execute(
                text(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                    "UNION SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
                )
            ).scalars()
        )
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    assert declared <= found, declared - found
    return found


def stored_ids(db: Database) -> set[str]:
    with db.session(read_only=True) as session:
        return set(session.execute(text("SELECT repo_id FROM models")).scalars())


def reported(summary: IngestSummary) -> list[tuple[str, str]]:
    return sorted((where, reason.split(":")[0]) for where, reason in summary.skip_examples)


def interleaved(hostile: list) -> list:
    """Good and hostile records mixed in one batch."""
    records = list(GOOD)
    for position, item in enumerate(hostile):
        records.insert(position * len(records) // len(hostile), item)
    return records


def bulk_loaded(caplog, run):
    with caplog.at_level(logging.INFO, logger="data.ingest.pipeline"):
        result = run()
    assert "empty catalog: keys and indexes are built once after the load" in caplog.text
    return result


@pytest.mark.parametrize("name", ["page.json", "crawl.jsonl"])
def test_hostile_records_in_files_are_skipped_with_their_reasons(catalog, tmp_path, caplog, name):
    hostile = corpus()
    crawl = write(tmp_path / name, interleaved([h.record for h in hostile]))
    expected = sorted((h.where, h.reason) for h in hostile)
    schema = keys_and_indexes(catalog)

    summary = bulk_loaded(caplog, lambda: ingest(catalog, FileSource([crawl])))

    assert reported(summary) == expected
    assert summary.skip_reasons == Counter(reason for _, reason in expected)
    assert summary.new == len(GOOD) and stored_ids(catalog) == {r["id"] for r in GOOD}
    assert keys_and_indexes(catalog) == schema
    assert consistency_problems(catalog) == {}

    later = write(tmp_path / "later.jsonl", LATER)
    again = ingest(catalog, FileSource([crawl, later]))
    assert (again.new, again.updated, again.unchanged) == (2, 1, len(GOOD) - 1)  # model-2 is newer
    assert reported(again) == expected
    assert stored_ids(catalog) == {r["id"] for r in GOOD + LATER}


def test_hostile_records_from_the_hub_are_skipped_and_later_syncs_advance(catalog, fresh_database_url, caplog):
    hostile = corpus()
    expected = sorted((h.where, h.reason) for h in hostile)
    schema = keys_and_indexes(catalog)
    with FakeHub(GOOD, page_size=4, verbatim=[h.record for h in hostile]) as hub:
        first = bulk_loaded(caplog, lambda: sync_once(catalog, partial(HubSource, hub.url), top=0))

        assert reported(first.ingested) == expected
        assert first.ingested.new == len(GOOD) and stored_ids(catalog) == {r["id"] for r in GOOD}
        assert keys_and_indexes(catalog) == schema
        # The junk dates (far ahead, naive) moved no high-water mark: the newest good one did.
        assert read_state(catalog, HIGH_WATER_MARK) == datetime(2024, 6, 1, tzinfo=UTC)

        hub.set_models(GOOD + LATER)
        result = CliRunner().invoke(
            main,
            ["sync", "--once", "--top", "0"],
            env={
                "CATALOG_DATABASE_URL": fresh_database_url,
                "HF_ENDPOINT": hub.url,
            },
        )
    assert result.exit_code == 0, result.output
    assert f"new 2 · updated 1 · unchanged 1 · skipped {len(hostile)}" in result.output
    assert stored_ids(catalog) == {r["id"] for r in GOOD + LATER}
    assert read_state(catalog, HIGH_WATER_MARK) == datetime(2024, 9, 1, tzinfo=UTC)
    assert consistency_problems(catalog) == {}


@pytest.mark.parametrize(
    "check, disabled, record",
    [
        ("MAX_BIGINT", 2**70, good("huge-file", 3, siblings=[{"rfilename": "a", "size": 2**64 - 1}])),
        ("_encodable", lambda value: True, good("surrogate", 3, sha="\ud800")),
    ],
    ids=["file size past bigint", "lone surrogate"],
)
def test_what_gets_past_the_mapping_but_not_the_driver_is_isolated(db, monkeypatch, check, disabled, record):
    """Defence in depth: with a mapping check gone, the driver's own refusal skips one record."""
    monkeypatch.setattr(f"data.ingest.mapping.{check}", disabled)
    summary = ingest(db, [*GOOD, record], batch_size=100)
    assert summary.new == len(GOOD) and summary.skipped == 1
    assert summary.skip_examples[0][0] == record["id"]
    assert summary.skip_examples[0][1].startswith("refused by the database")


def test_dates_python_cannot_read_never_reach_the_readers(db, client):
    """Year 10000 once in UTC, and year 0: stored, they made every read of the model a 500."""
    unreadable = [
        good("year-10000", 3, createdAt="9999-12-31T23:00:00-05:00"),
        good("year-0", 4, lastModified="0001-01-01T00:30:00+01:00"),
    ]
    summary = ingest(db, [*GOOD, *unreadable])
    for path in [
        "/api/v1/models?sort=created",
        "/api/v1/models?sort=updated",
        "/api/v1/models?q=year",
        "/api/v1/authors/good",
        *(f"/api/v1/models/{r['id']}" for r in GOOD),
    ]:
        assert client.get(path).status_code == 200, path
    assert [reason.split(":")[0] for _, reason in summary.skip_examples] == [
        "createdAt is out of range",
        "lastModified is out of range",
    ]
