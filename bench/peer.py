"""Peer benchmark: the catalog's search against a stock Datasette over an SQLite FTS5 twin of the same models.

    python bench/peer.py --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench
                         [--requests 300] [--seed S] [--kinds fragment,words+task,…]
                         [--url http://127.0.0.1:8050] [--app-dir DIR] [--keep-servers]

Builds (or reuses) the twin with bench/twin.py, starts `catalog serve --no-fill --workers 2`
(unless `--url` names a running catalog; `--app-dir` serves another checkout's code) and
Datasette on the twin, immutable, both on 127.0.0.1. Then sends `--requests` queries of its
own to each side, one at a time, the same query to both in alternation (who goes first
alternates too): id fragments, words, authors, with and without a task or library filter,
sorted by downloads or likes, page sizes varied; drawn from the catalog's real ids with
`--seed` (a new one each run unless given, so the catalog's response cache never answers).
Catalog: `/api/v1/models?q=…&sort=…&pipeline_tag=…&library=…&per_page=N`. Datasette: its table
JSON, `_search` in raw FTS5 syntax (each word a phrase of its tokens, the last a prefix) with
the same filters, `_sort_desc`, `_size=N`, `_nocount=1&_nofacet=1`.

Prints p50/p95/p99 per side, per kind and overall, and the ratio of the p95s; then whether
both sides' pages hold the same ids (ties at the page's last sort value in any order). The two
match differently: the catalog finds each word anywhere in the id (`llama` in `CodeLlama`,
`7b` in `17B`), FTS5 only at a token's start; pages that differ for that reason are counted
apart, and any other difference is listed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from browser import ROOT, serve  # bench/ is the script's folder: its sibling modules
from twin import datasette, fts_query, token_match, tokens, twin_of

SORTS = ["downloads", "likes"]
PAGE_SIZES = range(10, 51)
SAMPLE = 20_000  # models the queries are drawn from
WARMUP = 20  # queries per side before measuring, not counted
PART = re.compile(r"[^-_.]+")  # a part of a name as typed, between separators
SEPARATORS = str.maketrans({character: "-" for character in "-_./ "})  # the catalog's equivalent ones


@dataclass(frozen=True)
class Model:
    repo_id: str
    author: str
    task: str | None
    library: str | None

    @property
    def parts(self) -> list[re.Match]:
        return [part for part in PART.finditer(self.repo_id.split("/", 1)[-1]) if tokens(part.group())]


@dataclass(frozen=True)
class Query:
    kind: str
    q: str
    task: str | None
    library: str | None
    sort: str
    size: int


def fragment(model: Model, rng: random.Random) -> str:
    """1 to 3 consecutive parts of the name as typed, in its case or lowered."""
    parts = model.parts
    first = rng.randrange(len(parts))
    last = min(len(parts), first + rng.randint(1, 3)) - 1
    name = model.repo_id.split("/", 1)[-1]
    text = name[parts[first].start() : parts[last].end()]
    return text.lower() if rng.random() < 0.5 else text


def words(model: Model, rng: random.Random) -> str:
    """Two parts of the name, in either order."""
    return " ".join(part.group() for part in rng.sample(model.parts, 2))


# kind: (which models fit, the text, with the model's task, with its library)
KINDS: dict[str, tuple[Callable[[Model], bool], Callable[[Model, random.Random], str], bool, bool]] = {
    "fragment": (lambda m: bool(m.parts), fragment, False, False),
    "fragment+task": (lambda m: bool(m.parts) and m.task is not None, fragment, True, False),
    "fragment+library": (lambda m: bool(m.parts) and m.library is not None, fragment, False, True),
    "words": (lambda m: len(m.parts) > 1, words, False, False),
    "words+task": (lambda m: len(m.parts) > 1 and m.task is not None, words, True, False),
    "author": (lambda m: bool(tokens(m.author)), lambda m, rng: m.author, False, False),
}


def sample_models(url: str, seed: int) -> list[Model]:
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM models").fetchone()[0]
        percent = min(100.0, 100.0 * SAMPLE * 1.2 / max(count, 1))
        rows = conn.execute(
            "SELECT repo_id, author, pipeline_tag, library_name FROM models"
            f" TABLESAMPLE BERNOULLI ({percent}) REPEATABLE (%s) ORDER BY id LIMIT {SAMPLE}",
            (seed,),
        ).fetchall()
    return [Model(*row) for row in rows]


def queries(models: list[Model], kinds: list[str], count: int, rng: random.Random, seen: set) -> list[Query]:
    """`count` distinct queries, the kinds in turn."""
    fitting = {kind: [m for m in models if KINDS[kind][0](m)] for kind in kinds}
    if empty := [kind for kind, found in fitting.items() if not found]:
        sys.exit(f"no sampled model fits the kinds {', '.join(empty)}")
    found: list[Query] = []
    while len(found) < count:
        kind = kinds[len(found) % len(kinds)]
        _, text, with_task, with_library = KINDS[kind]
        model = rng.choice(fitting[kind])
        query = Query(
            kind,
            text(model, rng),
            model.task if with_task else None,
            model.library if with_library else None,
            rng.choice(SORTS),
            rng.choice(PAGE_SIZES),
        )
        if query not in seen:
            seen.add(query)
            found.append(query)
    return found


def catalog_address(base: str, query: Query) -> str:
    params = {
        "q": query.q,
        "sort": query.sort,
        "pipeline_tag": query.task,
        "library": query.library,
        "per_page": query.size,
    }
    return f"{base}/api/v1/models?{urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})}"


def datasette_address(table: str, query: Query) -> str:
    params = {
        "_search": fts_query(query.q),
        "_searchmode": "raw",
        "_sort_desc": query.sort,
        "pipeline_tag": query.task,
        "library_name": query.library,
        "_size": query.size,
        "_nocount": 1,
        "_nofacet": 1,
        "_shape": "objects",
    }
    return f"{table}?{urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})}"


@dataclass
class Answer:
    ms: float
    status: int
    rows: list[tuple[str, int]]  # (id, sort value), in order
    cached: bool = False


def fetch(address: str, rows_of: Callable[[dict], list[dict]], sort: str) -> Answer:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(address, timeout=120) as response:
            body, status, cached = response.read(), response.status, response.headers.get("X-Cache") == "HIT"
    except urllib.error.HTTPError as error:
        body, status, cached = error.read(), error.code, False
    ms = (time.perf_counter() - started) * 1000
    if status != 200:
        return Answer(ms, status, [])
    return Answer(ms, status, [(row["id"], row[sort]) for row in rows_of(json.loads(body))], cached)


def catalog_rows(body: dict) -> list[dict]:
    return body["data"]


def datasette_rows(body: dict) -> list[dict]:
    return body["rows"]


def substring_match(repo_id: str, q: str) -> bool:
    """The catalog's semantics, written out independently: every word in the id, case and
    the separators - _ . / ignored."""
    key = repo_id.lower().translate(SEPARATORS)
    return all(word.lower().translate(SEPARATORS) in key for word in q.split())


def same_page(a: list[tuple[str, int]], b: list[tuple[str, int]]) -> bool:
    """The same models in sort order, those tied at the last value in any order."""
    if sorted(value for _, value in a) != sorted(value for _, value in b):
        return False
    if not a:
        return True
    last = a[-1][1]
    return {i for i, value in a if value != last} == {i for i, value in b if value != last}


def verdict(query: Query, catalog: Answer, peer: Answer) -> str:
    """ "same" page; "semantics": the pages differ only by models that one side's matching finds
    and the other's does not; else "different" (also when a side returns a model its own
    matching rejects)."""
    if catalog.status != 200 or peer.status != 200:
        return "error"
    q = query.q
    if not all(substring_match(i, q) for i, _ in catalog.rows) or not all(token_match(i, q) for i, _ in peer.rows):
        return "different"
    if same_page(catalog.rows, peer.rows):
        return "same"
    # Models both would find rank alike on both sides: one side's run of them starts the other's.
    mine = [row for row in catalog.rows if token_match(row[0], q)]
    theirs = [row for row in peer.rows if substring_match(row[0], q)]
    shorter = min(len(mine), len(theirs))
    complete = [found for found, answer in ((mine, catalog), (theirs, peer)) if len(answer.rows) < query.size]
    if any(len(found) < max(len(mine), len(theirs)) for found in complete):  # a whole result lacks one
        return "different"
    return "semantics" if same_page(mine[:shorter], theirs[:shorter]) else "different"


def percentiles(times: list[float]) -> str:
    if len(times) < 2:
        return f"{'-':>7}{'-':>7}{'-':>7}"
    p = statistics.quantiles(times, n=100)
    return f"{statistics.median(times):7.1f}{p[94]:7.1f}{p[98]:7.1f}"


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[94] if len(times) > 1 else float("nan")


def run(base: str, table: str, measured: list[Query], warmup: list[Query]) -> list[tuple[Query, Answer, Answer]]:
    def both(i: int, query: Query) -> tuple[Answer, Answer]:
        def ask_catalog() -> Answer:
            return fetch(catalog_address(base, query), catalog_rows, query.sort)

        def ask_peer() -> Answer:
            return fetch(datasette_address(table, query), datasette_rows, query.sort)

        if i % 2:
            peer = ask_peer()
            return ask_catalog(), peer
        return ask_catalog(), ask_peer()

    for i, query in enumerate(warmup):
        both(i, query)
    return [(query, *both(i, query)) for i, query in enumerate(measured)]


def report(results: list[tuple[Query, Answer, Answer]], kinds: list[str]) -> None:
    by_kind: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for query, catalog, peer in results:
        for key in (query.kind, "all"):
            by_kind[key][0].append(catalog.ms)
            by_kind[key][1].append(peer.ms)
    print(f"\n{'':<23}{'catalog (ms)':^21}  {'datasette (ms)':^21}")
    print(f"{'kind':<18}{'n':>5}{'p50':>7}{'p95':>7}{'p99':>7}  {'p50':>7}{'p95':>7}{'p99':>7}  p95 ratio")
    for kind in [*kinds, "all"]:
        mine, theirs = by_kind[kind]
        print(f"{kind:<18}{len(mine):>5}{percentiles(mine)}  {percentiles(theirs)}  {p95(theirs) / p95(mine):9.2f}")
    print("p95 ratio: Datasette's p95 / the catalog's (above 1: the catalog is faster)")
    errors = Counter(
        (side, answer.status)
        for _, *answers in results
        for side, answer in zip(("catalog", "datasette"), answers, strict=True)
        if answer.status != 200
    )
    cached = sum(catalog.cached for _, catalog, _ in results)
    print(f"errors: {dict(errors) or 'none'}; catalog response-cache hits: {cached}")
    slowest(results)
    agreement(results)


def slowest(results: list[tuple[Query, Answer, Answer]], count: int = 5) -> None:
    print("\nslowest catalog queries (catalog ms / datasette ms):")
    for query, catalog, peer in sorted(results, key=lambda r: -r[1].ms)[:count]:
        print(f"  {catalog.ms:7.1f} / {peer.ms:7.1f}  {query}")


def agreement(results: list[tuple[Query, Answer, Answer]]) -> None:
    verdicts = [(query, catalog, peer, verdict(query, catalog, peer)) for query, catalog, peer in results]
    count = Counter(v for *_, v in verdicts)
    comparable = count["same"] + count["different"]
    rate = f"{100 * count['same'] / comparable:.1f}%" if comparable else "-"
    print(
        f"\nsame page on both sides: {count['same']} of the {comparable} queries where their semantics agree"
        f" ({rate}); {count['semantics']} more differ because the two match differently: the catalog"
        " finds each word anywhere in the id (substring), FTS5 only at the start of a token"
        f" (e.g. `llama` in `CodeLlama`, `7b` in `17B`); errors: {count['error']}"
    )
    for query, catalog, peer, v in verdicts:
        if v == "different":
            print(f"  differs: {query}\n    catalog:   {catalog.rows[:8]}\n    datasette: {peer.rows[:8]}")


@contextlib.contextmanager
def catalog_server(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url.rstrip("/")
    else:
        with serve(args.database_url, workers=2, app_dir=args.app_dir) as base:
            yield base


# What the catalog's searches read: prefetched into the OS page cache before measuring, as the
# twin's file is, so that neither side is measured reading a cold disk.
SEARCH_RELATIONS = (
    "SELECT 'model_search'::regclass UNION ALL SELECT indexrelid FROM pg_index "
    "WHERE indrelid IN ('model_search'::regclass, 'models'::regclass) UNION ALL SELECT 'models'::regclass"
)


def prewarm(url: str, twin: Path) -> None:
    """Both sides' data in memory: the twin read whole into the OS page cache; the catalog's search table,
    its indexes and the models table loaded into shared buffers by pg_prewarm (contrib; created if
    missing), as far as they hold them."""
    with twin.open("rb") as file:
        while file.read(1 << 24):
            pass
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = conn.execute(f"SELECT sum(pg_prewarm(r, 'buffer')) FROM ({SEARCH_RELATIONS}) AS t(r)").fetchone()[0]
    print(f"prewarmed: the twin ({twin.stat().st_size >> 20} MiB) and {int(blocks) * 8 >> 10} MiB of the catalog")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the catalog's PostgreSQL")
    parser.add_argument("--requests", type=int, default=300, help="queries per side")
    parser.add_argument("--seed", type=int, default=None, help="default: new each run (printed)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma list of {', '.join(KINDS)}")
    parser.add_argument("--url", help="a running catalog to measure instead of starting one")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose code `catalog serve` runs")
    parser.add_argument("--keep-servers", action="store_true", help="keep both servers until Ctrl-C")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    path = twin_of(args.database_url)
    rng, seen = random.Random(seed), set()
    models = sample_models(args.database_url, seed)
    measured = queries(models, kinds, args.requests, rng, seen)
    warmup = queries(models, kinds, WARMUP, rng, seen)
    prewarm(args.database_url, path)
    with catalog_server(args) as base, datasette(path) as table:
        print(f"catalog {base} vs Datasette {table} ({path.relative_to(ROOT)})")
        print(f"{args.requests} queries per side, seed {seed}, one request at a time, sides alternating")
        report(run(base, table, measured, warmup), kinds)
        if args.keep_servers:
            print(f"\nservers kept: catalog {base}, datasette {table}; Ctrl-C stops them", file=sys.stderr)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)


if __name__ == "__main__":
    main()
