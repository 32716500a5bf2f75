"""Raw API records in, a consistent catalog out: map, batch, write, summarise."""

from __future__ import annotations

import itertools
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Empty, Queue

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError

from data.db import Database
from data.ingest import bulk
from data.ingest.mapping import ModelRecord, Rejected, map_record, record_digest
from data.ingest.writer import (
    BatchResult,
    clear_staging,
    merge_batch,
    stage_batch,
    stored_digests,
    unstage,
)
from data.live import announce
from data.quality import refresh_quality, stale_scores
from data.views import refresh_views

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 5000
INGEST_LOCK = 0x6D6F64656C73  # advisory lock key: one ingest at a time per catalog
_batch_ids = itertools.count(1)
# Errors that blame the data (raised by SQLAlchemy, or by psycopg itself during COPY, where a
# number too big for its column or a lone surrogate fails in Python before PostgreSQL sees it).
REFUSED = (
    DataError,
    IntegrityError,
    ProgrammingError,
    psycopg.DataError,
    psycopg.IntegrityError,
    OverflowError,
    UnicodeEncodeError,
)
MAX_REPORTED_SKIPS = 50


@dataclass(frozen=True)
class Skip:
    """A record a source could not even parse (a bad JSONL line, an unreadable file)."""

    where: str
    reason: str


@dataclass
class IngestSummary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skip_reasons: Counter = field(default_factory=Counter)
    skip_examples: list[tuple[str, str]] = field(default_factory=list)
    relations: Counter = field(default_factory=Counter)
    self_loops: int = 0  # models that named themselves as their base
    dropped_relations: int = 0
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def seen(self) -> int:
        return self.new + self.updated + self.unchanged + self.skipped

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    @property
    def rate(self) -> float:
        return self.seen / self.elapsed if self.elapsed else 0.0

    def add(self, result: BatchResult) -> None:
        with self._lock:
            self.new += result.new
            self.updated += result.updated
            self.unchanged += result.unchanged

    def count_unchanged(self, count: int) -> None:
        with self._lock:  # the reader thread finds most unchanged records before writing
            self.unchanged += count

    def skip(self, where: str, reason: str) -> None:
        with self._lock:  # the reader thread and the writer both report skips
            self._record_skip(where, reason)

    def _record_skip(self, where: str, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason.split(":")[0]] += 1
        if len(self.skip_examples) < MAX_REPORTED_SKIPS:
            self.skip_examples.append((where, reason))
        log.warning("skipped %s: %s", where, reason)

    def count_lineage(self, record: ModelRecord) -> None:
        self.relations.update(r.relation_type for r in record.relations)
        self.self_loops += record.has_self_loop
        self.dropped_relations += record.dropped_relations


ProgressCallback = Callable[[IngestSummary], None]


class IngestBusy(RuntimeError):
    """Another ingest holds the catalog."""


