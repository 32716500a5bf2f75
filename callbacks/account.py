"""The account pages: /login, /signup and /account.

Signing in, up and out and changing keys go through the API from the browser
(assets/account.js), so validation, errors, CSRF, the throttle and the audit log have one
code path (app/api/accounts.py). What the pages show is read here with the same data functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dash import ALL, ClientsideFunction, Dash, Input, Output, State

from app.api.errors import sign_in_failure
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
    failure = sign_in_failure(dict(pairs).get("error"))  # a known code's fixed message: nothing echoed
    page = view.credentials_page("login", next_path(pairs), identity.oidc_label(), identity.signed_in(), failure)
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


def _in_browser(app: Dash, function_name: str, *dependencies) -> None:
    """A clientside callback of assets/account.js over components that exist only while their
    page is shown: optional, as the server's callbacks of pages are (else the renderer logs
    their ids missing on every other page). Dash 4.4's clientside_callback drops `optional=`
    (plotly/dash#3897 adds it), so the flag is set on the spec it just appended."""
    function = ClientsideFunction(namespace="account", function_name=function_name)
    app.clientside_callback(function, *dependencies, prevent_initial_call=True)
    app._callback_list[-1]["optional"] = True


def register(app: Dash, db: Database) -> None:
    for form in view.FORMS.values():
        _in_browser(
            app,
            "submitCredentials",
            Output(form.error, "children"),
            Output(form.error, "is_open"),
            Input(form.form, "n_submit"),
            State(form.email, "value"),
            State(form.password, "value"),
            State(form.config, "data"),
        )
    _in_browser(
        app,
        "navSignOut",
        Output(shell.NAV_SIGN_OUT, "disabled"),
        Input(shell.NAV_SIGN_OUT, "n_clicks"),
        State(shell.NAV_LOGOUT_PATH, "data"),
    )
    _in_browser(
        app,
        "signOut",
        Output(view.ACCOUNT_ERROR, "children"),
        Output(view.ACCOUNT_ERROR, "is_open"),
        Input(view.SIGN_OUT, "n_clicks"),
        Input(view.SIGN_OUT_EVERYWHERE, "n_clicks"),
        State(view.ACCOUNT_CONFIG, "data"),
    )
    _in_browser(
        app,
        "createKey",
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
    )
    _in_browser(
        app,
        "revokeKey",
        Output(view.KEY_ERROR, "children", allow_duplicate=True),
        Output(view.KEY_ERROR, "is_open", allow_duplicate=True),
        Output(view.KEYS_CHANGED, "data", allow_duplicate=True),
        Input({"type": view.REVOKE, "index": ALL}, "n_clicks"),
        State({"type": view.REVOKE, "index": ALL}, "value"),
        State(view.ACCOUNT_CONFIG, "data"),
        State(view.KEYS_CHANGED, "data"),
    )
    app.callback(
        Output(view.KEYS, "children"), Input(view.KEYS_CHANGED, "data"), prevent_initial_call=True, optional=True
    )(lambda changed: render_keys(db))


LOGIN = Page(login_layout)
SIGNUP = Page(signup_layout)
ACCOUNT = Page(account_layout, register)
