"""HTTP behaviour of everything under /api/v1: CORS, rate limit, response cache, ETag and 304,
Cache-Control and compression. `init_http` wires it into a server as two app-level hooks.

Order per request: the rate limit (app.rate_limit) counts the request and may answer 429; a
CORS preflight is answered at once; then a cached body may answer. On the way out the response is
stored in the cache (identity body), gets Cache-Control, an ETag and maybe a 304, is
compressed, and gets CORS headers.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import brotli
from flask import Flask, Response, current_app, g, request

from app.api import is_api_path
from app.api.cache import (
    UNSTORED_HEADERS,
    CachedResponse,
    DataVersion,
    MemoryStore,
    RedisStore,
    ResponseStore,
    cache_key,
    read_data_version,
)
from app.api.redis_guard import GuardedRedis
from app.rate_limit import UNLIMITED_PATHS, Limits, init_rate_limit
from app.settings import Settings
from components import routes

# The truth of now: for orchestrators and scrapers, and for browsers told of changes.
UNCACHED_PATHS = UNLIMITED_PATHS | {routes.API_LIVE, routes.API_LIVE_STREAM}
DATA_CACHE_CONTROL = "public, max-age=60"
COMPRESSIBLE_TYPES = ("application/json", "text/", "application/javascript", "application/atom+xml")
MIN_COMPRESS_BYTES = 500  # below this, compression costs more than it saves
GZIP_LEVEL = 6
BROTLI_QUALITY = 5  # 11 is for static files; 5 compresses better than gzip in similar time
# Cross-origin callers authenticate by bearer (a key, or a token of one), never by cookie:
# no Access-Control-Allow-Credentials.
CORS_ALLOWED_METHODS = "GET, HEAD, POST, DELETE, OPTIONS"
CORS_ALLOWED_HEADERS = "Authorization, Content-Type, If-None-Match, X-Request-ID"
CORS_EXPOSED_HEADERS = "ETag, Retry-After, X-Cache, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-ID"
CORS_MAX_AGE_SECONDS = 600
MAX_CACHED_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class HttpOptions:
    """Code-level knobs, not environment settings: tests and embedders adjust them."""

    redis_prefix: str = "catalog:"  # Redis keys of several deployments on one Redis stay apart
    data_version_max_age: float = 1.0  # seconds between reads of data_version per process
    response_cache: bool = True
    cache_ttl_seconds: int = 300
    cache_max_entries: int = 1024  # in-process LRU only


@dataclass
class HttpLayer:
    cors_origins: tuple[str, ...]
    cache: ResponseStore | None
    data_version: DataVersion
    key_prefix: str


def init_http(
    server: Flask,
    settings: Settings,
    options: HttpOptions | None = None,
    authenticate: Callable[[], None] = lambda: None,
) -> HttpLayer:
    """Build the layer from settings and register its hooks on `server` (after `catalog_db`).
    `authenticate` runs between the rate limit and the cache: a bad credential is counted,
    then refused, and never answered from the cache."""
    options = options or HttpOptions()
    redis = GuardedRedis.from_url(settings.redis_url) if settings.redis_url else None
    db = server.extensions["catalog_db"]
    # The limiter's hook goes first: a refused request never reaches the cache.
    limits = Limits(settings.rate_limit_rule, settings.key_rate_limit_rule)
    init_rate_limit(server, limits, settings.redis_url, options.redis_prefix)
    server.before_request(authenticate)
    layer = HttpLayer(
        cors_origins=settings.cors_origins,
        cache=_make_store(options, redis),
        data_version=DataVersion(lambda: read_data_version(db), options.data_version_max_age),
        key_prefix=options.redis_prefix,
    )
    server.extensions["catalog_http"] = layer
    server.before_request(_before_api_request)
    server.after_request(_after_api_request)
    return layer


def _make_store(options: HttpOptions, redis: GuardedRedis | None) -> ResponseStore | None:
    if not options.response_cache:
        return None
    if redis is not None:
        return RedisStore(redis, options.cache_ttl_seconds)
    return MemoryStore(options.cache_max_entries, options.cache_ttl_seconds)


def _layer() -> HttpLayer:
    return current_app.extensions["catalog_http"]


def _reads() -> bool:
    return request.method in ("GET", "HEAD")


# --- on the way in -----------------------------------------------------------------------


def _before_api_request() -> Response | None:
    if not is_api_path(request.path):
        return None
    if request.method == "OPTIONS":
        return _preflight(_layer())
    return _cached(_layer())


def _preflight(layer: HttpLayer) -> Response | None:
    """Answer a CORS preflight from an allowed origin; otherwise Flask's plain OPTIONS answer."""
    origin = _allowed_origin(layer)
    if origin is None or "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Access-Control-Allow-Methods"] = CORS_ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = CORS_ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE_SECONDS)
    return response


