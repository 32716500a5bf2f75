"""Size, quantization and variant searches over a filled catalog: p50/p95 per kind of page.

    python bench/size_quant.py --database-url postgresql://…/catalog [--repeat 30]

Each kind is a search as the API runs it (`data.search.search`, counted, one session a page),
in-process so that only the database and the query building are measured; the first page and
the page after it (by cursor). The kinds rotate, so no kind runs only on a warm cache.
"""

from __future__ import annotations

import argparse
import statistics
import time

from data.db import Database
from data.query import parse_query
from data.search import search

KINDS = {
    "quant=gguf by downloads": "quant=gguf",
    "quant=gptq + task": "quant=gptq&pipeline_tag=text-generation",
    "sort=params desc": "sort=params",
    "sort=params asc": "sort=params&order=asc",
    "7B..8B by downloads": "min_params=7B&max_params=8B",
    "7B..8B by params": "min_params=7B&max_params=8B&sort=params",
    "q=llama + 70B": "q=llama&min_params=70B&max_params=70B",
    "group=variants": "group=variants",
    "group=variants q=llama": "group=variants&q=llama",
    "group=variants q=mistral-7b": "group=variants&q=mistral-7b",
    "group=variants quant=gguf": "group=variants&quant=gguf",
    "group=variants sort=params": "group=variants&sort=params",
    "facets=quant,params": "facets=quant,params&q=llama",
}


def timed(db: Database, query_text: str) -> tuple[float, str | None]:
    query = parse_query([tuple(pair.split("=", 1)) for pair in query_text.split("&")])
    started = time.perf_counter()
    with db.session(read_only=True) as session:
        found = search(session, query)
    return (time.perf_counter() - started) * 1000, found.next_cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    db = Database.from_urls(args.database_url)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for query in KINDS.values():  # warm-up
        timed(db, query)
    for _ in range(args.repeat):
        for kind, query in KINDS.items():
            first, cursor = timed(db, query)
            times[kind].append(first)
            if cursor:
                times[kind].append(timed(db, f"{query}&cursor={cursor}")[0])
    print(f"{'kind':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  n")
    for kind, values in times.items():
        values.sort()
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"{kind:<30} {statistics.median(values):8.1f} {p95:8.1f} {values[-1]:8.1f}  {len(values)}")
    db.dispose()


if __name__ == "__main__":
    main()
