"""The quality score (#16): `models.quality` (0-100, NULL until computed) and `quality_parts`.

`quality_parts` is a jsonb object of points per component (data/quality.py's table): only a
model's detail reads it, whole, so one column holds it without a join, and a component added
later needs no migration. The total is a smallint on `models` (the summaries read it with the
other columns) and on `model_search`, kept by its triggers (the sync function of migration 0015
with one column more), indexed for `sort=quality` (one index, read both ways: missing totals
last going down, first going up, as the other nullable sorts) and read by `min_quality=`.
`quality_counts` holds the whole catalog's models per 10 points (the analytics histogram),
refreshed with the other summary views.

Models stored before this migration are scored here, through the same functions as ingestion
(their record's components from the stored rows, BACKFILL_BATCH at a time, then the catalog's
components over all of them), with model_search's update triggers off and its column set once.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 19:40:00
"""

import importlib.util
from pathlib import Path

from alembic import op
from sqlalchemy import text

from data.quality import SCORE_BUCKET, refresh_quality, score_models

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 20_000
UPDATE_TRIGGERS = ("models_search_update", "models_search_update_card")
VIEW = f"""CREATE MATERIALIZED VIEW quality_counts AS
SELECT (least(quality / {SCORE_BUCKET}, {100 // SCORE_BUCKET - 1}) * {SCORE_BUCKET})::smallint AS low,
       count(*)::integer AS models
FROM model_search WHERE quality IS NOT NULL GROUP BY 1"""


def _migration_0015():
    """Migration 0015's sync function and columns, read from its file (one definition of them)."""
    path = Path(__file__).with_name("0015_size_quant_variants.py")
    spec = importlib.util.spec_from_file_location("size_quant_0015", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute(
        "ALTER TABLE models ADD COLUMN quality smallint, ADD COLUMN quality_parts jsonb, "
        "ADD CONSTRAINT ck_models_quality_in_range CHECK (quality BETWEEN 0 AND 100)"
    )
    op.execute("ALTER TABLE model_search ADD COLUMN quality smallint")
    earlier = _migration_0015()
    op.execute(earlier._sync_function(f"{earlier.SEARCH_COLUMNS}, quality", f"{earlier.SEARCH_VALUES}, n.quality"))
    for trigger in UPDATE_TRIGGERS:
        op.execute(f"ALTER TABLE models DISABLE TRIGGER {trigger}")
    _backfill()
    for trigger in UPDATE_TRIGGERS:
        op.execute(f"ALTER TABLE models ENABLE TRIGGER {trigger}")
    op.execute(
        "UPDATE model_search s SET quality = m.quality FROM models m WHERE m.id = s.id AND m.quality IS NOT NULL"
    )
    op.execute("CREATE INDEX ix_model_search_quality ON model_search (quality DESC NULLS LAST, id DESC)")
    op.execute(VIEW)
    op.execute("CREATE UNIQUE INDEX ux_quality_counts_low ON quality_counts (low)")
    op.execute("ANALYZE models")
    op.execute("ANALYZE model_search")


def _backfill() -> None:
    connection = op.get_bind()
    last = 0
    while True:
        ids = list(
            connection.execute(
                text("SELECT id FROM models WHERE id > :last ORDER BY id LIMIT :n"), {"last": last, "n": BACKFILL_BATCH}
            ).scalars()
        )
        if not ids:
            break
        last = ids[-1]
        score_models(connection, "(SELECT unnest(CAST(:ids AS integer[])) AS id)", ids=ids)
    refresh_quality(connection)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW quality_counts")
    earlier = _migration_0015()
    op.execute(earlier._sync_function(earlier.SEARCH_COLUMNS, earlier.SEARCH_VALUES))
    op.execute("ALTER TABLE model_search DROP COLUMN quality")
    op.execute("ALTER TABLE models DROP COLUMN quality, DROP COLUMN quality_parts")
