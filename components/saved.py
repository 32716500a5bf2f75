"""The saved searches page: a search to save, the list with what is new in each, and the new
matches of one, marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from components.account import moment

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.accounts.searches import NewMatches, SavedSearchInfo

SAVE_FORM = ids.of("saved", "save-form")
SAVE_NAME = ids.of("saved", "save-name")
SAVE_QUERY = ids.of("saved", "save-query")  # the query string to save
SAVE_ERROR = ids.of("saved", "save-error")
SAVED_LIST = ids.of("saved", "list")
GO_TO = ids.of("saved", "go-to")  # where the page sends the browser after a save
DELETE = ids.of("saved", "delete")  # pattern: {"type": DELETE, "index": search id}


def sign_in_prompt(next_path: str) -> html.Div:
    return html.Div(
        [
            html.H1("Saved searches", className="h3"),
            html.P("Sign in to save searches and to be told what is new in them."),
            dcc.Link("Sign in", href=routes.login_href(next_path), className="btn btn-primary me-2 prompt-sign-in"),
            dcc.Link("Sign up", href=routes.signup_href(next_path), className="btn btn-outline-primary"),
        ],
        className="saved-prompt",
    )


def saved_page(
    searches: Sequence[SavedSearchInfo], to_save: str | None, news: NewMatches | None, name: str = ""
) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=GO_TO, refresh=True),
            html.H1("Saved searches", className="h3"),
            *([save_form(to_save, name)] if to_save is not None else []),
            *([new_matches(news)] if news is not None else []),
            html.Div(saved_list(searches), id=SAVED_LIST),
        ],
        className="saved-page",
    )


def save_form(query_text: str, name: str = "") -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Save this search", className="h5"),
                html.P(html.Code(query_text or "(every model)"), className="small saved-query-to-save"),
                dcc.Store(id=SAVE_QUERY, data=query_text),
                dbc.Form(
                    dbc.InputGroup(
                        [
                            dbc.Input(
                                id=SAVE_NAME, value=name, placeholder="A name for it", maxLength=100, autoFocus=True
                            ),
                            dbc.Button("Save", type="submit", color="primary", className="save-search"),
                        ]
                    ),
                    id=SAVE_FORM,
                    n_submit=0,
                    prevent_default_on_submit=True,
                ),
                dbc.Alert(id=SAVE_ERROR, color="danger", is_open=False, className="mt-2 mb-0 small save-error"),
            ]
        ),
        className="mb-4 save-card",
    )


def saved_list(searches: Sequence[SavedSearchInfo]) -> html.Div | dbc.Table:
    if not searches:
        return html.P(
            ["No saved search yet: search, then choose ", html.Em("save"), " above the results."],
            className="text-muted saved-empty",
        )
    head = html.Thead(html.Tr([html.Th(name) for name in ("Name", "New since your last visit", "Feed", "Saved", "")]))
    return dbc.Table([head, html.Tbody([_row(search) for search in searches])], size="sm", className="saved-list")


def _row(search: SavedSearchInfo) -> html.Tr:
    news = (  # a page load, not a dcc.Link: the router renders a page when its path changes only
        html.A(
            f"{search.new_count:,} new",
            href=routes.saved_search_news_href(search.id),
            className="badge text-bg-success saved-new",
        )
        if search.new_count
        else html.Span("nothing new", className="text-muted small saved-new")
    )
    return html.Tr(
        [
            html.Td(dcc.Link(search.name, href=routes.href(routes.SEARCH, search.query), className="saved-name")),
            html.Td(news),
            html.Td(_feed_link(search.feed_token)),
            html.Td(moment(search.created_at), className="small text-muted"),
            html.Td(
                dbc.Button(
                    "Delete",
                    id={"type": DELETE, "index": search.id},
                    n_clicks=0,
                    size="sm",
                    color="danger",
                    outline=True,
                    className="saved-delete",
                )
            ),
        ],
        className="saved-search",
        **{"data-search": str(search.id)},
    )


def _feed_link(feed_token: str) -> html.A:
    icon = html.I(className="bi bi-rss me-1")
    return html.A([icon, "Atom"], href=routes.search_feed_href(feed_token), className="saved-feed")


def new_matches(news: NewMatches) -> dbc.Card:
    search, models = news.search, news.models
    listed = (
        html.Ul(
            [
                html.Li(
                    [
                        dbc.Badge("new", color="success", className="me-2"),
                        dcc.Link(model.repo_id, href=routes.model_href(model.repo_id), className="model-link"),
                        html.Span(
                            " · ".join(f for f in (model.pipeline_tag, f"{model.downloads:,} downloads") if f),
                            className="small text-muted ms-2",
                        ),
                    ],
                    className="list-group-item new-match",
                )
                for model in models
            ],
            className="list-group",
        )
        if models
        else html.P("Nothing new since your last visit.", className="text-muted")
    )
    more = search.new_count - len(models)
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(f"New in “{search.name}”: {search.new_count:,}", className="h5"),
                listed,
                *(
                    [html.P(f"… and {more:,} more (the newest are listed).", className="small text-muted mt-2")]
                    if more > 0
                    else []
                ),
                html.P("They count as seen from now on.", className="small text-muted mt-2 mb-0"),
            ]
        ),
        className="mb-4 saved-news",
    )
