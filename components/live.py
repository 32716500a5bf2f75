"""The live page: the newest arrivals in the catalog (optionally those matching a search), kept
current as the catalog changes; what arrived since the page opened is marked new."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from components.account import moment

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.arrivals import Arrival

PAGE = "live"
OPENED = ids.of(PAGE, "opened")  # the catalog's high point when the page opened
QUERY = ids.of(PAGE, "query")  # the search grammar's query string the page narrows to
ARRIVALS = ids.of(PAGE, "arrivals")
SINCE = ids.of(PAGE, "since")  # "N new since you opened this page · last change …"
COLUMNS = ("", "Model", "Task", "Library", "Downloads", "Stored")


def live_page(query_text: str, opened: int) -> html.Div:
    narrowed = (
        [
            " Only those matching ",
            dcc.Link(query_text, href=routes.href(routes.SEARCH, query_text), className="live-query"),
            " (",
            dcc.Link("all", href=routes.LIVE),
            ").",
        ]
        if query_text
        else []
    )
    return html.Div(
        [
            html.H1("New models", className="h3"),
            html.P(
                ["Models as they arrive in the catalog, newest first; this page adds them as they come.", *narrowed],
                className="text-muted",
            ),
            dcc.Store(id=OPENED, data=opened),
            dcc.Store(id=QUERY, data=query_text),
            html.Div(id=SINCE, className="small mb-2 live-since"),
            html.Div(id=ARRIVALS),
        ],
        className="live-page",
    )


def arrivals_table(arrivals: Sequence[Arrival], opened: int) -> html.Div | dbc.Table:
    if not arrivals:
        return html.P("Nothing has arrived yet.", className="text-muted live-empty")
    head = html.Thead(html.Tr([html.Th(name) for name in COLUMNS]))
    return dbc.Table([head, html.Tbody([_row(a, a.id > opened) for a in arrivals])], size="sm", className="live-list")


def _row(arrival: Arrival, new: bool) -> html.Tr:
    model = arrival.model
    return html.Tr(
        [
            html.Td(dbc.Badge("new", color="success") if new else ""),
            html.Td(dcc.Link(model.repo_id, href=routes.model_href(model.repo_id), className="model-link")),
            html.Td(model.pipeline_tag or "—"),
            html.Td(model.library_name or "—"),
            html.Td(f"{model.downloads:,}", className="text-end"),
            html.Td(moment(arrival.stored_at), className="small text-muted"),
        ],
        className="live-arrival" + (" live-new" if new else ""),
    )


def since_line(new_count: int, last_new: int, last_changed: int, pushed: bool) -> str:
    """What arrived since the page opened, and the last change the page was told of."""
    arrived = f"{new_count:,} new since you opened this page"
    if not last_new and not last_changed:
        return arrived
    how = "pushed" if pushed else "polled"
    return f"{arrived} · last change: {last_new:,} new, {last_changed:,} updated ({how})"
