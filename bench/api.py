"""API benchmark: a live server (gunicorn, 2 workers, 127.0.0.1) over a filled catalog.

    python bench/api.py --database-url postgresql://postgres@127.0.0.1:5432/catalog [--requests 300]

Fill the catalog first (e.g. `catalog ingest file ../shared/hf-snapshot/raw/stalnaker-hf-supply-chain/model_lists`
or `catalog ingest synthetic 3000000`). Each kind of request is sent `--requests` times from
`--clients` threads (default 4), uncached (every URL distinct) unless the kind says "cached"; printed: p50,
p95, p99 in ms and requests/s per kind.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from browser import serve  # bench/ is the script's folder: its sibling module
from sqlalchemy import create_engine, text

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
    "stable diffusion",
    "phi",
    "gemma",
    "sentence",
    "clip",
    "deberta",
    "gpt2",
    "tiny",
]


def samples(url: str) -> dict:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        ids = list(conn.execute(text("SELECT repo_id FROM models TABLESAMPLE SYSTEM (1) LIMIT 2000")).scalars())
        tasks = list(
            conn.execute(
                text(
                    "SELECT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL"
                    " GROUP BY 1 ORDER BY count(*) DESC LIMIT 15"
                )
            ).scalars()
        )
        libraries = list(
            conn.execute(
                text(
                    "SELECT library_name FROM models WHERE library_name IS NOT NULL"
                    " GROUP BY 1 ORDER BY count(*) DESC LIMIT 10"
                )
            ).scalars()
        )
        families = list(
            conn.execute(text("SELECT repo_id FROM models ORDER BY derivative_count DESC LIMIT 20")).scalars()
        )
    engine.dispose()
    return {"ids": ids, "tasks": tasks, "libraries": libraries, "families": families}


# A search page with each model's bases' licences, in one request (GraphQL's GET is cached like
# the REST GETs: every word here is a distinct URL only the first time).
GRAPHQL_PAGE = '{models(first: 20, filter: {q: "%s"}) {nodes {id license baseModels {model {license}}}}}'


def id_fragment(repo_id: str) -> str:
    name = repo_id.split("/", 1)[-1]
    parts = name.replace("_", "-").split("-")
    return "-".join(parts[: random.randint(1, min(3, len(parts)))])


def kinds(s: dict) -> dict:
    q = urllib.parse.quote
    return {
        "search id-like": lambda i: f"/api/v1/models?q={q(id_fragment(random.choice(s['ids'])))}",
        "search words": lambda i: f"/api/v1/models?q={q(random.choice(WORDS))}",
        "filters only": lambda i: (
            f"/api/v1/models?pipeline_tag={q(random.choice(s['tasks']))}&library={q(random.choice(s['libraries']))}"
        ),
        "search + facets": lambda i: f"/api/v1/models?q={q(random.choice(WORDS))}&facets=pipeline_tag,library,license",
        "deep page (50-99)": lambda i: f"/api/v1/models?sort=likes&page={50 + i % 50}",
        "detail": lambda i: f"/api/v1/models/{random.choice(s['ids'])}",
        "ancestry largest": lambda i: f"/api/v1/models/{random.choice(s['families'][:3])}/ancestry?direction=down",
        "statistics": lambda i: f"/api/v1/stats/pipeline_tag?q={q(random.choice(WORDS))}",
        "cached search": lambda i: "/api/v1/models?q=llama",
        "sort=quality": lambda i: f"/api/v1/models?sort=quality&pipeline_tag={q(random.choice(s['tasks']))}",
        "min_quality=60": lambda i: f"/api/v1/models?min_quality=60&q={q(random.choice(WORDS))}",
        "compare 4": lambda i: "/api/v1/compare?ids=" + ",".join(q(m) for m in random.sample(s["ids"], 4)),
        "similar": lambda i: f"/api/v1/models/{q(random.choice(s['ids']))}/similar",
        "graphql page": lambda i: "/api/graphql?query=" + q(GRAPHQL_PAGE % random.choice(WORDS)),
    }


def measure(base: str, make_path, count: int, clients: int) -> tuple[list[float], float]:
    def one(i: int) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(base + make_path(i), timeout=30) as response:
            response.read()
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(one, range(count)))
    return times, count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument(
        "--clients", type=int, default=4, help="requests in flight (1 measures latency alone; 4 loads both workers)"
    )
    args = parser.parse_args()
    with serve(args.database_url) as base:
        found = samples(args.database_url)
        print(f"{'kind':<18} {'p50':>7} {'p95':>7} {'p99':>7}  req/s")
        for name, make_path in kinds(found).items():
            times, rate = measure(base, make_path, args.requests, args.clients)
            p = statistics.quantiles(times, n=100)
            print(f"{name:<18} {statistics.median(times):7.1f} {p[94]:7.1f} {p[98]:7.1f}  {rate:6.0f}")


if __name__ == "__main__":
    main()
