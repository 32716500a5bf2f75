"""What admins do, each with its audit row: change a user's role, disable or enable an
account, start a sync. The API and the dashboard's admin pages call these same functions;
the caller commits (the change and its audit row land together)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.accounts import audit
from data.accounts.sessions import revoke_all_sessions
from data.accounts.tables import User
from data.accounts.users import Account, AccountError, check_role, get_user, set_disabled, set_role
from data.jobs import JobInfo, enqueue_sync


def change_user(
    session: Session, actor: audit.Actor, user_id: int, *, role: str | None = None, disabled: bool | None = None
) -> Account:
    """Set a user's role and/or disabled state; refuses (LAST_ADMIN) to leave no live admin.
    Disabling ends the user's sessions (its keys stop working: they check the account)."""
    if role is not None:
        check_role(role)
    user = get_user(session, user_id)
    if _loses_an_admin(user, role, disabled) and _live_admins(session) <= 1:
        raise AccountError("LAST_ADMIN", "id", f"user {user_id} is the last admin")
    if role is not None and role != user.role:
        user, before = set_role(session, user.id, role)
        audit.record(
            session, "user.role_change", actor, target_type="user", target_id=user.id, before=before, after=role
        )
    if disabled is not None and disabled != (user.disabled_at is not None):
        _set_disabled(session, actor, user, disabled)
    session.flush()
    return Account.of(user)


def _loses_an_admin(user: User, role: str | None, disabled: bool | None) -> bool:
    live_admin = user.role == "admin" and user.disabled_at is None
    return live_admin and ((role is not None and role != "admin") or disabled is True)


def _live_admins(session: Session) -> int:
    """Locks the live admins' rows: two admins demoting each other at once cannot both pass."""
    query = select(User.id).where(User.role == "admin", User.disabled_at.is_(None)).with_for_update()
    return len(session.scalars(query).all())


def _set_disabled(session: Session, actor: audit.Actor, user: User, disabled: bool) -> None:
    set_disabled(session, user.id, disabled)
    if disabled:
        ended = revoke_all_sessions(session, user.id)
        audit.record(session, "user.disable", actor, target_type="user", target_id=user.id, sessions_ended=ended)
    else:
        audit.record(session, "user.enable", actor, target_type="user", target_id=user.id)


def start_sync(session: Session, actor: audit.Actor) -> tuple[JobInfo, bool]:
    """Queue a sync (or join the one queued or running); (job, whether new)."""
    job, created = enqueue_sync(session, actor.user_id)
    audit.record(session, "admin.sync_start", actor, target_type="job", target_id=job.id, joined_existing=not created)
    return job, created
