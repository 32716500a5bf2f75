"""The model page: its URL state, layout, lineage drawing and callbacks, on a real PostgreSQL."""

from __future__ import annotations

import time

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate

from callbacks import model
from components import model_page as page
from components.model_page import ModelView
from data.ingest.pipeline import ingest
from data.vocabulary import RELATION_TYPES
from tests.dash_tree import by_id, hrefs, text_of, walk

BASE, CHAT, GGUF = "acme/base-7b", "lab/base-7b-chat", "quant/base-7b-chat-GGUF"
LORA, MERGE = "tuner/base-7b-lora-r16", "merger/chat-merge-7b"


def record(repo_id: str, downloads: int = 0, parent: str | None = None, relation: str = "finetune", **extra):
    tags = [f"base_model:{relation}:{parent}"] if parent else []
    return {"id": repo_id, "downloads": downloads, "tags": tags, **extra}


@pytest.fixture
def big_family_db(db, monkeypatch):
    """A root with 40 quantized and 12 finetuned children, one finetune with 5 adapters; the page
    asks for 10 descendants per relation type, 15 for an expanded one."""
    records = [record("big/root", 10**7)]
    records += [record(f"q/root-q{i:02}", 1000 + i, "big/root", "quantized") for i in range(40)]
    records += [record(f"f/root-f{i:02}", 5000 + i, "big/root") for i in range(12)]
    records += [record(f"a/root-a{i}", 10 + i, "f/root-f11", "adapter") for i in range(5)]
    ingest(db, records)
    monkeypatch.setattr(model, "RELATION_LIMIT", 10)
    monkeypatch.setattr(model, "EXPANDED_LIMIT", 15)
    return db


def graph_of(component):
    graph = by_id(component, page.LINEAGE_GRAPH)
    nodes = {e["data"]["id"]: e for e in graph.elements if "source" not in e["data"]}
    edges = {(e["data"]["source"], e["data"]["target"]): e for e in graph.elements if "source" in e["data"]}
    return graph, nodes, edges


def lineage_page(db, repo_id: str, query: str = "tab=lineage"):
    children, _ = model.layout(db, [tuple(p.split("=")) for p in query.split("&")], repo_id=repo_id)
    return graph_of(children)


# --- URL state ---------------------------------------------------------------------------------


def test_the_view_reads_the_query_string_tolerantly():
    assert ModelView.from_query([]) == ModelView("overview", ())
    pairs = [("tab", "lineage"), ("expand", "merge:2,junk,finetune:0,adapter:x"), ("expand", "quantized"), ("x", "1")]
    assert ModelView.from_query(pairs) == ModelView("lineage", ((1, "quantized"), (2, "merge")))
    assert ModelView.from_query([("tab", "nonsense"), ("tab", ""), ("expand", "")]) == ModelView()
    assert ModelView.from_query([("generations", "7"), ("view", "sunburst")]) == ModelView(generations=7, view="sunburst")
    for junk in ("0", "51", "-1", "two", ""):
        assert ModelView.from_query([("generations", junk), ("view", junk)]) == ModelView()


def test_the_view_writes_one_canonical_query_string():
    assert ModelView().query_string() == ""
    assert ModelView("lineage", ((1, "quantized"),)).query_string() == "?expand=quantized:1&tab=lineage"
    view = ModelView("files").toggled((2, "merge")).toggled((1, "adapter"))
    assert view.query_string() == "?expand=adapter:1&expand=merge:2&tab=files"
    assert view.toggled((2, "merge")).with_tab("overview").query_string() == "?expand=adapter:1"
    deeper = ModelView("lineage").deeper()
    assert deeper.query_string() == f"?generations={2 * page.GENERATIONS_DRAWN}&tab=lineage"
    assert deeper.with_view("sunburst").with_generations(page.GENERATIONS_DRAWN).query_string() == (
        "?tab=lineage&view=sunburst"
    )
    assert ModelView.from_query([("generations", "49")]).deeper().generations == 50  # the deepest walked


# --- layout ------------------------------------------------------------------------------------


def test_an_unknown_model_is_a_friendly_page(db):
    children, title = model.layout(db, [("tab", "lineage")], repo_id="nobody/nothing")
    assert title == "Model not found"
    assert "Model not found" in text_of(children)
    assert "/?q=nothing" in hrefs(children)


def test_an_id_postgresql_cannot_hold_is_not_found(db):
    children, title = model.layout(db, [], repo_id="bad/\x00id")
    assert title == "Model not found"
    assert "Model not found" in text_of(children)


def test_the_header(family_db):
    children, title = model.layout(family_db, [("junk", "1"), ("tab", "???")], repo_id="ACME/base-7b")
    assert title == BASE
    header = text_of(children)
    for expected in (
        BASE,
        "text-generation",
        "transformers",
        "apache-2.0",
        "gated (manual)",
        "1,200 likes",
        "900,000 downloads",
        "created 2024-01-10",
        "modified 2024-02-01",
    ):
        assert expected in header
    assert "/authors/acme" in hrefs(children)
    assert f"https://huggingface.co/{BASE}" in hrefs(children)
    assert by_id(children, page.TABS).active_tab == "overview"
    assert by_id(children, page.MODEL_ID).data == BASE


