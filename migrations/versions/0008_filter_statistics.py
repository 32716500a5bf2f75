"""Task and library filters together: a composite index and extended statistics.

At 3,000,000 models `pipeline_tag = X AND library_name = Y` AND-ed two bitmaps (one of 1.8
million rows, lossy at the default work_mem) and rechecked 400,000 rows for no match: 500 ms.
The composite index finds the pairs directly, and the statistics tell the planner how the
columns go together (it took them for independent and expected 68,666 rows for none), so
that search chooses between walking the sort index and gathering the matches well.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 15:20:00
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_models_task_library", "models", ["pipeline_tag", "library_name"])
    op.execute(
        "CREATE STATISTICS models_filter_columns (mcv, dependencies) ON pipeline_tag, library_name, license FROM models"
    )
    op.execute("ANALYZE models")


def downgrade() -> None:
    op.execute("DROP STATISTICS models_filter_columns")
    op.drop_index("ix_models_task_library", table_name="models")
