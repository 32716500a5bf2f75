"""Ingestion of the real Hub crawl in ../shared (760 pages of /api/models, July 2024)."""

import gzip
import json
import os
import re

import pytest

from data.db import Database
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.catalog_state import consistency_problems, counts
from tests.conftest import require_shared

PAGES = ("hf-snapshot", "raw", "stalnaker-hf-supply-chain", "model_lists")
LINEAGE_TAG = re.compile(r"^base_model:(?:(?:finetune|adapter|quantized|merge):)?([^:]+)$")


def pages(count: int | None = None):
    folder = require_shared(*PAGES)
    files = sorted(folder.glob("models_page*.json.gz"), key=lambda p: int(re.search(r"page(\d+)", p.name)[1]))
    assert len(files) == 760
    return files[:count]


def expected_counts(files) -> dict[str, int]:
    """Counted straight from the JSON, independently of the ingestion code."""
    models = tags = edges = self_loops = 0
    for path in files:
        for record in json.loads(gzip.decompress(path.read_bytes())):
            models += 1
            tags += len(set(record["tags"]))
            parents = {m[1].strip().lower() for t in record["tags"] if (m := LINEAGE_TAG.match(t))}
            own = record["id"].lower()
            edges += len(parents - {own})  # self-loops excluded
            self_loops += own in parents
    return {"models": models, "tags": tags, "relations": edges, "self_loops": self_loops}


def stored_counts(db, summary) -> dict[str, int]:
    found = counts(db)
    return {key: found[key] for key in ("models", "tags", "relations")} | {"self_loops": summary.self_loops}


def test_the_first_50_pages_exactly_and_idempotently(fresh_database_url):
    files = pages(50)
    db = Database.from_urls(fresh_database_url)
    first = ingest(db, FileSource(files))
    assert (first.new, first.skipped, first.dropped_relations) == (50_000, 0, 0)
    expected = expected_counts(files)
    assert stored_counts(db, first) == expected
    assert consistency_problems(db) == {}
    again = ingest(db, FileSource(files))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 50_000)
    assert counts(db)["relations"] == expected["relations"]
    db.dispose()


@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("CATALOG_TEST_FULL_SNAPSHOT")),
    reason="the whole 760,000-model crawl takes minutes: runs in CI or with CATALOG_TEST_FULL_SNAPSHOT=1",
)
def test_all_760_pages_exactly(fresh_database_url):
    files = pages()
    db = Database.from_urls(fresh_database_url)
    summary = ingest(db, FileSource(files))
    assert (summary.new, summary.skipped, summary.dropped_relations) == (760_000, 0, 0)
    assert stored_counts(db, summary) == expected_counts(files)
    assert consistency_problems(db) == {}
    db.dispose()
