"""One scheduled sync with the Hub: ingest what changed, record history, score trending.

A sync ingests the models modified since the high-water mark (as `catalog ingest hub --sort
lastModified` does) and the top models by downloads (whose counts move without a new commit),
through the one ingestion pipeline. Only after that ingestion completed does it record the
downloads and likes of the models it saw (`model_history`, a row only when they changed),
compute a trending score from 7 days of that history for models the Hub gives none, refresh
the materialized views concurrently and note `last_sync_at`; asked to (`catalog sync` does), it
then retrains the "models like this" similarity when the ingestion changed data. A sync that fails part-way leaves
the catalog serving: every ingested batch is a complete transaction, and the history, scores,
views and marks of the previous sync stay as they were.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import chain
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.db import Database, driver_cursor
from data.ingest.pipeline import DEFAULT_BATCH_SIZE, IngestSummary, ProgressCallback, ingest
from data.ingest.state import clear_catalog, write_state
from data.meta import HIGH_WATER_MARK, LAST_SYNC_AT, is_synthetic, read_state, set_meta
from data.quality import refresh_quality
from data.similar.progress import Progress
from data.views import refresh_views

if TYPE_CHECKING:
    from data.similar.rebuild import RebuildSummary

log = logging.getLogger(__name__)

SYNC_LOCK = 0x73796E63  # advisory lock key ("sync"): one sync at a time; ingestion has its own
DEFAULT_TOP = 10_000
TRENDING_WINDOW = timedelta(days=7)
HISTORY_KEPT = timedelta(days=35)  # every row; older ones thin to the last of each week
# A like is rarer than a download and says more about interest (the Hub's own trending score
# follows likes): one new like counts as this many new downloads.
LIKE_WEIGHT = 10

# (sort=, since=, limit=) -> the Hub's models in that order: a data.ingest.hub.HubSource.
SourceFactory = Callable[..., Iterable]


class SyncBusy(RuntimeError):
    """Another sync holds the catalog."""


@dataclass
class SyncSummary:
    ingested: IngestSummary
    since: datetime | None = None  # the high-water mark this sync started from
    history_rows: int = 0
    history_pruned: int = 0
    trending_changed: int = 0
    views_refreshed: bool = False
    similar: RebuildSummary | None = None  # the similarity retrained after the ingestion changed data
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))  # set again once the sync is over
    elapsed: float = 0.0


@dataclass
class SeenModels:
    """Lower-case ids of the records that went by, in whatever thread reads them."""

    keys: set[str] = field(default_factory=set)

    def watch(self, records: Iterable) -> Iterator:
        for record in records:
            repo_id = record.get("id", record.get("modelId")) if isinstance(record, dict) else None
            if isinstance(repo_id, str):
                self.keys.add(repo_id.lower())
            yield record


def sync_once(
    db: Database,
    source_factory: SourceFactory,
    *,
    top: int = DEFAULT_TOP,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    similar: bool = False,
    similar_progress: Progress | None = None,
) -> SyncSummary:
    """Run one sync; raise SyncBusy at once when another one is running. `similar`: retrain the
    similarity after an ingestion that changed data (minutes over the whole Hub, so off unless asked)."""
    started = time.monotonic()
    with db.advisory_lock(SYNC_LOCK) as got:
        if not got:
            raise SyncBusy("another sync is running on this catalog; this one did nothing")
        summary = _sync(db, source_factory, top, partial(ingest, batch_size=batch_size, progress=progress))
        if similar and (summary.ingested.new or summary.ingested.updated):
            summary.similar = _retrain_similarity(db, similar_progress)
    summary.elapsed = time.monotonic() - started
    return summary


def _sync(db: Database, source_factory: SourceFactory, top: int, run_ingest) -> SyncSummary:
    _replace_synthetic_sample(db)
    since = read_state(db, HIGH_WATER_MARK)
    changed = source_factory(sort="lastModified", since=since)
    popular = source_factory(sort="downloads", limit=top) if top else ()
    seen = SeenModels()
    ingested = run_ingest(db, seen.watch(chain(changed, popular)))
    # Only a completed ingestion gets here: nothing below is written after a failed one.
    summary = SyncSummary(ingested, since=since)
    _record_what_was_seen(db, summary, seen, changed)
    summary.views_refreshed = _refresh_views_unless_fresh(db, ingested)
    summary.finished_at = datetime.now(UTC)
    write_state(db, LAST_SYNC_AT, summary.finished_at)
    return summary


def _retrain_similarity(db: Database, progress: Progress | None) -> RebuildSummary | None:
    """A failed retraining keeps the previous similarity serving and fails nothing of the sync."""
    from data.similar.rebuild import SimilarBusy, rebuild  # scikit-learn is loaded only to train

    try:
        return rebuild(db, progress=progress)
    except SimilarBusy as busy:
        log.info("%s", busy)
    except Exception:
        log.exception("similarity not retrained; the previous one serves")
    return None


def _record_what_was_seen(db: Database, summary: SyncSummary, seen: SeenModels, changed) -> None:
    """History, scores and the high-water mark in one transaction: all of them or none."""
    observed_at = datetime.now(UTC)
    started = time.monotonic()
    with db.session() as session:
        summary.history_rows = record_history(session, seen.keys, observed_at)
        summary.history_pruned = prune_history(session, observed_at - HISTORY_KEPT)
        summary.trending_changed = compute_trending(session, observed_at)
        _move_high_water_mark(session, changed, summary.ingested)
        session.commit()
    log.info(
        "history: %d rows, trending: %d scores changed (%.1fs)",
        summary.history_rows,
        summary.trending_changed,
        time.monotonic() - started,
    )


def _replace_synthetic_sample(db: Database) -> None:
    """The Hub's models replace a generated demo sample, as `catalog ingest hub` does."""
    with db.session() as session:
        if is_synthetic(session):
            log.info("replacing the synthetic demo data with the Hub's models")
            clear_catalog(session)
        session.commit()


