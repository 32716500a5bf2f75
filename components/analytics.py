"""The analytics page: Plotly figures of a search result and the cards that hold them.

Every bar carries, as its customdata, the search URL that the bar stands for: a click opens it.
Figure builders return None when there is nothing to draw, and cards then say so in words.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from components import ids, licence, routes
from components.labels import FIELD_LABELS
from components.palette import MUTED, PALETTE, RELATION_COLOURS
from data.analytics import GROWTH_WINDOW_DAYS, ConflictFamily, Family, Growth, Histogram, MonthlyCounts
from data.query import VIEW_FIELDS, SearchQuery, query_pairs
from data.vocabulary import RELATION_TYPES

PAGE = "analytics"
PAGE_URL = ids.of(PAGE, "url")  # this page's own view of the address bar
QUERY = ids.of(PAGE, "query")  # the canonical query string the charts show
FILTERS = ids.of(PAGE, "filters")
GRAPH = ids.of(PAGE, "graph")  # pattern id type: {"type": GRAPH, "chart": name}
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12, "color": "#343a40"},
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"gridcolor": "#f1f3f5", "zeroline": False, "automargin": True, "fixedrange": True},
        yaxis={"gridcolor": "#f1f3f5", "zeroline": False, "automargin": True, "fixedrange": True},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"bgcolor": "white"},
        bargap=0.15,
        dragmode=False,
    )
)
GRAPH_CONFIG = {"displayModeBar": False, "responsive": True}


def search_href(query: SearchQuery, **changes) -> str:
    """The search page for `query` with `changes`, from its first page."""
    return routes.search_href(query, cursor=None, page=1, **changes)


def month_bounds(month: str) -> dict:
    year, number = map(int, month.split("-"))
    last = calendar.monthrange(year, number)[1]
    return {"created_from": date(year, number, 1), "created_to": date(year, number, last)}


# --- figures -------------------------------------------------------------------------------


def _figure(traces, height: int = 340, **layout) -> go.Figure:
    return go.Figure(traces, layout={"template": TEMPLATE, "height": height, **layout})


def tasks_figure(counts: MonthlyCounts, query: SearchQuery) -> go.Figure | None:
    def href(month, task):
        return search_href(query, **month_bounds(month), **({"pipeline_tag": [task]} if task else {}))

    return _monthly_figure(counts, href, lambda s: MUTED.get(s.label))


def lineage_figure(counts: MonthlyCounts, query: SearchQuery) -> go.Figure | None:
    def href(month, _relation):  # search cannot filter on a relation without its base model
        return search_href(query, has_base_model=True, **month_bounds(month))

    return _monthly_figure(counts, href, lambda s: RELATION_COLOURS.get(s.label))


def _monthly_figure(counts: MonthlyCounts, href, colour) -> go.Figure | None:
    if not counts.months:
        return None
    x = [f"{month}-01" for month in counts.months]
    traces = [
        go.Bar(
            x=x,
            y=s.counts,
            name=s.label,
            marker_color=colour(s),
            customdata=[href(month, s.value) for month in counts.months],
            xperiod="M1",
            xperiodalignment="middle",
            hovertemplate=f"{s.label}<br>%{{x|%B %Y}}: %{{y:,}}<extra></extra>",
        )
        for s in counts.series
    ]
    return _figure(traces, barmode="stack", xaxis={"type": "date"}, hovermode="closest")


def ranking_figure(rows: Sequence[dict], query: SearchQuery, field: str) -> go.Figure | None:
    """Horizontal bars of {"value", "count"} rows, largest on top; a bar filters `field` by it."""
    if not rows:
        return None
    bar = go.Bar(
        x=[r["count"] for r in rows],
        y=[r["value"] for r in rows],
        orientation="h",
        marker_color=PALETTE[0],
        customdata=[search_href(query, **{field: [r["value"]]}) for r in rows],
        hovertemplate="%{y}: %{x:,} models<extra></extra>",
    )
    return _figure([bar], height=_rows_height(len(rows)), yaxis={"autorange": "reversed"})


def downloads_figure(histogram: Histogram, query: SearchQuery) -> go.Figure | None:
    """Models by order of magnitude of downloads; a bar lists its models from the smallest."""
    buckets = histogram.buckets
    if not buckets:
        return None
    bar = go.Bar(
        x=[_short(b.low) + ("+" if b.low else "") for b in buckets],
        y=[b.count for b in buckets],
        marker_color=PALETTE[1],
        customdata=[search_href(query, min_downloads=b.low, sort="downloads", order="asc") for b in buckets],
        text=[f"{b.low:,} – {b.high:,}" for b in buckets],
        textposition="none",
        hovertemplate="%{text} downloads: %{y:,} models<extra></extra>",
    )
    return _figure([bar], xaxis={"type": "category", "title": {"text": "downloads"}})


def quality_figure(histogram: Histogram, query: SearchQuery) -> go.Figure | None:
    """Models per 10 points of quality score; a bar lists its models from the lowest score."""
    buckets = histogram.buckets
    if not buckets:
        return None
    bar = go.Bar(
        x=[f"{b.low}–{b.high}" for b in buckets],
        y=[b.count for b in buckets],
        marker_color=PALETTE[2],
        customdata=[search_href(query, min_quality=b.low, sort="quality", order="asc") for b in buckets],
        hovertemplate="quality %{x}: %{y:,} models<extra></extra>",
    )
    return _figure([bar], xaxis={"type": "category", "title": {"text": "quality score"}})


def families_figure(families: Sequence[Family], _query: SearchQuery | None = None) -> go.Figure | None:
    """Stacked horizontal bars per family root; a click lists the root's direct derivatives
    (the filters chose the roots, so they do not apply to the derivatives)."""
    if not families:
        return None
    names = [f.repo_id for f in families]
    traces = [
        go.Bar(
            x=[f.by_relation[relation] for f in families],
            y=names,
            name=relation,
            orientation="h",
            marker_color=RELATION_COLOURS[relation],
            customdata=[search_href(SearchQuery(), base_model=name) for name in names],
            hovertemplate=f"%{{y}}<br>{relation}: %{{x:,}}<extra></extra>",
        )
        for relation in RELATION_TYPES
    ]
    return _figure(
        traces,
        height=_rows_height(len(families)) + 30,
        barmode="stack",
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )


def growing_figure(growth: Growth, _query: SearchQuery | None = None) -> go.Figure | None:
    """Stacked horizontal bars of each family's new descendants in the window, by relation; a
    click lists them (the lineage-aware search of the family, created in the window)."""
    if not growth.families or growth.window_start is None:
        return None
    names = [f.repo_id for f in growth.families]
    window = {"created_from": growth.window_start, "created_to": growth.window_end}
    hrefs = [search_href(SearchQuery(), descendant_of=name, **window) for name in names]
    totals = [f"{f.recent:,} of {f.total:,} descendants" for f in growth.families]
    traces = [
        go.Bar(
            x=[f.recent_by_relation[relation] for f in growth.families],
            y=names,
            name=relation,
            orientation="h",
            marker_color=RELATION_COLOURS[relation],
            customdata=hrefs,
            text=totals,
            textposition="none",
            hovertemplate=f"%{{y}}<br>{relation}: %{{x:,}} new<br>%{{text}}<extra></extra>",
        )
        for relation in RELATION_TYPES
    ]
    span = f"new descendants, {growth.window_start.isoformat()} – {growth.window_end.isoformat()}"
    return _figure(
        traces,
        height=_rows_height(len(names)) + 60,
        barmode="stack",
        xaxis={"title": {"text": span}},
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )


def conflicts_figure(families: Sequence[ConflictFamily], query: SearchQuery) -> go.Figure | None:
    """Stacked horizontal bars per restricted model, by what its conflicting descendants
    declare; a click searches those descendants, with the page's filters."""
    if not families:
        return None
    names = [f"{f.repo_id} ({f.licence})" for f in families]
    hrefs = [search_href(query, licence_conflict=True, descendant_of=f.repo_id) for f in families]
    traces = [
        go.Bar(
            x=[f.by_kind.get(kind, 0) for f in families],
            y=names,
            name=label,
            orientation="h",
            marker_color=licence.KIND_COLOURS[kind],
            customdata=hrefs,
            hovertemplate=f"%{{y}}<br>{label}: %{{x:,}}<extra></extra>",
        )
        for kind, label in licence.KIND_LABELS.items()
        if any(kind in f.by_kind for f in families)
    ]
    return _figure(
        traces,
        height=_rows_height(len(families)) + 30,
        barmode="stack",
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
    )


