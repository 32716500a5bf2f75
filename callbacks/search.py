"""The search page."""

from __future__ import annotations

from dash import Dash

from components import search as view
from data import catalog
from data.db import Database


def layout(db: Database, query: list[tuple[str, str]], **path):
    with db.session(read_only=True) as session:
        return view.search_page(catalog.top_models(session)), "Search"


def register(app: Dash, db: Database) -> None:
    pass
