"""The `catalog` command, run as a user runs it."""

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from app.cli import main
from data import migrate
from data.db import Database, make_engine
from tests.catalog_state import counts


def test_db_upgrade_creates_the_schema(fresh_database_url):
    migrate.downgrade(fresh_database_url, "base")
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"CATALOG_DATABASE_URL": fresh_database_url})
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_database_url, pool_size=1)
    assert "models" in inspect(engine).get_table_names()
    engine.dispose()


def test_db_check_passes_on_a_migrated_database(fresh_database_url):
    result = CliRunner().invoke(main, ["db", "check"], env={"CATALOG_DATABASE_URL": fresh_database_url})
    assert result.exit_code == 0, result.output


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {process.stdout.read().decode()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer in {seconds}s")


def test_serve_migrates_and_fills_an_empty_database_then_answers(fresh_database_url, unused_port):
    migrate.downgrade(fresh_database_url, "base")
    env = os.environ | {"CATALOG_DATABASE_URL": fresh_database_url, "HF_ENDPOINT": "http://127.0.0.1:9"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(unused_port), "--workers", "1",
         "--demo-size", "300"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{unused_port}/api/v1/health", process)
        assert b'"status":"ok"' in body
        db = Database.from_urls(fresh_database_url)
        assert counts(db)["models"] == 300  # the Hub was unreachable: a synthetic sample
        db.dispose()
    finally:
        process.terminate()
        process.wait(10)
