"""Ingestion state kept in the catalog itself (catalog_meta, whose keys and reads are data.meta)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from data.db import Database
from data.meta import SIMILAR_INDEX, SYNTHETIC_SAMPLE, set_meta


def write_state(db: Database, key: str, moment: datetime) -> None:
    with db.session() as session:
        set_meta(session, key, moment.isoformat())
        session.commit()


CATALOG_TABLES = (
    "models",
    "model_search",
    "model_cards",
    "model_tags",
    "model_siblings",
    "base_model_relations",
    "dataset_relations",
    "model_history",
)


def mark_synthetic(session, synthetic: bool) -> None:
    set_meta(session, SYNTHETIC_SAMPLE, synthetic)


def clear_catalog(session) -> None:
    """Remove every model (the demo sample, before real data replaces it)."""
    session.execute(text(f"TRUNCATE {', '.join(CATALOG_TABLES)} RESTART IDENTITY"))
    # Row ids start again: the similarity's rows would name other models (rebuilt by the next sync).
    session.execute(text("DELETE FROM catalog_meta WHERE key = :key"), {"key": SIMILAR_INDEX})
    mark_synthetic(session, False)
