"""Models side by side (data.compare, GET /api/v1/compare): the fields and whether they differ,
how each pair is related over the lineage family of tests/fixtures/family.json (and over real
Hub models), the CSV through the test client and through a real `catalog serve`."""

from __future__ import annotations

import csv
import gzip
import io
import urllib.request
from urllib.error import HTTPError

import pytest
from sqlalchemy import event

from data.compare import MAX_MODELS, compare, parse_ids
from data.db import Database
from data.ingest.pipeline import ingest
from data.query import QueryError
from tests.family import family_records
from tests.served import catalog_database, serve

API = "/api/v1/compare"
# A Llama-licensed base with a card and files, and a derivative that relicenses it as MIT; and a
# second child of the family's base missing from the catalog (gone/deleted-model).
EXTRA = [
    {
        "id": "meta/llama-tiny",
        "modelId": "meta/llama-tiny",
        "downloads": 5000,
        "likes": 50,
        "tags": ["transformers", "text-generation", "license:llama3", "dataset:meta/pile"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-03-01T10:00:00.000Z",
        "lastModified": "2024-03-02T10:00:00.000Z",
        "siblings": [{"rfilename": "model.safetensors", "size": 1_000_000}, {"rfilename": "README.md", "size": 240}],
        "cardData": {"license": "llama3", "language": ["en"], "model-index": [{"name": "llama-tiny", "results": []}]},
        "card": "# Llama tiny\n\nA small model for tests.",
    },
    {
        "id": "fan/llama-tiny-ft",
        "modelId": "fan/llama-tiny-ft",
        "downloads": 10,
        "likes": 1,
        "tags": ["transformers", "text-generation", "license:mit", "base_model:finetune:meta/llama-tiny"],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-04-01T10:00:00.000Z",
        "lastModified": "2024-04-01T10:00:00.000Z",
    },
    {
        "id": "orphan/sibling-of-deleted",
        "modelId": "orphan/sibling-of-deleted",
        "tags": ["base_model:finetune:GONE/deleted-model"],
        "createdAt": "2025-01-02T10:00:00.000Z",
    },
]


@pytest.fixture
def catalog(db) -> Database:
    ingest(db, family_records() + EXTRA)
    return db


def compared(db: Database, *repo_ids: str):
    with db.session(read_only=True) as session:
        return compare(session, list(repo_ids))


def path_of(steps) -> list[tuple[str, str | None, bool | None]]:
    return [(step.id, step.relation_type, step.declared) for step in steps]


def row(found, field: str):
    (match,) = [r for r in found.rows if r.field == field]
    return match


# --- the URL grammar -------------------------------------------------------------------------


def test_ids_are_a_comma_list_of_two_to_six_distinct_ids():
    assert parse_ids("acme/base-7b, lab/base-7b-chat") == ["acme/base-7b", "lab/base-7b-chat"]
    assert parse_ids(["a/b,A/B", "c/d", ""]) == ["a/b", "c/d"]  # repeated too; each once whatever its case
    for wrong in ("a/b", "a/b,A/B", ",,", ",".join(f"a/m{n}" for n in range(MAX_MODELS + 1))):
        with pytest.raises(QueryError) as refused:
            parse_ids(wrong)
        assert refused.value.parameter == "ids" and "2 to 6" in refused.value.reason
    with pytest.raises(QueryError):
        parse_ids("a/b,c\x00d")


# --- relations ---------------------------------------------------------------------------------


def test_two_branches_meet_at_their_nearest_common_ancestor(catalog):
    found = compared(catalog, "quant/base-7b-chat-GGUF", "tuner/base-7b-lora-r16")
    (relation,) = found.relations
    assert (relation.kind, relation.ancestor, relation.common_ancestors) == ("common_ancestor", "acme/base-7b", 1)
    assert path_of(relation.path_to_a) == [
        ("acme/base-7b", None, None),
        ("lab/base-7b-chat", "finetune", True),
        ("quant/base-7b-chat-GGUF", "quantized", False),  # an untyped tag: inferred
    ]
    assert path_of(relation.path_to_b) == [("acme/base-7b", None, None), ("tuner/base-7b-lora-r16", "adapter", True)]
    assert relation.summary == (
        "both descend from acme/base-7b: acme/base-7b → finetune → lab/base-7b-chat → quantized (inferred) → "
        "quant/base-7b-chat-GGUF; acme/base-7b → adapter → tuner/base-7b-lora-r16"
    )
    # The graph: both models, the ancestors on the paths, their edges.
    assert {(n.id, n.compared) for n in found.nodes} == {
        ("quant/base-7b-chat-GGUF", True),
        ("tuner/base-7b-lora-r16", True),
        ("acme/base-7b", False),
        ("lab/base-7b-chat", False),
    }
    assert {(e.source, e.target, e.relation_type) for e in found.edges} == {
        ("acme/base-7b", "lab/base-7b-chat", "finetune"),
        ("lab/base-7b-chat", "quant/base-7b-chat-GGUF", "quantized"),
        ("acme/base-7b", "tuner/base-7b-lora-r16", "adapter"),
    }


def test_the_nearest_of_several_common_ancestors_is_chosen(catalog):
    (relation,) = compared(catalog, "quant/base-7b-chat-GGUF", "merger/chat-merge-7b").relations
    assert relation.kind == "common_ancestor"
    assert relation.ancestor == "lab/base-7b-chat" and relation.nearest_common_ancestors == ["lab/base-7b-chat"]
    assert relation.common_ancestors == 2  # lab/base-7b-chat and acme/base-7b
    assert path_of(relation.path_to_b) == [("lab/base-7b-chat", None, None), ("merger/chat-merge-7b", "merge", False)]


def test_a_descendant_and_its_ancestor_named_in_any_case(catalog):
    found = compared(catalog, "MERGER/Chat-Merge-7B", "acme/BASE-7b")
    assert found.ids == ["merger/chat-merge-7b", "acme/base-7b"] and found.missing == []
    (relation,) = found.relations
    assert (relation.kind, relation.ancestor) == ("ancestor", "acme/base-7b")
    assert path_of(relation.path_to_a) == [
        ("acme/base-7b", None, None),
        ("lab/base-7b-chat", "finetune", True),  # two paths of two generations: the declared edge first
        ("merger/chat-merge-7b", "merge", False),
    ]
    assert path_of(relation.path_to_b) == [("acme/base-7b", None, None)]
    assert relation.summary.startswith("merger/chat-merge-7b descends from acme/base-7b: ")


def test_a_cycle_and_a_base_missing_from_the_catalog(catalog):
    (cycle,) = compared(catalog, "odd/cycle-a", "odd/cycle-b").relations
    assert (cycle.kind, cycle.ancestor) == ("ancestor", "odd/cycle-b")
    assert path_of(cycle.path_to_a) == [("odd/cycle-b", None, None), ("odd/cycle-a", "finetune", True)]

    found = compared(catalog, "orphan/child-of-deleted", "orphan/sibling-of-deleted")
    (siblings,) = found.relations
    assert (siblings.kind, siblings.ancestor) == ("common_ancestor", "gone/deleted-model")
    assert path_of(siblings.path_to_b) == [
        ("gone/deleted-model", None, None),
        ("orphan/sibling-of-deleted", "finetune", True),
    ]
    assert [(n.id, n.in_catalog) for n in found.nodes if not n.compared] == [("gone/deleted-model", False)]


def test_unrelated_and_unknown_models(catalog):
    found = compared(catalog, "acme/base-7b", "nobody/nothing", "orphan/child-of-deleted", "Nobody/else")
    assert found.ids == ["acme/base-7b", "orphan/child-of-deleted"]
    assert found.missing == ["nobody/nothing", "Nobody/else"]
    (relation,) = found.relations
    assert (relation.kind, relation.ancestor, relation.path_to_a) == ("unrelated", None, [])
    assert found.edges == []


# --- fields --------------------------------------------------------------------------------------


def test_each_row_says_whether_the_models_differ(catalog):
    found = compared(catalog, "fan/llama-tiny-ft", "meta/llama-tiny")
    values = {r.field: (r.values, r.differs) for r in found.rows}
    assert values["pipeline_tag"] == (["text-generation", "text-generation"], False)
    assert values["library_name"] == (["transformers", "transformers"], False)
    assert values["license"] == (["mit", "llama3"], True)
    assert values["licence_warnings"] == (
        [["llama-relicensed-open: meta/llama-tiny (llama3), 1 generation up"], []],
        True,
    )
    assert values["downloads"] == ([10, 5000], True)
    assert values["file_count"] == ([0, 2], True)
    assert values["total_file_size"] == ([None, 1_000_240], True)
    assert values["datasets"] == ([[], ["meta/pile"]], True)
    assert values["card_parts"] == ([[], ["README", "licence", "languages", "evaluation results"]], True)
    assert values["card_completeness"] == ([0, 4], True)
    assert values["card_readme_chars"] == ([None, len("# Llama tiny\n\nA small model for tests.")], True)
    assert values["quant"] == ([None, None], False)
    assert [m.created_at.date().isoformat() for m in found.models if m.created_at] == ["2024-04-01", "2024-03-01"]


def test_the_statements_are_as_many_for_six_models_as_for_two(catalog, db):
    def statements(*repo_ids: str) -> int:
        counted = []
        with db.session(read_only=True) as session:
            connection = session.connection()
            listener = lambda *args: counted.append(1)  # noqa: E731
            event.listen(connection, "before_cursor_execute", listener)
            try:
                compare(session, list(repo_ids))
            finally:
                event.remove(connection, "before_cursor_execute", listener)
        return len(counted)

    two = statements("acme/base-7b", "lab/base-7b-chat")
    six = statements(
        "acme/base-7b",
        "lab/base-7b-chat",
        "quant/base-7b-chat-GGUF",
        "merger/chat-merge-7b",
        "fan/llama-tiny-ft",
        "odd/cycle-a",
    )
    assert 7 <= two == six <= 8  # the fields' five, the ancestors, their edges (and a transaction's own)


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(catalog, settings):
    from app.factory import create_app

    return create_app(settings, catalog).test_client()


def test_the_api_answers_rows_and_relations(api):
    answer = api.get(f"{API}?ids=quant/base-7b-chat-GGUF,TUNER/base-7b-lora-r16")
    assert answer.status_code == 200
    data = answer.json["data"]
    assert data["ids"] == ["quant/base-7b-chat-GGUF", "tuner/base-7b-lora-r16"]
    assert answer.json["meta"]["page"] == "/compare?ids=quant/base-7b-chat-GGUF,tuner/base-7b-lora-r16"
    libraries = [r for r in data["rows"] if r["field"] == "library_name"]
    assert libraries == [{"field": "library_name", "label": "Library", "values": ["gguf", "peft"], "differs": True}]
    (relation,) = data["relations"]
    assert relation["ancestor"] == "acme/base-7b"
    assert [step["relation_type"] for step in relation["path_to_a"]] == [None, "finetune", "quantized"]
    assert data["models"][0]["created_at"] == "2024-06-01T10:00:00+00:00"
    (quality,) = [r for r in data["rows"] if r["field"] == "quality"]
    scores = [api.get(f"/api/v1/models/{repo_id}").json["data"]["quality"] for repo_id in data["ids"]]
    assert quality["values"] == scores and all(isinstance(score, int) for score in scores)


SEVEN = ",".join(f"a/m{n}" for n in range(7))


@pytest.mark.parametrize("ids", ["acme/base-7b", "", SEVEN, "acme/base-7b,ACME/base-7b"])
def test_a_wrong_count_of_ids_is_a_400_naming_the_parameter(api, ids):
    answer = api.get(f"{API}?ids={ids}")
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "INVALID_PARAMETER"
    assert answer.json["error"]["details"]["parameter"] == "ids"


def test_unknown_ids_are_a_404_naming_them(api):
    answer = api.get(f"{API}?ids=acme/base-7b,nobody/nothing,nobody/else")
    assert answer.status_code == 404
    error = answer.json["error"]
    assert error["code"] == "MODEL_NOT_FOUND" and error["details"] == {"ids": ["nobody/nothing", "nobody/else"]}
    assert error["message"] == "No models nobody/nothing, nobody/else in the catalog."
    assert api.get(f"{API}").json["error"]["details"]["parameter"] == "ids"  # required
    assert api.get(f"{API}?ids=a/b,c/d&format=xml").status_code == 400


EXPECTED_CSV = [
    ["field", "differs", "fan/llama-tiny-ft", "meta/llama-tiny"],
    ["pipeline_tag", "False", "text-generation", "text-generation"],
    ["library_name", "False", "transformers", "transformers"],
    ["license", "True", "mit", "llama3"],
    ["licence_warnings", "True", "llama-relicensed-open: meta/llama-tiny (llama3), 1 generation up", ""],
    ["downloads", "True", "10", "5000"],
    ["likes", "True", "1", "50"],
    ["created_at", "True", "2024-04-01T10:00:00+00:00", "2024-03-01T10:00:00+00:00"],
    ["last_modified", "True", "2024-04-01T10:00:00+00:00", "2024-03-02T10:00:00+00:00"],
    ["file_count", "True", "0", "2"],
    ["total_file_size", "True", "", "1000240"],
]


def read_csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode())))


