"""Family benchmark: a family's growth timeline and model tree, and the fastest-growing families.

    python bench/family.py --database-url postgresql://postgres@127.0.0.1:5432/NAME
                           [--root mistralai/Mistral-7B-v0.1] [--runs 200] [--refresh]

Over a filled catalog migrated to 0013 or later (read-only unless --refresh): times
`data.family.timeline`, `data.family.model_tree` for `--root` (default: the largest family) and
`data.analytics.fastest_growing` unfiltered and filtered, one read-only session per call as the
API and the dashboard do, and prints p50/p95/p99. `--refresh` first times a concurrent refresh
of each family view (migration 0013), which writes to the database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data import analytics, family
from data.db import Database
from data.query import SearchQuery
from data.views import LINEAGE_SUMMARY_VIEWS

WARM_UP = 5


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.2f}  p95 {cuts[94]:7.2f}  p99 {cuts[98]:7.2f} ms  (n={len(samples)})"


def timed(db: Database, runs: int, call: Callable) -> tuple[list[float], object]:
    for _ in range(WARM_UP):  # the cache and the prepared statements
        with db.session(read_only=True) as session:
            call(session)
    samples, last = [], None
    for _ in range(runs):
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            last = call(session)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, last


def largest_family(db: Database) -> str:
    with db.session(read_only=True) as session:
        return session.execute(
            text("""
            SELECT m.repo_id FROM family_sizes f JOIN models m ON m.id = f.ancestor
            ORDER BY f.total DESC, f.ancestor LIMIT 1""")
        ).scalar_one()


def time_refresh(db: Database) -> None:
    for view in LINEAGE_SUMMARY_VIEWS:
        started = time.perf_counter()
        with db.session() as session:
            session.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))
            session.commit()
        print(f"refresh {view:16} {time.perf_counter() - started:6.2f} s")


def view_sizes(db: Database) -> str:
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""
            SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid))
            FROM pg_class WHERE relname = ANY(:views) ORDER BY relname"""),
            {"views": list(LINEAGE_SUMMARY_VIEWS)},
        ).all()
    return ", ".join(f"{name} {rows_:,} rows {size}" for name, rows_, size in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--root", help="the family to time (default: the largest)")
    parser.add_argument("--runs", type=int, default=200, help="timed runs per query (>= 50)")
    parser.add_argument("--refresh", action="store_true", help="first time a refresh of each view (writes)")
    args = parser.parse_args()
    db = Database.from_urls(args.database_url)
    try:
        if args.refresh:
            time_refresh(db)
        print(view_sizes(db))
        root = args.root or largest_family(db)
        samples, timeline = timed(db, args.runs, lambda s: family.timeline(s, root))
        print(f"{root}: {timeline.total_descendants:,} descendants over {len(timeline.months)} months")
        print(f"timeline:                 {percentiles(samples)}")
        samples, tree = timed(db, args.runs, lambda s: family.model_tree(s, root))
        print(f"model tree:               {percentiles(samples)}  [{tree.authors:,} authors]")
        queries = {"all": SearchQuery(), "text-generation": SearchQuery(pipeline_tag=["text-generation"])}
        for name, query in queries.items():
            samples, growth = timed(db, args.runs, lambda s, q=query: analytics.fastest_growing(s, q))
            top = growth.families[0].repo_id if growth.families else "-"
            print(
                f"fastest-growing, {name + ':':16} {percentiles(samples)}  "
                f"[{growth.window_start} – {growth.window_end}, top {top}]"
            )
    finally:
        db.dispose()


if __name__ == "__main__":
    main()