def ingest(
    db: Database,
    records: Iterable[dict | Skip],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> IngestSummary:
    summary = IngestSummary()
    started = time.monotonic()
    with db.advisory_lock(INGEST_LOCK) as got:
        if not got:
            raise IngestBusy("another ingest is writing to this catalog; wait for it to finish")
        bulk_load = _prepare(db)
        batches = _staged_batches(db, records, summary, batch_size)
        if db.concurrent_reads:
            # Reading, mapping and staging (mostly Python) overlap with merging (PostgreSQL).
            batches = prefetched(batches)
        with _short_thread_switches():
            for batch_id, batch in batches:
                _merge(db, batch_id, batch, summary)
                summary.elapsed = time.monotonic() - started
                if progress:
                    progress(summary)
        _finish(db, summary, bulk_load)
    summary.elapsed = time.monotonic() - started
    if progress:
        progress(summary)
    return summary


@contextmanager
def _short_thread_switches():
    """The merging thread mostly waits on PostgreSQL: let it take the GIL back quickly."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _staged_batches(db: Database, records, summary: IngestSummary, size: int):
    """(batch id, records): staged already when another connection can do it, else (None, records)."""
    for batch in _batches(db, records, summary, size):
        if not batch:
            continue
        if not db.concurrent_reads:
            yield None, batch
            continue
        batch_id = next(_batch_ids)
        try:
            with db.session() as session:
                stage_batch(session, batch_id, batch)
                session.commit()
        except REFUSED:
            yield None, batch  # the merge stages it again and finds the record at fault
            continue
        yield batch_id, batch


def _batches(db: Database, records: Iterable[dict | Skip], summary: IngestSummary, size: int):
    """Mapped batches, leaving out records stored already exactly as they are (same digest)."""
    for raw in _raw_batches(records, summary, size):
        stored = _stored_digests(db, [key for key in raw if isinstance(key, str)])
        batch = []
        for key, item in raw.items():
            digest = record_digest(item)
            if stored.get(key) == digest:
                summary.count_unchanged(1)
                continue
            record = _map(item, summary, digest)
            if record is not None:
                summary.count_lineage(record)
                batch.append(record)
        yield batch


def _raw_batches(records: Iterable[dict | Skip], summary: IngestSummary, size: int):
    """Records keyed by lower-case id (unique regardless of case, as on the Hub); later wins."""
    batch: dict = {}
    for item in records:
        if isinstance(item, Skip):
            summary.skip(item.where, item.reason)
            continue
        key = _key(item)
        batch.pop(key, None)
        batch[key] = item
        if len(batch) >= size:
            yield batch
            batch = {}
    if batch:
        yield batch


def _key(item) -> object:
    repo_id = item.get("id", item.get("modelId")) if isinstance(item, dict) else None
    return repo_id.lower() if isinstance(repo_id, str) else object()  # mapping will say why


def _stored_digests(db: Database, keys: list[str]) -> dict[str, str]:
    if not db.concurrent_reads:  # one shared connection (tests): the upsert alone decides
        return {}
    with db.session() as session:
        return stored_digests(session, keys)


def prefetched(items: Iterator, depth: int = 2) -> Iterator:
    """Produce `items` in a background thread, at most `depth` ahead of the consumer."""
    done = object()
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put(item)
            queue.put(done)
        except BaseException as error:  # handed to the consumer, raised there
            queue.put(error)

    thread = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                queue.get_nowait()
            except Empty:
                thread.join(0.05)


def _map(item: dict, summary: IngestSummary, digest: str) -> ModelRecord | None:
    try:
        return map_record(item, digest)
    except Rejected as error:
        where = item.get("id") if isinstance(item, dict) else None
        summary.skip(str(where)[:200] if where else "record without id", str(error))
        return None


def _merge(db: Database, batch_id: int | None, records: list[ModelRecord], summary: IngestSummary) -> None:
    """Merge one batch in one transaction; a batch the database refuses is split to find the bad record."""
    try:
        with db.session() as session:
            if batch_id is None:
                batch_id = next(_batch_ids)
                stage_batch(session, batch_id, records)
            result = merge_batch(session, batch_id, len(records))
            if result.new or result.updated:
                announce(session, new=result.new, changed=result.updated)
            session.commit()
        summary.add(result)
    except REFUSED as error:
        if batch_id is not None:
            _unstage(db, batch_id)
        if len(records) == 1:
            reason = getattr(error, "orig", None) or error
            summary.skip(records[0].repo_id, f"refused by the database: {reason}")
            return
        middle = len(records) // 2
        _merge(db, None, records[:middle], summary)
        _merge(db, None, records[middle:], summary)


def _unstage(db: Database, batch_id: int) -> None:
    with db.session() as session:
        unstage(session, batch_id)
        session.commit()


def _prepare(db: Database) -> bool:
    """Rebuild indexes a cut-short run left out; drop them before filling an empty catalog.

    Returns whether the catalog was empty (a bulk load).
    """
    rebuilt = bulk.restore(db)
    with db.session() as session:
        if rebuilt:
            log.info("rebuilt %d keys and indexes a previous run left out", len(rebuilt))
        clear_staging(session)
        empty = bulk.catalog_is_empty(session)
        if empty:
            log.info("empty catalog: keys and indexes are built once after the load")
            bulk.drop_for_bulk_load(session)
        session.commit()
    return empty


def _finish(db: Database, summary: IngestSummary, bulk_load: bool) -> None:
    """Build indexes left out by a bulk load; refresh what is derived from the whole catalog.
    Quality scores first: a bulk load's search rows are then ordered with their scores in."""
    changed = bool(summary.new or summary.updated)
    with db.session() as session:
        changed = changed or stale_scores(session)  # stale: a run cut short before scoring
        if changed:
            log.info("quality scores: %d models rescored", refresh_quality(session))
        session.commit()
    if bulk_load:
        with db.session() as session:
            bulk.order_search_rows(session)
            session.commit()
    bulk.restore(db)
    with db.session() as session:
        if changed:
            refresh_views(session, concurrently=not bulk_load)
            announce(session, new=0, changed=0)  # what reads the views (lineage filters) is new too
            if summary.new + summary.updated > 10_000:
                session.execute(
                    text(
                        "ANALYZE models, model_search, model_cards, model_tags, base_model_relations, dataset_relations"
                    )
                )
        session.commit()