def test_the_csv_has_a_row_per_field_and_a_column_per_model(api):
    answer = api.get(f"{API}?ids=fan/llama-tiny-ft,meta/llama-tiny&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = read_csv(answer.data)
    assert rows[: len(EXPECTED_CSV)] == EXPECTED_CSV
    assert ["datasets", "True", "", "meta/pile"] in rows
    assert ["card_parts", "True", "", "README; licence; languages; evaluation results"] in rows


def test_the_csv_through_catalog_serve(server_url, template_url):
    with catalog_database(server_url) as database_url, serve(database_url) as app:
        db = Database.from_urls(database_url)
        try:
            ingest(db, family_records() + EXTRA)
        finally:
            db.dispose()
        url = f"{app.url}{API}?ids=fan/llama-tiny-ft,meta/llama-tiny&format=csv"
        for coding in ("identity", "gzip"):
            request = urllib.request.Request(url, headers={"Accept-Encoding": coding})
            with urllib.request.urlopen(request, timeout=10) as answer:
                body = answer.read()
                assert answer.headers["Content-Type"].startswith("text/csv")
                assert int(answer.headers["Content-Length"]) == len(body)
                assert answer.headers.get("Content-Encoding", "identity") == coding
                if coding == "gzip":
                    body = gzip.decompress(body)
            assert read_csv(body)[: len(EXPECTED_CSV)] == EXPECTED_CSV
        with pytest.raises(HTTPError) as missing:
            urllib.request.urlopen(f"{app.url}{API}?ids=fan/llama-tiny-ft,nobody/nothing", timeout=10)
        assert missing.value.code == 404
