"""`catalog users`: accounts made, listed and promoted from the command line, against a real
database (each test its own: the commands commit)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import termios
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from app.cli import main
from data.accounts.tables import AuditEntry, User
from data.accounts.users import authenticate
from data.db import Database

PASSWORD = "correct horse battery"


@pytest.fixture
def url(fresh_database_url) -> str:
    return fresh_database_url


def run(url: str, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["users", *args], input=input, env={"CATALOG_DATABASE_URL": url})


def state(url: str) -> tuple[dict[str, str], list[AuditEntry]]:
    """({email: role}, the audit entries oldest first)."""
    db = Database.from_urls(url)
    with db.session(read_only=True) as session:
        roles = dict(session.execute(select(User.email, User.role)).all())
        audit = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all())
    db.dispose()
    return roles, audit


def user_id(url: str, email: str) -> str:
    db = Database.from_urls(url)
    with db.session(read_only=True) as session:
        found = session.scalar(select(User.id).where(User.email == email))
    db.dispose()
    return str(found)


def signs_in(url: str, email: str, password: str) -> bool:
    db = Database.from_urls(url)
    with db.session() as session:
        signed_in = authenticate(session, email, password) is not None
    db.dispose()
    return signed_in


def test_create_reads_the_password_from_standard_input_and_audits(url):
    result = run(url, "create", "Ana@Example.com", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created ana@example.com (analyst" in result.output
    roles, audit = state(url)
    assert roles == {"ana@example.com": "analyst"}
    assert signs_in(url, "ana@example.com", PASSWORD)
    [entry] = audit
    assert (entry.action, entry.actor_id, entry.target_type) == ("user.create", None, "user")
    assert entry.details == {"role": "analyst", "via": "cli"}
    assert PASSWORD not in result.output and PASSWORD not in str(entry.details)


def test_create_admin(url):
    result = run(url, "create", "root@example.com", "--admin", input=PASSWORD)  # no final newline
    assert result.exit_code == 0, result.output
    assert state(url)[0] == {"root@example.com": "admin"}
    assert signs_in(url, "root@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "says"),
    [
        ("short@example.com", "tiny\n", "password must be at least 10 characters"),
        ("not-an-email", PASSWORD + "\n", "INVALID_FIELD: email is not an email address"),
        ("empty@example.com", "", "no password"),
        ("blank@example.com", "\n", "no password"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(url, email, password, says):
    result = run(url, "create", email, input=password)
    assert result.exit_code == 1 and says in result.output
    assert state(url) == ({}, [])


def test_create_refuses_a_taken_email_and_writes_nothing(url):
    assert run(url, "create", "ana@example.com", input=PASSWORD).exit_code == 0
    result = run(url, "create", "ANA@example.com", "--admin", input="another password\n")
    assert result.exit_code == 1 and "EMAIL_TAKEN" in result.output
    roles, audit = state(url)
    assert roles == {"ana@example.com": "analyst"} and len(audit) == 1
    assert signs_in(url, "ana@example.com", PASSWORD)


def test_list_shows_every_account(url):
    empty = run(url, "list")
    assert empty.exit_code == 0 and "no accounts yet" in empty.output
    run(url, "create", "root@example.com", "--admin", input=PASSWORD)
    run(url, "create", "ana@example.com", input=PASSWORD)
    lines = run(url, "list").stdout.splitlines()  # the hint and the logs go to standard error
    assert [line.split("\t")[1:4] for line in lines] == [
        ["root@example.com", "admin", "active"],
        ["ana@example.com", "analyst", "active"],
    ]
    assert all(line.endswith("\tnever") for line in lines)


def test_set_role_promotes_and_demotes_with_audit(url):
    run(url, "create", "root@example.com", "--admin", input=PASSWORD)
    run(url, "create", "ana@example.com", input=PASSWORD)
    promoted = run(url, "set-role", "Ana@example.com", "admin")
    assert promoted.exit_code == 0 and "analyst -> admin" in promoted.output
    assert run(url, "set-role", "root@example.com", "analyst").exit_code == 0  # another admin is left
    roles, audit = state(url)
    assert roles == {"root@example.com": "analyst", "ana@example.com": "admin"}
    changes = [(e.action, e.target_id, e.details) for e in audit if e.action == "user.role_change"]
    ana, root = (user_id(url, email) for email in ("ana@example.com", "root@example.com"))
    assert changes == [
        ("user.role_change", ana, {"before": "analyst", "after": "admin", "via": "cli"}),
        ("user.role_change", root, {"before": "admin", "after": "analyst", "via": "cli"}),
    ]


def test_set_role_refuses_to_demote_the_last_admin(url):
    run(url, "create", "root@example.com", "--admin", input=PASSWORD)
    result = run(url, "set-role", "root@example.com", "analyst")
    assert result.exit_code == 1 and "LAST_ADMIN" in result.output
    roles, audit = state(url)
    assert roles == {"root@example.com": "admin"} and [e.action for e in audit] == ["user.create"]


def test_set_role_of_nobody_or_to_an_unknown_role(url):
    missing = run(url, "set-role", "ghost@example.com", "admin")
    assert missing.exit_code == 1 and "USER_NOT_FOUND" in missing.output
    run(url, "create", "ana@example.com", input=PASSWORD)
    unknown = run(url, "set-role", "ana@example.com", "owner")
    assert unknown.exit_code == 2 and "'owner' is not one of 'analyst', 'admin'" in unknown.output
    same = run(url, "set-role", "ana@example.com", "analyst")
    assert same.exit_code == 0 and "already analyst" in same.output
    assert len(state(url)[1]) == 1  # nothing changed, nothing audited


def command(url: str, *args: str):
    environment = os.environ | {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_LEVEL": "WARNING"}
    return [sys.executable, "-m", "app.cli", "users", *args], environment


def test_create_through_a_real_pipe(url):
    args, environment = command(url, "create", "piped@example.com", "--admin")
    done = subprocess.run(args, env=environment, input=PASSWORD + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert state(url)[0] == {"piped@example.com": "admin"}
    assert signs_in(url, "piped@example.com", PASSWORD)
    assert PASSWORD not in done.stdout + done.stderr


def _controlling_terminal(fd: int):
    def become() -> None:  # a session whose terminal is the pty: getpass reads /dev/tty
        os.setsid()
        fcntl.ioctl(fd, termios.TIOCSCTTY, 0)

    return become


def read_until(fd: int, wanted: bytes, seconds: float = 60) -> bytes:
    seen, deadline = b"", time.monotonic() + seconds
    while wanted not in seen:
        if time.monotonic() > deadline:
            raise TimeoutError(f"never saw {wanted!r} in {seen!r}")
        try:
            seen += os.read(fd, 1024)
        except OSError:  # the pty closed: the process ended
            break
    return seen


def test_create_on_a_terminal_asks_twice_without_echo(url):
    args, environment = command(url, "create", "typed@example.com")
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        args,
        env=environment,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        preexec_fn=_controlling_terminal(terminal),
    )
    os.close(terminal)
    try:
        read_until(controller, b"Password:")
        os.write(controller, PASSWORD.encode() + b"\n")
        read_until(controller, b"Repeat for confirmation:")
        os.write(controller, PASSWORD.encode() + b"\n")
        output = read_until(controller, b"created typed@example.com")
        assert process.wait(30) == 0
    finally:
        process.kill()
        os.close(controller)
    assert PASSWORD.encode() not in output  # hidden input: never echoed
    assert state(url)[0] == {"typed@example.com": "analyst"}
