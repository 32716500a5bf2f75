"""Licence inheritance on real Hub models of ../shared: the rule table, the judgement of every
model (held against a judgement computed here from the raw JSON and the rule file), the
`licence_conflict` filter, the model detail's field, the model page's warning and the chart.

Two real catalogs: four crawled model trees (typed, declared edges: Llama-2-7b-chat-hf,
Llama-2-7b, gemma-7b, stable-diffusion-2-1) and the first 50,000 models of the Hub's list
pages (untyped, inferred edges).
"""

from __future__ import annotations

import ast
import gzip
import json
import tomllib
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import text

from app.factory import create_app
from app.settings import Settings
from callbacks import analytics as analytics_page
from callbacks import model as model_page
from callbacks import search as search_page
from components import analytics as charts
from data import licences
from data.analytics import conflicts_by_family
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from data.query import SearchQuery, parse_query
from tests.conftest import client_over, module_catalog, require_shared
from tests.dash_tree import hrefs, text_of
from tests.search_page import controls_of
from tests.search_truth import id_matches
from tests.stack import TEST_SECRET_KEY
from tests.test_ingest_shared import pages
from tests.test_model_browser import open_page

pytestmark = pytest.mark.shared

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "licence_rules.toml"
TREES = ("hf-snapshot", "raw", "oderinwale-model-trees")
TREE_FILES = (
    "Llama-2-7b-chat-hf_finetunes_20250422_201036.json",
    "Llama-2-7b_finetunes_20250422_201036.json",
    "gemma-7b_finetunes_20250426_000539.json",
    "stable-diffusion-2-1_finetunes_20250422_220003.json",
)
LIST_PAGES = 50
MAX_DEPTH = 50
CHAT = "meta-llama/Llama-2-7b-chat-hf"
GEMMA, GEMMA_IT = "google/gemma-7b", "google/gemma-7b-it"
SD21 = "stabilityai/stable-diffusion-2-1"

# Read by hand from the raw JSON: (derivative, restricted ancestor) → the rule it breaks.
NAMED_CONFLICTS = {
    ("Tim419/Humpback_Myx", CHAT): "llama-relicensed-open",  # apache-2.0 finetune of llama2
    ("zjunlp/OneGen-EntityLinking-Llama2-7B", CHAT): "llama-relicensed-open",  # mit
    ("mayanklohani19/milan", CHAT): "llama-licence-dropped",  # no licence tag
    ("TheBloke/Llama-2-7B-Chat-GGML", CHAT): "llama-licence-unspecified",  # other
    ("ThisIs-Developer/Llama-2-GGML-Medical-Chatbot", CHAT): "llama-relicensed-open",  # mit, via TheBloke
    ("Junfeng5/Liquid_V1_7B", GEMMA): "gemma-relicensed-open",  # mit
    ("hyokwan/familidata_gemma7b", GEMMA_IT): "gemma-relicensed-open",  # mit, under gemma-7b-it …
    ("hyokwan/familidata_gemma7b", GEMMA): "gemma-relicensed-open",  # … and gemma-7b above it
    ("wandb/gemma-7b-zephyr-sft", GEMMA): "gemma-licence-unspecified",  # other
    ("xchuan/lora-stable-diffusion-2-1-fupo", SD21): "openrail-relicensed-open",  # mit under openrail++
    ("radames/sd-21-DPO-LoRA", SD21): "openrail-licence-dropped",
}
# Derivatives that keep their base's terms (or add restrictions): no conflict.
NAMED_CLEAN = (
    CHAT,
    "VaisakhKrishna/Llama-2-Emotional-ChatBot",  # llama2 under llama2
    GEMMA_IT,  # gemma under gemma
    "OpenLLM-Ro/RoGemma-7b-Instruct",  # cc-by-nc-4.0 under gemma: more restrictive
    "Vishnou/sd-laion-art",  # creativeml-openrail-m under openrail++
)
# Inferred (untyped base_model: tags) in the list pages.
NAMED_INFERRED = {
    ("ruslanmv/Medical-Llama3-8B", "meta-llama/Meta-Llama-3-8B"): "llama-relicensed-open",  # apache-2.0
    ("hfl/llama-3-chinese-8b", "meta-llama/Meta-Llama-3-8B"): "llama-relicensed-open",
    ("johnsutor/mixture-of-llamas-dare-ties", "meta-llama/Meta-Llama-3-8B-Instruct"): "llama-relicensed-open",
}


