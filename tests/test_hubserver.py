"""The fake Hub, checked through the real huggingface_hub client (2.4, on httpx2)."""

from __future__ import annotations

import socket
import threading
import time
from types import SimpleNamespace

import httpx2
import pytest
from huggingface_hub import HfApi, constants
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import _http

from tests.hubserver import FakeHub, encode_cursor, timeout_client_factory


def model(model_id: str, downloads: int, likes: int = 0, tags=("transformers",), **extra) -> dict:
    author = model_id.partition("/")[0] if "/" in model_id else None
    return {
        "id": model_id,
        "modelId": model_id,
        "author": author,
        "downloads": downloads,
        "likes": likes,
        "tags": list(tags),
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": f"2024-01-{downloads % 28 + 1:02d}T00:00:00.000Z",
        "lastModified": f"2025-02-{likes % 28 + 1:02d}T00:00:00.000Z",
        "trendingScore": likes,
        "siblings": [{"rfilename": "config.json"}],
        **extra,
    }


MODELS = [
    model("a/b", 50, likes=3, cardData={"license": "mit"}),
    model("meta/llama", 900, likes=9, tags=("transformers", "llama")),
    model("gpt2", 900, likes=1),  # no author, ties with meta/llama on downloads
    model("z/zeta", 10, likes=7),
    model("meta/opt", 50, likes=2, tags=("transformers", "opt")),
    model("b/tiny", 0),
    model("c/Mixed-Case", 300, likes=5),
    model("d/last", 5, likes=4),
]
BY_DOWNLOADS = ["gpt2", "meta/llama", "c/Mixed-Case", "a/b", "meta/opt", "z/zeta", "d/last", "b/tiny"]