@dataclass(frozen=True)
class Chart:
    """A card of the page: what it shows, how its data is drawn, and how wide it is."""

    title: str
    subtitle: str  # what it counts
    draw: Callable[[Any, SearchQuery], go.Figure | None]  # (the chart's data, the query)
    wide: bool = False
    ranks: str | None = None  # a ranking's SearchQuery field: the chart's data is its top values


def ranking(field: str, title: str, subtitle: str) -> Chart:
    """The chart of the top values of `field` (a Counts); a bar filters `field` by its value."""
    return Chart(title, subtitle, lambda counts, query: ranking_figure(counts.values, query, field), ranks=field)


def _rows_height(rows: int) -> int:
    """Horizontal bars keep one thickness, however few or many they are."""
    return 28 * rows + 50


def _short(n: int) -> str:
    for size, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if n >= size:
            return f"{n / size:g}{suffix}"
    return str(n)


CHARTS = {  # name: the chart; the page shows them in this order
    "tasks": Chart(
        "Models created per month", "by task; the largest tasks, the rest as “other”", tasks_figure, wide=True
    ),
    "libraries": ranking("library", "Top libraries", "models per library"),
    "licenses": ranking("license", "Licences", "models per licence"),
    "authors": ranking("author", "Top authors", "models per author"),
    "downloads": Chart("Downloads", "models by order of magnitude of downloads", downloads_figure),
    "quality": Chart("Quality score", "models per 10 points of quality score (0–100)", quality_figure),
    "lineage": Chart(
        "Lineage edges per month",
        "by relation type, by the month the derivative was created",
        lineage_figure,
        wide=True,
    ),
    "families": Chart(
        "Largest families",
        "descendants at any depth, by relation; a click lists direct derivatives",
        families_figure,
        wide=True,
    ),
    "growing": Chart(
        "Fastest-growing families",
        f"new descendants at any depth in the last {GROWTH_WINDOW_DAYS} days of the data, by relation; "
        "a click lists them",
        growing_figure,
        wide=True,
    ),
    "licence_conflicts": Chart(
        "Licence conflicts per base family",
        "descendants whose licence conflicts with a restricted model's, by what they declare; a click lists them",
        conflicts_figure,
        wide=True,
    ),
}


