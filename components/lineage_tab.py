"""The model page's Lineage tab: the family as a graph of groups (or the whole family as a
sunburst) beside its counts, this model's own base-model edges and its direct derivatives,
each marked declared or inferred."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import dcc, html

from components import lineage_family, lineage_graph
from components.labels import RELATION_PLURALS
from components.model_page import (
    LINEAGE_FAMILY,
    LINEAGE_GRAPH,
    LINEAGE_HOVER,
    LINEAGE_VIEWS,
    ModelView,
    model_href,
)
from components.palette import MISSING_COLOUR, RELATION_COLOURS
from data.vocabulary import RELATION_TYPES

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.catalog import BaseModelLink
    from data.family_groups import AuthorCount, DirectDerivatives, FamilyGroups
    from data.lineage import Ancestry

HOVER_HINT = "Point at a node for its full id; click a model to open its lineage, a group to draw it."
# Fitting a tall drawing stops at this zoom, where 13 px labels still read as 8.5 px: beyond
# it the graph is panned, not shrunk (the sunburst view shows a family whole).
MIN_ZOOM = 0.65


def lineage(
    root: str,
    graphs: Sequence[Ancestry],
    bases: Sequence[BaseModelLink],
    derivatives: DirectDerivatives,
    view: ModelView,
    family: FamilyGroups | None = None,
    authors: Sequence[AuthorCount] = (),
) -> dbc.Row:
    """The graph of `graphs` (lineage results of one root, the first with every ancestor) and
    `family` in the graph view, the sunburst of `authors` in the sunburst view, beside the
    family's counts."""
    nodes, edges = lineage_graph.merge(graphs)
    ancestors = sum(1 for node in nodes if node.depth < 0)
    if family is None or view.view == "sunburst":
        main, shown = _family_chart(root, authors), None
    else:
        drawing = lineage_graph.plan(root, nodes, edges, family, view.expand, view.bounds())
        main, shown = _graph(root, drawing), drawing.shown
    side = [
        _totals(graphs[0], ancestors),
        _counts(graphs[0].counts_by_relation, shown),
        *_expanded(root, view),
        _bases(bases),
        _derivatives(derivatives),
        _legend(),
    ]
    return dbc.Row(
        [
            dbc.Col([_views(root, view), main], lg=9),
            dbc.Col(html.Div(side), lg=3, className="lineage-side"),
        ]
    )


def _views(root: str, view: ModelView) -> dbc.Nav:
    links = [
        dbc.NavItem(
            dbc.NavLink(
                label,
                href=model_href(root, view.with_view(name)),
                active=name == view.view,
                className=f"lineage-view-{name}",
            )
        )
        for name, label in LINEAGE_VIEWS.items()
    ]
    return dbc.Nav(links, pills=True, className="mb-2 lineage-views")


def _graph(root: str, drawing: lineage_graph.Drawing) -> html.Div:
    elements = lineage_graph.elements(root, drawing)
    graph = cyto.Cytoscape(
        id=LINEAGE_GRAPH,
        elements=elements,
        layout=lineage_graph.layout(),
        stylesheet=lineage_graph.stylesheet(),
        minZoom=MIN_ZOOM,
        maxZoom=3,
        boxSelectionEnabled=False,
        className="lineage-graph",
        style={"width": "100%", "height": "680px"},
    )
    # assets/lineage_hover.js writes the node pointed at here (no callback: no round trip per node).
    hover = html.Div(
        HOVER_HINT,
        id=LINEAGE_HOVER,
        className="small text-muted lineage-hover mt-1",
        **{"data-summary-prefix": lineage_graph.SUMMARY_PREFIX},
    )
    return html.Div([graph, hover])


def _family_chart(root: str, authors: Sequence[AuthorCount]):
    figure = lineage_family.sunburst(root, authors)
    if figure is None:
        return html.P("No descendants in the catalog.", className="text-muted lineage-family-empty")
    return dcc.Graph(
        id=LINEAGE_FAMILY,
        figure=figure,
        config={"displayModeBar": False, "responsive": True},
        className="lineage-family",
    )


def _totals(family: Ancestry, ancestors: int) -> html.P:
    return html.P(
        [
            html.Strong(f"{family.total_descendants:,}"),
            " descendants, ",
            html.Strong(f"{ancestors:,}"),
            " ancestors; deepest ",
            html.Strong(family.max_depth),
        ],
        className="lineage-totals",
    )


