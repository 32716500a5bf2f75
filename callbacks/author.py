"""The author page (to be built)."""

from __future__ import annotations

from dash import Dash, html

from data.db import Database


def layout(db: Database, query: list[tuple[str, str]], **path):
    return html.Div("Coming soon."), "Author"


def register(app: Dash, db: Database) -> None:
    pass
