"""Jobs admins queue (a sync), taken by `catalog jobs work` and `catalog sync --every`.

A queue in the `jobs` table: workers claim the oldest queued job with FOR UPDATE SKIP LOCKED,
so several workers never take the same one. At most one sync job is queued or running: asking
again returns that one. Functions take a session and the caller commits, except `run_next`,
which commits each step of a job itself (others must see it running and finished).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data.accounts.tables import Job
from data.accounts.users import AccountError
from data.db import Database
from data.sync import SyncSummary

log = logging.getLogger("catalog.jobs")

ACTIVE = ("queued", "running")
ENQUEUE_LOCK = 0x6A6F6273  # advisory lock key ("jobs"): two admins asking at once queue one job
# A job running this long lost its worker (killed, machine gone): it no longer blocks new ones.
ABANDONED_AFTER = timedelta(hours=6)
MAX_ERROR_LENGTH = 2_000
MAX_PAGE = 100


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    status: str
    requested_by: int | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] | None
    error: str | None

    @classmethod
    def of(cls, job: Job) -> JobInfo:
        return cls(
            job.id,
            job.kind,
            job.status,
            job.requested_by,
            job.requested_at,
            job.started_at,
            job.finished_at,
            job.summary,
            job.error,
        )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def enqueue_sync(session: Session, requested_by: int | None) -> tuple[JobInfo, bool]:
    """A sync job: the one already queued or running, else a new one; (job, whether new)."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ENQUEUE_LOCK})
    _give_up_abandoned(session)
    existing = session.scalars(
        select(Job).where(Job.kind == "sync", Job.status.in_(ACTIVE)).order_by(Job.id).limit(1)
    ).first()
    if existing is not None:
        return JobInfo.of(existing), False
    job = Job(kind="sync", status="queued", requested_by=requested_by)
    session.add(job)
    session.flush()
    session.refresh(job)  # requested_at, from the server
    return JobInfo.of(job), True


def _give_up_abandoned(session: Session) -> None:
    cutoff = datetime.now(UTC) - ABANDONED_AFTER
    for job in session.scalars(select(Job).where(Job.status == "running", Job.started_at < cutoff)):
        job.status, job.finished_at = "failed", datetime.now(UTC)
        job.error = f"abandoned: no worker finished it within {ABANDONED_AFTER}"


def get_job(session: Session, job_id: int) -> JobInfo:
    job = session.get(Job, job_id)
    if job is None:
        raise AccountError("JOB_NOT_FOUND", "id", f"no job {job_id}")
    return JobInfo.of(job)


def list_jobs(session: Session, limit: int = 20, before_id: int | None = None) -> list[JobInfo]:
    """The newest jobs first; page on with `before_id` = the last id."""
    query = select(Job)
    if before_id is not None:
        query = query.where(Job.id < before_id)
    rows = session.scalars(query.order_by(Job.id.desc()).limit(min(limit, MAX_PAGE))).all()
    return [JobInfo.of(job) for job in rows]


def claim_next(session: Session) -> JobInfo | None:
    """Mark the oldest queued job running and return it (None when none is queued)."""
    job = session.scalars(
        select(Job).where(Job.status == "queued").order_by(Job.id).limit(1).with_for_update(skip_locked=True)
    ).first()
    if job is None:
        return None
    job.status, job.started_at = "running", datetime.now(UTC)
    session.flush()
    return JobInfo.of(job)


def finish(session: Session, job_id: int, *, summary: dict[str, Any] | None = None, error: str | None = None) -> None:
    job = session.get(Job, job_id)
    assert job is not None  # jobs are never deleted
    job.status = "failed" if error is not None else "succeeded"
    job.finished_at = datetime.now(UTC)
    job.summary, job.error = summary, None if error is None else error[:MAX_ERROR_LENGTH]


def sync_summary(summary: SyncSummary) -> dict[str, Any]:
    """What a finished sync job keeps of its summary (JSON)."""
    ingested = summary.ingested
    return {
        "new": ingested.new,
        "updated": ingested.updated,
        "unchanged": ingested.unchanged,
        "skipped": ingested.skipped,
        "history_rows": summary.history_rows,
        "history_pruned": summary.history_pruned,
        "trending_changed": summary.trending_changed,
        "views_refreshed": summary.views_refreshed,
        "elapsed_seconds": round(summary.elapsed, 3),
        "finished_at": summary.finished_at.isoformat(),
    }


def run_next(db: Database, run_sync: Callable[[], SyncSummary]) -> JobInfo | None:
    """Claim one queued job and run it; the finished job, or None when none was queued.

    A job that fails is marked failed with its error and the worker goes on; one interrupted
    (Ctrl-C, SIGTERM) is marked failed too, then the interruption goes on up."""
    with db.session() as session:
        job = claim_next(session)
        session.commit()
    if job is None:
        return None
    log.info("job %d (%s) started", job.id, job.kind)
    outcome: dict[str, Any]
    try:
        outcome = {"summary": sync_summary(run_sync())}
    except Exception as error:
        log.error("job %d failed: %s", job.id, error)
        outcome = {"error": f"{type(error).__name__}: {error}"}
    except BaseException:
        _finish(db, job.id, error="interrupted: the worker was stopped")
        raise
    _finish(db, job.id, **outcome)
    with db.session() as session:
        return get_job(session, job.id)


def run_queued(db: Database, run_sync: Callable[[], SyncSummary]) -> int:
    """Run queued jobs until none is left; how many ran."""
    ran = 0
    while run_next(db, run_sync) is not None:
        ran += 1
    return ran


def _finish(db: Database, job_id: int, **outcome: Any) -> None:
    with db.session() as session:
        finish(session, job_id, **outcome)
        session.commit()