# --- the truth, from the raw JSON and the rule file --------------------------------------------


@dataclass
class Raw:
    repo_id: str
    licence: str  # lower case; "" for none
    parents: dict[str, bool]  # lower-cased base id → declared (typed tag)
    downloads: int


def raw_record(repo_id: str, tags: list[str], downloads: int) -> Raw:
    licence = next((t.removeprefix("license:") for t in tags if t.startswith("license:")), "")
    parents: dict[str, bool] = {}
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        kind, colon, parent = tag.removeprefix("base_model:").partition(":")
        declared = bool(colon) and kind in ("finetune", "adapter", "quantized", "merge")
        parent = (parent if declared else tag.removeprefix("base_model:")).strip().lower()
        if parent != repo_id.lower():
            parents[parent] = parents.get(parent, False) or declared
    return Raw(repo_id, licence.lower(), parents, downloads)


def tree_records(files: Iterable[Path]) -> dict[str, Raw]:
    found: dict[str, Raw] = {}
    for path in files:
        for entry in json.loads(path.read_text())["models"]:
            try:
                metadata = json.loads(entry.get("metadata") or "")
            except ValueError:
                continue  # ingestion skips these too
            tags = metadata.get("tags") or []
            tags = ast.literal_eval(tags) if isinstance(tags, str) else tags
            found[entry["model_id"].lower()] = raw_record(entry["model_id"], tags, int(metadata.get("downloads") or 0))
    return found


def page_records(files: Iterable[Path]) -> dict[str, Raw]:
    found: dict[str, Raw] = {}
    for path in files:
        for record in json.loads(gzip.decompress(path.read_bytes())):
            found[record["id"].lower()] = raw_record(
                record["id"], record.get("tags") or [], record.get("downloads") or 0
            )
    return found


def rule_table() -> tuple[dict[tuple[str, str], str], dict[str, dict]]:
    """{(base licence, derivative licence): rule id}, and the rules by id, read from the file."""
    document = tomllib.loads(RULES_FILE.read_text())
    groups = document["groups"]

    def members(name: str) -> set[str]:
        if name == "none":
            return {""}
        found = set()
        for member in groups[name]:
            found |= members(member[1:]) if member.startswith("@") else {member}
        return found

    table = {}
    for rule in document["rules"]:
        for base in members(rule["base"]):
            for derivative in members(rule["derivative"]):
                table[(base, derivative)] = rule["id"]
    return table, {rule["id"]: rule for rule in document["rules"]}


def reach(models: dict[str, Raw], start: str, declared_only: bool) -> dict[str, int]:
    """Ancestors of `start` in the catalog at their shortest distance (breadth first)."""
    depths = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if depths[node] == MAX_DEPTH:
            continue
        for parent, declared in models[node].parents.items():
            if parent in models and parent not in depths and (declared or not declared_only):
                depths[parent] = depths[node] + 1
                queue.append(parent)
    del depths[start]
    return depths


def judged(models: dict[str, Raw]) -> dict[tuple[str, str], tuple[str, int, bool]]:
    """{(model id, ancestor id): (rule, depth, declared)} over the catalog, lower-cased ids."""
    table, _ = rule_table()
    found = {}
    for key, raw in models.items():
        declared = reach(models, key, declared_only=True)
        for ancestor, depth in reach(models, key, declared_only=False).items():
            rule = table.get((models[ancestor].licence, raw.licence))
            if rule:
                found[(key, ancestor)] = (rule, depth, ancestor in declared)
    return found


