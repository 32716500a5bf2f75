"""Ingestion state kept in the catalog itself (catalog_meta)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from data.db import Database
from data.ingest.writer import get_meta, set_meta

HIGH_WATER_MARK = "hub_high_water_mark"  # newest lastModified fully ingested from the Hub
LAST_SYNC_AT = "last_sync_at"  # when the last scheduled sync completed (ISO-8601, UTC)


def read_state(db: Database, key: str) -> datetime | None:
    with db.session(read_only=True) as session:
        value = get_meta(session, key)
    return datetime.fromisoformat(value) if value else None


def write_state(db: Database, key: str, moment: datetime) -> None:
    with db.session() as session:
        set_meta(session, key, moment.isoformat())
        session.commit()


SYNTHETIC_SAMPLE = "synthetic_sample"  # the catalog holds generated demo data, not the Hub's
CATALOG_TABLES = ("models", "model_search", "model_cards", "model_tags", "model_siblings",
                  "base_model_relations", "dataset_relations", "model_history")


def is_synthetic(session) -> bool:
    return bool(get_meta(session, SYNTHETIC_SAMPLE, False))


def mark_synthetic(session, synthetic: bool) -> None:
    set_meta(session, SYNTHETIC_SAMPLE, synthetic)


def clear_catalog(session) -> None:
    """Remove every model (the demo sample, before real data replaces it)."""
    session.execute(text(f"TRUNCATE {', '.join(CATALOG_TABLES)} RESTART IDENTITY"))
    mark_synthetic(session, False)
