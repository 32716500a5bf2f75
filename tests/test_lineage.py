"""Lineage: the closure view and `ancestry()` on a real PostgreSQL, checked against hand-made
families and against a naive Python walk over synthetic data."""

from __future__ import annotations

import random
import time
from collections import Counter, deque

import pytest
from sqlalchemy import text

from data.ingest.mapping import map_record
from data.ingest.pipeline import ingest
from data.ingest.synthetic import generate
from data.lineage import MAX_DEPTH, ancestry, refresh_lineage
from data.query import QueryError
from data.vocabulary import RELATION_TYPES

BASE, CHAT, GGUF = "acme/base-7b", "lab/base-7b-chat", "quant/base-7b-chat-GGUF"
LORA, MERGE = "tuner/base-7b-lora-r16", "merger/chat-merge-7b"
CYCLE_A, CYCLE_B = "odd/cycle-a", "odd/cycle-b"


def lineage(db, repo_id, **options):
    with db.session(read_only=True) as session:
        return ancestry(session, repo_id, **options)


def nodes(result) -> dict[str, int]:
    return {node.id: node.depth for node in result.nodes}


def edges(result) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.relation_type) for e in result.edges}


def model(repo_id: str, downloads: int = 0, *parents: str, relation: str = "finetune") -> dict:
    tags = [f"base_model:{relation}:{parent}" for parent in parents]
    return {"id": repo_id, "downloads": downloads, "tags": tags}


def chain(prefix: str, length: int) -> list[dict]:
    """`prefix/m-00` ← `prefix/m-01` ← … ← `prefix/m-{length}`: a finetune of a finetune of …"""
    records = [model(f"{prefix}/m-00", 10**6)]
    records += [model(f"{prefix}/m-{i:02}", 10**6 - i, f"{prefix}/m-{i - 1:02}") for i in range(1, length + 1)]
    return records


def assert_connected(result) -> None:
    """Every node reaches the root through the returned edges, edges ignoring direction."""
    neighbours: dict[str, set[str]] = {}
    for edge in result.edges:
        neighbours.setdefault(edge.source, set()).add(edge.target)
        neighbours.setdefault(edge.target, set()).add(edge.source)
    reached, queue = {result.root}, deque([result.root])
    while queue:
        for other in neighbours.get(queue.popleft(), ()):
            if other not in reached:
                reached.add(other)
                queue.append(other)
    assert reached == {node.id for node in result.nodes}


# --- the closure view ------------------------------------------------------------------------


def test_the_closure_holds_each_pair_once_at_its_shortest_depth(family_db):
    with family_db.session() as session:
        rows = session.execute(
            text("""
            SELECT a.repo_id, d.repo_id, c.depth, c.relation_type, c.downloads = d.downloads
            FROM lineage_closure c JOIN models a ON a.id = c.ancestor JOIN models d ON d.id = c.descendant
            ORDER BY 1, 2""")
        ).all()
    assert [tuple(row) for row in rows] == [
        (BASE, CHAT, 1, "finetune", True),
        (BASE, MERGE, 2, "merge", True),
        (BASE, GGUF, 2, "quantized", True),
        (BASE, LORA, 1, "adapter", True),
        (CHAT, MERGE, 1, "merge", True),
        (CHAT, GGUF, 1, "quantized", True),
        (CYCLE_A, CYCLE_B, 1, "finetune", True),  # never a model as its own descendant
        (CYCLE_B, CYCLE_A, 1, "finetune", True),
        (LORA, MERGE, 1, "merge", True),
    ]


def test_ingestion_refreshes_the_closure(family_db):
    ingest(family_db, [model("late/gguf-of-gguf", 5, GGUF, relation="quantized")])
    result = lineage(family_db, BASE)
    assert result.total_descendants == 5
    assert nodes(result)["late/gguf-of-gguf"] == 3


