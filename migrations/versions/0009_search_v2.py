"""Search v2: exact id substrings through a narrow table with a trigram index; card text.

`model_search` holds, per model, what a search filters and sorts on, and the search key: the
id lower-cased with `-_./ ` all mapped to `-` (so that `llama-3` finds `Llama_3`), indexed by
trigrams (pg_trgm) for `key LIKE '%word%'`. Its rows are about 150 bytes: walking a sort
index over it reads a fraction of what the wide `models` rows cost. Statement triggers on
`models` keep it current whoever writes (ingestion, sync, tests); a bulk load fills it once
at the end instead, in downloads order (data/ingest/bulk.py).

`model_cards` holds the model card's text (README) with an English tsvector for `card=`.

Retired: the tsvector of id words, suffixes, author, task and tags (`q` matches ids only
now), its document column and the `id_suffixes` function, and the `models` indexes that only
search used.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:50:00
"""

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEARCH_COLUMNS = (
    "id, key, name_key, author, pipeline_tag, library_name, license, downloads, likes, "
    "trending_score, created_at, last_modified, gated, has_base_model"
)
SEARCH_VALUES = (
    "n.id, search_key(n.repo_id), search_key(n.name), n.author, n.pipeline_tag, "
    "n.library_name, n.license, n.downloads, n.likes, n.trending_score, n.created_at, "
    "n.last_modified, n.gated, n.has_base_model"
)
UPDATED = [c.strip() for c in SEARCH_COLUMNS.split(",")[1:]]

FUNCTIONS = [
    """CREATE FUNCTION search_key(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $$ SELECT translate(lower($1), '_./ ', '----') $$""",
    f"""CREATE FUNCTION model_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO model_search ({SEARCH_COLUMNS})
      SELECT {SEARCH_VALUES} FROM changed_models n
      ON CONFLICT (id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in UPDATED)}
      WHERE ({", ".join(f"model_search.{c}" for c in UPDATED)})
            IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in UPDATED)});
      RETURN NULL;
    END $$""",
]
TRIGGERS = [
    "CREATE TRIGGER models_search_insert AFTER INSERT ON models REFERENCING NEW TABLE AS changed_models "
    "FOR EACH STATEMENT EXECUTE FUNCTION model_search_sync()",
    "CREATE TRIGGER models_search_update AFTER UPDATE ON models REFERENCING NEW TABLE AS changed_models "
    "FOR EACH STATEMENT EXECUTE FUNCTION model_search_sync()",
]
TABLES = [
    """CREATE TABLE model_search (
        id integer NOT NULL,
        key text NOT NULL,
        name_key text NOT NULL,
        author text NOT NULL,
        pipeline_tag text,
        library_name text,
        license text,
        downloads bigint NOT NULL,
        likes integer NOT NULL,
        trending_score double precision,
        created_at timestamptz,
        last_modified timestamptz,
        gated text,
        has_base_model boolean NOT NULL,
        CONSTRAINT pk_model_search PRIMARY KEY (id),
        CONSTRAINT fk_model_search_id_models FOREIGN KEY (id) REFERENCES models (id) ON DELETE CASCADE
    )""",
    """CREATE TABLE model_cards (
        id integer NOT NULL,
        card text NOT NULL,
        vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, card)) STORED NOT NULL,
        CONSTRAINT pk_model_cards PRIMARY KEY (id),
        CONSTRAINT fk_model_cards_id_models FOREIGN KEY (id) REFERENCES models (id) ON DELETE CASCADE
    )""",
]
INDEXES = [
    "CREATE INDEX ix_model_search_key ON model_search USING gin (key gin_trgm_ops)",
    "CREATE INDEX ix_model_search_key_equal ON model_search (key)",
    "CREATE INDEX ix_model_search_name_key ON model_search (name_key text_pattern_ops)",
    "CREATE INDEX ix_model_search_downloads ON model_search (downloads DESC, id DESC)",
    "CREATE INDEX ix_model_search_likes ON model_search (likes DESC, id DESC)",
    "CREATE INDEX ix_model_search_trending ON model_search (trending_score DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_model_search_created_at ON model_search (created_at DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_model_search_last_modified ON model_search (last_modified DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_model_search_task ON model_search (pipeline_tag, downloads DESC, id DESC)",
    "CREATE INDEX ix_model_search_library ON model_search (library_name, downloads DESC, id DESC)",
    "CREATE INDEX ix_model_search_author ON model_search (author, downloads DESC, id DESC)",
    "CREATE INDEX ix_model_search_license ON model_search (license)",
    "CREATE INDEX ix_model_cards_vector ON model_cards USING gin (vector)",
]
# Column statistics: a larger sample lets the planner estimate `key LIKE '%word%'` from a
# histogram of 2,000 ids (the default 100 says little about a fragment's rarity).
STATISTICS = [
    "ALTER TABLE model_search ALTER COLUMN key SET STATISTICS 2000",
    "CREATE STATISTICS model_search_filter_columns (mcv, dependencies) "
    "ON pipeline_tag, library_name, license FROM model_search",
]
RETIRED_MODEL_INDEXES = (
    "ix_models_likes",
    "ix_models_created_at",
    "ix_models_last_modified",
    "ix_models_library_name",
    "ix_models_license",
    "ix_models_task_library",
)


