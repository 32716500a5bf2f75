"""A fake Hugging Face Hub API on 127.0.0.1, for testing ingestion through the real client.

    with FakeHub(models, page_size=2) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        list(api.list_models(sort="downloads", full=True))

Pointing huggingface_hub (2.4) at it:
- Pass ``endpoint=hub.url`` to ``HfApi``. ``HF_ENDPOINT`` is read only when huggingface_hub is
  first imported (``constants.ENDPOINT``); setting it later does nothing, and the module-level
  ``huggingface_hub.list_models``/``model_info`` are bound to an ``HfApi()`` made at import.
- Set ``huggingface_hub.constants.HF_HUB_DISABLE_TELEMETRY = True`` (or the env var before
  import): otherwise the first request's User-Agent lookup fetches
  ``{constants.ENDPOINT}/api/agent-harnesses``, i.e. the real huggingface.co.
- Timeouts: the shared ``httpx2.Client`` has ``timeout=None`` and ``list_models`` passes
  ``timeout=None`` per request, which overrides any client default. ``model_info(timeout=...)``
  works; for ``list_models`` install ``set_client_factory(timeout_client_factory(0.5))``.
- Retries: of the two calls, only ``list_models`` goes through ``http_backoff`` (every page):
  408/429/500/502/503/504 and timeouts/network errors, 5 retries, waits 1, 2, 4, 8, 8 s, or
  Retry-After + 1 s when that header is a number. ``model_info`` never retries.
- A 404 becomes ``RepositoryNotFoundError`` only because we send ``X-Error-Code: RepoNotFound``
  as the real Hub does; without that header the client raises a plain ``HfHubHTTPError``.

Faults (fail/garble/cut/delay/redirect) hit the next matching requests in the order they were
registered; the default prefix "/api/models" also matches detail paths ("/api/models/a/b"
targets one model).

Hostile Hubs: `verbatim` items (anything JSON can hold, even non-objects) lead the listing
whatever its sort or filters; `next_base` sends `Link: rel="next"` to another server;
`honour_limit=False` answers `page_size` items whatever `limit` asked for. The request log
keeps each request's Authorization header, to see where a token went.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import threading
from urllib.parse import urlencode

import httpx2
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SORT_KEYS = frozenset({"downloads", "likes", "createdAt", "lastModified", "trendingScore"})
README_PATH = re.compile(r"^/(?P<id>[^/]+/[^/]+)/resolve/[^/]+/README\.md$")
DETAIL_PATH = re.compile(r"^/api/models/(?P<id>[^/]+(?:/[^/]+)?)(?:/revision/(?P<rev>.+))?$")


class BadRequest(Exception):
    """A client error answered as 400."""


def timeout_client_factory(seconds: float):
    """A huggingface_hub client factory whose requests time out after `seconds`.

    A request hook is needed: huggingface_hub passes `timeout=None` explicitly, which beats
    the client's own default.
    """
    from huggingface_hub.utils._http import default_client_factory

    def force_timeout(request: httpx2.Request) -> None:
        request.extensions["timeout"] = httpx2.Timeout(seconds).as_dict()

    def factory() -> httpx2.Client:
        client = default_client_factory()
        client.event_hooks["request"].append(force_timeout)
        return client

    return factory


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError) as error:
        raise BadRequest("Invalid cursor") from error
    if not isinstance(offset, int) or offset < 0:
        raise BadRequest("Invalid cursor")
    return offset


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data), status=status, headers=headers, mimetype="application/json")


class FakeHub:
    def __init__(
        self,
        models: list[dict],
        page_size: int = 100,
        *,
        verbatim: list | None = None,
        next_base: str | None = None,
        honour_limit: bool = True,
        readmes: dict[str, str] | None = None,
    ):
        self.page_size = page_size
        self.verbatim = copy.deepcopy(verbatim or [])
        self.next_base, self.honour_limit = next_base, honour_limit
        self.readmes = readmes or {}  # model id -> README.md text, served as the Hub's resolve URL
        self.url = ""
        self._lock = threading.Lock()
        self._log: list[dict] = []
        self._faults: list[dict] = []  # consumed first-registered-first
        self._stopping = threading.Event()  # cuts delays short on stop()
        self._server = None
        self._thread: threading.Thread | None = None
        self.set_models(models)

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> FakeHub:
        self._stopping.clear()
        self._server = make_server("127.0.0.1", 0, self, threaded=True)
        # a short poll keeps stop() fast: shutdown() waits for the loop to notice
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- test controls ---------------------------------------------------------
    def set_models(self, models: list[dict]) -> None:
        models = copy.deepcopy(models)  # the caller may keep mutating its own list
        with self._lock:
            self._models = {model["id"]: model for model in models}

    @property
    def requests(self) -> list[dict]:
        with self._lock:
            return list(self._log)

    def fail_next(
        self, status: int, times: int = 1, retry_after: int | None = None, path_prefix: str = "/api/models"
    ) -> None:
        self._add_fault("fail", times, path_prefix, status=status, retry_after=retry_after)

    def garble_next(self, times: int = 1, path_prefix: str = "/api/models") -> None:
        self._add_fault("garble", times, path_prefix)

    def delay_next(self, seconds: float, times: int = 1, path_prefix: str = "/api/models") -> None:
        self._add_fault("delay", times, path_prefix, seconds=seconds)

    def cut_next(self, times: int = 1, path_prefix: str = "/api/models") -> None:
        """Announce the whole body, send half of it and close: a connection lost mid-page."""
        self._add_fault("cut", times, path_prefix)

    def redirect_next(self, location: str, times: int = 1, path_prefix: str = "/api/models") -> None:
        self._add_fault("redirect", times, path_prefix, location=location)

    def _add_fault(self, kind: str, times: int, path_prefix: str, **args) -> None:
        with self._lock:
            self._faults.append({"kind": kind, "left": times, "prefix": path_prefix, **args})

    def _take_fault(self, path: str) -> dict | None:
        with self._lock:
            for fault in self._faults:
                if fault["left"] > 0 and path.startswith(fault["prefix"]):
                    fault["left"] -= 1
                    return fault
        return None

    # -- WSGI ------------------------------------------------------------------
    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self._respond(request)
        with self._lock:
            self._log.append(
                {
                    "path": request.path,
                    "query": request.args.to_dict(flat=False),
                    "status": response.status_code,
                    "authorization": request.headers.get("Authorization"),
                }
            )
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        fault = self._take_fault(request.path)
        if fault and fault["kind"] == "fail":
            headers = {"Retry-After": str(fault["retry_after"])} if fault["retry_after"] is not None else {}
            return json_response({"error": f"Fake failure {fault['status']}"}, fault["status"], headers)
        if fault and fault["kind"] == "delay":
            self._stopping.wait(fault["seconds"])
        if fault and fault["kind"] == "redirect":
            return Response(status=302, headers={"Location": fault["location"]})
        response = self._route(request)
        if fault and fault["kind"] in ("garble", "cut"):
            body = response.get_data()
            response.set_data(body[: max(1, len(body) // 2)])  # a strict prefix of JSON is never JSON
            response.status_code = 200
            if fault["kind"] == "cut":
                response.headers["Content-Length"] = str(len(body))
        return response

    def _route(self, request: Request) -> Response:
        if request.method != "GET":
            return json_response({"error": "Not found"}, 404)
        try:
            if request.path == "/api/models":
                return self._list(request)
        except BadRequest as error:
            return json_response({"error": str(error)}, 400)
        match = DETAIL_PATH.match(request.path)
        if match:
            return self._detail(match["id"])
        match = README_PATH.match(request.path)
        if match and match["id"] in self.readmes:
            return Response(self.readmes[match["id"]], content_type="text/markdown; charset=utf-8")
        return json_response({"error": "Not found"}, 404)

    def _detail(self, model_id: str) -> Response:
        with self._lock:
            model = self._models.get(model_id)
        if model is None:
            headers = {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"}
            return json_response({"error": "Repository not found"}, 404, headers)
        return json_response(model)

    def _list(self, request: Request) -> Response:
        args = request.args
        offset = decode_cursor(args["cursor"]) if "cursor" in args else 0
        items = self._select(args)
        size = self._page_size(args)
        page = items[offset : offset + size]
        headers = {}
        if offset + size < len(items):
            query = [(k, v) for k, v in args.items(multi=True) if k != "cursor"]
            query.append(("cursor", encode_cursor(offset + size)))
            base = f"{self.next_base}/" if self.next_base else request.host_url
            headers["Link"] = f'<{base}api/models?{urlencode(query)}>; rel="next"'
        return json_response(page, headers=headers)

    def _select(self, args) -> list[dict]:
        """The filtered, sorted models: recomputed per page, as on a live Hub."""
        with self._lock:
            items = sorted(self._models.values(), key=lambda m: m["id"])  # tie-break for stable paging
            verbatim = copy.deepcopy(self.verbatim)
        if "search" in args:
            items = [m for m in items if args["search"].lower() in m["id"].lower()]
        if "author" in args:
            items = [m for m in items if m.get("author", m["id"].partition("/")[0]) == args["author"]]
        for tag in args.getlist("filter"):
            items = [m for m in items if tag in (m.get("tags") or [])]
        sort, direction = args.get("sort"), args.get("direction", "-1")
        if sort is not None and sort not in SORT_KEYS:
            raise BadRequest(f"Invalid sort: {sort}")
        if direction not in ("-1", "1"):
            raise BadRequest(f"Invalid direction: {direction}")
        if sort is not None:  # missing values sort as smallest; sort() is stable so ids stay ordered
            items.sort(key=lambda m: (m.get(sort) is not None, m.get(sort)), reverse=direction == "-1")
        return verbatim + items

    def _page_size(self, args) -> int:
        """As on the Hub, `limit` is the page size (capped); the Link header leads on."""
        limit = args.get("limit")
        if limit is None or not self.honour_limit:
            return self.page_size
        if not limit.isdigit() or int(limit) == 0:
            raise BadRequest(f"Invalid limit: {limit}")
        return min(int(limit), self.page_size)
