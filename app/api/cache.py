"""The API's response cache: successful GET bodies, in Redis or in a bounded in-process LRU.

Keys carry the catalog's `data_version` (written by ingestion whenever a batch changed the
data), so a new version makes every older entry unreachable at once; a TTL clears them out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from sqlalchemy.exc import SQLAlchemyError

from app.api.redis_guard import GuardedRedis
from data.db import Database
from data.meta import DATA_VERSION, get_meta

log = logging.getLogger(__name__)

# Headers never stored: recomputed per response (length, encoding, validators, our own).
UNSTORED_HEADERS = {"content-length", "content-encoding", "etag", "vary", "x-cache", "date"}


@dataclass(frozen=True)
class CachedResponse:
    headers: list[tuple[str, str]]
    body: bytes

    def dumps(self) -> bytes:
        return json.dumps(self.headers).encode() + b"\n" + self.body

    @classmethod
    def loads(cls, blob: bytes) -> CachedResponse:
        headers, _, body = blob.partition(b"\n")
        return cls([(name, value) for name, value in json.loads(headers)], body)


def cache_key(prefix: str, data_version: str, method: str, path: str, query: list[tuple[str, str]]) -> str:
    """Equal for requests that differ only in the order of their query keys.

    Values of a repeated key keep their order (the sort is stable): it may mean something.
    """
    canonical = urlencode(sorted(query, key=lambda pair: pair[0]))
    digest = hashlib.sha256(f"{method} {path}?{canonical}".encode()).hexdigest()
    return f"{prefix}response:{data_version}:{digest}"


class ResponseStore(Protocol):
    def get(self, key: str) -> CachedResponse | None: ...

    def put(self, key: str, entry: CachedResponse) -> None: ...


class MemoryStore:
    """A least-recently-used map with a size bound and a TTL, for one process."""

    def __init__(self, max_entries: int, ttl_seconds: float, *, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, CachedResponse]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            expires, entry = found
            if self._clock() >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: CachedResponse) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + self.ttl_seconds, entry)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class RedisStore:
    """Entries shared by every process on the same Redis; a failing Redis is a miss."""

    def __init__(self, redis: GuardedRedis, ttl_seconds: int):
        self.redis = redis
        self.ttl_seconds = ttl_seconds

    def get(self, key: str) -> CachedResponse | None:
        blob = self.redis.run("a cache read", lambda client: client.get(key))
        if not isinstance(blob, bytes) or not blob:  # the client answers bytes: anything else is no entry of ours
            return None
        try:
            return CachedResponse.loads(blob)
        except ValueError:  # not written by this code: a miss, overwritten on the way out
            return None

    def put(self, key: str, entry: CachedResponse) -> None:
        self.redis.run("a cache write", lambda client: client.set(key, entry.dumps(), ex=self.ttl_seconds))


def read_data_version(db: Database) -> str:
    with db.session(read_only=True) as session:
        return repr(get_meta(session, DATA_VERSION, 0))


class DataVersion:
    """The catalog's data_version, read from the database at most once per `max_age` seconds."""

    def __init__(self, read: Callable[[], str], max_age: float, *, clock: Callable[[], float] = time.monotonic):
        self.read = read
        self.max_age = max_age
        self._clock = clock
        self._value: str | None = None
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def current(self) -> str | None:
        """The version, or None when the database could not tell (then nothing is cached)."""
        with self._lock:
            now = self._clock()
            if self._read_at is None or now - self._read_at >= self.max_age:
                self._value, self._read_at = self._read(), now
            return self._value

    def _read(self) -> str | None:
        try:
            return self.read()
        except SQLAlchemyError as error:
            log.warning("cannot read data_version, not caching API responses: %s", error)
            return None
