"""Accounts, their sessions and API keys, the audit log and admin jobs (migration 0016)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from data.models import Base, _in

ROLES = ("analyst", "admin")  # an anonymous visitor is the viewer, and has no row
JOB_KINDS = ("sync",)
JOB_STATUSES = ("queued", "running", "succeeded", "failed")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


def _when(**kwargs: Any) -> Any:
    return mapped_column(DateTime(timezone=True), **kwargs)


def _owner() -> Any:
    return mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(Text)  # stored lower-case: one account per address
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2; NULL for OIDC-only accounts
    role: Mapped[str] = mapped_column(Text, server_default=text("'analyst'"))
    created_at: Mapped[datetime] = _when(server_default=text("now()"))
    last_login_at: Mapped[datetime | None] = _when()
    disabled_at: Mapped[datetime | None] = _when()

    __table_args__ = (
        CheckConstraint(_in("role", ROLES), name="role_known"),
        CheckConstraint("email = lower(email)", name="email_lower"),
        Index("uq_users_email", "email", unique=True),
    )


class UserIdentity(Base):
    """An account at an OIDC provider (issuer, subject) that signs in as a user."""

    __tablename__ = "user_identities"

    issuer: Mapped[str] = mapped_column(Text, primary_key=True)
    subject: Mapped[str] = mapped_column(Text, primary_key=True)
    user_id: Mapped[int] = _owner()
    created_at: Mapped[datetime] = _when(server_default=text("now()"))

    __table_args__ = (Index("ix_user_identities_user_id", "user_id"),)


class UserSession(Base):
    """A signed-in browser. The cookie carries the token; only its SHA-256 is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _owner()
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _when(server_default=text("now()"))
    last_seen_at: Mapped[datetime] = _when(server_default=text("now()"))
    expires_at: Mapped[datetime] = _when()
    revoked_at: Mapped[datetime | None] = _when()
    address: Mapped[str | None] = mapped_column(Text)
    user_agent: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("uq_user_sessions_token_hash", "token_hash", unique=True),
        Index("ix_user_sessions_user_id", "user_id"),
    )


class ApiKey(Base):
    """A key for `Authorization: Bearer`. Shown once; only its SHA-256 is stored (keys are
    random, 256 bits: a slow hash buys nothing and would cost every request)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(Text)  # the key's first characters, to tell keys apart
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = _when(server_default=text("now()"))
    last_used_at: Mapped[datetime | None] = _when()
    expires_at: Mapped[datetime | None] = _when()
    revoked_at: Mapped[datetime | None] = _when()

    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        Index("uq_api_keys_secret_hash", "secret_hash", unique=True),
        Index("ix_api_keys_user_id", "user_id"),
    )


class AuditEntry(Base):
    """Who did what, when, from where. Append-only: a trigger refuses UPDATE, DELETE and
    TRUNCATE for every role. No foreign key: an entry outlives its actor."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = _when(server_default=text("clock_timestamp()"))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_email: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    target_type: Mapped[str | None] = mapped_column(Text)
    target_id: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))

    __table_args__ = (
        Index("ix_audit_log_at", text("at DESC"), text("id DESC")),
        Index("ix_audit_log_actor_id", "actor_id", text("id DESC")),
        Index("ix_audit_log_action", "action", text("id DESC")),
    )


class Job(Base):
    """Work an admin asked for (a sync), done by `catalog sync` or `catalog jobs work`."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, server_default=text("'queued'"))
    requested_by: Mapped[int | None] = mapped_column(BigInteger)
    requested_at: Mapped[datetime] = _when(server_default=text("now()"))
    started_at: Mapped[datetime | None] = _when()
    finished_at: Mapped[datetime | None] = _when()
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in("kind", JOB_KINDS), name="kind_known"),
        CheckConstraint(_in("status", JOB_STATUSES), name="status_known"),
        Index("ix_jobs_requested_at", text("requested_at DESC"), text("id DESC")),
        Index("ix_jobs_queued", "id", postgresql_where=text("status = 'queued'")),
    )


class SavedSearch(Base):
    """A user's search, kept by name: its query string in the grammar and the catalog's high
    point at the last visit (models.id only grows, so `id > seen_up_to` is what arrived since)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(Text)
    query: Mapped[str] = mapped_column(Text)  # data.query.query_string of what is searched
    seen_up_to: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    visited_at: Mapped[datetime | None] = _when()
    feed_token: Mapped[str] = mapped_column(Text)  # the private part of the feed's URL; a new one revokes it
    created_at: Mapped[datetime] = _when(server_default=text("now()"))
    webhook_url: Mapped[str | None] = mapped_column(Text)  # POSTed the new matches after each sync
    webhook_secret: Mapped[str | None] = mapped_column(Text)  # signs them (HMAC-SHA256); the owner sees it
    webhook_up_to: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))  # models.id queued so far

    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        Index("ix_saved_searches_user_id", "user_id"),
        Index("uq_saved_searches_feed_token", "feed_token", unique=True),
    )


class Collection(Base):
    """A user's named list of models, private or public (readable by anyone at its URL)."""

    __tablename__ = "collections"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = _owner()
    name: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(server_default=text("false"))
    created_at: Mapped[datetime] = _when(server_default=text("now()"))

    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 100", name="name_length"),
        Index("ix_collections_user_id", "user_id"),
    )


class CollectionItem(Base):
    """A model in a collection, by its Hub id (an item outlives the model leaving the catalog)."""

    __tablename__ = "collection_items"

    collection_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    repo_id: Mapped[str] = mapped_column(Text, primary_key=True)
    note: Mapped[str] = mapped_column(Text, server_default=text("''"))
    added_at: Mapped[datetime] = _when(server_default=text("now()"))

    __table_args__ = (CheckConstraint("length(note) <= 2000", name="note_length"),)


class WebhookDelivery(Base):
    """A POST of new matches to a saved search's webhook: its body, and how sending it went."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    search_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("saved_searches.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, byte for byte what was signed
    status: Mapped[str] = mapped_column(Text, server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    next_attempt_at: Mapped[datetime | None] = _when(server_default=text("now()"))
    last_status_code: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _when(server_default=text("now()"))
    delivered_at: Mapped[datetime | None] = _when()

    __table_args__ = (
        CheckConstraint(_in("status", DELIVERY_STATUSES), name="status_known"),
        Index("ix_webhook_deliveries_search_id", "search_id", "id"),
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )
