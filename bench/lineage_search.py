"""Lineage search benchmark: `descendant_of` / `ancestor_of` searches on the largest family.

    python bench/lineage_search.py --database-url postgresql://postgres@127.0.0.1:5432/catalog
                                   [--runs 40] [--repeats 3]

Over a filled, migrated catalog (read only). Each query shape is timed `--runs` times through
the data layer (`data.search.search`, one read-only session per call, as the API opens one)
and through the API (Flask's test client, response cache off, so every request searches);
that is repeated `--repeats` times and the median of each percentile printed, in ms, with
each shape's total and whether it is exact. Shapes: the largest family (by family_sizes) sorted
by downloads, likes and created; with its most common library, its most common task;
depth=1; relation=quantized; page 2 by cursor; the text `instruct` inside it; the ancestors
of its deepest descendant; and the issue's example (Meta-Llama-3-8B, gguf) when present.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.api.http import HttpOptions
from app.factory import create_app
from app.settings import Settings
from data.db import Database
from data.query import parse_query
from data.search import search

EXAMPLE = "meta-llama/Meta-Llama-3-8B"


def family_facts(db: Database) -> dict:
    """The largest family's root, its commonest library and task, and its deepest member."""
    with db.session(read_only=True) as session:
        root_id, root = session.execute(
            text("""SELECT f.ancestor, m.repo_id FROM family_sizes f JOIN models m ON m.id = f.ancestor
                    ORDER BY f.total DESC LIMIT 1""")
        ).one()

        def commonest(column: str) -> str:
            return session.execute(
                text(f"""SELECT {column} FROM lineage_counts WHERE ancestor = :root AND {column} IS NOT NULL
                         GROUP BY 1 ORDER BY sum(descendants) DESC LIMIT 1"""),
                {"root": root_id},
            ).scalar_one()

        deepest = session.execute(
            text("""SELECT m.repo_id FROM lineage_closure c JOIN models m ON m.id = c.descendant
                    WHERE c.ancestor = :root ORDER BY c.depth DESC, c.descendant LIMIT 1"""),
            {"root": root_id},
        ).scalar_one()
        example = session.execute(
            text("SELECT 1 FROM models WHERE lower(repo_id) = lower(:id)"), {"id": EXAMPLE}
        ).first()
        return {
            "root": root,
            "library": commonest("library_name"),
            "task": commonest("pipeline_tag"),
            "deepest": deepest,
            "example": example is not None,
        }


def shapes(db: Database, facts: dict) -> dict[str, str]:
    family = {"descendant_of": facts["root"]}
    found = {
        "family by downloads": family,
        "family by likes": {**family, "sort": "likes"},
        "family by created": {**family, "sort": "created"},
        f"family + library={facts['library']}": {**family, "library": facts["library"]},
        f"family + task={facts['task']}": {**family, "pipeline_tag": facts["task"]},
        "family depth=1": {**family, "depth": "1"},
        "family relation=quantized": {**family, "relation": "quantized"},
        "family q=instruct": {**family, "q": "instruct"},
        "ancestor_of deepest": {"ancestor_of": facts["deepest"]},
    }
    if facts["example"]:
        found["example: Llama-3-8B gguf"] = {"descendant_of": EXAMPLE, "library": "gguf", "sort": "downloads"}
    with db.session(read_only=True) as session:
        cursor = search(session, parse_query(family.items())).next_cursor
    found["family page 2 (cursor)"] = {**family, "cursor": cursor or ""}
    return {name: urlencode(parameters) for name, parameters in found.items()}


def data_layer(db: Database, query_string: str) -> float:
    query = parse_query(parse_qsl(query_string))
    started = time.perf_counter()
    with db.session(read_only=True) as session:
        result = search(session, query)
    assert result.models or "q=" in query_string, query_string  # every shape but the text one finds models
    return (time.perf_counter() - started) * 1000


def api(client, query_string: str) -> float:
    started = time.perf_counter()
    response = client.get(f"/api/v1/models?{query_string}")
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (query_string, response.status_code, response.get_data(as_text=True)[:300])
    return elapsed


def total(client, query_string: str) -> str:
    meta = client.get(f"/api/v1/models?{query_string}").json["meta"]
    return f"{meta['total']:>9,} {'exact' if meta['total_exact'] else 'estimated'}"


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def measure(call, runs: int, repeats: int) -> str:
    call()  # warm
    rounds = [percentiles([call() for _ in range(runs)]) for _ in range(repeats)]
    p50, p95, p99 = (statistics.median(values) for values in zip(*rounds, strict=True))
    return f"p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    db = Database.from_urls(arguments.database_url)
    app = create_app(
        Settings(database_url=arguments.database_url, rate_limit="off"), db, HttpOptions(response_cache=False)
    )
    client = app.test_client()
    facts = family_facts(db)
    with db.session(read_only=True) as session:
        models = session.execute(text("SELECT count(*) FROM models")).scalar_one()
    print(f"{models:,} models; largest family: {facts['root']}; medians of {arguments.repeats} × {arguments.runs} runs")
    print(f"{'shape':42} {'total':19} {'data layer (ms)':34} API (ms)")
    for name, query_string in shapes(db, facts).items():
        layer = measure(lambda q=query_string: data_layer(db, q), arguments.runs, arguments.repeats)
        http = measure(lambda q=query_string: api(client, q), arguments.runs, arguments.repeats)
        print(f"{name[:42]:42} {total(client, query_string):19} {layer:34} {http}", flush=True)
    db.dispose()


if __name__ == "__main__":
    main()
