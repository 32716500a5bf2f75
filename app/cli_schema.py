"""The schema every `catalog` command works on: an empty database is migrated first, one older
than this code is refused with the command that fixes it (never a traceback of a missing table)."""

from __future__ import annotations

import logging

import click

from app.factory import open_database, resolve_database_url
from app.settings import Settings
from data import migrate
from data.db import Database, make_engine

log = logging.getLogger("catalog")


def prepare_schema(url: str) -> None:
    """Migrate an empty database; refuse a schema other than this code's."""
    engine = make_engine(url, pool_size=1)
    try:
        current = migrate.current_revision(engine)
    finally:
        engine.dispose()
    head = migrate.head_revision()
    if current is None:
        log.info("empty database: applying migrations")
        migrate.upgrade(url)
    elif current != head:
        raise click.ClickException(
            f"the database schema is at {current} but this code needs {head}: run `catalog db upgrade` first"
        )


def open_current_database(settings: Settings) -> Database:
    """The database of `settings` (the embedded one when none is configured), on this code's schema."""
    url = resolve_database_url(settings)
    prepare_schema(url)
    return open_database(settings.model_copy(update={"database_url": url}))
