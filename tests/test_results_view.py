"""The model lists' builders (components/results.py): snippets, columns, rows."""

from datetime import UTC, datetime

from dash import html

from components import results
from data.catalog import ModelSummary

MODEL = ModelSummary(
    repo_id="acme/base-7b",
    author="acme",
    pipeline_tag="text-generation",
    library_name=None,
    license="mit",
    downloads=1234567,
    likes=89,
    trending_score=None,
    created_at=datetime(2024, 1, 10, tzinfo=UTC),
    last_modified=None,
    gated=None,
    has_base_model=False,
    derivative_count=3,
    snippet="a &lt;script&gt; <mark>fine</mark>-tuned &amp; <mark>chat</mark> model",
)


def test_a_snippet_splits_into_text_and_matches_with_the_escapes_undone():
    assert results.snippet_parts(MODEL.snippet) == [
        ("a <script> ", False),
        ("fine", True),
        ("-tuned & ", False),
        ("chat", True),
        (" model", False),
    ]
    assert results.snippet_parts(None) == [] and results.snippet_parts("") == []
    assert results.snippet_parts("<mark>all</mark>") == [("all", True)]


def test_snippet_children_are_text_and_marks_never_html():
    children = results.snippet_children(MODEL.snippet)
    assert children[0] == "a <script> "  # a string child: React shows it as text
    assert isinstance(children[1], html.Mark) and children[1].children == "fine"
    assert [type(child) for child in children] == [str, html.Mark, str, html.Mark, str]


def test_a_row_carries_display_values_links_and_snippet_pieces():
    row = results.row(MODEL)
    assert row["href"] == "/models/acme/base-7b" and row["author_href"] == "/authors/acme"
    assert (row["downloads"], row["likes"], row["trending"]) == ("1,234,567", "89", "—")
    assert (row["created"], row["updated"], row["library"]) == ("2024-01-10", "—", "—")
    assert row["snippet"][1] == ["fine", True]


def test_only_the_sort_columns_are_sortable_and_the_sorted_one_shows_it():
    columns = {column["colId"]: column for column in results.column_defs("likes", "asc", sortable=True)}
    assert {col for col, column in columns.items() if column["sortable"]} == {
        "downloads",
        "likes",
        "trending",
        "created",
        "updated",
        "params",
        "quality",
    }
    assert columns["likes"]["sort"] == "asc" and columns["downloads"]["sort"] is None
    assert "sort" not in columns["id"]
    fixed = results.column_defs(None, "desc", sortable=False)
    assert not any(column["sortable"] for column in fixed)


def test_the_list_and_the_grid_show_the_same_models():
    view = results.results_view("some-grid", [MODEL])
    grid, listing = view.children[0].children, view.children[1].children
    assert [row["id"] for row in grid.rowData] == ["acme/base-7b"]
    assert listing.children[0].children[0].children == "acme/base-7b"
    assert "fine" in str(listing.children[0].children[-1])
