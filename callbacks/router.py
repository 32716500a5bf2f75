"""Routes the address bar's path to a page layout."""

from __future__ import annotations

from dash import Dash, Input, Output

from components import ids, search, shell
from data import catalog
from data.db import Database


def register(app: Dash, db: Database) -> None:
    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"))
    def render_page(pathname: str | None):
        return page_for(db, pathname or "/")


def page_for(db: Database, pathname: str):
    with db.session(read_only=True) as session:
        banner = [shell.demo_banner()] if catalog.holds_synthetic_sample(session) else []
        if pathname == "/":
            return [*banner, search.search_page(catalog.top_models(session))]
    return [*banner, shell.not_found(pathname)]
