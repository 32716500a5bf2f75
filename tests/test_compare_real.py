"""Comparison of real Hub models (the first 50,000 of ../shared, tests/real_catalog.py): the
Yi-1.5 family's base, its dolphin finetune and two GGUF quantizations of that. The ids, the
lineage (untyped `base_model:` tags in this 2024 snapshot, so every edge is inferred) and the
counts below are read from the snapshot's JSON."""

from __future__ import annotations

BASE = "01-ai/Yi-1.5-34B-32K"
DOLPHIN = "cognitivecomputations/dolphin-2.9.3-Yi-1.5-34B-32k"
I1_GGUF = "mradermacher/dolphin-2.9.3-Yi-1.5-34B-32k-i1-GGUF"
GGUF = "mradermacher/dolphin-2.9.3-Yi-1.5-34B-32k-GGUF"


def ids_of(path: list[dict]) -> list[str]:
    return [step["id"] for step in path]


def test_real_quantizations_of_one_finetune(real_client):
    answer = real_client.get(f"/api/v1/compare?ids={I1_GGUF.lower()},{GGUF},{BASE}")
    assert answer.status_code == 200, answer.json
    data = answer.json["data"]
    assert data["ids"] == [I1_GGUF, GGUF, BASE]
    downloads = next(row for row in data["rows"] if row["field"] == "downloads")
    assert downloads["values"][:2] == [47441, 35123] and downloads["differs"]

    siblings, to_base_1, to_base_2 = data["relations"]
    assert (siblings["a"], siblings["b"], siblings["kind"]) == (I1_GGUF, GGUF, "common_ancestor")
    assert siblings["ancestor"] == DOLPHIN and siblings["common_ancestors"] == 2  # the finetune and its base
    assert ids_of(siblings["path_to_a"]) == [DOLPHIN, I1_GGUF] and ids_of(siblings["path_to_b"]) == [DOLPHIN, GGUF]
    assert [step["relation_type"] for step in siblings["path_to_a"][1:]] == ["quantized"]  # a GGUF
    for relation, model in ((to_base_1, I1_GGUF), (to_base_2, GGUF)):
        assert (relation["kind"], relation["ancestor"]) == ("ancestor", BASE)
        assert ids_of(relation["path_to_a"]) == [BASE, DOLPHIN, model] and ids_of(relation["path_to_b"]) == [BASE]
        assert [step["declared"] for step in relation["path_to_a"][1:]] == [False, False]  # untyped tags
    assert {(edge["source"], edge["target"]) for edge in data["edges"]} == {
        (BASE, DOLPHIN),
        (DOLPHIN, I1_GGUF),
        (DOLPHIN, GGUF),
    }
    assert {node["id"] for node in data["nodes"] if not node["compared"]} == {DOLPHIN}
