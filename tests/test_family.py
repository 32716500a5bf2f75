"""data/family.py and its API: a family's growth by month and its model tree, held against the
lineage read back out of the records in plain Python (tests/growth_family.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from callbacks import model
from components import analytics as analytics_view
from components import family as panel
from data import analytics, family
from data.analytics import GROWTH_WINDOW_DAYS, month_range
from data.ingest.pipeline import ingest
from data.query import SearchQuery, parse_query
from data.vocabulary import RELATION_TYPES
from tests.dash_tree import by_id, hrefs, text_of
from tests.growth_family import NEWEST, OTHER_ROOT, ROOT, family_truth, growth_records


@pytest.fixture
def growth_db(db):
    ingest(db, growth_records())
    return db


def expected_timeline(records: list[dict], root: str) -> tuple[list[str], dict[str, list[int]], int]:
    """(months, counts by relation, undated) of `root`'s family, from the records alone."""
    members = family_truth(records, root).values()
    dated = [m for m in members if m.created]
    newest = max(r["createdAt"] for r in records if r.get("createdAt"))[:7]
    months = month_range(min(m.created[:7] for m in dated), newest) if dated else []
    cells = Counter((m.created[:7], m.relation) for m in dated)
    counts = {kind: [cells[(month, kind)] for month in months] for kind in RELATION_TYPES}
    return months, counts, len(members) - len(dated)


@pytest.mark.parametrize("root", [ROOT, OTHER_ROOT, "grow/ft-a", "loop/a", "chain/c4"])
def test_the_timeline_counts_each_descendant_in_its_month_under_its_relation(growth_db, root):
    with growth_db.session(read_only=True) as session:
        found = family.timeline(session, root.upper())  # any case
    months, counts, undated = expected_timeline(growth_records(), root)
    assert found is not None and found.root == root
    assert (found.months, found.counts, found.undated) == (months, counts, undated)
    assert found.total_descendants == len(family_truth(growth_records(), root))


def test_the_timeline_of_the_largest_family_by_hand(growth_db):
    """Spelled out once, so that the truth function itself is checked."""
    with growth_db.session(read_only=True) as session:
        found = family.timeline(session, ROOT)
    assert found.months[0] == "2024-01" and found.months[-1] == NEWEST[:7] and len(found.months) == 10
    assert found.counts["adapter"][found.months.index("2024-06")] == 1  # the diamond
    assert found.counts["merge"][found.months.index("2024-06")] == 1
    assert found.counts["finetune"][found.months.index("2024-05")] == 3  # loop/a, loop/b, loop/self
    assert found.undated == 1 and found.total_descendants == 14


def test_an_unknown_model_has_no_timeline_nor_tree(growth_db):
    with growth_db.session(read_only=True) as session:
        assert family.timeline(session, "nobody/nothing") is None
        assert family.model_tree(session, "nobody/nothing") is None
        assert family.timeline(session, "bad\x00id") is None


def test_a_model_without_descendants_has_an_empty_timeline(growth_db):
    with growth_db.session(read_only=True) as session:
        found = family.timeline(session, "lone/newest")
    assert found.months == [] and found.total_descendants == 0 and found.undated == 0
    assert found.counts == {kind: [] for kind in RELATION_TYPES}


def test_the_model_tree_counts_direct_and_deep_descendants(growth_db):
    records = growth_records()
    truth = family_truth(records, ROOT)
    with growth_db.session(read_only=True) as session:
        tree = family.model_tree(session, ROOT, top=3)
    assert tree.direct == {
        kind: sum(1 for m in truth.values() if m.depth == 1 and m.relation == kind) for kind in RELATION_TYPES
    }
    assert tree.descendants == {kind: sum(1 for m in truth.values() if m.relation == kind) for kind in RELATION_TYPES}
    assert tree.total_descendants == len(truth)
    assert tree.max_depth == max(m.depth for m in truth.values())
    downloads = {r["id"]: r["downloads"] for r in records}
    ranked = sorted(truth.values(), key=lambda m: -downloads[m.repo_id])
    assert [(d.id, d.depth, d.relation_type, d.downloads) for d in tree.top_derivatives] == [
        (m.repo_id, m.depth, m.relation, downloads[m.repo_id]) for m in ranked[:3]
    ]
    authors = Counter(m.repo_id.split("/")[0] for m in truth.values())
    assert tree.authors == len(authors)
    assert [(a.author, a.descendants) for a in tree.top_authors] == sorted(
        authors.items(), key=lambda a: (-a[1], a[0])
    )[:3]