def _counts(counts: dict[str, int], shown) -> dbc.Table:
    """The family by relation type; in the graph view, how many of each are drawn."""
    head = [html.Th("Relation"), html.Th("Family", className="text-end")]
    if shown is not None:
        head.append(html.Th("Drawn", className="text-end"))
    rows = []
    for kind in RELATION_TYPES:
        cells = [
            html.Td([_swatch(RELATION_COLOURS[kind]), kind]),
            html.Td(f"{counts.get(kind, 0):,}", className="text-end"),
        ]
        if shown is not None:
            cells.append(html.Td(f"{shown.get(kind, 0):,}", className="text-end"))
        rows.append(html.Tr(cells, className=f"relation-{kind}"))
    return dbc.Table([html.Thead(html.Tr(head)), html.Tbody(rows)], size="sm", className="lineage-counts")


def _expanded(root: str, view: ModelView) -> list:
    """Links undoing each expansion and the extra generations (a click on a summary did them)."""
    if view.view != "graph":
        return []
    items = [
        html.Li(
            [
                f"{RELATION_PLURALS[kind]}, generation {depth} ",
                dcc.Link(
                    "fewer", href=model_href(root, view.toggled((depth, kind))), className=f"collapse-{kind}-{depth}"
                ),
            ]
        )
        for depth, kind in view.expand
    ]
    if view.generations != ModelView.generations:
        default = ModelView.generations
        fewer = dcc.Link(
            "fewer", href=model_href(root, view.with_generations(default)), className="collapse-generations"
        )
        items.append(html.Li([f"{view.generations} generations drawn ", fewer]))
    if not items:
        return []
    return [html.Ul(items, className="list-unstyled small lineage-expanded")]


def _section(title: str, body) -> html.Section:
    return html.Section([html.H3(title, className="h6 mt-3"), body])


def _lineage_badge(declared: bool) -> dbc.Badge:
    word = "declared" if declared else "inferred"
    return dbc.Badge(word, color="success" if declared else "warning", className=f"ms-1 lineage-{word}")


def _bases(bases: Sequence[BaseModelLink]) -> html.Section:
    """This model's own base-model edges: the relation type declared (a typed tag, card data)
    or inferred (an untyped tag, typed from the tags, library and name)."""
    if not bases:
        return _section("Base models", html.P("None.", className="text-muted small"))
    items = []
    for base in bases:
        name = dcc.Link(base.id, href=model_href(base.id, ModelView(tab="lineage"))) if base.in_catalog else base.id
        items.append(
            html.Li(
                [
                    name,
                    " ",
                    dbc.Badge(base.relation_type, color="light", text_color="dark"),
                    _lineage_badge(base.declared),
                ],
                title=f"read from {base.source.replace('_', ' ')}",
                className="lineage-base",
            )
        )
    return _section("Base models", html.Ul(items, className="list-unstyled small lineage-bases"))


def _derivatives(derivatives: DirectDerivatives) -> html.Section:
    """Direct derivatives by relation type, declared and inferred apart."""
    rows = [
        html.Tr(
            [
                html.Td(kind),
                html.Td(f"{derivatives.of(kind, True):,}", className="text-end"),
                html.Td(f"{derivatives.of(kind, False):,}", className="text-end"),
            ],
            className=f"derivatives-{kind}",
        )
        for kind in RELATION_TYPES
        if derivatives.of(kind, True) or derivatives.of(kind, False)
    ]
    if not rows:
        return _section("Direct derivatives", html.P("None.", className="text-muted small"))
    head = html.Tr(
        [html.Th("Relation"), html.Th("Declared", className="text-end"), html.Th("Inferred", className="text-end")]
    )
    table = dbc.Table([html.Thead(head), html.Tbody(rows)], size="sm", className="lineage-derivatives")
    return _section("Direct derivatives", table)


def _swatch(colour: str, line: str = "solid", width: int = 3) -> html.Span:
    return html.Span(className="lineage-swatch me-2", style={"borderTop": f"{width}px {line} {colour}"})


def _legend() -> html.Ul:
    entries = [
        ("lineage-dot root", "this model"),
        ("lineage-dot ancestor", "ancestor"),
        ("lineage-dot descendant", "descendant"),
        ("lineage-dot missing", "not in catalog"),
        ("lineage-dot summary", "a group of derivatives: click to draw its most downloaded"),
    ]
    items = [html.Li([html.Span(className=f"{dot} me-2"), text]) for dot, text in entries]
    items += [
        html.Li(
            [_swatch(MISSING_COLOUR), "relation type declared (typed tag, card data)"], className="legend-declared"
        ),
        html.Li(
            [_swatch(MISSING_COLOUR, "dashed"), "relation type inferred (from tags, library, name)"],
            className="legend-inferred",
        ),
        html.Li([_swatch(MISSING_COLOUR, "solid", 1), "into a group"], className="legend-group"),
        html.Li("Colour: relation type; size: downloads (log scale)", className="text-muted"),
    ]
    return html.Ul(items, className="list-unstyled small lineage-legend mt-3")
