"""The API's JSON of `data`'s results, written in this one place: a dataclass becomes an object
of its fields (nested ones too), each named as the API has always named it."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

# Field names the API spells otherwise: a model's id is `id` in every answer.
JSON_NAMES = {"repo_id": "id"}


def _object(fields: list[tuple[str, Any]]) -> dict[str, Any]:
    return {JSON_NAMES.get(name, name): value for name, value in fields}


def payload(value: Any) -> Any:
    """A dataclass (or a list of them) as the JSON the API answers; anything else as it is."""
    if isinstance(value, list):
        return [payload(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value, dict_factory=_object)
    return value
