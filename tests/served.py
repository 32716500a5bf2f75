"""A real `catalog serve` (gunicorn) on 127.0.0.1 over a database of its own, for tests of
what only the real server shows (bytes on the wire, gunicorn's own limits, headers)."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from tests.stack import free_port, start_app, wait_until_up


@dataclass
class Served:
    url: str
    database_url: str
    process: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None


@contextmanager
def catalog_database(server_url: str) -> Iterator[str]:
    """A fresh migrated database (a copy of the session's template), dropped afterwards."""
    from tests.conftest import TEMPLATE_DB, _admin, _database_url

    name = f"catalog_served_{uuid.uuid4().hex[:12]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    try:
        yield _database_url(server_url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextmanager
def serve(database_url: str, **settings: str) -> Iterator[Served]:
    """`catalog serve --workers 1` on `database_url`; settings are extra environment variables."""
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="catalog-served-")) / "server.log"
    environment = {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_LOG_LEVEL": "WARNING",
        "CATALOG_RATE_LIMIT": "off",
        **settings,
    }
    environment = {key: value for key, value in environment.items() if value is not None}
    process = start_app(port, environment, log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/api/v1/health", process)
        yield Served(f"http://127.0.0.1:{port}", database_url, process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
