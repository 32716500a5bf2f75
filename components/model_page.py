"""The model page: header, tabs (overview, files, lineage) and its URL state."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import dash_cytoscape as cyto
from dash import dcc, html

from components import ids, licence, lineage_graph, routes
from components.palette import MISSING_COLOUR, RELATION_COLOURS
from data.query import MAX_TEXT, SearchQuery
from data.vocabulary import RELATION_TYPES

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.catalog import BaseModelLink, ModelDetail
    from data.lineage import Ancestry

TABS = ids.of("model", "tabs")
TAB_CONTENT = ids.of("model", "tab-content")
MODEL_ID = ids.of("model", "id")  # the model this page shows
LINEAGE_GRAPH = ids.of("model", "lineage-graph")

TAB_LABELS = {"overview": "Overview", "files": "Files", "lineage": "Lineage"}
SIBLINGS_DRAWN = 10  # children of one parent by relation type, unless that type is expanded


@dataclass(frozen=True)
class ModelView:
    """What the URL's query string selects: the tab and the relation types drawn in full."""

    tab: str = "overview"
    expand: tuple[str, ...] = ()

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> ModelView:
        """Tolerant: unknown keys and values are ignored; `expand` may repeat or hold a comma list."""
        tab, expand = cls.tab, set()
        for key, value in pairs:
            if key == "tab" and value in TAB_LABELS:
                tab = value
            elif key == "expand":
                expand |= {kind for kind in value.split(",") if kind in RELATION_TYPES}
        return cls(tab, tuple(kind for kind in RELATION_TYPES if kind in expand))

    def query_string(self) -> str:
        """Canonical: defaults dropped, keys sorted; "" or "?…"."""
        pairs = [("expand", kind) for kind in self.expand]
        if self.tab != ModelView.tab:
            pairs.append(("tab", self.tab))
        return routes.search_string(urlencode(pairs))

    def with_tab(self, tab: str) -> ModelView:
        return replace(self, tab=tab)

    def toggled(self, kind: str) -> ModelView:
        expand = set(self.expand) ^ {kind}
        return replace(self, expand=tuple(k for k in RELATION_TYPES if k in expand))


def model_href(repo_id: str, view: ModelView = ModelView()) -> str:
    return routes.model_href(repo_id, view.query_string())


def not_found(repo_id: str) -> html.Div:
    name = repo_id.rpartition("/")[2]
    return html.Div(
        [
            html.H2("Model not found"),
            html.P(["No model ", html.Code(repo_id), " is in the catalog."]),
            dcc.Link("Search the catalog for it", href=routes.search_href(SearchQuery(q=name[:MAX_TEXT]))),
        ],
        className="model-not-found",
    )


def model_page(detail: ModelDetail, view: ModelView, body) -> html.Div:
    tabs = [dbc.Tab(label=label, tab_id=tab) for tab, label in TAB_LABELS.items()]
    return html.Div(
        [
            dcc.Store(id=MODEL_ID, data=detail.repo_id),
            header(detail),
            dbc.Tabs(tabs, id=TABS, active_tab=view.tab, className="mb-3 model-tabs"),
            dcc.Loading(html.Div(body, id=TAB_CONTENT, className="model-tab-content"), delay_show=200),
        ]
    )


# --- header ------------------------------------------------------------------------------------


