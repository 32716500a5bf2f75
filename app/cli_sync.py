"""`catalog sync`: keep the catalog current with the Hub, once or on a schedule."""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

import click

from app import webhooks
from app.cli_schema import open_current_database
from app.progress import IngestProgress, StageProgress, summary_text
from app.settings import Settings
from data.db import Database
from data.ingest.hub import HubError, HubSource
from data.ingest.pipeline import IngestBusy
from data.jobs import run_queued
from data.sync import DEFAULT_TOP, SyncBusy, SyncSummary, sync_once

log = logging.getLogger("catalog.sync")

EXIT_BUSY = 75  # EX_TEMPFAIL: nothing failed, another sync is running; try again later
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DURATION_PART = re.compile(r"(\d+)([smhd])")
EXPECTED_FAILURES = (HubError, IngestBusy)  # reported in a line, without a traceback
JOB_POLL_SECONDS = 5.0  # how often the wait between syncs looks for a sync an admin queued


class Duration(click.ParamType):
    """30m, 1h, 1d, 1h30m."""

    name = "duration"

    def convert(self, value, param, ctx) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        parts = DURATION_PART.findall(text)
        if not parts or "".join(number + unit for number, unit in parts) != text:
            self.fail(f"{value!r} is not a duration such as 30m, 1h or 1d", param, ctx)
        seconds = sum(int(number) * UNITS[unit] for number, unit in parts)
        if seconds == 0:
            self.fail("the interval must be longer than zero", param, ctx)
        return timedelta(seconds=seconds)


@click.command("sync")
@click.option("--every", type=Duration(), help="sync on this schedule (30m, 1h, 1d) until stopped")
@click.option("--once", is_flag=True, help="sync once and exit (the default without --every)")
@click.option(
    "--top",
    default=DEFAULT_TOP,
    show_default=True,
    type=click.IntRange(min=0),
    help="also refresh the N most downloaded models (0: only what was modified)",
)
@click.option(
    "--similar/--no-similar",
    default=True,
    show_default=True,
    help="retrain the models-like-this similarity after an ingestion that changed data",
)
@click.pass_obj
def sync(settings: Settings, every: timedelta | None, once: bool, top: int, similar: bool) -> None:
    """Ingest what changed on the Hub, record downloads and likes, score trending, refresh views.

    Exits 75 when another sync is running (nothing was done).
    """
    if every and once:
        raise click.UsageError("--every and --once exclude each other")
    db = open_current_database(settings)
    try:
        run = partial(_run, db, settings, top, similar)
        if every is None:
            _run_once(run)
        else:
            _run_every(run, every, partial(run_queued, db, run))
    finally:
        db.dispose()


def _run(db: Database, settings: Settings, top: int, similar: bool = True) -> SyncSummary:
    log.info("sync: reading %s (modified since the last sync, and the top %d by downloads)", settings.hf_endpoint, top)
    sources = partial(HubSource, settings.hf_endpoint, settings.hf_token)
    progress, similar_progress = IngestProgress(), StageProgress()
    try:
        summary = sync_once(db, sources, top=top, progress=progress, similar=similar, similar_progress=similar_progress)
    finally:
        progress.close()
        similar_progress.close()
    log.info("sync done in %.1fs: %s", summary.elapsed, _outcome(summary))
    webhooks.dispatch(db, settings)
    return summary


def _outcome(s: SyncSummary) -> str:
    i = s.ingested
    return (
        f"new {i.new:,} · updated {i.updated:,} · unchanged {i.unchanged:,} · "
        f"skipped {i.skipped:,}; history rows {s.history_rows:,}; "
        f"trending scores changed {s.trending_changed:,}"
    )


def _run_once(run: Callable[[], SyncSummary]) -> None:
    try:
        summary = run()
    except SyncBusy as busy:
        click.echo(str(busy), err=True)
        raise SystemExit(EXIT_BUSY) from None
    except EXPECTED_FAILURES as error:
        raise click.ClickException(f"sync failed; the catalog serves what it had: {error}") from None
    except Exception:
        log.exception("sync failed; the catalog serves what it had")
        raise SystemExit(1) from None
    click.echo(summary_text(summary.ingested))
    click.echo(f"  {_outcome(summary)}; last sync at {summary.finished_at.isoformat()}")


def _run_every(run: Callable[[], SyncSummary], every: timedelta, take_jobs: Callable[[], object]) -> None:
    """Sync at every due time until SIGTERM or SIGINT; a failed sync waits for the next one.
    Between syncs, run the syncs admins queued (data.jobs)."""
    stop = Stopper()
    due = time.monotonic()
    with stop.installed():
        while not stop.requested:
            try:
                with stop.interrupting():
                    run()
            except KeyboardInterrupt:
                log.info("sync interrupted; what it completed stays, the rest is fetched next time")
                break
            except SyncBusy as busy:
                log.warning("%s", busy)
            except EXPECTED_FAILURES as error:
                log.error("sync failed (next try at the next due time): %s", error)
            except Exception:
                log.exception("sync failed (next try at the next due time)")
            due = _next_due(due, every.total_seconds())
            log.info("next sync in %.0fs", due - time.monotonic())
            if not _wait_taking_jobs(stop, due, take_jobs):
                break
    log.info("sync loop stopped")


def _wait_taking_jobs(stop: Stopper, due: float, take_jobs: Callable[[], object]) -> bool:
    """Wait until `due`, running queued jobs every few seconds; False when interrupted."""
    while not stop.requested and due > time.monotonic():
        try:
            with stop.interrupting():
                take_jobs()
        except KeyboardInterrupt:
            return False
        except Exception:  # the database went away, say: the next look may work
            log.exception("could not take queued jobs")
        stop.wait(min(JOB_POLL_SECONDS, due - time.monotonic()))
    return True


def _next_due(previous: float, interval: float) -> float:
    """The first due time after now on the schedule: an overrunning sync skips missed slots."""
    due = previous + interval
    now = time.monotonic()
    if due <= now:
        due += (now - due) // interval * interval + interval
    return due


class Stopper:
    """SIGTERM/SIGINT end the wait between syncs at once; during a sync they interrupt it."""

    def __init__(self):
        self._event = threading.Event()
        self._running = False

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        self._event.wait(max(0.0, seconds))

    @contextmanager
    def installed(self):
        previous = {number: signal.signal(number, self._handle) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    @contextmanager
    def interrupting(self):
        self._running = True
        try:
            yield
        finally:
            self._running = False

    def _handle(self, signum, frame) -> None:
        log.info("%s received: stopping", signal.Signals(signum).name)
        self._event.set()
        if self._running:
            # As Ctrl-C does: psycopg cancels the running statement, the transaction rolls back.
            raise KeyboardInterrupt