def stored(db) -> dict[tuple[str, str], tuple[str, int, bool]]:
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""
            SELECT lower(m.repo_id), lower(a.repo_id), c.rule, c.depth, c.declared
            FROM licence_conflicts c JOIN models m ON m.id = c.model_id JOIN models a ON a.id = c.ancestor""")
        )
        return {(m, a): (rule, depth, declared) for m, a, rule, depth, declared in rows}


# --- catalogs ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree_files() -> list[Path]:
    return [require_shared(*TREES, name) for name in TREE_FILES]


@pytest.fixture(scope="module")
def trees(tree_files) -> dict[str, Raw]:
    return tree_records(tree_files)


@pytest.fixture(scope="module")
def tree_db(server_url, template_url, tree_files):
    with module_catalog(server_url, "catalog_licences") as db:
        ingest(db, FileSource(tree_files))
        yield db


@pytest.fixture(scope="module")
def tree_client(tree_db, shared_url):
    return client_over(tree_db, shared_url)


@pytest.fixture(scope="module")
def listed() -> dict[str, Raw]:
    return page_records(pages(LIST_PAGES))


@pytest.fixture(scope="module")
def list_db(server_url, template_url):
    with module_catalog(server_url, "catalog_licences_list") as db:
        ingest(db, FileSource(pages(LIST_PAGES)))
        yield db


@pytest.fixture(scope="module")
def list_client(list_db, shared_url):
    return client_over(list_db, shared_url)


def ids_of(client, query: str) -> tuple[list[str], dict]:
    """Every model of an API search, walked page by page with the cursor; the first page's meta."""
    found, meta, cursor = [], None, ""
    while True:
        response = client.get(f"/api/v1/models?{query}&per_page=100{cursor}")
        assert response.status_code == 200, response.json
        found += [model["id"] for model in response.json["data"]]
        meta = meta or response.json["meta"]
        if not response.json["meta"]["next_cursor"]:
            return found, meta
        cursor = f"&cursor={response.json['meta']['next_cursor']}"


# --- the rule table ----------------------------------------------------------------------------


def test_the_rule_file_loads_as_the_table_it_writes_down():
    table, by_id = rule_table()
    assert {row["rule"] for row in licences.rule_pairs()} == set(by_id) == set(licences.rules())
    pairs = {(row["base_licence"], row["derivative_licence"]): row["rule"] for row in licences.rule_pairs()}
    assert pairs == table
    for rule_id, rule in licences.rules().items():
        assert rule.reason == by_id[rule_id]["reason"] and rule.reason.endswith(".")
    # what the issue names: restricted bases, and derivatives more permissive, without, or unspecified
    for base in ("llama2", "llama3", "llama3.1", "gemma", "cc-by-nc-4.0", "openrail", "openrail++"):
        for derivative in ("apache-2.0", "mit", "", "other", "unknown"):
            assert (base, derivative) in table, (base, derivative)
    for base, derivative in (("llama2", "llama2"), ("gemma", "cc-by-nc-4.0"), ("openrail++", "creativeml-openrail-m")):
        assert (base, derivative) not in table


def test_the_documentation_explains_every_rule():
    documented = (RULES_FILE.parents[1] / "docs" / "licences.md").read_text()
    for rule_id in licences.rules():
        assert f"`{rule_id}`" in documented


def rule(rule_id: str, base: str, derivative: str) -> dict:
    return {"id": rule_id, "base": base, "derivative": derivative, "reason": "."}


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ({"groups": {"a": ["x"]}, "rules": [rule("r", "a", "b")]}, "unknown"),
        ({"groups": {"a": ["@a"]}, "rules": [rule("r", "a", "none")]}, "circular"),
        ({"groups": {"a": ["x", "y"]}, "rules": [rule("r", "a", "a")]}, "keeping"),
        ({"groups": {"none": ["x"]}, "rules": []}, "reserved"),
        ({"groups": {"a": ["x"], "b": ["Y"], "c": ["y"]}, "rules": [rule("r", "a", "b"), rule("s", "a", "c")]}, "both"),
        ({"groups": {"a": ["x"], "b": ["y"]}, "rules": [rule("r", "a", "b"), rule("r", "b", "a")]}, "twice"),
    ],
)
def test_a_rule_file_that_contradicts_itself_is_refused(document, complaint):
    with pytest.raises(ValueError, match=complaint):
        licences.parse_rules(document)


