"""Collections (#15): a user's named lists of models with a note each, private or public.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:50:00
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

STATEMENTS = [
    """CREATE TABLE collections (
        id bigserial CONSTRAINT pk_collections PRIMARY KEY,
        user_id bigint NOT NULL CONSTRAINT fk_collections_user_id_users REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        public boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_collections_name_length CHECK (length(name) BETWEEN 1 AND 100)
    )""",
    "CREATE INDEX ix_collections_user_id ON collections (user_id)",
    """CREATE TABLE collection_items (
        collection_id bigint NOT NULL
            CONSTRAINT fk_collection_items_collection_id_collections REFERENCES collections (id) ON DELETE CASCADE,
        repo_id text NOT NULL,
        note text NOT NULL DEFAULT '',
        added_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_collection_items PRIMARY KEY (collection_id, repo_id),
        CONSTRAINT ck_collection_items_note_length CHECK (length(note) <= 2000)
    )""",
]


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE collection_items, collections")
