"""Lineage benchmark: `ancestry()` on the largest families (down) and deepest chains (up).

    python bench/lineage.py [N] [--server-url postgresql://postgres@127.0.0.1:5432/postgres]
                            [--seed 0] [--runs 100] [--database NAME] [--keep]

Creates a throw-away database on the server, ingests N synthetic models (default 1,000,000)
with `catalog ingest synthetic`, then times the lineage closure's refresh and `ancestry()`
(one read-only session per call, as the API does). `--database` reuses a catalog database
that is filled already (nothing is ingested or dropped); `--keep` keeps the new one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data.db import Database, normalise_url
from data.lineage import ancestry, refresh_lineage

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FAMILIES = 3  # the largest families, taken in turn
CHAINS = 3  # the deepest chains, taken in turn


def catalog(url: str, *arguments: str) -> float:
    """Run `catalog …` on the database at `url`; return its wall time in seconds."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_LEVEL": "WARNING"},
    )
    if result.returncode:
        sys.exit(f"catalog {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms  (n={len(samples)})"


def timed_runs(db: Database, repo_ids: list[str], runs: int, **options) -> tuple[list[float], object]:
    for repo_id in repo_ids:  # warm the cache and the prepared statements
        with db.session(read_only=True) as session:
            ancestry(session, repo_id, **options)
    samples, last = [], None
    for run in range(runs):
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            last = ancestry(session, repo_ids[run % len(repo_ids)], **options)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, last


def closure_facts(db: Database) -> dict:
    with db.session() as session:
        return dict(
            session.execute(
                text("""
            SELECT count(*) AS pairs,
                   pg_size_pretty(pg_relation_size('lineage_closure')) AS heap,
                   pg_size_pretty(pg_indexes_size('lineage_closure')) AS indexes,
                   (SELECT count(*) FROM models) AS models,
                   (SELECT count(*) FROM base_model_relations) AS edges
            FROM lineage_closure""")
            )
            .mappings()
            .one()
        )


def largest_families(db: Database) -> list[tuple[str, int]]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                text("""
            SELECT m.repo_id, f.n FROM (
                SELECT ancestor, count(*) AS n FROM lineage_closure GROUP BY ancestor
                ORDER BY n DESC LIMIT :k) f
            JOIN models m ON m.id = f.ancestor ORDER BY f.n DESC"""),
                {"k": FAMILIES},
            )
        ]


def deepest_chains(db: Database) -> list[tuple[str, int]]:
    with db.session() as session:
        return [
            tuple(row)
            for row in session.execute(
                text("""
            SELECT m.repo_id, c.depth FROM (
                SELECT descendant, max(depth) AS depth FROM lineage_closure GROUP BY descendant
                ORDER BY depth DESC, descendant LIMIT :k) c
            JOIN models m ON m.id = c.descendant ORDER BY c.depth DESC"""),
                {"k": CHAINS},
            )
        ]


def time_refresh(db: Database) -> float:
    started = time.perf_counter()
    with db.session() as session:
        refresh_lineage(session)
        session.commit()
    return time.perf_counter() - started


def vacuum(url: str) -> None:
    """What autovacuum does soon after a refresh: lets the counts read the index alone."""
    engine = create_engine(normalise_url(url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE lineage_closure"))
    engine.dispose()


def benchmark(url: str, runs: int) -> None:
    db = Database.from_urls(url)
    try:
        print(f"closure refresh (CONCURRENTLY + ANALYZE): {time_refresh(db):.1f} s")
        vacuum(url)
        facts = closure_facts(db)
        print(
            f"closure: {facts['pairs']:,} pairs over {facts['models']:,} models and "
            f"{facts['edges']:,} edges; heap {facts['heap']}, indexes {facts['indexes']}"
        )
        families = largest_families(db)
        print("largest families: " + ", ".join(f"{name} ({n:,})" for name, n in families))
        samples, last = timed_runs(db, [name for name, _ in families], runs, direction="down", limit=500)
        print(
            f"down, limit 500:   {percentiles(samples)}  [{len(last.nodes)} nodes, "
            f"{len(last.edges)} edges, truncated {last.truncated}]"
        )
        samples, _ = timed_runs(db, [name for name, _ in families], runs, direction="both", limit=500)
        print(f"both, limit 500:   {percentiles(samples)}")
        # Selective filters: the index walk meets few matches and reads much of the family.
        samples, last = timed_runs(
            db, [name for name, _ in families], runs, direction="down", depth=1, relation={"merge"}, limit=500
        )
        print(f"down, depth 1, merges only: {percentiles(samples)}  [{len(last.nodes)} nodes]")
        chains = deepest_chains(db)
        print("deepest chains: " + ", ".join(f"{name} ({depth})" for name, depth in chains))
        samples, last = timed_runs(db, [name for name, _ in chains], runs, direction="up")
        print(f"up:                {percentiles(samples)}  [{len(last.nodes) - 1} ancestors]")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=1_000_000, help="synthetic models")
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=100, help="timed runs per query (>= 50)")
    parser.add_argument("--database", help="an existing, filled catalog database to use instead")
    parser.add_argument("--keep", action="store_true", help="keep the database created")
    args = parser.parse_args()
    server = make_url(args.server_url)
    if args.database:
        benchmark(server.set(database=args.database).render_as_string(hide_password=False), args.runs)
        return
    name = f"bench_lineage_{uuid.uuid4().hex[:8]}"
    url = server.set(database=name).render_as_string(hide_password=False)
    admin = create_engine(normalise_url(server), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        catalog(url, "db", "upgrade")
        print(f"{args.count:,} synthetic models (seed {args.seed}), {os.cpu_count()} cores, database {name}")
        elapsed = catalog(url, "ingest", "synthetic", str(args.count), "--seed", str(args.seed))
        print(f"ingest (with its closure refresh): {elapsed:.0f} s")
        benchmark(url, args.runs)
    finally:
        if not args.keep:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


if __name__ == "__main__":
    main()
