"""The account pages: sign-in and sign-up forms, and the account's own page (profile, sessions,
API keys). The forms talk to the API from the browser (assets/account.js); the data shown here
comes in as plain values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes

if TYPE_CHECKING:  # the data's types only: components run no queries
    from data.accounts.keys import KeyInfo
    from data.accounts.users import Account

FormKind = Literal["login", "signup"]
ACCOUNT_CONFIG = ids.of("account", "config")  # the API paths the browser calls
ACCOUNT_ERROR = ids.of("account", "error")
SIGN_OUT = ids.of("account", "sign-out")
SIGN_OUT_EVERYWHERE = ids.of("account", "sign-out-everywhere")
KEY_FORM = ids.of("account", "key-form")
KEY_NAME = ids.of("account", "key-name")
KEY_ERROR = ids.of("account", "key-error")
NEW_KEY = ids.of("account", "new-key")
NEW_KEY_VALUE = ids.of("account", "new-key-value")
KEYS_CHANGED = ids.of("account", "keys-changed")  # bumped by the browser when it changed a key
KEYS = ids.of("account", "keys")
REVOKE = ids.of("account", "revoke")  # pattern: {"type": REVOKE, "index": key id}
OIDC_SIGN_IN = "oidc-sign-in"


@dataclass(frozen=True)
class FormIds:
    """The ids of a sign-in or sign-up form, one set per kind."""

    form: str
    email: str
    password: str
    error: str
    config: str  # the API path to post to and where a success leads

    @classmethod
    def of(cls, kind: FormKind) -> FormIds:
        return cls(*(ids.of(kind, name) for name in ("form", "email", "password", "error", "config")))


FORMS: dict[FormKind, FormIds] = {"login": FormIds.of("login"), "signup": FormIds.of("signup")}
FORM_TEXT = {
    "login": ("Sign in", "current-password", routes.API_LOGIN),
    "signup": ("Create account", "new-password", routes.API_SIGNUP),
}


def moment(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


# --- sign in and sign up -------------------------------------------------------------------


def credentials_page(
    kind: FormKind, next_path: str, oidc_label: str | None, account: Account | None, failure: str | None = None
) -> html.Div:
    """`next_path`: where a success leads (already checked local); `oidc_label`: the single
    sign-on provider's name, or None when there is none; `failure`: why the last sign-in failed."""
    title, _, _ = FORM_TEXT[kind]
    body = [html.H1(title, className="h3 mb-3")]
    if account is not None:
        body.append(_already_signed_in(account, next_path))
    body.append(_credentials_form(kind, next_path, failure))
    if oidc_label and kind == "login":
        body.append(_oidc_button(oidc_label, next_path))
    body.append(_other_way(kind, next_path))
    return html.Div(dbc.Card(dbc.CardBody(body)), className=f"account-form {kind}-page mx-auto")


def _credentials_form(kind: FormKind, next_path: str, failure: str | None = None) -> dbc.Form:
    form = FORMS[kind]
    title, password_autocomplete, api_path = FORM_TEXT[kind]
    return dbc.Form(
        [
            dcc.Store(id=form.config, data={"path": api_path, "next": next_path}),
            dbc.Alert(failure, id=form.error, color="danger", is_open=failure is not None, className="form-error"),
            dbc.Label("Email", html_for=form.email),
            dbc.Input(id=form.email, type="email", autocomplete="username", required=True, className="mb-3"),
            dbc.Label("Password", html_for=form.password),
            dbc.Input(
                id=form.password, type="password", autocomplete=password_autocomplete, required=True, className="mb-3"
            ),
            dbc.Button(title, type="submit", color="primary", className="w-100 form-submit"),
        ],
        id=form.form,
        prevent_default_on_submit=True,
    )


def _other_way(kind: FormKind, next_path: str) -> html.P:
    if kind == "login":
        return html.P(["No account yet? ", dcc.Link("Sign up", href=routes.signup_href(next_path))], className="mt-3")
    return html.P(["Have an account? ", dcc.Link("Sign in", href=routes.login_href(next_path))], className="mt-3")


def _oidc_button(label: str, next_path: str) -> html.A:
    # A full page load: the provider's redirect starts on the server.
    return html.A(
        f"Sign in with {label}",
        id=OIDC_SIGN_IN,
        href=routes.oidc_login_href(next_path),
        className="btn btn-outline-dark w-100 mt-3",
    )


def _already_signed_in(account: Account, next_path: str) -> dbc.Alert:
    return dbc.Alert(
        [f"You are signed in as {account.email}. ", dcc.Link("Continue", href=next_path)],
        color="info",
        className="already-signed-in",
    )


# --- the account's own page ----------------------------------------------------------------


@dataclass(frozen=True)
class AccountView:
    account: Account
    live_sessions: int
    keys: Sequence[KeyInfo]


def sign_in_prompt() -> html.Div:
    """What a visitor sees at /account: not an error, a way in."""
    return html.Div(
        [
            html.H1("Your account", className="h3"),
            html.P("Sign in to see your account and manage your API keys."),
            dcc.Link(
                "Sign in", href=routes.login_href(routes.ACCOUNT), className="btn btn-primary me-2 prompt-sign-in"
            ),
            dcc.Link("Sign up", href=routes.signup_href(routes.ACCOUNT), className="btn btn-outline-primary"),
        ],
        className="account-prompt",
    )


