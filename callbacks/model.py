"""The model page `/models/{author}/{name}`: the tab and lineage expansions live in the query string.

The router renders the page when the path changes; this page follows its own query string:
a tab click or a graph click rewrites the URL, and the URL renders the tab.
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from callbacks import identity
from callbacks.analytics import href_of
from callbacks.inputs import address_pairs, mapping, text
from components import family as family_view
from components import history as history_view
from components import ids, lineage_graph, lineage_tab, routes
from components import model_page as page
from components import similar as similar_view
from components.model_page import ModelView
from data import catalog, family, family_groups, lineage
from data.accounts import collections
from data.db import Database
from data.history import model_history
from data.similar.serve import neighbours

PATH_ROOM = 3  # models fetched per member drawn and generation: paths, merges' other parents
TOP_AUTHORS = 12  # authors named per relation type in the whole family's chart; the rest are "others"


def layout(db: Database, pairs: list[tuple[str, str]], repo_id: str = "", **path):
    view = ModelView.from_query(pairs)
    with db.session(read_only=True) as session:
        detail = None if "\x00" in repo_id else catalog.model_detail(session, repo_id)  # NUL: no text
        if detail is None:
            return page.not_found(repo_id), "Model not found"
        body = tab_body(session, detail, view)
        account = identity.signed_in()
        kept = None if account is None else collections.list_collections(session, account.id)
    return page.model_page(detail, view, body, kept), detail.repo_id


def tab_body(session: Session, detail: catalog.ModelDetail, view: ModelView):
    if view.tab == "files":
        return page.files(detail)
    if view.tab == "lineage":
        return lineage_body(session, detail, view)
    if view.tab == "family":
        tree, timeline = family.model_tree(session, detail.repo_id), family.timeline(session, detail.repo_id)
        if tree is None or timeline is None:  # deleted since the detail was read
            return page.not_found(detail.repo_id)
        return family_view.family_tab(tree, timeline)
    if view.tab == "history":
        found = model_history(session, detail.repo_id)
        return page.not_found(detail.repo_id) if found is None else history_view.history_tab(found)
    return page.overview(detail)


def lineage_body(session: Session, detail: catalog.ModelDetail, view: ModelView):
    root = detail.repo_id
    ancestors = lineage.ancestry(session, root, direction="up")
    derivatives = family_groups.direct_derivatives(session, root)
    if ancestors is None or derivatives is None:  # deleted meanwhile
        return page.not_found(root)
    if view.view == "sunburst":
        authors = family_groups.family_authors(session, root, TOP_AUTHORS) or []
        return lineage_tab.lineage(root, [ancestors], detail.base_models, derivatives, view, authors=authors)
    sizes = family_groups.family_sizes(session, root)
    members = group_members(session, root, sizes or {}, view)
    drawable = sorted({node.id for graph in members for node in graph.nodes if node.depth > 0})
    # Links into the deeper summary too; per model for those that may be drawn.
    groups = family_groups.family_groups(session, root, view.generations + 1, drawable)
    if groups is None:
        return page.not_found(root)
    return lineage_tab.lineage(root, [ancestors, *members], detail.base_models, derivatives, view, family=groups)


def group_members(
    session: Session, root: str, sizes: dict[family_groups.Group, int], view: ModelView
) -> list[lineage.Ancestry]:
    """The most-downloaded members of each group drawn model by model, with the models that
    connect them to the root (up to generation - 1 each)."""
    bounds = view.bounds()
    found = []
    for group, size in sorted(sizes.items()):
        wanted = bounds.wanted(group, size, view.expand)
        if group.depth > bounds.generations or not wanted:
            continue
        # Room for the candidates' paths from the root (a merge's several), the rest is spare.
        limit = min(lineage.MAX_LIMIT, PATH_ROOM * wanted * group.depth)
        members = lineage.ancestry(
            session, root, direction="down", relation=[group.relation], generation=group.depth, limit=limit
        )
        if members is not None:
            found.append(members)
    return found


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
    tab; a group's summary draws its most-downloaded members; the deeper summary draws more
    generations; the root and missing models stay put."""
    node = mapping(node)
    node_id = text(node.get("id"))
    if not node_id:
        raise PreventUpdate
    view = ModelView.from_query(address_pairs(search))
    if node_id == lineage_graph.DEEPER:
        return no_update, view.deeper().query_string()
    if node_id.startswith(lineage_graph.SUMMARY_PREFIX):
        # Read as the URL's `expand` is, so that junk (a list, true, 0) is no group.
        group = ModelView.from_query([("expand", f"{text(node.get('relation'))}:{text(node.get('generation'))}")])
        if not node.get("expandable") or not group.expand:
            raise PreventUpdate
        return no_update, view.toggled(group.expand[0]).query_string()
    if not node.get("in_catalog") or node_id == text(shown_id):
        raise PreventUpdate
    return routes.model_href(node_id), ModelView(tab="lineage").query_string()


def similar_models(db: Database, shown_id: str | None):
    """The "Models like this" list of the model shown."""
    if not shown_id:
        raise PreventUpdate
    with db.session(read_only=True) as session:
        found = neighbours(session, text(shown_id), similar_view.SHOWN)
    return page.not_found(text(shown_id)) if found is None else similar_view.suggestions(found)


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

    # After the page has loaded (its MODEL_ID store appearing): the first render never waits for it.
    @app.callback(Output(similar_view.SIMILAR, "children"), Input(page.MODEL_ID, "data"), optional=True)
    def show_similar(shown_id):
        return similar_models(db, shown_id)

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
