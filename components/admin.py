"""The admin pages: users and their roles, jobs (start a sync), the audit log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.accounts.tables import AuditEntry
    from data.accounts.users import Account
    from data.jobs import JobInfo

PAGE = "admin"
USERS_TABLE, USERS_NOTICE = ids.of(PAGE, "users-table"), ids.of(PAGE, "users-notice")
ROLE, DISABLED = ids.of(PAGE, "role"), ids.of(PAGE, "disabled")  # the `type` of per-user ids
JOBS_START, JOBS_TABLE = ids.of(PAGE, "jobs-start"), ids.of(PAGE, "jobs-table")
JOBS_NOTICE, JOBS_TICK = ids.of(PAGE, "jobs-notice"), ids.of(PAGE, "jobs-tick")
AUDIT_URL = ids.of(PAGE, "audit-url")  # this page's own view of the address bar
AUDIT_ACTION, AUDIT_ACTOR = ids.of(PAGE, "audit-action"), ids.of(PAGE, "audit-actor")
AUDIT_SINCE, AUDIT_UNTIL = ids.of(PAGE, "audit-since"), ids.of(PAGE, "audit-until")
AUDIT_BEFORE = ids.of(PAGE, "audit-before")  # the keyset page: entries older than this id
AUDIT_TABLE, AUDIT_COUNT = ids.of(PAGE, "audit-table"), ids.of(PAGE, "audit-count")
AUDIT_EXPORT, AUDIT_OLDER = ids.of(PAGE, "audit-export"), ids.of(PAGE, "audit-older")
JOB_TICK_MS = 2_000  # how often the jobs table refreshes while a job is queued or running
STATUS_COLOURS = {"queued": "secondary", "running": "primary", "succeeded": "success", "failed": "danger"}
SECTION_LABELS = {"users": "Users", "jobs": "Jobs", "audit": "Audit log"}


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "—"


def _frame(section: str, body: list) -> html.Div:
    tabs = dbc.Nav(
        [
            dbc.NavItem(dbc.NavLink(label, href=routes.ADMIN + name, active=name == section))
            for name, label in SECTION_LABELS.items()
        ],
        pills=True,
        className="mb-3 admin-sections",
    )
    return html.Div([html.H1("Admin", className="h3"), tabs, *body], className=f"admin-page admin-{section}")


def sign_in_prompt(next_path: str) -> dbc.Alert:
    return dbc.Alert(
        ["The admin pages need an account. ", dcc.Link("Sign in", href=routes.login_href(next_path)), "."],
        color="info",
        className="admin-sign-in",
    )


def needs_admin() -> dbc.Alert:
    return dbc.Alert("This page needs the admin role.", color="warning", className="admin-needed")


def notice(text: str, colour: str = "success") -> dbc.Alert:
    return dbc.Alert(text, color=colour, dismissable=True, className="admin-notice")


def _table(head: Sequence[str], rows: list, class_name: str) -> dbc.Table:
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(label) for label in head])), html.Tbody(rows)],
        size="sm",
        hover=True,
        responsive=True,
        className=class_name,
    )


# --- users ---------------------------------------------------------------------------------


def users_page(users: Sequence[Account], total: int, roles: Sequence[str]) -> html.Div:
    shown = f"{total:,} accounts" if len(users) == total else f"the first {len(users):,} of {total:,} accounts"
    return _frame(
        "users",
        [
            html.P(f"Showing {shown}. Disabling an account ends its sessions; its keys stop working."),
            html.Div(id=USERS_NOTICE),
            html.Div(users_table(users, roles), id=USERS_TABLE),
        ],
    )


def users_table(users: Sequence[Account], roles: Sequence[str]) -> dbc.Table:
    rows = [
        html.Tr(
            [
                html.Td(user.email, className="admin-email"),
                html.Td(
                    dbc.Select(
                        id={"type": ROLE, "user": user.id},
                        options=[{"label": role, "value": role} for role in roles],
                        value=user.role,
                        size="sm",
                    )
                ),
                html.Td(dbc.Switch(id={"type": DISABLED, "user": user.id}, value=user.disabled, label="disabled")),
                html.Td(when(user.created_at)),
                html.Td(when(user.last_login_at)),
            ],
            className="admin-user",
            **{"data-user": str(user.id)},
        )
        for user in users
    ]
    return _table(["Email", "Role", "Account", "Created", "Last sign-in"], rows, "admin-users")


# --- jobs ----------------------------------------------------------------------------------


def jobs_page(jobs: Sequence[JobInfo]) -> html.Div:
    return _frame(
        "jobs",
        [
            html.P("A sync reads what changed on the Hub; `catalog jobs work` or `catalog sync --every` runs it."),
            dbc.Button([html.I(className="bi bi-arrow-repeat me-1"), "Start a sync"], id=JOBS_START, className="mb-3"),
            html.Div(id=JOBS_NOTICE),
            html.Div(jobs_table(jobs), id=JOBS_TABLE),
            dcc.Interval(id=JOBS_TICK, interval=JOB_TICK_MS, disabled=not any(job.active for job in jobs)),
        ],
    )


def jobs_table(jobs: Sequence[JobInfo]) -> html.Div | dbc.Table:
    if not jobs:
        return html.P("No jobs yet.", className="text-muted admin-no-jobs")
    rows = [
        html.Tr(
            [
                html.Td(str(job.id)),
                html.Td(job.kind),
                html.Td(dbc.Badge(job.status, color=STATUS_COLOURS[job.status], className="admin-job-status")),
                html.Td(when(job.requested_at)),
                html.Td(when(job.started_at)),
                html.Td(when(job.finished_at)),
                html.Td(job.error or _outcome(job.summary), className="admin-job-outcome"),
            ],
            className="admin-job",
            **{"data-job": str(job.id)},
        )
        for job in jobs
    ]
    return _table(["#", "Kind", "Status", "Requested", "Started", "Finished", "Outcome"], rows, "admin-jobs")


def _outcome(summary: dict | None) -> str:
    if not summary:
        return ""
    counts = ("new", "updated", "unchanged", "skipped")
    return " · ".join(f"{name} {summary[name]:,}" for name in counts if name in summary)


# --- the audit log -------------------------------------------------------------------------


def audit_page(filters: dict[str, str], actions: Sequence[str]) -> html.Div:
    """`filters`: the query string's (action, actor, since, until, before), as text."""
    controls = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id=AUDIT_ACTION,
                    options=[{"label": action, "value": action} for action in actions],
                    value=filters.get("action"),
                    placeholder="Every action",
                ),
                md=3,
            ),
            dbc.Col(_text(AUDIT_ACTOR, filters.get("actor"), "Actor's email"), md=3),
            dbc.Col(_text(AUDIT_SINCE, filters.get("since"), "Since (2026-01-31)"), md=2),
            dbc.Col(_text(AUDIT_UNTIL, filters.get("until"), "Until (before this time)"), md=2),
            dbc.Col(html.A("Export CSV", id=AUDIT_EXPORT, className="btn btn-outline-secondary w-100"), md=2),
        ],
        className="g-2 mb-2 admin-audit-filters",
    )
    return _frame(
        "audit",
        [
            dcc.Location(id=AUDIT_URL, refresh=False),
            dcc.Store(id=AUDIT_BEFORE, data=filters.get("before")),
            controls,
            html.Div(id=AUDIT_COUNT, className="small text-muted mb-1"),
            html.Div(id=AUDIT_TABLE),
            dcc.Link("Older entries", id=AUDIT_OLDER, href="", className="admin-audit-older"),
        ],
    )


