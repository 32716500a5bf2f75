"""Engines and sessions. Callers pass a `Database` in; nothing here is global."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# A database that is down must cost a request about a second, never a hang: libpq's shortest
# connect timeout, and no long wait for a pooled connection either.
CONNECT_TIMEOUT_SECONDS = 2
POOL_TIMEOUT_SECONDS = 2
# After a failed connection the replica is left alone this long (reads go to the primary).
REPLICA_RETRY_SECONDS = 3.0


def driver_cursor(session: Session) -> psycopg.Cursor[Any]:
    """A psycopg cursor on the session's connection, for COPY (which SQLAlchemy does not speak)."""
    driver = session.connection().connection.driver_connection
    if driver is None:  # only for a connection already invalidated
        raise RuntimeError("the session's connection was invalidated")
    return driver.cursor()


def normalise_url(url: str | URL) -> URL:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    return parsed.set(drivername="postgresql+psycopg")


def make_engine(url: str | URL, *, pool_size: int = 5, statement_timeout_ms: int | None = None) -> Engine:
    """`statement_timeout_ms` bounds every statement (requests); None leaves them unbounded
    (ingestion, sync, migrations and index builds)."""
    # JIT compiles for tens of milliseconds: a loss for the short queries this app makes.
    # Custom plans always: a generic plan cannot see how rare a searched word is.
    options = "-c jit=off -c plan_cache_mode=force_custom_plan"
    if statement_timeout_ms:
        options += f" -c statement_timeout={statement_timeout_ms}"
    return create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=POOL_TIMEOUT_SECONDS,
        pool_pre_ping=True,  # a connection the server closed (restart, failover) is replaced, not used
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options},
    )


@dataclass
class ReplicaHealth:
    """Whether the replica is worth a try now: not within REPLICA_RETRY_SECONDS of a failure."""

    clock: Callable[[], float] = time.monotonic
    _failed_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def due(self) -> bool:
        failed_at = self._failed_at
        return failed_at is None or self.clock() - failed_at >= REPLICA_RETRY_SECONDS

    def failed(self, error: Exception) -> None:
        with self._lock:
            first = self._failed_at is None
            self._failed_at = self.clock()
        if first:
            log.warning(
                "read replica unreachable (%s): reading from the primary, retrying every %.0f s",
                error,
                REPLICA_RETRY_SECONDS,
            )

    def succeeded(self) -> None:
        if self._failed_at is not None:
            with self._lock:
                self._failed_at = None
            log.info("read replica reachable again: reading from it")


@dataclass(frozen=True)
class Database:
    """Where writes go and where reads go (a replica when one is configured).

    `bind` may also be a `Connection` inside a transaction: tests use that to roll back.
    """

    bind: Engine | Connection
    read_bind: Engine | Connection | None = None
    replica: ReplicaHealth = field(default_factory=ReplicaHealth, compare=False)

    @classmethod
    def from_urls(
        cls, url: str | URL, read_url: str | URL | None = None, *, statement_timeout_ms: int | None = None
    ) -> Database:
        def engine(where: str | URL) -> Engine:
            return make_engine(where, statement_timeout_ms=statement_timeout_ms)

        return cls(engine(url), engine(read_url) if read_url else None)

    @property
    def concurrent_reads(self) -> bool:
        """Whether another thread may read while a transaction is open (not on one shared connection)."""
        return isinstance(self.bind, Engine)

    @property
    def primary_conninfo(self) -> str | None:
        """The primary as a libpq URI, for a connection of its own (LISTEN); None when the
        catalog is one connection inside a transaction (a test's)."""
        if not isinstance(self.bind, Engine):
            return None
        return self.bind.url.set(drivername="postgresql").render_as_string(hide_password=False)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        with self._replica_connection() if read_only else nullcontext() as replica:
            bind = self.bind if replica is None else replica
            with Session(bind=bind, join_transaction_mode="create_savepoint") as session:
                yield session

    @contextmanager
    def _replica_connection(self) -> Iterator[Engine | Connection | None]:
        """A connection to the replica, or None (read from the primary) when there is none or it
        is down. Connecting eagerly is what lets a dead replica cost no request an error."""
        if not isinstance(self.read_bind, Engine):
            yield self.read_bind
            return
        if not self.replica.due():
            yield None
            return
        try:
            connection = self.read_bind.connect()  # pre-ping: a connection the replica dropped fails here
        except OperationalError as error:
            self.replica.failed(error.orig or error)
            yield None
            return
        self.replica.succeeded()
        with connection:
            yield connection

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[bool]:
        """Try to hold a PostgreSQL advisory lock for the block; yield whether it was got."""
        own = isinstance(self.bind, Engine)
        connection = self.bind.connect() if isinstance(self.bind, Engine) else self.bind
        try:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar_one()
            if own:
                connection.commit()  # the lock outlives the transaction; the snapshot must not
            yield got
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                if own:
                    connection.commit()
        finally:
            if own:
                connection.close()

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.session(read_only=True) as session:
            session.execute(text("SELECT 1"))

    def dispose(self) -> None:
        for bind in (self.bind, self.read_bind):
            if isinstance(bind, Engine):
                bind.dispose()
