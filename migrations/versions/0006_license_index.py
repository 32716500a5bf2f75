"""An index on models.license: a licence filter ("other": 16,000 models) scanned the table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:45:00
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_models_license", "models", ["license"])


def downgrade() -> None:
    op.drop_index("ix_models_license", table_name="models")
