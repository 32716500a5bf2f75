"""Where comparisons start: the model page's "Add to comparison" (a list of models kept in the
browser's local storage, which outlives the tab, and the link that compares them with the model
shown), and the search results' "Compare selected" (the rows ticked in the grid)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes

PAGE = "compare"
LIST = ids.of(PAGE, "list")
ADD = ids.of(PAGE, "list-add")
CLEAR = ids.of(PAGE, "list-clear")
LINK = ids.of(PAGE, "list-link")
SELECTED = ids.of(PAGE, "selected")  # the search page's link to compare the rows ticked


def add_to_comparison() -> html.Span:
    return html.Span(
        [
            dcc.Store(id=LIST, storage_type="local"),
            dbc.Button(
                [html.I(className="bi bi-plus-square me-1"), "Add to comparison"],
                id=ADD,
                n_clicks=0,
                size="sm",
                color="link",
                className="compare-add-model",
            ),
            dcc.Link("Compare with…", id=LINK, href=routes.COMPARE, className="small compare-link"),
            dbc.Button("clear", id=CLEAR, n_clicks=0, size="sm", color="link", className="compare-clear"),
        ],
        className="ms-3 d-inline-flex align-items-center compare-list",
    )


def compare_selected() -> dcc.Link:
    """Hidden until rows are ticked (callbacks/compare.py)."""
    return dcc.Link(id=SELECTED, href=routes.COMPARE, className="d-none")
