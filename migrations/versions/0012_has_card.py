"""`has_card`: whether a model has a model card, as a column of `model_search`.

A model has a card when its README text is known (a `model_cards` row) or the Hub gave its
card data (`models.card_data`). As an EXISTS over both tables, `has_card=true` cannot be a
semi-join (an OR of two), and a walk in downloads order tests every row it meets: over a
catalog with few cards it reads every model (catalog_bench, 760,000 models and no card: a
first page in p50 731 ms for true, 240 ms for false; bench/papers.py --cards-only). As a
column with an index (has_card, downloads, id), either value walks its own slice in order
(search p50 2 ms over the same rows), and facet counts read it with the other columns.

Kept current by statement triggers of their own, so model_search_sync (migration 0009) stays
as it is: after it on `models` (triggers of one event fire in name order:
models_search_insert, then models_search_insert_card), and on `model_cards` when a card
arrives or goes.

Also an index of arXiv tags (`arxiv=`, paper pages), and facet_counts (migration 0003) gains the whole catalog's `has_card` and `arxiv` (paper
id: models citing it) counts.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 17:00:00
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Read from the tables (the triggers run after the change), not from the transition table:
# the same function serves `models` and `model_cards`.
HAS_CARD = (
    "(EXISTS (SELECT 1 FROM models d WHERE d.id = m.id AND d.card_data IS NOT NULL)"
    " OR EXISTS (SELECT 1 FROM model_cards c WHERE c.id = m.id))"
)
FUNCTIONS = [
    f"""CREATE FUNCTION model_search_card_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE model_search s SET has_card = f.has_card
      FROM (SELECT m.id, {HAS_CARD} AS has_card FROM changed m) f
      WHERE s.id = f.id AND s.has_card IS DISTINCT FROM f.has_card;
      RETURN NULL;
    END $$""",
]
TRIGGERS = [
    f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION model_search_card_sync()"
    for name, event, table in (
        ("models_search_insert_card", "INSERT", "models"),
        ("models_search_update_card", "UPDATE", "models"),
        ("model_cards_search_insert", "INSERT", "model_cards"),
    )
] + [
    # A card gone: the model's row says so unless card data remains (the model itself may be gone).
    "CREATE TRIGGER model_cards_search_delete AFTER DELETE ON model_cards REFERENCING OLD TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION model_search_card_sync()",
]


def _facet_view_0003() -> str:
    """Migration 0003's facet_counts, read from its file (one definition of the earlier rows)."""
    path = Path(__file__).with_name("0003_facet_counts.py")
    spec = importlib.util.spec_from_file_location("facet_counts_0003", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VIEW


FACET_ROWS = """
UNION ALL
SELECT 'has_card', has_card::text, count(*) FROM model_search GROUP BY has_card
UNION ALL
SELECT 'arxiv', substr(tag, length('arxiv:') + 1), count(*) FROM model_tags WHERE tag_type = 'arxiv' GROUP BY tag
"""
# The ids of a paper's models from a small index (arxiv= and the paper pages), not from
# models.tags' GIN index, which rechecks each wide row: 1,800 of them read ~1 s from a cold disk.
ARXIV_INDEX = "CREATE INDEX ix_model_tags_arxiv ON model_tags (tag, model_id) WHERE tag_type = 'arxiv'"
FACET_INDEXES = (
    "CREATE UNIQUE INDEX ux_facet_counts_dimension_value ON facet_counts (dimension, value)",
    "CREATE INDEX ix_facet_counts_dimension_count ON facet_counts (dimension, count DESC)",
)


def _facet_counts(view: str) -> None:
    op.execute("DROP MATERIALIZED VIEW facet_counts")
    op.execute(view)
    for statement in FACET_INDEXES:
        op.execute(statement)


def upgrade() -> None:
    op.execute("ALTER TABLE model_search ADD COLUMN has_card boolean NOT NULL DEFAULT false")
    op.execute(
        "UPDATE model_search SET has_card = true WHERE id IN "
        "(SELECT id FROM model_cards UNION SELECT id FROM models WHERE card_data IS NOT NULL)"
    )
    for statement in (*FUNCTIONS, *TRIGGERS):
        op.execute(statement)
    op.execute("CREATE INDEX ix_model_search_has_card ON model_search (has_card, downloads DESC, id DESC)")
    op.execute("ANALYZE model_search")
    _facet_counts(_facet_view_0003().rstrip() + FACET_ROWS)
    op.execute(ARXIV_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX ix_model_tags_arxiv")
    _facet_counts(_facet_view_0003())
    for name, table in (
        ("models_search_insert_card", "models"),
        ("models_search_update_card", "models"),
        ("model_cards_search_insert", "model_cards"),
        ("model_cards_search_delete", "model_cards"),
    ):
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION model_search_card_sync()")
    op.execute("ALTER TABLE model_search DROP COLUMN has_card")