def test_refresh_lineage_sees_edges_written_outside_ingestion(family_db):
    with family_db.session() as session:
        session.execute(text("DELETE FROM models WHERE repo_id = :id"), {"id": CHAT})
        refresh_lineage(session)
        session.commit()
    result = lineage(family_db, BASE)
    assert result.total_descendants == 2  # the adapter and, through it, the merge
    assert nodes(result) == {BASE: 0, LORA: 1, MERGE: 2}


# --- ancestry(): the fixture family ------------------------------------------------------------


def test_the_base_has_its_whole_family_below_it(family_db):
    result = lineage(family_db, BASE)
    assert result.root == BASE
    assert nodes(result) == {BASE: 0, CHAT: 1, LORA: 1, GGUF: 2, MERGE: 2}
    assert [node.id for node in result.nodes] == [BASE, CHAT, LORA, GGUF, MERGE]  # by downloads
    assert edges(result) == {
        (BASE, CHAT, "finetune"),
        (BASE, LORA, "adapter"),
        (CHAT, GGUF, "quantized"),
        (CHAT, MERGE, "merge"),
        (LORA, MERGE, "merge"),
    }
    assert result.summary() == {
        "truncated": False,
        "total_descendants": 4,
        "max_depth": 2,
        "counts_by_relation": {"finetune": 1, "adapter": 1, "quantized": 1, "merge": 1},
    }


def test_a_node_carries_the_models_facts(family_db):
    chat = next(node for node in lineage(family_db, BASE).nodes if node.id == CHAT)
    assert (chat.author, chat.pipeline_tag, chat.library_name) == ("lab", "text-generation", "transformers")
    assert (chat.downloads, chat.likes, chat.derivative_count, chat.in_catalog) == (50000, 300, 2, True)


def test_a_merge_shows_both_parents_and_their_base(family_db):
    result = lineage(family_db, MERGE, direction="up")
    assert nodes(result) == {MERGE: 0, CHAT: -1, LORA: -1, BASE: -2}
    assert edges(result) == {
        (CHAT, MERGE, "merge"),
        (LORA, MERGE, "merge"),
        (BASE, CHAT, "finetune"),
        (BASE, LORA, "adapter"),
    }
    assert result.summary() == {
        "truncated": False,
        "total_descendants": 0,
        "max_depth": 0,
        "counts_by_relation": dict.fromkeys(RELATION_TYPES, 0),
    }


def test_both_directions_meet_at_the_root(family_db):
    result = lineage(family_db, CHAT.upper())  # any case finds it
    assert result.root == CHAT
    assert nodes(result) == {CHAT: 0, BASE: -1, GGUF: 1, MERGE: 1}
    # The merge's other parent is neither above nor below the root: not in this graph.
    assert edges(result) == {(BASE, CHAT, "finetune"), (CHAT, GGUF, "quantized"), (CHAT, MERGE, "merge")}
    assert lineage(family_db, CHAT, direction="down").summary()["total_descendants"] == 2
    assert nodes(lineage(family_db, CHAT, direction="down")) == {CHAT: 0, GGUF: 1, MERGE: 1}


def test_a_missing_parent_is_a_node_outside_the_catalog(family_db):
    result = lineage(family_db, "orphan/child-of-deleted")
    ghost = next(node for node in result.nodes if node.id == "gone/deleted-model")
    assert (ghost.in_catalog, ghost.depth) == (False, -1)
    assert (ghost.author, ghost.downloads, ghost.likes, ghost.derivative_count) == (None,) * 4
    assert edges(result) == {("gone/deleted-model", "orphan/child-of-deleted", "quantized")}


def test_a_cycle_ends_and_the_root_appears_once(family_db):
    both = lineage(family_db, CYCLE_A)
    assert [node.id for node in both.nodes] == [CYCLE_A, CYCLE_B]
    assert nodes(both) == {CYCLE_A: 0, CYCLE_B: -1}
    assert edges(both) == {(CYCLE_A, CYCLE_B, "finetune"), (CYCLE_B, CYCLE_A, "finetune")}
    assert both.total_descendants == 1 and not both.truncated
    assert nodes(lineage(family_db, CYCLE_A, direction="down")) == {CYCLE_A: 0, CYCLE_B: 1}
    assert nodes(lineage(family_db, CYCLE_A, direction="up")) == {CYCLE_A: 0, CYCLE_B: -1}


