"""Reading the search page's controls as its layout sets them (components/search.py's CONTROLS)."""

from __future__ import annotations

from callbacks import search as page
from callbacks.inputs import address_pairs
from components import search as view
from tests.dash_tree import walk


def controls_of(url_query: str) -> dict[str, object]:
    """What the search page's layout puts in its controls for this URL, by SearchQuery field."""
    body, _title = page.layout(None, address_pairs(url_query))
    by_id = {getattr(c, "id", None): c for c in walk(body)}
    return {field: getattr(by_id[component], prop) for field, (component, prop) in view.CONTROLS.items()}
