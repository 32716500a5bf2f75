"""Lineage in search (issue #13): descendant_of / ancestor_of within depth, relation and lineage
on the edge into each result, over the first 50,000 real Hub models.

The truth is a breadth-first walk written here over the `base_model:` tags of the raw JSON
(self-loops dropped, cycles walked once). An edge's relation type is inferred at ingestion
for untyped tags (ingestion's rule, tested there), so it is read from base_model_relations;
which edges exist, and everything the search derives from them, comes from the JSON.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict, deque

import pytest
from sqlalchemy import text

from components import search as view
from data.query import SearchQuery
from data.search import search
from tests.family import family_records
from tests.results_view import shown_ids
from tests.test_ingest_shared import pages
from tests.test_search_browser import address, api_ids, database, open_page, site, wait_for  # noqa: F401  (fixtures)

PAGES = 50
LINEAGE_TAG = re.compile(r"^base_model:(?:(finetune|adapter|quantized|merge):)?([^:]+)$")
MAX_DEPTH = 50


class Graph:
    """Edges parent → child between models of the catalog, by lower-cased id."""

    def __init__(self, edges: dict[tuple[str, str], str]):
        self.relation = edges  # (parent, child) → relation type
        self.children: dict[str, set[str]] = defaultdict(set)
        self.parents: dict[str, set[str]] = defaultdict(set)
        for parent, child in edges:
            self.children[parent].add(child)
            self.parents[child].add(parent)

    def distances(self, root: str, step) -> dict[str, int]:
        """Breadth first from `root` along `step`, at most MAX_DEPTH; the root itself left out."""
        found, queue = {root: 0}, deque([root])
        while queue:
            node = queue.popleft()
            if found[node] == MAX_DEPTH:
                continue
            for other in step(node):
                if other not in found:
                    found[other] = found[node] + 1
                    queue.append(other)
        del found[root]
        return found

    def descendants(self, root: str, depth: int | None = None) -> dict[str, int]:
        found = self.distances(root, lambda node: self.children.get(node, ()))
        return {node: d for node, d in found.items() if depth is None or d <= depth}

    def ancestors(self, root: str, depth: int | None = None) -> dict[str, int]:
        found = self.distances(root, lambda node: self.parents.get(node, ()))
        return {node: d for node, d in found.items() if depth is None or d <= depth}

    def last_relation(self, root: str, node: str, distance: dict[str, int]) -> str:
        """The relation of the last edge of a shortest path root → node (alphabetically first)."""
        before = [p for p in self.parents[node] if (0 if p == root else distance.get(p)) == distance[node] - 1]
        return min(self.relation[(p, node)] for p in before)


@pytest.fixture(scope="module")
def raw_records() -> list[dict]:
    return [record for path in pages(PAGES) for record in json.loads(gzip.decompress(path.read_bytes()))]


@pytest.fixture(scope="module")
def stored_relations(real_db) -> dict[tuple[str, str], str]:
    with real_db.session(read_only=True) as session:
        rows = session.execute(
            text("""SELECT lower(r.base_model_id), lower(m.repo_id), r.relation_type
                    FROM base_model_relations r JOIN models m ON m.id = r.model_id""")
        )
        return {(parent, child): kind for parent, child, kind in rows}


@pytest.fixture(scope="module")
def graph(raw_records, stored_relations) -> Graph:
    ids = {record["id"].lower() for record in raw_records}
    edges = {}
    for record in raw_records:
        child = record["id"].lower()
        for tag in record["tags"]:
            if (found := LINEAGE_TAG.match(tag)) and (parent := found[2].strip().lower()) in ids and parent != child:
                edges[(parent, child)] = stored_relations[(parent, child)]
    return Graph(edges)


@pytest.fixture(scope="module")
def by_id(raw_records) -> dict[str, dict]:
    return {record["id"].lower(): record for record in raw_records}


@pytest.fixture(scope="module")
def largest(graph) -> list[str]:
    """The three largest families of the JSON."""
    return sorted(graph.children, key=lambda root: (-len(graph.descendants(root)), root))[:3]


def every_page(db, **parameters) -> tuple[list[str], list]:
    """Every model of a search, read page by page by cursor; and each page's result."""
    query = SearchQuery(per_page=100, **parameters)
    found, results = [], []
    with db.session(read_only=True) as session:
        while True:
            result = search(session, query)
            results.append(result)
            found += [model.repo_id.lower() for model in result.models]
            if not result.next_cursor:
                return found, results
            query = query.model_copy(update={"cursor": result.next_cursor})


