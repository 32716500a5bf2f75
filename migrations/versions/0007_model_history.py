"""Downloads and likes of each model at each scheduled sync, and a trending score of our own.

`model_history` gets a row per model seen by a sync (data/sync.py) only when its downloads or
likes differ from its previous row, so it grows with change, not with time. Its primary key
(model_id, observed_at) finds a model's latest row and its row as of a date; a BRIN index on
observed_at (rows arrive in time order) finds the models observed in the last 7 days.

The computed score goes into its own column, `models.computed_trending`, rather than into
`trending_score` where that is NULL: ingestion keeps a stored `trending_score` when a record
lacks one (writer.KEEP_WHEN_ABSENT), so a computed value written there would pass for the
Hub's and outlive the Hub's own; a separate column keeps the Hub's data as the Hub gave it and
our estimate recomputable. It is set (positive growth) only for models without a Hub score,
and NULL otherwise, so its partial index stays small.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_history",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("downloads", sa.BigInteger(), nullable=False),
        sa.Column("likes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"], ["models.id"], ondelete="CASCADE", name="fk_model_history_model_id_models"
        ),
        sa.PrimaryKeyConstraint("model_id", "observed_at", name="pk_model_history"),
    )
    op.create_index("ix_model_history_observed_at", "model_history", ["observed_at"], postgresql_using="brin")
    op.add_column("models", sa.Column("computed_trending", sa.Double(), nullable=True))
    op.create_index(
        "ix_models_computed_trending",
        "models",
        [sa.text("computed_trending DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("computed_trending IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_models_computed_trending", table_name="models")
    op.drop_column("models", "computed_trending")
    op.drop_table("model_history")
