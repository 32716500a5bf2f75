"""One Hub API record (a dict of the API's JSON) → the rows the catalog stores, or a rejection."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson

from data.ingest.variants import params_from_name, quant_of, variant_base
from data.ingest.vocabulary import ADAPTER_SIGNS, LANGUAGE_CODES, LIBRARY_TAGS, QUANTIZED_SIGNS
from data.vocabulary import MAX_LIKES, MAX_PARAMS, RELATION_TYPES

# What one record may hold; a record beyond any of these is skipped with the reason.
MAX_NAME_LENGTH = 96  # of an author and of a repository name, as on the Hub
MAX_ID_LENGTH = 2 * MAX_NAME_LENGTH + 1
MAX_KEY_BYTES = 2000  # a tag or a file name: a btree key holds about 2,700 bytes
MAX_LABEL_BYTES = 1000  # a licence, library or task: two share a btree key (task, library)
MAX_TAGS = 10_000  # the most tagged model of the Hub has about 4,000
MAX_CARD_DEPTH = 64  # real card data nests under 10 levels; orjson gives up at 255
MAX_BIGINT = 2**63 - 1  # counts, storage and file sizes are signed 64-bit
# Dates: the Hub began in 2016, so earlier is junk; later than a day ahead (clock skew) too.
# Keeping only these keeps every stored date readable as an aware datetime in UTC.
EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DATE_AHEAD = timedelta(days=1)
# A Hub name: ASCII letters, digits, ".", "_", "-"; no "..", no "." or "-" at either end.
NAME = rf"(?![.-])(?!.*\.\.)[A-Za-z0-9._-]{{1,{MAX_NAME_LENGTH}}}(?<![.-])"
NAME_PATTERN = re.compile(NAME)
ID_PATTERN = re.compile(rf"(?:{NAME}/)?{NAME}")  # legacy ids have no author
# A base model as cards name it: looser, since real ones end in "." ("runwayml/stable-diffusion-v1-5.").
REFERENCE_PATTERN = re.compile(r"(?!.*\.\.)[\w.-]+(?:/[\w.-]+)?")
MAX_CARD_CHARS = 100_000  # a card's text beyond this is cut: its tsvector stays far below 1 MB
CARD_KEYS = ("card", "card_text")  # the README text, as the model-tree files and --details name it
UNSTORABLE_CARD_CHARACTERS = str.maketrans("", "", "\x00\x02\x03")  # NUL; snippet markers (search)
HUB_URL_PREFIX = re.compile(r"^https?://(www\.)?huggingface\.co/")
NAME_WORDS = re.compile(r"[-_./]+")
PREFIXED_TAG_TYPES = {
    "license": "license",
    "dataset": "dataset",
    "arxiv": "arxiv",
    "region": "region",
    "base_model": "base_model",
}
# The API's camelCase keys, and the snake_case ones of `vars(huggingface_hub.ModelInfo)`.
ALIASES = {
    "created_at": "createdAt",
    "last_modified": "lastModified",
    "card_data": "cardData",
    "trending_score": "trendingScore",
    "downloads_all_time": "downloadsAllTime",
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
    params: int | None = None
    params_source: str | None = None  # declared (safetensors or GGUF metadata) / inferred (from the id)
    quant: str | None = None
    variant_base: str | None = None  # the lower-case id this is a variant of by name (data/ingest/variants.py)
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
    author = _author(record) or (repo_id.split("/", 1)[0] if "/" in repo_id else repo_id)
    tags = _tags(record)
    card = _card_data(record)
    library = _label(record, "library_name")
    name = repo_id.split("/", 1)[-1]
    params, params_source = _params(record, name)
    model = ModelRecord(
        repo_id=repo_id,
        author=author,
        name=name,
        pipeline_tag=_label(record, "pipeline_tag"),
        library_name=library,
        license=_license(tags, card),
        tags=tags,
        downloads=_count(record, "downloads") or 0,
        downloads_all_time=_count(record, "downloadsAllTime"),
        likes=_count(record, "likes", MAX_LIKES) or 0,
        trending_score=_number(record, "trendingScore"),
        created_at=_date(record, "createdAt"),
        last_modified=_date(record, "lastModified"),
        gated=_gated(record.get("gated")),
        private=_flag(record, "private"),
        disabled=_flag(record, "disabled"),
        sha=_text(record, "sha"),
        card_data=card,
        used_storage=_count(record, "usedStorage"),
        record_hash=digest or record_digest(raw),
        params=params,
        params_source=params_source,
        quant=quant_of(name, tags, library),
        variant_base=variant_base(repo_id),
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


# Storage types that pack several weights in one element (GPTQ, AWQ and MLX in 32-bit words,
# bitsandbytes 4-bit two to a byte): a safetensors total holding them counts elements, not
# parameters (the Hub shows TheBloke's 7B GPTQ repos as 1.1B), so the id says the size instead.
PACKED_TYPES = frozenset({"I32", "U32", "U8"})


def _params(record: dict, name: str) -> tuple[int | None, str | None]:
    """(count, source): the safetensors total unless it counts packed elements, else the GGUF
    metadata's total, else what the id says; (None, None) when none does."""
    safetensors = _metadata(record, "safetensors")
    declared = _params_total(safetensors, "safetensors")
    if declared is not None and PACKED_TYPES & set(_parameter_types(safetensors)):
        declared = None
    if declared is None:
        declared = _params_total(_metadata(record, "gguf"), "gguf")
    if declared is not None:
        return declared, "declared"
    inferred = params_from_name(name)
    return (inferred, "inferred") if inferred is not None else (None, None)