def assert_exactly(found: list[str], truth, results) -> None:
    assert len(found) == len(set(found)), "a model on two pages"
    assert set(found) == set(truth)
    # Every page's total: the first may count while gathering, later ones look up or count.
    assert {(result.total, result.total_exact) for result in results} == {(len(truth), True)}


def test_the_largest_families_hold_many_models(graph, largest):
    assert len(graph.descendants(largest[0])) >= 200  # the walk is exercised, not only gathering


@pytest.mark.parametrize("depth", [None, 1, 2])
@pytest.mark.parametrize("rank", [0, 1, 2])
def test_descendants_are_the_traversal_of_the_tags(real_db, graph, largest, rank, depth):
    root = largest[rank]
    found, results = every_page(real_db, descendant_of=root.upper(), depth=depth)
    assert_exactly(found, graph.descendants(root, depth), results)


@pytest.mark.parametrize("sort", ["downloads", "likes", "created"])
@pytest.mark.parametrize("order", ["desc", "asc"])
def test_sorted_walks_give_every_member_once_in_order(real_db, graph, largest, by_id, sort, order):
    root = largest[0]
    found, results = every_page(real_db, descendant_of=root, sort=sort, order=order)
    assert_exactly(found, graph.descendants(root), results)
    field = {"downloads": "downloads", "likes": "likes", "created": "createdAt"}[sort]
    values = [by_id[model][field] or 0 for model in found]
    if sort != "created":  # dates are compared in the catalog's own order elsewhere; counts here
        assert values == sorted(values, reverse=order == "desc")


def test_filters_apply_within_a_family(real_db, graph, largest, by_id):
    root = largest[0]
    members = graph.descendants(root)
    tasks = [by_id[member].get("pipeline_tag") for member in members if by_id[member].get("pipeline_tag")]
    task = max(sorted(set(tasks)), key=tasks.count)
    found, results = every_page(real_db, descendant_of=root, pipeline_tag=[task])
    assert_exactly(found, {m for m in members if by_id[m].get("pipeline_tag") == task}, results)


def test_facets_count_the_family(real_db, graph, largest, by_id):
    truth: dict[str, int] = defaultdict(int)
    for member in graph.descendants(largest[1]):
        truth[by_id[member].get("library_name")] += 1
    with real_db.session(read_only=True) as session:
        result = search(session, SearchQuery(descendant_of=largest[1], facets=["library"]))
    shown = {row["value"]: row["count"] for row in result.facets["library"]}
    assert result.facets_exact and shown
    assert all(truth[value] == count for value, count in shown.items())
    left_out = [count for value, count in truth.items() if value not in shown and value is not None]
    assert max(left_out, default=0) <= min(shown.values())  # the top values, ties either way


@pytest.mark.parametrize("relation", ["finetune", "adapter", "quantized", "merge"])
def test_relation_is_the_last_edge_of_the_shortest_path(real_db, graph, largest, relation):
    root = largest[0]
    distance = graph.descendants(root)
    truth = {node for node in distance if graph.last_relation(root, node, distance) == relation}
    found, results = every_page(real_db, descendant_of=root, relation=[relation])
    assert_exactly(found, truth, results)


def test_relation_alone_is_any_edge_into_the_model(real_db, graph, by_id):
    truth = {child for (_, child), kind in graph.relation.items() if kind == "merge"}
    with real_db.session(read_only=True) as session:
        result = search(session, SearchQuery(relation=["merge"], per_page=100))
    assert {model.repo_id.lower() for model in result.models} <= truth
    expected = sorted((by_id[m]["downloads"] for m in truth), reverse=True)[:100]
    assert [model.downloads for model in result.models] == expected


def test_ancestors_are_the_traversal_up(real_db, graph):
    deepest = max(graph.parents, key=lambda node: max(graph.ancestors(node).values()))
    truth = graph.ancestors(deepest)
    assert max(truth.values()) >= 3
    for depth in (None, 1, 2):
        expected = {node for node, d in truth.items() if depth is None or d <= depth}
        found, results = every_page(real_db, ancestor_of=deepest, depth=depth)
        assert_exactly(found, expected, results)


def test_cycles_end_and_leave_the_root_out(real_db, graph):
    between = sorted(set(graph.children) & set(graph.parents))
    cyclic = [node for node in between if graph.parents[node] & (set(graph.descendants(node)) | {node})]
    for root in cyclic[:3]:  # none in the first 50,000 is fine: the fixture family has one (test_lineage)
        found, results = every_page(real_db, descendant_of=root)
        assert root not in found
        assert_exactly(found, graph.descendants(root), results)


