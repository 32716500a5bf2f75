"""Reading models from the Hub's API through `huggingface_hub`, against any endpoint.

Pages follow the API's cursor pagination (the `Link: rel="next"` header). Every request
goes through `huggingface_hub.utils.http_backoff`, which retries timeouts, 429 and 5xx with
exponential backoff and honours `Retry-After`; a page whose body is not valid JSON is asked
for again too. Details (`--details`) are fetched with bounded concurrency.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import quote

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status, http_backoff

from data.ingest.pipeline import Skip

log = logging.getLogger(__name__)

SORTS = ("downloads", "likes", "createdAt", "lastModified", "trendingScore")
# The list fields the catalog stores (`expand[]`); detail adds siblings with sizes.
LIST_FIELDS = (
    "author", "cardData", "createdAt", "disabled", "downloads", "downloadsAllTime", "gated",
    "lastModified", "library_name", "likes", "pipeline_tag", "private", "sha", "tags",
    "trendingScore", "usedStorage",
)
PAGE_SIZE = 1000
BAD_BODY_RETRIES = 3
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
    ):
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        # Only the configured endpoint is contacted: no telemetry or agent look-ups elsewhere.
        huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True
        self.api = HfApi(endpoint=endpoint, token=token or False, library_name="model-catalog")
        self.sort, self.limit, self.since = sort, limit, since
        self.details, self.timeout = details, timeout
        self.seen = 0
        self.newest_modified: datetime | None = None

    @property
    def total(self) -> int | None:
        return self.limit

    def __iter__(self) -> Iterator[dict | Skip]:
        listed = self._listed()
        yield from (self._with_details(listed) if self.details else listed)

    def _listed(self) -> Iterator[dict]:
        url = f"{self.api.endpoint}/api/models"
        params: list[tuple[str, str]] | None = [
            ("sort", self.sort), ("direction", "-1"), ("limit", str(self._page_size())),
            *(("expand[]", field) for field in LIST_FIELDS),
        ]
        while url:
            page, url = self._get_page(url, params)
            params = None  # the next link carries the query
            for record in page:
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
            response = self._get(url, params)
            try:
                page = response.json()
            except ValueError:
                log.warning("page %s was not valid JSON (attempt %d)", url, attempt)
                time.sleep(attempt)
                continue
            if not isinstance(page, list):
                raise HubError(f"{url} did not answer with a list of models")
            return page, response.links.get("next", {}).get("url")
        raise HubError(f"{url} answered invalid JSON {BAD_BODY_RETRIES} times; try again later")

    def _get(self, url: str, params=None):
        headers = build_hf_headers(token=self.api.token, library_name="model-catalog")
        try:
            response = http_backoff("GET", url, params=params, headers=headers, timeout=self.timeout)
            hf_raise_for_status(response)
        except HfHubHTTPError as error:
            raise HubError(f"the Hub at {self.api.endpoint} refused {url}: {error}") from None
        except TRANSPORT_ERRORS as error:
            raise HubError(
                f"cannot reach the Hub at {self.api.endpoint} ({error}); check HF_ENDPOINT "
                "and the network"
            ) from None
        return response

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
        repo_id = record.get("id") or record.get("modelId")
        if not isinstance(repo_id, str):
            return record  # the mapping rejects it with a reason
        url = f"{self.api.endpoint}/api/models/{quote(repo_id, safe='/')}"
        try:
            detail = self._get(url, [("blobs", "true")]).json()
        except (HubError, ValueError) as error:
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
            response = http_backoff("GET", url, headers=headers, timeout=self.timeout)
        except TRANSPORT_ERRORS:
            return None
        if response.status_code != 200:
            return None
        return response.content[:README_BYTES_AT_MOST].decode("utf-8", errors="replace")


def _modified(record: dict) -> datetime | None:
    value = record.get("lastModified")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except (AttributeError, ValueError):
        return None


def probe(endpoint: str, token: str | None = None, timeout: float = 5.0) -> str | None:
    """None when the Hub's model listing answers; otherwise why not (one try, no retries)."""
    huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True
    try:
        response = get_session().get(
            f"{endpoint}/api/models", params={"limit": 1}, timeout=timeout,
            headers=build_hf_headers(token=token or False, library_name="model-catalog"),
        )
        hf_raise_for_status(response)
        response.json()
    except (HfHubHTTPError, ValueError, *TRANSPORT_ERRORS) as error:
        return f"{type(error).__name__}: {error}".strip(": ")
    return None
