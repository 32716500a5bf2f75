"""A run killed at any point (kill -9) leaves a consistent catalog; the next run completes it."""

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import text

from data.db import Database
from tests.catalog_state import catalog_state, consistency_problems

COUNT, SEED = 30_000, 3


def ingest_command(url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "ingest", "synthetic", str(COUNT), "--seed", str(SEED)],
        env=os.environ | {"CATALOG_DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stored(db: Database) -> int:
    with db.session() as session:
        return session.execute(text("SELECT count(*) FROM models")).scalar_one()


def test_a_killed_run_then_a_rerun_equals_an_uninterrupted_run(make_database):
    interrupted, clean = make_database(), make_database()
    db = Database.from_urls(interrupted)
    process = ingest_command(interrupted)
    deadline = time.monotonic() + 120
    while stored(db) < COUNT // 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 0 < stored(db) < COUNT
    assert consistency_problems(db) == {}  # consistent after every committed batch

    rerun = ingest_command(interrupted)
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    uninterrupted = ingest_command(clean)
    assert uninterrupted.wait(timeout=300) == 0
    reference = Database.from_urls(clean)
    assert catalog_state(db) == catalog_state(reference)
    assert consistency_problems(db) == {}
    db.dispose(), reference.dispose()
