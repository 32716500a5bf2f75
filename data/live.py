"""Changes of the catalog as they happen, through PostgreSQL's LISTEN/NOTIFY.

Each ingestion batch that changed data announces it inside its own transaction: a listener is
told only once the rows are committed and readable, and a batch rolled back tells nobody. Any
process that can reach the database can listen (every app process does, for its browsers);
no other service is needed, the embedded default included.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import psycopg
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from data.arrivals import high_point
from data.meta import DATA_VERSION, get_meta, set_meta

log = logging.getLogger(__name__)

CHANNEL = "catalog_changes"
POLL_SECONDS = 5  # how often a client without the stream asks (browsers: assets/live.js)
RECONNECT_SECONDS = (1, 2, 5, 10)  # a lost listening connection is retried, slower each time


@dataclass(frozen=True)
class Change:
    """The catalog after a change: its highest row id and data version, and what the change did."""

    high_point: int
    data_version: float
    new: int = 0
    changed: int = 0

    def json(self) -> str:
        return json.dumps(asdict(self))


def announce(session: Session, *, new: int, changed: int) -> Change:
    """Mark the catalog changed (the API's cache keys follow data_version) and tell listeners
    when the session's transaction commits."""
    change = Change(high_point(session), time.time(), new, changed)
    set_meta(session, DATA_VERSION, change.data_version)
    session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": change.json()})
    return change


def current(session: Session) -> Change:
    """The catalog as it is now (what a listener starts from, and what polling reads)."""
    version = get_meta(session, DATA_VERSION, 0)
    return Change(high_point(session), float(version) if isinstance(version, int | float) else 0.0)


def parse(payload: str) -> Change | None:
    try:
        fields = json.loads(payload)
        top, version = int(fields["high_point"]), float(fields["data_version"])
        return Change(top, version, int(fields["new"]), int(fields["changed"]))
    except (ValueError, KeyError, TypeError):
        return None  # anyone who may NOTIFY could send junk on the channel


def listen(
    conninfo: str, on_change: Callable[[Change], None], stop: threading.Event, read_current: Callable[[], Change]
) -> None:
    """Call `on_change` for every change announced, until `stop` is set. The catalog as it is
    (`read_current`) is told first and after every reconnection: nothing announced while deaf
    is missed."""
    failures = 0
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                on_change(read_current())
                if failures:
                    log.info("live updates: listening again after %d failed attempts", failures)
                failures = 0
                while not stop.is_set():
                    for notice in connection.notifies(timeout=1.0):
                        if (change := parse(notice.payload)) is not None:
                            on_change(change)
        except (psycopg.Error, SQLAlchemyError) as error:
            wait = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            failures += 1
            # Once per outage: a database down for an hour must not fill the log.
            log.log(
                logging.WARNING if failures == 1 else logging.DEBUG,
                "live updates: listening failed (%s); browsers hear of no change until it is back; retrying in %d s",
                error,
                wait,
            )
            stop.wait(wait)