# --- the judgement -----------------------------------------------------------------------------


def test_every_model_of_the_trees_is_judged_as_the_raw_json_and_the_rules_say(tree_db, trees):
    with tree_db.session(read_only=True) as session:
        in_catalog = {row[0] for row in session.execute(text("SELECT lower(repo_id) FROM models"))}
    assert in_catalog == set(trees)  # ingestion kept every model the truth reads
    expected = judged(trees)
    assert stored(tree_db) == expected
    declared = Counter(d for _, _, d in expected.values())
    assert declared[True] > 100  # typed tags: declared edges


def test_the_named_real_cases(tree_db, trees):
    expected, found = judged(trees), stored(tree_db)
    for (model, ancestor), rule in NAMED_CONFLICTS.items():
        pair = (model.lower(), ancestor.lower())
        assert expected[pair][0] == rule and found[pair][0] == rule, pair
        assert found[pair][2] is True  # typed tags all the way
    flagged = {model for model, _ in found}
    for model in NAMED_CLEAN:
        assert model.lower() not in flagged, model
    depth_two = found[("thisis-developer/llama-2-ggml-medical-chatbot", CHAT.lower())]
    assert depth_two[1] == 2


def test_inferred_edges_of_the_list_pages_are_judged_too(list_db, listed):
    expected = judged(listed)
    assert stored(list_db) == expected
    assert {declared for _, _, declared in expected.values()} == {False}  # untyped tags only
    for (model, ancestor), rule in NAMED_INFERRED.items():
        assert expected[(model.lower(), ancestor.lower())][0] == rule


def test_a_refresh_applies_the_rule_file_as_it_is_now(tree_db, trees, monkeypatch):
    """Rules are data: a narrower table, refreshed, judges by it alone (then restored)."""
    original = licences.rules()
    only = {"llama-licence-dropped": original["llama-licence-dropped"]}
    monkeypatch.setattr(licences, "rules", lambda: only)
    try:
        with tree_db.session() as session:
            licences.refresh_licence_conflicts(session)
            session.commit()
        assert {rule for rule, _, _ in stored(tree_db).values()} == {"llama-licence-dropped"}
    finally:
        monkeypatch.setattr(licences, "rules", lambda: original)
        with tree_db.session() as session:
            licences.refresh_licence_conflicts(session)
            session.commit()
    assert stored(tree_db) == judged(trees)


# --- the filter --------------------------------------------------------------------------------


def test_the_filter_finds_exactly_the_conflicting_models(tree_client, trees):
    conflicting = {model for model, _ in judged(trees)}
    found, meta = ids_of(tree_client, "licence_conflict=true")
    assert sorted(m.lower() for m in found) == sorted(conflicting)
    clean, _ = ids_of(tree_client, "licence_conflict=false")
    assert {m.lower() for m in clean} == set(trees) - conflicting
    assert meta["query"] == "licence_conflict=true&per_page=100"  # the canonical query string
    downloads = [trees[m.lower()].downloads for m in found]
    assert downloads == sorted(downloads, reverse=True)  # the default sort still applies


def test_the_filter_combines_with_others_and_its_facets_count_within(tree_client, trees):
    conflicting = {model for model, _ in judged(trees)}
    expected = {m for m in conflicting if id_matches(trees[m].repo_id, "gemma")}
    found, meta = ids_of(tree_client, "licence_conflict=true&q=gemma&facets=license")
    assert {m.lower() for m in found} == expected and len(found) == len(expected)
    assert meta["total"] == len(expected) and meta["total_exact"]
    facet = {row["value"]: row["count"] for row in meta["facets"]["license"]}
    truth = Counter(trees[m].licence for m in expected if trees[m].licence)
    assert len(truth) <= 10 and facet == dict(truth)  # every licence of the result: all counted


