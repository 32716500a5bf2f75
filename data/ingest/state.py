"""Ingestion state kept in the catalog itself (catalog_meta)."""

from __future__ import annotations

from datetime import datetime

from data.db import Database
from data.ingest.writer import get_meta, set_meta

HIGH_WATER_MARK = "hub_high_water_mark"  # newest lastModified fully ingested from the Hub


def read_state(db: Database, key: str) -> datetime | None:
    with db.session(read_only=True) as session:
        value = get_meta(session, key)
    return datetime.fromisoformat(value) if value else None


def write_state(db: Database, key: str, moment: datetime) -> None:
    with db.session() as session:
        set_meta(session, key, moment.isoformat())
        session.commit()
