"""The search page: id and card text boxes, filters with counts, sort, results, pages and links.

Each SearchQuery field the page shows has one control, named in CONTROLS by its id and
property: the layout sets them from `control_values` (the URL's state) and the callbacks read
them back by field (`query_from_controls`, in callbacks/search.py). Ids used only by this page
are defined here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from components.compare_list import compare_selected
from components.labels import FIELD_LABELS, LINEAGE_CHIPS, ORDER_LABELS, SORT_LABELS
from components.results import HIDDEN, NARROW_ONLY, results_grid
from data.quality import MAX_SCORE
from data.query import (
    DEFAULT_PER_PAGE,
    FACETS,
    LIST_FIELDS,
    MAX_PAGE,
    MAX_PER_PAGE,
    VIEW_FIELDS,
    SearchQuery,
    format_params,
    query_string,
)
from data.vocabulary import PARAMS_BUCKETS

PAGE, FILTER = "search", "filter"  # the two prefixes of this page's ids
PAGE_URL = ids.of(PAGE, "url")  # this page's own view of the address bar (refresh=False)
BODY = ids.of(PAGE, "body")  # rebuilt from the URL on back/forward
WRITTEN = ids.of(PAGE, "written")  # the query string the controls last wrote to the URL
Q, CARD = ids.of(PAGE, "q"), ids.of(PAGE, "card")
TYPING_PAUSE = 0.35  # seconds without a keystroke before a text box searches
YES_NO_FACETS = ("has_card",)  # facets a yes/no control shows; lists, a dropdown; params, buckets
FACET_DROPDOWNS = {facet: ids.of(FILTER, facet) for facet in FACETS if facet in LIST_FIELDS}
MIN_PARAMS, MAX_PARAMS = ids.of(FILTER, "min_params"), ids.of(FILTER, "max_params")
PARAMS_COUNTS, GROUP = ids.of(FILTER, "params_counts"), ids.of(FILTER, "group")
FOLD_CHOICES = [{"label": "No", "value": ""}, {"label": "Yes", "value": "variants"}]
HAS_BASE, GATED = ids.of(FILTER, "has_base_model"), ids.of(FILTER, "gated")
HAS_CARD = ids.of(FILTER, "has_card")
LICENCE_CONFLICT = ids.of(FILTER, "licence_conflict")
CREATED = ids.of(FILTER, "created")
MIN_DOWNLOADS = ids.of(FILTER, "min_downloads")
MIN_QUALITY = ids.of(FILTER, "min_quality")
SORT, ORDER, PER_PAGE = ids.of(PAGE, "sort"), ids.of(PAGE, "order"), ids.of(PAGE, "per_page")
PAGER = ids.of(PAGE, "pager")
# Lineage filters come from links and URLs (a model's family, the API's grammar); the page
# keeps each in a store and shows it as a chip that removes it.
LINEAGE_STORES = {field: ids.of(FILTER, field) for field in LINEAGE_CHIPS}
CHIPS = {field: ids.of(PAGE, f"chip-{field}") for field in LINEAGE_CHIPS}
CHIP_REMOVERS = {field: ids.of(PAGE, f"remove-{field}") for field in LINEAGE_CHIPS}
RESULTS, SUMMARY, MATCH = ids.of(PAGE, "results"), ids.of(PAGE, "summary"), ids.of(PAGE, "match")
GRID, GRID_BOX, LIST, EMPTY = (ids.of(PAGE, name) for name in ("grid", "grid-box", "list", "empty"))
SEEN = ids.of(PAGE, "seen")  # the catalog's high point when the results were found (data.arrivals)
SHOW_NEW = ids.of(PAGE, "show-new")  # "N new models match this search": a click shows them
FILTERS, FILTERS_TOGGLE, FILTERS_CLOSE = (ids.of(PAGE, name) for name in ("filters", "filters-toggle", "filters-close"))

ANY_YES_NO = [{"label": "Any", "value": ""}, {"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]
PER_PAGE_CHOICES = (DEFAULT_PER_PAGE, 50, MAX_PER_PAGE)
DEFAULT_SORT = "default"  # relevance with text, downloads without ("" is dbc.Select's placeholder)

# SearchQuery field: the control that holds it (component id, property)
CONTROLS = {
    "q": (Q, "value"),
    "card": (CARD, "value"),
    **{facet: (dropdown, "value") for facet, dropdown in FACET_DROPDOWNS.items()},
    "has_base_model": (HAS_BASE, "value"),
    "gated": (GATED, "value"),
    "has_card": (HAS_CARD, "value"),
    "licence_conflict": (LICENCE_CONFLICT, "value"),
    "created_from": (CREATED, "start_date"),
    "created_to": (CREATED, "end_date"),
    "min_downloads": (MIN_DOWNLOADS, "value"),
    "min_quality": (MIN_QUALITY, "value"),
    **{field: (store, "data") for field, store in LINEAGE_STORES.items()},
    "min_params": (MIN_PARAMS, "value"),
    "max_params": (MAX_PARAMS, "value"),
    "group": (GROUP, "value"),
    "sort": (SORT, "value"),
    "order": (ORDER, "value"),
    "per_page": (PER_PAGE, "value"),
    "page": (PAGER, "active_page"),
}
FILTER_CONTROLS = {field: control for field, control in CONTROLS.items() if field not in VIEW_FIELDS}


def control_values(query: SearchQuery) -> dict[str, object]:
    """What each control holds for `query`, by SearchQuery field (as the browser sends it back)."""
    return {
        "q": query.q or "",
        "card": query.card or "",
        **{facet: list(getattr(query, facet)) for facet in FACET_DROPDOWNS},
        "has_base_model": _yes_no_value(query.has_base_model),
        "gated": _yes_no_value(query.gated),
        "has_card": _yes_no_value(query.has_card),
        "licence_conflict": _yes_no_value(query.licence_conflict),
        "created_from": query.created_from.isoformat() if query.created_from else None,
        "created_to": query.created_to.isoformat() if query.created_to else None,
        "min_downloads": query.min_downloads,
        "min_quality": query.min_quality,
        **{field: _stored(getattr(query, field)) for field in LINEAGE_STORES},
        "min_params": format_params(query.min_params) if query.min_params is not None else "",
        "max_params": format_params(query.max_params) if query.max_params is not None else "",
        "group": query.group or "",
        "sort": query.sort or DEFAULT_SORT,
        "order": query.order,
        "per_page": str(query.per_page),
        "page": query.page,
    }


def _stored(value: object) -> object:
    return list(value) if isinstance(value, list) else value


def control(values: Mapping[str, object], *fields: str) -> dict[str, object]:
    """A control's id and the properties that hold `fields` (one control may hold two), set
    from `values` (`control_values`): keyword arguments of the component."""
    (component_id,) = {CONTROLS[field][0] for field in fields}
    return {"id": component_id, **{CONTROLS[field][1]: values[field] for field in fields}}


def search_page(query: SearchQuery, address: str) -> html.Div:
    """`address`: the URL's query string ("?…") that `query` was read from."""
    return html.Div(
        [
            dcc.Location(id=PAGE_URL, refresh=False),
            dcc.Store(id=WRITTEN, data=address),
            html.Div(page_body(query), id=BODY),
        ],
        className="search-page",
    )


