"""The search page: controls ↔ address bar, results, totals and facet counts.

The layout sets the controls from the URL. A changed control writes the canonical query
string to the URL (and remembers it); a URL that changes otherwise (back, forward, a link)
rebuilds the controls from it. Results and facet counts are computed from the controls,
never from the URL, so a change costs one round trip: no callback waits for another.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from components import search as view
from data.db import Database
from data.query import FACETS, SearchQuery, parse_query, query_pairs, query_string
from data.search import search, search_facets

CONTROLS = (
    (view.Q, "value"), *((dropdown, "value") for dropdown in view.FACET_DROPDOWNS.values()),
    (view.HAS_BASE, "value"), (view.GATED, "value"),
    (view.CREATED, "start_date"), (view.CREATED, "end_date"), (view.MIN_DOWNLOADS, "value"),
    (view.SORT, "value"), (view.ORDER, "value"), (view.PER_PAGE, "value"), (view.PAGER, "active_page"),
)
FILTER_CONTROLS = CONTROLS[:-4]  # what selects the models, not how they are shown
PATH = "/"


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    query = parse_query(pairs, strict=False)
    address = urlencode(pairs)
    return view.search_page(query, f"?{address}" if address else ""), f"“{query.q}”" if query.q else "Search"


def query_from_controls(values, *, keep_page: bool = True) -> SearchQuery:
    """The controls' values (in CONTROLS order) as a query; bad values fall back to defaults."""
    (q, task, library, license_, language, author, has_base, gated,
     created_from, created_to, min_downloads, sort, order, per_page, page) = values
    pairs = [("q", q or "")]
    for name, chosen in zip(view.FACET_DROPDOWNS, (task, library, license_, language, author)):
        pairs += [(name, value) for value in chosen or []]
    pairs += [("has_base_model", has_base or ""), ("gated", gated or ""),
              ("created_from", created_from or ""), ("created_to", created_to or ""),
              ("min_downloads", "" if min_downloads is None else str(min_downloads)),
              ("sort", "" if sort == view.DEFAULT_SORT else sort or ""), ("order", order or ""),
              ("per_page", per_page or ""),
              ("page", str(page or 1) if keep_page else "")]
    return parse_query([(key, str(value)) for key, value in pairs], strict=False)


def controls_from_query(query: SearchQuery) -> list:
    """The inverse of `query_from_controls`."""
    yes_no = view._yes_no_value
    return [
        query.q or "", *(list(getattr(query, name)) for name in view.FACET_DROPDOWNS),
        yes_no(query.has_base_model), yes_no(query.gated),
        query.created_from.isoformat() if query.created_from else None,
        query.created_to.isoformat() if query.created_to else None,
        query.min_downloads, query.sort or view.DEFAULT_SORT, query.order, str(query.per_page), query.page,
    ]


def address_of(triggered, values: list) -> str:
    """The URL's query string for the controls' values; a new search starts at page 1."""
    text = query_string(query_from_controls(values, keep_page=triggered == view.PAGER))
    return f"?{text}" if text else ""


def follow_address(search_string: str | None, written: str | None, pathname: str | None):
    """The page rebuilt from a URL the controls did not write (back, forward, a link)."""
    if pathname != PATH or (search_string or "") == (written or ""):
        raise PreventUpdate
    pairs = parse_qsl((search_string or "").lstrip("?"))
    return view.page_body(parse_query(pairs, strict=False)), search_string or ""


def results(db: Database, triggered, values) -> tuple:
    """Results, summary, page count and page (back to 1 when the search itself changed)."""
    query = query_from_controls(values, keep_page=triggered in (None, view.PAGER))
    with db.session(read_only=True) as session:
        found = search(session, query)
    if not found.models:
        body = view.empty_state(query) if query_pairs(query) else view.results_table([])
    else:
        body = view.results_table(found.models)
    page = query.page if query.page != values[-1] else no_update
    return (body, view.summary(found.total, found.total_exact, query),
            view.page_count(found.total, query.per_page), page)


def facet_options(db: Database, values) -> list:
    query = query_from_controls(values)
    with db.session(read_only=True) as session:
        counts, _ = search_facets(session, query, list(FACETS))
    return [view.facet_options(counts[name], getattr(query, name)) for name in view.FACET_DROPDOWNS]


def register(app: Dash, db: Database) -> None:
    controls = [Input(component, prop) for component, prop in CONTROLS]
    # optional: the page's components exist only while it is shown, not in the app's first layout
    app.callback(
        Output(view.PAGE_URL, "search"), Output(view.WRITTEN, "data"), *controls,
        prevent_initial_call=True, optional=True,
    )(lambda *values: (address_of(ctx.triggered_id, list(values)),) * 2)
    app.callback(
        Output(view.BODY, "children"), Output(view.WRITTEN, "data", allow_duplicate=True),
        Input(view.PAGE_URL, "search"), State(view.WRITTEN, "data"), State(view.PAGE_URL, "pathname"),
        prevent_initial_call=True, optional=True,
    )(follow_address)
    app.callback(
        Output(view.RESULTS, "children"), Output(view.SUMMARY, "children"), Output(view.PAGER, "max_value"),
        Output(view.PAGER, "active_page"), *controls, optional=True,
    )(lambda *values: results(db, ctx.triggered_id, values))
    app.callback(
        *(Output(dropdown, "options") for dropdown in view.FACET_DROPDOWNS.values()),
        *(Input(c, p) for c, p in FILTER_CONTROLS), optional=True,
    )(lambda *values: facet_options(db, [*values, None, "desc", "20", 1]))
