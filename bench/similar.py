"""Models-like-this benchmark: training over the whole catalog, neighbours per request, and the
offline evaluation against the baseline.

    python bench/similar.py --database-url postgresql://postgres@127.0.0.1:5432/NAME
                            [--vector-database-url URL] [--requests 300] [--sample 500] [--seed 0]
                            [--no-rebuild] [--ablation]

`--database-url` is a filled catalog (migrated to 0021); it is trained with the top-k table
(`index=table`, what PostgreSQL without pgvector serves). `--vector-database-url`, a second
catalog of the same models on a PostgreSQL with pgvector (the embedded one), is trained for its
HNSW index. Each rebuild runs in a child process: its wall time and peak memory (maximum resident
set, its VmHWM) are the child's own. Then, per catalog: p50/p95/p99 of `data.similar.serve.neighbours`
(candidates and reasons, one read-only session per call) and of `GET /api/v1/models/{id}/similar`
through the app (a miss of the response cache: every id is asked once), over `--requests` random
models; recall@10 of lineage siblings and of the family for a seeded sample of models that have
siblings, for the similarity and for the baseline (the same task and library by downloads); and,
with both catalogs, how many of the table's top 10 HNSW returns too. `--ablation` also evaluates
a similarity trained without the base_model tags (in memory): what the other words alone know of
lineage. Rebuilding writes the similarity tables; nothing else is written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.factory import create_app
from app.settings import Settings
from data.db import Database
from data.similar import evaluate
from data.similar.serve import candidates, neighbours, trained

WARM_UP = 10
SECRET = "bench-similar-" + "x" * 32


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.2f}  p95 {cuts[94]:6.2f}  p99 {cuts[98]:6.2f} ms  (n={len(samples)})"


def rebuild_in_child(url: str, index: str, seed: int) -> dict:
    """Rebuild in a process of its own; its summary, wall time and peak RSS."""
    code = (
        "import json, logging; from data.db import Database; from data.similar.rebuild import rebuild; "
        "from app.progress import StageProgress; logging.basicConfig(level=logging.INFO); "
        f"s = rebuild(Database.from_urls({url!r}), seed={seed}, index={index!r}, progress=StageProgress()); "
        "print(json.dumps({'vectors': s.vectors, 'models': s.models, 'vocabulary': s.vocabulary, "
        "'seconds': s.seconds}))"
    )
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    peak_kib = 0
    while child.poll() is None:  # VmHWM: the child's own peak since exec (its rusage would count
        peak_kib = max(peak_kib, _high_water_kib(child.pid))  # the bench's memory it forked from)
        time.sleep(0.2)
    assert child.stdout is not None
    output = child.stdout.read()
    if child.returncode:
        raise SystemExit(f"rebuild ({index}) failed with {child.returncode}")
    summary = json.loads(output.decode().strip().splitlines()[-1])
    summary["wall_s"] = time.monotonic() - started
    summary["peak_rss_mib"] = peak_kib / 1024
    return summary


def _high_water_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just exited
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def sample_ids(db: Database, count: int, seed: int) -> list[str]:
    with db.session(read_only=True) as session:
        top = session.execute(text("SELECT max(id) FROM models")).scalar_one()
        rng = random.Random(seed)
        wanted = sorted({rng.randint(1, top) for _ in range(count * 2)})
        rows = session.execute(text("SELECT repo_id FROM models WHERE id = ANY(:ids)"), {"ids": wanted}).scalars()
        found = list(rows)
    rng.shuffle(found)
    return found[:count]


def time_serving(db: Database, url: str, repo_ids: list[str]) -> None:
    for repo_id in repo_ids[:WARM_UP]:
        with db.session(read_only=True) as session:
            neighbours(session, repo_id)
    samples = []
    for repo_id in repo_ids:
        started = time.perf_counter()
        with db.session(read_only=True) as session:
            neighbours(session, repo_id)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"  neighbours(limit=10), in process: {percentiles(samples)}")
    app = create_app(Settings(secret_key=SECRET, database_url=url, rate_limit="off"), database=db)
    client = app.test_client()
    samples = []
    for number, repo_id in enumerate(repo_ids):
        started = time.perf_counter()
        answer = client.get(f"/api/v1/models/{repo_id}/similar?limit={10 + number % 3}")  # never a cache hit
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    print(f"  GET /api/v1/models/{{id}}/similar:  {percentiles(samples)}")


def served_top(session, index: str):
    return lambda model: [neighbour for neighbour, _ in candidates(session, index, model, evaluate.AT)]


def print_evaluation(label: str, result: evaluate.Evaluation) -> None:
    s, b = result.similarity, result.baseline
    print(
        f"  {label}: recall@10 over {result.sample} models with siblings — siblings {s.siblings:.3f} "
        f"(baseline {b.siblings:.3f}), family {s.family:.3f} (baseline {b.family:.3f})"
    )


def ablation(db: Database, sample: int, seed: int) -> None:
    import numpy as np

    from data.similar import topk
    from data.similar.train import embed, read_corpus

    started = time.monotonic()
    with db.session(read_only=True) as session:
        embeddings = embed(read_corpus(session, exclude_lineage=True), seed)
        keep = np.abs(embeddings.vectors).sum(axis=1) > 0
        ids, vectors = embeddings.ids[keep], embeddings.vectors[keep]
        nearest, _ = topk.top_k(vectors, evaluate.AT, seed=seed)
        row = {int(model): position for position, model in enumerate(ids)}
        result = evaluate.evaluate(
            session,
            lambda model: [int(ids[i]) for i in nearest[row[model]]] if model in row else [],
            size=sample,
            seed=seed,
        )
    print_evaluation(f"without base_model tags ({time.monotonic() - started:.0f}s)", result)


def agreement(table_db: Database, vector_db: Database, repo_ids: list[str]) -> None:
    shared = total = 0
    for repo_id in repo_ids:
        with table_db.session(read_only=True) as session:
            found = neighbours(session, repo_id)
            table = {s.id for s in found.suggestions} if found else set()
        with vector_db.session(read_only=True) as session:
            found = neighbours(session, repo_id)
            vector = {s.id for s in found.suggestions} if found else set()
        shared += len(table & vector)
        total += len(vector)
    print(f"top 10 in common, table (bucketed) vs HNSW: {shared / max(1, total):.3f} over {len(repo_ids)} models")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--vector-database-url")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-rebuild", action="store_true", help="use the similarity already stored")
    parser.add_argument("--ablation", action="store_true", help="also evaluate without the base_model tags")
    args = parser.parse_args()
    catalogs = [("table", args.database_url)] + (
        [("vector", args.vector_database_url)] if args.vector_database_url else []
    )
    dbs = {}
    for index, url in catalogs:
        db = dbs[index] = Database.from_urls(url)
        print(f"== {index} path: {url.rpartition('@')[2]}")
        if not args.no_rebuild:
            summary = rebuild_in_child(url, index, args.seed)
            stages = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in summary["seconds"].items())
            print(
                f"  rebuild of {summary['models']:,} models ({summary['vectors']:,} vectors, "
                f"{summary['vocabulary']:,} terms): {summary['wall_s']:.0f}s wall, peak RSS "
                f"{summary['peak_rss_mib']:,.0f} MiB ({stages})"
            )
        with db.session(read_only=True) as session:
            version = trained(session)
        if version is None or version["index"] != index:
            raise SystemExit(f"the catalog holds no {index} similarity: run without --no-rebuild")
        time_serving(db, url, sample_ids(db, args.requests, args.seed))
        with db.session(read_only=True) as session:
            print_evaluation(
                "similarity", evaluate.evaluate(session, served_top(session, index), size=args.sample, seed=args.seed)
            )
    if len(dbs) == 2:
        agreement(dbs["table"], dbs["vector"], sample_ids(dbs["table"], min(args.requests, 200), args.seed + 1))
    if args.ablation:
        ablation(dbs["table"], args.sample, args.seed)
    for db in dbs.values():
        db.dispose()


if __name__ == "__main__":
    main()
