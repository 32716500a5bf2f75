"""The frame around every page: navbar, address bar and page container."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from data.live import POLL_SECONDS

if TYPE_CHECKING:  # a plain value handed in by the layout: components read no request
    from data.accounts.users import Account

NAV_LINKS = (
    ("Search", routes.SEARCH),
    ("New", routes.LIVE),
    ("Trending", routes.TRENDING),
    ("Analytics", routes.ANALYTICS),
)
LIVE_CONFIG = {  # what assets/live.js needs to know
    "store": ids.LIVE_EVENT,
    "status": ids.LIVE_STATUS,
    "stream": routes.API_LIVE_STREAM,
    "poll": routes.API_LIVE,
    "poll_seconds": POLL_SECONDS,
}
NAV_ACCOUNT = ids.of("nav", "account")
NAV_SIGN_OUT = ids.of("nav", "sign-out")
NAV_LOGOUT_PATH = ids.of("nav", "logout-path")  # what the browser posts to sign out (assets/account.js)


def navbar(account: Account | None = None) -> dbc.Navbar:
    """Links in a row on wide screens; behind a toggler on narrow ones."""
    links = [dbc.NavItem(dbc.NavLink(label, href=href)) for label, href in NAV_LINKS]
    links.append(dbc.NavItem(html.Span(id=ids.LIVE_STATUS, className="nav-link live-status"), className="ms-lg-auto"))
    links.append(dbc.NavItem(dbc.NavLink("API", href=routes.API_DOCS, external_link=True)))
    links.append(dbc.NavItem(dbc.NavLink("GraphQL", href=routes.API_GRAPHQL, external_link=True)))
    links += account_menu(account)
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand([html.I(className="bi bi-diagram-3 me-2"), "Model Catalog"], href=routes.SEARCH),
                dbc.NavbarToggler(id=ids.NAV_TOGGLER, n_clicks=0),
                dbc.Collapse(
                    dbc.Nav(links, navbar=True, className="w-100"), id=ids.NAV_COLLAPSE, is_open=False, navbar=True
                ),
            ]
        ),
        color="dark",
        dark=True,
        expand="lg",
        className="mb-3 mb-lg-4",
    )


def account_menu(account: Account | None) -> list:
    """Sign in and up for a visitor; for an account, its email opening its pages and sign-out."""
    if account is None:
        return [
            dbc.NavItem(dbc.NavLink("Sign in", href=routes.LOGIN, className="nav-sign-in")),
            dbc.NavItem(dbc.NavLink("Sign up", href=routes.SIGNUP, className="nav-sign-up")),
        ]
    items = [
        dbc.DropdownMenuItem("Account", href=routes.ACCOUNT),
        dbc.DropdownMenuItem("API keys", href=routes.ACCOUNT_KEYS),
        dbc.DropdownMenuItem("Saved searches", href=routes.SAVED_SEARCHES),
        dbc.DropdownMenuItem("Collections", href=routes.COLLECTIONS),
    ]
    if account.is_admin:
        items.append(dbc.DropdownMenuItem("Admin", href=routes.ADMIN_HOME, className="nav-admin"))
    items += [dbc.DropdownMenuItem(divider=True), dbc.DropdownMenuItem("Sign out", id=NAV_SIGN_OUT, n_clicks=0)]
    return [
        dbc.DropdownMenu(
            items, label=account.email, id=NAV_ACCOUNT, nav=True, in_navbar=True, align_end=True, class_name="nav-email"
        )
    ]


def shell(account: Account | None = None) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Store(id=ids.TITLE),
            html.Div(id=ids.TITLE_SINK, hidden=True),
            dcc.Store(id=NAV_LOGOUT_PATH, data=routes.API_LOGOUT),
            dcc.Store(id=ids.LIVE_CONFIG, data=LIVE_CONFIG),
            dcc.Store(id=ids.LIVE_EVENT),
            navbar(account),
            dbc.Container(dcc.Loading(html.Div(id=ids.PAGE), delay_show=300), fluid=True, className="page-frame"),
        ]
    )


def not_found(pathname: str) -> html.Div:
    return html.Div(
        [
            html.H2("Page not found"),
            html.P(f"Nothing lives at {pathname}."),
            dcc.Link("Back to search", href=routes.SEARCH),
        ]
    )


def database_unavailable() -> dbc.Alert:
    return dbc.Alert(
        [
            html.H4("The catalog's database is not reachable", className="alert-heading"),
            html.P(
                "Check that PostgreSQL is running and that CATALOG_DATABASE_URL points at it, then reload this page."
            ),
        ],
        color="danger",
    )


def demo_banner() -> dbc.Alert:
    return dbc.Alert(
        [
            html.Strong("Synthetic demo data. "),
            "These models were generated, not read from the Hub (it was not reachable on the first "
            "run, or `catalog ingest synthetic` made them); run ",
            html.Code("catalog ingest hub"),
            " to replace them with real ones.",
        ],
        color="warning",
        className="demo-banner",
    )
