"""Staging tables: where a batch lands (by COPY) before it is merged into the catalog.

They are UNLOGGED (never worth WAL) and shared by connections, so that one connection can
stage the next batch while another merges the current one. Rows carry their batch's id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Double, Index, Integer, Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TIMESTAMP
from sqlalchemy.types import TypeEngine

from data.models import Base

TYPES: dict[str, TypeEngine[Any] | type[TypeEngine[Any]]] = {
    "text": Text,
    "text[]": ARRAY(Text),
    "bigint": BigInteger,
    "integer": Integer,
    "double precision": Double,
    "timestamptz": TIMESTAMP(timezone=True),
    "boolean": Boolean,
    "jsonb": JSONB,
}

MODEL_COLUMNS = (
    ("repo_id", "text"),
    ("author", "text"),
    ("name", "text"),
    ("pipeline_tag", "text"),
    ("library_name", "text"),
    ("license", "text"),
    ("tags", "text[]"),
    ("downloads", "bigint"),
    ("downloads_all_time", "bigint"),
    ("likes", "integer"),
    ("trending_score", "double precision"),
    ("created_at", "timestamptz"),
    ("last_modified", "timestamptz"),
    ("gated", "text"),
    ("private", "boolean"),
    ("disabled", "boolean"),
    ("sha", "text"),
    ("card_data", "jsonb"),
    ("used_storage", "bigint"),
    ("has_base_model", "boolean"),
    ("record_hash", "text"),
    ("params", "bigint"),
    ("params_source", "text"),
    ("quant", "text"),
    ("variant_base", "text"),
)
STAGE_MODEL_COLUMNS = (
    *MODEL_COLUMNS,
    ("card", "text"),
    ("has_siblings", "boolean"),
    ("tag_set", "text[]"),
    ("tag_kinds", "text[]"),
)
SIBLING_COLUMNS = (("repo_id", "text"), ("rfilename", "text"), ("size", "bigint"), ("blob_id", "text"))
RELATION_COLUMNS = (
    ("repo_id", "text"),
    ("base_model_id", "text"),
    ("relation_type", "text"),
    ("declared", "boolean"),
    ("source", "text"),
)
DATASET_COLUMNS = (("repo_id", "text"), ("dataset_id", "text"), ("source", "text"))
STAGED = {
    "stage_models": STAGE_MODEL_COLUMNS,
    "stage_siblings": SIBLING_COLUMNS,
    "stage_relations": RELATION_COLUMNS,
    "stage_datasets": DATASET_COLUMNS,
}


def _table(name: str, columns: tuple[tuple[str, str], ...]) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("batch_id", Integer, nullable=False),
        *(Column(column, TYPES[kind]) for column, kind in columns),
        Index(f"ix_{name}_batch_id", "batch_id"),
        prefixes=["UNLOGGED"],
    )


TABLES = {name: _table(name, columns) for name, columns in STAGED.items()}
