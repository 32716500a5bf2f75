"""Model-tree crawl files: `{"models": [{"model_id", "card", "metadata", …}]}`.

`metadata` is a JSON string of `vars(huggingface_hub.ModelInfo)` whose values were written
with `str()`: "123", "False", "None", "['a', 'b']". They are read back into the API's types
here; what cannot be read that way (card data as YAML text, `RepoSibling(...)` reprs) is left
out, so that the stored values are kept. `card` is the model's README.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

import orjson

from data.ingest.pipeline import Skip

UNREADABLE = frozenset(
    {
        "card_data",
        "cardData",
        "siblings",
        "widget_data",
        "model_index",
        "config",
        "transformers_info",
        "transformersInfo",
        "spaces",
    }
)
OBJECTS = frozenset({"safetensors", "gguf"})  # kept when the crawl wrote them as JSON objects
INTEGER = re.compile(r"-?\d{1,19}")


def is_model_tree(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("models"), list) and "id" not in document


def model_tree_records(where: str, document: dict) -> Iterator[dict | Skip]:
    for number, entry in enumerate(document["models"]):
        record = _record(entry)
        yield record if isinstance(record, dict) else Skip(f"{where}#{number}", record)


def _record(entry: Any) -> dict | str:
    """The entry as an API record, or why it cannot be one."""
    if not isinstance(entry, dict) or not isinstance(entry.get("metadata"), str):
        return "model-tree entry without metadata"
    try:
        metadata = orjson.loads(entry["metadata"])
    except orjson.JSONDecodeError:
        return f"model-tree entry without metadata ({entry['metadata'][:20]!r})"
    if not isinstance(metadata, dict):
        return "model-tree metadata is not an object"
    record = {
        key: _value(value)
        for key, value in metadata.items()
        if key not in UNREADABLE and (key not in OBJECTS or isinstance(value, dict))
    }
    record["id"] = entry.get("model_id") or record.get("id")
    if isinstance(entry.get("card"), str):
        record["card"] = entry["card"]
    return record


def _value(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value in ("None", "True", "False"):
        return {"None": None, "True": True, "False": False}[value]
    if INTEGER.fullmatch(value):
        return int(value)
    if value.startswith("[") and value.endswith("]"):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
        return parsed if isinstance(parsed, list) else value
    return value