def test_a_self_loop_is_no_lineage(family_db):
    result = lineage(family_db, "odd/self-made")
    assert nodes(result) == {"odd/self-made": 0} and result.edges == []


def test_an_unknown_model_is_none(family_db):
    assert lineage(family_db, "nobody/nothing") is None
    assert lineage(family_db, "gone/deleted-model") is None  # only named as a base
    assert lineage(family_db, "acme/base\x00-7b") is None  # text PostgreSQL cannot even compare


def test_shortest_paths_ending_in_different_relations_take_the_first_by_name(db):
    child = {
        "id": "tie/child",
        "downloads": 1,
        "tags": ["base_model:finetune:tie/left", "base_model:adapter:tie/right"],
    }
    ingest(db, [model("tie/root", 9), model("tie/left", 8, "tie/root"), model("tie/right", 7, "tie/root"), child])
    result = lineage(db, "tie/root")
    assert nodes(result)["tie/child"] == 2
    assert result.counts_by_relation == {"finetune": 2, "adapter": 1, "quantized": 0, "merge": 0}


# --- ancestry(): limits and filters -----------------------------------------------------------


def test_limit_keeps_the_most_downloaded_with_exact_totals(family_db):
    result = lineage(family_db, BASE, limit=2)
    assert nodes(result) == {BASE: 0, CHAT: 1, GGUF: 2}
    assert edges(result) == {(BASE, CHAT, "finetune"), (CHAT, GGUF, "quantized")}
    assert result.truncated
    assert result.total_descendants == 4
    assert result.counts_by_relation == {"finetune": 1, "adapter": 1, "quantized": 1, "merge": 1}


def test_a_descendant_comes_with_its_path_within_the_limit(family_db):
    # The merge needs both parents to connect to the base: 3 nodes, more than a limit of 2.
    assert nodes(lineage(family_db, BASE, relation={"merge"}, limit=2)) == {BASE: 0}
    result = lineage(family_db, BASE, relation={"merge"}, limit=3)
    assert nodes(result) == {BASE: 0, CHAT: 1, LORA: 1, MERGE: 2}
    assert not result.truncated
    assert_connected(result)


def test_the_relation_filter_keeps_matching_descendants_and_their_paths(family_db):
    quantized = lineage(family_db, BASE, relation={"quantized"})
    assert nodes(quantized) == {BASE: 0, CHAT: 1, GGUF: 2}
    assert_connected(quantized)
    assert not quantized.truncated
    assert quantized.counts_by_relation["merge"] == 1  # counts describe the whole family
    assert nodes(lineage(family_db, BASE, relation={"finetune", "adapter"})) == {BASE: 0, CHAT: 1, LORA: 1}


def test_the_depth_filter_bounds_both_directions(family_db):
    down = lineage(family_db, BASE, depth=1)
    assert nodes(down) == {BASE: 0, CHAT: 1, LORA: 1}
    assert down.truncated and down.max_depth == 2
    up = lineage(family_db, MERGE, direction="up", depth=1)
    assert nodes(up) == {MERGE: 0, CHAT: -1, LORA: -1}
    assert edges(up) == {(CHAT, MERGE, "merge"), (LORA, MERGE, "merge")}


def test_the_generation_filter_keeps_that_generation_and_the_paths_to_it(family_db):
    second = lineage(family_db, BASE, direction="down", generation=2)
    assert nodes(second) == {BASE: 0, CHAT: 1, LORA: 1, GGUF: 2, MERGE: 2}  # chat and lora: paths only
    assert_connected(second)
    assert not second.truncated  # the whole generation is there
    merges = lineage(family_db, BASE, direction="down", relation={"merge"}, generation=2, limit=2)
    assert MERGE not in nodes(merges) and merges.truncated  # its two parents do not fit in 2
    assert nodes(lineage(family_db, BASE, direction="down", relation={"merge"}, generation=1)) == {BASE: 0}


