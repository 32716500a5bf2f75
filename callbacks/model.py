"""The model page `/models/{author}/{name}`: the tab and lineage expansions live in the query string.

The router renders the page when the path changes; this page follows its own query string:
a tab click or a graph click rewrites the URL, and the URL renders the tab.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from callbacks.analytics import href_of
from callbacks.inputs import address_pairs, mapping, text
from components import family as family_view
from components import ids, lineage_graph, routes
from components import model_page as page
from components.model_page import ModelView
from data import catalog, family, lineage
from data.db import Database

# Descendants asked for, per relation type (each type gets its share, however popular the
# others); the rest of the family is summarised from exact counts.
RELATION_LIMIT = 40
EXPANDED_LIMIT = 200


def layout(db: Database, pairs: list[tuple[str, str]], repo_id: str = "", **path):
    view = ModelView.from_query(pairs)
    with db.session(read_only=True) as session:
        detail = None if "\x00" in repo_id else catalog.model_detail(session, repo_id)  # NUL: no text
        if detail is None:
            return page.not_found(repo_id), "Model not found"
        body = tab_body(session, detail, view)
    return page.model_page(detail, view, body), detail.repo_id


def tab_body(session: Session, detail: catalog.ModelDetail, view: ModelView):
    if view.tab == "files":
        return page.files(detail)
    if view.tab == "lineage":
        return page.lineage(detail.repo_id, lineage_graphs(session, detail.repo_id, view.expand), view)
    if view.tab == "family":
        tree, timeline = family.model_tree(session, detail.repo_id), family.timeline(session, detail.repo_id)
        if tree is None or timeline is None:  # deleted since the detail was read
            return page.not_found(detail.repo_id)
        return family_view.family_tab(tree, timeline)
    return page.overview(detail)


def lineage_graphs(session: Session, repo_id: str, expand: tuple[str, ...]) -> list[lineage.Ancestry]:
    """Every ancestor (with the family's counts), then the most-downloaded descendants of each
    relation type the family has: more of an expanded type."""
    ancestors = lineage.ancestry(session, repo_id, direction="up")
    present = [kind for kind, count in ancestors.counts_by_relation.items() if count]
    return [ancestors] + [
        lineage.ancestry(
            session,
            repo_id,
            direction="down",
            relation=[kind],
            limit=EXPANDED_LIMIT if kind in expand else RELATION_LIMIT,
        )
        for kind in present
    ]


def render_tab(
    db: Database, search: str | None, pathname: str | None, shown_id: str | None, active_tab: str | None = None
):
    """(tab body, active tab) for the query string; the router handles a change of model.

    The tab is set only when the URL moved without it (back, forward): re-setting it would let a
    late answer undo a newer click."""
    shown_id = text(shown_id)
    if not shown_id or routes.repo_id_in(text(pathname)).lower() != shown_id.lower():
        raise PreventUpdate
    view = ModelView.from_query(address_pairs(search))
    tab = no_update if view.tab == active_tab else view.tab
    with db.session(read_only=True) as session:
        detail = catalog.model_detail(session, shown_id)
        if detail is None:  # deleted since the page was drawn
            return page.not_found(shown_id), tab
        return tab_body(session, detail, view), tab


def search_for_tab(tab, search):
    tab = text(tab)
    view = ModelView.from_query(address_pairs(search))
    if tab not in page.TAB_LABELS or tab == view.tab:
        return no_update
    return view.with_tab(tab).query_string()


def follow_node(node: dict | None, search: str | None, shown_id: str | None):
    """(pathname, search) after a click on a graph node: a model opens its page on the lineage
    tab; a summary draws its relation type in full; the root and missing models stay put."""
    node = mapping(node)
    node_id = text(node.get("id"))
    if not node_id:
        raise PreventUpdate
    view = ModelView.from_query(address_pairs(search))
    if node_id.startswith(lineage_graph.SUMMARY_PREFIX):
        if not node.get("expandable"):
            raise PreventUpdate
        return no_update, view.toggled(text(node.get("relation"))).query_string()
    if not node.get("in_catalog") or node_id == text(shown_id):
        raise PreventUpdate
    return routes.model_href(node_id), ModelView(tab="lineage").query_string()


def register(app: Dash, db: Database) -> None:
    # optional: the page's components exist only while it is shown, not in the app's first layout
    @app.callback(
        Output(page.TAB_CONTENT, "children"),
        Output(page.TABS, "active_tab"),
        Input(ids.URL, "search"),
        State(ids.URL, "pathname"),
        State(page.MODEL_ID, "data"),
        State(page.TABS, "active_tab"),
        prevent_initial_call=True,
        optional=True,
    )
    def show_tab(search, pathname, shown_id, active_tab):
        return render_tab(db, search, pathname, shown_id, active_tab)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(page.TABS, "active_tab"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
        optional=True,
    )
    def tab_to_url(tab, search):
        return search_for_tab(tab, search)

    @app.callback(
        Output(ids.URL, "pathname", allow_duplicate=True),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(page.LINEAGE_GRAPH, "tapNodeData"),
        State(ids.URL, "search"),
        State(page.MODEL_ID, "data"),
        prevent_initial_call=True,
        optional=True,
    )
    def node_to_url(node, search, shown_id):
        return follow_node(node, search, shown_id)

    # A bar of the family's growth opens the search of the derivatives it counts.
    app.callback(
        Output(ids.URL, "href", allow_duplicate=True),
        Input(family_view.GROWTH_GRAPH, "clickData"),
        prevent_initial_call=True,
        optional=True,
    )(href_of)