def header(detail: ModelDetail) -> html.Div:
    badges = [
        _badge("bi-tag", detail.pipeline_tag, "primary", "task"),
        _badge("bi-box", detail.library_name, "secondary", "library"),
        _badge("bi-file-text", detail.license, "info", "licence"),
        _badge("bi-lock", f"gated ({detail.gated})" if detail.gated else None, "warning", "gated"),
    ]
    facts = [
        _fact("bi-heart", f"{detail.likes:,} likes"),
        _fact("bi-download", f"{detail.downloads:,} downloads"),
        _fact("bi-calendar-plus", f"created {_date(detail.created_at)}"),
        _fact("bi-calendar-check", f"modified {_date(detail.last_modified)}"),
    ]
    return html.Div(
        [
            html.H1(detail.repo_id, className="h3 mb-1 model-id"),
            html.Div(
                [
                    "by ",
                    dcc.Link(detail.author, href=routes.author_href(detail.author), className="model-author"),
                    html.A(
                        [html.I(className="bi bi-box-arrow-up-right me-1"), "on the Hub"],
                        href=routes.hub_href(detail.repo_id),
                        target="_blank",
                        rel="noopener noreferrer",
                        className="ms-3 hub-link",
                    ),
                ],
                className="mb-2",
            ),
            html.Div([b for b in badges if b is not None], className="mb-2 model-badges"),
            html.Div(facts, className="text-muted small model-facts"),
        ],
        className="mb-3 model-header",
    )


def _badge(icon: str, text: str | None, colour: str, what: str):
    if not text:
        return None
    return dbc.Badge([html.I(className=f"bi {icon} me-1"), text], color=colour, className="me-1", title=what)


def _fact(icon: str, text: str) -> html.Span:
    return html.Span([html.I(className=f"bi {icon} me-1"), text], className="me-3")


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else "unknown"


# --- overview and files ------------------------------------------------------------------------


def overview(detail: ModelDetail) -> html.Div:
    return html.Div(
        [
            *licence.warnings(detail.licence_conflicts),
            _section("Tags", _tags(detail.tags)),
            _section("Datasets", _datasets(detail.datasets)),
            _section("Base models", _base_models(detail.base_models)),
            _section("Card data", _card_data(detail.card_data)),
        ],
        className="model-overview",
    )


def _section(title: str, body) -> html.Section:
    return html.Section([html.H2(title, className="h5"), body], className="mb-4")


def _none() -> html.P:
    return html.P("None.", className="text-muted")


def _tags(tags: dict[str, list[str]]):
    if not tags:
        return _none()
    rows = [
        html.Tr([html.Th(kind.replace("_", " "), className="text-nowrap"), html.Td([_tag(tag) for tag in values])])
        for kind, values in sorted(tags.items())
    ]
    return dbc.Table(html.Tbody(rows), size="sm", borderless=True, className="model-tags")


def _tag(tag: str) -> dbc.Badge:
    return dbc.Badge(tag, color="light", text_color="dark", className="me-1")


def _datasets(datasets: Sequence[str]):
    if not datasets:
        return _none()
    return html.Ul(
        [
            html.Li(html.A(name, href=routes.hub_href("datasets", name), target="_blank", rel="noopener noreferrer"))
            for name in datasets
        ]
    )


def _base_models(bases: Sequence[BaseModelLink]):
    if not bases:
        return _none()
    items = []
    for base in bases:
        name = (
            dcc.Link(base.id, href=model_href(base.id))
            if base.in_catalog
            else html.Span([base.id, " ", html.Em("(not in catalog)", className="text-muted")])
        )
        items.append(html.Li([name, " ", dbc.Badge(base.relation_type, color="light", text_color="dark")]))
    return html.Ul(items)


def _card_data(card: dict | None):
    if not card:
        return _none()
    return html.Pre(json.dumps(card, indent=2, sort_keys=True, default=str), className="small card-data")


def files(detail: ModelDetail) -> html.Div:
    if not detail.files:
        return html.Div([_none(), html.P(f"Stored size: {human_size(detail.total_file_size)}")])
    rows = [html.Tr([html.Td(f.name), html.Td(human_size(f.size), className="text-end")]) for f in detail.files]
    total = html.Tr(
        [
            html.Th(f"Total ({len(detail.files)} files)"),
            html.Th(human_size(detail.total_file_size), className="text-end"),
        ]
    )
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th("File"), html.Th("Size", className="text-end")])),
            html.Tbody(rows),
            html.Tfoot(total),
        ],
        size="sm",
        hover=True,
        className="model-files",
    )


def human_size(size: int | None) -> str:
    if size is None:
        return "—"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