def test_the_overview_tab(family_db):
    children, _ = model.layout(family_db, [], repo_id=LORA)
    overview = text_of(by_id(children, page.TAB_CONTENT))
    assert "tuner/instructions" in overview and "peft" in overview
    assert '"base_model_relation": "adapter"' in overview  # the card data
    assert f"/models/{BASE}" in hrefs(children)  # its base, in the catalog


def test_the_files_tab_lists_names_sizes_and_total(db):
    ingest(
        db,
        [
            record(
                "org/with-files",
                siblings=[
                    {"rfilename": "model.safetensors", "size": 4_500_000_000},
                    {"rfilename": "config.json", "size": 600},
                ],
            )
        ],
    )
    children, _ = model.layout(db, [("tab", "files")], repo_id="org/with-files")
    files = text_of(by_id(children, page.TAB_CONTENT))
    assert "model.safetensors" in files and "4.5 GB" in files and "600 B" in files
    assert "Total (2 files)" in files and "4.5 GB" in files
    assert by_id(children, page.TABS).active_tab == "files"


def test_human_sizes():
    assert [page.human_size(n) for n in (None, 0, 999, 1500, 2_000_000, 5 * 10**15)] == [
        "—",
        "0 B",
        "999 B",
        "1.5 kB",
        "2.0 MB",
        "5,000.0 TB",
    ]


# --- lineage -----------------------------------------------------------------------------------


def test_the_lineage_graph_of_a_family(family_db):
    graph, nodes, edges = lineage_page(family_db, BASE)
    assert set(nodes) == {BASE, CHAT, GGUF, LORA, MERGE}
    assert nodes[BASE]["classes"] == "root" and nodes[CHAT]["classes"] == "descendant"
    assert edges[(BASE, LORA)]["classes"].split()[:2] == ["relation", "adapter"]
    assert edges[(CHAT, GGUF)]["data"]["relation"] == "quantized"
    assert len(edges) == 5
    assert nodes[BASE]["data"]["size"] > nodes[CHAT]["data"]["size"] > nodes[LORA]["data"]["size"]
    assert graph.layout["name"] == "breadthfirst" and graph.layout["directed"] is True
    assert graph.layout["roots"] == f'[id = "{BASE}"]' and graph.layout["maximal"] is True


def test_ancestors_and_missing_parents(family_db):
    _, nodes, edges = lineage_page(family_db, MERGE)
    assert {n: d["data"]["depth"] for n, d in nodes.items()} == {MERGE: 0, CHAT: -1, LORA: -1, BASE: -2}
    assert nodes[BASE]["classes"] == "ancestor"
    _, nodes, edges = lineage_page(family_db, "orphan/child-of-deleted")
    missing = nodes["gone/deleted-model"]
    assert missing["classes"] == "missing" and "not in catalog" in missing["data"]["label"]
    assert edges[("gone/deleted-model", "orphan/child-of-deleted")]["data"]["relation"] == "quantized"


def test_a_cycle_is_drawn_without_maximal_layering(family_db):
    graph, nodes, _ = lineage_page(family_db, "odd/cycle-a")
    assert set(nodes) == {"odd/cycle-a", "odd/cycle-b"}
    assert graph.layout["maximal"] is False


def test_a_big_family_is_summarised_from_exact_counts(big_family_db):
    graph, nodes, _ = lineage_page(big_family_db, "big/root")
    # The 10 most downloaded of each type; the adapters' parent is a finetune drawn anyway.
    assert sorted(n for n in nodes if n.startswith("q/")) == [f"q/root-q{i:02}" for i in range(30, 40)]
    assert sorted(n for n in nodes if n.startswith("f/")) == [f"f/root-f{i:02}" for i in range(2, 12)]
    assert sum(1 for n in nodes if n.startswith("a/")) == 5
    assert nodes["more:quantized"]["data"]["label"] == "+30 more quantized"
    assert nodes["more:finetune"]["data"]["label"] == "+2 more finetune"
    assert "more:adapter" not in nodes
    assert nodes["more:quantized"]["data"]["expandable"] is True


def test_expanding_a_relation_draws_its_most_downloaded(big_family_db):
    children, _ = model.layout(big_family_db, [("tab", "lineage"), ("expand", "quantized")], repo_id="big/root")
    _, nodes, edges = graph_of(children)
    quantized = [n for n in nodes if n.startswith("q/")]
    assert sorted(quantized) == [f"q/root-q{i:02}" for i in range(25, 40)]  # 15 expanded
    assert nodes["more:quantized"]["data"]["label"].startswith("+25 more quantized")
    assert nodes["more:quantized"]["data"]["expandable"] is False
    assert edges[("big/root", "q/root-q39")]["data"]["relation"] == "quantized"
    side = text_of(children)
    assert "57 descendants" in side  # 40 + 12 + 5, whatever is drawn
    assert "/models/big/root?tab=lineage" in hrefs(children)  # "fewer" drops the expansion


