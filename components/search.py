"""The search page."""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids


def results_table(models: Sequence) -> dbc.Table | html.Div:
    if not models:
        return html.Div("The catalog is empty: run `catalog ingest …` to fill it.", className="text-muted")
    header = html.Thead(html.Tr([html.Th(c) for c in ("Model", "Task", "Library", "Downloads", "Likes")]))
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(m.repo_id, href=f"/models/{m.repo_id}")),
                html.Td(m.pipeline_tag or "—"),
                html.Td(m.library_name or "—"),
                html.Td(f"{m.downloads:,}", className="text-end"),
                html.Td(f"{m.likes:,}", className="text-end"),
            ]
        )
        for m in models
    ]
    return dbc.Table([header, html.Tbody(rows)], hover=True, size="sm", className="results-table")


def search_page(models: Sequence) -> html.Div:
    return html.Div(
        [html.H1("Models", className="h3"), html.Div(results_table(models), id="search-results")]
    )
