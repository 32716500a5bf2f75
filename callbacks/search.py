"""The search page: controls ↔ address bar, results, totals and facet counts.

The layout sets the controls from the URL. A changed control writes the canonical query
string to the URL (and remembers it); a URL that changes otherwise (back, forward, a link)
rebuilds the controls from it. Results and facet counts are computed from the controls,
never from the URL, so a change costs one round trip: no callback waits for another.
A click on a sortable column header sets the sort controls in the browser (no round trip).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.inputs import address_query, items, mapping, text, texts, whole_number
from components import ids, routes
from components import results as grid
from components import search as view
from data.arrivals import count_matches, high_point
from data.db import Database
from data.query import LIST_FIELDS, ORDERS, SearchQuery, parse_query, query_pairs, query_string
from data.search import search, search_facets


def named(controls: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, Input]]:
    """The controls as one callback argument, `values`: their values by SearchQuery field."""
    return {"values": {field: Input(component, prop) for field, (component, prop) in controls.items()}}


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    query = parse_query(pairs, strict=False)
    address = routes.search_string(urlencode(pairs))
    return view.search_page(query, address), f"“{query.q}”" if query.q else "Search"


def query_from_controls(values: Mapping[str, object], *, keep_page: bool = True) -> SearchQuery:
    """The controls' values (by SearchQuery field) as a query; junk and bad values fall back to
    defaults, as in a URL."""
    pairs = []
    for name in view.CONTROLS:
        value = values.get(name)
        if name in LIST_FIELDS:
            pairs += [(name, item) for item in texts(value)]
        elif not (name == "sort" and value == view.DEFAULT_SORT or name == "page" and not keep_page):
            pairs.append((name, text(value)))
    return parse_query(pairs, strict=False)


def address_of(triggered, values: Mapping[str, object]) -> str:
    """The URL's query string for the controls' values; a new search starts at page 1."""
    return routes.search_string(query_string(query_from_controls(values, keep_page=triggered == view.PAGER)))


def follow_address(search_string, written, pathname):
    """The page rebuilt from a URL the controls did not write (back, forward, a link)."""
    search_string, written = text(search_string), text(written)
    if text(pathname) != routes.SEARCH or search_string == written:
        raise PreventUpdate
    return view.page_body(address_query(search_string)), search_string


def results(db: Database, triggered, values: Mapping[str, object]) -> tuple:
    """The list (the models as links, first: other tests read them), rows and columns of the grid,
    its visibility, the empty state, the match line, summary, page count, page (back to 1
    when the search changed) and the catalog's high point they were found at."""
    query = query_from_controls(values, keep_page=triggered in (None, view.PAGER, view.SHOW_NEW))
    with db.session(read_only=True) as session:
        seen = high_point(session)  # first: a model stored meanwhile is counted new, never missed
        found = search(session, query)
    empty = [] if found.models else view.empty_state(query) if query_pairs(query) else view.empty_catalog()
    page = query.page if query.page != values.get("page") else no_update
    match = found.match if query.q or query.card else None
    sort = query.effective_sort if query.effective_sort in grid.SORTABLE else None  # shown on its header
    return (
        grid.results_list(found.models),
        [grid.row(model) for model in found.models],
        grid.column_defs(sort, query.order, sortable=True),
        grid.WIDE_ONLY if found.models else grid.HIDDEN,
        empty,
        view.match_description(match),
        view.summary(found.total, found.total_exact, query),
        view.page_count(found.total, query.per_page),
        page,
        seen,
    )


def new_matches(db: Database, seen, values: Mapping[str, object]) -> tuple:
    """The button telling how many models that match arrived since the results were found."""
    if (seen := whole_number(seen)) is None:
        raise PreventUpdate
    with db.session(read_only=True) as session:
        count = count_matches(session, query_string(query_from_controls(values)), after=seen)
    return view.new_matches_text(count), view.new_matches_class(count)


def facet_options(db: Database, values: Mapping[str, object]) -> list:
    """The dropdowns' options, then the yes/no controls' with their counts, each counted
    without its own choice (else the other answer would always count 0), then the size
    buckets' links."""
    query = query_from_controls(values)
    with db.session(read_only=True) as session:
        counts, _ = search_facets(session, query, [*view.FACET_DROPDOWNS, "params"])
        yes_no = [
            search_facets(session, query.model_copy(update={name: None}), [name])[0][name]
            for name in view.YES_NO_FACETS
        ]
    options = [view.facet_options(counts[name], getattr(query, name)) for name in view.FACET_DROPDOWNS]
    return [*options, *(view.yes_no_options(found) for found in yes_no), view.params_links(counts["params"], query)]


