"""`catalog jobs work`: run the jobs admins queue (a sync), once or until stopped."""

from __future__ import annotations

import logging
from functools import partial

import click

from app import webhooks
from app.cli_schema import open_current_database
from app.cli_sync import Stopper, _run
from app.settings import Settings
from data.jobs import run_next, run_queued
from data.sync import DEFAULT_TOP

log = logging.getLogger("catalog.jobs")

POLL_SECONDS = 5.0


@click.group("jobs")
def jobs_group() -> None:
    """Jobs admins queue from the dashboard or the API."""


@jobs_group.command("work")
@click.option("--once", is_flag=True, help="run the jobs queued now, then exit")
@click.option(
    "--poll", default=POLL_SECONDS, show_default=True, type=click.FloatRange(min=0.1), help="seconds between looks"
)
@click.option(
    "--top", default=DEFAULT_TOP, show_default=True, type=click.IntRange(min=0), help="as `catalog sync --top`"
)
@click.pass_obj
def work(settings: Settings, once: bool, poll: float, top: int) -> None:
    """Take queued jobs and run them; a failed job is marked failed and the worker goes on."""
    db = open_current_database(settings)
    run_sync = partial(_run, db, settings, top)
    try:
        if once:
            click.echo(f"ran {run_queued(db, run_sync)} job(s)")
            webhooks.dispatch(db, settings, queue=False)
        else:
            _work_until_stopped(db, run_sync, poll, partial(webhooks.dispatch, db, settings, queue=False))
    finally:
        db.dispose()


def _work_until_stopped(db, run_sync, poll: float, retry_webhooks) -> None:
    stop = Stopper()
    with stop.installed():
        while not stop.requested:
            try:
                with stop.interrupting():
                    ran = run_next(db, run_sync)
            except KeyboardInterrupt:
                break
            except Exception:  # the database went away, say: look again later
                log.exception("could not take a job; looking again in %.0fs", poll)
                ran = None
            retry_webhooks()  # deliveries whose backoff is over
            if ran is None:
                stop.wait(poll)
    log.info("job worker stopped")
