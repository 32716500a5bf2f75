"""Where the similarity lives: pgvector's HNSW index, or each model's precomputed top k.

Both tables are written whole by a rebuild and swapped in at its end, in one transaction:
requests read the previous complete version until then, never a half-written one. The binary
COPY rows are laid out by numpy (PostgreSQL's binary COPY format; a `vector` is its length, a
reserved int16 and the floats): 760,000 rows load in seconds, with no float printed as text.
`catalog_meta` says which of the two the current version is in (data.meta.SIMILAR_INDEX).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.db import driver_cursor

IndexKind = Literal["vector", "table"]
DIMENSIONS = 64  # the stored vectors' length (the vector column's type): fewer components pad with 0
TOP_K = 50  # neighbours kept per model in the table: the API's largest limit
VECTORS = "similar_vectors"  # model_id, embedding vector(DIMENSIONS), HNSW (cosine)
NEIGHBOURS = "similar_neighbours"  # model_id, neighbour_ids integer[], scores real[], best first
COPY_ROWS = 50_000
INT4_OID, FLOAT4_OID = 23, 700
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + np.array([0, 0], dtype=">i4").tobytes()
COPY_TRAILER = np.array([-1], dtype=">i2").tobytes()
# HNSW over 760,000 vectors: built in memory, by the leader and one worker (2 cores).
HNSW_BUILD = {"maintenance_work_mem": "1GB", "max_parallel_maintenance_workers": "1"}
HNSW = "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"

TABLES = {
    VECTORS: f"model_id integer NOT NULL, embedding vector({DIMENSIONS}) NOT NULL",
    NEIGHBOURS: "model_id integer NOT NULL, neighbour_ids integer[] NOT NULL, scores real[] NOT NULL",
}


def has_vector(session: Session) -> bool:
    """The `vector` extension is installed in this database (migration 0021 installs it where
    PostgreSQL has it)."""
    return bool(session.execute(text("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'vector')")).scalar())


def best_index(session: Session) -> IndexKind:
    return "vector" if has_vector(session) else "table"


def _vector_rows(ids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    layout = np.dtype(
        [("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("vec_len", ">i4"), ("dim", ">i2"), ("unused", ">i2"),
         ("values", ">f4", (DIMENSIONS,))]
    )  # fmt: skip
    rows = np.zeros(len(ids), dtype=layout)
    rows["fields"], rows["id_len"], rows["id"] = 2, 4, ids
    rows["vec_len"], rows["dim"], rows["values"] = 4 + 4 * DIMENSIONS, DIMENSIONS, vectors
    return rows


def _array_layout(kind: str, k: int) -> list:
    header = [("ndim", ">i4"), ("has_null", ">i4"), ("oid", ">i4"), ("size", ">i4"), ("lower", ">i4")]
    return [("len", ">i4"), ("header", header), ("items", [("len", ">i4"), ("value", kind)], (k,))]


def _array(column: np.ndarray, oid: int, values: np.ndarray) -> None:
    k = values.shape[1]
    column["len"] = 20 + 8 * k
    column["header"] = (1, 0, oid, k, 1)
    column["items"]["len"] = 4
    column["items"]["value"] = values


def _neighbour_rows(ids: np.ndarray, neighbours: np.ndarray, scores: np.ndarray) -> np.ndarray:
    k = neighbours.shape[1]
    layout = np.dtype(
        [("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("ids", _array_layout(">i4", k)),
         ("scores", _array_layout(">f4", k))]
    )  # fmt: skip
    rows = np.zeros(len(ids), dtype=layout)
    rows["fields"], rows["id_len"], rows["id"] = 3, 4, ids
    _array(rows["ids"], INT4_OID, neighbours)
    _array(rows["scores"], FLOAT4_OID, scores)
    return rows


def _copy(session: Session, table: str, chunks: Iterator[np.ndarray]) -> None:
    with driver_cursor(session).copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(COPY_HEADER)
        for chunk in chunks:
            copy.write(chunk.tobytes())
        copy.write(COPY_TRAILER)


def _chunks(count: int, make) -> Iterator[np.ndarray]:
    for start in range(0, count, COPY_ROWS):
        yield make(slice(start, start + COPY_ROWS))


def _create_next(session: Session, table: str) -> str:
    staged = f"{table}_next"
    session.execute(text(f"DROP TABLE IF EXISTS {staged}"))
    session.execute(text(f"CREATE TABLE {staged} ({TABLES[table]})"))
    return staged


def _swap(session: Session, table: str) -> None:
    """The staged table becomes `table`, with the names migration 0021 gives."""
    staged = f"{table}_next"
    session.execute(text(f"ALTER TABLE {staged} ADD CONSTRAINT pk_{staged} PRIMARY KEY (model_id)"))
    session.execute(text(f"DROP TABLE IF EXISTS {table}"))
    session.execute(text(f"ALTER TABLE {staged} RENAME TO {table}"))
    session.execute(text(f"ALTER TABLE {table} RENAME CONSTRAINT pk_{staged} TO pk_{table}"))


def write_vectors(session: Session, ids: np.ndarray, vectors: np.ndarray) -> None:
    """Stage the vectors, index them (HNSW, cosine) and swap them in (committed by the caller)."""
    staged = _create_next(session, VECTORS)
    _copy(session, staged, _chunks(len(ids), lambda part: _vector_rows(ids[part], vectors[part])))
    for name, value in HNSW_BUILD.items():
        session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})
    session.execute(text(f"CREATE INDEX ix_{staged}_embedding ON {staged} {HNSW}"))
    _swap(session, VECTORS)
    session.execute(text(f"ALTER INDEX ix_{staged}_embedding RENAME TO ix_{VECTORS}_embedding"))
    session.execute(text(f"ANALYZE {VECTORS}"))


def write_neighbours(session: Session, ids: np.ndarray, neighbours: np.ndarray, scores: np.ndarray) -> None:
    """Stage each model's top k (row indexes in `neighbours` are positions in `ids`) and swap."""
    staged = _create_next(session, NEIGHBOURS)
    if neighbours.size:  # a catalog of one model has no neighbours to write
        neighbour_ids = ids[neighbours]
        rows = _chunks(len(ids), lambda part: _neighbour_rows(ids[part], neighbour_ids[part], scores[part]))
        _copy(session, staged, rows)
    _swap(session, NEIGHBOURS)
    session.execute(text(f"ANALYZE {NEIGHBOURS}"))
