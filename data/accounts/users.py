"""Users and their roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password
from data.accounts.tables import ROLES, User, UserIdentity

EMAIL_PATTERN = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
MAX_EMAIL_LENGTH = 254


class AccountError(ValueError):
    """A request about an account that cannot be done; `field` names what to fix."""

    def __init__(self, code: str, field: str, reason: str):
        self.code, self.field, self.reason = code, field, reason
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class Account:
    """What a request needs to know of a user."""

    id: int
    email: str
    role: str
    created_at: datetime
    last_login_at: datetime | None
    disabled: bool

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(user.id, user.email, user.role, user.created_at, user.last_login_at, user.disabled_at is not None)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def normal_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        raise AccountError("INVALID_FIELD", "email", "is not an email address")
    return email


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("INVALID_FIELD", "role", f"must be one of {', '.join(ROLES)}")
    return role


def create_user(session: Session, email: str, password: str | None, role: str = "analyst") -> User:
    """A new user; a None password makes an account that signs in through OIDC only."""
    email = normal_email(email)
    check_role(role)
    if password is not None and (problem := password_problem(password)):
        raise AccountError("INVALID_FIELD", "password", problem)
    if find_user(session, email) is not None:
        raise AccountError("EMAIL_TAKEN", "email", "already has an account")
    user = User(email=email, password_hash=hash_password(password) if password is not None else None, role=role)
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password these are (and not disabled), else None."""
    user = find_user(session, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        return None
    if user.disabled_at is not None:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    return user


def user_for_identity(session: Session, issuer: str, subject: str, email: str | None) -> tuple[User, bool]:
    """The user an OIDC identity signs in as, created on first sign-in; (user, created).

    An identity is linked to an existing account of the same email only when the provider
    says the email is verified (the caller passes None otherwise)."""
    linked = session.get(UserIdentity, (issuer, subject))
    if linked is not None:
        user = session.get(User, linked.user_id)
        assert user is not None  # the foreign key cascades
        return user, False
    if email is None:
        raise AccountError("INVALID_FIELD", "email", "the provider gave no verified email address")
    user = find_user(session, email)
    created = user is None
    if user is None:
        user = create_user(session, email, None)
    session.add(UserIdentity(issuer=issuer, subject=subject, user_id=user.id))
    session.flush()
    return user, created


def set_role(session: Session, user_id: int, role: str) -> tuple[User, str]:
    """Change a user's role; (user, the role before)."""
    check_role(role)
    user = get_user(session, user_id)
    before, user.role = user.role, role
    return user, before


def set_disabled(session: Session, user_id: int, disabled: bool) -> User:
    user = get_user(session, user_id)
    user.disabled_at = (user.disabled_at or datetime.now(UTC)) if disabled else None
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("USER_NOT_FOUND", "id", f"no user {user_id}")
    return user


def list_users(session: Session, *, limit: int = 100, offset: int = 0) -> tuple[list[Account], int]:
    rows = session.scalars(select(User).order_by(User.id).limit(limit).offset(offset)).all()
    total = session.scalar(select(func.count()).select_from(User)) or 0
    return [Account.of(user) for user in rows], total


def count_admins(session: Session) -> int:
    return session.scalar(select(func.count()).where(User.role == "admin", User.disabled_at.is_(None))) or 0
