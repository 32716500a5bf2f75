"""Loading an empty catalog: constraints and indexes are built once afterwards, not per row.

Keys, foreign keys and indexes that the load itself does not read are dropped first and
rebuilt at the end (several times faster than maintaining them row by row). A run cut short
leaves them missing; the next run rebuilds them before it starts (`restore`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Index, text
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, DropConstraint

from data.db import Database
from data.models import DatasetRelation, Model, ModelCard, ModelSibling, ModelTag, SearchRow

# The upsert and the lineage upkeep read these during the load.
KEPT_INDEXES = {"uq_models_repo_id_lower", "ix_models_variant_base", "ix_models_variant_of"}
BULK_TABLES = (
    Model.__table__,
    ModelTag.__table__,
    ModelSibling.__table__,
    DatasetRelation.__table__,
    SearchRow.__table__,
    ModelCard.__table__,
)
# Their primary keys are the upserts' conflict targets (ON CONFLICT needs the index).
KEYED_DURING_LOAD = (Model.__table__, SearchRow.__table__, ModelCard.__table__)
BUILDERS = 2  # indexes built side by side: one per core


def _constraints(table):
    keys = [] if table in KEYED_DURING_LOAD else [table.primary_key]
    return keys + sorted(table.foreign_key_constraints, key=lambda c: c.name)


def _indexes(table) -> list[Index]:
    return [index for index in table.indexes if index.name not in KEPT_INDEXES]


def catalog_is_empty(session: Session) -> bool:
    return session.execute(text("SELECT NOT EXISTS (SELECT 1 FROM models)")).scalar_one()


def drop_for_bulk_load(session: Session) -> None:
    for table in BULK_TABLES:
        for index in _indexes(table):
            session.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
        for constraint in reversed(_constraints(table)):
            session.execute(DropConstraint(constraint, if_exists=True))


def order_search_rows(session: Session) -> None:
    """Rewrite `model_search` in downloads order, before its indexes are built: a search
    walking the downloads index then reads its rows from neighbouring pages."""
    session.execute(
        text("CREATE TEMP TABLE ordered_search_rows AS SELECT * FROM model_search ORDER BY downloads DESC, id DESC")
    )
    session.execute(text("TRUNCATE model_search"))
    session.execute(text("INSERT INTO model_search SELECT * FROM ordered_search_rows"))
    session.execute(text("DROP TABLE ordered_search_rows"))


def restore(db: Database) -> list[str]:
    """Create every key, foreign key and index of the schema that is missing; return their names.

    Keys first, one after the other (foreign keys lock both tables); then the indexes, the
    costly GIN ones first, on BUILDERS connections at once when the database allows it.
    """
    with db.session() as session:
        present = set(
            session.execute(
                text(
                    "SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                    "UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
                )
            ).scalars()
        )
        constraints = [c for t in BULK_TABLES for c in _constraints(t) if c.name not in present]
        for constraint in constraints:
            session.execute(AddConstraint(constraint))
        session.commit()
    indexes = [i for t in BULK_TABLES for i in _indexes(t) if i.name not in present]
    indexes.sort(key=lambda index: index.dialect_options["postgresql"]["using"] != "gin")
    if db.concurrent_reads and len(indexes) > 1:
        with ThreadPoolExecutor(BUILDERS, thread_name_prefix="index-build") as pool:
            list(pool.map(lambda index: _build(db, index), indexes))
    else:
        for index in indexes:
            _build(db, index)
    return [item.name for item in (*constraints, *indexes)]


def _build(db: Database, index: Index) -> None:
    with db.session() as session:
        session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        index.create(session.connection())
        session.commit()