def test_the_panel_links_parse_back_to_the_family_searches(growth_db):
    with growth_db.session(read_only=True) as session:
        tree = family.model_tree(session, ROOT)
    links = panel.tree_links(tree)
    for kind in RELATION_TYPES:
        assert _parsed(links.descendants[kind]) == SearchQuery(descendant_of=ROOT, relation=[kind])
        assert _parsed(links.direct[kind]) == SearchQuery(descendant_of=ROOT, relation=[kind], depth=1)
    assert _parsed(links.everything) == SearchQuery(descendant_of=ROOT)
    for author in tree.top_authors:
        assert _parsed(links.authors[author.author]) == SearchQuery(descendant_of=ROOT, author=[author.author])


def _parsed(href: str) -> SearchQuery:
    parts = urlsplit(href)
    assert parts.path == "/"
    return parse_query(parse_qsl(parts.query), strict=True)


# --- API -----------------------------------------------------------------------------------


def test_the_timeline_route_answers_the_envelope(client, growth_db):
    response = client.get(f"/api/v1/models/{ROOT}/lineage/timeline")
    assert response.status_code == 200
    months, counts, undated = expected_timeline(growth_records(), ROOT)
    assert response.json == {
        "data": {
            "root": ROOT,
            "months": months,
            "counts": counts,
            "total_descendants": len(family_truth(growth_records(), ROOT)),
            "undated": undated,
        },
        "meta": {},
    }