def page_body(query: SearchQuery) -> dbc.Row:
    results = [
        search_bar(query),
        lineage_chips(control_values(query)),
        html.Div(id=MATCH, className="small text-muted mb-1 match-description"),
        html.Div(id=SUMMARY, className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        dcc.Store(id=SEEN),
        dbc.Button(id=SHOW_NEW, n_clicks=0, color="info", size="sm", className=new_matches_class(0)),
        dcc.Loading(results_slots(), delay_show=250, overlay_style={"visibility": "visible", "opacity": 0.5}),
        dbc.Pagination(
            max_value=1,
            fully_expanded=False,
            first_last=True,
            previous_next=True,
            className="mt-2 search-pager",
            **control(control_values(query), "page"),
        ),
    ]
    return dbc.Row([dbc.Col(filters_offcanvas(query), lg=3, className="mb-lg-3"), dbc.Col(results, lg=9)])


def search_bar(query: SearchQuery) -> dbc.Row:
    values = control_values(query)
    return dbc.Row(
        [
            dbc.Col(
                text_box(
                    control(values, "q"), "bi-search", "Model id: qwen2.5-7b, llama gguf, an author…", autofocus=True
                ),
                md=6,
                className="mb-2",
            ),
            dbc.Col(
                text_box(control(values, "card"), "bi-card-text", 'Model card: "instruction tuned" -gguf'),
                md=6,
                className="mb-2",
            ),
            dbc.Col(
                dbc.Button(
                    [html.I(className="bi bi-funnel me-1"), "Filters"],
                    id=FILTERS_TOGGLE,
                    color="secondary",
                    outline=True,
                    size="sm",
                    className="w-100 h-100",
                ),
                xs=4,
                className="mb-2 d-lg-none",
            ),
            dbc.Col(
                dbc.Select(
                    options=[{"label": "Best match / downloads", "value": DEFAULT_SORT}]
                    + [{"label": label, "value": value} for value, label in SORT_LABELS.items()],
                    **control(values, "sort"),
                ),
                md=3,
                xs=8,
                className="mb-2",
            ),
            dbc.Col(
                dbc.Select(
                    options=[{"label": label, "value": value} for value, label in ORDER_LABELS.items()],
                    **control(values, "order"),
                ),
                md=2,
                xs=8,
                className="mb-2",
            ),
            dbc.Col(
                dbc.Select(
                    options=[{"label": str(n), "value": str(n)} for n in PER_PAGE_CHOICES],
                    **control(values, "per_page"),
                ),
                md=1,
                xs=4,
                className="mb-2",
            ),
        ],
        className="g-2",
    )


def lineage_chips(values: Mapping[str, object]) -> html.Div:
    """A chip per lineage filter of the URL ("descendants of meta-llama/Meta-Llama-3-8B"), each
    with a button that removes it; every chip is in the layout (hidden when unset), so that the
    buttons' callbacks always have their inputs."""
    chips = []
    for field, label in LINEAGE_CHIPS.items():
        value = values[field]
        shown = ", ".join(value) if isinstance(value, list) else "" if value is None else str(value)
        chips.append(
            html.Span(
                [
                    dcc.Store(**control(values, field)),
                    html.Span(label.format(shown), className="chip-label"),
                    html.Button(
                        id=CHIP_REMOVERS[field],
                        className="btn-close btn-close-white ms-2",
                        style={"fontSize": "0.6rem"},
                        **{"aria-label": f"Remove {label.format(shown)}"},
                    ),
                ],
                id=CHIPS[field],
                className=chip_class(bool(shown)),
            )
        )
    return html.Div(chips, className="d-flex flex-wrap gap-2 mb-2 lineage-chips")


def chip_class(shown: bool) -> str:
    return "badge rounded-pill text-bg-primary d-inline-flex align-items-center lineage-chip" + (
        "" if shown else " d-none"
    )


def results_slots() -> html.Div:
    """Where results go. The grid stays mounted and gets new rows (cheaper than a new grid per
    search); it is hidden while the list (narrow screens) or an empty state shows instead."""
    return html.Div(
        [
            html.Div(id=EMPTY),
            html.Div(
                [compare_selected(), results_grid(GRID, [], sortable=True, selectable=True)],
                id=GRID_BOX,
                className=HIDDEN,
            ),
            html.Div(id=LIST, className=NARROW_ONLY),
        ],
        id=RESULTS,
        className="search-results",
    )


def text_box(control_options: dict, icon: str, placeholder: str, **options) -> dbc.InputGroup:
    return dbc.InputGroup(
        [
            dbc.InputGroupText(html.I(className=f"bi {icon}")),
            dbc.Input(type="search", debounce=TYPING_PAUSE, placeholder=placeholder, **control_options, **options),
        ]
    )


def filters_offcanvas(query: SearchQuery) -> html.Div:
    """The filters: a column on wide screens, a panel behind the Filters button on narrow ones.
    Bootstrap's responsive `offcanvas-lg` does both with one set of controls (dbc.Offcanvas
    cannot: it unmounts its children while closed and has no responsive mode)."""
    return html.Div(
        [
            html.Div(
                [
                    html.H5("Filters", className="offcanvas-title"),
                    html.Button(id=FILTERS_CLOSE, className="btn-close", **{"aria-label": "Close"}),
                ],
                className="offcanvas-header d-lg-none",
            ),
            html.Div(filters_panel(query), className="offcanvas-body d-block"),
        ],
        id=FILTERS,
        className="offcanvas-lg offcanvas-start filters-offcanvas",
        tabIndex="-1",
    )


def match_description(text: str | None) -> list:
    """One line saying how the search text was matched (the API's `meta.match`)."""
    return [html.I(className="bi bi-info-circle me-1"), text] if text else []


def filters_panel(query: SearchQuery) -> dbc.Card:
    values = control_values(query)
    dropdowns = [
        html.Div(
            [
                dbc.Label(FIELD_LABELS[field], html_for=FACET_DROPDOWNS[field], className="small fw-semibold mb-1"),
                dcc.Dropdown(
                    multi=True,
                    options=facet_options([], values[field]),
                    placeholder="Any",
                    className="facet-dropdown",
                    **control(values, field),
                ),
            ],
            className="mb-3",
        )
        for field in FACET_DROPDOWNS
    ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Span("Filters", className="fw-semibold"),
                        dcc.Link("clear all", href=routes.SEARCH, className="small clear-filters"),
                    ],
                    className="d-flex justify-content-between mb-2",
                ),
                *dropdowns,
                yes_no(values, "has_base_model"),
                yes_no(values, "gated"),
                yes_no(values, "has_card"),
                yes_no(values, "licence_conflict"),
                html.Div(
                    [
                        dbc.Label("Created", className="small fw-semibold mb-1 d-block"),
                        dcc.DatePickerRange(
                            clearable=True,
                            display_format="YYYY-MM-DD",
                            start_date_placeholder_text="from",
                            end_date_placeholder_text="to",
                            className="created-range",
                            **control(values, "created_from", "created_to"),
                        ),
                    ],
                    className="mb-3",
                ),
                size_filter(values),
                html.Div(
                    [
                        dbc.Label(FIELD_LABELS["group"], className="small fw-semibold mb-1 d-block"),
                        dbc.RadioItems(options=FOLD_CHOICES, inline=True, **control(values, "group")),
                    ],
                    className="mb-3 fold-variants",
                ),
                html.Div(
                    [
                        dbc.Label("Minimum downloads", html_for=MIN_DOWNLOADS, className="small fw-semibold mb-1"),
                        dbc.Input(
                            type="number",
                            min=0,
                            step=1,
                            debounce=0.5,
                            placeholder="0",
                            **control(values, "min_downloads"),
                        ),
                    ],
                    className="mb-3",
                ),
                html.Div(
                    [
                        dbc.Label("Minimum quality (0–100)", html_for=MIN_QUALITY, className="small fw-semibold mb-1"),
                        dbc.Input(
                            type="number",
                            min=0,
                            max=MAX_SCORE,
                            step=1,
                            debounce=0.5,
                            placeholder="0",
                            **control(values, "min_quality"),
                        ),
                    ]
                ),
            ]
        ),
        className="filters-panel",
    )


