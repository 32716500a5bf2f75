"""The API's JSON of `data`'s results, written in this one place: a dataclass becomes an object
of its fields (nested ones too), each named as the API has always named it."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any

# Field names the API spells otherwise: a model's id is `id` in every answer.
JSON_NAMES = {"repo_id": "id"}
SCALARS = (str, int, float, datetime, type(None))  # most fields: answered as they are, first


@cache
def _names(kind: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON name) of a dataclass's fields."""
    return tuple((field.name, JSON_NAMES.get(field.name, field.name)) for field in fields(kind))


def payload(value: Any) -> Any:
    """A dataclass (or a list or dict of them) as the JSON the API answers; anything else as it
    is. Fields are read, not deep-copied (`dataclasses.asdict` copied every value: 5 ms a page)."""
    if isinstance(value, SCALARS):
        return value
    if isinstance(value, list | tuple):
        return [payload(item) for item in value]
    if isinstance(value, dict):
        return {key: payload(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {name: payload(getattr(value, attribute)) for attribute, name in _names(type(value))}
    return value
