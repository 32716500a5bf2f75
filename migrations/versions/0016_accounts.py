"""Accounts, sessions, API keys, the append-only audit log and admin jobs (#14).

`audit_log` refuses UPDATE, DELETE and TRUNCATE through a trigger, which binds every role
(privileges do not bind the owner or a superuser, which the app may well connect as), even
in replica mode; the privileges are revoked from PUBLIC as well. Only DDL (disabling or
dropping the trigger, which the owner may do) gets past it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:40:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLES = [
    """CREATE TABLE users (
        id bigserial CONSTRAINT pk_users PRIMARY KEY,
        email text NOT NULL,
        password_hash text,
        role text NOT NULL DEFAULT 'analyst',
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        disabled_at timestamptz,
        CONSTRAINT ck_users_role_known CHECK (role IN ('analyst', 'admin')),
        CONSTRAINT ck_users_email_lower CHECK (email = lower(email))
    )""",
    "CREATE UNIQUE INDEX uq_users_email ON users (email)",
    """CREATE TABLE user_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id bigint NOT NULL CONSTRAINT fk_user_identities_user_id_users REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_identities PRIMARY KEY (issuer, subject)
    )""",
    "CREATE INDEX ix_user_identities_user_id ON user_identities (user_id)",
    """CREATE TABLE user_sessions (
        id bigserial CONSTRAINT pk_user_sessions PRIMARY KEY,
        user_id bigint NOT NULL CONSTRAINT fk_user_sessions_user_id_users REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        address text,
        user_agent text
    )""",
    "CREATE UNIQUE INDEX uq_user_sessions_token_hash ON user_sessions (token_hash)",
    "CREATE INDEX ix_user_sessions_user_id ON user_sessions (user_id)",
    """CREATE TABLE api_keys (
        id bigserial CONSTRAINT pk_api_keys PRIMARY KEY,
        user_id bigint NOT NULL CONSTRAINT fk_api_keys_user_id_users REFERENCES users (id) ON DELETE CASCADE,
        name text NOT NULL,
        prefix text NOT NULL,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT ck_api_keys_name_length CHECK (length(name) BETWEEN 1 AND 100)
    )""",
    "CREATE UNIQUE INDEX uq_api_keys_secret_hash ON api_keys (secret_hash)",
    "CREATE INDEX ix_api_keys_user_id ON api_keys (user_id)",
    """CREATE TABLE audit_log (
        id bigserial CONSTRAINT pk_audit_log PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id bigint,
        actor_email text,
        action text NOT NULL,
        target_type text,
        target_id text,
        address text,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
    )""",
    "CREATE INDEX ix_audit_log_at ON audit_log (at DESC, id DESC)",
    "CREATE INDEX ix_audit_log_actor_id ON audit_log (actor_id, id DESC)",
    "CREATE INDEX ix_audit_log_action ON audit_log (action, id DESC)",
    """CREATE TABLE jobs (
        id bigserial CONSTRAINT pk_jobs PRIMARY KEY,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'queued',
        requested_by bigint,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        summary jsonb,
        error text,
        CONSTRAINT ck_jobs_kind_known CHECK (kind IN ('sync')),
        CONSTRAINT ck_jobs_status_known CHECK (status IN ('queued', 'running', 'succeeded', 'failed'))
    )""",
    "CREATE INDEX ix_jobs_requested_at ON jobs (requested_at DESC, id DESC)",
    "CREATE INDEX ix_jobs_queued ON jobs (id) WHERE status = 'queued'",
]
APPEND_ONLY = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
    # ALWAYS: fired under session_replication_role = replica too, which a superuser may set.
    "ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_change",
    "ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC",
]


def upgrade() -> None:
    for statement in TABLES + APPEND_ONLY:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE jobs, audit_log, api_keys, user_sessions, user_identities, users")
    op.execute("DROP FUNCTION audit_log_append_only()")
