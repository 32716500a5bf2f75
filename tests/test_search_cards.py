"""Model-card full text (`card`) over the real cards of ../shared, held to bounds computed here.

The cards are the model-tree files (`{"models": [{"model_id", "card", "metadata"}]}`, 2,053
models) and the trust-claims JSONL (`card_text`), read by `catalog ingest file`. What English
full-text search must find is bounded from the raw text (`tests.search_truth`): every card whose
prose surely holds the words, and none whose text lacks their stems. Relations that must hold
exactly (`or` is a union, `-word` a difference, filters an intersection) are checked as such.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import text

from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import client_over, module_catalog, require_shared
from tests.search_truth import RawCard, id_matches, possibly_has, raw_jsonl_cards, raw_model_tree_cards, surely_has

TREES = ("hf-snapshot", "raw", "oderinwale-model-trees")
CLAIMS = ("hf-snapshot", "raw", "giordano-trust-claims")
MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#x27|#39|#34|apos);")


def card_files() -> list:
    trees = sorted(require_shared(*TREES).glob("*.json"))
    claims = sorted(require_shared(*CLAIMS).glob("*.jsonl"))
    assert len(trees) == 25 and len(claims) == 2
    return trees + claims


@pytest.fixture(scope="module")
def cards_db(server_url, template_url):
    with module_catalog(server_url, "catalog_cards") as db:
        ingest(db, FileSource(card_files()))
        yield db


@pytest.fixture(scope="module")
def cards_client(cards_db, shared_url):
    return client_over(cards_db, shared_url)


class Cards:
    """The raw cards by lower-cased id; ids given two different cards are `unsure` either way."""

    def __init__(self, records: list[RawCard], catalog_ids: set[str]):
        self.by_id: dict[str, RawCard] = {}
        self.unsure: set[str] = set()
        for record in records:
            key = record.repo_id.lower()
            if key in self.by_id and self.by_id[key].card != record.card:
                self.unsure.add(key)
            self.by_id[key] = record
        self.records = records
        self.by_id = {k: v for k, v in self.by_id.items() if k in catalog_ids and k not in self.unsure}

    def sure(self, *phrases: str) -> set[str]:
        return {k for k, c in self.by_id.items() if all(surely_has(c.card, p) for p in phrases)}

    def possible(self, *stems: str) -> set[str]:
        return {k for k, c in self.by_id.items() if possibly_has(c.card, stems)} | self.unsure


@pytest.fixture(scope="module")
def cards(cards_db) -> Cards:
    with cards_db.session(read_only=True) as session:
        catalog = {repo_id.lower() for repo_id in session.execute(text("SELECT repo_id FROM models")).scalars()}
    files = card_files()
    records = raw_model_tree_cards(f for f in files if f.suffix == ".json")
    records += raw_jsonl_cards(f for f in files if f.suffix == ".jsonl")
    return Cards(records, catalog)


def answers(client, **params) -> list[dict]:
    """Every model of a result, page by page, 100 at a time (cursors: see the test of their own)."""
    seen = []
    for page in range(1, 101):
        response = client.get("/api/v1/models", query_string=params | {"per_page": 100, "page": page})
        assert response.status_code == 200, (params, response.json)
        seen += response.json["data"]
        if len(response.json["data"]) < 100:
            return seen
    raise AssertionError(f"more than 100 pages for {params}")


def by_cursor(client, per_page: int, **params) -> list[dict]:
    seen, cursor = [], None
    for _ in range(100):
        response = client.get(
            "/api/v1/models", query_string=params | {"per_page": per_page} | ({"cursor": cursor} if cursor else {})
        )
        assert response.status_code == 200, (params, response.json)
        seen += response.json["data"]
        cursor = response.json["meta"]["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError(f"more than 100 pages for {params}: the cursor goes round")


def found(client, **params) -> set[str]:
    ids = [model["id"].lower() for model in answers(client, **params)]
    assert len(ids) == len(set(ids)), params
    return set(ids)


def test_the_files_cards_are_all_in_the_catalog(cards):
    """Every carded model with an id of the form author/name and metadata was ingested."""
    wanted = {
        r.repo_id.lower()
        for r in cards.records
        if re.fullmatch(r"[\w.-]+/[\w.-]+", r.repo_id) and (r.downloads is not None)
    }
    assert len(wanted) > 2_500
    assert wanted - set(cards.by_id) - cards.unsure == set()


WORDS = [
    ("mergekit", ["mergekit"]),
    ("uncensored", ["uncensor"]),
    ("axolotl", ["axolotl"]),
    ("unsloth", ["unsloth"]),
    ("roleplay", ["roleplay"]),
    ("oncology", ["oncolog"]),
    ("japanese", ["japanes"]),
    ("ollama", ["ollama"]),
    ("lerobot", ["lerobot"]),
    ("comfyui", ["comfyui"]),
    ("Medical", ["medic"]),
    ("PYTORCH", ["pytorch"]),
]


@pytest.mark.parametrize("word, stems", WORDS)
def test_a_word_finds_the_cards_that_hold_it(cards_client, cards, word, stems):
    sure, possible = cards.sure(word), cards.possible(*stems)
    assert sure, word  # the bound can fail: some card surely holds the word
    got = found(cards_client, card=word)
    assert sure <= got, (word, sorted(sure - got)[:5])
    assert got <= possible, (word, sorted(got - possible)[:5])


PHRASES = [
    ('"direct preference optimization"', "direct preference optimization", ["direct", "prefer", "optim"]),
    ('"model card"', "model card", ["model", "card"]),
    ('"chain of thought"', "chain of thought", ["chain", "thought"]),
]


@pytest.mark.parametrize("query, phrase, stems", PHRASES)
def test_a_quoted_phrase_finds_the_cards_with_the_words_in_a_row(cards_client, cards, query, phrase, stems):
    sure, possible = cards.sure(phrase), cards.possible(*stems)
    assert sure
    got = found(cards_client, card=query)
    assert sure <= got and got <= possible, (sorted(sure - got)[:5], sorted(got - possible)[:5])
    assert got <= found(cards_client, card=phrase)  # the words anywhere: a superset


def test_a_phrase_is_narrower_than_its_words(cards_client, cards):
    """Cards with both words, but never "model" then "card" in a row, match the words only."""
    in_a_row = re.compile(r"model[a-z]*[^a-z0-9]+card", re.I)
    apart = {k for k in cards.sure("model") & cards.sure("card") if not in_a_row.search(cards.by_id[k].card)}
    assert apart
    words, phrase = found(cards_client, card="model card"), found(cards_client, card='"model card"')
    assert apart <= words - phrase, sorted(apart - (words - phrase))[:5]


@pytest.mark.parametrize(
    "first, second", [("axolotl", "mergekit"), ("oncology", "lerobot"), ("uncensored", "roleplay")]
)
def test_or_is_the_union(cards_client, cards, first, second):
    either = found(cards_client, card=f"{first} or {second}")
    assert either == found(cards_client, card=first) | found(cards_client, card=second)
    assert cards.sure(first) | cards.sure(second) <= either


@pytest.mark.parametrize(
    "word, excluded, excluded_stem",
    [("unsloth", "lora", "lora"), ("medical", "llama", "llama"), ("transformers", "pytorch", "pytorch")],
)
def test_a_minus_word_excludes_the_cards_that_have_it(cards_client, cards, word, excluded, excluded_stem):
    with_word, without = found(cards_client, card=word), found(cards_client, card=excluded)
    assert with_word & without and with_word - without  # the exclusion changes something, not everything
    got = found(cards_client, card=f"{word} -{excluded}")
    assert got == with_word - without
    assert cards.sure(word) - cards.possible(excluded_stem) <= got


def assert_snippet(snippet, stems: list[str], card: str) -> None:
    """Escaped everywhere but the marks, short, and with the matches marked (wherever in the card)."""
    assert isinstance(snippet, str) and snippet, snippet
    plain = MARK.sub(lambda m: m.group(1), snippet)
    assert "<" not in plain and ">" not in plain, snippet  # everything but the marks is escaped
    assert "&" not in ENTITY.sub("", plain), snippet
    assert len(html.unescape(plain)) <= 1_000, len(plain)
    marked = MARK.findall(snippet)
    first = min((card.lower().find(stem) for stem in stems if stem in card.lower()), default=-1)
    assert marked, (f"no <mark> though a stem first occurs at character {first} of {len(card)}", snippet[:200])
    for word in marked:
        assert any(stem in html.unescape(word).lower() for stem in stems), (word, snippet)
        assert html.unescape(word).lower() in card.lower()


@pytest.mark.parametrize(
    "query, stems",
    [
        ("mergekit", ["mergekit"]),
        ('"direct preference optimization"', ["direct", "prefer", "optim"]),
        ("oncology or lerobot", ["oncolog", "lerobot"]),
        ("medical -llama", ["medic"]),
    ],
)
def test_each_result_carries_a_highlighted_escaped_snippet(cards_client, cards, query, stems):
    results = answers(cards_client, card=query)
    assert results
    for model in results:
        key = model["id"].lower()
        if key in cards.by_id:
            assert_snippet(model.get("snippet"), stems, cards.by_id[key].card)


def test_snippets_of_cards_full_of_html_stay_escaped(cards_client, cards):
    """Many real cards are HTML (`<p align="center"><img …>`): none of it reaches the snippet raw."""
    htmlish = {k for k, c in cards.by_id.items() if "<img" in c.card and surely_has(c.card, "license")}
    results = [m for m in answers(cards_client, card="license") if m["id"].lower() in htmlish]
    assert results
    for model in results:
        assert_snippet(model["snippet"], ["licens"], cards.by_id[model["id"].lower()].card)


def test_without_card_text_there_is_no_snippet(cards_client):
    response = cards_client.get("/api/v1/models", query_string={"q": "llama"})
    assert response.status_code == 200 and response.json["data"]
    assert all(model.get("snippet") is None for model in response.json["data"])


def raw_field(cards: Cards, name: str):
    return {k: getattr(c, name) for k, c in cards.by_id.items()}


@pytest.mark.parametrize(
    "query, field, value",
    [
        ("unsloth", "pipeline_tag", "text-generation"),
        ("medical", "pipeline_tag", "text-generation"),
        ("medical", "pipeline_tag", "token-classification"),
        ("unsloth", "library", "transformers"),
        ('"model card"', "library", "diffusers"),
        ("diffusers", "pipeline_tag", "text-to-image"),
    ],
)
def test_card_with_a_filter_is_the_intersection(cards_client, cards, query, field, value):
    everything = found(cards_client, card=query)
    known = raw_field(cards, "library_name" if field == "library" else field)
    sure = {k for k in everything if known.get(k) == value}
    unknown = {k for k in everything if k not in known or known[k] is None}
    got = found(cards_client, card=query, **{field: value})
    assert sure and everything - got  # the filter keeps some and drops some
    assert sure <= got <= sure | unknown, (sorted(sure - got)[:5], sorted(got - sure - unknown)[:5])


@pytest.mark.parametrize(
    "query, q",
    [("unsloth", "gguf"), ("medical", "llama"), ('"direct preference optimization"', "gemma"), ("japanese", "7b")],
)
def test_card_with_id_text_is_the_intersection(cards_client, query, q):
    everything = found(cards_client, card=query)
    expected = {k for k in everything if id_matches(k, q)}
    assert expected
    assert found(cards_client, card=query, q=q) == expected


@pytest.mark.parametrize("sort, order", [("downloads", "desc"), ("likes", "asc"), ("created", "desc")])
def test_card_with_a_sort_is_the_same_set_in_that_order(cards_client, cards, sort, order):
    ranked = answers(cards_client, card="unsloth or medical", sort=sort, order=order)
    assert {m["id"].lower() for m in ranked} == found(cards_client, card="unsloth or medical")
    field = {"downloads": "downloads", "likes": "likes", "created": "created_at"}[sort]
    values = [m[field] for m in ranked if m[field] is not None]
    assert values == sorted(values, reverse=order == "desc")
    for model in ranked:
        raw = cards.by_id.get(model["id"].lower())
        if sort == "downloads" and raw and raw.downloads is not None:
            assert model["downloads"] == raw.downloads, model["id"]


@pytest.mark.parametrize("query", ["mergekit", '"model card"', "unsloth -lora"])
def test_card_totals_are_exact_when_marked_so(cards_client, query):
    meta = cards_client.get("/api/v1/models", query_string={"card": query}).json["meta"]
    everything = found(cards_client, card=query)
    assert meta["total"] >= min(20, len(everything))
    if meta["total_exact"]:
        assert meta["total"] == len(everything)


@pytest.mark.parametrize(
    "params",
    [
        {"card": "unsloth"},
        {"card": "unsloth or medical"},
        {"card": "medical", "sort": "likes"},
        {"card": "pytorch", "q": "bert"},
    ],
)
@pytest.mark.parametrize("per_page", [20, 100])
def test_cursors_walk_the_same_models_as_pages(cards_client, params, per_page):
    """Many cards tie on ts_rank (one occurrence each): the cursor must neither skip nor repeat them."""
    paged = [m["id"] for m in answers(cards_client, **params)]
    walked = [m["id"] for m in by_cursor(cards_client, per_page, **params)]
    assert len(walked) == len(set(walked)) == len(paged), (len(walked), len(set(walked)), len(paged))
    assert set(walked) == set(paged)


# Ranking by ts_rank, then downloads, over cards written here in the model-tree files' shape.
def tree_record(repo_id: str, card: str, downloads: int) -> dict:
    author = repo_id.split("/")[0]
    metadata = {
        "id": repo_id,
        "author": author,
        "downloads": str(downloads),
        "likes": "0",
        "library_name": "transformers",
        "pipeline_tag": "text-generation",
        "tags": "['transformers', 'text-generation']",
        "created_at": "2024-05-01 10:00:00+00:00",
        "last_modified": "2024-05-02 10:00:00+00:00",
        "private": "False",
        "gated": "False",
    }
    return {"model_id": repo_id, "card": card, "metadata": json.dumps(metadata), "depth": "0"}


RANKED_CARDS = [
    ("zoo/often", "zebra zebra zebra. The zebra guide: zebra stripes, zebra herds, zebra foals.", 5),
    ("zoo/same-card-more", "A note that mentions a zebra once, among other animals.", 100),
    ("zoo/same-card-fewer", "A note that mentions a zebra once, among other animals.", 50),
    ("zoo/no-match", "Lions and tigers only.", 10_000),
    ("zoo/hostile", "<script>alert('x')</script> a zebra & <b>bold</b> \"quotes\"", 1),
]


@pytest.fixture
def zoo(db, tmp_path):
    path = tmp_path / "zoo_finetunes.json"
    path.write_text(json.dumps({"models": [tree_record(*m) for m in RANKED_CARDS]}))
    ingest(db, FileSource([path]))


def test_card_text_ranks_by_text_rank_then_downloads(client, zoo):
    ranked = [m["id"] for m in answers(client, card="zebra")]
    assert set(ranked) == {"zoo/often", "zoo/same-card-more", "zoo/same-card-fewer", "zoo/hostile"}
    assert ranked[0] == "zoo/often"
    assert ranked.index("zoo/same-card-more") < ranked.index("zoo/same-card-fewer")
    assert ranked == [m["id"] for m in answers(client, card="zebra", sort="relevance")]


def test_a_hostile_card_gives_an_escaped_snippet(client, zoo):
    (model,) = [m for m in answers(client, card="zebra") if m["id"] == "zoo/hostile"]
    snippet = model["snippet"]
    assert "<mark>zebra</mark>" in snippet
    assert "<script" not in snippet and "<b>" not in snippet
    assert snippet == "alert('x') a <mark>zebra</mark> &amp; bold \"quotes\""  # tags dropped, text escaped
    assert_snippet(snippet, ["zebra"], RANKED_CARDS[-1][1])
