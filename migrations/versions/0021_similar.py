"""Models like this (#16): where the similarity is stored (data/similar/store.py).

`similar_neighbours` holds each model's precomputed top k (any PostgreSQL); where the server has
the `vector` extension (pgvector; the embedded PostgreSQL 18 bundles it, Debian's 15 does not),
it is installed and `similar_vectors` holds each model's vector under an HNSW index (cosine),
which answers instead. Both start empty: `catalog similar rebuild` or the next sync fills one.
The rebuild replaces a table whole, so its definition is data/similar/store.py's as well as here.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-04 19:45:00
"""

from alembic import op
from sqlalchemy import text

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

DIMENSIONS = 64  # data.similar.train.DIMENSIONS when written (a migration keeps its own copy)

NEIGHBOURS = """CREATE TABLE similar_neighbours (
    model_id integer NOT NULL CONSTRAINT pk_similar_neighbours PRIMARY KEY,
    neighbour_ids integer[] NOT NULL,
    scores real[] NOT NULL
)"""
VECTORS = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    f"""CREATE TABLE similar_vectors (
        model_id integer NOT NULL CONSTRAINT pk_similar_vectors PRIMARY KEY,
        embedding vector({DIMENSIONS}) NOT NULL
    )""",
    "CREATE INDEX ix_similar_vectors_embedding ON similar_vectors USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
]


def vector_available() -> bool:
    return bool(
        op.get_bind()
        .execute(text("SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector')"))
        .scalar()
    )


def upgrade() -> None:
    op.execute(NEIGHBOURS)
    if vector_available():
        for statement in VECTORS:
            op.execute(statement)


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS similar_vectors, similar_vectors_next, similar_neighbours, similar_neighbours_next"
    )
    op.execute("DELETE FROM catalog_meta WHERE key = 'similar_index'")
    # The extension stays: dropping it needs its owner, and nothing else of ours depends on it.
