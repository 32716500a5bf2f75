"""The model page's Family tab: how the family grew (a Plotly chart) and its model tree, every
count a link to the lineage-aware search of what it counts."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from components import ids, routes
from components.analytics import GRAPH_CONFIG, TEMPLATE, month_bounds
from components.palette import RELATION_COLOURS
from data.query import SearchQuery
from data.vocabulary import RELATION_TYPES

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.family import ModelTree, Timeline

GROWTH_GRAPH = ids.of("model", "family-growth")
RELATION_NAMES = {"finetune": "Finetunes", "adapter": "Adapters", "quantized": "Quantizations", "merge": "Merges"}


def family_search_href(root: str, **filters) -> str:
    """The search of `root`'s descendants (at any depth unless `depth` says) with `filters`."""
    return routes.search_href(SearchQuery(descendant_of=root, **filters))


@dataclass(frozen=True)
class TreeLinks:
    """The searches the panel's counts open."""

    everything: str
    direct: dict[str, str]  # relation type: its derivatives of the root itself
    descendants: dict[str, str]  # relation type: at any depth
    authors: dict[str, str]  # author: their descendants of the root


def tree_links(tree: ModelTree) -> TreeLinks:
    root = tree.root
    return TreeLinks(
        everything=family_search_href(root),
        direct={kind: family_search_href(root, relation=[kind], depth=1) for kind in RELATION_TYPES},
        descendants={kind: family_search_href(root, relation=[kind]) for kind in RELATION_TYPES},
        authors={a.author: family_search_href(root, author=[a.author]) for a in tree.top_authors},
    )


def family_tab(tree: ModelTree, timeline: Timeline) -> html.Div:
    links = tree_links(tree)
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(_card("Family growth", _growth_subtitle(timeline), growth_chart(timeline)), lg=8),
                    dbc.Col(_card("Model tree", "descendants by relation", _tree_table(tree, links)), lg=4),
                ],
                className="mb-4",
            ),
            dbc.Row(
                [
                    dbc.Col(_card("Top derivatives", "most downloaded, at any depth", _top_derivatives(tree)), lg=8),
                    dbc.Col(_card("Top authors", "most descendants in the family", _top_authors(tree, links)), lg=4),
                ]
            ),
        ],
        className="model-family",
    )


def _card(title: str, subtitle: str, body) -> dbc.Card:
    header = dbc.CardHeader([html.H2(title, className="h6 mb-0"), html.Small(subtitle, className="text-muted")])
    return dbc.Card([header, dbc.CardBody(body)], className="h-100 family-card")


def _growth_subtitle(timeline: Timeline) -> str:
    text = "new descendants per month (at any depth), by relation; the line: the family's size"
    return f"{text}; {timeline.undated:,} undated" if timeline.undated else text


# --- growth --------------------------------------------------------------------------------


