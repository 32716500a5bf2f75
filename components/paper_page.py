"""The paper page: the models citing an arXiv paper, grouped by family (data.papers.Paper)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.catalog import ModelSummary
    from data.papers import Paper, PaperFamily

PAGE = "paper"
FAMILIES = ids.of(PAGE, "families")
SEARCH_LINK = ids.of(PAGE, "search")
ARXIV_ABS = "https://arxiv.org/abs/"


def paper_page(paper: Paper) -> html.Div:
    shown = len(paper.top_families)
    more = f" (the {shown} largest shown)" if shown < paper.families else ""
    return html.Div(
        [
            html.H1(f"arXiv:{paper.arxiv_id}", className="h3"),
            html.P(
                [
                    html.A(
                        "On arXiv", href=ARXIV_ABS + paper.arxiv_id, target="_blank", rel="noopener", className="me-3"
                    ),
                    dcc.Link(
                        f"All {paper.models:,} citing models in search",
                        href=routes.paper_search_href(paper.arxiv_id),
                        id=SEARCH_LINK,
                        className="me-3",
                    ),
                    html.A("JSON", href=routes.api_paper_href(paper.arxiv_id), className="small"),
                ]
            ),
            html.P(
                f"{paper.models:,} models cite this paper, in {paper.families:,} families{more}. A family is "
                "named by its top-most ancestor in the catalog (or the model itself, when it has none).",
                className="text-muted",
            ),
            dbc.Row(
                [dbc.Col(_family(family), md=6, xl=4, className="mb-3") for family in paper.top_families],
                id=FAMILIES,
            ),
        ]
    )


def _family(family: PaperFamily) -> dbc.Card:
    count = f"{family.models:,} model{'s' if family.models != 1 else ''}"
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    dcc.Link(family.root, href=routes.model_href(family.root), className="fw-semibold family-root"),
                    dbc.Badge(count, color="secondary", className="ms-2 family-count"),
                ]
            ),
            dbc.ListGroup([_member(model) for model in family.top_models], flush=True),
        ],
        className="h-100 paper-family",
    )


def _member(model: ModelSummary) -> dbc.ListGroupItem:
    return dbc.ListGroupItem(
        [
            dcc.Link(model.repo_id, href=routes.model_href(model.repo_id), className="text-break family-member"),
            html.Span(f"{model.downloads:,} ↓", className="small text-muted ms-2 text-nowrap"),
        ],
        className="d-flex justify-content-between",
    )


def paper_missing(text: str, valid: bool) -> html.Div:
    """No model cites the paper, or `text` is no arXiv id."""
    message = f"No model in the catalog cites arXiv:{text}." if valid else f"“{text}” is not an arXiv id."
    return html.Div(
        [
            html.H1("Paper not found", className="h3"),
            html.P(message),
            dcc.Link("Search the catalog", href=routes.SEARCH),
        ],
        className="paper-not-found",
    )
