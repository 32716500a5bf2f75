"""API keys: `mck_` and 43 random characters, shown once at creation; stored as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data.accounts.tables import ApiKey, User
from data.accounts.users import Account, AccountError

KEY_PREFIX = "mck_"  # says what a leaked string is (secret scanners match on it)
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
MAX_KEY_NAME_LENGTH = 100
MAX_KEYS_PER_USER = 50
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown of a key after its creation: never the key itself."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyInfo:
        return cls(key.id, key.name, key.prefix, key.created_at, key.last_used_at, key.expires_at, key.revoked_at)


@dataclass(frozen=True)
class KeyHolder:
    """Who a presented key belongs to."""

    key_id: int
    user: Account


class KeyRejected(Exception):
    """A presented key that does not authenticate; `code` says why (for the error answer)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def looks_like_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def check_key_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise AccountError("INVALID_FIELD", "name", "is required")
    name = name.strip()
    if len(name) > MAX_KEY_NAME_LENGTH:
        raise AccountError("INVALID_FIELD", "name", f"must be at most {MAX_KEY_NAME_LENGTH} characters")
    return name


def create_key(session: Session, user_id: int, name: str, *, expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """A new key for the user; (its row, the key — to be shown this once)."""
    name = check_key_name(name)
    live = session.scalars(select(ApiKey.id).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))).all()
    if len(live) >= MAX_KEYS_PER_USER:
        raise AccountError("INVALID_FIELD", "name", f"at most {MAX_KEYS_PER_USER} live keys: revoke one first")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        user_id=user_id,
        name=name,
        prefix=key[:SHOWN_PREFIX_LENGTH],
        secret_hash=_digest(key),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return row, key


def list_keys(session: Session, user_id: int) -> list[KeyInfo]:
    rows = session.scalars(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id.desc())).all()
    return [KeyInfo.of(row) for row in rows]


def revoke_key(session: Session, user_id: int, key_id: int) -> tuple[KeyInfo, bool]:
    """Revoke one of the user's keys (revoking twice is no error); (the key, whether this
    call revoked it: a second call changes nothing, and is no revocation to audit)."""
    row = session.get(ApiKey, key_id)
    if row is None or row.user_id != user_id:
        raise AccountError("KEY_NOT_FOUND", "id", f"you have no key {key_id}")
    revoked_now = row.revoked_at is None
    if revoked_now:
        row.revoked_at = datetime.now(UTC)
    return KeyInfo.of(row), revoked_now


def key_holder(session: Session, key: str) -> KeyHolder:
    """The holder of a presented key; KeyRejected when it is unknown, revoked or expired."""
    row = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.secret_hash == _digest(key))
    ).one_or_none()
    if row is None:
        raise KeyRejected("INVALID_CREDENTIALS")
    api_key, user = row
    check_key_live(api_key, user)
    now = datetime.now(UTC)
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_PRECISION:
        session.execute(update(ApiKey).where(ApiKey.id == api_key.id).values(last_used_at=now))
    return KeyHolder(api_key.id, Account.of(user))


def live_key_holder(session: Session, key_id: int) -> KeyHolder:
    """The holder of a key named by id (a token's), if the key is still live."""
    row = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(ApiKey.id == key_id)
    ).one_or_none()
    if row is None:
        raise KeyRejected("INVALID_CREDENTIALS")
    check_key_live(*row)
    return KeyHolder(row[0].id, Account.of(row[1]))


def check_key_live(api_key: ApiKey, user: User) -> None:
    if api_key.revoked_at is not None:
        raise KeyRejected("KEY_REVOKED")
    if api_key.expires_at is not None and api_key.expires_at <= datetime.now(UTC):
        raise KeyRejected("KEY_EXPIRED")
    if user.disabled_at is not None:
        raise KeyRejected("ACCOUNT_DISABLED")