def size_filter(values: Mapping[str, object]) -> html.Div:
    """Parameter bounds as the grammar writes them (7B, 1.5B, 350M), and the result's counts per
    size bucket, each a link setting both bounds (`params_links`)."""
    boxes = [
        dbc.Input(type="text", debounce=0.5, placeholder=hint, size="sm", **control(values, field))
        for field, hint in (("min_params", "from: 1B"), ("max_params", "to: 13B"))
    ]
    return html.Div(
        [
            dbc.Label("Parameters", html_for=MIN_PARAMS, className="small fw-semibold mb-1 d-block"),
            html.Div(boxes, className="d-flex gap-2"),
            html.Div(id=PARAMS_COUNTS, className="small mt-1 params-counts"),
        ],
        className="mb-3",
    )


def params_links(counts: Sequence[dict], query: SearchQuery) -> list:
    """ "3B-10B (1,234)" links: a bucket's bounds as min_params/max_params (upper inclusive, so
    one below the next bucket's start)."""
    bounds = {
        label: (low, PARAMS_BUCKETS[number + 1][1] - 1 if number + 1 < len(PARAMS_BUCKETS) else None)
        for number, (label, low) in enumerate(PARAMS_BUCKETS)
    }
    links = []
    for row in counts:
        low, high = bounds[row["value"]]
        href = routes.href(routes.SEARCH, query_string(query, min_params=low or None, max_params=high, page=1))
        links.append(dcc.Link(f"{row['value']} ({row['count']:,})", href=href, className="me-2 params-bucket"))
    return links