@pytest.fixture(autouse=True)
def isolated_client(monkeypatch):
    """Keep huggingface_hub on 127.0.0.1 and give each test a fresh shared client."""
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)  # else it fetches huggingface.co
    real_getaddrinfo = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            raise OSError(f"test tried to reach {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    yield
    _http.set_client_factory(_http.default_client_factory)


@pytest.fixture
def hub():
    with FakeHub(MODELS, page_size=3) as fake:
        yield fake


@pytest.fixture
def api(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)  # token=False: never send a real token


@pytest.fixture
def raw(hub):
    """A plain HTTP client on the fake, for what huggingface_hub never sends."""
    with httpx2.Client(base_url=hub.url) as client:
        yield client


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record huggingface_hub's backoff waits instead of sleeping them."""
    waits: list[float] = []
    monkeypatch.setattr(_http, "time", SimpleNamespace(sleep=waits.append))
    return waits


def ids(models) -> list[str]:
    return [m.id for m in models]


def test_pages_return_every_model_once_in_order(hub, api):
    listed = list(api.list_models(sort="downloads", full=True))
    assert ids(listed) == BY_DOWNLOADS
    assert listed[0].downloads == 900 and listed[3].card_data.license == "mit"
    log = hub.requests
    assert len(log) == 3  # 8 models, 3 a page
    assert "cursor" not in log[0]["query"] and all("cursor" in r["query"] for r in log[1:])
    assert all(r["query"]["sort"] == ["downloads"] and r["query"]["full"] == ["true"] for r in log)


def test_sorts_and_direction(hub, api, raw):
    assert ids(api.list_models(sort="likes"))[:3] == ["meta/llama", "z/zeta", "c/Mixed-Case"]
    list(api.list_models(sort="last_modified"))  # the client sends camelCase
    assert hub.requests[-1]["query"]["sort"] == ["lastModified"]
    ascending = raw.get("/api/models", params={"sort": "downloads", "direction": "1", "limit": 3})
    assert [m["id"] for m in ascending.json()] == ["b/tiny", "d/last", "z/zeta"]
    assert raw.get("/api/models", params={"sort": "size"}).status_code == 400


def test_limit_is_honoured(hub, api):
    assert ids(api.list_models(sort="downloads", limit=4)) == BY_DOWNLOADS[:4]
    assert len(hub.requests) == 2 and hub.requests[0]["query"]["limit"] == ["4"]
    assert len(list(api.list_models(limit=2))) == 2
    assert len(hub.requests) == 3  # the client stops paging once it has enough


def test_limit_is_the_page_size_capped_by_the_hub(hub, raw):
    first = raw.get("/api/models", params={"sort": "downloads", "limit": 2})
    second = raw.get(first.links["next"]["url"])
    assert [m["id"] for m in first.json() + second.json()] == BY_DOWNLOADS[:4]
    assert "limit=2" in second.links["next"]["url"]
    assert len(raw.get("/api/models", params={"limit": 1000}).json()) == 3  # page_size=3


def test_filters_and_recorded_expand(hub, api, raw):
    assert ids(api.list_models(search="MIXED")) == ["c/Mixed-Case"]
    assert sorted(ids(api.list_models(author="meta"))) == ["meta/llama", "meta/opt"]
    assert ids(api.list_models(filter=["transformers", "opt"])) == ["meta/opt"]
    list(api.list_models(expand=["downloads", "likes"]))
    assert hub.requests[-1]["query"]["expand"] == ["downloads", "likes"]
    raw.get("/api/models", params={"expand[]": ["tags", "cardData"], "cardData": "true"})
    assert hub.requests[-1]["query"] == {"expand[]": ["tags", "cardData"], "cardData": ["true"]}


def test_model_info(hub, api):
    info = api.model_info("a/b")
    assert (info.id, info.author, info.downloads, info.tags) == ("a/b", "a", 50, ["transformers"])
    assert api.model_info("gpt2").likes == 1
    assert api.model_info("meta/opt", revision="main", files_metadata=True).id == "meta/opt"
    assert hub.requests[-1] == {
        "path": "/api/models/meta/opt/revision/main",
        "query": {"blobs": ["true"]},
        "status": 200,
        "authorization": None,
    }


def test_unknown_model_and_route_are_404(hub, api, raw):
    with pytest.raises(RepositoryNotFoundError) as raised:
        api.model_info("no/such")
    assert raised.value.response.status_code == 404
    assert raw.get("/api/datasets").status_code == 404


def test_bad_cursor_is_400(hub, raw):
    for cursor in ("not-base64!", encode_cursor(-1), "e30="):  # "e30=" is {}
        response = raw.get("/api/models", params={"cursor": cursor})
        assert response.status_code == 400 and response.json() == {"error": "Invalid cursor"}


def test_429_waits_retry_after_plus_one_second(hub, api):
    hub.fail_next(429, retry_after=1)
    started = time.monotonic()
    assert ids(api.list_models(sort="downloads")) == BY_DOWNLOADS
    assert time.monotonic() - started >= 2
    assert [r["status"] for r in hub.requests] == [429, 200, 200, 200]


@pytest.mark.parametrize("status", [500, 502, 503, 408])
def test_server_errors_are_retried_with_exponential_waits(hub, api, sleeps, status):
    hub.fail_next(status, times=2, path_prefix="/api/models")
    assert ids(api.list_models(sort="downloads")) == BY_DOWNLOADS
    assert sleeps == [1, 2]


def test_retry_after_is_honoured_on_5xx_too(hub, api, sleeps):
    hub.fail_next(503, retry_after=3)
    list(api.list_models())
    assert sleeps == [4.0]


def test_retries_give_up_after_five(hub, api, sleeps):
    hub.fail_next(500, times=6)
    with pytest.raises(HfHubHTTPError) as raised:
        list(api.list_models())
    assert raised.value.response.status_code == 500
    assert sleeps == [1, 2, 4, 8, 8] and len(hub.requests) == 6


def test_failure_on_a_later_page_is_retried(hub, api, sleeps):
    listing = iter(api.list_models(sort="downloads"))
    first_page = [next(listing) for _ in range(3)]  # paging is lazy: page 2 not yet asked
    hub.fail_next(502)
    assert ids(first_page + list(listing)) == BY_DOWNLOADS
    assert sleeps == [1] and [r["status"] for r in hub.requests] == [200, 502, 200, 200]


def test_model_info_is_not_retried(hub, api, sleeps):
    hub.fail_next(500, path_prefix="/api/models/a/b")
    with pytest.raises(HfHubHTTPError):
        api.model_info("a/b")
    assert sleeps == [] and len(hub.requests) == 1


def test_garbled_json_raises(hub, api):
    hub.garble_next()
    with pytest.raises(ValueError):  # json.JSONDecodeError, not an HfHubHTTPError
        list(api.list_models())
    hub.garble_next(path_prefix="/api/models/a/b")
    with pytest.raises(ValueError):
        api.model_info("a/b")


def test_model_info_times_out(hub, api):
    hub.delay_next(2, path_prefix="/api/models/a/b")
    with pytest.raises(httpx2.TimeoutException):
        api.model_info("a/b", timeout=0.2)


def test_list_models_ignores_a_client_default_timeout(hub, api):
    _http.set_client_factory(lambda: httpx2.Client(timeout=0.1))
    hub.delay_next(0.5)
    assert len(list(api.list_models())) == len(MODELS)  # waited out the delay: no timeout


def test_list_models_timeout_is_retried_then_raised(hub, api, sleeps):
    _http.set_client_factory(timeout_client_factory(0.2))
    hub.delay_next(1)
    assert len(list(api.list_models())) == len(MODELS) and sleeps == [1]
    hub.delay_next(1, times=6)
    with pytest.raises(httpx2.ReadTimeout):
        list(api.list_models())


def test_set_models_between_runs(hub, api):
    hub.set_models([model("new/one", 1)])
    assert ids(api.list_models()) == ["new/one"]
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("a/b")


def test_hf_endpoint_is_read_only_at_import(hub, monkeypatch):
    import huggingface_hub

    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    assert HfApi().endpoint == constants.ENDPOINT != hub.url
    assert huggingface_hub.list_models.__self__.endpoint != hub.url


def test_log_is_thread_safe(hub, raw):
    threads = [threading.Thread(target=raw.get, args=("/api/models/gpt2",)) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r["status"] for r in hub.requests] == [200] * 20


def test_stop_does_not_wait_for_delays():
    fake = FakeHub(MODELS).start()
    fake.delay_next(30)
    threading.Thread(target=httpx2.get, args=(f"{fake.url}/api/models",), daemon=True).start()
    time.sleep(0.2)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 5
