"""Id search over the first 50,000 real models: exactly the substring truth, computed here.

The truth comes from the raw JSON through `tests.search_truth` (the specification in plain
Python); the catalog answers through the Flask test client and the dashboard's callback.
"""

from __future__ import annotations

import math
import random
import re
from urllib.parse import parse_qsl, unquote

import pytest

from callbacks import search as page
from tests.dash_tree import hrefs
from tests.search_page import controls_of
from tests.search_truth import assert_page_is_top, assert_top, id_matches, normalise, tier, truth

FRAGMENTS = [
    "llama",
    "7b-chat",
    "llama-3",
    "gguf",
    "qwen2.5",
    "bert-base",
    "whisper",
    "mistral 7b instruct",
    "sentence-transformers",
    "t5",
    "mt5-small",
    "stable-diffusion",
    "lora",
    "TheBloke",
    "distilbert",
    "roberta-large",
    "xlm-roberta",
    "opus-mt",
    "wav2vec2",
    "e5",
    "bge",
    "phi-2",
    "gemma",
    "mixtral",
    "codellama",
    "tinyllama",
    "ner",
    "gpt2",
    "awq",
    "gptq",
    "exl2",
    "4bit",
    "8b instruct",
    "llama 7b chat",
    "bert base uncased",
    "thebloke llama 2",
    "google t5",
    "facebook opt",
    "Llama_3",
    "LLAMA.3",
    "llama/3",
    "qwen2-5",
    "bert/base",
    "Stable_Diffusion",
    "mistral-7b-instruct",
    "TheBloke/Llama-2-7B-Chat-GGUF",
    "openai/whisper-large-v3",
    "sentence-transformers/all-MiniLM-L6-v2",
    # task, library and tag names: they match only ids that contain them, never the tags
    "text-generation",
    "transformers",
    "conversational",
    "region",
    "license",
    "endpoints_compatible",
    "zzqx-no-such-model",
]
SORTS = ["downloads", "likes"]
PAGE = 20


def body(client, **params) -> dict:
    response = client.get("/api/v1/models", query_string=params)
    assert response.status_code == 200, (params, response.json)
    return response.json


def found_ids(client, **params) -> list[str]:
    return [model["id"] for model in body(client, **params)["data"]]


def value_of(raw_models, sort: str):
    return lambda repo_id: getattr(raw_models[repo_id], sort)