def test_a_wide_level_is_cut_to_the_most_downloaded_siblings(db):
    ingest(
        db,
        [record("wide/root", 10**6)]
        + [record(f"q/wide-{i:02}", 100 + i, "wide/root", "quantized") for i in range(30)]
        + [record(f"q/wide-{i:02}-lora", i, f"q/wide-{i:02}", "adapter") for i in range(30)],
    )
    _, nodes, edges = lineage_page(db, "wide/root")
    drawn = sorted(n for n in nodes if n.startswith("q/") and not n.endswith("-lora"))
    assert drawn == [f"q/wide-{i:02}" for i in range(20, 30)]
    assert {n for n in nodes if n.endswith("-lora")} <= {f"{n}-lora" for n in drawn}  # no orphans
    assert all(s in nodes and t in nodes for s, t in edges)
    assert nodes["more:quantized"]["data"]["label"] == f"+{30 - page.SIBLINGS_DRAWN} more quantized"
    _, nodes, _ = lineage_page(db, "wide/root", "tab=lineage&expand=quantized")
    assert sum(1 for n in nodes if n.startswith("q/") and not n.endswith("-lora")) == 30


def test_counts_beside_the_graph(big_family_db):
    children, _ = model.layout(big_family_db, [("tab", "lineage")], repo_id="big/root")
    row = next(c for c in walk(children) if getattr(c, "className", None) == "relation-quantized")
    assert text_of(row).split()[:3] == ["quantized", "40", "10"]
    assert "/models/big/root?expand=quantized&tab=lineage" in hrefs(row)


# --- callbacks ---------------------------------------------------------------------------------


def test_a_tab_click_rewrites_the_query_string():
    assert model.search_for_tab("lineage", "?expand=merge&junk=1") == "?expand=merge&tab=lineage"
    assert model.search_for_tab("overview", "?tab=files") == ""
    assert model.search_for_tab("files", "?tab=files") is no_update
    assert model.search_for_tab(None, "") is no_update


def test_the_query_string_renders_the_tab(family_db):
    body, tab = model.render_tab(family_db, "?tab=lineage", f"/models/{BASE}", BASE)
    assert tab == "lineage"
    assert set(graph_of(body)[1]) == {BASE, CHAT, GGUF, LORA, MERGE}
    body, tab = model.render_tab(family_db, "?tab=files&junk", "/models/acme/BASE-7b/", BASE)
    assert tab == "files" and "Stored size" in text_of(body)
    _, tab = model.render_tab(family_db, "?tab=files", f"/models/{BASE}", BASE, active_tab="files")
    assert tab is no_update  # the click that wrote the URL already set it


def test_a_change_of_model_is_left_to_the_router(family_db):
    with pytest.raises(PreventUpdate):
        model.render_tab(family_db, "?tab=lineage", f"/models/{CHAT}", BASE)
    with pytest.raises(PreventUpdate):
        model.render_tab(family_db, "?tab=lineage", "/trending", None)


def test_graph_clicks():
    summary = {"id": "more:quantized", "relation": "quantized", "expandable": True}
    assert model.follow_node(summary, "?tab=lineage", BASE) == (no_update, "?expand=quantized&tab=lineage")
    assert model.follow_node({"id": CHAT, "in_catalog": True}, "?expand=merge&tab=lineage", BASE) == (
        f"/models/{CHAT}",
        "?tab=lineage",
    )
    for still in (
        {"id": "gone/x", "in_catalog": False},
        {"id": BASE, "in_catalog": True},
        {**summary, "expandable": False},
        None,
    ):
        with pytest.raises(PreventUpdate):
            model.follow_node(still, "?tab=lineage", BASE)


def test_a_large_family_renders_fast(db):
    """25,000 descendants (2,000 finetunes with 10 quantized each, 3,000 adapters): the page
    draws a bounded graph, summarises the rest from exact counts, well within a second."""
    records = [record("huge/root", 10**8)]
    for i in range(2000):
        records.append(record(f"f/huge-{i:04}", 10**5 + i, "huge/root"))
        records += [record(f"q/huge-{i:04}-{j}", i * 10 + j, f"f/huge-{i:04}", "quantized") for j in range(10)]
    records += [record(f"a/huge-{i:04}", i, "huge/root", "adapter") for i in range(3000)]
    ingest(db, records)
    model.layout(db, [("tab", "lineage")], repo_id="huge/root")  # warm the caches
    started = time.perf_counter()
    everything = [("tab", "lineage")] + [("expand", kind) for kind in RELATION_TYPES]
    children, _ = model.layout(db, everything, repo_id="huge/root")
    elapsed = time.perf_counter() - started
    _, nodes, _ = graph_of(children)
    assert len(nodes) <= 1 + len(RELATION_TYPES) * (model.EXPANDED_LIMIT + 1)
    drawn_adapters = sum(1 for n in nodes if n.startswith("a/"))
    assert nodes["more:adapter"]["data"]["label"].startswith(f"+{3000 - drawn_adapters:,} more adapter")
    assert elapsed < 1.0


def test_an_id_with_a_nul_character_is_simply_not_found(db):
    from data.catalog import model_detail

    with db.session(read_only=True) as session:
        assert model_detail(session, "org/na\x00me") is None
