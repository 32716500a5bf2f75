"""Load test: many concurrent clients through nginx in front of `catalog serve` processes.

    python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench \\
        [--clients 50] [--seconds 120] [--apps 2] [--redis-url redis://127.0.0.1:6379/13]
    python bench/load.py --url http://127.0.0.1:8080 --database-url …   # a stack already running

Without `--url` it starts the deployed stack as tests/stack.py does (nginx, `--apps` app processes
of one gunicorn worker each, rate limit off). Each client keeps one connection and one request in
flight for `--seconds`, picking by weight among searches, model details, ancestry and dashboard
callbacks (POST /_dash-update-component) over ids, words and tasks sampled from the catalog.
Printed: requests, errors, p50/p95/p99/max in ms per kind, req/s, cache hits. Any error (a status
of 400 or more, a timeout, a broken connection) is counted and the first few are shown; the exit
code is 1 when there was one.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/stack.py starts the stack as the tests do

from components import ids
from components.pages import TRENDING_RESULTS, TRENDING_TASKS

WORDS = [
    "llama",
    "bert",
    "gguf",
    "instruct",
    "chat",
    "whisper",
    "mistral",
    "qwen",
    "lora",
    "vit",
    "t5",
    "roberta",
    "phi",
    "gemma",
    "sentence",
    "clip",
    "deberta",
    "gpt2",
    "tiny",
    "7b",
]
REQUEST_TIMEOUT_SECONDS = 30
SHOWN_ERRORS = 5


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None


@dataclass(frozen=True)
class Sample:
    kind: str
    ms: float
    status: int
    error: str | None
    cached: bool


def samples(database_url: str) -> dict[str, list[str]]:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:

        def column(sql: str) -> list[str]:
            return list(conn.execute(text(sql)).scalars())

        found = {
            "ids": column("SELECT repo_id FROM models TABLESAMPLE SYSTEM (1) LIMIT 3000"),
            "tasks": column(
                "SELECT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 15"
            ),
            "families": column("SELECT repo_id FROM models ORDER BY derivative_count DESC LIMIT 20"),
        }
    engine.dispose()
    if not found["ids"]:
        sys.exit("the catalog is empty: fill it first (catalog ingest …)")
    return found


def id_fragment(rng: random.Random, repo_id: str) -> str:
    parts = repo_id.split("/", 1)[-1].replace("_", "-").split("-")
    return "-".join(parts[: rng.randint(1, min(3, len(parts)))])


def callback(
    output_ids: list[tuple[str, str]], inputs: list[tuple[str, str, object]], state: list[tuple[str, str, object]] = ()
) -> bytes:
    """A request body as the dashboard's renderer sends it."""
    outputs = [{"id": i, "property": p} for i, p in output_ids]
    name = (
        f"{output_ids[0][0]}.{output_ids[0][1]}"
        if len(output_ids) == 1
        else ".." + "...".join(f"{i}.{p}" for i, p in output_ids) + ".."
    )
    return json.dumps(
        {
            "output": name,
            "outputs": outputs[0] if len(outputs) == 1 else outputs,
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        }
    ).encode()


def render_page(pathname: str, search: str) -> Request:
    body = callback(
        [(ids.PAGE, "children"), (ids.TITLE, "data")], [(ids.URL, "pathname", pathname)], [(ids.URL, "search", search)]
    )
    return Request("POST", "/_dash-update-component", body)


def kinds(s: dict[str, list[str]]) -> dict[str, tuple[int, Callable[[random.Random], Request]]]:
    """name → (weight, make a request)."""
    q = urllib.parse.quote
    return {
        "search id": (25, lambda r: Request("GET", f"/api/v1/models?q={q(id_fragment(r, r.choice(s['ids'])))}")),
        "search+task": (
            15,
            lambda r: Request("GET", f"/api/v1/models?q={q(r.choice(WORDS))}&pipeline_tag={q(r.choice(s['tasks']))}"),
        ),
        "detail": (20, lambda r: Request("GET", f"/api/v1/models/{r.choice(s['ids'])}")),
        "ancestry": (
            10,
            lambda r: Request(
                "GET", f"/api/v1/models/{r.choice(s['families'] if r.random() < 0.3 else s['ids'])}/ancestry"
            ),
        ),
        "dash search page": (10, lambda r: render_page("/", f"?q={q(r.choice(WORDS))}")),
        "dash model page": (10, lambda r: render_page(f"/models/{r.choice(s['ids'])}", "")),
        "dash trending": (
            10,
            lambda r: Request(
                "POST",
                "/_dash-update-component",
                callback(
                    [(TRENDING_RESULTS, "children")], [(TRENDING_TASKS, "value", r.sample(s["tasks"], r.randint(0, 1)))]
                ),
            ),
        ),
    }


