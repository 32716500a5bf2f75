"""Rate limiting per client: a fixed window per client address, in Redis or in this process.

The window starts at a client's first request and lasts the configured period; the count is
kept under one key that expires with the window. In Redis one Lua script increments the
count and sets the expiry atomically, so every app process shares the same count.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from app.api.redis_guard import GuardedRedis
from app.settings import RateLimit

# X-Forwarded-For is believed only from peers in these networks: a reverse proxy on this
# host or on a private network (docker compose, a load balancer in the same VPC).
TRUSTED_PROXIES = tuple(
    ipaddress.ip_network(network)
    for network in ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
# In-process windows kept at most; the oldest are dropped first.
MAX_MEMORY_CLIENTS = 10_000

# KEYS[1]: the client's counter; ARGV[1]: the window in milliseconds.
# Returns the count in this window and the milliseconds until the window ends.
FIXED_WINDOW_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in TRUSTED_PROXIES)


def client_address(environ: Mapping[str, str]) -> str:
    """The client's address: the peer's, or, behind trusted proxies, the X-Forwarded-For hop
    nearest to us that is not itself a trusted proxy (hops further left are the client's say-so)."""
    client = environ.get("REMOTE_ADDR") or "unknown"
    if not _trusted(client):
        return client
    hops = [hop.strip() for hop in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage: keep the last address a trusted proxy vouched for
        client = hop
        if not _trusted(hop):
            break
    return client


@dataclass(frozen=True)
class Decision:
    limit: int
    period_seconds: int
    count: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)


class RateLimiter(Protocol):
    def hit(self, client: str) -> Decision | None:
        """Count one request; None when the count is unknown (then the request goes through)."""


class MemoryRateLimiter:
    """Fixed windows in this process only (each app process counts on its own)."""

    def __init__(self, rule: RateLimit, *, clock: Callable[[], float] = time.monotonic):
        self.rule = rule
        self._clock = clock
        self._windows: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, client: str) -> Decision:
        now = self._clock()
        with self._lock:
            count, ends = self._windows.get(client, (0, 0.0))
            if now >= ends:
                count, ends = 0, now + self.rule.seconds
                self._windows.pop(client, None)  # re-inserted last: the order stays by window end
            self._windows[client] = (count + 1, ends)
            while len(self._windows) > MAX_MEMORY_CLIENTS:
                self._windows.popitem(last=False)
        return Decision(self.rule.requests, self.rule.seconds, count + 1, math.ceil(ends - now))


class RedisRateLimiter:
    """Fixed windows in Redis, shared by every process using the same Redis and prefix."""

    def __init__(self, rule: RateLimit, redis: GuardedRedis, prefix: str):
        self.rule = rule
        self.redis = redis
        self.prefix = prefix
        self._script = redis.client.register_script(FIXED_WINDOW_SCRIPT)

    def hit(self, client: str) -> Decision | None:
        key = f"{self.prefix}ratelimit:{client}"
        window_ms = self.rule.seconds * 1000
        result = self.redis.run("rate limiting", lambda _: self._script(keys=[key], args=[window_ms]))
        if result is None:
            return None
        count, ttl_ms = (int(value) for value in result)
        return Decision(self.rule.requests, self.rule.seconds, count, max(math.ceil(ttl_ms / 1000), 1))


def make_rate_limiter(rule: RateLimit | None, redis: GuardedRedis | None, prefix: str) -> RateLimiter | None:
    if rule is None:
        return None
    if redis is not None:
        return RedisRateLimiter(rule, redis, prefix)
    return MemoryRateLimiter(rule)