def test_up_is_never_truncated(family_db):
    assert not lineage(family_db, MERGE, direction="up", depth=1).truncated


@pytest.mark.parametrize(
    "options, parameter",
    [
        ({"direction": "sideways"}, "direction"),
        ({"depth": 0}, "depth"),
        ({"depth": MAX_DEPTH + 1}, "depth"),
        ({"limit": 0}, "limit"),
        ({"limit": 2001}, "limit"),
        ({"relation": {"finetune", "distill"}}, "relation"),
        ({"generation": 0}, "generation"),
        ({"generation": 3, "depth": 2}, "generation"),
    ],
)
def test_bad_parameters_are_refused_by_name(family_db, options, parameter):
    with pytest.raises(QueryError) as raised:
        lineage(family_db, BASE, **options)
    assert raised.value.parameter == parameter


# --- ancestry(): shapes real data has ----------------------------------------------------------


def test_a_chain_40_deep_has_all_40_ancestors(db):
    ingest(db, chain("deep", 40))
    up = lineage(db, "deep/m-40", direction="up")
    assert nodes(up) == {f"deep/m-{i:02}": i - 40 for i in range(41)}
    assert len(up.edges) == 40
    down = lineage(db, "deep/m-00", direction="down")
    assert (down.total_descendants, down.max_depth, down.truncated) == (40, 40, False)
    assert nodes(down) == {f"deep/m-{i:02}": i for i in range(41)}
    assert nodes(lineage(db, "deep/m-40", direction="up", depth=5)) == {f"deep/m-{i:02}": i - 40 for i in range(35, 41)}


def test_chains_deeper_than_the_bound_stop_at_it(db):
    ingest(db, chain("long", 60))
    assert len(lineage(db, "long/m-60", direction="up").nodes) == MAX_DEPTH + 1
    down = lineage(db, "long/m-00", direction="down")
    assert (down.total_descendants, down.max_depth) == (MAX_DEPTH, MAX_DEPTH)