def test_an_unknown_root_finds_nothing(real_db):
    for parameters in ({"descendant_of": "nobody/nothing"}, {"ancestor_of": "nobody/nothing", "q": "llama"}):
        found, results = every_page(real_db, **parameters)
        assert (found, results[0].total, results[0].total_exact) == ([], 0, True)


def test_the_api_speaks_the_same_grammar(real_db, real_client, graph, largest):
    root = largest[1]
    body = real_client.get("/api/v1/models", query_string={"descendant_of": root, "per_page": 100, "depth": 1}).json
    truth = graph.descendants(root, 1)
    assert body["meta"]["total"] == len(truth) and body["meta"]["total_exact"] is True
    assert {model["id"].lower() for model in body["data"]} <= set(truth)


@pytest.mark.parametrize(
    "parameters",
    [{"depth": "0"}, {"depth": "51"}, {"depth": "two"}, {"lineage": "guessed"}, {"relation": "cousin"}],
)
def test_bad_lineage_parameters_are_400(real_client, parameters):
    response = real_client.get("/api/v1/models", query_string={"descendant_of": "a/b", **parameters})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "INVALID_PARAMETER" and error["details"]["parameter"] == next(iter(parameters))


def declared_edges() -> dict[tuple[str, str], bool]:
    """Edges of tests/fixtures/family.json, declared when typed (tag or card data's relation)."""
    edges: dict[tuple[str, str], bool] = {}
    for record in family_records():
        child = record["id"].lower()
        card = record.get("cardData") or {}
        for tag in record["tags"]:
            if found := LINEAGE_TAG.match(tag):
                parent = found[2].strip().lower()
                edges[(parent, child)] = edges.get((parent, child), False) or found[1] is not None
        if card.get("base_model"):
            parent = card["base_model"].lower()
            edges[(parent, child)] = edges.get((parent, child), False) or bool(card.get("base_model_relation"))
    return {edge: declared for edge, declared in edges.items() if edge[0] != edge[1]}


@pytest.mark.parametrize("lineage", ["declared", "inferred"])
def test_lineage_is_whether_the_edge_into_the_result_was_declared(family_db, lineage):
    edges = declared_edges()
    wanted = lineage == "declared"
    into = {child for (_, child), declared in edges.items() if declared == wanted}
    found, _ = every_page(family_db, lineage=lineage)
    assert set(found) == into
    # Within a family: the edge on the path, here the only one into each child of the root.
    children = {child for (parent, child), declared in edges.items() if parent == "acme/base-7b" and declared == wanted}
    found, results = every_page(family_db, descendant_of="ACME/base-7b", depth=1, lineage=lineage)
    assert_exactly(found, children, results)


def fixture_descendants(root: str) -> set[str]:
    """Descendants of `root` in tests/fixtures/family.json (ids as written)."""
    named = {record["id"].lower(): record["id"] for record in family_records()}
    graph = Graph({edge: "any" for edge in declared_edges() if edge[0] in named})
    return {named[node] for node in graph.descendants(root.lower())}


def test_lineage_filters_show_as_chips_survive_the_url_and_are_removable(browser, site):  # noqa: F811  (the fixture imported)
    gguf = {record["id"] for record in family_records() if record.get("library_name") == "gguf"}
    family = fixture_descendants("acme/base-7b")
    path = "/?descendant_of=ACME/base-7b&library=gguf&relation=quantized&sort=downloads"
    open_page(browser, site, path)
    wait_for(browser, lambda: set(shown_ids(browser)) == family & gguf and shown_ids(browser))
    chip = browser.find_element(f"#{view.CHIPS['descendant_of']}")
    assert chip.text == "descendants of ACME/base-7b"
    assert browser.find_element(f"#{view.CHIPS['relation']}").text == "edge into each: quantized"
    assert not browser.find_element(f"#{view.CHIPS['ancestor_of']}").is_displayed()
    browser.driver.refresh()  # the URL round trip: the same chips and results again
    wait_for(browser, lambda: set(shown_ids(browser)) == family & gguf and shown_ids(browser))
    browser.find_element(f"#{view.CHIP_REMOVERS['descendant_of']}").click()
    wait_for(browser, lambda: address(browser) == {"library": "gguf", "relation": "quantized", "sort": "downloads"})
    wait_for(browser, lambda: not browser.find_element(f"#{view.CHIPS['descendant_of']}").is_displayed())
    wait_for(browser, lambda: shown_ids(browser) == api_ids(site, "library=gguf&relation=quantized&sort=downloads"))
    assert browser.get_logs() == []
