"""Writes batches of mapped records into PostgreSQL, one transaction per batch.

Rows go through COPY into staging tables (data/ingest/staging.py), then into the catalog by
set-based SQL:
an upsert that skips unchanged records (same source digest), replacement of the tags, files,
lineage and datasets of changed models, and upkeep of the derived columns (`base_model_ref`,
`derivative_count`, variant heads, the quality score's record components) so that the catalog
is consistent after every committed batch, whatever order models arrive in.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg.types.json import Jsonb
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.db import driver_cursor
from data.ingest import staging
from data.ingest.mapping import ModelRecord
from data.ingest.variants import VARIANT_HEADS_SQL
from data.quality import score_models

MODEL_COLUMNS = tuple(name for name, _ in staging.MODEL_COLUMNS)
# Fields a list record lacks but a detail record has: keep the stored value when absent.
KEEP_WHEN_ABSENT = {"card_data", "sha", "used_storage", "downloads_all_time", "trending_score", "last_modified"}
REPLACED_COLUMNS = [c for c in MODEL_COLUMNS if c != "repo_id"]
# A declared parameter count (detail records) outlives a record that can only infer one (lists).
KEEP_DECLARED = {"params", "params_source"}
# Per transaction, on the merging connection only.
TEMP_TABLES = {
    "merge_changed": "id integer, repo_id text, inserted boolean",
    "merge_parents": "id integer",
    "merge_variants": "id integer",
}


@dataclass
class BatchResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def clear_staging(session: Session) -> None:
    """Drop what a run cut short left staged (only one ingest runs at a time)."""
    session.execute(text(f"TRUNCATE {', '.join(staging.TABLES)}"))


def stage_batch(session: Session, batch_id: int, records: list[ModelRecord]) -> None:
    """COPY `records` (unique repo ids) into the staging tables under `batch_id`."""
    cursor = driver_cursor(session)
    _copy(cursor, "stage_models", batch_id, staging.STAGE_MODEL_COLUMNS, (_model_row(r) for r in records))
    _copy(
        cursor,
        "stage_siblings",
        batch_id,
        staging.SIBLING_COLUMNS,
        ((r.repo_id, *sibling) for r in records for sibling in r.siblings or ()),
    )
    _copy(
        cursor,
        "stage_relations",
        batch_id,
        staging.RELATION_COLUMNS,
        ((r.repo_id, e.base_model_id, e.relation_type, e.declared, e.source) for r in records for e in r.relations),
    )
    _copy(
        cursor,
        "stage_datasets",
        batch_id,
        staging.DATASET_COLUMNS,
        ((r.repo_id, *dataset) for r in records for dataset in r.datasets),
    )
    # Fresh statistics keep the merge on index lookups instead of full scans.
    _analyze(session, "stage_models (batch_id, repo_id)", "stage_relations (batch_id, base_model_id)")


def merge_batch(session: Session, batch_id: int, size: int) -> BatchResult:
    """Merge staged batch `batch_id` (of `size` records) into the catalog, then unstage it."""
    _prepare_temp_tables(session)
    new, updated = _upsert_models(session, batch_id)
    if new or updated:
        _analyze(session, "merge_changed (id, repo_id, inserted)")
        if updated:
            _remove_replaced_children(session, batch_id)
        _insert_children(session, batch_id)
        _upsert_cards(session, batch_id)
        _update_lineage_columns(session)
        _update_variant_heads(session)
        score_models(session)  # the quality score's record components, from the rows as stored now
    unstage(session, batch_id)
    return BatchResult(new=new, updated=updated, unchanged=size - new - updated)


def unstage(session: Session, batch_id: int) -> None:
    for table in staging.TABLES:
        session.execute(text(f"DELETE FROM {table} WHERE batch_id = :batch"), {"batch": batch_id})


def _analyze(session: Session, *tables: str) -> None:
    session.execute(text(f"ANALYZE {', '.join(tables)}"))


def _prepare_temp_tables(session: Session) -> None:
    for name, columns in TEMP_TABLES.items():
        session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})"))
    session.execute(text(f"TRUNCATE {', '.join(TEMP_TABLES)}"))


def _model_row(record: ModelRecord) -> tuple:
    values = {column: getattr(record, column, None) for column in MODEL_COLUMNS}
    values["card_data"] = Jsonb(record.card_data) if record.card_data is not None else None
    values["has_base_model"] = bool(record.relations)
    tag_set, tag_kinds = zip(*record.tag_types, strict=True) if record.tag_types else ((), ())
    return (*values.values(), record.card, record.siblings is not None, list(tag_set), list(tag_kinds))


def _copy(cursor, table: str, batch_id: int, columns: tuple[tuple[str, str], ...], rows) -> None:
    """Binary COPY with the types given up front: several times faster than guessing per value."""
    names = ", ".join(name for name, _ in columns)
    with cursor.copy(f"COPY {table} (batch_id, {names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["integer", *(kind for _, kind in columns)])
        for row in rows:
            copy.write_row((batch_id, *row))


def _assignment(column: str) -> str:
    if column in KEEP_DECLARED:
        return (
            f"{column} = CASE WHEN m.params_source = 'declared' AND excluded.params_source IS DISTINCT FROM "
            f"'declared' THEN m.{column} ELSE excluded.{column} END"
        )
    if column in KEEP_WHEN_ABSENT:
        return f"{column} = coalesce(excluded.{column}, m.{column})"
    return f"{column} = excluded.{column}"


UPSERT_SQL = f"""
WITH upserted AS (
    INSERT INTO models AS m ({", ".join(MODEL_COLUMNS)})
    SELECT {", ".join(MODEL_COLUMNS)} FROM stage_models WHERE batch_id = :batch
    ON CONFLICT (lower(repo_id)) DO UPDATE SET
        {", ".join(_assignment(c) for c in REPLACED_COLUMNS)}, ingested_at = now()
    WHERE m.record_hash IS DISTINCT FROM excluded.record_hash
      AND (excluded.last_modified IS NULL OR m.last_modified IS NULL
           OR excluded.last_modified >= m.last_modified)
    RETURNING m.id, m.repo_id, (xmax = 0) AS inserted
)
INSERT INTO merge_changed SELECT id, repo_id, inserted FROM upserted
"""


def _upsert_models(session: Session, batch_id: int) -> tuple[int, int]:
    session.execute(text(UPSERT_SQL), {"batch": batch_id})
    new, updated = session.execute(
        text("SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merge_changed")
    ).one()
    return new, updated


def _remove_replaced_children(session: Session, batch_id: int) -> None:
    """Tags, files, lineage and datasets of updated models make way for the staged ones."""
    # Parents that may lose a derivative: their counts are recomputed below.
    session.execute(
        text("""
        INSERT INTO merge_parents
        SELECT r.base_model_ref FROM base_model_relations r JOIN merge_changed c ON r.model_id = c.id
        WHERE NOT c.inserted AND r.base_model_ref IS NOT NULL""")
    )
    for table in ("model_tags", "base_model_relations", "dataset_relations"):
        session.execute(text(f"DELETE FROM {table} t USING merge_changed c WHERE t.model_id = c.id AND NOT c.inserted"))
    session.execute(
        text("""
        DELETE FROM model_siblings t USING merge_changed c, stage_models s
        WHERE t.model_id = c.id AND NOT c.inserted AND s.repo_id = c.repo_id AND s.has_siblings
          AND s.batch_id = :batch"""),
        {"batch": batch_id},
    )


def _insert_children(session: Session, batch_id: int) -> None:
    session.execute(
        text("""
        INSERT INTO model_tags (model_id, tag, tag_type)
        SELECT c.id, t.tag, t.tag_type
        FROM stage_models s JOIN merge_changed c USING (repo_id),
             unnest(s.tag_set, s.tag_kinds) AS t (tag, tag_type)
        WHERE s.batch_id = :batch"""),
        {"batch": batch_id},
    )
    session.execute(
        text("""
        INSERT INTO model_siblings (model_id, rfilename, size, blob_id)
        SELECT c.id, s.rfilename, s.size, s.blob_id FROM stage_siblings s JOIN merge_changed c USING (repo_id)
        WHERE s.batch_id = :batch"""),
        {"batch": batch_id},
    )
    session.execute(
        text("""
        INSERT INTO dataset_relations (model_id, dataset_id, source)
        SELECT c.id, s.dataset_id, s.source FROM stage_datasets s JOIN merge_changed c USING (repo_id)
        WHERE s.batch_id = :batch"""),
        {"batch": batch_id},
    )
    session.execute(
        text("""
        INSERT INTO base_model_relations
            (model_id, base_model_id, base_model_ref, relation_type, declared, source)
        SELECT c.id, s.base_model_id, p.id, s.relation_type, s.declared, s.source
        FROM stage_relations s JOIN merge_changed c USING (repo_id)
        LEFT JOIN models p ON lower(p.repo_id) = lower(s.base_model_id)
        WHERE s.batch_id = :batch"""),
        {"batch": batch_id},
    )


def _upsert_cards(session: Session, batch_id: int) -> None:
    """Cards of changed models; a record without one keeps the stored card (list pages have none)."""
    session.execute(
        text("""
        INSERT INTO model_cards (id, card)
        SELECT c.id, s.card FROM stage_models s JOIN merge_changed c USING (repo_id)
        WHERE s.batch_id = :batch AND s.card IS NOT NULL
        ON CONFLICT (id) DO UPDATE SET card = excluded.card
        WHERE model_cards.card IS DISTINCT FROM excluded.card"""),
        {"batch": batch_id},
    )


def _update_lineage_columns(session: Session) -> None:
    """Link edges to parents that just arrived; recount derivatives of every touched parent."""
    session.execute(
        text("""
        UPDATE base_model_relations r SET base_model_ref = c.id
        FROM merge_changed c
        WHERE c.inserted AND r.base_model_ref IS NULL
          AND lower(r.base_model_id) = lower(c.repo_id)""")
    )
    session.execute(
        text("""
        INSERT INTO merge_parents
        SELECT r.base_model_ref FROM base_model_relations r JOIN merge_changed c ON r.model_id = c.id
        WHERE r.base_model_ref IS NOT NULL
        UNION ALL
        SELECT id FROM merge_changed WHERE inserted""")
    )
    _analyze(session, "merge_parents")
    session.execute(
        text("""
        UPDATE models m SET derivative_count = counted.n
        FROM (
            SELECT p.id, count(r.model_id) AS n
            FROM (SELECT DISTINCT id FROM merge_parents) p
            LEFT JOIN base_model_relations r ON r.base_model_ref = p.id
            GROUP BY p.id
        ) counted
        WHERE m.id = counted.id AND m.derivative_count <> counted.n""")
    )


# Models whose head may have changed: the changed ones, the variants of changed heads, and the
# variants that name a changed model by their id or by a quantized lineage edge.
VARIANT_CANDIDATES_SQL = """
INSERT INTO merge_variants
SELECT id FROM merge_changed
UNION SELECT m.id FROM models m JOIN merge_changed c ON m.variant_of = c.id
UNION SELECT m.id FROM models m JOIN merge_changed c ON m.variant_base = lower(c.repo_id)
UNION SELECT r.model_id FROM base_model_relations r JOIN merge_changed c ON r.base_model_ref = c.id
  WHERE r.relation_type = 'quantized'
"""


def _update_variant_heads(session: Session) -> None:
    """`models.variant_of` of every model the batch may have moved (migration 0015's rule)."""
    session.execute(text(VARIANT_CANDIDATES_SQL))
    _analyze(session, "merge_variants")
    session.execute(text(VARIANT_HEADS_SQL.format(candidates="merge_variants")))


def stored_digests(session: Session, keys: list[str]) -> dict[str, str]:
    """Source digests of the stored models among `keys` (lower-case ids)."""
    rows = session.execute(
        text("SELECT lower(repo_id), record_hash FROM models WHERE lower(repo_id) = ANY(:keys)"),
        {"keys": keys},
    )
    return dict(rows.all())
