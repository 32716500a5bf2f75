"""Search finds any part of an id: every id word's suffixes join the search vector.

"hermes" must find "teknium/OpenHermes-2.5", "bert" "distilbert/…": a prefix query over the
suffixes of the id's words is a substring search, served by the same GIN index (PostgreSQL
without contrib modules has no trigram index). Suffixes of three characters and more, shorter
than the word itself (the whole word is already there), weigh A as the id's words do.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:40:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION id_suffixes(repo_id text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(setweight(array_to_tsvector(array_agg(DISTINCT substr(word, i))), 'A'), ''::tsvector)
  FROM regexp_split_to_table(lower(repo_id), '[^[:alnum:]]+') AS word,
       generate_series(2, length(word) - 2) AS i
$$
"""
INDEX = "CREATE INDEX ix_models_search_vector ON models USING gin (search_vector) WITH (gin_pending_list_limit = 16384)"


def _search_vector(expression: str) -> None:
    op.execute("ALTER TABLE models DROP COLUMN search_vector")  # drops its index too
    op.execute(
        f"ALTER TABLE models ADD COLUMN search_vector tsvector NOT NULL GENERATED ALWAYS AS ({expression}) STORED"
    )
    op.execute(INDEX)


def upgrade() -> None:
    op.execute(FUNCTION)
    _search_vector("CAST(search_document AS tsvector) || id_suffixes(repo_id)")


def downgrade() -> None:
    _search_vector("CAST(search_document AS tsvector)")
    op.execute("DROP FUNCTION id_suffixes(text)")
