"""Saved searches (#15): a user's named query strings, the catalog's high point at their last
visit (what arrived since is `models.id > seen_up_to`) and a private feed token.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 14:30:00
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE saved_searches (
        id bigserial CONSTRAINT pk_saved_searches PRIMARY KEY,
        user_id bigint NOT NULL CONSTRAINT fk_saved_searches_user_id_users REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        query text NOT NULL,
        seen_up_to bigint NOT NULL DEFAULT 0,
        visited_at timestamptz,
        feed_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_saved_searches_name_length CHECK (length(name) BETWEEN 1 AND 100)
    )""",
    "CREATE INDEX ix_saved_searches_user_id ON saved_searches (user_id)",
    "CREATE UNIQUE INDEX uq_saved_searches_feed_token ON saved_searches (feed_token)",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE saved_searches")
