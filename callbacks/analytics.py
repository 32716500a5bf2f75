"""The analytics page: charts of any search result, the URL's query string being the search.

The layout renders at once; each chart loads in its own callback from the canonical query
string kept in a store, which follows the address bar while this page is shown.
"""

from __future__ import annotations

from functools import partial

from dash import ALL, Dash, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks.inputs import address_query, items, mapping, text
from components import analytics as view
from components import ids, routes
from data import analytics, search, stats
from data.db import Database
from data.query import SearchQuery, parse_query, query_string

TOP = 15


FETCH = {  # chart name: the data it draws (a ranking's data: the top values of its field)
    "tasks": analytics.tasks_by_month,
    "downloads": analytics.downloads_histogram,
    "quality": analytics.quality_histogram,
    "lineage": analytics.edges_by_month,
    "families": analytics.largest_families,
    "growing": analytics.fastest_growing,
    "licence_conflicts": analytics.conflicts_by_family,
}


def fetch(session, name: str, query: SearchQuery):
    field = view.CHARTS[name].ranks
    if field:
        return stats.dimension(session, field, query, TOP)  # a Counts (values, exact)
    return FETCH[name](session, query=query)


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    return view.analytics_page(query_string(parse_query(pairs, strict=False))), "Analytics"


def chart(db: Database, name: str, canonical_query: str | None):
    query = address_query(canonical_query)
    with db.session(read_only=True) as session:
        found = fetch(session, name, query)
    return view.chart_body(name, view.CHARTS[name].draw(found, query), exact=getattr(found, "exact", True))


def filter_bar(db: Database, canonical_query: str | None):
    query = address_query(canonical_query)
    with db.session(read_only=True) as session:
        total, exact = search.count(session, search.filters(query))
    return view.filter_bar(query, total, exact)


def follow_address_bar(search_string: str | None, pathname: str | None, current: str | None) -> str:
    """The canonical query of the address bar, while it shows this page and says something new."""
    if not isinstance(search_string, str) or text(pathname) != routes.ANALYTICS:
        raise PreventUpdate
    canonical = query_string(address_query(search_string))
    if canonical == text(current):
        raise PreventUpdate
    return canonical


def href_of(click: dict | None) -> str:
    """The search URL a clicked bar carries (its customdata)."""
    points = items(mapping(click).get("points")) or [{}]
    href = mapping(points[0]).get("customdata")
    if not isinstance(href, str) or not href.startswith(f"{routes.SEARCH}?"):
        raise PreventUpdate
    return href


def clicked_href(_clicks: list) -> str:
    return href_of(ctx.triggered[0]["value"] if ctx.triggered else None)


def register(app: Dash, db: Database) -> None:
    # optional: the page's components exist only while it is shown, not in the app's first layout
    app.callback(
        Output(view.QUERY, "data"),
        Input(view.PAGE_URL, "search"),
        State(view.PAGE_URL, "pathname"),
        State(view.QUERY, "data"),
        prevent_initial_call=True,
        optional=True,
    )(follow_address_bar)
    app.callback(Output(view.FILTERS, "children"), Input(view.QUERY, "data"), optional=True)(partial(filter_bar, db))
    for name in view.CHARTS:
        app.callback(Output(view.chart_id(name), "children"), Input(view.QUERY, "data"), optional=True)(
            partial(chart, db, name)
        )
    app.callback(
        Output(ids.URL, "href", allow_duplicate=True),
        Input({"type": view.GRAPH, "chart": ALL}, "clickData"),
        prevent_initial_call=True,
        optional=True,
    )(clicked_href)
