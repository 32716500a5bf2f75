"""HTTP behaviour of /api/v1 (app/api/http.py): ETag, Cache-Control, compression, CORS,
rate limit and response cache, on the real PostgreSQL and the real Redis."""

from __future__ import annotations

import gzip
import json
import logging
import os
import random
import time
import uuid

import brotli
import pytest
import redis
from sqlalchemy import func, select

from app.api.cache import CachedResponse, DataVersion, MemoryStore, cache_key
from app.api.http import HttpOptions
from app.factory import create_app
from app.settings import Settings
from data.meta import DATA_VERSION, set_meta
from data.models import Model
from tests.factories import add_models

SPEC = "/api/v1/openapi.json"  # a GET with a body large enough to compress
HEALTH = "/api/v1/health"
COUNT = "/api/v1/test-only/model-count"  # added per test app: its body follows the data
REDIS_URL = os.environ.get("CATALOG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def public_address() -> str:
    """A made-up client address outside every trusted proxy network (11/8 is public)."""
    return f"11.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


@pytest.fixture
def make_app(settings, db):
    """create_app on the test database with other settings and HTTP options."""

    def make(http: HttpOptions | None = None, **overrides):
        app = create_app(Settings(**(settings.model_dump() | overrides)), database=db, http=http)
        app.add_url_rule(COUNT, "test_model_count", lambda: _model_count(app))
        return app

    return make


def _model_count(app):
    with app.extensions["catalog_db"].session(read_only=True) as session:
        return {"data": {"models": session.scalar(select(func.count()).select_from(Model))}, "meta": {}}


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own; its keys are deleted afterwards (and only those)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must run in CI at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); set CATALOG_TEST_REDIS_URL")
    prefix = f"catalog-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


def get(client, path, address=None, **headers):
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": address or public_address()})


# --- ETag and 304 ---------------------------------------------------------------------------


