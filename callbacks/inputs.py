"""What a callback may trust of its inputs: nothing. A request to /_dash-update-component can
carry any JSON where a control's value belongs (a list for a text, an object, null, a number,
40,000 values), so each callback reads its arguments through these before using them."""

from __future__ import annotations

from urllib.parse import parse_qsl

from data.query import MAX_VALUES, SearchQuery, parse_query

MAX_TEXT_CHARS = 10_000  # far above any real control; the grammar then applies its own limits
MAX_WHOLE_NUMBER = 2**31 - 1  # an integer column (models.id) holds no more


def text(value: object) -> str:
    """A string as it is, a number as its digits; anything else (lists, objects, null) is ""."""
    if isinstance(value, str):
        return value[:MAX_TEXT_CHARS]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def texts(value: object, limit: int = MAX_VALUES) -> list[str]:
    """The strings of a list (a lone string counts as one), at most `limit` of them; a string
    with NUL is no stored value (PostgreSQL text cannot hold it), so it is dropped."""
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item[:MAX_TEXT_CHARS] for item in values if isinstance(item, str) and item and "\x00" not in item][:limit]


def whole_number(value: object) -> int | None:
    """A whole number from 0 within PostgreSQL's integer (a row id, a count), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_WHOLE_NUMBER:
        return value
    return None


def items(value: object, limit: int = 1_000) -> list:
    """A list's first `limit` items (of any type), or an empty list."""
    return value[:limit] if isinstance(value, list) else []


def mapping(value: object) -> dict:
    """A JSON object, or an empty one."""
    return value if isinstance(value, dict) else {}


def address_pairs(search_string: object) -> list[tuple[str, str]]:
    """The pairs of an address bar's query string ("?a=1&b=" or "a=1"; junk has none). Blank
    values are kept: every reader ignores what it does not know."""
    return parse_qsl(text(search_string).lstrip("?"), keep_blank_values=True)


def address_query(search_string: object) -> SearchQuery:
    """The search an address bar's query string says, read tolerantly (bad values: defaults)."""
    return parse_query(address_pairs(search_string), strict=False)