def _metadata(record: dict, key: str) -> dict | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Rejected(f"{key} is not an object")
    return value


def _params_total(metadata: dict | None, key: str) -> int | None:
    """A metadata object's `total`: a positive integer up to MAX_PARAMS (0 says nothing)."""
    total = (metadata or {}).get("total")
    if total is None:
        return None
    if isinstance(total, bool) or not isinstance(total, int):
        raise Rejected(f"{key} total is not an integer: {total!r:.40}")
    if total < 0:
        raise Rejected(f"{key} total is negative: {total}")
    if total > MAX_PARAMS:
        raise Rejected(f"{key} total is too large: {total} (at most {MAX_PARAMS})")
    return total or None


def _parameter_types(safetensors: dict | None) -> list[str]:
    types = (safetensors or {}).get("parameters")
    if types is None:
        return []
    if not isinstance(types, dict):
        raise Rejected("safetensors parameters is not an object")
    return [kind for kind in types if isinstance(kind, str)]


def _repo_id(record: dict) -> str:
    repo_id = record.get("id", record.get("modelId"))
    if not isinstance(repo_id, str) or not repo_id:
        raise Rejected("missing id")
    if len(repo_id) > MAX_ID_LENGTH:
        raise Rejected(f"id longer than {MAX_ID_LENGTH} characters: {repo_id[:80]!r}")
    if not ID_PATTERN.fullmatch(repo_id):
        raise Rejected(f"id is not a Hub id (author/name): {repo_id[:80]!r}")
    return repo_id


def _author(record: dict) -> str | None:
    author = _text(record, "author")
    if author is not None and not NAME_PATTERN.fullmatch(author):
        raise Rejected(f"author is not a Hub user or organisation name: {author[:80]!r}")
    return author


def _text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Rejected(f"{key} is not a string")
    if not _encodable(value):
        raise Rejected(f"{key} is not valid Unicode: {value[:40]!r}")
    return value.replace("\x00", "")


def _label(record: dict, key: str) -> str | None:
    """A short indexed text (task, library): bounded so that its index can be built."""
    return _bounded(key, _text(record, key), MAX_LABEL_BYTES)


def _bounded(key: str, value: str | None, max_bytes: int) -> str | None:
    if value is not None and len(value.encode()) > max_bytes:
        raise Rejected(f"{key} longer than {max_bytes} bytes: {value[:40]!r}")
    return value


def _encodable(value: str) -> bool:
    """False for lone surrogates (which a lenient JSON parser lets through): no UTF-8 for them."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _count(record: dict, key: str, maximum: int = MAX_BIGINT) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected(f"{key} is not an integer: {value!r:.40}")
    if value < 0:
        raise Rejected(f"{key} is negative: {value}")
    if value > maximum:
        raise Rejected(f"{key} is too large: {value} (at most {maximum})")
    return value


def _number(record: dict, key: str) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected(f"{key} is not a number: {value!r:.40}")
    if not math.isfinite(value):
        raise Rejected(f"{key} is not a finite number: {value!r:.40}")
    return float(value)


def _flag(record: dict, key: str) -> bool:
    value = record.get(key)
    if value is not None and not isinstance(value, bool):
        raise Rejected(f"{key} is not true or false: {value!r:.40}")
    return bool(value)


def _date(record: dict, key: str) -> datetime | None:
    value = record.get(key)
    if value is None:
        return None
    try:
        return hub_date(value)
    except Rejected as error:
        raise Rejected(f"{key} {error}") from None


def hub_date(value: Any) -> datetime:
    """An ISO date with a time zone, in UTC and within the dates the Hub can have written."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        raise Rejected(f"is not an ISO date: {value!r:.40}") from None
    if parsed.tzinfo is None:
        raise Rejected(f"has no time zone: {value!r:.40}")
    try:
        parsed = parsed.astimezone(UTC)
        in_range = EARLIEST_DATE <= parsed <= datetime.now(UTC) + LATEST_DATE_AHEAD
    except OverflowError:  # year 0 or 10000 once in UTC
        in_range = False
    if not in_range:
        raise Rejected(f"is out of range: {value!r:.40} (before {EARLIEST_DATE.year} or over a day ahead)")
    return parsed


