"""Collections in the dashboard: yours at /collections (make one), one at /collections/{id}
(its models with their notes, exportable), and the model page's "Add to collection" menu."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from components.account import moment

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.accounts.collections import CollectionInfo, CollectionView

NEW_FORM = ids.of("collections", "new-form")
NEW_NAME = ids.of("collections", "new-name")
NEW_PUBLIC = ids.of("collections", "new-public")
NEW_ERROR = ids.of("collections", "new-error")
LIST = ids.of("collections", "list")
ADD_TO = ids.of("collections", "add-to")  # pattern: {"type": ADD_TO, "index": collection id}
ADDED = ids.of("collections", "added")  # what the menu did


def sign_in_prompt(next_path: str) -> html.Div:
    return html.Div(
        [
            html.H1("Collections", className="h3"),
            html.P("Sign in to keep lists of models, with a note for each."),
            dcc.Link("Sign in", href=routes.login_href(next_path), className="btn btn-primary me-2 prompt-sign-in"),
        ],
        className="collections-prompt",
    )


def collections_page(collections: Sequence[CollectionInfo]) -> html.Div:
    return html.Div(
        [html.H1("Collections", className="h3"), new_form(), html.Div(collection_list(collections), id=LIST)],
        className="collections-page",
    )


def new_form() -> dbc.Form:
    return dbc.Form(
        [
            dbc.InputGroup(
                [
                    dbc.Input(id=NEW_NAME, placeholder="A new collection's name", maxLength=100),
                    dbc.InputGroupText(dbc.Checkbox(id=NEW_PUBLIC, label="public", value=False)),
                    dbc.Button("Make", type="submit", color="primary", className="make-collection"),
                ]
            ),
            dbc.Alert(id=NEW_ERROR, color="danger", is_open=False, className="mt-2 small"),
        ],
        id=NEW_FORM,
        n_submit=0,
        prevent_default_on_submit=True,
        className="mb-4",
    )


def collection_list(collections: Sequence[CollectionInfo]) -> html.Div | dbc.Table:
    if not collections:
        return html.P("No collection yet.", className="text-muted collections-empty")
    head = html.Thead(html.Tr([html.Th(name) for name in ("Name", "Models", "Shared", "Made")]))
    rows = [
        html.Tr(
            [
                html.Td(dcc.Link(c.name, href=routes.collection_href(c.id), className="collection-name")),
                html.Td(f"{c.item_count:,}"),
                html.Td("public" if c.public else "private", className="collection-visibility"),
                html.Td(moment(c.created_at), className="small text-muted"),
            ],
            className="collection-row",
        )
        for c in collections
    ]
    return dbc.Table([head, html.Tbody(rows)], size="sm", className="collection-list")


def collection_page(view: CollectionView) -> html.Div:
    info = view.collection
    exports = [
        html.A("JSON", href=routes.api_collection_href(info.id), className="btn btn-sm btn-outline-secondary me-2"),
        html.A("CSV", href=routes.api_collection_href(info.id, "csv"), className="btn btn-sm btn-outline-secondary"),
    ]
    shared = "Public: anyone with this page's address may read it." if info.public else "Private: only you see it."
    items = [
        html.Li(
            [
                dcc.Link(item.repo_id, href=routes.model_href(item.repo_id), className="model-link")
                if item.model
                else html.Span([item.repo_id, " (no longer in the catalog)"], className="text-muted"),
                html.Div(item.note, className="small collection-note") if item.note else None,
            ],
            className="list-group-item collection-item",
        )
        for item in view.items
    ]
    return html.Div(
        [
            html.H1(info.name, className="h3 collection-title"),
            html.P([shared, html.Span(exports, className="ms-3")], className="small text-muted"),
            html.Ul(items, className="list-group") if items else html.P("No models yet.", className="text-muted"),
        ],
        className="collection-page",
    )


def missing(reason: str) -> html.P:
    return html.P(reason.capitalize() + ".", className="text-muted collection-missing")


def add_to_menu(collections: Sequence[CollectionInfo]) -> html.Div:
    """The model page's menu: add the model to one of your collections."""
    items = [dbc.DropdownMenuItem(c.name, id={"type": ADD_TO, "index": c.id}, n_clicks=0) for c in collections]
    if not items:
        items = [dbc.DropdownMenuItem("Make a collection first", href=routes.COLLECTIONS)]
    label = [html.I(className="bi bi-collection me-1"), "Add to collection"]
    return html.Div(
        [
            dbc.DropdownMenu(items, label=label, size="sm", color="link", className="add-to-collection"),
            html.Span(id=ADDED, className="small text-success ms-1 collection-added"),
        ],
        className="ms-3 d-flex align-items-center",
    )
