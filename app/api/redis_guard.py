"""A Redis client that never fails a request: errors are logged and the caller carries on without it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
T = TypeVar("T")

# Short timeouts: the cache and the limiter are worth a millisecond, not a stalled request.
SOCKET_TIMEOUT_SECONDS = 0.5
# After a failure Redis is left alone this long, so a dead server costs neither a
# timeout nor a log line on every request.
PAUSE_AFTER_FAILURE_SECONDS = 5.0


class GuardedRedis:
    def __init__(self, client: redis.Redis, *, clock: Callable[[], float] = time.monotonic):
        self.client = client
        self._clock = clock
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str) -> GuardedRedis:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),  # no retries: degrade at once instead
        )
        return cls(client)

    @property
    def available(self) -> bool:
        return self._clock() >= self._paused_until

    def run(self, what: str, operation: Callable[[redis.Redis], T]) -> T | None:
        """`operation(client)`, or None when Redis failed now or recently."""
        if not self.available:
            return None
        try:
            return operation(self.client)
        except redis.RedisError as error:
            self._pause(what, error)
            return None

    def _pause(self, what: str, error: Exception) -> None:
        with self._lock:
            if not self.available:
                return  # another thread already logged this outage
            self._paused_until = self._clock() + PAUSE_AFTER_FAILURE_SECONDS
        log.warning(
            "Redis failed during %s (%s): going on without the shared cache and rate limit for %.0f s",
            what,
            error,
            PAUSE_AFTER_FAILURE_SECONDS,
        )