def client(base: str, menu: dict, deadline: float, seed: int, out: list[Sample]) -> None:
    """One user: one connection, one request at a time, until the deadline."""
    rng = random.Random(seed)
    address = urllib.parse.urlsplit(base)
    names, weights = list(menu), [weight for weight, _ in menu.values()]
    connection = None
    while time.monotonic() < deadline:
        kind = rng.choices(names, weights)[0]
        request = menu[kind][1](rng)
        started = time.perf_counter()
        status, error, cached = 0, None, False
        try:
            if connection is None:
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=REQUEST_TIMEOUT_SECONDS)
            connection.request(
                request.method,
                request.path,
                body=request.body,
                headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"},
            )
            response = connection.getresponse()
            body = response.read()
            status, cached = response.status, response.getheader("X-Cache") == "HIT"
            if status >= 400:
                error = f"{status} {request.method} {request.path}: {body[:200]!r}"
        except (OSError, http.client.HTTPException) as failure:
            error = f"{type(failure).__name__} {request.method} {request.path}: {failure}"
            if connection is not None:
                connection.close()
            connection = None
        out.append(Sample(kind, (time.perf_counter() - started) * 1000, status, error, cached))


def run(base: str, menu: dict, clients: int, seconds: float) -> tuple[list[Sample], float]:
    out: list[Sample] = []  # list.append is atomic: the clients share it
    started = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(base, menu, started + seconds, n, out), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT_SECONDS + 5)
    return out, time.monotonic() - started


def report(results: list[Sample], elapsed: float, clients: int) -> int:
    print(f"{'kind':<17} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  (ms)")
    by_kind: dict[str, list[Sample]] = {}
    for sample in results:
        by_kind.setdefault(sample.kind, []).append(sample)
    for kind, rows in [*sorted(by_kind.items()), ("all", results)]:
        times = sorted(row.ms for row in rows)
        cut = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
        errors = sum(row.error is not None for row in rows)
        print(
            f"{kind:<17} {len(rows):8d} {errors:6d} {statistics.median(times):7.1f} {cut[94]:7.1f} "
            f"{cut[98]:7.1f} {times[-1]:7.1f}"
        )
    errors = [row.error for row in results if row.error]
    hits = sum(row.cached for row in results)
    print(
        f"\n{len(results)} requests from {clients} clients in {elapsed:.1f} s: {len(results) / elapsed:.1f} req/s; "
        f"{len(errors)} errors; {hits / max(len(results), 1):.0%} answered from the response cache"
    )
    statuses = Counter(row.status for row in results)
    print("statuses:", ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(statuses.items())))
    for error in list(dict.fromkeys(errors))[:SHOWN_ERRORS]:
        print("  error:", error)
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the catalog (sampled for ids, tasks, families)")
    parser.add_argument("--url", help="a running stack to load instead of starting one")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--apps", type=int, default=2, help="app processes behind nginx")
    parser.add_argument("--redis-url", default="", help="shared cache for the apps (default: each its own)")
    args = parser.parse_args()
    menu = kinds(samples(args.database_url))
    if args.url:
        results, elapsed = run(args.url.rstrip("/"), menu, args.clients, args.seconds)
        sys.exit(report(results, elapsed, args.clients))
    from tests.stack import start_stack

    stack = start_stack(args.database_url, args.redis_url, apps=args.apps, CATALOG_RATE_LIMIT="off")
    try:
        print(
            f"nginx at {stack.url} in front of {args.apps} app processes; {args.clients} clients "
            f"for {args.seconds:.0f} s"
        )
        results, elapsed = run(stack.url, menu, args.clients, args.seconds)
    finally:
        stack.stop()
    sys.exit(report(results, elapsed, args.clients))


if __name__ == "__main__":
    main()
