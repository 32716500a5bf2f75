"""The model page: header, tabs (overview, files, lineage, family), models like it and its URL state."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, licence, lineage_graph, routes, similar
from components.collections import add_to_menu
from components.compare_list import add_to_comparison
from components.family import RELATION_NAMES
from data.arxiv import cited_paper
from data.quality import BY_NAME, MAX_SCORE
from data.query import MAX_TEXT, SearchQuery
from data.vocabulary import MAX_LINEAGE_DEPTH, RELATION_TYPES

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.catalog import BaseModelLink, ModelDetail
    from data.quality import Part

TABS = ids.of("model", "tabs")
TAB_CONTENT = ids.of("model", "tab-content")
MODEL_ID = ids.of("model", "id")  # the model this page shows
LINEAGE_GRAPH = ids.of("model", "lineage-graph")

LINEAGE_HOVER = ids.of("model", "lineage-hover")  # the full id of the node pointed at
LINEAGE_FAMILY = ids.of("model", "lineage-family")  # the whole family's chart

TAB_LABELS = {"overview": "Overview", "files": "Files", "lineage": "Lineage", "family": "Family", "history": "History"}
LINEAGE_VIEWS = {"graph": "Graph", "sunburst": "Whole family"}  # `view=` values, the first the default
GENERATIONS_DRAWN = 3  # generations drawn as groups by default; "deeper" adds as many again
BOUNDS = lineage_graph.Bounds(generations=GENERATIONS_DRAWN, small=3, expanded=10)


@dataclass(frozen=True)
class ModelView:
    """What the URL's query string selects: the tab, the lineage groups drawn model by model
    (`expand=finetune:2`, the finetunes of the second generation; a bare relation type means
    the first), how many generations are drawn and the lineage view."""

    tab: str = "overview"
    expand: tuple[tuple[int, str], ...] = ()  # (generation, relation type), in order
    generations: int = GENERATIONS_DRAWN
    view: str = "graph"

    @classmethod
    def from_query(cls, pairs: Iterable[tuple[str, str]]) -> ModelView:
        """Tolerant: unknown keys and values are ignored; `expand` may repeat or hold a comma list."""
        tab, expand, generations, view = cls.tab, set(), cls.generations, cls.view
        for key, value in pairs:
            if key == "tab" and value in TAB_LABELS:
                tab = value
            elif key == "expand":
                expand |= {group for item in value.split(",") if (group := _group(item))}
            elif key == "generations" and value.isdigit() and 1 <= int(value) <= MAX_LINEAGE_DEPTH:
                generations = int(value)
            elif key == "view" and value in LINEAGE_VIEWS:
                view = value
        return cls(tab, _ordered(expand), generations, view)

    def query_string(self) -> str:
        """Canonical: defaults dropped, keys sorted; "" or "?…"."""
        pairs = [("expand", kind if depth == 1 else f"{kind}:{depth}") for depth, kind in self.expand]
        if self.generations != ModelView.generations:
            pairs.append(("generations", str(self.generations)))
        if self.tab != ModelView.tab:
            pairs.append(("tab", self.tab))
        if self.view != ModelView.view:
            pairs.append(("view", self.view))
        return routes.search_string(urlencode(pairs, safe=":"))  # "finetune:2" stays readable

    def with_tab(self, tab: str) -> ModelView:
        return replace(self, tab=tab)

    def with_generations(self, generations: int) -> ModelView:
        return replace(self, generations=generations)

    def with_view(self, view: str) -> ModelView:
        return replace(self, view=view)

    def toggled(self, group: tuple[int, str]) -> ModelView:
        return replace(self, expand=_ordered(set(self.expand) ^ {tuple(group)}))

    def deeper(self) -> ModelView:
        return replace(self, generations=min(MAX_LINEAGE_DEPTH, self.generations + GENERATIONS_DRAWN))

    def bounds(self) -> lineage_graph.Bounds:
        return replace(BOUNDS, generations=self.generations)


def _group(item: str) -> tuple[int, str] | None:
    kind, colon, depth = item.partition(":")
    depth = depth if colon else "1"  # a bare relation type: the first generation
    if kind in RELATION_TYPES and depth.isdigit() and 1 <= int(depth) <= MAX_LINEAGE_DEPTH:
        return int(depth), kind
    return None


def _ordered(groups: Iterable[tuple[int, str]]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted(groups, key=lambda group: (group[0], RELATION_TYPES.index(group[1]))))


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


def model_page(detail: ModelDetail, view: ModelView, body, collections: Sequence | None = None) -> html.Div:
    """`collections`: the signed-in reader's (None for a visitor), for "Add to collection"."""
    tabs = [dbc.Tab(label=label, tab_id=tab) for tab, label in TAB_LABELS.items()]
    return html.Div(
        [
            dcc.Store(id=MODEL_ID, data=detail.repo_id),
            header(detail, collections),
            dbc.Tabs(tabs, id=TABS, active_tab=view.tab, className="mb-3 model-tabs"),
            dcc.Loading(html.Div(body, id=TAB_CONTENT, className="model-tab-content"), delay_show=200),
            similar.panel(),
        ]
    )