def _move_high_water_mark(session: Session, changed, ingested: IngestSummary) -> None:
    newest = getattr(changed, "newest_modified", None)
    if newest and ingested.stored:
        set_meta(session, HIGH_WATER_MARK, newest.isoformat())


def _refresh_views_unless_fresh(db: Database, ingested: IngestSummary) -> bool:
    """Ingestion refreshes the views after any change; otherwise a failed earlier sync may have
    merged batches it never refreshed for, so refresh here (concurrently: readers go on)."""
    if ingested.new or ingested.updated:
        return False
    with db.session() as session:
        refresh_quality(session)
        refresh_views(session, concurrently=True)
        session.commit()
    return True


HISTORY_SQL = """
INSERT INTO model_history (model_id, observed_at, downloads, likes)
SELECT m.id, :observed_at, m.downloads, m.likes
FROM sync_seen s JOIN models m ON lower(m.repo_id) = s.key
LEFT JOIN LATERAL (
    SELECT h.downloads, h.likes FROM model_history h
    WHERE h.model_id = m.id ORDER BY h.observed_at DESC LIMIT 1
) last ON true
WHERE last.downloads IS DISTINCT FROM m.downloads OR last.likes IS DISTINCT FROM m.likes
"""


def record_history(session: Session, keys: set[str], observed_at: datetime) -> int:
    """A history row for each seen model whose downloads or likes changed since its last row."""
    _stage_seen(session, keys)
    return _rows_changed(session, HISTORY_SQL, {"observed_at": observed_at})


def _rows_changed(session: Session, sql: str, parameters: dict) -> int:
    """Run an INSERT, UPDATE or DELETE in the session's transaction; the number of rows it changed."""
    return session.connection().execute(text(sql), parameters).rowcount


def _stage_seen(session: Session, keys: set[str]) -> None:
    """COPY the seen ids into a temporary table: one join instead of a query per model."""
    session.execute(text("CREATE TEMP TABLE IF NOT EXISTS sync_seen (key text)"))
    session.execute(text("TRUNCATE sync_seen"))
    cursor = driver_cursor(session)
    with cursor.copy("COPY sync_seen (key) FROM STDIN") as copy:
        for key in keys:
            copy.write_row((key,))
    session.execute(text("ANALYZE sync_seen"))  # so that the join looks ids up by index


# A row older than the boundary goes when a newer one of the same model and UTC week, also older
# than it, says the counts: a model keeps a row a week of its old history (the chart of its
# downloads over time) and its last row before the boundary (the baseline of later windows).
PRUNE_SQL = """
DELETE FROM model_history h
WHERE h.observed_at < :keep_from
  AND EXISTS (SELECT 1 FROM model_history newer
              WHERE newer.model_id = h.model_id
                AND newer.observed_at > h.observed_at AND newer.observed_at < :keep_from
                AND date_trunc('week', newer.observed_at, 'UTC') = date_trunc('week', h.observed_at, 'UTC'))
"""


def prune_history(session: Session, keep_from: datetime) -> int:
    """Bound the history's growth: before `keep_from`, each model keeps its last row of a week."""
    return _rows_changed(session, PRUNE_SQL, {"keep_from": keep_from})


# Growth over the window: the latest row against the row in effect when the window opened
# (the latest at or before its start), or the first row for a model first seen within it.
# Only models with a row in the window can have grown; scores that lapse are cleared.
TRENDING_SQL = """
WITH recent AS (
    SELECT DISTINCT model_id FROM model_history WHERE observed_at > :window_start
), growth AS (
    SELECT r.model_id AS id,
           (latest.downloads - coalesce(opening.downloads, first.downloads))
           + :like_weight * (latest.likes - coalesce(opening.likes, first.likes)) AS score
    FROM recent r
    CROSS JOIN LATERAL (SELECT downloads, likes FROM model_history h
                        WHERE h.model_id = r.model_id ORDER BY observed_at DESC LIMIT 1) latest
    LEFT JOIN LATERAL (SELECT downloads, likes FROM model_history h
                       WHERE h.model_id = r.model_id AND observed_at <= :window_start
                       ORDER BY observed_at DESC LIMIT 1) opening ON true
    CROSS JOIN LATERAL (SELECT downloads, likes FROM model_history h
                        WHERE h.model_id = r.model_id ORDER BY observed_at LIMIT 1) first
), scored AS (  -- a full join is hashed whatever the estimates (a lapsed score has no growth)
    SELECT coalesce(grown.id, scored_before.id) AS id, grown.score
    FROM (SELECT id, score FROM growth WHERE score > 0) grown
    FULL JOIN (SELECT id FROM models WHERE computed_trending IS NOT NULL) scored_before
        ON scored_before.id = grown.id
)
UPDATE models m SET computed_trending = CASE WHEN m.trending_score IS NULL THEN s.score END
FROM scored s
WHERE m.id = s.id
  AND m.computed_trending IS DISTINCT FROM (CASE WHEN m.trending_score IS NULL THEN s.score END)
"""


def compute_trending(session: Session, now: datetime) -> int:
    """Set models.computed_trending for models without a Hub score; return how many changed."""
    parameters = {"window_start": now - TRENDING_WINDOW, "like_weight": LIKE_WEIGHT}
    return _rows_changed(session, TRENDING_SQL, parameters)
