"""The paper page: models citing an arXiv paper, grouped by family (data.papers)."""

from __future__ import annotations

from dash import Dash

from components import paper_page as view
from data.arxiv import arxiv_id
from data.db import Database
from data.papers import paper


def layout(db: Database, pairs: list[tuple[str, str]], paper_id: str = "", **path):
    try:
        canonical = arxiv_id(paper_id)
    except ValueError:
        return view.paper_missing(paper_id, valid=False), "Paper not found"
    with db.session(read_only=True) as session:
        found = paper(session, canonical)
    if found is None:
        return view.paper_missing(canonical, valid=True), "Paper not found"
    return view.paper_page(found), f"arXiv:{canonical}"


def register(app: Dash, db: Database) -> None:
    pass  # the page is drawn whole by its layout: one statement