def growth_figure(timeline: Timeline) -> go.Figure | None:
    """Stacked monthly bars per relation, a bar opening the search of its derivatives; the
    family's cumulative size as a line on its own axis."""
    if not timeline.months:
        return None
    x = [f"{month}-01" for month in timeline.months]
    bars = [
        go.Bar(
            x=x,
            y=counts,
            name=kind,
            marker_color=RELATION_COLOURS[kind],
            customdata=[
                family_search_href(timeline.root, relation=[kind], **month_bounds(month)) for month in timeline.months
            ],
            xperiod="M1",
            xperiodalignment="middle",
            hovertemplate=f"{kind}<br>%{{x|%B %Y}}: %{{y:,}}<extra></extra>",
        )
        for kind, counts in timeline.counts.items()
        if any(counts)
    ]
    monthly = [sum(column) for column in zip(*timeline.counts.values(), strict=True)]
    sizes = list(accumulate(monthly))
    size = go.Scatter(
        x=x,
        y=sizes,
        name="family size",
        yaxis="y2",
        mode="lines",
        line={"color": "#495057", "width": 2},
        xperiod="M1",
        xperiodalignment="middle",
        hovertemplate="%{x|%B %Y}: %{y:,} dated descendants<extra></extra>",
    )
    return go.Figure(
        [*bars, size],
        layout={
            "template": TEMPLATE,
            "height": 340,
            "barmode": "stack",
            "hovermode": "closest",
            "legend": {"traceorder": "normal"},
            "xaxis": {"type": "date", "ticklabelmode": "period"},
            "yaxis": {"title": {"text": "new per month"}, "dtick": _whole_step(max(monthly))},
            "yaxis2": {
                "title": {"text": "family size"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
                "fixedrange": True,
                "dtick": _whole_step(sizes[-1]),
            },
        },
    )


def _whole_step(highest: int, ticks: int = 5) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving about `ticks` ticks: counts are whole."""
    step = 1
    while step * ticks < highest:
        for factor in (2, 5 / 2, 2):  # 1 → 2 → 5 → 10 → 20 …
            step = round(step * factor)
            if step * ticks >= highest:
                break
    return step


def growth_chart(timeline: Timeline):
    figure = growth_figure(timeline)
    if figure is None:
        return html.P("No dated descendants: nothing to chart.", className="text-muted family-growth-empty")
    return dcc.Graph(id=GROWTH_GRAPH, figure=figure, config=GRAPH_CONFIG, className="family-growth")


# --- the model tree ------------------------------------------------------------------------


def _tree_table(tree: ModelTree, links: TreeLinks) -> html.Div:
    rows = [
        html.Tr(
            [
                html.Td([_swatch(kind), RELATION_NAMES[kind]]),
                html.Td(_count_link(tree.direct[kind], links.direct[kind], f"direct-{kind}"), className="text-end"),
                html.Td(
                    _count_link(tree.descendants[kind], links.descendants[kind], f"all-{kind}"), className="text-end"
                ),
            ],
            className=f"tree-{kind}",
        )
        for kind in RELATION_TYPES
    ]
    total = html.Tr(
        [
            html.Th("All"),
            html.Th(f"{sum(tree.direct.values()):,}", className="text-end"),
            html.Th(_count_link(tree.total_descendants, links.everything, "all"), className="text-end"),
        ]
    )
    head = html.Thead(
        html.Tr(
            [html.Th("Relation"), html.Th("Direct", className="text-end"), html.Th("Any depth", className="text-end")]
        )
    )
    facts = html.P(
        [
            html.Strong(f"{tree.max_depth:,}"),
            " generations deep, by ",
            html.Strong(f"{tree.authors:,}"),
            " authors",
        ],
        className="small text-muted mb-0 tree-facts",
    )
    table = dbc.Table([head, html.Tbody(rows), html.Tfoot(total)], size="sm", className="model-tree")
    return html.Div([table, facts])


def _count_link(count: int, href: str, name: str):
    if not count:
        return html.Span("0", className="text-muted")
    return dcc.Link(f"{count:,}", href=href, className=f"tree-link tree-link-{name}")


def _swatch(kind: str) -> html.Span:
    return html.Span(className="lineage-swatch me-2", style={"borderTop": f"3px solid {RELATION_COLOURS[kind]}"})


def _top_derivatives(tree: ModelTree):
    if not tree.top_derivatives:
        return html.P("No descendants.", className="text-muted")
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(d.id, href=routes.model_href(d.id), className="family-derivative")),
                html.Td([_swatch(d.relation_type), d.relation_type]),
                html.Td(f"{d.depth:,}", className="text-end"),
                html.Td(f"{d.downloads:,}", className="text-end"),
            ]
        )
        for d in tree.top_derivatives
    ]
    head = html.Thead(
        html.Tr(
            [
                html.Th("Model"),
                html.Th("Relation"),
                html.Th("Generation", className="text-end"),
                html.Th("Downloads", className="text-end"),
            ]
        )
    )
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="family-derivatives")


def _top_authors(tree: ModelTree, links: TreeLinks):
    if not tree.top_authors:
        return html.P("No descendants.", className="text-muted")
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(a.author, href=links.authors[a.author], className="family-author")),
                html.Td(f"{a.descendants:,}", className="text-end"),
            ]
        )
        for a in tree.top_authors
    ]
    head = html.Thead(html.Tr([html.Th("Author"), html.Th("Descendants", className="text-end")]))
    return dbc.Table([head, html.Tbody(rows)], size="sm", hover=True, className="family-authors")
