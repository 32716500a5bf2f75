"""The synthetic Hub generator: record shape, shares, lineage oddities and bounded memory."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from data.ingest.synthetic import MAX_DEPTH, generate, model_id

ROOT = Path(__file__).resolve().parents[1]
RELATIONS = ("finetune", "adapter", "quantized", "merge")
TYPED = re.compile(r"base_model:(finetune|adapter|quantized|merge):(.+)")
AUTHOR = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
HUB_ID = re.compile(f"{AUTHOR}/{NAME}")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z")
KEYS = {
    "_id",
    "id",
    "author",
    "gated",
    "lastModified",
    "likes",
    "trendingScore",
    "private",
    "disabled",
    "sha",
    "downloads",
    "tags",
    "createdAt",
    "modelId",
    "siblings",
}
OPTIONAL_KEYS = {"pipeline_tag", "library_name", "cardData"}
QUANT_SIGNS = {"gguf", "4-bit", "8-bit", "gptq", "awq", "exl2", "mlx", "onnx"}


@pytest.fixture(scope="module")
def big() -> list[dict]:
    return list(generate(20_000, seed=0))


@pytest.fixture(scope="module")
def small() -> list[dict]:
    return list(generate(2_000, seed=0))


def parents_of(record: dict) -> set[str]:
    """Every base model a record names, the ways the Hub says it: tags and cardData."""
    found = {t[len("base_model:") :] for t in record["tags"] if t.startswith("base_model:") and not TYPED.match(t)}
    found |= {m.group(2) for t in record["tags"] if (m := TYPED.match(t))}
    base = (record.get("cardData") or {}).get("base_model")
    found |= {base} if isinstance(base, str) else set(base or ())
    return found


class Lineage:
    """The lineage graph of one generation, built without assuming any order."""

    def __init__(self, records: list[dict]):
        self.position = {r["id"]: k for k, r in enumerate(records)}
        self.parents = {r["id"]: ps for r in records if (ps := parents_of(r))}
        self.children = defaultdict(set)
        for child, parents in self.parents.items():
            for parent in parents - {child}:
                self.children[parent].add(child)

    def self_loops(self) -> set[str]:
        return {c for c, ps in self.parents.items() if c in ps}

    def cycle_members(self) -> set[str]:
        """Models on a cycle of 2-4 models, each naming the next."""
        members = set()
        for start in self.parents:
            path, node = [start], start
            for _ in range(4):
                following = self.parents.get(node, set()) - {node}
                if len(following) != 1:
                    break
                node = next(iter(following))
                if node == start:
                    members.update(path)
                    break
                path.append(node)
        return members

    def missing_parents(self) -> set[str]:
        return {p for ps in self.parents.values() for p in ps if p not in self.position}

    def depth(self, model: str, memo: dict, visiting: frozenset = frozenset()) -> int:
        """Edges on the longest path up to a root; cycles are cut where they close."""
        if model in memo:
            return memo[model]
        above = self.parents.get(model, set()) - {model} - visiting
        value = 1 + max((self.depth(p, memo, visiting | {model}) for p in above), default=-1)
        if not visiting:
            memo[model] = value
        return value

    def descendants(self, model: str) -> int:
        seen, stack = set(), [model]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return len(seen)

    def largest_family(self) -> int:
        hubs = sorted(self.children, key=lambda m: len(self.children[m]), reverse=True)[:10]
        return max(self.descendants(m) for m in hubs)


@pytest.fixture(scope="module")
def lineage(big) -> Lineage:
    return Lineage(big)


def test_the_same_seed_gives_the_same_records(big):
    assert list(generate(20_000, seed=0)) == big


def digest(records: list[dict]) -> str:
    """sha256 of the records as JSON, one per line: it changes when any byte of them does."""
    return hashlib.sha256(b"".join(json.dumps(r).encode() + b"\n" for r in records)).hexdigest()


def test_a_seed_gives_exactly_these_records(big, small):
    """Pinned: a change meant to change the records must update these digests."""
    assert digest(small) == "34608dc5a071f0d99e9f75f564f806377d2b68de7ce2cf8d25fd0fd8a66b9bba"
    assert digest(big) == "bc985bf457011792d50b66e86eccc6b3ca03eb5946fe8604153272f288bad1cf"


def test_another_seed_gives_other_records(small):
    other = list(generate(2_000, seed=1))
    assert sum(a["id"] != b["id"] for a, b in zip(small, other, strict=True)) > 1_800
    assert {r["id"] for r in small} != {r["id"] for r in other}


def test_model_id_recomputes_any_record_id(big):
    for index in (19_999, 0, 7, 12_345, 4_242, 3):  # any order: ids are pure functions
        assert model_id(0, index) == big[index]["id"]
    assert model_id(1, 12_345) != model_id(0, 12_345)


def test_ids_are_unique_and_follow_the_hub_rules(big):
    ids = [r["id"] for r in big]
    assert len({i.lower() for i in ids}) == len(ids)  # the Hub compares ids case-insensitively
    assert len({r["_id"] for r in big}) == len(big)
    for record in big:
        author, name = record["id"].split("/")
        assert HUB_ID.fullmatch(record["id"]), record["id"]
        assert len(name) <= 96 and "--" not in name and ".." not in name
        assert record["modelId"] == record["id"] and record["author"] == author
        assert re.fullmatch(r"[0-9a-f]{24}", record["_id"])


def test_every_record_has_the_api_keys_and_valid_values(big):
    for record in big:
        assert KEYS <= record.keys() <= KEYS | OPTIONAL_KEYS
        assert isinstance(record["downloads"], int) and record["downloads"] >= 0
        assert isinstance(record["likes"], int) and record["likes"] >= 0
        assert isinstance(record["trendingScore"], int) and record["trendingScore"] >= 0
        assert record["private"] is False and record["disabled"] is False
        assert record["gated"] in (False, "auto", "manual")
        assert re.fullmatch(r"[0-9a-f]{40}", record["sha"])
        assert ISO.fullmatch(record["createdAt"]) and ISO.fullmatch(record["lastModified"])
        assert "2020-01-01" <= record["createdAt"] <= record["lastModified"] < "2026-11-01"
        # ObjectIds start with their creation second, as the Hub's do.
        assert record["_id"][:8] == f"{_epoch(record['createdAt']):08x}"
        assert record["tags"] and all(isinstance(t, str) and t for t in record["tags"])
        assert len(set(record["tags"])) == len(record["tags"])
        assert record.get("pipeline_tag", "x") and record.get("library_name", "x")
        assert all(set(s) == {"rfilename"} for s in record["siblings"])
        assert isinstance(record.get("cardData", {}), dict)


def _epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def test_shares_look_like_the_hub(big):
    n = len(big)

    def share(predicate) -> float:
        return sum(1 for r in big if predicate(r)) / n

    assert 0.35 <= share(parents_of) <= 0.45
    assert 0.42 <= share(lambda r: r.get("pipeline_tag") == "text-generation") <= 0.52
    assert 0.05 <= share(lambda r: "pipeline_tag" not in r) <= 0.25
    assert 0.05 <= share(lambda r: "library_name" not in r) <= 0.25
    assert 0.35 <= share(lambda r: r["downloads"] == 0) <= 0.45
    assert max(r["downloads"] for r in big) >= 10_000_000
    assert share(lambda r: r["likes"] == 0) >= 0.5
    assert share(lambda r: r["trendingScore"] == 0) >= 0.8
    assert 0.9 <= share(lambda r: r["gated"] is False) < 1.0
    assert {r["gated"] for r in big} == {False, "auto", "manual"}
    assert 0.3 <= share(lambda r: "cardData" in r) <= 0.9
    pipelines = Counter(r.get("pipeline_tag") for r in big)
    assert {
        "text-classification",
        "image-text-to-text",
        "text-to-image",
        "automatic-speech-recognition",
        "feature-extraction",
        "sentence-similarity",
    } <= set(pipelines)
    libraries = Counter(r.get("library_name") for r in big)
    assert {"transformers", "peft", "diffusers", "gguf", "sentence-transformers", "mlx"} <= set(libraries)
    years = Counter(r["createdAt"][:4] for r in big)
    assert years["2021"] < years["2023"] < years["2025"]


def test_authors_are_zipf_like(big):
    counts = Counter(r["author"] for r in big).most_common()
    assert len(counts) >= 1_000
    assert counts[0][1] >= 0.02 * len(big)
    assert counts[0][1] >= 50 * counts[len(counts) // 2][1]
    assert {"mradermacher", "bartowski", "TheBloke", "unsloth"} <= {a for a, _ in counts}


def test_lineage_uses_every_relation_and_form(big):
    typed = Counter(m.group(1) for r in big for t in r["tags"] if (m := TYPED.match(t)))
    assert set(typed) == set(RELATIONS)
    assert typed["finetune"] > typed["quantized"] > typed["adapter"]
    old_untyped = new_typed = 0
    for record in big:
        tags = set(record["tags"])
        typed_parents = {m.group(2) for t in tags if (m := TYPED.match(t))}
        assert all(f"base_model:{p}" in tags for p in typed_parents)  # the untyped twin
        if typed_parents:
            new_typed += 1
            assert record["createdAt"] >= "2024-10-01"
        elif any(t.startswith("base_model:") for t in tags):
            old_untyped += 1
            assert record["createdAt"] < "2024-10-01"
    assert new_typed > 3 * old_untyped > 0
    cards = [r["cardData"] for r in big if "base_model" in r.get("cardData", {})]
    assert any(isinstance(c["base_model"], str) for c in cards)
    assert any(isinstance(c["base_model"], list) for c in cards)
    assert {c["base_model_relation"] for c in cards if "base_model_relation" in c} == set(RELATIONS)


def test_relation_tags_match_what_the_model_is(big):
    for record in big:
        tags = set(record["tags"])
        relations = {m.group(1) for t in tags if (m := TYPED.match(t))}
        if "quantized" in relations:
            assert tags & QUANT_SIGNS, record["tags"]
        if "adapter" in relations:
            assert "lora" in tags
        if "merge" in relations:
            assert {"mergekit", "merge"} <= tags


def test_merges_name_two_to_four_parents(big):
    merges = [r for r in big if any(t.startswith("base_model:merge:") for t in r["tags"])]
    assert len(merges) >= 100
    for record in merges:
        named = [t for t in record["tags"] if t.startswith("base_model:merge:")]
        assert 2 <= len(named) == len(set(named)) <= 4


def test_oddities_appear_at_small_rates(big, lineage):
    assert 1 <= len(lineage.self_loops()) <= 0.002 * len(big)
    cycles = lineage.cycle_members()
    assert 2 <= len(cycles) <= 0.006 * len(big)
    missing = lineage.missing_parents()
    assert 1 <= len(missing) <= 0.002 * len(big)
    assert all(HUB_ID.fullmatch(m) for m in missing)


def test_every_oddity_appears_from_a_thousand_models():
    small = Lineage(list(generate(1_000, seed=7)))
    assert small.self_loops() and small.cycle_members() and small.missing_parents()


def test_chains_run_deep_but_not_beyond_the_limit(lineage):
    memo: dict = {}
    depths = [lineage.depth(model, memo) for model in lineage.parents]
    assert 20 <= max(depths) <= MAX_DEPTH
    assert Counter(depths).most_common(1)[0][0] in (1, 2)  # most lineages are short


@pytest.mark.parametrize("fixture", ["big", "small"])
def test_a_foundation_heads_a_tenth_of_the_catalog(request, fixture):
    records = request.getfixturevalue(fixture)
    assert Lineage(records).largest_family() >= len(records) // 10


def test_some_children_come_before_their_parents(lineage):
    cycles = lineage.cycle_members()
    early = [
        (c, p)
        for c, ps in lineage.parents.items()
        for p in ps
        if c not in cycles and p in lineage.position and lineage.position[p] > lineage.position[c]
    ]
    assert len(early) >= 20
    assert len(early) < 0.1 * sum(len(ps) for ps in lineage.parents.values())  # usually after


def test_records_are_streamed():
    stream = generate(3_000_000, seed=2)
    assert next(stream)["id"] == model_id(2, 0)


def test_small_and_empty_generations():
    assert list(generate(0)) == []
    assert [r["id"] for r in generate(1, seed=5)] == [model_id(5, 0)]
    with pytest.raises(ValueError):
        list(generate(-1))


def test_memory_stays_bounded_while_streaming():
    """Streaming 200,000 records peaks less than 50 MB above streaming 2,000."""
    code = (
        "import resource, sys\n"
        "from data.ingest.synthetic import generate\n"
        "for _ in generate(int(sys.argv[1])):\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )

    runs = {
        n: subprocess.Popen([sys.executable, "-c", code, str(n)], cwd=ROOT, text=True, stdout=subprocess.PIPE)
        for n in (200_000, 2_000)
    }
    peak_kib = {n: int(run.communicate(timeout=120)[0]) for n, run in runs.items()}
    assert all(run.returncode == 0 for run in runs.values())
    assert peak_kib[200_000] - peak_kib[2_000] < 50 * 1024


def test_importing_the_generator_builds_no_tables():
    """The CLI imports the package on every start: its tables are built on first use only."""
    code = (
        "import sys\n"
        "import data.ingest.synthetic\n"
        "print(sorted(f'{name}.{attr}' for name, module in list(sys.modules.items())\n"
        "             if name.startswith('data.ingest.synthetic')\n"
        "             for attr, value in vars(module).items()\n"
        "             if hasattr(value, 'cache_info') and value.cache_info().currsize))\n"
    )
    built = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, text=True, check=True, capture_output=True, timeout=60
    ).stdout.strip()
    assert built == "[]"
