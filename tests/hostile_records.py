"""Hostile Hub records: one per class that once stopped ingestion or stored junk, with the
reason (its class: the text before the first colon) the catalog must skip it with.

Records are plain JSON values as the Hub's API could send them, NaN and lone surrogates
included (Python's json writes and reads them; strict parsers refuse them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LONG = "x" * 9000  # past a btree key (about 2,700 bytes): index builds failed on it
NO_ID = "record without id"


@dataclass(frozen=True)
class Hostile:
    name: str
    record: Any
    reason: str  # the skip reason's class

    @property
    def where(self) -> str:
        """How the skip report names the record."""
        repo_id = self.record.get("id") if isinstance(self.record, dict) else None
        return repo_id if isinstance(repo_id, str) else NO_ID


def nested(depth: int) -> dict:
    card: dict = {"leaf": True}
    for _ in range(depth - 1):
        card = {"next": card}
    return card


def _model(name: str, **fields) -> dict:
    return {"id": f"hostile/{name}", "downloads": 1, "likes": 0, "tags": []} | fields


def corpus() -> list[Hostile]:
    return [
        Hostile(
            "card data 300 levels deep",
            _model("deep-card", cardData=nested(300)),
            "cardData nested deeper than 64 levels",
        ),
        Hostile(
            "file size 2^64-1",
            _model("huge-file", siblings=[{"rfilename": "model.bin", "size": 2**64 - 1}]),
            "file size is too large",
        ),
        Hostile("9 KB author", _model("long-author", author=LONG), "author is not a Hub user or organisation name"),
        Hostile("9 KB licence", _model("long-licence", cardData={"license": LONG}), "license longer than 1000 bytes"),
        Hostile("9 KB library", _model("long-library", library_name=LONG), "library_name longer than 1000 bytes"),
        Hostile("9 KB task", _model("long-task", pipeline_tag=LONG), "pipeline_tag longer than 1000 bytes"),
        Hostile(
            "9 KB file name",
            _model("long-file-name", siblings=[{"rfilename": LONG}]),
            "file name longer than 2000 bytes",
        ),
        Hostile("120,000 tags", _model("many-tags", tags=[f"t{n}" for n in range(120_000)]), "too many tags"),
        Hostile(
            "naive lastModified",
            _model("naive-date", lastModified="2024-05-01T00:00:00"),
            "lastModified has no time zone",
        ),
        Hostile("page item that is a number", 42, "expected a JSON object, got int"),
        Hostile("page item that is a list", ["hostile/in-a-list"], "expected a JSON object, got list"),
        Hostile("likes of 4,294,967,301", _model("many-likes", likes=4_294_967_301), "likes is too large"),
        Hostile(
            "id ending in a newline",
            _model("newline") | {"id": "hostile/newline\n"},
            "id is not a Hub id (author/name)",
        ),
        Hostile("id with ..", _model("dots") | {"id": "hostile/a..b"}, "id is not a Hub id (author/name)"),
        Hostile(
            "id with a trailing separator", _model("dash") | {"id": "hostile/name-"}, "id is not a Hub id (author/name)"
        ),
        Hostile(
            "id of non-ASCII letters", _model("unicode") | {"id": "hostile/ünïcode"}, "id is not a Hub id (author/name)"
        ),
        Hostile("over-long id", _model("long") | {"id": "hostile/" + "x" * 190}, "id longer than 193 characters"),
        Hostile("downloads as a string", _model("string-count", downloads="10"), "downloads is not an integer"),
        Hostile("tags as a string", _model("string-tags", tags="gguf"), "tags is not a list"),
        Hostile("private as a string", _model("string-flag", private="no"), "private is not true or false"),
        Hostile("negative likes", _model("negative", likes=-1), "likes is negative"),
        Hostile(
            "impossible date", _model("bad-date", createdAt="2024-13-45T00:00:00Z"), "createdAt is not an ISO date"
        ),
        Hostile("year 0", _model("year-0", createdAt="0000-01-01T00:00:00Z"), "createdAt is not an ISO date"),
        Hostile(
            "year 10000 once in UTC",
            _model("year-10000", createdAt="9999-12-31T23:00:00-05:00"),
            "createdAt is out of range",
        ),
        Hostile("before the Hub", _model("epoch", createdAt="1970-01-01T00:00:00Z"), "createdAt is out of range"),
        Hostile(
            "modified far ahead (it would become the high-water mark)",
            _model("future", lastModified="2999-01-01T00:00:00Z"),
            "lastModified is out of range",
        ),
        Hostile(
            "NaN trending score", _model("nan", trendingScore=float("nan")), "trendingScore is not a finite number"
        ),
        Hostile(
            "safetensors total of 10^18",
            _model("huge-size", safetensors={"total": 10**18}),
            "safetensors total is too large",
        ),
        Hostile(
            "negative safetensors total",
            _model("negative-size", safetensors={"total": -1}),
            "safetensors total is negative",
        ),
        Hostile(
            "safetensors total as a string",
            _model("string-size", safetensors={"total": "7B"}),
            "safetensors total is not an integer",
        ),
        Hostile("lone surrogate", _model("surrogate", pipeline_tag="text-\ud800"), "pipeline_tag is not valid Unicode"),
    ]


def write(path: Path, records: list) -> Path:
    """As a crawl would write them: a JSON array (.json) or a value a line (.jsonl)."""
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(record) + "\n" for record in records))
    else:
        path.write_text(json.dumps(records))
    return path
