"""GET /api/v1/models and its grammar, through the Flask test client on a real PostgreSQL."""

import json
from pathlib import Path

import pytest

from data import catalog
from data.ingest.pipeline import ingest
from data.query import parse_query, query_string
from tests.family import family_records

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def family(db):
    ingest(db, family_records())


@pytest.fixture(params=["walk", "gather"])
def plan(request, monkeypatch):
    """Both query plans of data.search: walk the sort index (many matches) or gather and sort."""
    monkeypatch.setattr("data.search.plan.WALK_TO_GATHER_COST", 0 if request.param == "walk" else 10**9)
    return request.param


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [model["id"] for model in response.json["data"]]


def test_default_is_everything_by_downloads(client, family):
    response = client.get("/api/v1/models")
    assert ids(response)[:3] == ["acme/base-7b", "lab/base-7b-chat", "quant/base-7b-chat-GGUF"]
    meta = response.json["meta"]
    assert (meta["total"], meta["total_exact"], meta["page"], meta["per_page"]) == (9, True, 1, 20)
    assert meta["query"] == ""


@pytest.mark.parametrize(
    "q, expected",
    [
        ("base-7b-chat", ["lab/base-7b-chat", "quant/base-7b-chat-GGUF"]),
        ("BASE_7B.chat", ["lab/base-7b-chat", "quant/base-7b-chat-GGUF"]),
        ("GGUF", ["quant/base-7b-chat-GGUF"]),
        ("acme", ["acme/base-7b"]),
        ("acme/base", ["acme/base-7b"]),
        ("lora r16", ["tuner/base-7b-lora-r16"]),
        ("r16 lora", ["tuner/base-7b-lora-r16"]),
        ("cycle", ["odd/cycle-a", "odd/cycle-b"]),
        ("odd cycle", ["odd/cycle-a", "odd/cycle-b"]),
        ("chat 7b", ["lab/base-7b-chat", "merger/chat-merge-7b", "quant/base-7b-chat-GGUF"]),
        (
            "7b",
            [
                "acme/base-7b",
                "lab/base-7b-chat",
                "merger/chat-merge-7b",
                "quant/base-7b-chat-GGUF",
                "tuner/base-7b-lora-r16",
            ],
        ),
        # tags, task and library never match q (issue #10): only ids
        ("llama", []),
        ("text-generation", []),
        ("transformers", []),
        ("mergekit", []),
        ("conversational", []),
        ("lora mit", []),
        ("7b-lora-chat", []),
        # a word typed twice is still just that word: every id containing it
        ("gguf GGUF", ["quant/base-7b-chat-GGUF"]),
        (
            "7b 7b",
            [
                "acme/base-7b",
                "lab/base-7b-chat",
                "merger/chat-merge-7b",
                "quant/base-7b-chat-GGUF",
                "tuner/base-7b-lora-r16",
            ],
        ),
    ],
)
def test_text_finds_ids_the_way_people_type_them(client, family, q, expected, plan):
    assert sorted(ids(client.get("/api/v1/models", query_string={"q": q}))) == expected


def test_relevance_puts_ids_containing_the_text_first(client, family):
    found = ids(client.get("/api/v1/models", query_string={"q": "chat-merge"}))
    assert found[0] == "merger/chat-merge-7b"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"author": ["odd", "orphan"]}, {"odd/self-made", "odd/cycle-a", "odd/cycle-b", "orphan/child-of-deleted"}),
        ({"library": "peft"}, {"tuner/base-7b-lora-r16"}),
        ({"license": "mit"}, {"tuner/base-7b-lora-r16"}),
        ({"language": "fr"}, {"acme/base-7b"}),
        ({"dataset": "tuner/instructions"}, {"tuner/base-7b-lora-r16"}),
        ({"tag": ["gguf", "text-generation"]}, {"quant/base-7b-chat-GGUF"}),
        ({"base_model": "ACME/base-7b"}, {"lab/base-7b-chat", "tuner/base-7b-lora-r16"}),
        ({"base_model": "acme/base-7b", "relation": "adapter"}, {"tuner/base-7b-lora-r16"}),
        ({"gated": "true"}, {"acme/base-7b"}),
        ({"has_base_model": "false", "min_downloads": "100"}, {"acme/base-7b"}),
        (
            {"created_from": "2024-11-01", "created_to": "2024-12-01"},
            {"lab/base-7b-chat", "odd/cycle-a", "odd/cycle-b"},
        ),
        ({"min_likes": "300", "pipeline_tag": "text-generation"}, {"acme/base-7b", "lab/base-7b-chat"}),
    ],
)
def test_filters(client, family, params, expected):
    assert set(ids(client.get("/api/v1/models", query_string=params))) == expected


