"""Analytics benchmark: p50/p95 of each aggregation of `data/analytics.py`, per filter.

    python bench/analytics.py [--database-url postgresql://postgres@127.0.0.1:5432/catalog_bench]
                              [--runs 20]

Calls the data functions directly on a filled catalog (one read-only session per call, as the
dashboard's callbacks do), after one untimed call to warm the cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import analytics, catalog
from data.db import Database
from data.query import SearchQuery

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/catalog_bench"
AGGREGATIONS = {
    "tasks_by_month": analytics.tasks_by_month,
    "edges_by_month": analytics.edges_by_month,
    "downloads_histogram": analytics.downloads_histogram,
    "largest_families": analytics.largest_families,
}
FILTERS = {
    "unfiltered": SearchQuery(),
    "pipeline_tag=text-generation": SearchQuery(pipeline_tag=["text-generation"]),
    "q=llama": SearchQuery(q="llama"),
    "author=TheBloke": SearchQuery(author=["TheBloke"]),
}


def timed(db: Database, function, query: SearchQuery, runs: int) -> tuple[list[float], object]:
    with db.session(read_only=True) as session:
        function(session, query)
    samples, found = [], None
    for _ in range(runs):
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            found = function(session, query)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, found


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f} ms"


def exactness(found) -> str:
    exact = getattr(found, "exact", None)
    return "" if exact is None else ("exact" if exact else "sampled")


def benchmark(url: str, runs: int) -> None:
    db = Database.from_urls(url)
    try:
        for name, function in AGGREGATIONS.items():
            for label, query in FILTERS.items():
                samples, found = timed(db, function, query, runs)
                print(f"{name:20} {label:30} {percentiles(samples)}  {exactness(found)}", flush=True)
        samples, _ = timed(db, lambda session, _query: analytics.trending_tasks(session), SearchQuery(), runs)
        print(f"{'trending_tasks':20} {'(no filters)':30} {percentiles(samples)}")
        for label, tasks in (("(no filters)", []), ("pipeline_tag=text-generation", ["text-generation"])):
            ranked = lambda session, query: catalog.trending(session, 50, query.pipeline_tag)  # noqa: E731
            samples, found = timed(db, ranked, SearchQuery(pipeline_tag=tasks), runs)
            basis = found[0].trend.basis if found and found[0].trend else "none"  # type: ignore[index, attr-defined]
            print(f"{'trending (50)':20} {label:30} {percentiles(samples)}  {basis}")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=20, help="timed calls per aggregation and filter")
    args = parser.parse_args()
    benchmark(args.database_url, args.runs)


if __name__ == "__main__":
    main()