def sort_from_grid(column_state, column_defs) -> tuple:
    """(sort, order) for the sort controls after a click on a sortable header: the grid's sort
    when it is not the one the grid was drawn with."""
    drawn = next((c for c in map(mapping, items(column_defs)) if c.get("sort")), {})
    now = next((c for c in map(mapping, items(column_state)) if c.get("sort")), {})
    wanted = (text(now.get("colId")), text(now.get("sort")))
    if (
        wanted[0] not in grid.SORTABLE
        or wanted[1] not in ORDERS
        or wanted == (text(drawn.get("colId")), text(drawn.get("sort")))
    ):
        raise PreventUpdate
    return wanted


def remove_lineage_filter(_clicked, current) -> tuple:
    """A chip's button: its filter unset (a list one emptied) and the chip hidden."""
    return ([] if isinstance(current, list) else None), view.chip_class(False)


def toggle_filters(_opened, _closed, class_name) -> str:
    """The filters' panel (an offcanvas on narrow screens) shown or hidden."""
    classes = text(class_name).split()
    return " ".join([c for c in classes if c != "show"] + ([] if "show" in classes else ["show"]))


def register(app: Dash, db: Database) -> None:
    # optional: the page's components exist only while it is shown, not in the app's first layout
    app.callback(
        Output(view.PAGE_URL, "search"),
        Output(view.WRITTEN, "data"),
        inputs=named(view.CONTROLS),
        prevent_initial_call=True,
        optional=True,
    )(lambda values: (address_of(ctx.triggered_id, values),) * 2)
    app.callback(
        Output(view.BODY, "children"),
        Output(view.WRITTEN, "data", allow_duplicate=True),
        Input(view.PAGE_URL, "search"),
        State(view.WRITTEN, "data"),
        State(view.PAGE_URL, "pathname"),
        prevent_initial_call=True,
        optional=True,
    )(follow_address)
    app.callback(
        Output(view.LIST, "children"),
        Output(view.GRID, "rowData"),
        Output(view.GRID, "columnDefs"),
        Output(view.GRID_BOX, "className"),
        Output(view.EMPTY, "children"),
        Output(view.MATCH, "children"),
        Output(view.SUMMARY, "children"),
        Output(view.PAGER, "max_value"),
        Output(view.PAGER, "active_page"),
        Output(view.SEEN, "data"),
        inputs={**named(view.CONTROLS), "shown_new": Input(view.SHOW_NEW, "n_clicks")},
        optional=True,
    )(lambda values, shown_new: results(db, ctx.triggered_id, values))
    # Each change of the catalog (assets/live.js) recounts what arrived for this search.
    app.callback(
        Output(view.SHOW_NEW, "children"),
        Output(view.SHOW_NEW, "className"),
        inputs={"change": Input(ids.LIVE_EVENT, "data"), "seen": Input(view.SEEN, "data")},
        state={"values": {field: State(*control) for field, control in view.FILTER_CONTROLS.items()}},
        prevent_initial_call=True,
        optional=True,
    )(lambda change, seen, values: new_matches(db, seen, values))
    app.callback(
        *(Output(dropdown, "options") for dropdown in view.FACET_DROPDOWNS.values()),
        *(Output(view.CONTROLS[name][0], "options") for name in view.YES_NO_FACETS),
        Output(view.PARAMS_COUNTS, "children"),
        inputs=named(view.FILTER_CONTROLS),
        optional=True,
    )(lambda values: facet_options(db, values))
    # Server-side though they need no data: Dash lets only server callbacks be optional.
    app.callback(
        Output(view.SORT, "value", allow_duplicate=True),
        Output(view.ORDER, "value", allow_duplicate=True),
        Input(view.GRID, "columnState"),
        State(view.GRID, "columnDefs"),
        prevent_initial_call=True,
        optional=True,
    )(sort_from_grid)
    for field, remover in view.CHIP_REMOVERS.items():
        app.callback(
            Output(view.LINEAGE_STORES[field], "data"),
            Output(view.CHIPS[field], "className"),
            Input(remover, "n_clicks"),
            State(view.LINEAGE_STORES[field], "data"),
            prevent_initial_call=True,
            optional=True,
        )(remove_lineage_filter)
    app.callback(
        Output(view.FILTERS, "className"),
        Input(view.FILTERS_TOGGLE, "n_clicks"),
        Input(view.FILTERS_CLOSE, "n_clicks"),
        State(view.FILTERS, "className"),
        prevent_initial_call=True,
        optional=True,
    )(toggle_filters)