def all_pages(client, **params) -> list[str]:
    """Every model of a result, walked by cursor 100 at a time."""
    seen, cursor = [], None
    for _ in range(200):
        answer = body(client, **params, per_page=100, **({"cursor": cursor} if cursor else {}))
        seen += [model["id"] for model in answer["data"]]
        cursor = answer["meta"]["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError(f"more than 200 pages for {params}")


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", FRAGMENTS)
def test_the_top_20_is_the_substring_truth(real_client, raw_models, q, sort):
    found = found_ids(real_client, q=q, sort=sort)
    assert_page_is_top(found, truth(raw_models, q), value_of(raw_models, sort), PAGE, context=q)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", ["llama-3", "gguf", "bert base", "whisper", "lora", "t5"])
def test_ascending_orders_are_the_truth_too(real_client, raw_models, q, sort):
    found = found_ids(real_client, q=q, sort=sort, order="asc")
    assert_page_is_top(found, truth(raw_models, q), value_of(raw_models, sort), PAGE, descending=False, context=q)


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("q", ["llama-3", "mistral 7b instruct", "whisper"])
def test_sort_by_creation_is_the_truth(real_client, raw_models, q, order):
    found = found_ids(real_client, q=q, sort="created", order=order)
    assert_page_is_top(
        found, truth(raw_models, q), value_of(raw_models, "created_at"), PAGE, descending=order == "desc", context=q
    )


def random_fragments(raw_models, count: int) -> list[str]:
    """Parts of real ids the way people type them: one to three parts of a name, some with the author."""
    rng = random.Random(5)
    fragments = []
    for repo_id in rng.sample(sorted(raw_models), count):
        author, name = repo_id.split("/", 1)
        parts = [p for p in re.split(r"[-_.]", name) if p]
        start = rng.randrange(len(parts))
        fragment = rng.choice("-_. ").join(parts[start : start + rng.randint(1, 3)])
        fragments.append(f"{author} {fragment}" if rng.random() < 0.2 else fragment)
    return fragments


@pytest.mark.parametrize("sort", SORTS)
def test_random_fragments_of_real_ids_give_the_truth(real_client, raw_models, sort):
    disagreements = {}
    for q in random_fragments(raw_models, 80):
        found = found_ids(real_client, q=q, sort=sort)
        try:
            assert_page_is_top(found, truth(raw_models, q), value_of(raw_models, sort), PAGE, context=q)
        except AssertionError as error:
            disagreements[q] = str(error)[:300]
    assert disagreements == {}


@pytest.mark.parametrize("q", ["whisper", "7b-chat", "mistral 7b instruct", "qwen2.5", "mt5-small", "%"])
def test_the_whole_result_is_the_set_of_id_matches(real_client, raw_models, q):
    seen = all_pages(real_client, q=q, sort="downloads")
    expected = truth(raw_models, q)
    assert len(seen) == len(set(seen)) and set(seen) == expected, (q, len(seen), len(expected))
    assert_top(seen, expected, value_of(raw_models, "downloads"), context=q)


@pytest.mark.parametrize(
    "spellings",
    [
        ["llama-3", "llama_3", "LLAMA.3", "llama/3", "Llama-3"],
        ["qwen2.5", "qwen2-5", "QWEN2_5", "qwen2/5"],
        ["bert-base", "bert_base", "bert.base", "bert/base", "BERT-Base"],
        ["sentence-transformers/all", "sentence_transformers-all", "Sentence.Transformers/ALL"],
    ],
)
def test_separators_inside_a_word_are_interchangeable(real_client, raw_models, spellings):
    answers = {
        q: (
            found_ids(real_client, q=q, sort="downloads", per_page=100),
            body(real_client, q=q, sort="downloads")["meta"]["total"],
        )
        for q in spellings
    }
    assert len(set(map(lambda a: (tuple(a[0]), a[1]), answers.values()))) == 1, answers
    assert set(answers[spellings[0]][0]) <= truth(raw_models, spellings[0])


def test_a_word_with_a_slash_finds_ids_with_a_dash_there(real_client, raw_models):
    found = found_ids(real_client, q="bert/base", sort="downloads", per_page=100)
    across_a_dash = [repo_id for repo_id in found if "bert/base" not in repo_id.lower()]
    assert across_a_dash, found[:5]
    assert_page_is_top(found, truth(raw_models, "bert/base"), value_of(raw_models, "downloads"), 100)


def test_several_words_need_not_be_adjacent_but_one_word_must(real_client, raw_models):
    words = body(real_client, q="mistral 7b instruct", sort="downloads")["meta"]
    one_word = body(real_client, q="mistral-7b-instruct", sort="downloads")["meta"]
    assert one_word["total"] < words["total"]
    assert len(truth(raw_models, "mistral-7b-instruct")) < len(truth(raw_models, "mistral 7b instruct"))


@pytest.mark.parametrize(
    "q",
    [
        "llama-3",
        "gguf",
        "bert base",
        "TheBloke",
        "mistral 7b instruct",
        "whisper",
        "llama",
        "7b-chat",
        "qwen2.5",
        "t5",
        "openai/whisper-large-v3",
        "lora r16",
        "meta-llama/Meta-Llama-3-8B",
        "meta llama meta llama 3 8b",
    ],
)
def test_relevance_ranks_the_tiers_then_downloads(real_client, raw_models, q):
    answer = body(real_client, q=q, per_page=PAGE)
    assert "id" in str(answer["meta"].get("match", "")).lower(), answer["meta"]
    found = [model["id"] for model in answer["data"]]
    tiers = [tier(repo_id, q) for repo_id in found]
    assert tiers == sorted(tiers, reverse=True), list(zip(found, tiers, strict=True))

    def ranked(repo_id: str) -> tuple[int, int]:
        return tier(repo_id, q), raw_models[repo_id].downloads

    assert_page_is_top(found, truth(raw_models, q), ranked, PAGE, context=q)
    assert found == found_ids(real_client, q=q, sort="relevance", per_page=PAGE)


def test_relevance_pages_continue_the_ranking(real_client, raw_models):
    q, seen, cursor = "llama-3", [], None
    for _ in range(4):
        answer = body(real_client, q=q, per_page=25, **({"cursor": cursor} if cursor else {}))
        seen += [model["id"] for model in answer["data"]]
        cursor = answer["meta"]["next_cursor"]

    def ranked(repo_id: str) -> tuple[int, int]:
        return tier(repo_id, q), raw_models[repo_id].downloads

    assert_page_is_top(seen, truth(raw_models, q), ranked, 100, context=q)


def test_an_id_typed_whole_comes_first(real_client, raw_models):
    repo_id = max(truth(raw_models, "llama-2-7b-chat"), key=lambda i: raw_models[i].downloads)
    for typed in (repo_id, repo_id.upper(), repo_id.replace("-", "_").replace("/", " ")):
        found = found_ids(real_client, q=typed)
        assert found[0] == repo_id, (typed, found[:3])


@pytest.mark.parametrize("q", FRAGMENTS[:20])
def test_totals_are_exact_when_marked_so_and_never_below_what_was_seen(real_client, raw_models, q):
    expected = len(truth(raw_models, q))
    meta = body(real_client, q=q, sort="downloads")["meta"]
    if meta["total_exact"]:
        assert meta["total"] == expected, (q, meta["total"], expected)
    last = max(1, math.ceil(expected / PAGE))
    answer = body(real_client, q=q, sort="downloads", page=last)
    seen = (last - 1) * PAGE + len(answer["data"])
    assert seen == expected, (q, seen, expected)
    assert answer["meta"]["total"] >= seen
    assert answer["meta"]["total_exact"] is False or answer["meta"]["total"] == expected


FILTERED = [
    ("gguf", {"pipeline_tag": "text-generation"}),
    ("whisper", {"pipeline_tag": "automatic-speech-recognition"}),
    ("stable-diffusion", {"pipeline_tag": "text-to-image"}),
    ("bert", {"library": "transformers"}),
    ("distilbert", {"pipeline_tag": "text-generation"}),
    ("whisper", {"pipeline_tag": "text-generation"}),
    ("lora", {"library": "peft"}),
    ("llama 3", {"pipeline_tag": "text-generation", "library": "transformers"}),
]


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q, filters", FILTERED)
def test_text_with_filters_is_the_truth_within_the_filters(real_client, raw_models, q, filters, sort):
    def kept(repo_id: str) -> bool:
        raw = raw_models[repo_id]
        return all(getattr(raw, "library_name" if f == "library" else f) == v for f, v in filters.items())

    expected = {repo_id for repo_id in truth(raw_models, q) if kept(repo_id)}
    found = found_ids(real_client, q=q, sort=sort, **filters)
    assert_page_is_top(found, expected, value_of(raw_models, sort), PAGE, context=(q, filters))


def linked_ids(component) -> list[str]:
    """The models a rendered component links to (`/models/...`), in order."""
    found = [
        unquote(href.removeprefix("/models/").split("?")[0]) for href in hrefs(component) if href.startswith("/models/")
    ]
    return list(dict.fromkeys(found))


DASHBOARD_URLS = [
    "q=llama-3&sort=downloads",
    "q=mistral+7b+instruct",
    "q=TheBloke&sort=likes&order=asc",
    "q=gguf&pipeline_tag=text-generation&sort=downloads",
    "q=bert_base&library=transformers",
    "q=whisper&per_page=50&page=2",
    "q=Llama.3",
    "q=zzqx-no-such-model",
]


@pytest.mark.parametrize("url_query", DASHBOARD_URLS)
def test_the_dashboard_url_shows_what_the_api_gives(real_db, real_client, raw_models, url_query):
    controls = controls_of(url_query)
    listing, rows, *_ = page.results(real_db, None, controls)  # the phone list, the grid's rows
    api = [model["id"] for model in real_client.get(f"/api/v1/models?{url_query}").json["data"]]
    assert [row["id"] for row in rows] == api
    assert linked_ids(listing) == api
    q = dict(parse_qsl(url_query))["q"]
    assert all(id_matches(repo_id, q) for repo_id in api), [i for i in api if not id_matches(i, q)]


def test_the_truth_helper_reads_the_specification():
    """The plain-Python truth, on examples written down from the issue."""
    assert id_matches("meta/Llama_3-8B", "llama-3") and id_matches("x/llama.3", "LLAMA-3")
    assert id_matches("org/model-x", "org-model") and id_matches("org-model/x", "org/model")
    assert id_matches("a/mistral-7b-v2-instruct", "mistral 7b instruct")
    assert not id_matches("a/mistral-instruct", "mistral 7b instruct")
    assert not id_matches("a/abc", "a_c") and not id_matches("a/abc", "%")
    assert normalise("Qwen/Qwen2.5-7B") == "qwen-qwen2-5-7b"
    assert [tier(i, "llama-3") for i in ("x/llama-3", "x/my-llama-3", "llama/3-x")] == [2, 1, 1]
    assert (tier("c/Llama-3", "c llama 3"), tier("a/llama3-x-8b", "llama 8b")) == (3, 0)
