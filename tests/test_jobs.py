"""Jobs admins queue: a worker runs a sync against the fake Hub; failures are recorded and the
worker goes on; workers never share a job; `catalog jobs work` and `catalog sync --every` take them."""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.cli import main
from app.cli_sync import _run
from app.settings import Settings
from data.accounts.tables import Job
from data.db import Database
from data.jobs import ABANDONED_AFTER, claim_next, enqueue_sync, get_job, run_next, run_queued
from tests.catalog_state import model
from tests.hubserver import FakeHub
from tests.stack import TEST_SECRET_KEY
from tests.test_sync import catalog_command, hub_models


@pytest.fixture
def hub():
    with FakeHub(hub_models(), page_size=2) as fake:
        yield fake


def hub_sync(db: Database, hub: FakeHub):
    """What the workers run: `catalog sync`'s own run, on the fake Hub."""
    settings = Settings(secret_key=TEST_SECRET_KEY, hf_endpoint=hub.url)
    return partial(_run, db, settings, 100)


def queue(db: Database, count: int = 1) -> list[int]:
    with db.session() as session:
        jobs = [Job(kind="sync") for _ in range(count)]
        session.add_all(jobs)
        session.commit()
        return [job.id for job in jobs]


def test_a_queued_sync_runs_against_the_hub_and_succeeds_with_its_summary(db, hub):
    with db.session() as session:
        job, created = enqueue_sync(session, None)
        session.commit()
    assert created and job.status == "queued"
    finished = run_next(db, hub_sync(db, hub))
    assert finished is not None and finished.id == job.id and finished.status == "succeeded"
    assert finished.started_at <= finished.finished_at and finished.error is None
    assert {key: finished.summary[key] for key in ("new", "updated", "history_rows")} == {
        "new": 5,
        "updated": 0,
        "history_rows": 5,
    }
    assert model(db, "acme/llm-7b-chat")["downloads"] == 50_000
    assert run_next(db, hub_sync(db, hub)) is None  # nothing left


def test_a_failing_hub_fails_the_job_with_its_error_and_the_worker_goes_on(db, hub, no_waiting):
    failing, passing = queue(db, 2)
    hub.fail_next(500, times=100)  # the first job's every attempt
    run = hub_sync(db, hub)
    assert run_next(db, run).status == "failed"
    with FakeHub(hub_models()) as healthy:
        assert run_queued(db, hub_sync(db, healthy)) == 1
    with db.session() as session:
        first, second = get_job(session, failing), get_job(session, passing)
    assert first.status == "failed" and first.error.startswith("HubError: ") and "refused" in first.error
    assert first.summary is None and first.finished_at is not None
    assert second.status == "succeeded" and second.summary["new"] == 5


def test_asking_for_a_sync_while_one_is_queued_or_running_returns_that_one(db):
    with db.session() as session:
        first, _ = enqueue_sync(session, None)
        claim_next(session)
        again, created = enqueue_sync(session, None)
        assert (again.id, again.status, created) == (first.id, "running", False)


def test_a_job_running_for_hours_is_given_up_and_no_longer_blocks(db):
    with db.session() as session:
        stale = Job(kind="sync", status="running", started_at=datetime.now(UTC) - ABANDONED_AFTER - timedelta(1))
        session.add(stale)
        session.flush()
        job, created = enqueue_sync(session, None)
        assert created and job.id != stale.id
        given_up = get_job(session, stale.id)
    assert given_up.status == "failed" and given_up.error.startswith("abandoned")


def test_two_workers_never_take_the_same_job(fresh_database_url):
    db = Database.from_urls(fresh_database_url)
    try:
        ids = queue(db, 2)
        with db.session() as one, db.session() as two, db.session() as three:
            first, second = claim_next(one), claim_next(two)  # neither committed yet: rows locked
            assert (first.id, second.id) == (ids[0], ids[1])
            assert claim_next(three) is None
            one.commit()
            two.commit()

        queued = queue(db, 40)
        taken: list[int] = []

        def worker():
            while True:
                with db.session() as session:
                    job = claim_next(session)
                    session.commit()
                if job is None:
                    return
                taken.append(job.id)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(taken) == queued  # each once
    finally:
        db.dispose()


def test_catalog_jobs_work_once_runs_what_is_queued(fresh_database_url, hub):
    db = Database.from_urls(fresh_database_url)
    try:
        (job_id,) = queue(db)
        result = CliRunner().invoke(
            main,
            ["jobs", "work", "--once", "--top", "100"],
            env={"CATALOG_DATABASE_URL": fresh_database_url, "HF_ENDPOINT": hub.url},
        )
        assert result.exit_code == 0, result.output
        assert "ran 1 job(s)" in result.output
        with db.session() as session:
            assert get_job(session, job_id).status == "succeeded"
    finally:
        db.dispose()


def test_the_sync_loop_takes_a_queued_job_while_it_waits(fresh_database_url, hub):
    process = catalog_command(fresh_database_url, hub, "--every", "1h")
    db = Database.from_urls(fresh_database_url)
    try:
        for line in process.stdout:
            if "next sync in" in line:  # the scheduled run is done: now it waits an hour
                break
        (job_id,) = queue(db)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with db.session() as session:
                status = session.scalar(select(Job.status).where(Job.id == job_id))
            if status in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        assert status == "succeeded"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output
        assert f"job {job_id} (sync) started" in output
    finally:
        process.kill()
        db.dispose()
