"""The compare page's layout and callbacks, called as functions over the family (no browser):
rows marked where the models differ, unknown ids named, too few or too many ids explained; the
model page's comparison list; the search grid's "Compare selected"."""

from __future__ import annotations

import pytest
from dash.exceptions import PreventUpdate

from callbacks import compare as page
from components import compare as view
from components import compare_list as listing
from components import routes
from tests.dash_tree import hrefs, text_of, walk


def layout_of(db, query: str):
    from callbacks.inputs import address_pairs

    children, title = page.layout(db, address_pairs(query))
    assert title == "Compare models"
    return children


def rows_by_field(tree) -> dict[str, str]:
    return {getattr(c, "data-field"): c.className for c in walk(tree) if getattr(c, "data-field", None) is not None}


def test_the_table_marks_the_rows_that_differ(family_db):
    tree = layout_of(family_db, "?ids=acme/base-7b,LAB/base-7b-chat")
    classes = rows_by_field(tree)
    assert classes["pipeline_tag"] == "compare-same"  # text-generation twice
    assert classes["license"] == "compare-same"  # apache-2.0 twice
    assert classes["downloads"] == view.DIFFERS_CLASS
    assert classes["datasets"] == view.DIFFERS_CLASS  # acme/web-corpus, lab/chat-mix
    shown = text_of(tree)
    assert "900,000" in shown and "50,000" in shown and "2024-01-10" in shown
    assert "lab/base-7b-chat descends from acme/base-7b" in shown
    links = hrefs(tree)
    assert routes.model_href("acme/base-7b") in links and routes.model_href("lab/base-7b-chat") in links
    assert routes.api_compare_href(["acme/base-7b", "lab/base-7b-chat"], "csv") in links
    assert any(getattr(c, "id", None) == view.GRAPH for c in walk(tree))


def test_unknown_ids_are_named_and_the_rest_compared(family_db):
    shown = text_of(layout_of(family_db, "?ids=acme/base-7b,nobody/nothing,lab/base-7b-chat"))
    assert "Not in the catalog: nobody/nothing." in shown and "descends from acme/base-7b" in shown


@pytest.mark.parametrize(
    "query, says",
    [
        ("", "Add 2 more models to compare"),
        ("?ids=acme/base-7b", "Add 1 more model to compare"),
        ("?ids=acme/base-7b,nobody/nothing", "Add 1 more model to compare"),
        ("?ids=" + ",".join(f"a/m{n}" for n in range(7)), "At most 6 models can be compared at once"),
        ("?ids=%00,acme/base-7b", "Add 1 more model to compare"),
    ],
)
def test_too_few_or_too_many_ids_are_explained(family_db, query, says):
    shown = text_of(layout_of(family_db, query))
    assert says in shown
    assert not any(getattr(c, "id", None) == view.GRAPH for c in walk(layout_of(family_db, query)))


def test_the_add_box_and_the_remove_links_rewrite_the_ids():
    assert page.with_added("?ids=acme/base-7b", " lab/base-7b-chat ") == "?ids=acme/base-7b,lab/base-7b-chat"
    with pytest.raises(PreventUpdate):
        page.with_added("?ids=acme/base-7b", "ACME/base-7b")  # already there
    with pytest.raises(PreventUpdate):
        page.with_added("?ids=acme/base-7b", "  ")
    table = view.table(["a/x", "b/y", "c/z"], [])
    assert routes.compare_href(["b/y", "c/z"]) in hrefs(table)  # removing a/x
    assert not any(
        "compare-remove" in (getattr(c, "className", "") or "") for c in walk(view.table(["a/x", "b/y"], []))
    )


def test_the_model_pages_list_keeps_six_and_links_with_the_model_shown():
    assert page.listed(listing.ADD, None, "acme/base-7b") == ["acme/base-7b"]
    assert page.listed(listing.ADD, ["acme/base-7b"], "ACME/base-7b") == ["ACME/base-7b"]  # once
    six = [f"a/m{n}" for n in range(6)]
    assert page.listed(listing.ADD, six, "b/new") == [*six[1:], "b/new"]  # the oldest leaves
    assert page.listed(listing.CLEAR, six, "b/new") == []
    assert page.compare_link(["acme/base-7b"], "lab/base-7b-chat") == (
        "/compare?ids=acme/base-7b,lab/base-7b-chat",
        "Compare 2 models",
    )
    assert page.compare_link(None, "lab/base-7b-chat") == ("/compare?ids=lab/base-7b-chat", "Compare with…")


def test_the_search_grids_ticked_rows_make_the_link():
    assert page.selected_link([{"id": "a/x"}])[2] == "d-none"
    href, label, classes = page.selected_link([{"id": "a/x"}, {"id": "b/y"}])
    assert (href, label) == ("/compare?ids=a/x,b/y", "Compare 2 selected") and "d-none" not in classes
    _, label, classes = page.selected_link([{"id": f"a/m{n}"} for n in range(7)])
    assert label == "Tick at most 6 to compare" and "disabled" in classes