def test_the_filter_reads_only_booleans(tree_client):
    response = tree_client.get("/api/v1/models?licence_conflict=sometimes")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "INVALID_PARAMETER"
    assert response.json["error"]["details"]["parameter"] == "licence_conflict"


def test_the_filter_on_inferred_lineage(list_client, listed):
    conflicting = {model for model, _ in judged(listed)}
    expected = {m for m in conflicting if id_matches(listed[m].repo_id, "llama 3")}
    found, _ = ids_of(list_client, "licence_conflict=true&q=llama+3")
    assert {m.lower() for m in found} == expected
    assert "hfl/llama-3-chinese-8b" in expected


@pytest.mark.parametrize("url_query", ["licence_conflict=true&q=gemma", "licence_conflict=false&q=llama-2-7b-chat"])
def test_the_search_page_holds_the_filter_in_its_control_and_shows_what_the_api_gives(tree_client, tree_db, url_query):
    values = controls_of(url_query)
    assert search_page.query_from_controls(values) == parse_query(parse_qsl(url_query), strict=False)
    rows = search_page.results(tree_db, None, values)[1]
    api = tree_client.get(f"/api/v1/models?{url_query}").json["data"]
    assert [row["id"] for row in rows] == [model["id"] for model in api] and rows


# --- the model detail --------------------------------------------------------------------------


def assert_chain(path: list[dict], model: Raw, ancestor: Raw, depth: int, declared: bool, models: dict[str, Raw]):
    assert [path[0]["id"], path[-1]["id"]] == [ancestor.repo_id, model.repo_id]
    assert len(path) == depth + 1  # the shortest chain
    assert path[0]["relation_type"] is None and path[0]["declared"] is None
    for upper, lower in zip(path, path[1:], strict=False):
        edge_declared = models[lower["id"].lower()].parents[upper["id"].lower()]
        assert lower["declared"] is edge_declared
        assert lower["licence"] == (models[lower["id"].lower()].licence or None)
    assert all(link["declared"] for link in path[1:]) or not declared


def test_the_detail_lists_each_conflict_with_its_rule_reason_and_chain(tree_client, trees):
    _, by_id = rule_table()
    expected = judged(trees)
    for model in {model for model, _ in expected}:
        response = tree_client.get(f"/api/v1/models/{trees[model].repo_id}")
        assert response.status_code == 200
        conflicts = response.json["data"]["licence_conflicts"]
        mine = {a: v for (m, a), v in expected.items() if m == model}
        assert {c["ancestor"].lower(): (c["rule"], c["depth"], c["declared"]) for c in conflicts} == mine
        assert [c["depth"] for c in conflicts] == sorted(c["depth"] for c in conflicts)  # nearest first
        for conflict in conflicts:
            ancestor = trees[conflict["ancestor"].lower()]
            assert conflict["ancestor_licence"] == ancestor.licence
            assert (conflict["licence"] or "") == trees[model].licence
            assert conflict["reason"] == by_id[conflict["rule"]]["reason"]
            assert_chain(conflict["path"], trees[model], ancestor, conflict["depth"], conflict["declared"], trees)


def test_the_chain_of_a_conflict_two_generations_down(tree_client):
    body = tree_client.get("/api/v1/models/ThisIs-Developer/Llama-2-GGML-Medical-Chatbot").json["data"]
    [conflict] = body["licence_conflicts"]
    assert [(link["id"], link["licence"]) for link in conflict["path"]] == [
        (CHAT, "llama2"),
        ("TheBloke/Llama-2-7B-Chat-GGML", "other"),
        ("ThisIs-Developer/Llama-2-GGML-Medical-Chatbot", "mit"),
    ]
    assert [link["relation_type"] for link in conflict["path"]] == [None, "finetune", "finetune"]


def test_a_model_without_conflicts_has_an_empty_list(tree_client):
    for model in NAMED_CLEAN:
        assert tree_client.get(f"/api/v1/models/{model}").json["data"]["licence_conflicts"] == []


