"""Test fixtures: a real PostgreSQL, migrated once per session; each test rolled back.

`CATALOG_TEST_DATABASE_URL` names a server to use (its database is used only to create
the test databases); without it an embedded PostgreSQL (pgserver) is started.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from werkzeug.serving import make_server

from app.factory import create_app
from app.settings import Settings
from data import migrate
from data.db import Database, make_engine, normalise_url
from data.ingest.pipeline import ingest
from tests.family import family_records
from tests.stack import TEST_SECRET_KEY

# Module-scoped fixtures over the real Hub snapshot, built only for the modules that ask for them.
pytest_plugins = ["tests.real_catalog"]

os.environ.setdefault("CATALOG_SECRET_KEY", TEST_SECRET_KEY)
SHARED = Path(__file__).resolve().parents[2] / "shared"
TEMPLATE_DB = f"catalog_template_{os.getpid()}"


def pytest_setup_options():
    """Options for dash[testing]'s Chromium: root needs --no-sandbox; no network beyond us; reduced
    motion, or Bootstrap's smooth scrolling animates the scroll chromedriver makes before a click
    and the click lands where an element below the fold was ("element click intercepted")."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    for flag in (
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        "--force-prefers-reduced-motion",
    ):
        options.add_argument(flag)
    if shutil.which("chromium"):
        options.binary_location = shutil.which("chromium")
    return options


@pytest.fixture(scope="session")
def server_url(tmp_path_factory) -> Iterator[str]:
    configured = os.environ.get("CATALOG_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    import tempfile

    import pgserver

    # Not under pytest's 0700 temporary root: run as root, pgserver's own user must reach it.
    pgdata = Path(tempfile.mkdtemp(prefix="catalog-test-pg-")) / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    yield server.get_uri("postgres")
    shutil.rmtree(pgdata.parent, ignore_errors=True)


def _admin(server_url: str):
    return create_engine(normalise_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")


def _database_url(server_url: str, name: str) -> str:
    return normalise_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def template_url(server_url) -> Iterator[str]:
    """A migrated database that fresh test databases are copied from."""
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    url = _database_url(server_url, TEMPLATE_DB)
    migrate.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))


@pytest.fixture
def make_database(server_url, template_url) -> Iterator:
    """Create fresh migrated databases (for tests that need several processes)."""
    created = []
    admin = _admin(server_url)

    def make() -> str:
        name = f"catalog_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
        created.append(name)
        return _database_url(server_url, name)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def fresh_database_url(make_database) -> str:
    return make_database()


@pytest.fixture(scope="session")
def shared_url(server_url, template_url) -> Iterator[str]:
    """One migrated database for the session; tests on it roll back."""
    name = f"catalog_shared_{os.getpid()}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    yield _database_url(server_url, name)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def shared_engine(shared_url):
    engine = make_engine(shared_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture
def db(shared_engine) -> Iterator[Database]:
    """A Database whose every session joins one transaction, rolled back after the test."""
    with shared_engine.connect() as connection:
        transaction = connection.begin()
        yield Database(bind=connection)
        transaction.rollback()


@pytest.fixture
def family_db(db) -> Database:
    """`db` with the lineage family of tests/fixtures/family.json ingested."""
    ingest(db, family_records())
    return db


@pytest.fixture
def settings(shared_url) -> Settings:
    return Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url)


@pytest.fixture
def app(settings, db):
    return create_app(settings, database=db)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server():
    """Serve a WSGI app on 127.0.0.1 in a thread; yields a function app -> base URL."""
    servers = []

    def serve(wsgi_app) -> str:
        server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()


@contextmanager
def module_catalog(server_url: str, prefix: str) -> Iterator[Database]:
    """A migrated database of its own for a module's read-only tests, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    db = Database.from_urls(_database_url(server_url, name))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def client_over(db: Database, shared_url: str):
    """A test client of the app reading `db`, unlimited (modules send many requests)."""
    return create_app(
        Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), database=db
    ).test_client()


def _chromium_missing() -> str | None:
    for program in ("chromium", "chromedriver"):
        if not shutil.which(program):
            return f"{program} is not installed (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser(request):
    """dash[testing]'s Selenium browser in headless Chromium; skipped only outside CI."""
    reason = _chromium_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return request.getfixturevalue("dash_br")


def require_shared(*parts: str) -> Path:
    """The path of a file in ../shared, or skip (fail in CI) when the snapshot is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must have ../shared beside the clone")
        pytest.skip(f"{path} is absent: these tests read the real Hub snapshot in ../shared")
    return path


@pytest.fixture
def no_waiting(monkeypatch) -> list[float]:
    """huggingface_hub's backoff waits (it retries 5xx five times), recorded instead of slept."""
    import huggingface_hub.utils._http as http

    waits: list[float] = []
    monkeypatch.setattr(http.time, "sleep", waits.append)
    return waits


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
