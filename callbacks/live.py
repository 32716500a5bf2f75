"""Live updates: the browser's channel to the catalog's changes (assets/live.js, started on every
page load) and the live page of new arrivals, which each change refreshes."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State

from callbacks.inputs import mapping, text, whole_number
from components import ids
from components import live as view
from data.arrivals import count_matches, high_point, newest_arrivals
from data.db import Database
from data.query import parse_query, query_string

LISTED = 50


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    query_text = query_string(parse_query(pairs, strict=False).model_copy(update={"page": 1, "cursor": None}))
    with db.session(read_only=True) as session:
        opened = high_point(session)
    return view.live_page(query_text, opened), "New models"


def arrivals(db: Database, change, opened, query_text) -> tuple:
    opened, query_text = whole_number(opened) or 0, text(query_text)
    with db.session(read_only=True) as session:
        listed = newest_arrivals(session, query_text, LISTED)
        new_count = count_matches(session, query_text, after=opened)
    told = mapping(change)
    last_new, last_changed = whole_number(told.get("new")) or 0, whole_number(told.get("changed")) or 0
    since = view.since_line(new_count, last_new, last_changed, told.get("via") == "push")
    return view.arrivals_table(listed, opened), since


def register(app: Dash, db: Database) -> None:
    app.clientside_callback(
        ClientsideFunction(namespace="live", function_name="start"),
        Output(ids.LIVE_STATUS, "title"),
        Input(ids.LIVE_CONFIG, "data"),
    )
    app.callback(
        Output(view.ARRIVALS, "children"),
        Output(view.SINCE, "children"),
        Input(ids.LIVE_EVENT, "data"),
        Input(view.OPENED, "data"),
        State(view.QUERY, "data"),
        optional=True,
    )(lambda change, opened, query_text: arrivals(db, change, opened, query_text))
