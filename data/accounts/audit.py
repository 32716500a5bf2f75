"""The audit log: append-only rows of who did what, when and from where.

Details never hold a secret: no password, key, token or cookie ever reaches `record` (keys are
named by id and shown prefix). The actions are the vocabulary below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from data.accounts.tables import AuditEntry, User

ACTIONS = {
    "auth.signup": "an account was created by signing up",
    "auth.login": "a sign-in with email and password",
    "auth.login_failed": "a refused sign-in (wrong email or password, or a disabled account)",
    "auth.oidc_login": "a sign-in through the OIDC provider",
    "auth.oidc_failed": "a refused sign-in through the OIDC provider (its code and reason; never a token)",
    "auth.logout": "a sign-out of one session",
    "auth.logout_everywhere": "every session of the user ended",
    "auth.token": "an API key exchanged for a short-lived token",
    "key.create": "an API key created",
    "key.revoke": "an API key revoked",
    "key.rate_limited": "an API key reached its rate limit (once per window: the first refusal)",
    "user.create": "an account created by an admin or the CLI",
    "user.role_change": "a user's role changed",
    "user.disable": "an account disabled",
    "user.enable": "an account enabled again",
    "admin.sync_start": "an admin queued a sync",
    "admin.audit_export": "an admin exported the audit log",
}
MAX_PAGE = 500


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where (the request's address and id; None for the CLI)."""

    user_id: int | None = None
    email: str | None = None
    address: str | None = None
    request_id: str | None = None
    via: str | None = None  # "cli" for the command line; None for requests (their address tells)

    @classmethod
    def of(cls, user: User | None, address: str | None = None, request_id: str | None = None) -> Actor:
        return cls(user.id if user else None, user.email if user else None, address, request_id)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_id: int | None = None
    actor_email: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # keyset: entries older than this one


def record(
    session: Session,
    action: str,
    actor: Actor,
    *,
    target_type: str | None = None,
    target_id: object = None,
    **details: Any,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")  # a bug: every action is in the table
    session.add(
        AuditEntry(
            action=action,
            actor_id=actor.user_id,
            actor_email=actor.email,
            address=actor.address,
            request_id=actor.request_id,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            details={**details, "via": actor.via} if actor.via else details,
        )
    )
    session.flush()


def _filtered(query: Select, where: AuditFilter) -> Select:
    if where.action:
        query = query.where(AuditEntry.action == where.action)
    if where.actor_id is not None:
        query = query.where(AuditEntry.actor_id == where.actor_id)
    if where.actor_email:
        query = query.where(AuditEntry.actor_email == where.actor_email.strip().lower())
    if where.since:
        query = query.where(AuditEntry.at >= where.since)
    if where.until:
        query = query.where(AuditEntry.at < where.until)
    return query


def entries(session: Session, where: AuditFilter, limit: int = 100) -> list[AuditEntry]:
    """The newest entries first, `limit` at most; page on with `before_id` = the last id."""
    query = _filtered(select(AuditEntry), where)
    if where.before_id is not None:
        query = query.where(AuditEntry.id < where.before_id)
    return list(session.scalars(query.order_by(AuditEntry.id.desc()).limit(min(limit, MAX_PAGE))).all())


def count(session: Session, where: AuditFilter) -> int:
    return session.scalar(_filtered(select(func.count()).select_from(AuditEntry), where)) or 0


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_email": entry.actor_email,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "address": entry.address,
        "request_id": entry.request_id,
        "details": entry.details,
    }
