"""Parameter counts, quantization and variant groups: `min_params`, `sort=params`, `quant`, `group=variants`.

On `models`: `params` (with `params_source`: declared from safetensors/GGUF metadata, or
inferred from the id), `quant`, `variant_base` (the id with quantization suffixes stripped)
and `variant_of` (the head of the model's variant group); on `model_search` the three that
search filters, sorts and folds on, kept by the statement triggers of migration 0009 (their
function is replaced here with the longer column list). The rules are data/ingest/variants.py;
`model_is_variant` is the one SQL test of "is a variant" that ingestion's upkeep calls too.

Rows stored before this migration are backfilled through the same Python functions, in
batches (their records' safetensors were never stored, so every count here is inferred; the
next ingest of a detail record declares it). `size_quant_counts` holds the whole catalog's
counts per quantization and per size bucket (facets without filters), refreshed with the other
summary views.

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-02 17:20:00
"""

from alembic import op
from sqlalchemy import text

from data.ingest.variants import VARIANT_HEADS_SQL, params_from_name, quant_of, variant_base
from data.vocabulary import PARAMS_BUCKETS, PARAMS_SOURCES, QUANTIZATIONS

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 20_000
SEARCH_COLUMNS = (
    "id, key, name_key, author, pipeline_tag, library_name, license, downloads, likes, "
    "trending_score, created_at, last_modified, gated, has_base_model, params, quant, variant_of"
)
SEARCH_VALUES = (
    "n.id, search_key(n.repo_id), search_key(n.name), n.author, n.pipeline_tag, "
    "n.library_name, n.license, n.downloads, n.likes, n.trending_score, n.created_at, "
    "n.last_modified, n.gated, n.has_base_model, n.params, n.quant, n.variant_of"
)


def _sync_function(columns: str, values: str) -> str:
    updated = [c.strip() for c in columns.split(",")[1:]]
    return f"""CREATE OR REPLACE FUNCTION model_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO model_search ({columns})
      SELECT {values} FROM changed_models n
      ON CONFLICT (id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in updated)}
      WHERE ({", ".join(f"model_search.{c}" for c in updated)})
            IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in updated)});
      RETURN NULL;
    END $$"""


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


IS_VARIANT = """CREATE FUNCTION model_is_variant(m models) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.quant IS NOT NULL OR m.variant_base IS NOT NULL
        OR EXISTS (SELECT 1 FROM base_model_relations r WHERE r.model_id = m.id AND r.relation_type = 'quantized')
$$"""
BUCKET_SQL = (
    "CASE " + " ".join(f"WHEN params >= {low} THEN '{label}'" for label, low in reversed(PARAMS_BUCKETS)) + " END"
)
VIEW = f"""CREATE MATERIALIZED VIEW size_quant_counts AS
SELECT 'quant'::text AS dimension, quant AS value, count(*) AS count FROM models WHERE quant IS NOT NULL GROUP BY quant
UNION ALL
SELECT 'params', {BUCKET_SQL}, count(*) FROM models WHERE params IS NOT NULL GROUP BY 2"""
INDEXES = [
    "CREATE INDEX ix_models_variant_base ON models (variant_base) WHERE variant_base IS NOT NULL",
    "CREATE INDEX ix_models_variant_of ON models (variant_of) WHERE variant_of IS NOT NULL",
    "CREATE INDEX ix_model_search_params ON model_search (params DESC NULLS LAST, id DESC)",
    "CREATE INDEX ix_model_search_params_up ON model_search (params ASC NULLS LAST, id ASC)",
    "CREATE INDEX ix_model_search_quant ON model_search (quant, downloads DESC, id DESC) WHERE quant IS NOT NULL",
    "CREATE INDEX ix_model_search_variant_of ON model_search (variant_of) WHERE variant_of IS NOT NULL",
    "CREATE UNIQUE INDEX ux_size_quant_counts_dimension_value ON size_quant_counts (dimension, value)",
]


def upgrade() -> None:
    op.execute(
        "ALTER TABLE models ADD COLUMN params bigint, ADD COLUMN params_source text, ADD COLUMN quant text, "
        "ADD COLUMN variant_base text, ADD COLUMN variant_of integer, "
        "ADD CONSTRAINT fk_models_variant_of_models FOREIGN KEY (variant_of) REFERENCES models (id) ON DELETE SET NULL, "
        f"ADD CONSTRAINT ck_models_quant_known CHECK (quant IN ({_in(QUANTIZATIONS)})), "
        f"ADD CONSTRAINT ck_models_params_source_known CHECK (params_source IN ({_in(PARAMS_SOURCES)}))"
    )
    op.execute(
        "ALTER TABLE model_search ADD COLUMN params bigint, ADD COLUMN quant text, ADD COLUMN variant_of integer"
    )
    op.execute(
        "ALTER TABLE stage_models ADD COLUMN params bigint, ADD COLUMN params_source text, "
        "ADD COLUMN quant text, ADD COLUMN variant_base text"
    )
    op.execute(IS_VARIANT)
    op.execute(_sync_function(SEARCH_COLUMNS, SEARCH_VALUES))
    op.execute("ALTER TABLE models DISABLE TRIGGER models_search_update")  # model_search is set once below
    _backfill()
    op.execute(
        "CREATE TEMP TABLE backfill_variants AS SELECT id FROM models WHERE quant IS NOT NULL OR variant_base "
        "IS NOT NULL UNION SELECT model_id FROM base_model_relations WHERE relation_type = 'quantized'"
    )
    op.execute(VARIANT_HEADS_SQL.format(candidates="backfill_variants"))
    op.execute("DROP TABLE backfill_variants")
    op.execute("ALTER TABLE models ENABLE TRIGGER models_search_update")
    op.execute(
        "UPDATE model_search s SET params = m.params, quant = m.quant, variant_of = m.variant_of FROM models m "
        "WHERE m.id = s.id AND (m.params IS NOT NULL OR m.quant IS NOT NULL OR m.variant_of IS NOT NULL)"
    )
    op.execute(VIEW)
    for statement in INDEXES:
        op.execute(statement)
    op.execute("ANALYZE models")
    op.execute("ANALYZE model_search")


def _backfill() -> None:
    """Every stored model through the ingestion's functions, BACKFILL_BATCH at a time by id."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            text("SELECT id, repo_id, name, tags, library_name FROM models WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BACKFILL_BATCH},
        ).all()
        if not rows:
            return
        last = rows[-1].id
        found = [
            (
                row.id,
                params_from_name(row.name),
                quant_of(row.name, row.tags, row.library_name),
                variant_base(row.repo_id),
            )
            for row in rows
        ]
        found = [item for item in found if any(value is not None for value in item[1:])]
        if found:
            ids, params, quants, bases = (list(column) for column in zip(*found, strict=True))
            connection.execute(
                text(
                    "UPDATE models m SET params = f.params, params_source = CASE WHEN f.params IS NOT NULL "
                    "THEN 'inferred' END, quant = f.quant, variant_base = f.base "
                    "FROM unnest(CAST(:ids AS integer[]), CAST(:params AS bigint[]), CAST(:quants AS text[]), "
                    "CAST(:bases AS text[])) AS f (id, params, quant, base) WHERE m.id = f.id"
                ),
                {"ids": ids, "params": params, "quants": quants, "bases": bases},
            )


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW size_quant_counts")
    columns = "id, key, name_key, author, pipeline_tag, library_name, license, downloads, likes, "
    columns += "trending_score, created_at, last_modified, gated, has_base_model"
    values = ", ".join(SEARCH_VALUES.split(", ")[:-3])
    op.execute(_sync_function(columns, values))
    op.execute("DROP FUNCTION model_is_variant(models)")
    op.execute(
        "ALTER TABLE stage_models DROP COLUMN params, DROP COLUMN params_source, DROP COLUMN quant, "
        "DROP COLUMN variant_base"
    )
    op.execute("ALTER TABLE model_search DROP COLUMN params, DROP COLUMN quant, DROP COLUMN variant_of")
    op.execute(
        "ALTER TABLE models DROP COLUMN params, DROP COLUMN params_source, DROP COLUMN quant, "
        "DROP COLUMN variant_base, DROP COLUMN variant_of"
    )
