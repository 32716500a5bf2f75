"""Engines and sessions. Callers pass a `Database` in; nothing here is global."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

CONNECT_TIMEOUT_SECONDS = 3


def normalise_url(url: str | URL) -> URL:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string(hide_password=True)}")
    return parsed.set(drivername="postgresql+psycopg")


def make_engine(url: str | URL, *, pool_size: int = 5) -> Engine:
    return create_engine(
        normalise_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # JIT compiles for tens of milliseconds: a loss for the short queries this app makes.
        # Custom plans always: a generic plan cannot see how rare a searched word is.
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS,
                      "options": "-c jit=off -c plan_cache_mode=force_custom_plan"},
    )


@dataclass(frozen=True)
class Database:
    """Where writes go and where reads go (a replica when one is configured).

    `bind` may also be a `Connection` inside a transaction: tests use that to roll back.
    """

    bind: Engine | Connection
    read_bind: Engine | Connection | None = None

    @classmethod
    def from_urls(cls, url: str | URL, read_url: str | URL | None = None) -> Database:
        return cls(make_engine(url), make_engine(read_url) if read_url else None)

    @property
    def concurrent_reads(self) -> bool:
        """Whether another thread may read while a transaction is open (not on one shared connection)."""
        return isinstance(self.bind, Engine)

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        bind = (self.read_bind or self.bind) if read_only else self.bind
        with Session(bind=bind, join_transaction_mode="create_savepoint") as session:
            yield session

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[bool]:
        """Try to hold a PostgreSQL advisory lock for the block; yield whether it was got."""
        own = isinstance(self.bind, Engine)
        connection = self.bind.connect() if own else self.bind
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