# --- page ----------------------------------------------------------------------------------


def chart_id(name: str) -> str:
    """The id of the box a chart is drawn in."""
    return ids.of(PAGE, name)


def chart_body(name: str, figure: go.Figure | None, exact: bool = True) -> dcc.Graph | html.Div:
    """The chart, or words when there is nothing to draw; a note when its counts are estimates."""
    if figure is None:
        return empty_state("Nothing to chart for these filters.")
    graph = dcc.Graph(
        id={"type": GRAPH, "chart": name}, figure=figure, config=GRAPH_CONFIG, className="analytics-graph"
    )
    if exact:
        return graph
    note = html.Small(
        "Counts estimated from a sample of the matching models.", className="text-muted analytics-estimated"
    )
    return html.Div([graph, note])


def empty_state(message: str) -> html.Div:
    return html.Div([html.I(className="bi bi-bar-chart me-2"), message], className="analytics-empty text-muted")


def chart_card(name: str) -> dbc.Col:
    chart = CHARTS[name]
    card = dbc.Card(
        [
            dbc.CardHeader(
                [html.H2(chart.title, className="h6 mb-0"), html.Small(chart.subtitle, className="text-muted")]
            ),
            dbc.CardBody(
                dcc.Loading(html.Div(id=chart_id(name), className="analytics-body"), type="dot", delay_show=150)
            ),
        ],
        className="analytics-card h-100",
    )
    return dbc.Col(card, lg=12 if chart.wide else 6, className="mb-4")


def analytics_page(canonical_query: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=PAGE_URL, refresh=False),
            dcc.Store(id=QUERY, data=canonical_query),
            html.H1("Analytics", className="h3"),
            html.Div(id=FILTERS, className="mb-3"),
            dbc.Row([chart_card(name) for name in CHARTS]),
        ],
        className="analytics-page",
    )


def filter_bar(query: SearchQuery, total: int, exact: bool) -> html.Div:
    """The active filters, each removable, the size of the result and a link back to search."""
    pairs = [(key, value) for key, value in query_pairs(query) if key not in VIEW_FIELDS]
    chips = [
        dcc.Link(
            [f"{FIELD_LABELS.get(key, key)}: {value} ", html.I(className="bi bi-x")],
            href=routes.href(routes.ANALYTICS, urlencode(pairs[:i] + pairs[i + 1 :])),
            title="remove this filter",
            className="badge rounded-pill text-bg-light border me-1 text-decoration-none analytics-filter",
        )
        for i, (key, value) in enumerate(pairs)
    ]
    size = f"{total:,} models" if exact else f"about {total:,} models"
    scope = chips or [html.Span("All models in the catalog", className="me-1")]
    children = [
        html.Span(size, className="fw-semibold me-2 analytics-total"),
        *scope,
        dcc.Link("refine in search →", href=routes.search_href(query), className="ms-2 analytics-refine"),
    ]
    if total == 0:
        children.append(
            dbc.Alert(
                "No models match these filters: remove one above, or refine in search.",
                color="light",
                className="mt-2 mb-0",
            )
        )
    return html.Div(children, className="analytics-filter-bar")
