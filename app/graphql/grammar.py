"""The search grammar of GET /api/v1/models as GraphQL arguments: a `ModelFilter` input with one
field per filter of `data.query.SearchQuery` (made from it, so the two never drift), `sort` and
`order` enums, and `first`/`after` for the page. Values are read by the same `parse_query`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any, NewType, get_args, get_origin

import strawberry
from strawberry.utils.str_converters import to_camel_case

from data.query import DEFAULT_PER_PAGE, MAX_PER_PAGE, ORDERS, SORTS, VIEW_FIELDS, QueryError, SearchQuery, parse_query

DEFAULT_FIRST = DEFAULT_PER_PAGE
MAX_FIRST = MAX_PER_PAGE
# GraphQL's argument of the grammar's view parameters and of the lineage walk's bound.
ARGUMENTS = {"per_page": "first", "cursor": "after", "limit": "first"}

Long = NewType("Long", int)
LONG_SCALAR = strawberry.scalar(
    name="Long",
    serialize=int,
    parse_value=int,
    description="An integer beyond GraphQL's 32 bits: downloads, byte sizes, parameter counts",
)


def enum_of(name: str, values: Iterable[str]) -> Any:
    """A GraphQL enum of a vocabulary: each value by its name in capitals."""
    return strawberry.enum(Enum(name, {value.upper(): value for value in values}), name=name)  # type: ignore[call-overload]


ModelSort = enum_of("ModelSort", SORTS)
SortOrder = enum_of("SortOrder", ORDERS)


def _graphql_type(annotation: Any) -> Any:
    """A filter's GraphQL type: lists of strings, booleans, integers, else a string (dates,
    parameter counts such as 7B and the grammar's vocabularies are read by the grammar)."""
    if get_origin(annotation) is list:
        return list[str] | None
    kinds = set(get_args(annotation)) - {type(None)} or {annotation}
    if kinds == {bool}:
        return bool | None
    if kinds == {int}:
        return Long | None
    return str | None


def _filter_input() -> type:
    fields = {name: info for name, info in SearchQuery.model_fields.items() if name not in VIEW_FIELDS}
    namespace: dict[str, Any] = {
        "__annotations__": {name: _graphql_type(info.annotation) for name, info in fields.items()}
    }
    for name, info in fields.items():
        namespace[name] = strawberry.field(default=None, description=info.description)
    return strawberry.input(
        type("ModelFilter", (), namespace),
        description="Filters of the search grammar: AND across fields, OR within one",
    )


ModelFilter = _filter_input()


def filter_pairs(filters: Any) -> list[tuple[str, str]]:
    """A ModelFilter as the query string's pairs."""
    pairs: list[tuple[str, str]] = []
    for name in ModelFilter.__annotations__:
        value = getattr(filters, name, None) if filters is not None else None
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        pairs += [(name, ("true" if item else "false") if isinstance(item, bool) else str(item)) for item in values]
    return pairs


def query(pairs: Iterable[tuple[str, str]], sort: Any, order: Any, first: int, after: str | None) -> SearchQuery:
    """The SearchQuery of these filters and this page; a bad value raises QueryError."""
    view = [("per_page", str(first))]
    view += [("sort", sort.value)] if sort is not None else []
    view += [("order", order.value)] if order is not None else []
    view += [("cursor", after)] if after else []
    return parse_query([*pairs, *view])


def argument_name(parameter: str) -> str:
    """The GraphQL argument of a parameter a QueryError names (`pipeline_tag` → `pipelineTag`)."""
    return ARGUMENTS.get(parameter) or to_camel_case(parameter)


def check_first(first: int, most: int = MAX_FIRST) -> None:
    if not 1 <= first <= most:
        raise QueryError("first", f"must be between 1 and {most}")
