"""Big-family benchmark: the Lineage tab drawn in groups, and the queries behind it.

    python bench/lineage_family.py [--database-url postgresql://postgres@127.0.0.1:5432/catalog_bench]
                                   [--families 3] [--runs 50]

Read-only over a filled catalog (its lineage closure refreshed). For the largest families it
times, one read-only session per call as the dashboard does: `family_groups` (the groups and
the links into them, down to the drawn generations + 1), `family_authors` (the sunburst),
`direct_derivatives`, and the whole Lineage tab (graph view collapsed, with the largest group
of each relation type expanded, and the sunburst view) through the page's own callback.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callbacks import model
from components.model_page import GENERATIONS_DRAWN
from data.db import Database
from data.family_groups import direct_derivatives, family_authors, family_groups

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/catalog_bench"


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms  (n={len(samples)})"


def timed(call, roots: list[str], runs: int) -> list[float]:
    for root in roots:  # warm the cache
        call(root)
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        call(roots[i % len(roots)])
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--families", type=int, default=3)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    db = Database.from_urls(args.database_url)
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""
            SELECT m.repo_id, sum(c.descendants) AS size FROM lineage_counts c JOIN models m ON m.id = c.ancestor
            GROUP BY m.repo_id ORDER BY size DESC LIMIT :n"""),
            {"n": args.families},
        ).all()
        expanded = {
            row.repo_id: [
                ("expand", f"{kind}:1")
                for (kind,) in session.execute(
                    text("""SELECT relation_type FROM lineage_counts c JOIN models m ON m.id = c.ancestor
                            WHERE m.repo_id = :id AND depth = 1"""),
                    {"id": row.repo_id},
                )
            ]
            for row in rows
        }
    roots = [row.repo_id for row in rows]
    print("families:", ", ".join(f"{row.repo_id} ({row.size:,})" for row in rows))

    def in_session(function, *options):
        def call(root):
            with db.session(read_only=True) as session:
                function(session, root, *options)

        return call

    def page(extra):
        return lambda root: model.layout(db, [("tab", "lineage"), *extra(root)], repo_id=root)

    cases = {
        "family_groups": in_session(family_groups, GENERATIONS_DRAWN + 1),
        "family_authors": in_session(family_authors, model.TOP_AUTHORS),
        "direct_derivatives": in_session(direct_derivatives),
        "lineage tab, graph": page(lambda root: []),
        "lineage tab, expanded": page(lambda root: expanded[root]),
        "lineage tab, sunburst": page(lambda root: [("view", "sunburst")]),
    }
    for name, call in cases.items():
        print(f"{name:24} {percentiles(timed(call, roots, args.runs))}")
    db.dispose()


if __name__ == "__main__":
    main()
