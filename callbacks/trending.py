"""The trending page: models by trending score, filtered by task; the tasks live in the URL."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from callbacks.inputs import address_pairs, text, texts
from components import pages as view
from components import routes
from data import analytics, catalog
from data.db import Database
from data.query import parse_query

LIMIT = 50


def tasks_in(pairs: list[tuple[str, str]]) -> list[str]:
    return parse_query(pairs, strict=False).pipeline_tag


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    with db.session(read_only=True) as session:
        task_counts = analytics.trending_tasks(session)
    return view.trending_page(task_counts, tasks_in(pairs)), "Trending"


def results(db: Database, tasks):
    with db.session(read_only=True) as session:
        models = catalog.trending(session, LIMIT, texts(tasks))
    return view.trending_results(models)


def sync(triggered_id, tasks, search_string, pathname):
    """The picked tasks go to the address bar; back and forward bring them back to the picker."""
    tasks = sorted(texts(tasks))
    if triggered_id == view.TRENDING_URL:
        if not isinstance(search_string, str) or text(pathname) != routes.TRENDING:
            raise PreventUpdate
        from_address = sorted(tasks_in(address_pairs(search_string)))
        if from_address == tasks:
            raise PreventUpdate
        return from_address, no_update
    wanted = view.trending_search(tasks)
    return no_update, (wanted if wanted != search_string else no_update)


def sync_tasks_and_address(tasks, search_string, pathname):
    return sync(ctx.triggered_id, tasks, search_string, pathname)


def register(app: Dash, db: Database) -> None:
    # optional: the page's components exist only while it is shown, not in the app's first layout
    app.callback(Output(view.TRENDING_RESULTS, "children"), Input(view.TRENDING_TASKS, "value"), optional=True)(
        lambda tasks: results(db, tasks)
    )
    app.callback(
        Output(view.TRENDING_TASKS, "value"),
        Output(view.TRENDING_URL, "search"),
        Input(view.TRENDING_TASKS, "value"),
        Input(view.TRENDING_URL, "search"),
        State(view.TRENDING_URL, "pathname"),
        prevent_initial_call=True,
        optional=True,
    )(sync_tasks_and_address)
