"""The compare page `/compare?ids=a,b,c`: the models' fields side by side (rows where they
differ highlighted), and how each pair is related, drawn small."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import dcc, html

from components import ids, lineage_graph, routes
from components.model_page import human_size
from data.compare import CARD_PARTS, MAX_MODELS, MIN_MODELS
from data.query import format_params

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.compare import Comparison, GraphEdge, GraphNode, Relation, Row

PAGE = "compare"
BODY = ids.of(PAGE, "body")  # redrawn when the query string changes
ADD_INPUT = ids.of(PAGE, "add-input")  # an id to add to the comparison
ADD_BUTTON = ids.of(PAGE, "add-button")
GRAPH = ids.of(PAGE, "graph")
DIFFERS_CLASS = "compare-differs table-warning"
KIND_WORDS = {"ancestor": "descends", "common_ancestor": "common ancestor", "unrelated": "unrelated"}
GRAPH_HEIGHT = "320px"


def compare_page(body) -> html.Div:
    return html.Div(
        [
            html.H1("Compare models", className="h3"),
            html.P(
                f"{MIN_MODELS} to {MAX_MODELS} models side by side; rows where they differ are highlighted. "
                "Add models here, from a model page, or by their ids in the address (ids=a,b,c).",
                className="text-muted",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(id=ADD_INPUT, placeholder="author/name", type="text", debounce=False),
                    dbc.Button("Add", id=ADD_BUTTON, n_clicks=0, color="primary"),
                ],
                size="sm",
                className="mb-3 compare-add",
                style={"maxWidth": "28rem"},
            ),
            html.Div(body, id=BODY),
        ],
        className="compare-page",
    )


def comparison(found: Comparison) -> html.Div:
    """The table, the exports and the relations of a comparison of MIN_MODELS or more."""
    return html.Div(
        [
            *_missing(found.missing),
            html.Div(
                [
                    html.A("JSON", href=routes.api_compare_href(found.ids), className="me-3 compare-json"),
                    html.A("CSV", href=routes.api_compare_href(found.ids, "csv"), className="compare-csv"),
                ],
                className="small mb-2",
            ),
            html.Div(table(found.ids, found.rows), className="table-responsive"),
            html.H2("How they are related", className="h5 mt-4"),
            relations(found.relations),
            graph(found.nodes, found.edges),
        ]
    )


def too_few(known: Sequence[str], missing: Sequence[str], reason: str) -> html.Div:
    """Not enough models to compare: what was asked, why not, and links to those known."""
    links = [html.Li(dcc.Link(repo_id, href=routes.model_href(repo_id))) for repo_id in known]
    return html.Div(
        [
            *_missing(missing),
            dbc.Alert(reason, color="info", className="compare-too-few"),
            *([html.Ul(links)] if links else []),
        ]
    )


def _missing(missing: Sequence[str]) -> list:
    if not missing:
        return []
    names = ", ".join(missing)
    return [dbc.Alert(f"Not in the catalog: {names}.", color="warning", className="compare-missing")]


def table(repo_ids: Sequence[str], rows: Sequence[Row]) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th("Field"), *(_model_head(repo_id, repo_ids) for repo_id in repo_ids)]))
    body = [
        html.Tr(
            [html.Th(row.label, className="text-nowrap"), *(html.Td(cell(row.field, v)) for v in row.values)],
            className=DIFFERS_CLASS if row.differs else "compare-same",
            **{"data-field": row.field},
        )
        for row in rows
    ]
    return dbc.Table([head, html.Tbody(body)], size="sm", bordered=True, className="compare-table")


def _model_head(repo_id: str, repo_ids: Sequence[str]) -> html.Th:
    others = [other for other in repo_ids if other != repo_id]
    remove = (
        [dcc.Link("remove", href=routes.compare_href(others), className="small ms-2 compare-remove")]
        if len(others) >= MIN_MODELS
        else []
    )
    return html.Th([dcc.Link(repo_id, href=routes.model_href(repo_id), className="compare-model text-break"), *remove])


def cell(field: str, value: Any) -> str | html.Ul:
    """A value as the table shows it."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return html.Ul([html.Li(item) for item in value], className="mb-0 ps-3 small")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if field == "total_file_size":
        return human_size(value)
    if field == "params":
        return format_params(_rounded(value))
    if field == "card_completeness":
        return f"{value} of {len(CARD_PARTS)}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _rounded(count: int) -> int:
    """Three significant digits: 7,241,781,248 is shown as 7.24B."""
    digits = len(str(count))
    return count if digits <= 3 else round(count, 3 - digits)


def relations(found: Sequence[Relation]) -> html.Ul:
    return html.Ul([_relation(relation) for relation in found], className="compare-relations")


def _relation(relation: Relation) -> html.Li:
    badge = dbc.Badge(KIND_WORDS[relation.kind], color="light", text_color="dark", className="me-2")
    pair = [html.Strong(relation.a), " and ", html.Strong(relation.b), ": "]
    others = [a for a in relation.nearest_common_ancestors if a != relation.ancestor]
    also = [html.Span(f" (as near: {', '.join(others)})", className="text-muted")] if others else []
    return html.Li(
        [badge, *pair, relation.summary, *also],
        className=f"compare-relation compare-{relation.kind}",
        **{"data-pair": f"{relation.a}|{relation.b}"},
    )


def graph(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> html.Div:
    """The compared models (bold red) and the ancestors connecting them, edges by relation type."""
    if not edges:
        return html.P("No lineage connects these models.", className="text-muted compare-no-graph")
    return html.Div(
        cyto.Cytoscape(
            id=GRAPH,
            elements=elements(nodes, edges),
            layout=lineage_graph.layout(),
            stylesheet=lineage_graph.stylesheet(),
            boxSelectionEnabled=False,
            maxZoom=1.2,  # a few nodes are not blown up to fill the box
            userZoomingEnabled=False,
            className="compare-graph",
            style={"width": "100%", "height": GRAPH_HEIGHT},
        ),
        className="border rounded mb-3",
    )


def elements(nodes: Sequence[GraphNode], edges: Sequence[GraphEdge]) -> list[dict]:
    drawn = []
    for node in nodes:
        kind = "root" if node.compared else "ancestor" if node.in_catalog else "missing"
        label = lineage_graph.short_label(node.id) + ("" if node.in_catalog else "\n(not in catalog)")
        data = {"id": node.id, "label": label, "size": lineage_graph.node_size(node.downloads)}
        drawn.append({"data": data, "classes": kind})
    for edge in edges:
        data = {"id": f"{edge.source}->{edge.target}", "source": edge.source, "target": edge.target}
        lineage = "declared" if edge.declared else "inferred"
        classes = f"relation {edge.relation_type} {lineage}"
        drawn.append({"data": data | {"relation": edge.relation_type}, "classes": classes})
    return drawn
