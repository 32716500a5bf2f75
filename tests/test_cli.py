"""The `catalog` command, run as a user runs it."""

import os
import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import inspect

from app.cli import main
from data import migrate
from data.db import Database, make_engine
from tests.catalog_state import counts
from tests.stack import wait_until_up


def test_db_upgrade_creates_the_schema(fresh_database_url):
    migrate.downgrade(fresh_database_url, "base")
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"CATALOG_DATABASE_URL": fresh_database_url})
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_database_url, pool_size=1)
    assert "models" in inspect(engine).get_table_names()
    engine.dispose()


def test_ingest_into_an_empty_database_migrates_it_first(fresh_database_url, tmp_path):
    migrate.downgrade(fresh_database_url, "base")
    records = tmp_path / "models.jsonl"
    records.write_text('{"id": "org/one", "downloads": 1}\n')
    env = {"CATALOG_DATABASE_URL": fresh_database_url}
    result = CliRunner().invoke(main, ["ingest", "file", str(records)], env=env)
    assert result.exit_code == 0, result.output
    db = Database.from_urls(fresh_database_url)
    assert counts(db)["models"] == 1
    db.dispose()


def test_a_command_on_an_older_schema_names_the_fix(fresh_database_url, tmp_path):
    migrate.downgrade(fresh_database_url, "-1")
    engine = make_engine(fresh_database_url, pool_size=1)
    previous = migrate.current_revision(engine)
    engine.dispose()
    assert previous is not None and previous != migrate.head_revision()
    env = {"CATALOG_DATABASE_URL": fresh_database_url}
    for command in (["ingest", "file", str(tmp_path)], ["sync", "--once"], ["jobs", "work", "--once"]):
        result = CliRunner().invoke(main, command, env=env)
        assert result.exit_code == 1, (command, result.output)
        assert f"the database schema is at {previous}" in result.output
        assert "run `catalog db upgrade` first" in result.output


def test_db_check_passes_on_a_migrated_database(fresh_database_url):
    result = CliRunner().invoke(main, ["db", "check"], env={"CATALOG_DATABASE_URL": fresh_database_url})
    assert result.exit_code == 0, result.output


def test_serve_migrates_and_fills_an_empty_database_then_answers(fresh_database_url, unused_port):
    migrate.downgrade(fresh_database_url, "base")
    env = os.environ | {"CATALOG_DATABASE_URL": fresh_database_url, "HF_ENDPOINT": "http://127.0.0.1:9"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(unused_port), "--workers", "1", "--demo-size", "300"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _, body = wait_until_up(
            f"http://127.0.0.1:{unused_port}/api/v1/health",
            process,
            output=lambda: "" if process.poll() is None else process.stdout.read().decode(),
        )
        assert b'"status":"ok"' in body
        db = Database.from_urls(fresh_database_url)
        assert counts(db)["models"] == 300  # the Hub was unreachable: a synthetic sample
        db.dispose()
    finally:
        process.terminate()
        process.wait(10)