def _text(component_id: str, value: str | None, placeholder: str) -> dcc.Input:
    return dcc.Input(
        id=component_id, value=value or "", placeholder=placeholder, debounce=True, className="form-control"
    )


def audit_table(entries: Sequence[AuditEntry]) -> html.Div | dbc.Table:
    if not entries:
        return html.P("No entries match.", className="text-muted admin-no-entries")
    rows = [
        html.Tr(
            [
                html.Td(when(entry.at)),
                html.Td(entry.actor_email or "—"),
                html.Td(entry.action, className="admin-audit-action"),
                html.Td(f"{entry.target_type} {entry.target_id}" if entry.target_type else ""),
                html.Td(entry.address or ""),
                html.Td(entry.request_id or "", className="small"),
                html.Td(json.dumps(entry.details, sort_keys=True) if entry.details else "", className="small"),
            ],
            className="admin-audit-entry",
            **{"data-entry": str(entry.id)},
        )
        for entry in entries
    ]
    return _table(["When", "Who", "Action", "Target", "Address", "Request", "Details"], rows, "admin-audit")


def audit_count(shown: int, total: int, before: int | None) -> str:
    page = f"the {shown:,} before entry {before}" if before else f"the newest {shown:,}"
    return f"{total:,} matching entries; showing {page}."
