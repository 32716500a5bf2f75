"""The account pages: /login, /signup and /account.

Signing in, up and out and changing keys go through the API from the browser
(assets/account.js), so validation, errors, CSRF, the throttle and the audit log have one
code path (app/api/accounts.py). What the pages show is read here with the same data functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash import ALL, ClientsideFunction, Dash, Input, Output, State

from callbacks import identity
from components import account as view
from components import routes, shell
from data.accounts.keys import list_keys
from data.accounts.sessions import live_session_count
from data.db import Database

Pairs = list[tuple[str, str]]


def _no_callbacks(app: Dash, db: Database) -> None:
    """The sign-in and sign-up pages' callbacks are registered with the account page's."""


@dataclass(frozen=True)
class Page:
    """What the router needs of a page (callbacks/router.py)."""

    layout: Callable[..., tuple]
    register: Callable[[Dash, Database], None] = _no_callbacks


def next_path(pairs: Pairs) -> str:
    """The `?next=` of the address, when it is a path on this site."""
    return routes.local_path(dict(pairs).get("next"))


def login_layout(db: Database, pairs: Pairs, **path):
    page = view.credentials_page("login", next_path(pairs), identity.oidc_label(), identity.signed_in())
    return page, "Sign in"


def signup_layout(db: Database, pairs: Pairs, **path):
    return view.credentials_page("signup", next_path(pairs), None, identity.signed_in()), "Sign up"


def account_layout(db: Database, pairs: Pairs, **path):
    account = identity.signed_in()
    if account is None:
        return view.sign_in_prompt(), "Your account"
    with db.session() as session:  # the primary: a key made a moment ago is listed
        live = live_session_count(session, account.id)
        keys = list_keys(session, account.id)
    return view.account_page(view.AccountView(account, live, keys)), "Your account"


def render_keys(db: Database):
    """The key list again, after the browser created or revoked one."""
    account = identity.signed_in()
    if account is None:  # signed out meanwhile (say, everywhere, from another browser)
        return view.sign_in_prompt()
    with db.session() as session:
        return view.key_list(list_keys(session, account.id))


def _browser(function_name: str) -> ClientsideFunction:
    return ClientsideFunction(namespace="account", function_name=function_name)


def register(app: Dash, db: Database) -> None:
    # optional: the pages' components exist only while a page is shown, not in the first layout
    for form in view.FORMS.values():
        app.clientside_callback(
            _browser("submitCredentials"),
            Output(form.error, "children"),
            Output(form.error, "is_open"),
            Input(form.form, "n_submit"),
            State(form.email, "value"),
            State(form.password, "value"),
            State(form.config, "data"),
            prevent_initial_call=True,
            optional=True,
        )
    app.clientside_callback(
        _browser("navSignOut"),
        Output(shell.NAV_SIGN_OUT, "disabled"),
        Input(shell.NAV_SIGN_OUT, "n_clicks"),
        State(shell.NAV_LOGOUT_PATH, "data"),
        prevent_initial_call=True,
        optional=True,  # in the navbar of an account only
    )
    app.clientside_callback(
        _browser("signOut"),
        Output(view.ACCOUNT_ERROR, "children"),
        Output(view.ACCOUNT_ERROR, "is_open"),
        Input(view.SIGN_OUT, "n_clicks"),
        Input(view.SIGN_OUT_EVERYWHERE, "n_clicks"),
        State(view.ACCOUNT_CONFIG, "data"),
        prevent_initial_call=True,
        optional=True,
    )
    app.clientside_callback(
        _browser("createKey"),
        Output(view.KEY_ERROR, "children"),
        Output(view.KEY_ERROR, "is_open"),
        Output(view.NEW_KEY_VALUE, "children"),
        Output(view.NEW_KEY, "is_open"),
        Output(view.KEY_NAME, "value"),
        Output(view.KEYS_CHANGED, "data"),
        Input(view.KEY_FORM, "n_submit"),
        State(view.KEY_NAME, "value"),
        State(view.ACCOUNT_CONFIG, "data"),
        State(view.KEYS_CHANGED, "data"),
        prevent_initial_call=True,
        optional=True,
    )
    app.clientside_callback(
        _browser("revokeKey"),
        Output(view.KEY_ERROR, "children", allow_duplicate=True),
        Output(view.KEY_ERROR, "is_open", allow_duplicate=True),
        Output(view.KEYS_CHANGED, "data", allow_duplicate=True),
        Input({"type": view.REVOKE, "index": ALL}, "n_clicks"),
        State({"type": view.REVOKE, "index": ALL}, "value"),
        State(view.ACCOUNT_CONFIG, "data"),
        State(view.KEYS_CHANGED, "data"),
        prevent_initial_call=True,
        optional=True,
    )
    app.callback(
        Output(view.KEYS, "children"), Input(view.KEYS_CHANGED, "data"), prevent_initial_call=True, optional=True
    )(lambda changed: render_keys(db))


LOGIN = Page(login_layout)
SIGNUP = Page(signup_layout)
ACCOUNT = Page(account_layout, register)
