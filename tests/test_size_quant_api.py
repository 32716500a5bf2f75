"""min_params/max_params, sort=params, quant, their facets and group=variants through the API,
over the first 50,000 real Hub models (tests/real_catalog.py), held against the raw JSON."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from data.vocabulary import PARAMS_BUCKETS
from tests.real_catalog import PAGES
from tests.test_ingest_shared import pages

B = 10**9


@pytest.fixture(scope="module")
def raw_records() -> dict[str, dict]:
    """The same records as the catalog was filled from, read straight from the pages, by id."""
    return {r["id"]: r for path in pages(PAGES) for r in json.loads(gzip.decompress(path.read_bytes()))}


def get(client, query: str) -> dict:
    response = client.get(f"/api/v1/models?{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def walk(client, query: str) -> list[dict]:
    """Every model of a search, page after page by cursor."""
    found, cursor = [], ""
    while True:
        body = get(client, f"{query}&per_page=100{cursor}")
        found += body["data"]
        if not body["meta"]["next_cursor"]:
            return found
        cursor = f"&cursor={body['meta']['next_cursor']}"


def shows_gguf(raw: dict) -> bool:
    """A plain reading of "is GGUF": a gguf tag, the library, or gguf in the id."""
    return (
        "gguf" in {t.lower() for t in raw["tags"]} or raw.get("library_name") == "gguf" or "gguf" in raw["id"].lower()
    )


def test_quant_gguf_is_every_model_tagged_gguf_and_only_models_showing_it(real_client, raw_records):
    found = walk(real_client, "quant=gguf&sort=downloads")
    ids = {model["id"] for model in found}
    tagged = {repo_id for repo_id, raw in raw_records.items() if "gguf" in raw["tags"]}
    assert tagged and tagged <= ids
    assert all(shows_gguf(raw_records[repo_id]) for repo_id in ids)
    assert all(model["quant"] == "gguf" for model in found)


def test_size_bounds_and_sort_by_params_both_ways(real_client):
    down = get(real_client, "min_params=7B&max_params=8B&sort=params&per_page=100")["data"]
    sizes = [model["params"] for model in down]
    assert down and all(7 * B <= size <= 8 * B for size in sizes) and sizes == sorted(sizes, reverse=True)
    up = get(real_client, "min_params=1B&sort=params&order=asc&per_page=100")["data"]
    assert [m["params"] for m in up] == sorted(m["params"] for m in up) and up[0]["params"] >= B
    assert all(m["params_source"] in ("declared", "inferred") for m in down + up)


def test_models_of_unknown_size_come_last_either_way(real_client):
    query = "q=zephyr"  # a few hundred, some with no size in the id
    for order in ("desc", "asc"):
        sizes = [m["params"] for m in walk(real_client, f"{query}&sort=params&order={order}")]
        known = [size for size in sizes if size is not None]
        assert None in sizes and sizes == known + [None] * (len(sizes) - len(known))
        assert known == sorted(known, reverse=order == "desc")


def test_a_size_filter_finds_the_models_whose_ids_state_that_size(real_client, raw_records):
    """An id whose only billions are `70b` (between separators) is 70B: each such model is found."""
    found = {m["id"] for m in walk(real_client, "min_params=70B&max_params=70B")}
    billions = re.compile(r"(?<![a-z0-9.])\d+(?:\.\d+)?b(?![a-z0-9])")
    stated = {i for i in raw_records if billions.findall(i.split("/")[1].lower()) == ["70b"]}
    assert len(stated) > 50 and stated <= found


def test_quant_facet_counts_are_the_totals_of_the_filtered_searches(real_client):
    body = get(real_client, "q=mistral-7b-instruct&facets=quant,params")
    assert body["meta"]["facets_exact"]
    counts = {row["value"]: row["count"] for row in body["meta"]["facets"]["quant"]}
    assert counts["gguf"] > 0 and counts["gptq"] > 0
    for quant, count in counts.items():
        assert len(walk(real_client, f"q=mistral-7b-instruct&quant={quant}")) == count
    buckets = [row["value"] for row in body["meta"]["facets"]["params"]]
    assert "3B-10B" in buckets and buckets == sorted(buckets, key=list(dict(PARAMS_BUCKETS)).index)


def test_bad_sizes_are_refused_naming_the_parameter(real_client):
    response = real_client.get("/api/v1/models?min_params=seven")
    assert response.status_code == 400
    assert response.get_json()["error"]["details"]["parameter"] == "min_params"
    assert get(real_client, "min_params=1.5b")["meta"]["query"] == "min_params=1.5B"


def test_group_variants_pages_walk_every_group_once(real_client, raw_records):
    """Folded pages hold each model once, as a row or as a row's variant; the rows plus their
    variants are the unfolded result; the total counts the groups."""
    query = "q=llama-2-7b&sort=downloads"
    plain = {m["id"] for m in walk(real_client, query)}
    groups = walk(real_client, f"{query}&group=variants")
    rows = [m["id"] for m in groups]
    meta = get(real_client, f"{query}&group=variants")["meta"]
    assert len(rows) == len(set(rows))
    # the total counts groups: exactly, or an estimate marked so
    assert meta["total"] == len(rows) if meta["total_exact"] else len(rows) / 2 < meta["total"] < len(rows) * 2
    folded = sum(m["variants"]["count"] for m in groups)
    assert folded > 0 and len(rows) + folded == len(plain)
    assert set(rows) <= plain
    for head in (m for m in groups if m["variants"]["count"]):
        for variant in head["variants"]["ids"]:
            raw = raw_records[variant]
            parents = {t.split(":")[-1].lower() for t in raw["tags"] if t.startswith("base_model:")}
            # its base by lineage, or the same author's same name before a format suffix
            assert head["id"].lower() in parents or variant.lower().startswith(head["id"].lower()), variant
