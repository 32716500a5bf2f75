"""The model page: its URL state, layout, lineage drawing and callbacks, on a real PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import replace

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
    """A root with 40 quantized and 12 finetuned children, one finetune with 5 adapters; groups
    of up to 3 are drawn in full, 10 members of an expanded one."""
    records = [record("big/root", 10**7)]
    records += [record(f"q/root-q{i:02}", 1000 + i, "big/root", "quantized") for i in range(40)]
    records += [record(f"f/root-f{i:02}", 5000 + i, "big/root") for i in range(12)]
    records += [record(f"a/root-a{i}", 10 + i, "f/root-f11", "adapter") for i in range(5)]
    ingest(db, records)
    monkeypatch.setattr(page, "BOUNDS", replace(page.BOUNDS, small=3, expanded=10))
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
    pairs = [
        ("tab", "lineage"),
        ("expand", "merge:2,junk,finetune:0,adapter:x,adapter:"),
        ("expand", "quantized"),
        ("x", "1"),
    ]
    assert ModelView.from_query(pairs) == ModelView("lineage", ((1, "quantized"), (2, "merge")))
    assert ModelView.from_query([("tab", "nonsense"), ("tab", ""), ("expand", "")]) == ModelView()
    assert ModelView.from_query([("generations", "7"), ("view", "sunburst")]) == ModelView(
        generations=7, view="sunburst"
    )
    for junk in ("0", "51", "-1", "two", ""):
        assert ModelView.from_query([("generations", junk), ("view", junk)]) == ModelView()


def test_the_view_writes_one_canonical_query_string():
    assert ModelView().query_string() == ""
    assert ModelView("lineage", ((1, "quantized"),)).query_string() == "?expand=quantized&tab=lineage"
    view = ModelView("files").toggled((2, "merge")).toggled((1, "adapter"))
    assert view.query_string() == "?expand=adapter&expand=merge:2&tab=files"  # the first generation: bare
    assert view.toggled((2, "merge")).with_tab("overview").query_string() == "?expand=adapter"
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
    assert set(nodes) == {BASE, CHAT, GGUF, LORA, MERGE}  # small groups: every model drawn
    assert nodes[BASE]["classes"] == "root" and nodes[CHAT]["classes"] == "descendant"
    assert edges[(BASE, LORA)]["classes"].split()[:2] == ["relation", "adapter"]
    assert edges[(CHAT, GGUF)]["data"]["relation"] == "quantized"
    assert len(edges) == 5
    assert nodes[BASE]["data"]["size"] > nodes[CHAT]["data"]["size"] > nodes[LORA]["data"]["size"]
    assert nodes[GGUF]["data"]["label"] == "base-7b-chat-GGUF"
    assert graph.layout["name"] == "dagre" and graph.layout["rankDir"] == "LR"


def test_ancestors_and_missing_parents(family_db):
    _, nodes, edges = lineage_page(family_db, MERGE)
    assert {n: d["data"]["depth"] for n, d in nodes.items()} == {MERGE: 0, CHAT: -1, LORA: -1, BASE: -2}
    assert nodes[BASE]["classes"] == "ancestor"
    _, nodes, edges = lineage_page(family_db, "orphan/child-of-deleted")
    missing = nodes["gone/deleted-model"]
    assert missing["classes"] == "missing" and "not in catalog" in missing["data"]["label"]
    assert edges[("gone/deleted-model", "orphan/child-of-deleted")]["data"]["relation"] == "quantized"


def test_a_cycle_is_drawn(family_db):
    _, nodes, edges = lineage_page(family_db, "odd/cycle-a")
    assert set(nodes) == {"odd/cycle-a", "odd/cycle-b"}
    assert set(edges) == {("odd/cycle-a", "odd/cycle-b"), ("odd/cycle-b", "odd/cycle-a")}


def test_a_big_family_is_drawn_as_groups_from_exact_counts(big_family_db):
    _, nodes, edges = lineage_page(big_family_db, "big/root")
    assert set(nodes) == {"big/root", "more:quantized:1", "more:finetune:1", "more:adapter:2"}
    assert nodes["more:quantized:1"]["data"]["label"] == "40 quantizations"
    assert nodes["more:finetune:1"]["data"]["label"] == "12 finetunes"
    assert nodes["more:adapter:2"]["data"]["label"] == "5 adapters"
    assert set(edges) == {
        ("big/root", "more:quantized:1"),
        ("big/root", "more:finetune:1"),
        ("more:finetune:1", "more:adapter:2"),  # their parent is one of the 12
    }
    assert all(nodes[n]["data"]["expandable"] for n in nodes if n.startswith("more:"))


def test_expanding_a_group_draws_its_most_downloaded(big_family_db):
    children, _ = model.layout(big_family_db, [("tab", "lineage"), ("expand", "quantized:1")], repo_id="big/root")
    _, nodes, edges = graph_of(children)
    assert sorted(n for n in nodes if n.startswith("q/")) == [f"q/root-q{i:02}" for i in range(30, 40)]
    assert nodes["more:quantized:1"]["data"]["label"] == "+30 more quantizations"
    assert nodes["more:quantized:1"]["data"]["expandable"] is False
    assert edges[("big/root", "q/root-q39")]["data"]["relation"] == "quantized"
    assert ("big/root", "more:quantized:1") in edges
    side = text_of(children)
    assert "57 descendants" in side  # 40 + 12 + 5, whatever is drawn
    assert "/models/big/root?tab=lineage" in hrefs(children)  # "fewer" undoes the expansion


def test_expanding_a_deeper_group_draws_its_path_from_the_root(big_family_db):
    query = "tab=lineage&expand=adapter:2"
    _, nodes, edges = lineage_page(big_family_db, "big/root", query)
    assert {n for n in nodes if n.startswith(("a/", "f/"))} == {"f/root-f11"} | {f"a/root-a{i}" for i in range(5)}
    assert nodes["more:finetune:1"]["data"]["label"] == "+11 more finetunes"
    assert "more:adapter:2" not in nodes  # all 5 drawn
    assert ("f/root-f11", "a/root-a4") in edges and ("big/root", "f/root-f11") in edges
    assert ("more:finetune:1", "more:adapter:2") not in edges


def test_generations_below_those_drawn_are_one_summary(db):
    chain = [record("deep/g0", 10**6)] + [record(f"deep/g{i}", 10, f"deep/g{i - 1}") for i in range(1, 9)]
    ingest(db, chain)
    _, nodes, edges = lineage_page(db, "deep/g0")
    assert set(nodes) == {"deep/g0", "deep/g1", "deep/g2", "deep/g3", "more:deeper"}
    assert nodes["more:deeper"]["data"]["label"] == "5 deeper\n(down to generation 8)"
    assert ("deep/g3", "more:deeper") in edges
    _, nodes, _ = lineage_page(db, "deep/g0", "tab=lineage&generations=6")
    assert {f"deep/g{i}" for i in range(7)} <= set(nodes) and nodes["more:deeper"]["data"]["count"] == 2


def test_counts_beside_the_graph(big_family_db):
    children, _ = model.layout(big_family_db, [("tab", "lineage")], repo_id="big/root")
    row = next(c for c in walk(children) if getattr(c, "className", None) == "relation-quantized")
    assert text_of(row).split()[:3] == ["quantized", "40", "0"]


def test_base_models_and_direct_derivatives_say_declared_or_inferred(db):
    ingest(
        db,
        [
            record("org/base", 100),
            record("org/other", 100),
            record("t/typed", 1, "org/base"),
            record("t/typed-q", 1, "org/base", "quantized"),
            {"id": "u/untyped-GGUF", "tags": ["base_model:org/base", "gguf"]},  # type inferred from the tags
            {"id": "u/untyped", "tags": ["base_model:org/base"]},
            {"id": "m/both", "tags": ["base_model:merge:org/base", "base_model:org/other"]},
        ],
    )
    children, _ = model.layout(db, [("tab", "lineage")], repo_id="org/base")
    table = {
        c.className: text_of(c).split()
        for c in walk(children)
        if str(getattr(c, "className", "")).startswith("derivatives-")
    }
    assert table == {
        "derivatives-finetune": ["finetune", "1", "1"],
        "derivatives-quantized": ["quantized", "1", "1"],
        "derivatives-merge": ["merge", "1", "0"],
    }
    children, _ = model.layout(db, [("tab", "lineage")], repo_id="m/both")
    bases = [text_of(c) for c in walk(children) if getattr(c, "className", None) == "lineage-base"]
    assert sorted(bases) == ["org/base merge declared", "org/other merge inferred"]
    _, _, edges = lineage_page(db, "org/base")
    assert edges[("org/base", "u/untyped")]["classes"] == "relation finetune inferred"
    assert edges[("org/base", "t/typed")]["classes"] == "relation finetune declared"


def test_the_sunburst_view_counts_the_family_by_relation_and_author(big_family_db):
    children, _ = model.layout(big_family_db, [("tab", "lineage"), ("view", "sunburst")], repo_id="big/root")
    figure = by_id(children, page.LINEAGE_FAMILY).figure
    trace = figure.data[0]
    values = dict(zip(trace.ids, trace.values, strict=True))
    assert values["big/root"] == 57
    assert (values["quantized"], values["finetune"], values["adapter"]) == (40, 12, 5)
    assert (values["quantized/q"], values["finetune/f"], values["adapter/a"]) == (40, 12, 5)
    assert not [c for c in walk(children) if getattr(c, "id", None) == page.LINEAGE_GRAPH]


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
    summary = {"id": "more:quantized:2", "relation": "quantized", "generation": 2, "expandable": True}
    assert model.follow_node(summary, "?tab=lineage", BASE) == (no_update, "?expand=quantized:2&tab=lineage")
    assert model.follow_node({"id": "more:deeper"}, "?tab=lineage", BASE) == (no_update, "?generations=6&tab=lineage")
    assert model.follow_node({"id": CHAT, "in_catalog": True}, "?expand=merge&tab=lineage", BASE) == (
        f"/models/{CHAT}",
        "?tab=lineage",
    )
    for still in (
        {"id": "gone/x", "in_catalog": False},
        {"id": BASE, "in_catalog": True},
        {**summary, "expandable": False},
        {**summary, "generation": True},
        {**summary, "generation": 0},
        {**summary, "generation": [2]},
        {**summary, "relation": "junk"},
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
    everything = [("tab", "lineage")] + [("expand", f"{kind}:{depth}") for kind in RELATION_TYPES for depth in (1, 2)]
    children, _ = model.layout(db, everything, repo_id="huge/root")
    elapsed = time.perf_counter() - started
    _, nodes, _ = graph_of(children)
    assert len(nodes) - 1 <= page.BOUNDS.descendants(len(RELATION_TYPES))
    assert nodes["more:adapter:1"]["data"]["label"] == f"+{3000 - page.BOUNDS.expanded:,} more adapters"
    assert nodes["more:quantized:2"]["data"]["label"] == f"+{20000 - page.BOUNDS.expanded:,} more quantizations"
    assert elapsed < 1.0


def test_an_id_with_a_nul_character_is_simply_not_found(db):
    from data.catalog import model_detail

    with db.session(read_only=True) as session:
        assert model_detail(session, "org/na\x00me") is None
