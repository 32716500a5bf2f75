"""Browser sessions: a random token in the (signed) cookie, its SHA-256 in `user_sessions`.

A session row can be revoked — one (sign out) or all of a user's (sign out everywhere) —
which a signed cookie alone could never be.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.accounts.tables import User, UserSession

SESSION_LIFETIME = timedelta(days=30)
LAST_SEEN_PRECISION = timedelta(minutes=5)  # how stale last_seen_at may be: no write per request


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def open_session(session: Session, user: User, *, address: str | None, user_agent: str | None) -> str:
    """A new session for `user`; the token, for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token),
            expires_at=now + SESSION_LIFETIME,
            address=address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return token


def session_user(session: Session, token: str) -> User | None:
    """The user of a live session (not revoked, not expired, user not disabled), else None."""
    now = datetime.now(UTC)
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(
            UserSession.token_hash == token_hash(token),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        return None
    user_session, user = row
    if now - user_session.last_seen_at > LAST_SEEN_PRECISION:
        user_session.last_seen_at = now
    return user


def revoke_session(session: Session, token: str) -> bool:
    result = session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_all_sessions(session: Session, user_id: int) -> int:
    """Sign a user out everywhere; how many sessions ended."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return result.rowcount  # type: ignore[attr-defined]


def live_session_count(session: Session, user_id: int) -> int:
    now = datetime.now(UTC)
    rows = session.scalars(
        select(UserSession.id).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > now
        )
    ).all()
    return len(rows)