# --- lineage -----------------------------------------------------------------------------------


def lineage(root: str, graphs: Sequence[Ancestry], view: ModelView) -> dbc.Row:
    """The graph of `graphs` (lineage results of one root, the first with every ancestor)
    beside the family's counts."""
    family = graphs[0]  # each result counts the whole family
    nodes, edges = lineage_graph.merge(graphs)
    nodes, edges = lineage_graph.prune_siblings(root, nodes, edges, SIBLINGS_DRAWN, view.expand)
    shown = Counter(lineage_graph.descendant_relations(root, edges).values())
    hidden = lineage_graph.hidden_by_relation(family.counts_by_relation, shown)
    elements = lineage_graph.elements(root, nodes, edges, hidden, view.expand)
    graph = cyto.Cytoscape(
        id=LINEAGE_GRAPH,
        elements=elements,
        layout=lineage_graph.layout(elements),
        stylesheet=lineage_graph.stylesheet(),
        minZoom=0.1,
        maxZoom=3,
        boxSelectionEnabled=False,
        className="lineage-graph",
        style={"width": "100%", "height": "620px"},
    )
    ancestors = sum(1 for node in nodes if node.depth < 0)
    return dbc.Row(
        [
            dbc.Col(graph, lg=9),
            dbc.Col(_lineage_side(root, family, shown, view, ancestors), lg=3, className="lineage-side"),
        ]
    )


def _lineage_side(root: str, family: Ancestry, shown: Counter, view: ModelView, ancestors: int) -> html.Div:
    counts = family.counts_by_relation
    rows = [_relation_row(root, kind, counts.get(kind, 0), shown.get(kind, 0), view) for kind in RELATION_TYPES]
    return html.Div(
        [
            html.P(
                [
                    html.Strong(f"{family.total_descendants:,}"),
                    " descendants, ",
                    html.Strong(f"{ancestors:,}"),
                    " ancestors; deepest ",
                    html.Strong(family.max_depth),
                ],
                className="lineage-totals",
            ),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th("Relation"),
                                html.Th("Family", className="text-end"),
                                html.Th("Shown", className="text-end"),
                                html.Th(""),
                            ]
                        )
                    ),
                    html.Tbody(rows),
                ],
                size="sm",
                className="lineage-counts",
            ),
            _legend(),
            html.P("Click a model to open its lineage.", className="small text-muted"),
        ]
    )


def _relation_row(root: str, kind: str, total: int, shown: int, view: ModelView) -> html.Tr:
    if kind in view.expand:
        action = dcc.Link("fewer", href=model_href(root, view.toggled(kind)), className=f"collapse-{kind}")
    elif total > shown:
        action = dcc.Link("more", href=model_href(root, view.toggled(kind)), className=f"expand-{kind}")
    else:
        action = ""
    return html.Tr(
        [
            html.Td([_swatch(RELATION_COLOURS[kind]), kind]),
            html.Td(f"{total:,}", className="text-end"),
            html.Td(f"{shown:,}", className="text-end"),
            html.Td(action, className="text-end"),
        ],
        className=f"relation-{kind}",
    )


def _swatch(colour: str, line: str = "solid") -> html.Span:
    return html.Span(className="lineage-swatch me-2", style={"borderTop": f"3px {line} {colour}"})


def _legend() -> html.Ul:
    entries = [
        ("lineage-dot root", "this model"),
        ("lineage-dot ancestor", "ancestor"),
        ("lineage-dot descendant", "descendant"),
        ("lineage-dot missing", "not in catalog"),
        ("lineage-dot summary", "more, not drawn: click to draw"),
    ]
    items = [html.Li([html.Span(className=f"{dot} me-2"), text]) for dot, text in entries]
    items.append(html.Li([_swatch(MISSING_COLOUR, "dotted"), "relation type inferred"]))
    items.append(html.Li("Size: downloads (log scale)", className="text-muted"))
    return html.Ul(items, className="list-unstyled small lineage-legend")