def _create_trigram_extension() -> None:
    try:
        with op.get_context().autocommit_block():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as error:
        raise RuntimeError(
            "the database refused CREATE EXTENSION pg_trgm, which search needs: install PostgreSQL's "
            "contrib modules (Debian: postgresql-contrib; the official Docker image has them) or ask "
            "the database's owner to run CREATE EXTENSION pg_trgm in this database, then migrate again "
            f"({error.orig})"
        ) from None


def upgrade() -> None:
    _create_trigram_extension()
    for statement in (*FUNCTIONS[:1], *TABLES, *FUNCTIONS[1:], *TRIGGERS):
        op.execute(statement)
    op.execute(
        f"INSERT INTO model_search ({SEARCH_COLUMNS}) SELECT {SEARCH_VALUES} FROM models n "
        "ORDER BY n.downloads DESC, n.id DESC"
    )
    for statement in (*INDEXES, *STATISTICS):
        op.execute(statement)
    op.execute("ALTER TABLE models DROP COLUMN search_vector")
    op.execute("ALTER TABLE models DROP COLUMN search_document")
    op.execute("ALTER TABLE stage_models DROP COLUMN search_document")
    op.execute("ALTER TABLE stage_models ADD COLUMN card text")
    op.execute("DROP FUNCTION id_suffixes(text)")
    op.execute("DROP STATISTICS IF EXISTS models_filter_columns")
    for name in RETIRED_MODEL_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("ANALYZE model_search")


def downgrade() -> None:
    """Back to 0008's schema. The old search document is not kept: re-ingest to fill it."""
    op.execute("ALTER TABLE stage_models DROP COLUMN card")
    op.execute("ALTER TABLE stage_models ADD COLUMN search_document text")
    op.execute("ALTER TABLE models ADD COLUMN search_document text NOT NULL DEFAULT ''")
    op.execute("""CREATE FUNCTION id_suffixes(repo_id text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT coalesce(setweight(array_to_tsvector(array_agg(DISTINCT substr(word, i))), 'A'), ''::tsvector)
          FROM regexp_split_to_table(lower(repo_id), '[^[:alnum:]]+') AS word,
               generate_series(2, length(word) - 2) AS i
        $$""")
    op.execute(
        "ALTER TABLE models ADD COLUMN search_vector tsvector NOT NULL "
        "GENERATED ALWAYS AS (CAST(search_document AS tsvector) || id_suffixes(repo_id)) STORED"
    )
    op.execute(
        "CREATE INDEX ix_models_search_vector ON models USING gin (search_vector) WITH (gin_pending_list_limit = 16384)"
    )
    op.execute("CREATE INDEX ix_models_likes ON models (likes DESC, id DESC)")
    op.execute("CREATE INDEX ix_models_created_at ON models (created_at DESC NULLS LAST, id DESC)")
    op.execute("CREATE INDEX ix_models_last_modified ON models (last_modified DESC NULLS LAST, id DESC)")
    op.execute("CREATE INDEX ix_models_library_name ON models (library_name)")
    op.execute("CREATE INDEX ix_models_license ON models (license)")
    op.execute("CREATE INDEX ix_models_task_library ON models (pipeline_tag, library_name)")
    op.execute(
        "CREATE STATISTICS models_filter_columns (mcv, dependencies) ON pipeline_tag, library_name, license FROM models"
    )
    op.execute("DROP TRIGGER models_search_insert ON models")
    op.execute("DROP TRIGGER models_search_update ON models")
    op.execute("DROP TABLE model_cards")
    op.execute("DROP TABLE model_search")
    op.execute("DROP FUNCTION model_search_sync()")
    op.execute("DROP FUNCTION search_key(text)")