def yes_no(values: Mapping[str, object], field: str) -> html.Div:
    return html.Div(
        [
            dbc.Label(FIELD_LABELS[field], className="small fw-semibold mb-1 d-block"),
            dbc.RadioItems(options=ANY_YES_NO, inline=True, **control(values, field)),
        ],
        className="mb-3",
    )


def yes_no_options(counts: Sequence[dict]) -> list[dict]:
    """Any / Yes (count) / No (count), from a yes/no facet's counts ("true", "false")."""
    counted = {row["value"]: row["count"] for row in counts}
    return [
        {**option, "label": f"{option['label']} ({counted[option['value']]:,})"}
        if option["value"] in counted
        else option
        for option in ANY_YES_NO
    ]


def _yes_no_value(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


def facet_options(counts: Sequence[dict], selected: Sequence[str]) -> list[dict]:
    """Dropdown options "value (count)", largest first; selected values always listed."""
    options = [{"label": f"{row['value']} ({row['count']:,})", "value": row["value"]} for row in counts]
    shown = {row["value"] for row in counts}
    return [{"label": value, "value": value} for value in selected if value not in shown] + options


def summary(total: int, exact: bool, query: SearchQuery) -> list:
    """ "About 94,090 models", and the same query as JSON and as CSV."""
    count = f"{total:,} model{'s' if total != 1 else ''}" if exact else f"About {total:,} models"
    return [
        html.Span(count, className="fw-semibold result-total me-auto"),
        html.A(
            [html.I(className="bi bi-braces me-1"), "as JSON"],
            href=routes.api_models_href(query),
            className="btn btn-sm btn-outline-secondary json-link",
            target="_blank",
        ),
        html.A(
            [html.I(className="bi bi-download me-1"), "Download CSV"],
            href=csv_href(query),
            className="btn btn-sm btn-outline-secondary csv-link",
        ),
        dcc.Link(
            [html.I(className="bi bi-bar-chart me-1"), "analyse"],
            href=routes.analytics_href(query, page=1, cursor=None),
            className="btn btn-sm btn-outline-secondary analytics-link",
        ),
        dcc.Link(
            [html.I(className="bi bi-bookmark me-1"), "save"],
            href=routes.save_search_href(query),
            className="btn btn-sm btn-outline-secondary save-search-link",
        ),
    ]


def new_matches_text(count: int) -> list:
    match = "model matches" if count == 1 else "models match"
    return [html.I(className="bi bi-arrow-clockwise me-1"), f"{count:,} new {match} this search: show"]


def new_matches_class(count: int) -> str:
    return "new-matches mb-2" + ("" if count else " d-none")


def csv_href(query: SearchQuery) -> str:
    """The whole result (up to the API's cap) as CSV: the same query without its page."""
    return routes.api_models_href(query, format="csv", page=1, cursor=None, per_page=DEFAULT_PER_PAGE)


def empty_catalog() -> html.Div:
    return html.Div("The catalog is empty: run `catalog ingest …` to fill it.", className="text-muted empty-catalog")


def empty_state(query: SearchQuery) -> html.Div:
    """No match: offer to drop the filters (keeping the text) or the text."""
    keep_text = routes.search_href(SearchQuery(q=query.q))
    return html.Div(
        [
            html.I(className="bi bi-search fs-3 d-block mb-2"),
            html.P("No model matches this search.", className="mb-2"),
            dcc.Link("Clear the filters", href=keep_text, className="btn btn-sm btn-primary clear-filters"),
        ],
        className="text-center text-muted py-5 empty-state",
    )


def page_count(total: int, per_page: int) -> int:
    return max(1, min(MAX_PAGE, -(-total // per_page)))
