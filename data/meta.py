"""catalog_meta: small facts about the catalog itself, one JSON value per key.

Ingestion and sync write them; requests read them (the API's cache key, the demo-data label, the
last sync's time in /metrics). Both sides import this module, so the read path needs nothing of
ingestion.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.db import Database

DATA_VERSION = "data_version"  # changed whenever an ingestion batch changed data (the API's cache keys)
SYNTHETIC_SAMPLE = "synthetic_sample"  # the catalog holds generated demo data, not the Hub's
HIGH_WATER_MARK = "hub_high_water_mark"  # newest lastModified fully ingested from the Hub
LAST_SYNC_AT = "last_sync_at"  # when the last scheduled sync completed (ISO-8601, UTC)
SIMILAR_INDEX = "similar_index"  # the similarity's current version: its index, size, training (data.similar)


def get_meta(session: Session, key: str, default: Any = None) -> Any:
    row = session.execute(text("SELECT value FROM catalog_meta WHERE key = :key"), {"key": key}).first()
    return default if row is None else row[0]


def set_meta(session: Session, key: str, value: Any) -> None:
    session.execute(
        text("""INSERT INTO catalog_meta (key, value) VALUES (:key, CAST(:value AS jsonb))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()"""),
        {"key": key, "value": json.dumps(value)},
    )


def read_state(db: Database, key: str) -> datetime | None:
    """A moment kept under `key` (HIGH_WATER_MARK, LAST_SYNC_AT), or None before the first."""
    with db.session(read_only=True) as session:
        value = get_meta(session, key)
    return datetime.fromisoformat(value) if value else None


def is_synthetic(session: Session) -> bool:
    return bool(get_meta(session, SYNTHETIC_SAMPLE, False))