def account_page(view: AccountView) -> html.Div:
    config = {
        "logout": routes.API_LOGOUT,
        "keys": routes.API_MY_KEYS,
        "after_sign_out": routes.ACCOUNT,
        "everywhere_button": SIGN_OUT_EVERYWHERE,
    }
    return html.Div(
        [
            dcc.Store(id=ACCOUNT_CONFIG, data=config),
            dcc.Store(id=KEYS_CHANGED, data=0),
            html.H1("Your account", className="h3 mb-3"),
            dbc.Alert(id=ACCOUNT_ERROR, color="danger", is_open=False),
            dbc.Row(
                [
                    dbc.Col(_profile(view.account), lg=6, className="mb-3"),
                    dbc.Col(_sessions(view.live_sessions), lg=6, className="mb-3"),
                ]
            ),
            _keys_card(view.keys),
        ],
        className="account-page",
    )


def _profile(account: Account) -> dbc.Card:
    facts = [
        ("Email", account.email),
        ("Role", account.role),
        ("Member since", moment(account.created_at)),
        ("Last sign-in", moment(account.last_login_at)),
    ]
    rows = [
        part
        for label, value in facts
        for part in (html.Dt(label, className="col-5"), html.Dd(value, className="col-7"))
    ]
    return dbc.Card(
        [dbc.CardHeader("Profile"), dbc.CardBody(html.Dl(rows, className="row mb-0 account-profile"))],
        className="h-100",
    )


def _sessions(live: int) -> dbc.Card:
    sessions = "1 live session" if live == 1 else f"{live:,} live sessions"
    return dbc.Card(
        [
            dbc.CardHeader("Sessions"),
            dbc.CardBody(
                [
                    html.P(["You have ", html.Strong(sessions, className="live-sessions"), " (browsers signed in)."]),
                    dbc.Button("Sign out", id=SIGN_OUT, n_clicks=0, color="secondary", className="me-2"),
                    dbc.Button("Sign out everywhere", id=SIGN_OUT_EVERYWHERE, n_clicks=0, color="danger", outline=True),
                ]
            ),
        ],
        className="h-100",
    )


def _keys_card(keys: Sequence[KeyInfo]) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("API keys"),
            dbc.CardBody(
                [
                    html.P(
                        [
                            "Send a key as ",
                            html.Code("Authorization: Bearer <key>"),
                            " to call the ",
                            html.A("API", href=routes.API_DOCS),
                            " as yourself.",
                        ]
                    ),
                    _new_key_form(),
                    _new_key_shown(),
                    html.Div(key_list(keys), id=KEYS),
                ]
            ),
        ],
        id="api-keys",
    )


def _new_key_form() -> dbc.Form:
    return dbc.Form(
        [
            dbc.Alert(id=KEY_ERROR, color="danger", is_open=False),
            dbc.InputGroup(
                [
                    dbc.Input(id=KEY_NAME, placeholder="Name, e.g. laptop", maxLength=100, required=True),
                    dbc.Button("Create key", type="submit", color="primary", className="create-key"),
                ]
            ),
        ],
        id=KEY_FORM,
        prevent_default_on_submit=True,
        className="mb-3",
    )


def _new_key_shown() -> dbc.Alert:
    """Filled in the browser with the key the API answered: never sent back to the server."""
    return dbc.Alert(
        [
            html.Div("Your new key. Copy it now: it will not be shown again.", className="fw-semibold mb-2"),
            html.Div(
                [
                    html.Code(id=NEW_KEY_VALUE, className="new-key-value me-2"),
                    dcc.Clipboard(target_id=NEW_KEY_VALUE, title="Copy the key", className="new-key-copy"),
                ],
                className="d-flex align-items-center",
            ),
        ],
        id=NEW_KEY,
        color="warning",
        is_open=False,
        className="new-key",
    )


def key_list(keys: Sequence[KeyInfo]) -> html.Div | dbc.Table:
    if not keys:
        return html.Div("No keys yet.", className="text-muted no-keys")
    header = html.Thead(html.Tr([html.Th(name) for name in ("Name", "Key", "Created", "Last used", "Status", "")]))
    return dbc.Table([header, html.Tbody([_key_row(key) for key in keys])], responsive=True, className="key-list mb-0")


def _key_row(key: KeyInfo) -> html.Tr:
    revoked = key.revoked_at is not None
    status = f"revoked {moment(key.revoked_at)}" if revoked else "live"
    action = (
        ""
        if revoked
        else dbc.Button(
            "Revoke", id={"type": REVOKE, "index": key.id}, value=key.name, n_clicks=0, color="danger", size="sm"
        )
    )
    return html.Tr(
        [
            html.Td(key.name, className="key-name"),
            html.Td(html.Code(f"{key.prefix}…")),
            html.Td(moment(key.created_at)),
            html.Td(moment(key.last_used_at)),
            html.Td(status, className="key-status"),
            html.Td(action),
        ],
        className="key-revoked" if revoked else "key-live",
    )
