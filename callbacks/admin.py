"""The admin pages (/admin/users, /admin/jobs, /admin/audit), for admins only: checked by the
layout and again by every callback, since anyone can post to a callback. Changes go through
data.accounts.admin, which the API calls too, so both write the same audit rows."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.identity import actor, signed_in
from callbacks.inputs import address_pairs, text
from components import admin as view
from components import routes
from data.accounts import audit
from data.accounts.admin import change_user, start_sync
from data.accounts.tables import ROLES
from data.accounts.users import Account, AccountError, list_users
from data.db import Database
from data.jobs import list_jobs

USERS_SHOWN = 200
JOBS_SHOWN = 20
AUDIT_SHOWN = 50
AUDIT_FILTERS = ("action", "actor", "since", "until", "before")  # the API's names (app/api/admin.py)
MAX_ID = 2**63 - 1


# --- who is asking -------------------------------------------------------------------------


def admin_account() -> Account:
    """The request's admin account; a callback of anyone else does nothing."""
    account = signed_in()
    if account is None or not account.is_admin:
        raise PreventUpdate
    return account


def layout(db: Database, pairs: list[tuple[str, str]], section: str = "users", **path):
    title = f"Admin · {view.SECTION_LABELS.get(section, 'Users')}"
    account = signed_in()
    if account is None:
        return view.sign_in_prompt(routes.href(routes.ADMIN + section, urlencode(pairs))), title
    if not account.is_admin:
        return view.needs_admin(), title
    if section == "jobs":
        return jobs_layout(db), title
    if section == "audit":
        return view.audit_page(filters_in(pairs), list(audit.ACTIONS)), title
    return users_layout(db), title


# --- users ---------------------------------------------------------------------------------


def users_layout(db: Database):
    with db.session() as session:  # the primary: a change shows at once
        users, total = list_users(session, limit=USERS_SHOWN)
    return view.users_page(users, total, ROLES)


def change(db: Database, _roles, _switches):
    """A role picked or an account switched: apply it, then redraw the table as it now is."""
    account = admin_account()
    trigger, fired = ctx.triggered_id, ctx.triggered
    user_id = trigger.get("user") if isinstance(trigger, dict) else None
    if not fired or not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        raise PreventUpdate
    value = fired[0].get("value")
    if trigger.get("type") == view.ROLE:
        wanted = {"role": text(value)}
    elif trigger.get("type") == view.DISABLED and isinstance(value, bool):
        wanted = {"disabled": value}
    else:
        raise PreventUpdate
    with db.session() as session:
        try:
            changed = change_user(session, actor(account), user_id, **wanted)  # type: ignore[arg-type]
            session.commit()
            message = view.notice(_changed(changed, wanted))
        except AccountError as refused:
            session.rollback()
            message = view.notice(f"Refused: {refused.reason}.", "danger")
        users, _ = list_users(session, limit=USERS_SHOWN)
    return message, view.users_table(users, ROLES)


def _changed(account: Account, wanted: dict) -> str:
    if "role" in wanted:
        return f"{account.email} is now {account.role}."
    return f"{account.email} is {'disabled: its sessions ended' if account.disabled else 'enabled again'}."


# --- jobs ----------------------------------------------------------------------------------


def jobs_layout(db: Database):
    with db.session() as session:
        return view.jobs_page(list_jobs(session, JOBS_SHOWN))


def jobs(db: Database, _clicks, _ticks):
    """The table, refreshed every tick while a job is queued or running; the button queues a sync."""
    account = admin_account()
    message = no_update
    with db.session() as session:
        if ctx.triggered_id == view.JOBS_START:
            job, created = start_sync(session, actor(account))
            session.commit()
            text_ = f"Sync job {job.id} queued." if created else f"Sync job {job.id} is already {job.status}."
            message = view.notice(text_)
        shown = list_jobs(session, JOBS_SHOWN)
    return view.jobs_table(shown), not any(job.active for job in shown), message


# --- the audit log -------------------------------------------------------------------------


