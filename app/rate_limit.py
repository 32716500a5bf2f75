"""The rate limit per client, by flask-limiter: one budget shared by the API and the dashboard's
callbacks, counted in Redis (shared by every app process) or in this process.

Windows are fixed and start at a client's first request. A request with an API key (or a
token of one) counts against its key, at CATALOG_KEY_RATE_LIMIT; any other against its
address, at CATALOG_RATE_LIMIT. The address is `request.remote_addr`,
which ProxyFix (CATALOG_TRUSTED_PROXIES) has set from X-Forwarded-For when proxies are
trusted; IPv6 clients are counted per /64, the block one subscriber usually holds. When Redis
fails, counting goes on in this process (flask-limiter's in-memory fallback) until it answers
again: never an error, and one warning. A key's first refusal in a window is audited.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, Response, request
from flask_limiter import Limiter, RequestLimit

from app.api import DASH_CALLBACK_PATH, PREFIX, database, is_api_path
from app.api.errors import ApiError
from app.auth.identity import rate_limit_identity
from app.metrics import METRICS_PATH
from app.settings import RateLimit
from data.accounts import audit

log = logging.getLogger(__name__)
# Orchestrators and scrapers poll these: they must always answer, and tell the truth of now.
UNLIMITED_PATHS = frozenset({f"{PREFIX}/health", f"{PREFIX}/ready", METRICS_PATH})
IPV6_CLIENT_PREFIX = 64
REDIS_TIMEOUT_SECONDS = 0.5  # the limit is worth a millisecond, not a stalled request


def client_key() -> str:
    """The bucket of the request: its API key's (a key or a token of it), else its address's."""
    key_id = rate_limit_identity().key_id
    return f"key:{key_id}" if key_id is not None else address_key()


def address_key() -> str:
    """The bucket of the request's client: its address, or its /64 for IPv6."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Limits:
    per_address: RateLimit | None
    per_key: RateLimit | None

    def applicable(self) -> RateLimit | None:
        keyed = rate_limit_identity().key_id is not None
        return self.per_key if keyed else self.per_address

    def current(self) -> str:
        rule = self.applicable()
        assert rule is not None  # requests without one are filtered out first
        return f"{rule.requests}/{rule.seconds} second"


def is_limited(path: str, method: str) -> bool:
    return (
        method != "OPTIONS"  # CORS preflights are the browser's, not the client's, requests
        and path not in UNLIMITED_PATHS
        and (is_api_path(path) or path == DASH_CALLBACK_PATH)
    )


def init_rate_limit(server: Flask, limits: Limits, redis_url: str | None, prefix: str) -> Limiter | None:
    """Register the limiter's hooks on `server` (call before hooks that should not run when a
    request is refused, such as the response cache)."""
    if limits.per_address is None and limits.per_key is None:
        return None
    limiter = Limiter(
        client_key,
        application_limits=[limits.current],
        storage_uri=storage_uri(redis_url),
        storage_options=storage_options(redis_url, prefix),
        strategy="fixed-window",
        key_prefix="api",
        headers_enabled=False,  # set below, as the API documents them
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        on_breach=lambda limit: _refused(limiter, limit),
    )
    limiter.request_filter(lambda: not is_limited(request.path, request.method) or limits.applicable() is None)
    limiter.init_app(server)
    server.after_request(lambda response: _set_headers(limiter, response))
    return limiter


def storage_uri(redis_url: str | None) -> str:
    if redis_url is None:
        return "memory://"
    return "redis+unix://" + redis_url.removeprefix("unix://") if redis_url.startswith("unix://") else redis_url


def storage_options(redis_url: str | None, prefix: str) -> dict:
    if redis_url is None:
        return {}
    return {
        "key_prefix": f"{prefix}ratelimit",
        "socket_timeout": REDIS_TIMEOUT_SECONDS,
        "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    }


def _retry_after(limit: RequestLimit) -> int:
    reset_time = limit.window[0]  # a float; RequestLimit.reset_at rounds it up by a second
    return min(max(math.ceil(reset_time - time.time()), 1), limit.limit.get_expiry())


def _refused(limiter: Limiter, limit: RequestLimit) -> Response:
    period = limit.limit.get_expiry()
    retry = _retry_after(limit)
    _audit_first_refusal(limiter, limit)
    return ApiError(
        "RATE_LIMITED",
        {"limit": limit.limit.amount, "period_seconds": period, "retry_after_seconds": retry},
    ).response()


def _audit_first_refusal(limiter: Limiter, limit: RequestLimit) -> None:
    """Audit a key's first refusal of a window, once across processes (counted in the limiter's
    own storage); addresses are not audited: their refusals would flood the log."""
    identity = rate_limit_identity()
    if identity.key_id is None:
        return
    window = f"audited:key:{identity.key_id}:{int(limit.window[0])}"
    try:
        if limiter.storage.incr(window, limit.limit.get_expiry()) != 1:
            return
        with database().session() as session:
            details = {"limit": limit.limit.amount, "period_seconds": limit.limit.get_expiry()}
            audit.record(
                session, "key.rate_limited", identity.actor(), target_type="key", target_id=identity.key_id, **details
            )
            session.commit()
    except Exception as error:  # noqa: BLE001  the refusal is answered all the same
        log.warning("the rate limit refusal of key %s was not audited: %s", identity.key_id, error)


def _set_headers(limiter: Limiter, response: Response) -> Response:
    current = limiter.current_limit
    if current is None:
        return response
    try:
        response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(max(current.remaining, 0))
        if response.status_code == 429:
            response.headers["Retry-After"] = str(_retry_after(current))
    except Exception as error:  # noqa: BLE001  storage died since the check: answer as it is
        log.debug("no rate-limit headers: %s", error)
    return response
