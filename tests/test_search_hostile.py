"""Hostile text in `q` and `card`: never a 5xx; `q` stays a literal substring match on ids.

tsquery operators, quotes, backslashes, LIKE wildcards, NUL, invalid UTF-8, emoji, right-to-left
text and oversized values, through the API (Flask test client) and the dashboard's callback.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest

from callbacks import search as page
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from data.query import MAX_TEXT, parse_query
from tests.conftest import client_over, module_catalog
from tests.family import family_records
from tests.search_page import controls_of
from tests.search_truth import id_matches
from tests.test_search_cards import tree_record

SEPARATED = ["x/abc-model", "x/a-c-model", "x/a_c.model", "x/A.C-model", "y/pct100-model"]
CARDS = [("z/carded", "<b>Bold</b> & 'quoted' \"text\" with a zebra and a \\ backslash, 100% of it", 7)]
HOSTILE = [
    "&",
    "|",
    "!",
    "<->",
    ":*",
    "a & b | !c <-> d:*",
    "llama:*",
    "!llama",
    "(llama | base)",
    "base <-> 7b",
    "'",
    '"',
    '"unbalanced',
    'un"balanced',
    "it's",
    "\\",
    "\\\\",
    "a\\",
    "\\'",
    "%",
    "%%",
    "a%c",
    "_",
    "a_c",
    "__",
    "a%",
    "%7b",
    "(((",
    ")",
    "*",
    "~",
    "-",
    "--",
    "- -",
    "' OR 1=1 --",
    "'; DROP TABLE models; --",
    "$$",
    "or",
    "-7b",
    "7b -chat",
    "base or chat",
    '"base 7b"',
    "日本語",
    "🦙",
    "🦙 llama",
    "b🦙se",
    "مرحبا بالعالم",
    "עברית 7b",
    "\u202ebase",
    "ba\u200bse",
    "\ufffd",
    "x" * MAX_TEXT,
    "the and of",
]


@pytest.fixture(scope="module")
def hostile_db(server_url, template_url, tmp_path_factory):
    """One catalog for the module (read only): the family, ids with separators, a hostile card."""
    with module_catalog(server_url, "catalog_hostile") as db:
        separated = [{"id": repo_id, "downloads": 10, "likes": 1, "tags": []} for repo_id in SEPARATED]
        ingest(db, family_records() + separated)
        path = tmp_path_factory.mktemp("cards") / "carded_finetunes.json"
        path.write_text(json.dumps({"models": [tree_record(*record) for record in CARDS]}))
        ingest(db, FileSource([path]))
        yield db


@pytest.fixture(scope="module")
def client(hostile_db, shared_url):
    return client_over(hostile_db, shared_url)


@pytest.fixture(scope="module")
def catalog(hostile_db) -> list[str]:
    """The ids the module's catalog holds."""
    return [m["id"] for m in family_records()] + SEPARATED + [record[0] for record in CARDS]


def get(client, params):
    response = client.get("/api/v1/models", query_string=params)
    assert response.status_code < 500, (params, response.status_code, response.get_data(as_text=True)[:300])
    return response


def whole_result(client, params) -> list[str]:
    seen, cursor = [], None
    for _ in range(20):
        response = get(client, params | {"per_page": 100} | ({"cursor": cursor} if cursor else {}))
        assert response.status_code == 200, (params, response.json)
        seen += [model["id"] for model in response.json["data"]]
        cursor = response.json["meta"]["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError(params)


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_id_text_is_a_literal_substring_match(client, catalog, q):
    expected = sorted(repo_id for repo_id in catalog if id_matches(repo_id, q))
    assert sorted(whole_result(client, {"q": q})) == expected
    assert sorted(whole_result(client, {"q": q, "sort": "likes", "order": "asc"})) == expected


def test_like_wildcards_are_literal(client, catalog):
    assert whole_result(client, {"q": "%"}) == []  # no id holds a %
    assert whole_result(client, {"q": "a%c"}) == []
    assert sorted(whole_result(client, {"q": "a_c"})) == ["x/A.C-model", "x/a-c-model", "x/a_c.model"]  # not abc


@pytest.mark.parametrize("card", HOSTILE)
def test_hostile_card_text_never_fails(client, catalog, card):
    for params in (
        {"card": card},
        {"card": card, "q": "7b"},
        {"card": card, "sort": "downloads", "pipeline_tag": "text-generation"},
    ):
        response = get(client, params)
        assert response.status_code == 200, (params, response.json)
        for model in response.json["data"]:
            snippet = model.get("snippet") or ""
            assert "<b>" not in snippet and "<script" not in snippet


@pytest.mark.parametrize("parameter", ["q", "card"])
@pytest.mark.parametrize("value, status", [("x" * MAX_TEXT, 200), ("x" * (MAX_TEXT + 1), 400), ("x" * 10_000, 400)])
def test_text_is_capped_by_the_grammar(client, catalog, parameter, value, status):
    response = get(client, {parameter: value})
    assert response.status_code == status
    if status == 400:
        error = response.json["error"]
        assert error["code"] == "INVALID_PARAMETER" and error["details"]["parameter"] == parameter
        assert error["message"]


@pytest.mark.parametrize("parameter", ["q", "card"])
def test_nul_is_a_400_in_the_error_envelope(client, catalog, parameter):
    for raw in ("a%00b", "%00", "%00%00llama"):
        response = client.get(f"/api/v1/models?{parameter}={raw}")
        assert response.status_code == 400, raw
        assert set(response.json["error"]) >= {"code", "message", "details"}
        assert response.json["error"]["details"]["parameter"] == parameter


@pytest.mark.parametrize("parameter", ["q", "card"])
@pytest.mark.parametrize("raw", ["%ff%fe", "%c3%28", "base%e2%82", "%ed%a0%80", "%f0%9f%a6"])
def test_invalid_utf8_reads_as_replacement_characters_that_match_nothing(client, catalog, parameter, raw):
    response = client.get(f"/api/v1/models?{parameter}={raw}")
    assert response.status_code == 200, response.status_code  # the bad bytes read as U+FFFD
    assert response.json["data"] == []  # replacement characters: no id nor card holds them


@pytest.mark.parametrize("typed", HOSTILE[::3] + ["x" * 10_000, "a\x00b"])
def test_the_dashboard_takes_hostile_text_in_its_url(hostile_db, typed):
    for key in ("q", "card"):
        url_query = urlencode({key: typed}, quote_via=quote)
        query = parse_query([(key, typed)], strict=False)  # too long or NUL: dropped, as junk is
        _, rows, *_ = page.results(hostile_db, None, controls_of(url_query))  # must not raise
        if query.q:
            assert all(id_matches(row["id"], query.q) for row in rows), url_query
