"""Reading models from the Hub's API through `huggingface_hub`, against any endpoint.

Pages follow the API's cursor pagination (the `Link: rel="next"` header), but only on the
endpoint's own scheme, host and port: the token goes nowhere else. Every request goes through
`huggingface_hub.utils.http_stream_backoff`, which retries timeouts, 429 and 5xx with
exponential backoff and honours `Retry-After`; a body is read up to MAX_PAGE_BYTES, and one
that is cut short or not valid JSON is asked for again. Details (`--details`) are fetched
with bounded concurrency.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import quote, urljoin, urlsplit

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status, http_stream_backoff

from data.ingest.mapping import Rejected, hub_date
from data.ingest.pipeline import Skip

log = logging.getLogger(__name__)

SORTS = ("downloads", "likes", "createdAt", "lastModified", "trendingScore")
# The list fields the catalog stores (`expand[]`); detail adds siblings with sizes.
LIST_FIELDS = (
    "author",
    "cardData",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "private",
    "safetensors",  # its `total` declares the parameter count (data/ingest/mapping.py)
    "gguf",
    "sha",
    "tags",
    "trendingScore",
    "usedStorage",
)
PAGE_SIZE = 1000  # models asked for per page: a page with more than asked is refused
MAX_PAGE_BYTES = 64 * 2**20  # of a decoded body: a real page of 1,000 models is a few MB
BAD_BODY_RETRIES = 3
DEFAULT_PORTS = {"http": 80, "https": 443}
DETAIL_CONCURRENCY = 8
README_BYTES_AT_MOST = 1_000_000  # cards are cut to data.ingest.mapping.MAX_CARD_CHARS anyway


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Network failures as raised by the HTTP library huggingface_hub is built on."""
    errors: list[type[BaseException]] = [OSError]
    for module in ("httpx2", "httpx", "requests"):
        try:
            library = __import__(module)
        except ImportError:
            continue
        errors.append(getattr(library, "TransportError", None) or library.RequestException)
    return tuple(errors)


TRANSPORT_ERRORS = _transport_errors()


class HubError(RuntimeError):
    """The Hub could not be read; the message says what failed and what to check."""


class BadBody(ValueError):
    """A body cut short or not JSON: worth asking for again."""