@pytest.mark.parametrize("route", ["timeline", "tree"])
def test_an_unknown_model_is_a_404_in_the_envelope(client, growth_db, route):
    response = client.get(f"/api/v1/models/nobody/nothing/lineage/{route}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "MODEL_NOT_FOUND"
    assert response.json["error"]["details"] == {"id": "nobody/nothing"}


def test_the_tree_route_names_models_by_id(client, growth_db):
    body = client.get(f"/api/v1/models/{OTHER_ROOT}/lineage/tree").json
    assert body["data"]["root"] == OTHER_ROOT
    assert body["data"]["descendants"] == {"finetune": 3, "adapter": 0, "quantized": 2, "merge": 0}
    assert body["data"]["direct"] == {"finetune": 3, "adapter": 0, "quantized": 0, "merge": 0}
    assert {d["id"] for d in body["data"]["top_derivatives"]} == {
        "sprout/ft-1",
        "sprout/ft-2",
        "sprout/ft-3",
        "sprout/ft-1-q",
        "sprout/ft-2-q",
    }


def test_the_routes_are_in_the_openapi_spec(client):
    spec = client.get("/api/v1/openapi.json").json
    for route, schema in (("timeline", "Timeline"), ("tree", "ModelTree")):
        operation = spec["paths"][f"/api/v1/models/{{repo_id}}/lineage/{route}"]["get"]
        assert "404" in operation["responses"] and "200" in operation["responses"]
        assert schema in spec["components"]["schemas"]
    fields = spec["components"]["schemas"]["Derivative"]["properties"]
    assert "id" in fields and "repo_id" not in fields  # as the payload names it


# --- the fastest-growing families (analytics) ------------------------------------------------


def expected_growth(records: list[dict], days: int = GROWTH_WINDOW_DAYS) -> tuple[date, date, dict[str, Counter]]:
    """(first day, last day, {root: recent descendants by relation}) of the window ending on the
    day of the newest creation, from the records alone."""
    last = max(datetime.fromisoformat(r["createdAt"]) for r in records if r.get("createdAt")).date()
    first = last - timedelta(days=days - 1)
    grown = {}
    for record in records:
        recent = Counter(
            m.relation
            for m in family_truth(records, record["id"]).values()
            if m.created and datetime.fromisoformat(m.created).date() >= first
        )
        if recent:
            grown[record["id"]] = recent
    return first, last, grown


def test_the_fastest_growing_families_gained_most_in_the_last_90_days(growth_db):
    first, last, grown = expected_growth(growth_records())
    with growth_db.session(read_only=True) as session:
        growth = analytics.fastest_growing(session, SearchQuery())
    assert (growth.window_start, growth.window_end) == (first, last) == (date(2024, 7, 18), date(2024, 10, 15))
    ranked = sorted(grown.items(), key=lambda item: (-item[1].total(), item[0]))
    assert [(f.repo_id, f.recent) for f in growth.families] == [(root, n.total()) for root, n in ranked]
    for found in growth.families:
        assert found.recent_by_relation == {kind: grown[found.repo_id][kind] for kind in RELATION_TYPES}
        assert found.total == len(family_truth(growth_records(), found.repo_id))
    assert growth.families[0].repo_id == OTHER_ROOT  # 5 new against the larger family's 3


def test_the_fastest_growing_among_the_roots_a_search_selects(growth_db):
    _, _, grown = expected_growth(growth_records())
    with growth_db.session(read_only=True) as session:
        growth = analytics.fastest_growing(session, SearchQuery(author=["grow"]))
        first = analytics.fastest_growing(session, SearchQuery(author=["grow"]), limit=1)
        nothing = analytics.fastest_growing(session, SearchQuery(q="no-such-model-anywhere"))
    ranked = sorted((-n.total(), root) for root, n in grown.items() if root.startswith("grow/"))
    assert [(f.repo_id, f.recent) for f in growth.families] == [(root, -n) for n, root in ranked]
    [fastest] = first.families  # one of those tied for the most
    assert fastest.recent == -ranked[0][0] and (-fastest.recent, fastest.repo_id) in ranked
    assert nothing.families == [] and nothing.window_end == date(2024, 10, 15)


def test_no_dated_model_means_no_window(db):
    ingest(db, [{"id": "a/base", "tags": []}, {"id": "a/child", "tags": ["base_model:finetune:a/base"]}])
    with db.session(read_only=True) as session:
        growth = analytics.fastest_growing(session, SearchQuery())
    assert growth == analytics.Growth(None, None, [])


def test_the_growth_chart_links_each_family_to_its_new_members(growth_db):
    with growth_db.session(read_only=True) as session:
        growth = analytics.fastest_growing(session, SearchQuery())
    figure = analytics_view.growing_figure(growth)
    bars = figure.data[0]
    for name, href in zip(bars.y, bars.customdata, strict=True):
        assert _parsed(href) == SearchQuery(
            descendant_of=name, created_from=growth.window_start, created_to=growth.window_end
        )
    assert "2024-07-18 – 2024-10-15" in figure.layout.xaxis.title.text


def test_the_growth_figure_stacks_relations_and_ticks_whole_counts(growth_db):
    with growth_db.session(read_only=True) as session:
        timeline = family.timeline(session, ROOT)
    figure = panel.growth_figure(timeline)
    bars = {trace.name: trace for trace in figure.data if trace.type == "bar"}
    assert set(bars) == {kind for kind, counts in timeline.counts.items() if any(counts)}
    monthly = [sum(bar.y[i] for bar in bars.values()) for i in range(len(timeline.months))]
    size = next(trace for trace in figure.data if trace.name == "family size")
    assert list(size.y) == [sum(monthly[: i + 1]) for i in range(len(monthly))]
    for axis, highest in ((figure.layout.yaxis, max(monthly)), (figure.layout.yaxis2, size.y[-1])):
        assert isinstance(axis.dtick, int) and axis.dtick * 5 >= highest > axis.dtick
    for kind, bar in bars.items():
        assert _parsed(bar.customdata[0]) == SearchQuery(
            descendant_of=ROOT, relation=[kind], created_from=date(2024, 1, 1), created_to=date(2024, 1, 31)
        )


# --- the Family tab --------------------------------------------------------------------------


def test_the_family_tab_of_the_model_page_links_every_count(growth_db):
    children, title = model.layout(growth_db, [("tab", "family")], repo_id=ROOT.upper())
    assert title == ROOT
    assert by_id(children, panel.GROWTH_GRAPH).figure is not None
    with growth_db.session(read_only=True) as session:
        tree = family.model_tree(session, ROOT)
    links = panel.tree_links(tree)
    shown = set(hrefs(children))
    nonzero = [links.descendants[k] for k in RELATION_TYPES if tree.descendants[k]]
    nonzero += [links.direct[k] for k in RELATION_TYPES if tree.direct[k]]
    assert {links.everything, *nonzero, *links.authors.values()} <= shown
    assert {f"/models/{d.id}" for d in tree.top_derivatives} <= shown
    assert links.direct["merge"] not in shown  # no direct merge: a plain 0, no link


def test_the_family_tab_of_a_model_without_descendants_says_so(growth_db):
    body, tab = model.render_tab(growth_db, "?tab=family", "/models/lone/newest", "lone/newest")
    assert tab == "family"
    text = text_of(body)
    assert "No dated descendants" in text and "No descendants." in text
    assert not [href for href in hrefs(body) if href.startswith("/?")]  # every count is 0: no link
