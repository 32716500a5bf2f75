"""`catalog users`: make accounts (the first admin among them), list them, change roles."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from app.cli_schema import open_current_database
from app.settings import Settings
from data.accounts import users
from data.accounts.admin import change_user
from data.accounts.audit import Actor, record
from data.accounts.tables import ROLES

CLI_ACTOR = Actor(via="cli")  # no user, no address
LIST_PAGE = 500


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """A session on a current schema (an empty embedded database is migrated first); account
    errors become one clear line and exit code 1, and nothing is committed."""
    db = open_current_database(settings)
    try:
        with db.session() as session:
            yield session
    except users.AccountError as error:
        raise click.ClickException(f"{error.code}: {error.field} {error.reason}") from None
    finally:
        db.dispose()


def read_password() -> str:
    """Asked twice, unseen, on a terminal; else the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.ClickException("no password: give it on standard input (one line)")
    return password


@click.group("users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="make an admin (else an analyst)")
@click.pass_obj
def create(settings: Settings, email: str, admin: bool) -> None:
    """Create an account for EMAIL; its password is read from standard input."""
    password = read_password()
    role = "admin" if admin else "analyst"
    with _session(settings) as session:
        user = users.create_user(session, email, password, role)
        record(session, "user.create", CLI_ACTOR, target_type="user", target_id=user.id, role=role)
        session.commit()
        click.echo(f"created {user.email} ({role}, id {user.id})")


@users_group.command("list")
@click.pass_obj
def list_command(settings: Settings) -> None:
    """Every account: id, email, role, status and last sign-in."""
    with _session(settings) as session:
        offset, total = 0, 1
        while offset < total:
            accounts, total = users.list_users(session, limit=LIST_PAGE, offset=offset)
            for account in accounts:
                status = "disabled" if account.disabled else "active"
                last = account.last_login_at.isoformat(timespec="seconds") if account.last_login_at else "never"
                click.echo(f"{account.id}\t{account.email}\t{account.role}\t{status}\t{last}")
            offset += LIST_PAGE
        if total == 0:
            click.echo("no accounts yet: catalog users create EMAIL --admin", err=True)


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_obj
def set_role(settings: Settings, email: str, role: str) -> None:
    """Give the account of EMAIL the ROLE; the last active admin cannot be demoted."""
    with _session(settings) as session:
        user = users.find_user(session, email)
        if user is None:
            raise users.AccountError("USER_NOT_FOUND", "email", f"no account has {email}")
        before = user.role
        change_user(session, CLI_ACTOR, user.id, role=role)  # the admin pages' rule and audit row
        session.commit()
    click.echo(f"{email.strip().lower()}: {before} -> {role}" if before != role else f"{email} is already {role}")
