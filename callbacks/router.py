"""Routes the address bar's path to a page: each page module has `layout(db, pairs, **path)`
(the query string's pairs, the path's groups unquoted) returning (children, title), and
`register(app, db)` adding its own callbacks."""

from __future__ import annotations

import re
from urllib.parse import unquote

from dash import Dash, Input, Output, State, clientside_callback
from sqlalchemy.exc import OperationalError

from callbacks import (
    account,
    admin,
    analytics,
    author,
    collections,
    compare,
    identity,
    live,
    model,
    paper,
    saved,
    search,
    trending,
)
from callbacks.inputs import address_pairs, text
from components import ids, routes, shell
from data import catalog
from data.db import Database

PAGES = (  # a path's groups are unquoted before they reach the page (components/routes.py quotes them)
    (re.compile(re.escape(routes.SEARCH)), search),
    (re.compile(re.escape(routes.MODELS) + r"(?P<repo_id>[^/]+/[^/]+)"), model),
    (re.compile(re.escape(routes.ANALYTICS)), analytics),
    (re.compile(re.escape(routes.TRENDING)), trending),
    (re.compile(re.escape(routes.LIVE)), live),
    (re.compile(re.escape(routes.COMPARE)), compare),
    (re.compile(re.escape(routes.AUTHORS) + r"(?P<author>[^/]+)"), author),
    (re.compile(re.escape(routes.PAPERS) + r"(?P<paper_id>.+)"), paper),
    (re.compile(re.escape(routes.LOGIN)), account.LOGIN),
    (re.compile(re.escape(routes.SIGNUP)), account.SIGNUP),
    (re.compile(re.escape(routes.ACCOUNT)), account.ACCOUNT),
    (re.compile(re.escape(routes.SAVED_SEARCHES)), saved),
    (re.compile(re.escape(routes.COLLECTIONS)), collections),
    (re.compile(re.escape(routes.COLLECTIONS) + r"/(?P<collection_id>\d{1,18})"), collections),
    (re.compile(re.escape(routes.ADMIN_HOME)), admin),
    (re.compile(re.escape(routes.ADMIN) + f"(?P<section>{'|'.join(routes.ADMIN_SECTIONS)})"), admin),
)


def layout():
    """The frame of each page load, its navbar showing who is signed in."""
    try:
        account = identity.signed_in()  # a session is looked up in the database
    except OperationalError:
        account = None  # the page itself then says that the database is down
    return shell.shell(account)


def register(app: Dash, db: Database) -> None:
    for _, page in PAGES:
        page.register(app, db)

    # Only the path renders a page: a page follows changes of its own query string itself,
    # so typing in a control that rewrites the URL never re-renders the page under it.
    @app.callback(
        Output(ids.PAGE, "children"), Output(ids.TITLE, "data"), Input(ids.URL, "pathname"), State(ids.URL, "search")
    )
    def render_page(pathname, search_string):
        return page_for(db, text(pathname) or "/", text(search_string))

    # The navbar is in the first layout, so its toggle runs in the browser; a new page closes it.
    clientside_callback(
        "function(clicks, pathname, isOpen) {"
        " const toggled = dash_clientside.callback_context.triggered.some(t => t.prop_id.startsWith('"
        + ids.NAV_TOGGLER
        + ".')); return toggled ? !isOpen : false; }",
        Output(ids.NAV_COLLAPSE, "is_open"),
        Input(ids.NAV_TOGGLER, "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.NAV_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )
    clientside_callback(
        "function(title) { if (title) { document.title = title; } return ''; }",
        Output(ids.TITLE_SINK, "children"),
        Input(ids.TITLE, "data"),
    )


def page_for(db: Database, pathname: str, search_string: str = ""):
    """(children, title) of the page at `pathname`; a friendly page when the database is down."""
    pairs = address_pairs(search_string)
    for pattern, page in PAGES:
        if match := pattern.fullmatch(pathname.rstrip("/") or routes.SEARCH):
            try:
                with db.session(read_only=True) as session:
                    synthetic = catalog.holds_synthetic_sample(session)
                path = {name: unquote(value) for name, value in match.groupdict().items()}
                children, title = page.layout(db, pairs, **path)
            except OperationalError:
                return shell.database_unavailable(), "Database unavailable · Model Catalog"
            banner = [shell.demo_banner()] if synthetic else []
            return [*banner, children], f"{title} · Model Catalog"
    return shell.not_found(pathname), "Not found · Model Catalog"
