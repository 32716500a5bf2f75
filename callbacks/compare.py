"""The compare page (`/compare?ids=a,b,c`), redrawn as its query string changes (remove links,
the add box), and the model page's comparison list (components/compare.py)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from callbacks.inputs import address_pairs, items, text, texts
from components import compare as view
from components import compare_list as listing
from components import ids, routes
from components import model_page as model_view
from components import search as search_view
from data.compare import MAX_MODELS, MIN_MODELS, PARAMETER, compare, parse_ids
from data.db import Database
from data.query import QueryError

TITLE = "Compare models"


def layout(db: Database, pairs: list[tuple[str, str]], **path):
    return view.compare_page(body(db, pairs)), TITLE


def asked_ids(pairs: list[tuple[str, str]]) -> list[str]:
    """The ids of the query string's `ids`, each once, without the count check."""
    values = [value for key, value in pairs if key == PARAMETER]
    try:
        return parse_ids(values)
    except QueryError:
        found: dict[str, str] = {}
        for value in values:
            for part in value.split(","):
                if part.strip() and "\x00" not in part:
                    found.setdefault(part.strip().lower(), part.strip())
        return list(found.values())[: MAX_MODELS + 1]


def body(db: Database, pairs: list[tuple[str, str]]):
    repo_ids = asked_ids(pairs)
    if len(repo_ids) > MAX_MODELS:
        reason = f"At most {MAX_MODELS} models can be compared at once: remove some from the address."
        return view.too_few([], [], reason)
    with db.session(read_only=True) as session:
        found = compare(session, repo_ids) if repo_ids else None
    if found is None or len(found.ids) < MIN_MODELS:
        known, missing = (found.ids, found.missing) if found else ([], [])
        needed = MIN_MODELS - len(known)
        reason = f"Add {needed} more model{'s' if needed != 1 else ''} to compare: by id above, or from a model page."
        return view.too_few(known, missing, reason)
    return view.comparison(found)


def redraw(db: Database, search, pathname):
    if text(pathname).rstrip("/") != routes.COMPARE:
        raise PreventUpdate
    return body(db, address_pairs(search))


def with_added(search, added) -> str:
    """The query string with one more id (the page's add box)."""
    new = text(added).strip()
    if not new:
        raise PreventUpdate
    current = asked_ids(address_pairs(search))
    if new.lower() in {repo_id.lower() for repo_id in current}:
        raise PreventUpdate
    return routes.search_string(routes.compare_href([*current, new]).partition("?")[2])


def listed(clicked: str | None, stored, model_id) -> list[str]:
    """The comparison list after a click on "Add to comparison" or "clear"."""
    return [] if clicked == listing.CLEAR else with_model(stored, model_id)


def with_model(stored, model_id) -> list[str]:
    """The stored list with the model shown last (once, whatever its case); the oldest leave
    past MAX_MODELS."""
    model_id = text(model_id)
    kept = [repo_id for repo_id in texts(stored, MAX_MODELS) if repo_id.lower() != model_id.lower()]
    return [*kept, model_id][-MAX_MODELS:] if model_id else kept


def compare_link(stored, model_id) -> tuple[str, str]:
    """(href, label) of the model page's comparison link: the list with the model shown."""
    chosen = with_model(stored, model_id)
    label = f"Compare {len(chosen)} models" if len(chosen) >= MIN_MODELS else "Compare with…"
    return routes.compare_href(chosen), label


SELECTED_CLASS = "btn btn-sm btn-primary mb-2 compare-selected"


def selected_link(rows) -> tuple[str, str, str]:
    """(href, label, class) of the search page's link for the grid's ticked rows."""
    chosen = texts([row.get("id") for row in items(rows, MAX_MODELS + 1) if isinstance(row, dict)], MAX_MODELS + 1)
    if len(chosen) < MIN_MODELS:
        return routes.COMPARE, "", "d-none"
    if len(chosen) > MAX_MODELS:
        return routes.COMPARE, f"Tick at most {MAX_MODELS} to compare", SELECTED_CLASS + " disabled"
    return routes.compare_href(chosen), f"Compare {len(chosen)} selected", SELECTED_CLASS


def register(app: Dash, db: Database) -> None:
    # optional: the page's components exist only while it is shown
    app.callback(
        Output(view.BODY, "children"),
        Input(ids.URL, "search"),
        State(ids.URL, "pathname"),
        prevent_initial_call=True,
        optional=True,
    )(lambda search, pathname: redraw(db, search, pathname))

    app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Output(view.ADD_INPUT, "value"),
        Input(view.ADD_BUTTON, "n_clicks"),
        Input(view.ADD_INPUT, "n_submit"),
        State(ids.URL, "search"),
        State(view.ADD_INPUT, "value"),
        prevent_initial_call=True,
        optional=True,
    )(lambda _clicks, _submits, search, added: (with_added(search, added), ""))

    app.callback(
        Output(listing.LIST, "data"),
        Input(listing.ADD, "n_clicks"),
        Input(listing.CLEAR, "n_clicks"),
        State(listing.LIST, "data"),
        State(model_view.MODEL_ID, "data"),
        prevent_initial_call=True,
        optional=True,
    )(lambda _add, _clear, stored, model_id: listed(text(ctx.triggered_id), stored, model_id))

    app.callback(
        Output(listing.SELECTED, "href"),
        Output(listing.SELECTED, "children"),
        Output(listing.SELECTED, "className"),
        Input(search_view.GRID, "selectedRows"),
        prevent_initial_call=True,
        optional=True,
    )(selected_link)

    # A stored list loaded on mount changes `modified_timestamp`, not always `data` (Dash's docs).
    app.callback(
        Output(listing.LINK, "href"),
        Output(listing.LINK, "children"),
        Input(listing.LIST, "modified_timestamp"),
        State(listing.LIST, "data"),
        State(model_view.MODEL_ID, "data"),
        optional=True,
    )(lambda _stamp, stored, model_id: compare_link(stored, model_id))
