"""The hostile-request corpus (issue #11): every API route and parameter and every Dash callback,
with operators, quotes, backslashes, LIKE wildcards, 10,000 characters, NUL, invalid UTF-8,
huge and negative numbers, arrays, objects, null, wrong types, path traversal and unicode,
sent to a real `catalog serve` (gunicorn) over a synthetic catalog of 2,000 models.

Each request must answer below 500, in JSON under /api/v1 (the docs page aside), with every
4xx in the error envelope, within 2 s; the server must be healthy after all of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests

from data.query import SearchQuery
from tests.served import catalog_database, serve

SLOWEST_SECONDS = 2.0
LONG = "x" * 10_000
# Query-string values, already percent-encoded where the raw form cannot be sent as is.
HOSTILE_VALUES = [
    "'",
    '"',
    "\\",
    "%25",
    "_",
    "%25_%25",
    "a%25b_c",
    "' OR 1=1 --",
    '"; DROP TABLE models; --',
    "<script>alert(1)</script>",
    "%00",
    "a%00b",
    "%ff%fe",
    "%c0%af",
    "%e2%80%ae",
    "%ed%a0%80",
    "9" * 40,
    "-1",
    "-9223372036854775809",
    "1e309",
    "NaN",
    "Infinity",
    "0",
    "1.5",
    "0x10",
    "[]",
    "{}",
    "null",
    "true",
    '["a"]',
    '{"$gt": 1}',
    "../../etc/passwd",
    "..%2F..%2Fetc",
    "%C3%BC%E6%97%A5%F0%9F%99%82",
    "%20",
    "%0d%0aSet-Cookie:%20x=1",
    "*",
    "a,b,,c",
    "9999-12-31",
    "0000-01-01",
    "2024-02-30",
    LONG,
]
# Every parameter of the search grammar, and the routes' own (`format` of CSV export).
SEARCH_PARAMETERS = [*SearchQuery.model_fields, "format"]
DIMENSIONS = ["pipeline_tag", "library", "license", "language", "author", "relation_type", "created_month"]
CALLBACK_VALUES = [
    None,
    5,
    -1,
    10**30,
    1.5,
    True,
    [],
    {},
    [None],
    [5],
    [[1]],
    {"a": [1]},
    ["x"] * 2000,
    LONG,
    "a\x00b",
    "'; DROP TABLE models; --",
    "../../etc/passwd",
    "%_\\",
    "ü日本🙂",
    "",
    "/authors/%00",
    "?q=" + LONG[:300],
    "/models/" + "a/" * 300,
    "9999-12-31",
    "0000-01-01",
    "-5",
]


def api_cases() -> list[tuple[str, str]]:
    """(method, path with query) of every route and parameter with each hostile value."""
    cases = [("GET", f"/api/v1/models?{name}={value}") for name in SEARCH_PARAMETERS for value in HOSTILE_VALUES]
    cases += [
        ("GET", f"/api/v1/stats/{dimension}?{name}={value}")
        for dimension in DIMENSIONS
        for name, value in [
            ("q", "'"),
            ("author", "%00"),
            ("created_to", "9999-12-31"),
            ("min_likes", "-1"),
            ("pipline_tag", "x"),
            ("facets", "author"),
        ]
    ]
    cases += [("GET", f"/api/v1/stats/{value}") for value in HOSTILE_VALUES[:20]]
    for value in HOSTILE_VALUES:
        cases += [
            ("GET", f"/api/v1/models/{value}"),
            ("GET", f"/api/v1/models/org/{value}"),
            ("GET", f"/api/v1/models/{value}/ancestry"),
            ("GET", f"/api/v1/models/{value}/lineage/timeline"),
            ("GET", f"/api/v1/models/{value}/lineage/tree"),
            ("GET", f"/api/v1/models/{value}/history"),
            ("GET", f"/api/v1/papers/{value}"),
            ("GET", f"/api/v1/authors/{value}"),
            ("GET", f"/api/v1/trending?limit={value}"),
            ("GET", f"/api/v1/trending?pipeline_tag={value}"),
            ("GET", f"/api/v1/compare?ids={value}"),
            ("GET", f"/api/v1/compare?ids=acme/base-7b,{value}"),
            ("GET", f"/api/v1/compare?ids=acme/base-7b,lab/base-7b-chat&format={value}"),
        ]
        cases += [
            ("GET", f"/api/v1/models/org/a/ancestry?{name}={value}")
            for name in ("direction", "depth", "relation", "limit")
        ]
    cases += [
        ("GET", "/api/v1/models?" + "&".join(["facets=author,author"] * 300)),
        ("GET", "/api/v1/models?" + "&".join(f"author=a{n}" for n in range(60))),
        ("GET", "/api/v1/models?" + "&".join(f"pipeline_tag=t{n}" for n in range(600))),
        ("GET", "/api/v1/models?cursor=" + quote("eyJ4IjogMX0=")),
        ("GET", "/api/v1/models?page=10000"),
        ("GET", "/api/v1/models?sort=created&order=asc"),
        ("GET", "/api/v1/models?pipline_tag=text-generation"),
        ("GET", "/api/v1"),
        ("GET", "/api/v1/"),
        ("GET", "/api/v1//models"),
        ("GET", "/api/v1/models/"),
        ("GET", "/api/v1/%00"),
        ("GET", "/api/v1/../../etc/passwd"),
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/health?x=1"),
        ("GET", "/api/v1/ready"),
        ("GET", "/api/v1/openapi.json"),
        ("TRACE", "/api/v1/models"),
        ("DELETE", "/api/v1/models"),
        ("POST", "/api/v1/models"),
        ("PUT", "/api/v1/models/org/a"),
        ("PATCH", "/api/v1/stats"),
        ("FOO", "/api/v1/models"),
        ("OPTIONS", "/api/v1/models"),
        ("HEAD", "/api/v1/models?q=%00"),
        ("GET", "/_dash-component-suites/dash/../../../etc/passwd"),
        ("GET", "/_dash-component-suites/../app/settings.py"),
        ("GET", "/_dash-component-suites/x/y.js"),
        ("GET", "/authors/%00"),
        ("GET", "/models/%00/x"),
        ("GET", "/%ff%fe"),
    ]
    return cases


@pytest.fixture(scope="module")
def served(server_url, template_url):
    with catalog_database(server_url) as url:
        environment = os.environ | {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_LEVEL": "WARNING"}
        subprocess.run(
            [sys.executable, "-m", "app.cli", "ingest", "synthetic", "2000", "--seed", "11"],
            env=environment,
            check=True,
            capture_output=True,
            timeout=300,
        )
        with serve(url) as running:
            yield running


@pytest.fixture(scope="module")
def session():
    with requests.Session() as client:
        yield client


def send(session, served, method: str, path: str, body=None) -> tuple[requests.Response, float]:
    # A prepared request: requests would re-encode the path's deliberate percent-escapes.
    request = requests.Request(method, served.url + "/", json=body).prepare()
    request.url = served.url + path
    started = time.perf_counter()
    response = session.send(request, timeout=30, allow_redirects=False)
    return response, time.perf_counter() - started


def problems_of(response: requests.Response, seconds: float, path: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{response.status_code}: {response.text[:200]}")
    json_expected = path.startswith("/api/v1") and not path.startswith("/api/v1/docs")
    json_expected = json_expected or path.startswith("/_dash-")
    is_json = response.headers.get("Content-Type", "").startswith("application/json")
    if json_expected and response.request.method != "HEAD" and response.status_code != 204 and not is_json:
        problems.append(f"not JSON ({response.headers.get('Content-Type')}): {response.text[:120]!r}")
    if 400 <= response.status_code < 500 and is_json and response.request.method != "HEAD":
        error = response.json().get("error") if isinstance(response.json(), dict) else None
        if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
            problems.append(f"{response.status_code} not in the error envelope: {response.text[:200]}")
    if seconds > SLOWEST_SECONDS:
        problems.append(f"took {seconds:.2f} s")
    return problems


def test_the_corpus_has_at_least_300_requests_per_kind():
    assert len(api_cases()) >= 1000
    assert len(CALLBACK_VALUES) * 10 >= 200  # × every server callback, at least ten of them


def test_every_api_request_is_answered_well(served, session):
    failures = []
    for method, path in api_cases():
        response, seconds = send(session, served, method, path)
        failures += [f"{method} {path[:150]}: {problem}" for problem in problems_of(response, seconds, path)]
    assert failures == [], "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


# --- Dash callbacks ----------------------------------------------------------------------------------


def server_callbacks(served, session) -> list[dict]:
    """The server-side callbacks as the renderer learns them (clientside ones never reach us)."""
    dependencies = session.get(served.url + "/_dash-dependencies", timeout=10).json()
    return [dependency for dependency in dependencies if not dependency.get("clientside_function")]


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    specs = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        specs.append({"id": json.loads(component) if component.startswith("{") else component, "property": prop})
    return specs if len(specs) > 1 else specs[0]


def _dependency(item: dict, value) -> dict | list:
    if isinstance(item["id"], dict):  # pattern-matching: one value for one matched component
        concrete = {key: ("hostile" if isinstance(part, list) else part) for key, part in item["id"].items()}
        return [{"id": concrete, "property": item["property"], "value": value}]
    return {"id": item["id"], "property": item["property"], "value": value}


def callback_body(callback: dict, value) -> dict:
    inputs = [_dependency(item, value) for item in callback["inputs"]]
    return {
        "output": callback["output"],
        "outputs": _outputs(callback["output"]),
        "inputs": inputs,
        "state": [_dependency(item, value) for item in callback.get("state", [])],
        "changedPropIds": [
            f"{item['id']}.{item['property']}" for item in callback["inputs"] if isinstance(item["id"], str)
        ],
    }


def test_every_dash_callback_with_hostile_inputs_is_answered_well(served, session):
    callbacks = server_callbacks(served, session)
    assert len(callbacks) >= 10
    failures, sent = [], 0
    for callback in callbacks:
        for value in CALLBACK_VALUES:
            body = callback_body(callback, value)
            try:
                response, seconds = send(session, served, "POST", "/_dash-update-component", body)
            except requests.ConnectionError as error:
                failures.append(f"{callback['output']} ← {json.dumps(value)[:60]}: connection dropped: {error}")
                continue
            sent += 1
            failures += [
                f"{callback['output']} ← {json.dumps(value)[:60]}: {problem}"
                for problem in problems_of(response, seconds, "/_dash-update-component")
            ]
    assert sent >= 200
    assert failures == [], "\n".join(failures[:40]) + f"\n({len(failures)} in all)"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "x",
        {},
        {"output": None},
        {"output": "url.pathname", "inputs": {}},
        {"output": "page.children", "outputs": [], "inputs": [[[[]]]]},
    ],
)
def test_malformed_callback_envelopes_are_refused(served, session, body):
    response, seconds = send(session, served, "POST", "/_dash-update-component", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_CALLBACK_REQUEST"
    assert problems_of(response, seconds, "/_dash-update-component") == []


def test_the_server_is_healthy_after_the_corpus(served, session):
    # Runs last in this module (pytest keeps the file's order).
    assert served.alive()
    response = session.get(served.url + "/api/v1/health", timeout=10)
    assert response.status_code == 200 and response.json()["data"]["status"] == "ok"
    assert session.get(served.url + "/api/v1/models?q=model", timeout=10).status_code == 200


def test_lineage_answers_agree_through_the_real_server(served, session):
    """The lineage search, timeline and tree as gunicorn serves them: one family, three routes."""

    def get(path: str) -> dict:
        response, _ = send(session, served, "GET", path)
        assert response.status_code == 200, response.text[:200]
        return response.json()

    bases = get("/api/v1/models?has_base_model=false&per_page=100")["data"]
    root = next(model["id"] for model in bases if model["derivative_count"] > 1)
    family = get(f"/api/v1/models?descendant_of={quote(root)}&per_page=100")
    direct = get(f"/api/v1/models?base_model={quote(root)}&per_page=100")
    within_one = get(f"/api/v1/models?descendant_of={quote(root)}&depth=1&per_page=100")
    assert {m["id"] for m in within_one["data"]} == {m["id"] for m in direct["data"]} != set()
    timeline = get(f"/api/v1/models/{root}/lineage/timeline")["data"]
    assert timeline["total_descendants"] == family["meta"]["total"] and family["meta"]["total_exact"]
    assert sum(map(sum, timeline["counts"].values())) + timeline["undated"] == timeline["total_descendants"]
    assert get(f"/api/v1/models/{root}/lineage/tree")["data"]["root"] == root
