"""Licence conflicts on the model page: a warning with the chain that causes it, and the words
of the analytics chart of conflicts per base family (data/licences.py judges; the rules:
docs/licences.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import routes
from components.palette import PALETTE
from data.query import SearchQuery

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.licences import ChainLink, LicenceConflict

CONFLICTS_SHOWN = 5  # on the model page; the API lists them all
KIND_LABELS = {  # a rule's derivative group, as the chart's legend says it
    "open": "open-source licence",
    "commercial": "commercial licence",
    "none": "no licence",
    "unspecified": "other / unknown",
}
KIND_COLOURS = dict(zip(KIND_LABELS, (PALETTE[3], PALETTE[6], PALETTE[2], PALETTE[9]), strict=True))
NO_LICENCE = "no licence"


# --- the model page's warning ------------------------------------------------------------------


def warnings(conflicts: Sequence[LicenceConflict]) -> list[dbc.Alert]:
    """[the warning] when the model's licence conflicts with an ancestor's, else []."""
    if not conflicts:
        return []
    shown = [_conflict(c) for c in conflicts[:CONFLICTS_SHOWN]]
    more = len(conflicts) - CONFLICTS_SHOWN
    if more > 0:
        shown.append(html.P(f"… and {more:,} more restricted ancestors (all in the API).", className="mb-0 small"))
    heading = html.H2(
        [html.I(className="bi bi-exclamation-triangle me-2"), "Licence conflict"], className="h6 alert-heading"
    )
    return [dbc.Alert([heading, *shown], color="warning", className="licence-conflicts")]


def _conflict(conflict: LicenceConflict) -> html.Div:
    lineage = "declared" if conflict.declared else "inferred"
    return html.Div(
        [
            html.P(
                [
                    f"{_declares(conflict.licence)}, yet derived ({lineage}, ",
                    f"{_generations(conflict.depth)}) from ",
                    dcc.Link(conflict.ancestor, href=routes.model_href(conflict.ancestor)),
                    f" ({conflict.ancestor_licence}). {conflict.reason} ",
                    html.Small(["rule ", html.Code(conflict.rule)], className="text-muted licence-rule"),
                ],
                className="mb-1",
            ),
            _chain(conflict.path),
            dcc.Link(
                "Other conflicting descendants of this ancestor",
                href=routes.search_href(SearchQuery(licence_conflict=True, descendant_of=conflict.ancestor)),
                className="small licence-family",
            ),
        ],
        className="mb-2 licence-conflict",
    )


def _declares(licence: str | None) -> str:
    return f"Licensed {licence}" if licence else "Declaring no licence"


def _generations(depth: int) -> str:
    return "directly" if depth == 1 else f"{depth} generations down"


def _chain(path: Sequence[ChainLink]) -> html.Ol:
    """Ancestor first: each model with its licence, after the edge it derives by."""
    items = []
    for link in path:
        edge = []
        if link.relation_type:
            how = link.relation_type if link.declared else f"{link.relation_type}, inferred"
            edge = [html.Span(f"↳ {how} ", className="text-muted")]
        badge = dbc.Badge(link.licence or NO_LICENCE, color="light", text_color="dark", className="licence-badge")
        items.append(html.Li([*edge, dcc.Link(link.id, href=routes.model_href(link.id)), " ", badge]))
    return html.Ol(items, className="list-unstyled small mb-1 licence-chain")