def test_get_has_a_strong_etag_and_a_matching_if_none_match_gets_304(client):
    first = get(client, SPEC)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and not etag.startswith("W/")

    again = get(client, SPEC, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]

    listed = get(client, SPEC, **{"If-None-Match": f'"other", W/{etag}'})
    assert listed.status_code == 304  # If-None-Match compares weakly, in a list
    assert get(client, SPEC, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_etag_follows_the_body(make_app, db):
    client = make_app(HttpOptions(response_cache=False)).test_client()
    add_models(db, "org/one")
    before = get(client, COUNT)
    add_models(db, "org/two")
    after = get(client, COUNT, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.json["data"]["models"] == before.json["data"]["models"] + 1
    assert after.headers["ETag"] != before.headers["ETag"]


def test_error_responses_have_no_etag(client):
    response = get(client, "/api/v1/no-such-route")
    assert response.status_code == 404
    assert "ETag" not in response.headers


# --- Cache-Control ----------------------------------------------------------------------------


def test_cache_control_is_public_for_data_and_no_store_for_health_and_errors(client):
    assert get(client, SPEC).headers["Cache-Control"] == "public, max-age=60"
    assert get(client, HEALTH).headers["Cache-Control"] == "no-store"
    assert get(client, "/api/v1/no-such-route").headers["Cache-Control"] == "no-store"


def test_the_dashboard_is_left_alone(client):
    response = get(client, "/", **{"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert "ETag" not in response.headers and "X-RateLimit-Limit" not in response.headers
    assert b"<title>Model Catalog</title>" in response.data


# --- compression ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept, coding",
    [
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, deflate, br", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0.1", "gzip"),
        ("*", "br"),
        ("identity", None),
        ("", None),
    ],
)
def test_compression_follows_accept_encoding_and_decodes_to_the_same_json(client, accept, coding):
    plain = get(client, SPEC, **{"Accept-Encoding": "identity"})
    response = get(client, SPEC, **{"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == coding
    assert "Accept-Encoding" in response.headers["Vary"]
    decode = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}[coding]
    assert json.loads(decode(response.data)) == json.loads(plain.data)
    assert int(response.headers["Content-Length"]) == len(response.data)
    if coding:
        assert len(response.data) < len(plain.data)
        assert response.headers["ETag"] != plain.headers["ETag"]  # one strong ETag per coding


def test_a_compressed_etag_gets_304_only_for_the_same_coding(client):
    etag = get(client, SPEC, **{"Accept-Encoding": "gzip"}).headers["ETag"]
    assert get(client, SPEC, **{"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 304
    assert get(client, SPEC, **{"Accept-Encoding": "br", "If-None-Match": etag}).status_code == 200


def test_small_bodies_are_not_compressed(client):
    response = get(client, HEALTH, **{"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    assert response.json["data"]["status"] == "ok"


# --- CORS -----------------------------------------------------------------------------------


def test_cors_allows_a_listed_origin(make_app):
    client = make_app(cors_origins="https://a.example, http://localhost:3000").test_client()
    response = get(client, SPEC, Origin="http://localhost:3000")
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    assert "Origin" in response.headers["Vary"]


def test_cors_ignores_an_origin_not_listed(make_app):
    client = make_app(cors_origins="https://a.example").test_client()
    response = get(client, SPEC, Origin="https://evil.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_no_cors_headers_without_the_setting(client):
    response = get(client, SPEC, Origin="https://a.example")
    assert not [name for name, _ in response.headers if name.startswith("Access-Control-")]  # Headers yield pairs
    assert "Origin" not in response.headers.get("Vary", "")


def test_cors_preflight_from_a_listed_origin(make_app):
    client = make_app(cors_origins="https://a.example").test_client()
    response = client.options(
        SPEC,
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_cors_preflight_from_another_origin_is_not_allowed(make_app):
    client = make_app(cors_origins="https://a.example").test_client()
    response = client.options(
        SPEC,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "GET",
        },
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_wildcard_allows_any_origin(make_app):
    client = make_app(cors_origins="*").test_client()
    assert get(client, SPEC, Origin="https://any.example").headers["Access-Control-Allow-Origin"] == "*"


# --- rate limit -----------------------------------------------------------------------------


def assert_rate_limited(response, limit: int, period: int):
    assert response.status_code == 429
    assert response.json["error"]["code"] == "RATE_LIMITED"
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert response.json["error"]["details"]["limit"] == limit
    assert response.json["error"]["details"]["period_seconds"] == period
    assert 1 <= int(response.headers["Retry-After"]) <= period
    assert response.headers["Cache-Control"] == "no-store"


def test_rate_limit_answers_429_with_retry_after_past_the_limit(make_app):
    client = make_app(rate_limit="3/minute").test_client()
    address = public_address()
    statuses = [get(client, SPEC, address).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    assert_rate_limited(get(client, SPEC, address), 3, 60)
    assert get(client, SPEC, public_address()).status_code == 200  # another client


def test_rate_limit_headers_count_down(make_app):
    client = make_app(rate_limit="5/minute").test_client()
    address = public_address()
    remaining = [int(get(client, SPEC, address).headers["X-RateLimit-Remaining"]) for _ in range(3)]
    assert remaining == [4, 3, 2]


def test_health_is_not_rate_limited(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    address = public_address()
    assert [get(client, HEALTH, address).status_code for _ in range(4)] == [200] * 4


def test_rate_limit_off(make_app):
    client = make_app(rate_limit="off").test_client()
    address = public_address()
    response = [get(client, SPEC, address) for _ in range(5)][-1]
    assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers


def test_forwarded_clients_behind_a_trusted_proxy_are_counted_apart(make_app):
    client = make_app(rate_limit="1/minute", trusted_proxies=1).test_client()
    for _ in range(2):  # each forwarded client gets its own single request
        response = client.get(
            SPEC, headers={"X-Forwarded-For": public_address()}, environ_base={"REMOTE_ADDR": "10.0.0.5"}
        )
        assert response.status_code == 200


@pytest.mark.parametrize("peer", ["10.1.1.1", "127.0.0.1", "11.1.1.1"])
def test_forwarded_for_is_ignored_without_trusted_proxies(make_app, peer):
    """The bypass of issue #11: a client on a private address made up its own address."""
    client = make_app(rate_limit="1/minute").test_client()
    first = client.get(SPEC, headers={"X-Forwarded-For": "203.0.113.7, 10.1.1.1"}, environ_base={"REMOTE_ADDR": peer})
    spoofed = client.get(SPEC, headers={"X-Forwarded-For": public_address()}, environ_base={"REMOTE_ADDR": peer})
    assert (first.status_code, spoofed.status_code) == (200, 429)


def test_only_the_trusted_hops_of_forwarded_for_count(make_app):
    client = make_app(rate_limit="1/minute", trusted_proxies=1).test_client()

    def status(forwarded: str) -> int:
        return client.get(
            SPEC, headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
        ).status_code

    assert status("13.3.3.3, 12.2.2.2") == 200
    assert status("14.4.4.4, 12.2.2.2") == 429  # the left hop is the client's say-so
    assert status("12.2.2.2, 15.5.5.5") == 200  # another client, whatever it prepended


def test_ipv6_clients_are_counted_per_64(make_app):
    client = make_app(rate_limit="1/minute").test_client()

    def status(address: str) -> int:
        return client.get(SPEC, environ_base={"REMOTE_ADDR": address}).status_code

    assert status("2001:db8:1:2::1") == 200
    assert status("2001:db8:1:2:ffff:ffff:ffff:fffe") == 429  # the same /64
    assert status("2001:db8:1:3::1") == 200  # the next /64


def test_a_rate_limit_window_resets(make_app):
    client = make_app(rate_limit="2/second").test_client()
    address = public_address()
    assert [get(client, SPEC, address).status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.1)
    assert get(client, SPEC, address).status_code == 200


def test_dash_callbacks_share_the_api_budget(make_app):
    client = make_app(rate_limit="2/minute").test_client()
    address = public_address()
    assert get(client, SPEC, address).status_code == 200
    callback = client.post("/_dash-update-component", json={}, environ_base={"REMOTE_ADDR": address})
    assert callback.status_code != 429
    refused = client.post("/_dash-update-component", json={}, environ_base={"REMOTE_ADDR": address})
    assert refused.status_code == 429 and refused.json["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert get(client, "/", address).status_code == 200  # pages themselves are not limited


def test_rate_limit_is_shared_by_two_apps_through_redis(make_app, redis_prefix):
    options = HttpOptions(redis_prefix=redis_prefix)
    first, second = (make_app(options, redis_url=REDIS_URL, rate_limit="4/minute").test_client() for _ in range(2))
    address = public_address()
    statuses = [get(client, SPEC, address).status_code for client in (first, second, first, second)]
    assert statuses == [200, 200, 200, 200]
    assert_rate_limited(get(first, SPEC, address), 4, 60)
    assert_rate_limited(get(second, SPEC, address), 4, 60)

    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}ratelimit:*"))
    assert len(keys) == 1 and f"/{address}/".encode() in keys[0]  # one count for the client
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(keys[0]) <= 60


def test_a_dead_redis_means_a_limit_per_process_and_no_cache_but_no_error(make_app, unused_port, caplog):
    dead = f"redis://127.0.0.1:{unused_port}/0"
    client = make_app(redis_url=dead, rate_limit="2/minute").test_client()
    address = public_address()
    with caplog.at_level(logging.WARNING):
        responses = [get(client, SPEC, address) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]  # counted here instead
    assert [response.headers.get("X-Cache") for response in responses[:2]] == ["MISS"] * 2
    assert "Redis failed" in caplog.text
    assert len([r for r in caplog.records if r.name == "app.api.redis_guard"]) == 1  # not per request
    assert len([r for r in caplog.records if "falling back to in-memory" in r.getMessage()]) == 1


# --- response cache -------------------------------------------------------------------------


def test_second_get_is_a_cache_hit_with_the_same_body(client):
    first = get(client, SPEC)
    second = get(client, SPEC)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Type"] == first.headers["Content-Type"]


def test_cache_key_ignores_query_key_order_but_not_values(client):
    assert get(client, SPEC + "?a=1&b=2").headers["X-Cache"] == "MISS"
    assert get(client, SPEC + "?b=2&a=1").headers["X-Cache"] == "HIT"
    assert get(client, SPEC + "?a=1&b=3").headers["X-Cache"] == "MISS"
    assert get(client, SPEC + "?a=1&a=2").headers["X-Cache"] == "MISS"
    assert get(client, SPEC + "?a=2&a=1").headers["X-Cache"] == "MISS"  # repeated values keep order


def test_health_and_errors_are_not_cached(client):
    assert "X-Cache" not in get(client, HEALTH).headers
    get(client, "/api/v1/no-such-route")
    assert get(client, "/api/v1/no-such-route").headers.get("X-Cache") != "HIT"


def test_a_304_can_come_from_the_cache(client):
    etag = get(client, SPEC).headers["ETag"]
    response = get(client, SPEC, **{"If-None-Match": etag})
    assert response.status_code == 304 and response.headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_cache_is_invalidated_when_data_version_changes(make_app, db, request, backend):
    overrides = {}
    options = HttpOptions(data_version_max_age=0)
    if backend == "redis":
        prefix = request.getfixturevalue("redis_prefix")
        options = HttpOptions(redis_prefix=prefix, data_version_max_age=0)
        overrides["redis_url"] = REDIS_URL
    client = make_app(options, **overrides).test_client()
    add_models(db, "org/one")

    first = get(client, COUNT)
    assert first.headers["X-Cache"] == "MISS"
    add_models(db, "org/two")  # written without ingestion: data_version unchanged
    stale = get(client, COUNT)
    assert stale.headers["X-Cache"] == "HIT" and stale.json == first.json

    with db.session() as session:
        set_meta(session, DATA_VERSION, uuid.uuid4().hex)  # what ingestion does after a batch
        session.commit()
    fresh = get(client, COUNT)
    assert fresh.headers["X-Cache"] == "MISS"
    assert fresh.json["data"]["models"] == first.json["data"]["models"] + 1
    assert get(client, COUNT).headers["X-Cache"] == "HIT"


def test_redis_cache_is_shared_by_two_apps(make_app, redis_prefix):
    options = HttpOptions(redis_prefix=redis_prefix)
    first, second = (make_app(options, redis_url=REDIS_URL).test_client() for _ in range(2))
    miss, hit = get(first, SPEC), get(second, SPEC)
    assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("MISS", "HIT")
    assert hit.data == miss.data
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{redis_prefix}response:*"))
    assert len(keys) == 1
    assert 0 < redis.Redis.from_url(REDIS_URL).ttl(keys[0]) <= HttpOptions().cache_ttl_seconds


def test_data_version_is_read_at_most_once_per_max_age():
    reads, now = [], [0.0]

    def read():
        reads.append(now[0])
        return str(len(reads))

    version = DataVersion(read, max_age=1.0, clock=lambda: now[0])
    assert [version.current() for _ in range(3)] == ["1", "1", "1"]
    now[0] = 0.9
    assert version.current() == "1"
    now[0] = 1.0
    assert version.current() == "2"
    assert reads == [0.0, 1.0]


def test_memory_store_evicts_the_least_recently_used():
    store = MemoryStore(max_entries=2, ttl_seconds=60)
    entry = CachedResponse([("Content-Type", "application/json")], b"{}")
    store.put("a", entry)
    store.put("b", entry)
    store.get("a")  # now "b" is the least recently used
    store.put("c", entry)
    assert (store.get("a"), store.get("b"), store.get("c")) == (entry, None, entry)


def test_memory_store_entries_expire():
    now = [0.0]
    store = MemoryStore(max_entries=10, ttl_seconds=5, clock=lambda: now[0])
    store.put("a", CachedResponse([], b"x"))
    now[0] = 5.0
    assert store.get("a") is None


def test_cache_key_depends_on_version_and_canonical_query():
    key = cache_key("p:", "1", "GET", "/api/v1/x", [("b", "2"), ("a", "1")])
    assert key == cache_key("p:", "1", "GET", "/api/v1/x", [("a", "1"), ("b", "2")])
    assert key != cache_key("p:", "2", "GET", "/api/v1/x", [("a", "1"), ("b", "2")])
    assert key.startswith("p:response:1:")