def _tags(record: dict) -> list[str]:
    tags = record.get("tags") or []
    if not isinstance(tags, list):
        raise Rejected("tags is not a list")
    if len(tags) > MAX_TAGS:
        raise Rejected(f"too many tags: {len(tags)} (at most {MAX_TAGS})")
    for tag in tags:
        if not isinstance(tag, str):
            raise Rejected(f"tag is not a string: {tag!r:.40}")
        if not _encodable(tag):
            raise Rejected(f"tag is not valid Unicode: {tag[:40]!r}")
        if not tag or "\x00" in tag or len(tag.encode()) > MAX_KEY_BYTES:
            raise Rejected(f"tag is empty, over {MAX_KEY_BYTES} bytes or has a NUL byte: {tag[:40]!r}")
    return tags


def _card_data(record: dict) -> dict | None:
    card = record.get("cardData")
    if card is None:
        return None
    if not isinstance(card, dict):
        raise Rejected("cardData is not an object")
    if _depth(card) > MAX_CARD_DEPTH:
        raise Rejected(f"cardData nested deeper than {MAX_CARD_DEPTH} levels")
    try:
        encoded = orjson.dumps(card)
    except TypeError as error:  # orjson.JSONEncodeError: lone surrogates, odd types
        raise Rejected(f"cardData is not valid JSON: {error}") from None
    if b"\\u0000" in encoded:  # PostgreSQL's jsonb cannot hold NUL characters
        card = orjson.loads(encoded.replace(b"\\u0000", b""))
    return card


def _card_text(record: dict) -> str | None:
    for key in CARD_KEYS:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value[:MAX_CARD_CHARS].translate(UNSTORABLE_CARD_CHARACTERS)
    return None


def _depth(value: Any) -> int:
    """How deep objects and arrays nest, without recursion (hostile data nests thousands deep)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_CARD_DEPTH:  # deeper is rejected anyway: stop walking
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


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
        if not _encodable(name):
            raise Rejected(f"file name is not valid Unicode: {name[:40]!r}")
        _bounded("file name", name, MAX_KEY_BYTES)
        blob = sibling.get("blobId")
        blob = blob if isinstance(blob, str) and _encodable(blob) else None
        files[name] = (name, _file_size(sibling), blob)
    return list(files.values())


def _file_size(sibling: dict) -> int | None:
    size = sibling.get("size")
    lfs = sibling.get("lfs")
    if not isinstance(lfs, dict):
        lfs = {}
    size = size if isinstance(size, int) and size >= 0 else lfs.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return None
    if size > MAX_BIGINT:
        raise Rejected(f"file size is too large: {size} (at most {MAX_BIGINT})")
    return size


def _license(tags: list[str], card: dict | None) -> str | None:
    for tag in tags:
        if tag.startswith("license:"):
            return _bounded("license", tag.removeprefix("license:"), MAX_LABEL_BYTES)
    value = (card or {}).get("license")
    if isinstance(value, list):
        value = value[0] if value else None
    return _bounded("license", value, MAX_LABEL_BYTES) if isinstance(value, str) and value else None


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
        declared, colon, parent = rest.partition(":")
        if colon and declared in RELATION_TYPES:
            candidates.append((parent, declared, "typed_tag"))
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
        elif len(parent) > MAX_ID_LENGTH or not REFERENCE_PATTERN.fullmatch(parent):
            model.dropped_relations += 1
        else:
            parents.setdefault(key, (parent, kind, source))
    model.relations = [
        Relation(parent, _inferred_relation(model, len(parents)) if kind is None else kind, kind is not None, source)
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
