"""Callbacks called directly with junk where control values belong: each answers (or declines
with PreventUpdate) instead of raising. tests/test_hostile_requests.py sends the same kind of
values through a real server, where a raised error would be hidden behind a 400."""

from __future__ import annotations

import contextlib

import pytest
from dash.exceptions import PreventUpdate

from callbacks import analytics, compare, model, search, trending
from callbacks.inputs import text, texts
from components import pages
from components import search as search_view
from tests.factories import add_models

JUNK = [
    None,
    7,
    -3.5,
    True,
    [],
    ["x", 1, None, {"a": 1}],
    {"a": {"b": 1}},
    "a\x00b",
    "q" * 20_000,
    ["text-generation"] * 40_000,
    [{"colId": "likes", "sort": "desc"}],
    {"id": ["x"], "expandable": True},
]


def answers(call) -> None:
    with contextlib.suppress(PreventUpdate):
        call()


def test_the_helper_reads_text_and_lists_of_text_only():
    assert [text(value) for value in (None, 7, -3.5, True, ["x"], {"a": 1}, "ok")] == [
        "",
        "7",
        "-3.5",
        "",
        "",
        "",
        "ok",
    ]
    assert texts("one") == ["one"] and texts(["a", 1, None, "", "b\x00", "c"]) == ["a", "c"]
    assert texts(["v"] * 40_000) == ["v"] * 50 and texts({"a": 1}) == [] and texts(None) == []


@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_page_callbacks_answer_junk(db, junk):
    add_models(db, "acme/base-7b", pipeline_tag="text-generation")
    answers(lambda: trending.results(db, junk))
    answers(lambda: trending.sync(pages.TRENDING_URL, junk, junk, junk))
    answers(lambda: trending.sync(pages.TRENDING_TASKS, junk, junk, junk))
    answers(lambda: analytics.follow_address_bar(junk, junk, junk))
    answers(lambda: analytics.filter_bar(db, junk))
    answers(lambda: analytics.chart(db, "libraries", junk))
    answers(lambda: analytics.href_of(junk))
    answers(lambda: analytics.href_of({"points": junk}))
    answers(lambda: model.render_tab(db, junk, junk, junk, junk))
    answers(lambda: model.search_for_tab(junk, junk))
    answers(lambda: model.follow_node(junk, junk, junk))
    answers(lambda: search.follow_address(junk, junk, junk))
    answers(lambda: search.sort_from_grid(junk, junk))
    answers(lambda: search.toggle_filters(junk, junk, junk))
    answers(lambda: search.results(db, None, {name: junk for name in search_view.CONTROLS}))
    answers(lambda: search.facet_options(db, {name: junk for name in search_view.FILTER_CONTROLS}))
    answers(lambda: compare.redraw(db, junk, junk))
    answers(lambda: compare.redraw(db, junk, "/compare"))
    answers(lambda: compare.with_added(junk, junk))
    answers(lambda: compare.listed(text(junk), junk, junk))
    answers(lambda: compare.compare_link(junk, junk))