@pytest.mark.parametrize("sort", ["downloads", "likes", "trending", "created", "updated", "relevance"])
@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_walking_all_pages_yields_each_model_once(client, family, sort, order, mode, plan):
    params = {"sort": sort, "order": order, "per_page": 2, "q": "7b" if sort == "relevance" else ""}
    seen, page, cursor = [], 1, None
    for _ in range(20):
        query = params | ({"cursor": cursor} if cursor else {"page": page} if mode == "page" else {})
        response = client.get("/api/v1/models", query_string=query)
        seen += ids(response)
        cursor, page = response.json["meta"]["next_cursor"], page + 1
        if not cursor:
            break
    expected = 5 if sort == "relevance" else 9
    assert len(seen) == expected and len(set(seen)) == expected


def test_facets_count_within_the_result(client, family):
    meta = client.get("/api/v1/models", query_string={"q": "7b", "facets": "library,language"}).json["meta"]
    assert meta["facets"]["library"][0] == {"value": "transformers", "count": 3}
    assert {"value": "en", "count": 2} in meta["facets"]["language"]


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"sort": "bogus"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "101"}, "per_page"),
        ({"page": "-1"}, "page"),
        ({"created_from": "2024-13-45"}, "created_from"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJrIjpbMV19"}, "cursor"),
        ({"min_downloads": "lots"}, "min_downloads"),
        ({"gated": "maybe"}, "gated"),
        ({"min_likes": "2147483648"}, "min_likes"),  # past the likes column's 32 bits (was a 500)
        ({"relation": "cousin"}, "relation"),
        ({"facets": "colour"}, "facets"),
        ({"q": "x" * 10_000}, "q"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, params, parameter):
    response = client.get("/api/v1/models", query_string=params)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "INVALID_PARAMETER"
    assert response.json["error"]["details"]["parameter"] == parameter


@pytest.mark.parametrize(
    "q",
    ["' OR 1=1 --", "%", "_", "\\", "a & b | !c <-> d:*", '"quoted"', "日本語", "(((", "x" * 200],
)
def test_hostile_text_never_fails(client, family, q):
    assert client.get("/api/v1/models", query_string={"q": q}).status_code == 200


def test_nul_bytes_and_invalid_utf8_are_400_not_500(client):
    assert client.get("/api/v1/models?q=a%00b").status_code == 400
    invalid_utf8 = client.get("/api/v1/models?q=%ff%fe")  # Werkzeug keeps the bytes as their escapes
    assert invalid_utf8.status_code == 200 and invalid_utf8.json["meta"]["query"] == "q=%25FF%25FE"


def test_the_canonical_query_drops_defaults_and_sorts(client, family):
    meta = client.get("/api/v1/models?sort=downloads&q=7b&author=lab&author=acme&per_page=20").json["meta"]
    assert meta["query"] == "author=acme&author=lab&q=7b&sort=downloads"
    assert (
        query_string(parse_query([("q", "7b"), ("sort", "downloads"), ("author", "lab"), ("author", "acme")]))
        == meta["query"]
    )


def test_tolerant_parsing_for_urls_keeps_what_is_valid():
    query = parse_query([("q", "llama"), ("sort", "bogus"), ("per_page", "500"), ("junk", "x")], strict=False)
    assert (query.q, query.sort, query.per_page) == ("llama", None, 20)


def test_model_detail(client, family):
    response = client.get("/api/v1/models/Tuner/BASE-7B-lora-r16")
    assert response.status_code == 200
    data = response.json["data"]
    assert data["id"] == "tuner/base-7b-lora-r16" and data["license"] == "mit"
    assert data["base_models"] == [
        {"id": "acme/base-7b", "relation_type": "adapter", "declared": True, "source": "card_data", "in_catalog": True}
    ]
    assert data["datasets"] == ["tuner/instructions"]
    assert data["tags"] == {"library": ["peft", "safetensors"], "other": ["lora"]}
    base = client.get("/api/v1/models/acme/base-7b").json["data"]
    assert base["derivatives_by_relation"] == {"adapter": 1, "finetune": 1}
    assert base["created_at"] == "2024-01-10T10:00:00+00:00"


def test_without_scores_trending_is_labelled_likes_per_day(client, db):
    ingest(
        db,
        [
            {"id": "a/new", "likes": 20, "downloads": 1, "createdAt": "2024-07-01T00:00:00Z"},
            {"id": "b/newer", "likes": 5, "downloads": 1, "createdAt": "2024-07-11T00:00:00Z"},
        ],
    )
    answer = client.get("/api/v1/trending").json
    assert [(m["id"], m["trend"]) for m in answer["data"]] == [
        ("b/newer", {"score": 5.0, "basis": "likes_per_day"}),  # 5 likes in its first day
        ("a/new", {"score": 2.0, "basis": "likes_per_day"}),  # 20 likes in 10 days
    ]
    assert answer["meta"]["bases"] == {"likes_per_day": catalog.TREND_BASES["likes_per_day"]}


def test_unknown_model_is_404(client, family):
    response = client.get("/api/v1/models/nobody/nothing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "MODEL_NOT_FOUND"


def test_trending_stats_and_authors(client, family):
    trending = client.get("/api/v1/trending").json
    assert [m["id"] for m in trending["data"]] == ["acme/base-7b", "lab/base-7b-chat"]
    assert {m["trend"]["basis"] for m in trending["data"]} == {"hub"}
    assert trending["meta"]["bases"] == {"hub": catalog.TREND_BASES["hub"]}
    totals = client.get("/api/v1/stats").json["data"]
    assert totals["models"] == 9 and totals["lineage_edges"] == 8
    assert totals["lineage_edges_by_type"] == {"finetune": 3, "adapter": 1, "quantized": 2, "merge": 2}
    months = client.get("/api/v1/stats/created_month", query_string={"author": "odd"}).json["data"]
    assert months == [{"value": "2024-03", "count": 1}, {"value": "2024-12", "count": 2}]
    assert client.get("/api/v1/stats/colour").json["error"]["details"]["parameter"] == "dimension"
    author = client.get("/api/v1/authors/acme").json["data"]
    assert author["model_count"] == 1 and author["top_models"][0]["id"] == "acme/base-7b"
    assert client.get("/api/v1/authors/nobody").status_code == 404


# Relevance for q (issue #10): 3 = the id is the text, 2 = the name starts with it, 1 = the id
# contains it as typed, 0 = the id has all its words; each tier by downloads. Separators and
# case do not matter; tags never match. Downloads are distinct, so each order is fully determined.
TIERED = [
    ("llama/3", 1, []),
    ("a/llama-3-8b", 50, []),
    ("i/Llama_3.1-instruct", 30, []),
    ("c/Llama-3", 10, []),
    ("b/my-llama-3", 900, []),
    ("llama/3-models", 400, []),
    ("d/llama-2-3b", 800, []),
    ("e/llama3-mini", 5, []),
    ("f/tiny-model", 1000, ["llama", "3-bit"]),
    ("g/other", 20, ["llama", "3d"]),
    ("h/unrelated", 5000, ["mistral"]),
]
LLAMA_3 = ["llama/3", "a/llama-3-8b", "i/Llama_3.1-instruct", "c/Llama-3", "b/my-llama-3", "llama/3-models"]
RANKED = {
    "llama-3": LLAMA_3,
    "LLAMA_3": LLAMA_3,
    "llama/3": LLAMA_3,
    "llama 3": LLAMA_3 + ["d/llama-2-3b", "e/llama3-mini"],
    "c llama 3": ["c/Llama-3", "i/Llama_3.1-instruct"],
    "c/llama.3": ["c/Llama-3"],
}


@pytest.fixture
def tiered(db):
    ingest(
        db,
        [
            {"id": repo_id, "downloads": downloads, "likes": 0, "tags": tags, "createdAt": "2024-01-01T00:00:00.000Z"}
            for repo_id, downloads, tags in TIERED
        ],
    )


@pytest.mark.parametrize("q", list(RANKED))
@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_relevance_pages_walk_the_tiers_in_order(client, tiered, q, order, mode, plan):
    seen, page, cursor = [], 1, None
    for _ in range(10):
        params = {"q": q, "order": order, "per_page": 2}
        params |= {"cursor": cursor} if cursor else {"page": page} if mode == "page" else {}
        response = client.get("/api/v1/models", query_string=params)
        seen += ids(response)
        cursor, page = response.json["meta"]["next_cursor"], page + 1
        if not cursor:
            break
    assert seen == (RANKED[q] if order == "desc" else RANKED[q][::-1])


def test_meta_says_how_the_text_was_matched(client, tiered):
    meta = client.get("/api/v1/models", query_string={"q": "llama-3"}).json["meta"]
    assert isinstance(meta.get("match"), str) and "id" in meta["match"].lower(), meta


def csv_rows(response) -> list[dict]:
    import csv
    import io

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_csv_is_the_whole_result_in_the_search_order(client, family, plan):
    params = {"q": "7b", "sort": "downloads", "order": "asc"}
    rows = csv_rows(client.get("/api/v1/models", query_string=params | {"format": "csv"}))
    assert [row["id"] for row in rows] == ids(client.get("/api/v1/models", query_string=params))
    first = client.get("/api/v1/models/" + rows[0]["id"]).json["data"]
    assert (int(rows[0]["downloads"]), rows[0]["created_at"]) == (first["downloads"], first["created_at"])


def test_csv_is_capped(client, family, monkeypatch):
    monkeypatch.setattr("app.api.catalog.CSV_CAP", 3)
    monkeypatch.setattr("data.search.EXPORT_PAGE", 2)  # the cap falls inside the second page
    rows = csv_rows(client.get("/api/v1/models", query_string={"format": "csv"}))
    assert [row["id"] for row in rows] == ids(client.get("/api/v1/models", query_string={"per_page": 3}))


def test_unknown_format_is_400(client, family):
    response = client.get("/api/v1/models", query_string={"format": "xml"})
    assert response.status_code == 400 and response.json["error"]["details"]["parameter"] == "format"


@pytest.mark.parametrize(
    "sort, values",
    [
        ("downloads", [True, 1]),
        ("downloads", [10**30, 1]),
        ("downloads", [None, 1]),
        ("downloads", ["x", 1]),
        ("likes", [1.5e308, 1]),
        ("created", ["not a date", 1]),
        ("relevance", [None, 5, 1]),
        ("relevance", [1, float("inf"), 1]),
        ("downloads", [1]),
        ("downloads", {"k": 1}),
    ],
)
def test_a_crafted_cursor_is_a_400_naming_the_cursor(client, family, sort, values):
    import base64

    raw = json.dumps({"k": values} if isinstance(values, list) else values).encode()
    cursor = base64.urlsafe_b64encode(raw).decode()
    response = client.get("/api/v1/models", query_string={"q": "7b", "sort": sort, "cursor": cursor})
    assert response.status_code == 400, response.json
    assert response.json["error"]["details"]["parameter"] == "cursor"