def _cached(layer: HttpLayer) -> Response | None:
    if layer.cache is None or not _reads() or request.path in UNCACHED_PATHS:
        return None
    version = layer.data_version.current()
    if version is None:
        return None
    key = cache_key(layer.key_prefix, version, "GET", request.path, list(request.args.items(multi=True)))
    entry = layer.cache.get(key)
    if entry is None:
        g.api_cache_key = key
        return None
    g.api_cache_hit = True
    return Response(entry.body, status=200, headers=entry.headers)


# --- on the way out ----------------------------------------------------------------------


def _after_api_request(response: Response) -> Response:
    if not is_api_path(request.path):
        return response
    layer = _layer()
    if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
        response.status_code = 204  # Flask's automatic answer: the Allow header, and no HTML body
        response.headers.pop("Content-Type", None)
    _store(layer, response)
    _set_cache_control(response)
    if _reads() and response.status_code == 200 and not response.direct_passthrough:
        response = _conditional_and_compressed(response)
    _set_cors(layer, response)
    return response


def _store(layer: HttpLayer, response: Response) -> None:
    if g.get("api_cache_hit"):
        response.headers["X-Cache"] = "HIT"
        return
    key = g.get("api_cache_key")
    if key is None or layer.cache is None:
        return
    response.headers["X-Cache"] = "MISS"
    if _storable(response):
        headers = [(name, value) for name, value in response.headers if name.lower() not in UNSTORED_HEADERS]
        layer.cache.put(key, CachedResponse(headers, response.get_data()))


def _storable(response: Response) -> bool:
    """Only plain successes that mean the same to every client."""
    cache_control = response.cache_control
    return (
        response.status_code == 200
        and not g.get("catalog_private")
        and not response.direct_passthrough
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and "Vary" not in response.headers  # the key knows nothing of request headers
        and not (cache_control.no_store or cache_control.private)
        and response.content_length is not None
        and response.content_length <= MAX_CACHED_BODY_BYTES
    )


def _set_cache_control(response: Response) -> None:
    if g.get("catalog_private"):  # an account's own answer (app.auth.identity.requires): never stored
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.update(("Cookie", "Authorization"))
        return
    if "Cache-Control" in response.headers:
        return  # the route knows better
    if request.path in UNCACHED_PATHS or not _reads() or response.status_code != 200:
        response.headers["Cache-Control"] = "no-store"
    else:
        response.headers["Cache-Control"] = DATA_CACHE_CONTROL


def _conditional_and_compressed(response: Response) -> Response:
    """Strong ETag of the body as it will be sent (one per content coding), then 304 or compress."""
    body = response.get_data()
    coding = None
    if _compressible(response, body):
        response.vary.add("Accept-Encoding")
        coding = _chosen_coding()
    digest = hashlib.sha256(body).hexdigest()[:32]
    etag = f"{digest}-{coding}" if coding else digest
    response.set_etag(etag)
    if request.if_none_match.contains_weak(etag):  # If-None-Match compares weakly (RFC 9110)
        return _not_modified(response)
    if coding:
        response.set_data(_compress(body, coding))
        response.headers["Content-Encoding"] = coding
    return response


def _compressible(response: Response, body: bytes) -> bool:
    return (
        len(body) >= MIN_COMPRESS_BYTES
        and "Content-Encoding" not in response.headers
        and (response.mimetype or "").startswith(COMPRESSIBLE_TYPES)
    )


def _chosen_coding() -> str | None:
    """brotli when the client rates it at least as high as gzip, else gzip, else none."""
    accepted = request.accept_encodings
    brotli_quality, gzip_quality = accepted.quality("br"), accepted.quality("gzip")
    if brotli_quality > 0 and brotli_quality >= gzip_quality:
        return "br"
    return "gzip" if gzip_quality > 0 else None


def _compress(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)  # mtime=0: same bytes each time


def _not_modified(response: Response) -> Response:
    response.status_code = 304
    response.set_data(b"")
    for header in ("Content-Type", "Content-Length"):
        response.headers.pop(header, None)
    return response


def _allowed_origin(layer: HttpLayer) -> str | None:
    origin = request.headers.get("Origin")
    if not origin or not layer.cors_origins:
        return None
    if "*" in layer.cors_origins:
        return "*"
    return origin if origin.lower() in layer.cors_origins else None


def _set_cors(layer: HttpLayer, response: Response) -> None:
    if not layer.cors_origins:
        return
    if "*" not in layer.cors_origins:
        response.vary.add("Origin")  # the answer depends on who asks
    origin = _allowed_origin(layer)
    if origin is None:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method != "OPTIONS":
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
