"""data/stats.py: the catalog's totals, and counts by dimension over what a search selects."""

from __future__ import annotations

from data import stats
from data.ingest.pipeline import ingest
from data.query import SearchQuery
from tests.test_counting import RECORDS, record


def test_the_totals_of_the_catalog(db):
    ingest(db, RECORDS)  # 5 models by 3 authors; 3 of them derived: by finetune, quantized, adapter
    with db.session(read_only=True) as session:
        totals = stats.totals(session)
    assert totals == {
        "models": 5,
        "authors": 3,
        "lineage_edges": 3,
        "lineage_edges_by_type": {"finetune": 1, "quantized": 1, "adapter": 1},
        "lineage_edges_by_lineage": {"declared": {"finetune": 1, "quantized": 1, "adapter": 1}, "inferred": {}},
        "share_with_base_model": 0.6,
    }


def test_the_share_with_a_base_model_is_rounded_to_four_places(db):
    ingest(db, [record("x/base"), record("x/child", parent="x/base"), record("y/other")])
    with db.session(read_only=True) as session:
        assert stats.totals(session)["share_with_base_model"] == 0.3333


def test_an_empty_catalog_has_zero_totals(db):
    with db.session(read_only=True) as session:
        assert stats.totals(session) == {
            "models": 0,
            "authors": 0,
            "lineage_edges": 0,
            "lineage_edges_by_type": {},
            "lineage_edges_by_lineage": {"declared": {}, "inferred": {}},
            "share_with_base_model": 0.0,
        }


def test_declared_and_inferred_edges_are_counted_apart_by_relation(db):
    records = [
        record("x/base"),
        record("x/base-2"),
        record("x/tuned", parent="x/base"),  # typed tags: declared
        record("x/gguf", parent="x/base", relation="quantized"),
        record("y/guessed", tags=["base_model:x/base"]),  # untyped: inferred (a finetune, by default)
        record("y/guessed-gguf", library="gguf", tags=["base_model:x/base"]),  # inferred quantized
        record("y/merged", tags=["base_model:x/base", "base_model:x/base-2"]),  # two inferred merges
        {"id": "z/carded", "tags": [], "cardData": {"base_model": "x/base", "base_model_relation": "adapter"}},
    ]
    ingest(db, records)
    with db.session(read_only=True) as session:
        totals = stats.totals(session)
    assert totals["lineage_edges_by_lineage"] == {
        "declared": {"finetune": 1, "quantized": 1, "adapter": 1},
        "inferred": {"finetune": 1, "quantized": 1, "merge": 2},
    }
    by_lineage = totals["lineage_edges_by_lineage"]
    assert sum(n for counts in by_lineage.values() for n in counts.values()) == totals["lineage_edges"] == 7


def test_the_stats_route_answers_declared_and_inferred(client, db):
    ingest(db, [record("x/base"), record("x/tuned", parent="x/base"), record("y/guess", tags=["base_model:x/base"])])
    body = client.get("/api/v1/stats").json
    assert body["data"]["lineage_edges_by_lineage"] == {"declared": {"finetune": 1}, "inferred": {"finetune": 1}}


def test_a_dimension_over_the_whole_catalog_or_a_search(db):
    ingest(db, RECORDS)
    with db.session(read_only=True) as session:
        everything = stats.dimension(session, "library", SearchQuery())
        searched = stats.dimension(session, "library", SearchQuery(pipeline_tag=["text-generation"]))
        by_author = stats.dimension(session, "pipeline_tag", SearchQuery(author=["b"]), limit=1)
    assert everything.exact and everything.values == [
        {"value": "transformers", "count": 2},
        {"value": "gguf", "count": 1},
        {"value": "timm", "count": 1},
    ]
    assert searched.exact and searched.values == [{"value": "transformers", "count": 2}, {"value": "gguf", "count": 1}]
    assert by_author.values == [{"value": "image-classification", "count": 1}]  # ties: by value, then the limit


def test_the_default_limit_is_fifty_values(db):
    ingest(db, [record(f"author{number:02}/model") for number in range(60)])
    with db.session(read_only=True) as session:
        authors = stats.dimension(session, "author", SearchQuery())
        searched = stats.dimension(session, "author", SearchQuery(q="model"))
    assert len(authors.values) == len(searched.values) == 50
    assert authors.values[0] == {"value": "author00", "count": 1} and authors.values[-1]["value"] == "author49"
    assert searched.values == authors.values
