"""The one query grammar of search: the API's parameters and the dashboard's URL state.

`parse_query` reads a query string's pairs into a `SearchQuery` (strictly for the API: a bad
value raises `QueryError` naming the parameter; tolerantly for the dashboard: bad values fall
back to defaults); `query_string` writes it back canonically (defaults dropped, keys sorted),
so one view has one URL and the same string works after `/` and after `/api/v1/models`.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import re
from collections.abc import Collection, Iterable
from datetime import date
from typing import Annotated, Literal, get_args
from urllib.parse import urlencode

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from data.arxiv import arxiv_id
from data.quality import MAX_SCORE
from data.vocabulary import (
    MAX_LIKES,
    MAX_LINEAGE_DEPTH,
    MAX_PARAMS,
    PARAMS_SUFFIXES,
    Lineage,
    Quantization,
    RelationType,
)

Sort = Literal["relevance", "downloads", "likes", "trending", "created", "updated", "params", "quality"]
SORTS: tuple[Sort, ...] = get_args(Sort)
Order = Literal["desc", "asc"]
ORDERS: tuple[Order, ...] = get_args(Order)
Facet = Literal["pipeline_tag", "library", "license", "language", "author", "arxiv", "has_card", "quant", "params"]
FACETS: tuple[Facet, ...] = get_args(Facet)
LIST_FIELDS = (
    *("author", "pipeline_tag", "library", "license", "language", "dataset", "tag", "relation", "quant", "arxiv"),
)
PARAMS_FIELDS = ("min_params", "max_params")
VIEW_FIELDS = ("sort", "order", "per_page", "page", "cursor", "facets")  # how models are shown, not which
MAX_TEXT = 200
MAX_VALUES = 50
DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100
MAX_PAGE = 10_000
PARAMS_PATTERN = re.compile(r"(\d+(?:\.\d+)?)([KMBT]?)", re.IGNORECASE)


def parse_params(value: object) -> object:
    """`7B`, `1.5b`, `350M`, `7000000000` → a parameter count; anything else is left for pydantic
    to refuse."""
    if not isinstance(value, str):
        return value
    found = PARAMS_PATTERN.fullmatch(value.strip().replace("_", ""))
    if not found:
        raise ValueError("a parameter count such as 7B, 1.5B, 350M or 7000000000")
    number, suffix = found.groups()
    return round(float(number) * PARAMS_SUFFIXES.get(suffix.upper(), 1))


def format_params(count: int) -> str:
    """The shortest exact spelling: 7000000000 → `7B`, 1500000000 → `1.5B`, 123 → `123`."""
    for suffix, size in sorted(PARAMS_SUFFIXES.items(), key=lambda item: -item[1]):
        if count >= size and (count * 1000) % size == 0:
            whole, part = divmod(count, size)
            decimals = f"{part * 1000 // size:03d}".rstrip("0")
            return f"{whole}.{decimals}{suffix}" if decimals else f"{whole}{suffix}"
    return str(count)


Params = Annotated[int, BeforeValidator(parse_params), Field(ge=0, le=MAX_PARAMS)]
ArxivId = Annotated[str, BeforeValidator(lambda value: arxiv_id(value) if isinstance(value, str) else value)]


class SearchQuery(BaseModel):
    """Search parameters; every one optional. Values of one field OR, fields AND."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str | None = Field(
        None,
        max_length=MAX_TEXT,
        description=(
            "id text: every whitespace-separated word must occur in the model id, case-insensitively; "
            "inside a word `-`, `_`, `.`, `/` and space are interchangeable"
        ),
    )
    card: str | None = Field(
        None,
        max_length=MAX_TEXT,
        description=('model-card text, English full-text search in web-search syntax: "quoted phrase", or, -word'),
    )
    author: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="authors (any of)")
    pipeline_tag: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="tasks (any of)")
    library: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="libraries (any of)")
    license: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="licences (any of)")
    language: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="language codes (any of)")
    dataset: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="training datasets (any of)")
    tag: list[str] = Field(default_factory=list, max_length=MAX_VALUES, description="tags (all required)")
    base_model: str | None = Field(None, max_length=MAX_TEXT, description="direct derivatives of this model id")
    descendant_of: str | None = Field(
        None, max_length=MAX_TEXT, description="descendants of this model id, at any depth (or within `depth`)"
    )
    ancestor_of: str | None = Field(
        None, max_length=MAX_TEXT, description="ancestors of this model id, at any height (or within `depth`)"
    )
    depth: int | None = Field(
        None, ge=1, le=MAX_LINEAGE_DEPTH, description="with descendant_of / ancestor_of: at most this many generations"
    )
    relation: list[RelationType] = Field(
        default_factory=list,
        description=(
            "relation type of the edge into each result (any of): on the shortest path from descendant_of, "
            "from base_model, else from any base"
        ),
    )
    lineage: Lineage | None = Field(
        None, description="the edge into each result declared by its author (typed tag, card data) or inferred"
    )
    licence_conflict: bool | None = Field(
        None, description="models whose licence conflicts with an ancestor's (true) or does not (false)"
    )
    min_params: Params | None = Field(
        None,
        description=(
            "at least this many parameters: 7B, 1.5B, 350M (declared by the Hub's metadata, else read from the id)"
        ),
    )
    max_params: Params | None = Field(None, description="at most this many parameters: 7B, 1.5B, 350M")
    quant: list[Quantization] = Field(default_factory=list, description="quantization formats (any of)")
    has_card: bool | None = Field(None, description="models with a model card (true) or without (false)")
    arxiv: list[ArxivId] = Field(
        default_factory=list,
        max_length=MAX_VALUES,
        description="models citing these arXiv papers (any of): 2106.09685, arxiv:2106.09685, an arxiv.org URL",
    )
    group: Literal["variants"] | None = Field(
        None,
        description=(
            "variants: one result per group, a model with its quantized and same-name variants folded under it "
            "(each result's `variants`: {count, ids} of the folded ones that match too); `total` counts groups"
        ),
    )
    gated: bool | None = Field(None, description="gated models only (true) or ungated only (false)")
    has_base_model: bool | None = Field(None, description="derivatives only (true) or base models only (false)")
    created_from: date | None = Field(None, description="created on or after (YYYY-MM-DD)")
    created_to: date | None = Field(None, description="created on or before (YYYY-MM-DD)")
    min_downloads: int | None = Field(None, ge=0, le=10**15)
    min_likes: int | None = Field(None, ge=0, le=MAX_LIKES)
    min_quality: int | None = Field(
        None,
        ge=0,
        le=MAX_SCORE,
        description="a quality score of at least this (0-100; the components and weights: GET /models/{id})",
    )
    sort: Sort | None = Field(None, description="default: relevance with q, downloads without")
    order: Order = "desc"
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(None, max_length=500, description="opaque; from meta.next_cursor")
    facets: list[Facet] = Field(default_factory=list, description="comma list: counts of the top values in the result")

    @property
    def effective_sort(self) -> str:
        """Relevance needs text: the card's rank when `card` is given, else the id's tiers."""
        has_text = bool(self.q or self.card)
        if self.sort == "relevance" and not has_text:
            return "downloads"
        return self.sort or ("relevance" if has_text else "downloads")


