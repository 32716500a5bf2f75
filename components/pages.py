"""The trending and author pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import dcc, html

from components import ids, routes
from components.results import day, results_view
from data.catalog import TREND_BASES
from data.query import MAX_TEXT, SearchQuery, query_string

if TYPE_CHECKING:  # the results' types only: components run no queries
    from data.catalog import AuthorProfile

TRENDING_URL = ids.of("trending", "url")  # this page's own view of the address bar
TRENDING_TASKS = ids.of("trending", "tasks")
TRENDING_RESULTS = ids.of("trending", "results")
TRENDING_GRID = ids.of("trending", "grid")
AUTHOR_GRID = ids.of("author", "grid")


# --- trending ------------------------------------------------------------------------------


def trending_page(task_counts: Sequence[dict], selected: Sequence[str]) -> html.Div:
    """`task_counts`: [{"value", "count"}] of the tasks that have trending models."""
    known = {row["value"] for row in task_counts}
    options = [{"label": f"{row['value']} ({row['count']:,})", "value": row["value"]} for row in task_counts]
    options += [{"label": task, "value": task} for task in selected if task not in known]
    return html.Div(
        [
            dcc.Location(id=TRENDING_URL, refresh=False),
            html.H1("Trending", className="h3"),
            html.P(
                "The models that trend most now; the Trending column is the score they are ranked by.",
                className="text-muted",
            ),
            dcc.Dropdown(
                id=TRENDING_TASKS,
                options=options,
                value=list(selected),
                multi=True,
                placeholder="All tasks",
                className="mb-3 trending-tasks",
            ),
            dcc.Loading(html.Div(id=TRENDING_RESULTS), type="dot", delay_show=150),
        ]
    )


def trending_results(models: Sequence) -> html.Div:
    if not models:
        return html.Div("No trending models for this task yet.", className="text-muted trending-empty")
    bases = dict.fromkeys(model.trend.basis for model in models if model.trend)
    ranked_by = "Ranked by " + "; then by ".join(TREND_BASES[basis] for basis in bases) + "."
    return html.Div([html.P(ranked_by, className="small trending-basis"), results_view(TRENDING_GRID, models)])


def trending_search(tasks: Sequence[str]) -> str:
    """The query string of the trending page showing `tasks` ("" for all)."""
    return routes.search_string(query_string(SearchQuery(pipeline_tag=list(tasks))))


# --- authors -------------------------------------------------------------------------------


def author_page(profile: AuthorProfile) -> html.Div:
    author = profile.author
    search = routes.search_href(SearchQuery(author=[author]))
    analytics = routes.analytics_href(SearchQuery(author=[author]))
    return html.Div(
        [
            html.H1(author, className="h3"),
            html.P(
                [
                    html.A(
                        "Hub profile", href=routes.hub_href(author), target="_blank", rel="noopener", className="me-3"
                    ),
                    dcc.Link(
                        f"All {profile.model_count:,} models in search", href=search, className="me-3 author-search"
                    ),
                    dcc.Link("Analytics", href=analytics, className="me-3 author-analytics"),
                    dcc.Link(
                        [html.I(className="bi bi-bell me-1"), "Watch"],
                        href=routes.watch_author_href(author),
                        className="watch-author",
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(_stat(label, value), xs=6, md=4, lg=2, className="mb-3")
                    for label, value in _author_stats(profile)
                ],
                className="author-stats",
            ),
            html.H2("Most downloaded models", className="h5 mt-2"),
            results_view(AUTHOR_GRID, profile.top_models),
        ]
    )


def _author_stats(profile: AuthorProfile) -> list[tuple[str, str]]:
    return [
        ("Models", f"{profile.model_count:,}"),
        ("Downloads", f"{profile.total_downloads:,}"),
        ("Likes", f"{profile.total_likes:,}"),
        ("Derived models", f"{profile.derived_model_count:,}"),
        ("First model", day(profile.first_created_at)),
        ("Latest model", day(profile.last_created_at)),
    ]


def _stat(label: str, value: str) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody([html.Div(label, className="small text-muted"), html.Div(value, className="fs-5 fw-semibold")]),
        className="h-100",
    )


def author_not_found(author: str) -> html.Div:
    return html.Div(
        [
            html.H1("Author not found", className="h3"),
            html.P(f"The catalog holds no models by “{author}”."),
            dcc.Link("Search the catalog", href=routes.search_href(SearchQuery(q=author[:MAX_TEXT]))),
        ],
        className="author-not-found",
    )
