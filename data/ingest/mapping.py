"""One Hub API record (a dict of the API's JSON) → the rows the catalog stores, or a rejection."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from data.ingest.vocabulary import ADAPTER_SIGNS, LANGUAGE_CODES, LIBRARY_TAGS, QUANTIZED_SIGNS
from data.models import RELATION_TYPES

MAX_ID_LENGTH = 200
MAX_TAG_BYTES = 2000  # a btree key holds about 2,700 bytes
MAX_CARD_CHARS = 100_000  # a card's text beyond this is cut: its tsvector stays far below 1 MB
CARD_KEYS = ("card", "card_text")  # the README text, as the model-tree files and --details name it
UNSTORABLE_CARD_CHARACTERS = str.maketrans("", "", "\x00\x02\x03")  # NUL; snippet markers (search)
ID_PATTERN = re.compile(r"^[\w.\-]+(/[\w.\-]+)?$")
HUB_URL_PREFIX = re.compile(r"^https?://(www\.)?huggingface\.co/")
NAME_WORDS = re.compile(r"[-_./]+")
PREFIXED_TAG_TYPES = {
    "license": "license", "dataset": "dataset", "arxiv": "arxiv", "region": "region",
    "base_model": "base_model",
}
# The API's camelCase keys, and the snake_case ones of `vars(huggingface_hub.ModelInfo)`.
ALIASES = {
    "created_at": "createdAt", "last_modified": "lastModified", "card_data": "cardData",
    "trending_score": "trendingScore", "downloads_all_time": "downloadsAllTime",
    "used_storage": "usedStorage",
}


class Rejected(ValueError):
    """A record the catalog cannot store; the message says why."""


@dataclass(slots=True)
class Relation:
    base_model_id: str
    relation_type: str
    declared: bool
    source: str  # typed_tag / card_data / untyped_tag


@dataclass(slots=True)
class ModelRecord:
    repo_id: str
    author: str
    name: str
    pipeline_tag: str | None
    library_name: str | None
    license: str | None
    tags: list[str]
    downloads: int
    downloads_all_time: int | None
    likes: int
    trending_score: float | None
    created_at: datetime | None
    last_modified: datetime | None
    gated: str | None
    private: bool
    disabled: bool
    sha: str | None
    card_data: dict | None
    used_storage: int | None
    record_hash: str
    card: str | None = None  # the README text; None when the record has none: keep what is stored
    # None when the record does not list files (list pages): keep what is stored.
    siblings: list[tuple[str, int | None, str | None]] | None = None
    tag_types: list[tuple[str, str]] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    datasets: list[tuple[str, str]] = field(default_factory=list)
    has_self_loop: bool = False  # named itself as its base: dropped, counted
    dropped_relations: int = 0


def record_digest(raw: Any) -> str:
    """A digest of the record as received: the same record is never written twice."""
    try:
        encoded = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        encoded = repr(raw).encode()
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def map_record(raw: Any, digest: str | None = None) -> ModelRecord:
    """Map one API record; raise `Rejected` with the reason when it is malformed."""
    if not isinstance(raw, dict):
        raise Rejected(f"expected a JSON object, got {type(raw).__name__}")
    record = {ALIASES.get(key, key): value for key, value in raw.items()}
    repo_id = _repo_id(record)
    author = _text(record, "author") or (repo_id.split("/", 1)[0] if "/" in repo_id else repo_id)
    tags = _tags(record)
    card = _card_data(record)
    library = _text(record, "library_name")
    model = ModelRecord(
        repo_id=repo_id,
        author=author,
        name=repo_id.split("/", 1)[-1],
        pipeline_tag=_text(record, "pipeline_tag"),
        library_name=library,
        license=_license(tags, card),
        tags=tags,
        downloads=_count(record, "downloads") or 0,
        downloads_all_time=_count(record, "downloadsAllTime"),
        likes=_count(record, "likes") or 0,
        trending_score=_number(record, "trendingScore"),
        created_at=_date(record, "createdAt"),
        last_modified=_date(record, "lastModified"),
        gated=_gated(record.get("gated")),
        private=bool(record.get("private", False)),
        disabled=bool(record.get("disabled", False)),
        sha=_text(record, "sha"),
        card_data=card,
        used_storage=_count(record, "usedStorage"),
        record_hash=digest or record_digest(raw),
        card=_card_text(record),
        siblings=_siblings(record),
        tag_types=[(tag, tag_type(tag, library)) for tag in dict.fromkeys(tags)],
        datasets=_datasets(tags, card),
    )
    _add_relations(model, card)
    return model


def tag_type(tag: str, library_name: str | None = None) -> str:
    if tag == library_name:
        return "library"
    return _tag_type(tag)


@lru_cache(maxsize=200_000)
def _tag_type(tag: str) -> str:
    prefix, colon, _ = tag.partition(":")
    if colon and prefix in PREFIXED_TAG_TYPES:
        return PREFIXED_TAG_TYPES[prefix]
    if tag in LANGUAGE_CODES:
        return "language"
    if tag in LIBRARY_TAGS:
        return "library"
    return "other"


def _repo_id(record: dict) -> str:
    repo_id = record.get("id", record.get("modelId"))
    if not isinstance(repo_id, str) or not repo_id:
        raise Rejected("missing id")
    if len(repo_id) > MAX_ID_LENGTH:
        raise Rejected(f"id longer than {MAX_ID_LENGTH} characters")
    if not ID_PATTERN.match(repo_id):
        raise Rejected(f"id {repo_id[:80]!r} is not of the form author/name")
    return repo_id


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Rejected(f"{key} is not a string")
    return value.replace("\x00", "")


def _count(record: dict, key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected(f"{key} is not an integer: {value!r:.40}")
    if value < 0:
        raise Rejected(f"{key} is negative: {value}")
    if value >= 2**63:
        raise Rejected(f"{key} is too large: {value}")
    return value


def _number(record: dict, key: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"{key} is not a number: {value!r:.40}")
    return float(value)


def _date(record: dict, key: str) -> datetime | None:
    value = record.get(key)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise Rejected(f"{key} is not an ISO date: {value!r:.40}") from None
    if parsed.tzinfo is None:
        raise Rejected(f"{key} has no time zone: {value!r:.40}")
    return parsed


def _tags(record: dict) -> list[str]:
    tags = record.get("tags") or []
    if not isinstance(tags, list):
        raise Rejected("tags is not a list")
    for tag in tags:
        if not isinstance(tag, str):
            raise Rejected(f"tag is not a string: {tag!r:.40}")
        if not tag or "\x00" in tag or len(tag.encode()) > MAX_TAG_BYTES:
            raise Rejected(f"tag is empty, over {MAX_TAG_BYTES} bytes or has a NUL byte: {tag[:40]!r}")
    return tags


def _card_data(record: dict) -> dict | None:
    card = record.get("cardData")
    if card is None:
        return None
    if not isinstance(card, dict):
        raise Rejected("cardData is not an object")
    encoded = orjson.dumps(card)
    if b"\\u0000" in encoded:  # PostgreSQL's jsonb cannot hold NUL characters
        card = orjson.loads(encoded.replace(b"\\u0000", b""))
    return card


def _card_text(record: dict) -> str | None:
    for key in CARD_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value[:MAX_CARD_CHARS].translate(UNSTORABLE_CARD_CHARACTERS)
    return None


def _gated(value: Any) -> str | None:
    if value in (None, False, "false", "False"):
        return None
    if value is True:
        return "auto"
    if value in ("auto", "manual"):
        return value
    raise Rejected(f"gated is not false, 'auto' or 'manual': {value!r:.40}")


def _siblings(record: dict) -> list[tuple[str, int | None, str | None]] | None:
    siblings = record.get("siblings")
    if siblings is None:
        return None
    if not isinstance(siblings, list):
        raise Rejected("siblings is not a list")
    files: dict[str, tuple[str, int | None, str | None]] = {}
    for sibling in siblings:
        name = sibling.get("rfilename") if isinstance(sibling, dict) else None
        if not isinstance(name, str) or not name:
            raise Rejected("a sibling has no rfilename")
        size = sibling.get("size")
        lfs = sibling.get("lfs") if isinstance(sibling.get("lfs"), dict) else {}
        size = size if isinstance(size, int) and size >= 0 else lfs.get("size")
        blob = sibling.get("blobId")
        files[name] = (name, size if isinstance(size, int) else None, blob if isinstance(blob, str) else None)
    return list(files.values())


def _license(tags: list[str], card: dict | None) -> str | None:
    for tag in tags:
        if tag.startswith("license:"):
            return tag.removeprefix("license:")
    value = (card or {}).get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _datasets(tags: list[str], card: dict | None) -> list[tuple[str, str]]:
    found = {tag.removeprefix("dataset:"): "tag" for tag in tags if tag.startswith("dataset:")}
    for dataset in _strings((card or {}).get("datasets")):
        dataset = HUB_URL_PREFIX.sub("", dataset.strip()).removeprefix("datasets/")
        if dataset and len(dataset) <= MAX_ID_LENGTH:
            found.setdefault(dataset, "card_data")
    return list(found.items())


def _add_relations(model: ModelRecord, card: dict | None) -> None:
    """Lineage in order of trust: typed tags, card data, untyped tags (type inferred)."""
    candidates: list[tuple[str, str | None, str]] = []
    for tag in model.tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag.removeprefix("base_model:")
        kind, colon, parent = rest.partition(":")
        if colon and kind in RELATION_TYPES:
            candidates.append((parent, kind, "typed_tag"))
        elif not colon:
            candidates.append((rest, None, "untyped_tag"))
    card = card or {}
    card_relation = card.get("base_model_relation")
    card_relation = card_relation if card_relation in RELATION_TYPES else None
    card_parents = [HUB_URL_PREFIX.sub("", p.strip()) for p in _strings(card.get("base_model"))]
    ordered = [c for c in candidates if c[2] == "typed_tag"]
    ordered += [(parent, card_relation, "card_data") for parent in card_parents]
    ordered += [c for c in candidates if c[2] == "untyped_tag"]

    parents: dict[str, tuple[str, str | None, str]] = {}
    own_id = model.repo_id.lower()
    for parent, kind, source in ordered:
        parent = parent.strip()  # real tags include "base_model: org/name"
        key = parent.lower()
        if key == own_id:
            model.has_self_loop = True
        elif not ID_PATTERN.match(parent) or len(parent) > MAX_ID_LENGTH:
            model.dropped_relations += 1
        else:
            parents.setdefault(key, (parent, kind, source))
    inferred = None
    if any(kind is None for _, kind, _ in parents.values()):
        inferred = _inferred_relation(model, len(parents))
    model.relations = [
        Relation(parent, kind or inferred, kind is not None, source)
        for parent, kind, source in parents.values()
    ]


def _inferred_relation(model: ModelRecord, parent_count: int) -> str:
    if parent_count > 1:
        return "merge"
    signs = {tag.lower() for tag in model.tags} | set(NAME_WORDS.split(model.name.lower()))
    if model.library_name:
        signs.add(model.library_name.lower())
    if signs & QUANTIZED_SIGNS:
        return "quantized"
    if signs & ADAPTER_SIGNS:
        return "adapter"
    return "finetune"
