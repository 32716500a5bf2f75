"""The saved searches page (/searches): save the search of `?save=`, list them with what is new,
show the new matches of `?show=` (which counts as a visit), delete one."""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import identity
from callbacks.inputs import text
from components import routes
from components import saved as view
from data.accounts import searches
from data.accounts.users import AccountError
from data.db import Database

Pairs = list[tuple[str, str]]


def layout(db: Database, pairs: Pairs, **path):
    account = identity.signed_in()
    if account is None:
        return view.sign_in_prompt(routes.href(routes.SAVED_SEARCHES, _query_text(pairs))), "Saved searches"
    wanted = dict(pairs)
    to_save = wanted.get("save")
    with db.session() as session:  # the primary, and a visit writes
        news = _visit(session, account.id, wanted.get("show"))
        listed = searches.list_searches(session, account.id)
        session.commit()
    to_save = None if to_save is None else _canonical(to_save)
    return view.saved_page(listed, to_save, news, wanted.get("name", "")[:100]), "Saved searches"


def _query_text(pairs: Pairs) -> str:
    return urlencode(pairs)


def _canonical(query_text: str) -> str:
    try:
        return searches.canonical_query(query_text)
    except AccountError:
        return ""  # a bad query string saves the plain search, as a bad URL shows it


def _visit(session, user_id: int, shown: str | None):
    if shown is None or not shown.isdigit() or len(shown) > 18:
        return None
    try:
        return searches.visit(session, user_id, int(shown))
    except AccountError:
        return None  # not (or no longer) one of theirs: the list says what there is


def save(db: Database, n_submit, name, query_text):
    account = identity.signed_in()
    if not n_submit or account is None:
        raise PreventUpdate
    with db.session() as session:
        try:
            searches.save_search(session, account.id, text(name), text(query_text))
        except AccountError as error:
            return no_update, error.reason.capitalize() + ".", True
        session.commit()
    return routes.SAVED_SEARCHES, "", False


def delete(db: Database, _clicks):
    account = identity.signed_in()
    trigger = ctx.triggered_id
    fired = ctx.triggered and ctx.triggered[0].get("value")
    if account is None or not isinstance(trigger, dict) or not fired or not isinstance(trigger.get("index"), int):
        raise PreventUpdate
    with db.session() as session:
        with suppress(AccountError):  # gone already: the list is redrawn as it is
            searches.delete_search(session, account.id, trigger["index"])
        session.commit()
        return view.saved_list(searches.list_searches(session, account.id))


def register(app: Dash, db: Database) -> None:
    app.callback(
        Output(view.GO_TO, "href"),
        Output(view.SAVE_ERROR, "children"),
        Output(view.SAVE_ERROR, "is_open"),
        Input(view.SAVE_FORM, "n_submit"),
        State(view.SAVE_NAME, "value"),
        State(view.SAVE_QUERY, "data"),
        prevent_initial_call=True,
        optional=True,
    )(lambda n_submit, name, query_text: save(db, n_submit, name, query_text))
    app.callback(
        Output(view.SAVED_LIST, "children"),
        Input({"type": view.DELETE, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
        optional=True,
    )(lambda clicks: delete(db, clicks))
