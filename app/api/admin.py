"""Admin routes under /api/v1/admin: users and their roles, jobs (start a sync), the audit log
(filtered, paged, exported as CSV). Every route needs the admin role; the dashboard's admin
pages call the same data functions (data.accounts.admin), with the same audit rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from flask import Response, stream_with_context
from pydantic import BaseModel, Field, field_validator

from app.api import bp, database, envelope
from app.api.accounts import BODY_ERRORS, ID, MAX_ID, SIGNED_IN_ERRORS
from app.api.catalog import _drain, csv_cell
from app.api.docs import documented, parse_body, parse_query
from app.api.errors import ApiError
from app.auth.identity import current_identity, requires
from data.accounts import audit
from data.accounts.admin import change_user, start_sync
from data.accounts.tables import JOB_KINDS, ROLES, AuditEntry
from data.accounts.users import Account, list_users
from data.jobs import JobInfo, get_job, list_jobs

ADMIN_ERRORS = [*SIGNED_IN_ERRORS, "ROLE_REQUIRED"]
AUDIT_COLUMNS = list(AuditEntry.__table__.columns.keys())


class AdminUser(BaseModel):
    id: int
    email: str
    role: Literal[ROLES]  # type: ignore[valid-type]
    created_at: datetime
    last_login_at: datetime | None
    disabled: bool


class UsersParams(BaseModel):
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(50, ge=1, le=100)


class UserChange(BaseModel):
    role: Literal[ROLES] | None = Field(None, description="The new role.")  # type: ignore[valid-type]
    disabled: bool | None = Field(None, description="Disable (ends the user's sessions; keys stop working) or enable.")


class JobOut(BaseModel):
    id: int
    kind: Literal[JOB_KINDS]  # type: ignore[valid-type]
    status: Literal["queued", "running", "succeeded", "failed"]
    requested_by: int | None
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] | None
    error: str | None


class JobRequest(BaseModel):
    kind: Literal[JOB_KINDS] = Field(description="What to run: `sync` (the Hub, as `catalog sync`).")  # type: ignore[valid-type]


class JobsParams(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    before: int | None = Field(None, ge=1, le=MAX_ID, description="Older than this id (the last page's `next`).")


class AuditParams(BaseModel):
    action: Literal[tuple(audit.ACTIONS)] | None = Field(  # type: ignore[valid-type]
        None, description="One action of the audit vocabulary."
    )
    actor: str | None = Field(None, max_length=254, description="The actor's email address.")
    since: datetime | None = Field(None, description="Entries at or after this time (ISO 8601; UTC when no offset).")
    until: datetime | None = Field(None, description="Entries before this time.")
    before: int | None = Field(None, ge=1, le=MAX_ID, description="Older than this id (the last page's `next`).")
    limit: int = Field(100, ge=1, le=audit.MAX_PAGE)
    format: Literal["json", "csv"] = Field("json", description="csv: every matching entry, streamed, with a header row")

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    def where(self) -> audit.AuditFilter:
        return audit.AuditFilter(
            action=self.action, actor_email=self.actor, since=self.since, until=self.until, before_id=self.before
        )


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str | None
    action: str
    target_type: str | None
    target_id: str | None
    address: str | None
    request_id: str | None
    details: dict[str, Any]


def _user(account: Account) -> dict:
    return AdminUser.model_validate(account, from_attributes=True).model_dump(mode="json")


def _job(job: JobInfo) -> dict:
    return JobOut.model_validate(job, from_attributes=True).model_dump(mode="json")


# --- users ---------------------------------------------------------------------------------


@bp.get("/admin/users")
@documented(
    summary="Every account, oldest first (paged)",
    params=UsersParams,
    response=list[AdminUser],
    errors=["INVALID_PARAMETER", *ADMIN_ERRORS],
    tags=["admin"],
)
@requires("admin")
def admin_users():
    params = parse_query(UsersParams)
    with database().session(read_only=True) as session:
        users, total = list_users(session, limit=params.per_page, offset=(params.page - 1) * params.per_page)
    return envelope([_user(user) for user in users], page=params.page, per_page=params.per_page, total=total)


@bp.patch(f"/admin/users/<{ID}:user_id>")
@documented(
    summary="Change a user's role, or disable or enable the account",
    description="Refused (409 `LAST_ADMIN`) when it would leave no enabled admin.",
    body=UserChange,
    response=AdminUser,
    errors=[*BODY_ERRORS, *ADMIN_ERRORS, "USER_NOT_FOUND", "LAST_ADMIN"],
    tags=["admin"],
)
@requires("admin")
def admin_change_user(user_id: int):
    body = parse_body(UserChange)
    if body.role is None and body.disabled is None:
        raise ApiError("INVALID_BODY", {"reason": "give `role`, `disabled` or both"})
    with database().session() as session:
        account = change_user(session, current_identity().actor(), user_id, role=body.role, disabled=body.disabled)
        session.commit()
    return envelope(_user(account))


# --- jobs ----------------------------------------------------------------------------------


@bp.post("/admin/jobs")
@documented(
    summary="Start a sync: queue it for `catalog jobs work` or `catalog sync --every`",
    description=(
        "At most one sync is queued or running: asking again answers that one "
        "(`meta.created` false) rather than queueing a second."
    ),
    body=JobRequest,
    response=JobOut,
    status=202,
    errors=[*BODY_ERRORS, *ADMIN_ERRORS],
    tags=["admin"],
)
@requires("admin")
def admin_start_job():
    parse_body(JobRequest)
    with database().session() as session:
        job, created = start_sync(session, current_identity().actor())
        session.commit()
    return envelope(_job(job), created=created), 202


@bp.get("/admin/jobs")
@documented(
    summary="Jobs, newest first",
    params=JobsParams,
    response=list[JobOut],
    errors=["INVALID_PARAMETER", *ADMIN_ERRORS],
    tags=["admin"],
)
@requires("admin")
def admin_jobs():
    params = parse_query(JobsParams)
    with database().session() as session:  # the primary: a job's progress, not a replica's lag
        jobs = list_jobs(session, params.limit + 1, params.before)
    page, more = jobs[: params.limit], len(jobs) > params.limit
    return envelope([_job(job) for job in page], count=len(page), next=page[-1].id if more else None)


@bp.get(f"/admin/jobs/<{ID}:job_id>")
@documented(summary="One job", response=JobOut, errors=[*ADMIN_ERRORS, "JOB_NOT_FOUND"], tags=["admin"])
@requires("admin")
def admin_job(job_id: int):
    with database().session() as session:
        job = get_job(session, job_id)
    return envelope(_job(job))


# --- the audit log -------------------------------------------------------------------------


@bp.get("/admin/audit")
@documented(
    summary="The audit log, newest first: filtered, paged by `before`, or every match as CSV",
    description="meta: `count` (every entry matching the filters), `next` (the `before` of the next page).",
    params=AuditParams,
    response=list[AuditOut],
    errors=["INVALID_PARAMETER", *ADMIN_ERRORS],
    tags=["admin"],
    other_formats={"text/csv": "format=csv: a header row, then every matching entry (newest first)"},
)
@requires("admin")
def admin_audit():
    params = parse_query(AuditParams)
    where = params.where()
    if params.format == "csv":
        return _audit_csv(where)
    with database().session(read_only=True) as session:
        rows = audit.entries(session, where, params.limit + 1)
        total = audit.count(session, where)
    page, more = rows[: params.limit], len(rows) > params.limit
    return envelope([audit.as_dict(row) for row in page], count=total, next=page[-1].id if more else None)


def _audit_csv(where: audit.AuditFilter) -> Response:
    """Streamed in keyset pages; the export is itself audited, with its filters, before it starts.
    Chunks are bytes: gunicorn refuses str."""
    db = database()
    with db.session() as session:
        audit.record(session, "admin.audit_export", current_identity().actor(), filters=_filters(where))
        session.commit()
    response = Response(stream_with_context(_audit_rows(db, where)), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    response.direct_passthrough = True  # streamed: no ETag, no compression of the whole body
    return response


def _audit_rows(db, where: audit.AuditFilter) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_COLUMNS)
    while True:
        with db.session(read_only=True) as session:
            page = [audit.as_dict(row) for row in audit.entries(session, where, audit.MAX_PAGE)]
        for entry in page:
            entry["details"] = json.dumps(entry["details"], sort_keys=True)
            writer.writerow([csv_cell(entry[column]) for column in AUDIT_COLUMNS])
        yield _drain(buffer)
        if len(page) < audit.MAX_PAGE:
            return
        where = replace(where, before_id=page[-1]["id"])


def _filters(where: audit.AuditFilter) -> dict[str, str]:
    """The export's filters, for its audit row (times as ISO 8601)."""
    given = {name: value for name, value in vars(where).items() if value is not None}
    return {name: value.isoformat() if isinstance(value, datetime) else str(value) for name, value in given.items()}
