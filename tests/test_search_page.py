"""The search page's callbacks and builders, called directly (no browser), on a real PostgreSQL."""

from urllib.parse import parse_qsl, urlencode

import pytest
from dash import no_update

from callbacks import search as page
from components import search as view
from data.ingest.pipeline import ingest
from data.query import SearchQuery, parse_query
from tests.dash_tree import by_id
from tests.family import family_records
from tests.search_page import controls_of

URLS = [
    "",
    "q=base-7b",
    "q=7b&sort=likes&order=asc",
    "pipeline_tag=text-generation&has_base_model=true",
    "library=peft&library=gguf",
    "gated=false&min_downloads=100",
    "created_from=2024-06-01&created_to=2024-12-31",
    "language=fr",
    "author=odd&per_page=2&page=2",
    "q=chat&sort=created",
    "card=instruction&q=7b",
]


def shown(results) -> dict:
    """The search page's outputs by name."""
    names = ("listing", "rows", "columns", "grid_class", "empty", "match", "summary", "pages", "page", "seen")
    return dict(zip(names, results, strict=True))


@pytest.mark.parametrize("url_query", URLS)
def test_the_page_shows_what_the_api_gives_for_the_same_query_string(family_db, client, url_query):
    out = shown(page.results(family_db, None, controls_of(url_query)))
    api = client.get(f"/api/v1/models?{url_query}").json
    assert [row["id"] for row in out["rows"]] == [model["id"] for model in api["data"]]
    assert [item.children[0].children for item in out["listing"].children] == [model["id"] for model in api["data"]]
    assert f"{api['meta']['total']:,} model" in out["summary"][0].children
    assert out["pages"] == max(1, -(-api["meta"]["total"] // api["meta"]["per_page"]))
    said = out["match"][-1] if out["match"] else None  # the line's text, after its icon
    assert said == (api["meta"]["match"] if "q=" in url_query or "card=" in url_query else None)


@pytest.mark.parametrize("url_query", URLS)
def test_controls_round_trip_to_the_canonical_url(url_query):
    query = parse_query(parse_qsl(url_query), strict=False)
    assert page.query_from_controls(controls_of(url_query)) == query


def test_a_control_change_writes_the_canonical_url_and_resets_the_page(family_db):
    values = controls_of("q=7b&per_page=2&page=2")
    values["library"] = ["transformers"]
    assert page.address_of(view.FACET_DROPDOWNS["library"], values) == "?library=transformers&per_page=2&q=7b"
    assert shown(page.results(family_db, view.FACET_DROPDOWNS["library"], values))["page"] == 1


def test_turning_the_page_keeps_the_search(family_db):
    values = controls_of("q=7b&per_page=2")
    values["page"] = 2
    assert page.address_of(view.PAGER, values) == "?page=2&per_page=2&q=7b"
    assert shown(page.results(family_db, view.PAGER, values))["page"] is no_update


def test_back_and_forward_rebuild_the_controls_from_the_url():
    body, written = page.follow_address("?library=peft&q=llama", "?q=llama", "/")
    assert written == "?library=peft&q=llama"
    rendered = str(body)
    assert "'peft'" in rendered and "'llama'" in rendered


def test_a_url_the_controls_wrote_changes_nothing():
    from dash.exceptions import PreventUpdate

    with pytest.raises(PreventUpdate):
        page.follow_address("?q=llama", "?q=llama", "/")


def test_junk_in_the_url_is_ignored():
    query = parse_query(parse_qsl("per_page=0&sort=nonsense&gated=maybe&q=x&bogus=1&page=-3"), strict=False)
    assert query == SearchQuery(q="x")
    layout, title = page.layout(None, parse_qsl("per_page=0&sort=nonsense&q=x"))
    assert title == "“x”"
    assert by_id(layout, view.Q).value == "x"
    assert (by_id(layout, view.SORT).value, by_id(layout, view.PER_PAGE).value) == (view.DEFAULT_SORT, "20")
    assert by_id(layout, view.WRITTEN).data == "?per_page=0&sort=nonsense&q=x"  # the address it was read from


def test_no_match_offers_to_clear_the_filters(family_db):
    out = shown(page.results(family_db, None, controls_of("q=base&library=nothing-like-this")))
    assert "empty-state" in out["empty"].className and out["rows"] == [] and out["grid_class"] == "d-none"
    assert out["empty"].children[-1].href == "/?" + urlencode({"q": "base"})


def test_facet_options_count_within_the_result_and_keep_the_selection(family_db, client):
    options = page.facet_options(family_db, controls_of("q=7b&library=onnx&library=transformers"))
    facets = client.get("/api/v1/models?q=7b&library=onnx&library=transformers&facets=pipeline_tag,library").json
    expected = {row["value"]: f"{row['value']} ({row['count']:,})" for row in facets["meta"]["facets"]["pipeline_tag"]}
    assert {o["value"]: o["label"] for o in options[0]} == expected
    libraries = {o["value"]: o["label"] for o in options[1]}
    assert libraries["onnx"] == "onnx"  # selected, though no model has it
    assert libraries["transformers"].startswith("transformers (")


def test_links_give_the_same_query_as_json_and_csv():
    query = SearchQuery(q="llama", library=["gguf"], page=3)
    links = {child.className.split()[-1]: child.href for child in view.summary(10, True, query)[1:]}
    assert links["json-link"] == "/api/v1/models?library=gguf&page=3&q=llama"
    assert links["csv-link"] == "/api/v1/models?library=gguf&q=llama&format=csv"
    assert links["analytics-link"] == "/analytics?library=gguf&q=llama"


def test_a_header_click_becomes_the_sort_controls_value():
    from dash.exceptions import PreventUpdate

    from components import results

    drawn = results.column_defs("downloads", "desc", sortable=True)
    clicked = [{"colId": "downloads", "sort": None}, {"colId": "likes", "sort": "desc"}]
    assert page.sort_from_grid(clicked, drawn) == ("likes", "desc")
    assert page.sort_from_grid([{"colId": "downloads", "sort": "asc"}], drawn) == ("downloads", "asc")
    for unchanged_or_junk in (
        [{"colId": "downloads", "sort": "desc"}],
        [{"colId": "id", "sort": "asc"}],
        [{"colId": "likes", "sort": "sideways"}],
        None,
        "likes",
        [1, None, "x"],
        {"a": 1},
    ):
        with pytest.raises(PreventUpdate):
            page.sort_from_grid(unchanged_or_junk, drawn)


def test_the_filters_toggle_opens_and_closes_the_panel():
    closed = view.filters_offcanvas(SearchQuery()).className
    opened = page.toggle_filters(1, None, closed)
    assert opened.split()[-1] == "show" and page.toggle_filters(1, 1, opened) == closed
    assert page.toggle_filters(1, None, ["junk"]) == "show"


def test_junk_control_values_read_as_defaults_and_long_lists_are_cut():
    values = controls_of("q=7b")
    values |= {
        "library": "peft",
        "language": ["fr", 3, None, {"x": 1}, "\x00"],
        "card": ["x"],
        "author": ["a"] * 40_000,
        "min_downloads": {"n": 1},
        "per_page": [50],
        "page": "2",
    }
    query = page.query_from_controls(values)
    assert (query.q, query.card, query.library, query.language) == ("7b", None, ["peft"], ["fr"])
    assert query.author == ["a"] * 50 and query.min_downloads is None and query.per_page == 20 and query.page == 2


def test_new_matches_are_those_stored_after_the_results_exactly(family_db):
    values = controls_of("pipeline_tag=text-generation")
    seen = shown(page.results(family_db, None, values))["seen"]
    assert page.new_matches(family_db, seen, values)[1] == view.new_matches_class(0)
    stamp = "2026-11-30T00:00:00.000Z"
    arrivals = [
        {"id": f"new/{name}", "pipeline_tag": task, "downloads": 5, "createdAt": stamp, "lastModified": stamp}
        for name, task in (("chat-a", "text-generation"), ("chat-b", "text-generation"), ("art", "text-to-image"))
    ]
    changed = [{**family_records()[0], "likes": 12_345}]  # a model already shown, updated: not new
    ingest(family_db, arrivals + changed)
    label, class_name = page.new_matches(family_db, seen, values)
    assert "2 new models match this search" in str(label)
    assert class_name == view.new_matches_class(2)
    shown_again = shown(page.results(family_db, view.SHOW_NEW, values))  # the click
    assert {"new/chat-a", "new/chat-b"} <= {row["id"] for row in shown_again["rows"]}
    assert shown_again["seen"] > seen
    assert page.new_matches(family_db, shown_again["seen"], values)[1] == view.new_matches_class(0)