def test_a_merge_chain_with_exponentially_many_paths_is_quick(db):
    # Each link merges the two before it: ~10^8 paths from top to bottom, 41 models.
    records = [model("fib/m-00", 100), model("fib/m-01", 99, "fib/m-00")]
    records += [
        model(f"fib/m-{i:02}", 100 - i, f"fib/m-{i - 1:02}", f"fib/m-{i - 2:02}", relation="merge")
        for i in range(2, 41)
    ]
    started = time.monotonic()
    ingest(db, records)
    up = lineage(db, "fib/m-40", direction="up")
    down = lineage(db, "fib/m-00", direction="down")
    assert time.monotonic() - started < 20
    # Skipping every other link is the shortest way: m-i is ceil(i / 2) steps from m-00.
    assert nodes(up) == {f"fib/m-{i:02}": -((40 - i + 1) // 2) for i in range(41)}
    assert (down.total_descendants, down.max_depth) == (40, 20)
    assert nodes(down) == {f"fib/m-{i:02}": (i + 1) // 2 for i in range(41)}
    assert down.counts_by_relation == {"finetune": 1, "adapter": 0, "quantized": 0, "merge": 39}


def test_a_cycle_entered_from_outside_ends(db):
    ring = ["ring/a", "ring/b", "ring/c", "ring/d"]
    records = [model("ring/entry", 50)]
    records += [model(name, 10, ring[i - 1]) for i, name in enumerate(ring)]  # a names d
    records[1]["tags"].append("base_model:finetune:ring/entry")
    ingest(db, records)
    down = lineage(db, "ring/entry", direction="down")
    assert nodes(down) == {"ring/entry": 0, "ring/a": 1, "ring/b": 2, "ring/c": 3, "ring/d": 4}
    up = lineage(db, "ring/c", direction="up")
    assert nodes(up) == {"ring/c": 0, "ring/b": -1, "ring/a": -2, "ring/d": -3, "ring/entry": -3}


# --- agreement with a naive walk over synthetic data -------------------------------------------


class NaiveLineage:
    """The catalog's edges, rebuilt in Python from the records with the ingestion's mapping."""

    def __init__(self, records: list[dict]):
        mapped = [map_record(record) for record in records]
        self.names = {m.repo_id.lower(): m.repo_id for m in mapped}
        self.children: dict[str, list[tuple[str, str]]] = {}
        self.parents: dict[str, list[str]] = {}
        for m in mapped:
            for relation in m.relations:
                parent = self.names.get(relation.base_model_id.lower(), relation.base_model_id)
                self.parents.setdefault(m.repo_id, []).append(parent)
                if parent.lower() in self.names:
                    self.children.setdefault(parent, []).append((m.repo_id, relation.relation_type))

    def descendants(self, root: str) -> dict[str, tuple[int, str]]:
        """Breadth first: each descendant's shortest depth and the first relation type (by
        name) among its edges from parents one level up."""
        depth, relation, frontier = {root: 0}, {}, [root]
        for level in range(1, MAX_DEPTH + 1):
            reached: dict[str, str] = {}
            for parent in frontier:
                for child, kind in self.children.get(parent, ()):
                    if child not in depth:
                        reached[child] = min(kind, reached.get(child, kind))
            depth.update(dict.fromkeys(reached, level))
            relation.update(reached)
            frontier = list(reached)
        return {child: (depth[child], relation[child]) for child in relation}

    def ancestors(self, model: str) -> dict[str, int]:
        depth, frontier = {model: 0}, [model]
        for level in range(1, MAX_DEPTH + 1):
            frontier = [p for child in frontier for p in self.parents.get(child, ()) if p not in depth]
            depth.update(dict.fromkeys(frontier, level))
        del depth[model]
        return depth


@pytest.fixture(scope="module")
def synthetic_records() -> list[dict]:
    return list(generate(20_000, seed=1))


def test_the_closure_agrees_with_a_naive_walk_of_synthetic_data(db, synthetic_records):
    summary = ingest(db, synthetic_records)
    assert summary.stored == len(synthetic_records)
    naive = NaiveLineage(synthetic_records)
    families = {root: naive.descendants(root) for root in naive.children}
    largest = sorted(families, key=lambda root: -len(families[root]))
    assert len(families[largest[0]]) > 2000  # a real test of scale, not a toy
    for root in largest[:8] + random.Random(1).sample(largest[8:], 40):
        expected = families[root]
        result = lineage(db, root, direction="down", limit=200)
        assert result.total_descendants == len(expected), root
        assert result.counts_by_relation == {
            kind: Counter(kind for _, kind in expected.values())[kind] for kind in RELATION_TYPES
        }, root
        assert result.max_depth == max(depth for depth, _ in expected.values()), root
        assert result.truncated == (len(expected) > 200), root
        assert len(result.nodes) <= 201
        assert all(expected[node.id][0] == node.depth for node in result.nodes if node.depth > 0), root
        assert_connected(result)


def test_ancestors_agree_with_a_naive_walk_of_synthetic_data(db, synthetic_records):
    ingest(db, synthetic_records)
    naive = NaiveLineage(synthetic_records)
    derived = sorted(naive.parents)
    deepest = max(derived, key=lambda name: len(naive.ancestors(name)))
    assert len(naive.ancestors(deepest)) >= 10
    for name in [deepest] + random.Random(2).sample(derived, 200):
        result = lineage(db, name, direction="up")
        assert {node.id: -node.depth for node in result.nodes if node.depth} == naive.ancestors(name), name
        assert all(node.in_catalog == (node.id.lower() in naive.names) for node in result.nodes)
        assert_connected(result)
