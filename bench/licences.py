"""Licence conflicts benchmark: p50/p95/p99 of the `licence_conflict` filter, the model detail's
conflicts (with their chains) and the per-family chart, over a filled catalog at migration 0014.

    python bench/licences.py --database-url URL [--runs 30] [--refresh]

Calls the data functions directly (one read-only session per call, as the API and callbacks
do), after one untimed call to warm the cache. `--refresh` also times rebuilding the view
(it writes: never on a catalog that is not yours).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text

from data import analytics, catalog, licences
from data.db import Database
from data.query import SearchQuery
from data.search import search

SEARCHES = {
    "licence_conflict=true": SearchQuery(licence_conflict=True),
    "licence_conflict=false": SearchQuery(licence_conflict=False),
    "true&sort=likes": SearchQuery(licence_conflict=True, sort="likes"),
    "true&pipeline_tag=text-generation": SearchQuery(licence_conflict=True, pipeline_tag=["text-generation"]),
    "true&library=gguf": SearchQuery(licence_conflict=True, library=["gguf"]),
    "true&q=llama": SearchQuery(licence_conflict=True, q="llama"),
    "true&license=apache-2.0&facets=license": SearchQuery(
        licence_conflict=True, license=["apache-2.0"], facets=["license"]
    ),
    "true&page=50": SearchQuery(licence_conflict=True, page=50),
    "false&q=mistral": SearchQuery(licence_conflict=False, q="mistral"),
}
CHART_FILTERS = {"unfiltered": SearchQuery(), "q=llama": SearchQuery(q="llama")}


def timed(db: Database, call: Callable, runs: int) -> list[float]:
    with db.session(read_only=True) as session:
        call(session)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            call(session)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms"


def most_conflicted(db: Database, limit: int) -> list[str]:
    """The models with the most restricted ancestors (the longest chains to walk)."""
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""
            SELECT m.repo_id FROM licence_conflicts c JOIN models m ON m.id = c.model_id
            GROUP BY m.repo_id ORDER BY count(*) DESC, max(c.depth) DESC, m.repo_id LIMIT :limit"""),
            {"limit": limit},
        )
        return [row[0] for row in rows]


def benchmark(url: str, runs: int, refresh: bool) -> None:
    db = Database.from_urls(url)
    with db.session(read_only=True) as session:
        rows, models = session.execute(text("SELECT count(*), count(DISTINCT model_id) FROM licence_conflicts")).one()
        catalog_size = session.execute(text("SELECT count(*) FROM models")).scalar_one()
    print(f"{catalog_size:,} models; {rows:,} conflicts of {models:,} models")
    for name, query in SEARCHES.items():
        with db.session(read_only=True) as session:
            found = search(session, query)
        samples = timed(db, lambda session, q=query: search(session, q), runs)
        total = f"{found.total:,}{'' if found.total_exact else ' (estimated)'}"
        print(f"search {name:42} {percentiles(samples)}  total {total}")
    for name, query in CHART_FILTERS.items():
        samples = timed(db, lambda session, q=query: analytics.conflicts_by_family(session, q), runs)
        print(f"chart  {name:42} {percentiles(samples)}")
    heavy = most_conflicted(db, 20)
    samples = []
    for repo_id in heavy:
        samples += timed(db, lambda session, r=repo_id: catalog.model_detail(session, r), max(1, runs // 10))
    print(f"detail {'the 20 most conflicted models':42} {percentiles(samples)}")
    if refresh:
        started = time.perf_counter()
        with db.session() as session:
            licences.refresh_licence_conflicts(session, concurrently=True)
            session.commit()
        print(f"refresh licence_conflicts concurrently: {(time.perf_counter() - started):.2f} s")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--refresh", action="store_true", help="also time a refresh of the view (writes)")
    args = parser.parse_args()
    benchmark(args.database_url, args.runs, args.refresh)


if __name__ == "__main__":
    main()
