"""GraphQL against its REST twins over a filled catalog, in-process (Flask's test client, no
response cache), so the figures are the server's own work:

    python bench/graphql_api.py --database-url postgresql://postgres@127.0.0.1:5432/catalog [--repeat 15]

For each question an analyst asks, the GraphQL request and the REST requests giving the same
answer: median milliseconds, the ratio, and how many SQL statements each ran. Then the
statement count of a page of models with their base models at 10, 50 and 100 models (it should
not grow). Fill the catalog first (`catalog ingest file ../shared/hf-snapshot/...`).
(Not named graphql.py: the script's folder comes first on sys.path and would hide the package.)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.api.http import HttpOptions  # noqa: E402
from app.factory import create_app  # noqa: E402
from app.settings import Settings  # noqa: E402
from data.db import Database  # noqa: E402

PAGE = """query($first: Int!) {
  models(filter: {pipelineTag: ["text-generation"], hasBaseModel: true}, sort: LIKES, first: $first) {
    totalCount nodes { id license baseModels { id relationType model { id license } } }
  }
}"""
LINEAGE = """query($id: String!) {
  model(id: $id) { id license ancestors(depth: 5) { id generations model { id license } } }
}"""
SEARCH = """{ models(filter: {q: "llama 3 8b"}, first: 20) { totalCount nodes { id downloads likes license } } }"""


def rest_page(client, first: int) -> int:
    """The REST way to the same answer: the search, then each model's detail for its bases,
    then each base's detail for its licence."""
    found = client.get(f"/api/v1/models?pipeline_tag=text-generation&has_base_model=true&sort=likes&per_page={first}")
    bases: set[str] = set()
    for model in found.json["data"]:
        detail = client.get(f"/api/v1/models/{model['id']}").json["data"]
        bases |= {link["id"] for link in detail["base_models"] if link["in_catalog"]}
    for base in bases:
        client.get(f"/api/v1/models/{base}")
    return 1 + len(found.json["data"]) + len(bases)


def rest_lineage(client, repo_id: str) -> int:
    up = client.get(f"/api/v1/models/{repo_id}/ancestry?direction=up&depth=5").json["data"]
    ancestors = [node["id"] for node in up["nodes"] if node["depth"] < 0 and node["in_catalog"]]
    for ancestor in ancestors:
        client.get(f"/api/v1/models/{ancestor}")
    return 1 + len(ancestors)


def graphql(client, query: str, **variables) -> dict:
    answer = client.post("/api/graphql", json={"query": query, "variables": variables})
    assert answer.status_code == 200 and "errors" not in answer.json, answer.get_data(as_text=True)[:500]
    return answer.json["data"]


def measured(db: Database, run: Callable[[], object], repeat: int) -> tuple[float, int]:
    """(median ms, SQL statements of one run)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    times = []
    for number in range(repeat):
        if number == repeat - 1:
            event.listen(db.bind, "before_cursor_execute", count)
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    event.remove(db.bind, "before_cursor_execute", count)
    return statistics.median(times), len(statements)


def deep_model(client) -> str:
    """A model with ancestors: the most liked text-generation derivative's first quantization."""
    found = client.get("/api/v1/models?pipeline_tag=text-generation&relation=quantized&sort=downloads&per_page=1")
    return found.json["data"][0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    db = Database.from_urls(args.database_url)
    settings = Settings(database_url=args.database_url, rate_limit="off", secret_key="bench-" * 6)
    client = create_app(settings, db, HttpOptions(response_cache=False)).test_client()
    target = deep_model(client)
    pairs = {
        "page of 100 with bases' licences": (
            lambda: graphql(client, PAGE, first=100),
            lambda: rest_page(client, 100),
        ),
        f"ancestors (5) and licences of {target}": (
            lambda: graphql(client, LINEAGE, id=target),
            lambda: rest_lineage(client, target),
        ),
        "search q='llama 3 8b', 20 models": (
            lambda: graphql(client, SEARCH),
            lambda: client.get("/api/v1/models?q=llama+3+8b&per_page=20"),
        ),
    }
    print(f"{'question':64} {'GraphQL ms':>10} {'stmts':>6} {'REST ms':>9} {'stmts':>6} {'requests':>8} {'ratio':>6}")
    for name, (by_graphql, by_rest) in pairs.items():
        graphql_ms, graphql_statements = measured(db, by_graphql, args.repeat)
        requests = by_rest()
        rest_ms, rest_statements = measured(db, by_rest, max(3, args.repeat // 3))
        count = requests if isinstance(requests, int) else 1
        print(
            f"{name:64} {graphql_ms:10.1f} {graphql_statements:6} {rest_ms:9.1f} {rest_statements:6} "
            f"{count:8} {rest_ms / graphql_ms:6.2f}"
        )
    print("\nstatements of the page with its base models, by page size:")
    for first in (10, 50, 100):
        page_ms, statements = measured(db, lambda first=first: graphql(client, PAGE, first=first), args.repeat)
        print(f"  first={first:3}: {statements} statements, {page_ms:.1f} ms median")
    db.dispose()


if __name__ == "__main__":
    main()
