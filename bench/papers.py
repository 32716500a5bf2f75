"""Papers and cards benchmark: `arxiv=` searches, paper pages and `has_card=` over a filled catalog.

    python bench/papers.py [--database-url postgresql://postgres@127.0.0.1:5432/catalog_bench] [--runs 60]
                           [--cards-only]

Read-only: it only reads the catalog (one read-only session per call, as the API does).
Papers are taken from the catalog's own tags: the most cited, and ones at ranks 100 and 1,000.
`has_card` is timed through search when the schema has the column (migration 0012); on an
older schema the EXISTS it replaces is timed instead, as raw SQL, to show why it was replaced.
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

from data.db import Database
from data.papers import paper
from data.query import SearchQuery
from data.search import search

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/catalog_bench"
RANKS = (0, 1, 2, 100, 101, 102, 1000, 1001, 1002)  # papers by how many models cite them
# What has_card as an EXISTS would be: an OR of two, walked in downloads order.
EXISTS_PAGE = """
SELECT s.id FROM model_search s
WHERE {negation}(EXISTS (SELECT 1 FROM model_cards c WHERE c.id = s.id)
      OR EXISTS (SELECT 1 FROM models m WHERE m.id = s.id AND m.card_data IS NOT NULL))
ORDER BY s.downloads DESC, s.id DESC LIMIT 21
"""


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  p99 {cuts[98]:7.1f} ms  (n={len(samples)})"


def timed(db: Database, calls: list[Callable], runs: int) -> list[float]:
    for call in calls:  # warm the cache
        with db.session(read_only=True) as session:
            call(session)
    samples = []
    for run in range(runs):
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            calls[run % len(calls)](session)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def papers_by_rank(db: Database) -> list[tuple[str, int]]:
    with db.session(read_only=True) as session:
        rows = session.execute(
            text("""SELECT substr(tag, 7) AS paper, count(*) AS models FROM model_tags
                    WHERE tag_type = 'arxiv' GROUP BY tag ORDER BY count(*) DESC, tag""")
        ).all()
    return [tuple(rows[rank]) for rank in RANKS if rank < len(rows)]


def has_card_column(db: Database) -> bool:
    with db.session(read_only=True) as session:
        return bool(
            session.execute(
                text(
                    "SELECT 1 FROM information_schema.columns "
                    "WHERE table_name = 'model_search' AND column_name = 'has_card'"
                )
            ).first()
        )


def benchmark(url: str, runs: int, cards_only: bool) -> None:
    db = Database.from_urls(url)
    try:
        chosen = [] if cards_only else papers_by_rank(db)
        for first in range(0, len(chosen), 3):
            group = chosen[first : first + 3]
            names = ", ".join(f"{p} ({n:,})" for p, n in group)
            ids = [p for p, _ in group]
            found = timed(db, [lambda s, p=p: search(s, SearchQuery(arxiv=[p])) for p in ids], runs)
            print(f"search arxiv=  {names}: {percentiles(found)}")
            task = timed(
                db,
                [lambda s, p=p: search(s, SearchQuery(arxiv=[p], pipeline_tag=["text-generation"])) for p in ids],
                runs,
            )
            print(f"  + pipeline_tag=text-generation: {percentiles(task)}")
            pages = timed(db, [lambda s, p=p: paper(s, p) for p in ids], runs)
            print(f"paper page     {names}: {percentiles(pages)}")
        if has_card_column(db):
            plain = timed(db, [lambda s: search(s, SearchQuery(q="llama"))], runs)
            print(f"search q=llama (no has_card, for comparison): {percentiles(plain)}")
            for value in (True, False):
                for extra in ({}, {"q": "llama"}, {"pipeline_tag": ["text-generation"], "sort": "likes"}):
                    query = SearchQuery(has_card=value, **extra)
                    samples = timed(db, [lambda s, query=query: search(s, query)], runs)
                    print(f"search has_card={value} {extra or ''}: {percentiles(samples)}")
            facet = SearchQuery(q="llama", facets=["has_card", "arxiv"])
            print(f"search q=llama facets=has_card,arxiv: {percentiles(timed(db, [lambda s: search(s, facet)], runs))}")
        else:
            print("no has_card column (schema before 0012): the EXISTS it replaces, first page by downloads")
            for negation in ("", "NOT "):
                statement = text(EXISTS_PAGE.format(negation=negation))
                samples = timed(db, [lambda s, st=statement: s.execute(st).all()], max(3, runs // 10))
                print(f"  has_card={'false' if negation else 'true'} as EXISTS: {percentiles(samples)}")
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--cards-only", action="store_true", help="has_card only (a schema before 0012)")
    arguments = parser.parse_args()
    benchmark(arguments.database_url, arguments.runs, arguments.cards_only)


if __name__ == "__main__":
    main()