class QueryError(ValueError):
    """The one error for a request parameter that `data` cannot read (the search grammar, a
    cursor, a lineage bound); `parameter` names it. The API answers it 400 INVALID_PARAMETER."""

    def __init__(self, parameter: str, reason: str):
        super().__init__(f"{parameter}: {reason}")
        self.parameter, self.reason = parameter, reason


def parse_query(
    pairs: Iterable[tuple[str, str]], *, strict: bool = True, also_known: Collection[str] = ()
) -> SearchQuery:
    """Read query-string pairs. Tolerantly (the dashboard), unknown parameters and bad values are
    ignored; strictly (the API), either raises `QueryError`, an unknown name with the closest
    known one. `also_known`: a route's own parameters besides the grammar (say `format`).
    Repeated facet names count once."""
    scalars: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:
            if strict:
                raise QueryError(key.replace("\x00", ""), "NUL characters are not allowed")
            continue
        value = value.strip()
        if key in LIST_FIELDS:
            if value:
                lists.setdefault(key, []).append(value)
        elif key == "facets":  # a comma list, or repeated
            lists.setdefault(key, []).extend(part.strip() for part in value.split(",") if part.strip())
        elif key in SearchQuery.model_fields:
            if value != "":
                scalars[key] = value
        elif strict and key not in also_known:
            raise unknown_parameter(key, [*SearchQuery.model_fields, *also_known])
    if "facets" in lists:
        lists["facets"] = list(dict.fromkeys(lists["facets"]))
    return _validate({**scalars, **lists}, strict)


def unknown_parameter(name: str, known: Iterable[str]) -> QueryError:
    """The error for a parameter nobody reads, naming the closest known one (a typo, most likely)."""
    known = sorted(known)
    close = difflib.get_close_matches(name.lower(), known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
    return QueryError(name, f"unknown parameter ({hint})")


def _validate(raw: dict[str, object], strict: bool) -> SearchQuery:
    try:
        return SearchQuery(**raw)
    except ValidationError as error:
        problem = error.errors()[0]
        parameter, *item = problem["loc"]
        parameter = str(parameter)
        if strict:
            raise QueryError(parameter, problem["msg"]) from None
        values = raw[parameter]
        if item and isinstance(item[0], int) and isinstance(values, list):  # tolerant: one bad value of a list goes
            raw[parameter] = values[: item[0]] + values[item[0] + 1 :]
        else:  # tolerant: the bad value falls back to its default
            raw.pop(parameter)
        return _validate(raw, strict)


def query_pairs(query: SearchQuery) -> list[tuple[str, str]]:
    """The non-default parameters as pairs, keys sorted, repeated values sorted."""
    defaults = SearchQuery()
    pairs: list[tuple[str, str]] = []
    for name in sorted(SearchQuery.model_fields):
        value = getattr(query, name)
        if value == getattr(defaults, name):
            continue
        if name == "facets":
            pairs.append((name, ",".join(value)))
        elif isinstance(value, list):
            pairs += [(name, item) for item in sorted(value)]
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif name in PARAMS_FIELDS:
            pairs.append((name, format_params(value)))
        else:
            pairs.append((name, str(value)))
    return pairs


def query_string(query: SearchQuery, **changes) -> str:
    """The canonical query string, optionally with some parameters changed."""
    if changes:
        query = query.model_copy(update=changes)
    return urlencode(query_pairs(query))


def encode_cursor(values: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        raise QueryError("cursor", "not a cursor this API gave out") from None
    if not isinstance(values, dict):
        raise QueryError("cursor", "not a cursor this API gave out")
    return values