class HubSource:
    """Models listed by the Hub, newest state first; iterate to fetch them page by page."""

    def __init__(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        sort: str = "downloads",
        limit: int | None = None,
        since: datetime | None = None,
        details: bool = False,
        timeout: float = 30.0,
        max_page_bytes: int = MAX_PAGE_BYTES,
    ):
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        # Only the configured endpoint is contacted: no telemetry or agent look-ups elsewhere.
        huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True
        self.api = HfApi(endpoint=endpoint, token=token or False, library_name="model-catalog")
        self.sort, self.limit, self.since = sort, limit, since
        self.details, self.timeout, self.max_page_bytes = details, timeout, max_page_bytes
        self.origin = _origin(self.api.endpoint)
        self.seen = 0
        self.newest_modified: datetime | None = None

    @property
    def total(self) -> int | None:
        return self.limit

    def __iter__(self) -> Iterator[dict | Skip]:
        listed = self._listed()
        yield from (self._with_details(listed) if self.details else listed)

    def _listed(self) -> Iterator[dict]:
        url: str | None = f"{self.api.endpoint}/api/models"
        params: list[tuple[str, str]] | None = [
            ("sort", self.sort),
            ("direction", "-1"),
            ("limit", str(self._page_size())),
            *(("expand[]", field) for field in LIST_FIELDS),
        ]
        while url:
            page, url = self._get_page(url, params)
            params = None  # the next link carries the query
            for record in page:
                if isinstance(record, dict):  # anything else: the mapping rejects it, with why
                    if self._past_high_water_mark(record):
                        return
                    self._note_modified(record)
                yield record
                self.seen += 1
                if self.limit is not None and self.seen >= self.limit:
                    return

    def _page_size(self) -> int:
        return min(PAGE_SIZE, self.limit) if self.limit else PAGE_SIZE

    def _get_page(self, url: str, params) -> tuple[list, str | None]:
        for attempt in range(1, BAD_BODY_RETRIES + 1):
            try:
                page, links = self._get(url, params)
            except BadBody as error:
                log.warning("page %s: %s (attempt %d)", url, error, attempt)
                time.sleep(attempt)
                continue
            if not isinstance(page, list):
                raise HubError(f"{url} did not answer with a list of models")
            if len(page) > self._page_size():
                raise HubError(f"{url} answered {len(page)} models for a page of {self._page_size()}; not read")
            return page, self._next_page(url, links)
        raise HubError(f"{url} answered a body cut short or not JSON {BAD_BODY_RETRIES} times; try again later")

    def _next_page(self, url: str, links: dict) -> str | None:
        """The next link, when it stays on the endpoint (the token must not go elsewhere)."""
        link = links.get("next", {}).get("url")
        if not link:
            return None
        link = urljoin(url, link)
        if _origin(link) != self.origin:
            raise HubError(f"{url} links its next page to {link!r}, off the Hub at {self.api.endpoint}; not followed")
        return link

    def _get(self, url: str, params=None) -> tuple[object, dict]:
        """The decoded JSON body of `url` and the response's links; BadBody when worth a retry."""
        headers = build_hf_headers(token=self.api.token, library_name="model-catalog")
        try:
            with http_stream_backoff(
                "GET",
                url,
                params=params,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                if _origin(str(response.url)) != self.origin:  # redirected: httpx dropped the token
                    raise HubError(
                        f"{url} was redirected to {response.url}, off the Hub at {self.api.endpoint}; not read"
                    )
                hf_raise_for_status(response)
                return _json(self._body(url, response)), response.links
        except HfHubHTTPError as error:
            raise HubError(f"the Hub at {self.api.endpoint} refused {url}: {error}") from None
        except TRANSPORT_ERRORS as error:
            raise HubError(
                f"cannot reach the Hub at {self.api.endpoint} ({error}); check HF_ENDPOINT and the network"
            ) from None

    def _body(self, url: str, response) -> bytes:
        """The decoded body, refused past `max_page_bytes` (a hostile or broken Hub)."""
        too_large = HubError(f"{url} answered more than {self.max_page_bytes} bytes; not read")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_page_bytes:
            raise too_large
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_page_bytes:
                    raise too_large
                chunks.append(chunk)
        except TRANSPORT_ERRORS as error:
            raise BadBody(f"body cut short ({error})") from None
        return b"".join(chunks)

    def _past_high_water_mark(self, record: dict) -> bool:
        """Sorted by lastModified (newest first), everything after the mark is already stored."""
        if self.since is None or self.sort != "lastModified":
            return False
        modified = _modified(record)
        return modified is not None and modified < self.since

    def _note_modified(self, record: dict) -> None:
        modified = _modified(record)
        if modified and (self.newest_modified is None or modified > self.newest_modified):
            self.newest_modified = modified

    def _with_details(self, listed: Iterable[dict]) -> Iterator[dict | Skip]:
        """Details in listing order, at most DETAIL_CONCURRENCY requests in flight."""
        with ThreadPoolExecutor(DETAIL_CONCURRENCY, thread_name_prefix="hub-detail") as pool:
            pending: deque = deque()
            for record in listed:
                pending.append(pool.submit(self._detail, record))
                if len(pending) >= 2 * DETAIL_CONCURRENCY:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    def _detail(self, record: dict) -> dict | Skip:
        repo_id = (record.get("id") or record.get("modelId")) if isinstance(record, dict) else None
        if not isinstance(repo_id, str):
            return record  # the mapping rejects it with a reason
        url = f"{self.api.endpoint}/api/models/{quote(repo_id, safe='/')}"
        try:
            detail, _ = self._get(url, [("blobs", "true")])
        except (HubError, BadBody) as error:
            return Skip(repo_id, f"detail unavailable: {error}")
        if not isinstance(detail, dict):
            return record
        card = self._readme(repo_id)
        return {**record, **detail, **({"card": card} if card else {})}

    def _readme(self, repo_id: str) -> str | None:
        """The model card (README.md) through the Hub's file URL; None when there is none."""
        url = hf_hub_url(repo_id, "README.md", endpoint=self.api.endpoint)
        headers = build_hf_headers(token=self.api.token, library_name="model-catalog")
        try:
            with http_stream_backoff("GET", url, headers=headers, timeout=self.timeout) as response:
                if response.status_code != 200 or _origin(str(response.url)) != self.origin:
                    return None
                body = self._body(url, response)
        except (HubError, BadBody) + TRANSPORT_ERRORS:
            return None
        return body[:README_BYTES_AT_MOST].decode("utf-8", errors="replace")


def _modified(record: dict) -> datetime | None:
    """lastModified when the mapping would keep it: a junk date moves no high-water mark."""
    value = record.get("lastModified")
    try:
        return hub_date(value) if value else None
    except Rejected:
        return None


def _json(body: bytes):
    try:
        return json.loads(body)  # lenient like the Hub's other clients: the mapping judges records
    except (ValueError, RecursionError) as error:
        raise BadBody(f"not valid JSON ({type(error).__name__})") from None


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, parts.hostname, port


def probe(endpoint: str, token: str | None = None, timeout: float = 5.0) -> str | None:
    """None when the Hub's model listing answers; otherwise why not (one try, no retries)."""
    huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True
    try:
        response = get_session().get(
            f"{endpoint}/api/models",
            params={"limit": 1},
            timeout=timeout,
            headers=build_hf_headers(token=token or False, library_name="model-catalog"),
        )
        hf_raise_for_status(response)
        response.json()
    except (HfHubHTTPError, ValueError) + TRANSPORT_ERRORS as error:
        return f"{type(error).__name__}: {error}".strip(": ")
    return None