# --- header ------------------------------------------------------------------------------------


def header(detail: ModelDetail, collections: Sequence | None = None) -> html.Div:
    badges = [
        _badge("bi-tag", detail.pipeline_tag, "primary", "task"),
        _badge("bi-box", detail.library_name, "secondary", "library"),
        _badge("bi-file-text", detail.license, "info", "licence"),
        _badge("bi-lock", f"gated ({detail.gated})" if detail.gated else None, "warning", "gated"),
        _badge(
            "bi-patch-check",
            None if detail.quality is None else f"quality {detail.quality}/{MAX_SCORE}",
            "success",
            "quality score: its breakdown is in the overview",
        ),
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
                    watch_menu(detail.repo_id),
                    add_to_comparison(),
                    *([add_to_menu(collections)] if collections is not None else []),
                ],
                className="mb-2 d-flex align-items-center",
            ),
            html.Div([b for b in badges if b is not None], className="mb-2 model-badges"),
            html.Div(facts, className="text-muted small model-facts"),
        ],
        className="mb-3 model-header",
    )


def watch_menu(repo_id: str) -> dbc.DropdownMenu:
    """Watch the model: a saved search of its new derivatives, any or of one relation."""
    kinds = [(None, "Derivatives"), *((kind, RELATION_NAMES[kind]) for kind in RELATION_TYPES)]
    items = [
        dbc.DropdownMenuItem(f"New {label.lower()}", href=routes.watch_model_href(repo_id, kind, label))
        for kind, label in kinds
    ]
    label = [html.I(className="bi bi-bell me-1"), "Watch"]
    return dbc.DropdownMenu(items, label=label, size="sm", color="link", className="ms-3 watch-model")


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
            _section("Quality score", quality(detail.quality, detail.quality_breakdown)),
            _section("Tags", _tags(detail.tags)),
            _section("Datasets", _datasets(detail.datasets)),
            _section("Base models", _base_models(detail.base_models)),
            _section("Card data", _card_data(detail.card_data)),
        ],
        className="model-overview",
    )


def quality(total: int | None, parts: Sequence[Part]) -> html.Div:
    """The score and each component's points of its weight, with the rule that gave them."""
    if total is None:
        return html.P("Not computed yet: scores are set at the end of each ingest.", className="text-muted")
    rows = [
        html.Tr(
            [
                html.Th(part.label, className="text-nowrap fw-normal"),
                html.Td(
                    "—" if part.points is None else f"{part.points} / {part.weight}",
                    className="text-end text-nowrap quality-points",
                ),
                html.Td(
                    dbc.Progress(value=100 * (part.points or 0) / part.weight, style={"height": "6px"}),
                    className="align-middle w-25",
                ),
                html.Td(BY_NAME[part.component].rule, className="small text-muted"),
            ],
            className="quality-part",
            **{"data-component": part.component},
        )
        for part in parts
    ]
    return html.Div(
        [
            html.P([html.Span(f"{total}", className="fs-4 fw-semibold quality-total"), f" of {MAX_SCORE}"]),
            dbc.Table(html.Tbody(rows), size="sm", borderless=True, className="model-quality"),
        ]
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


def _tag(tag: str):
    """A badge; an arXiv tag's links to the paper's page."""
    badge = dbc.Badge(tag, color="light", text_color="dark", className="me-1")
    paper = cited_paper(tag)
    return dcc.Link(badge, href=routes.paper_href(paper), className="paper-tag") if paper else badge


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
