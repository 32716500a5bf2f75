"""The author page: totals from the author_stats view and the author's top models."""

from __future__ import annotations

from dash import Dash

from components import pages as view
from data import catalog
from data.db import Database


def layout(db: Database, pairs: list[tuple[str, str]], author: str = "", **path):
    with db.session(read_only=True) as session:
        profile = catalog.author_profile(session, author)
    if profile is None:
        return view.author_not_found(author), "Author not found"
    return view.author_page(profile), profile.author


def register(app: Dash, db: Database) -> None:
    pass  # the page is drawn whole by its layout: two indexed reads
