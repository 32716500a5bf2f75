"""Collections: /collections (yours, and a new one), /collections/{id} (one, public or yours),
and the model page's "Add to collection" menu."""

from __future__ import annotations

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks import identity
from callbacks.inputs import text
from components import collections as view
from components import model_page, routes
from data.accounts import collections
from data.accounts.users import AccountError
from data.db import Database

Pairs = list[tuple[str, str]]
TITLE = "Collections"


def layout(db: Database, pairs: Pairs, collection_id: str | None = None, **path):
    account = identity.signed_in()
    if collection_id is not None:
        return one(db, account.id if account else None, collection_id)
    if account is None:
        return view.sign_in_prompt(routes.COLLECTIONS), TITLE
    with db.session(read_only=True) as session:
        return view.collections_page(collections.list_collections(session, account.id)), TITLE


def one(db: Database, reader_id: int | None, collection_id: str):
    try:
        with db.session(read_only=True) as session:
            found = collections.read_collection(session, reader_id, int(collection_id))
    except AccountError as error:
        return view.missing(error.reason), TITLE
    return view.collection_page(found), found.collection.name


def make(db: Database, n_submit, name, public):
    account = identity.signed_in()
    if not n_submit or account is None:
        raise PreventUpdate
    with db.session() as session:
        try:
            collections.create_collection(session, account.id, text(name), public is True)
        except AccountError as error:
            return no_update, error.reason.capitalize() + ".", True, no_update
        session.commit()
        return view.collection_list(collections.list_collections(session, account.id)), "", False, ""


def add(db: Database, _clicks, repo_id):
    account, trigger = identity.signed_in(), ctx.triggered_id
    fired = ctx.triggered and ctx.triggered[0].get("value")
    if account is None or not isinstance(trigger, dict) or not fired or not isinstance(trigger.get("index"), int):
        raise PreventUpdate
    with db.session() as session:
        try:
            collections.put_item(session, account.id, trigger["index"], text(repo_id))
        except AccountError as error:
            return error.reason.capitalize() + "."
        session.commit()
    return "Added."


def register(app: Dash, db: Database) -> None:
    app.callback(
        Output(view.LIST, "children"),
        Output(view.NEW_ERROR, "children"),
        Output(view.NEW_ERROR, "is_open"),
        Output(view.NEW_NAME, "value"),
        Input(view.NEW_FORM, "n_submit"),
        State(view.NEW_NAME, "value"),
        State(view.NEW_PUBLIC, "value"),
        prevent_initial_call=True,
        optional=True,
    )(lambda n_submit, name, public: make(db, n_submit, name, public))
    app.callback(
        Output(view.ADDED, "children"),
        Input({"type": view.ADD_TO, "index": ALL}, "n_clicks"),
        State(model_page.MODEL_ID, "data"),
        prevent_initial_call=True,
        optional=True,
    )(lambda clicks, repo_id: add(db, clicks, repo_id))