def test_an_inferred_conflict_shows_its_inferred_chain(list_client, listed):
    body = list_client.get("/api/v1/models/ruslanmv/Medical-Llama3-8B").json["data"]
    conflict = next(c for c in body["licence_conflicts"] if c["ancestor"] == "meta-llama/Meta-Llama-3-8B")
    assert conflict["rule"] == "llama-relicensed-open" and conflict["declared"] is False
    assert_chain(
        conflict["path"],
        listed["ruslanmv/medical-llama3-8b"],
        listed["meta-llama/meta-llama-3-8b"],
        conflict["depth"],
        False,
        listed,
    )
    assert conflict["path"][-1]["declared"] is False


# --- the model page ----------------------------------------------------------------------------


def test_the_overview_warns_with_the_chain(tree_db):
    children, _ = model_page.layout(tree_db, [], repo_id="ThisIs-Developer/Llama-2-GGML-Medical-Chatbot")
    words = text_of(children)
    assert "Licence conflict" in words and "llama-relicensed-open" in words
    assert licences.rules()["llama-relicensed-open"].reason in words
    links = hrefs(children)
    for link in (CHAT, "TheBloke/Llama-2-7B-Chat-GGML"):
        assert f"/models/{link}" in links
    assert "/?descendant_of=meta-llama%2FLlama-2-7b-chat-hf&licence_conflict=true" in links


def test_the_overview_of_a_clean_model_has_no_warning(tree_db):
    children, _ = model_page.layout(tree_db, [], repo_id="VaisakhKrishna/Llama-2-Emotional-ChatBot")
    assert "Licence conflict" not in text_of(children)


@pytest.mark.browser
def test_the_warning_in_the_browser(browser, tree_db, shared_url, live_server):
    url = live_server(
        create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=shared_url, rate_limit="off"), tree_db)
    )
    open_page(browser, url, "/models/hyokwan/familidata_gemma7b")
    browser.wait_for_contains_text(".licence-conflicts", "gemma-relicensed-open")
    chains = [chain.text.splitlines() for chain in browser.find_elements(".licence-chain")]
    model = "↳ finetune hyokwan/familidata_gemma7b mit"
    assert chains == [[f"{GEMMA_IT} gemma", model], [f"{GEMMA} gemma", f"↳ finetune {GEMMA_IT} gemma", model]]
    assert browser.get_logs() == []


# --- analytics ---------------------------------------------------------------------------------


def family_truth(models: dict[str, Raw], keep=lambda raw: True) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for (model, ancestor), _ in judged(models).items():
        if keep(models[model]):
            counts[models[ancestor].repo_id] += 1
    return counts


def test_the_chart_counts_conflicts_per_base_family(tree_db, trees):
    truth = family_truth(trees)
    body = analytics_page.chart(tree_db, "licence_conflicts", "")
    figure = body.figure
    totals: Counter[str] = Counter()
    for trace in figure.data:
        for name, count in zip(trace.y, trace.x, strict=True):
            totals[name.rsplit(" (", 1)[0]] += count
    assert all(truth[name] == count for name, count in totals.items())
    left_out = [count for name, count in truth.items() if name not in totals]
    assert len(totals) == min(15, len(truth)) and min(totals.values()) >= max(left_out, default=0)
    assert CHAT in totals and GEMMA in totals and SD21 in totals
    href = figure.data[0].customdata[list(figure.data[0].y).index(f"{CHAT} (llama2)")]
    assert href == "/?descendant_of=meta-llama%2FLlama-2-7b-chat-hf&licence_conflict=true"


def test_the_chart_keeps_the_pages_filters(tree_db, trees):
    truth = family_truth(trees, lambda raw: id_matches(raw.repo_id, "gemma"))
    with tree_db.session(read_only=True) as session:
        families = conflicts_by_family(session, SearchQuery(q="gemma"))
    assert {f.repo_id: f.total for f in families} == dict(truth)
    figure = charts.conflicts_figure(families, SearchQuery(q="gemma"))
    assert all("q=gemma" in href and "licence_conflict=true" in href for href in figure.data[0].customdata)


def test_nothing_to_chart_is_no_figure():
    assert charts.conflicts_figure([], SearchQuery()) is None