def filters_in(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The audit filters of a query string, read tolerantly: a value that is no filter is dropped."""
    given = {key: value.strip() for key, value in pairs if key in AUDIT_FILTERS}
    return clean_filters(**given)


def clean_filters(
    action: object = None, actor: object = None, since: object = None, until: object = None, before: object = None
) -> dict[str, str]:
    kept = {}
    if text(action) in audit.ACTIONS:
        kept["action"] = text(action)
    if text(actor).strip():
        kept["actor"] = text(actor).strip()[:254]
    for name, value in (("since", text(since).strip()), ("until", text(until).strip())):
        if moment(value) is not None:
            kept[name] = value
    if text(before).isdigit() and 0 < int(text(before)) <= MAX_ID:
        kept["before"] = text(before)
    return kept


def moment(value: str) -> datetime | None:
    """An ISO 8601 time or date (UTC when it says no offset), as the API reads `since` and `until`."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def audit_filter(filters: dict[str, str]) -> audit.AuditFilter:
    return audit.AuditFilter(
        action=filters.get("action"),
        actor_email=filters.get("actor"),
        since=moment(filters["since"]) if "since" in filters else None,
        until=moment(filters["until"]) if "until" in filters else None,
        before_id=int(filters["before"]) if "before" in filters else None,
    )


def sync_audit_address(action, actor_text, since, until, search_string, pathname):
    """Filters typed go to the address bar (from the newest entry); back, forward and the
    "Older" link bring the address's filters and page back to the controls."""
    if ctx.triggered_id == view.AUDIT_URL:
        if not isinstance(search_string, str) or text(pathname).rstrip("/") != routes.ADMIN_AUDIT:
            raise PreventUpdate
        found = filters_in(address_pairs(search_string))
        values = [found.get(name) for name in ("action", "actor", "since", "until")]
        return values[0], values[1] or "", values[2] or "", values[3] or "", found.get("before"), no_update
    typed = clean_filters(action, actor_text, since, until)
    wanted = routes.search_string(urlencode(sorted(typed.items())))
    return no_update, no_update, no_update, no_update, None, (wanted if wanted != search_string else no_update)


def audit_view(db: Database, action, actor_text, since, until, before):
    admin_account()
    filters = clean_filters(action, actor_text, since, until, before)
    where = audit_filter(filters)
    with db.session() as session:
        rows = audit.entries(session, where, AUDIT_SHOWN + 1)
        total = audit.count(session, where)
    shown, more = rows[:AUDIT_SHOWN], len(rows) > AUDIT_SHOWN
    unpaged = {name: value for name, value in filters.items() if name != "before"}
    older = routes.admin_audit_href({**unpaged, "before": str(shown[-1].id)}) if more else ""
    return (
        view.audit_table(shown),
        view.audit_count(len(shown), total, where.before_id),
        routes.api_audit_csv_href(unpaged),
        older,
        {} if more else {"display": "none"},
    )


def register(app: Dash, db: Database) -> None:
    # optional: the pages' components exist only while they are shown
    app.callback(
        Output(view.USERS_NOTICE, "children"),
        Output(view.USERS_TABLE, "children"),
        Input({"type": view.ROLE, "user": ALL}, "value"),
        Input({"type": view.DISABLED, "user": ALL}, "value"),
        prevent_initial_call=True,
        optional=True,
    )(lambda roles, switches: change(db, roles, switches))
    app.callback(
        Output(view.JOBS_TABLE, "children"),
        Output(view.JOBS_TICK, "disabled"),
        Output(view.JOBS_NOTICE, "children"),
        Input(view.JOBS_START, "n_clicks"),
        Input(view.JOBS_TICK, "n_intervals"),
        prevent_initial_call=True,
        optional=True,
    )(lambda clicks, ticks: jobs(db, clicks, ticks))
    controls = [view.AUDIT_ACTION, view.AUDIT_ACTOR, view.AUDIT_SINCE, view.AUDIT_UNTIL]
    app.callback(
        *(Output(control, "value") for control in controls),
        Output(view.AUDIT_BEFORE, "data"),
        Output(view.AUDIT_URL, "search"),
        *(Input(control, "value") for control in controls),
        Input(view.AUDIT_URL, "search"),
        State(view.AUDIT_URL, "pathname"),
        prevent_initial_call=True,
        optional=True,
    )(sync_audit_address)
    app.callback(
        Output(view.AUDIT_TABLE, "children"),
        Output(view.AUDIT_COUNT, "children"),
        Output(view.AUDIT_EXPORT, "href"),
        Output(view.AUDIT_OLDER, "href"),
        Output(view.AUDIT_OLDER, "style"),
        *(Input(control, "value") for control in controls),
        Input(view.AUDIT_BEFORE, "data"),
        optional=True,
    )(lambda action, actor_text, since, until, before: audit_view(db, action, actor_text, since, until, before))
