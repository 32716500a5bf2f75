"""Webhooks of saved searches (#15): the URL, its signing secret, how far deliveries were
queued, and the delivery log (each POST's body and how sending it went).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 15:00:00
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATEMENTS = [
    "ALTER TABLE saved_searches ADD COLUMN webhook_url text, ADD COLUMN webhook_secret text, "
    "ADD COLUMN webhook_up_to bigint NOT NULL DEFAULT 0",
    """CREATE TABLE webhook_deliveries (
        id bigserial CONSTRAINT pk_webhook_deliveries PRIMARY KEY,
        search_id bigint NOT NULL
            CONSTRAINT fk_webhook_deliveries_search_id_saved_searches REFERENCES saved_searches (id) ON DELETE CASCADE,
        url text NOT NULL,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts bigint NOT NULL DEFAULT 0,
        next_attempt_at timestamptz DEFAULT now(),
        last_status_code bigint,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT ck_webhook_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed'))
    )""",
    "CREATE INDEX ix_webhook_deliveries_search_id ON webhook_deliveries (search_id, id)",
    "CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE webhook_deliveries")
    op.execute(
        "ALTER TABLE saved_searches DROP COLUMN webhook_url, DROP COLUMN webhook_secret, DROP COLUMN webhook_up_to"
    )
