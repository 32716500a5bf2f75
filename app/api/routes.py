"""Route handlers."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import text

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.errors import ERRORS, ApiError
from data import migrate
from data.db import Database


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    database: Literal["ok"]
    schema_revision: str


@bp.get("/health")
@documented(
    summary="Whether the API and its database answer",
    description="Never cached nor rate limited; 503 when the database is unreachable.",
    response=Health,
    errors=["DATABASE_UNAVAILABLE"],
    tags=["service"],
)
def health():
    database().ping()  # an unreachable database raises: the blueprint answers DATABASE_UNAVAILABLE
    return envelope({"status": "ok", "database": "ok"})


@bp.get("/ready")
@documented(
    summary="Whether this instance can serve traffic",
    description=(
        "Ready when the database answers and its schema is at the revision this code needs. "
        "Never cached nor rate limited; 503 `MIGRATIONS_PENDING` while migrations are pending, "
        "503 `SCHEMA_NEWER_THAN_CODE` when a newer release migrated the database, "
        "503 `DATABASE_UNAVAILABLE` when the database is unreachable."
    ),
    response=Readiness,
    errors=["MIGRATIONS_PENDING", "SCHEMA_NEWER_THAN_CODE", "DATABASE_UNAVAILABLE"],
    tags=["service"],
)
def ready():
    current = schema_revision(database())
    head = code_revision()
    if current is not None and current not in known_revisions():
        raise ApiError("SCHEMA_NEWER_THAN_CODE", {"schema_revision": current, "required_revision": head})
    if current != head:
        raise ApiError(
            "MIGRATIONS_PENDING",
            {"schema_revision": current, "required_revision": head},
            message=ERRORS["MIGRATIONS_PENDING"].message.format(
                schema_revision=current or "no revision", required_revision=head
            ),
        )
    return envelope({"status": "ready", "database": "ok", "schema_revision": current})


def schema_revision(db: Database) -> str | None:
    """The database's Alembic revision, read on the write connection (where migrations land).
    Plain SQL: Alembic's MigrationContext logs two INFO lines per probe."""
    with db.session() as session:
        if session.execute(text("SELECT to_regclass('alembic_version')")).scalar_one() is None:
            return None
        revisions = session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return ",".join(sorted(revisions)) or None  # several heads never equal the one head


@cache
def code_revision() -> str:
    return migrate.head_revision()  # the scripts ship with the code: read them once per process


@cache
def known_revisions() -> frozenset[str]:
    return frozenset(migrate.known_revisions())
