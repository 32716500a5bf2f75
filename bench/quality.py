"""The quality score's cost over a big catalog: ingestion with and without it, each step, searches.

    python bench/quality.py [--server-url postgresql://postgres@127.0.0.1:5432/postgres] [--models 200000]

Two throw-away databases on the server get the same synthetic catalog (the materialized
views' refresh, the same for both, left out), one with the score's ingest steps switched off
(the baseline), then on the scored one (medians of --repeat runs, each
in a transaction rolled back afterwards, so every run starts from the same catalog):
- the record components of one ingest batch (DEFAULT_BATCH_SIZE models) whose parts changed,
  and of one whose parts did not (the facts read and judged, nothing written);
- the whole-catalog step (`refresh_quality`) when nothing changed, after a sync-like change of
  downloads and likes (--changed models), and when every score is new (a first computation);
- searches by quality and with min_quality, and the analytics histogram (whole and filtered).
Both databases are dropped at the end (--keep keeps them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data import analytics, migrate, quality  # noqa: E402
from data.db import Database, normalise_url  # noqa: E402
from data.ingest import pipeline, synthetic, writer  # noqa: E402
from data.query import parse_query  # noqa: E402
from data.search import search  # noqa: E402

SEARCHES = {
    "sort=quality": "sort=quality",
    "sort=quality asc": "sort=quality&order=asc",
    "sort=quality + task": "sort=quality&pipeline_tag=text-generation",
    "sort=quality page 2 (cursor)": None,
    "min_quality=60 by downloads": "min_quality=60",
    "min_quality=50 + q=llama": "min_quality=50&q=llama",
    "min_quality=40 + library": "min_quality=40&library=peft&sort=quality",
}


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def create(server: str, name: str) -> str:
    admin = create_engine(normalise_url(server), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = normalise_url(server).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def drop(server: str, name: str) -> None:
    admin = create_engine(normalise_url(server), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def timed_ingest(url: str, models: int, scored: bool) -> float:
    db = Database.from_urls(url)
    saved = writer.score_models, pipeline.refresh_quality, pipeline.refresh_views
    # The materialized views, refreshed alike with or without the score, are left out (the
    # synthetic lineage's licence_conflicts alone takes minutes at 200,000 models).
    pipeline.refresh_views = lambda *a, **k: None
    if not scored:  # the baseline: the score's two steps do nothing
        writer.score_models, pipeline.refresh_quality = (lambda *a, **k: 0), (lambda *a, **k: 0)
    try:
        started = time.perf_counter()
        pipeline.ingest(db, synthetic.generate(models, 0))
        elapsed = time.perf_counter() - started
        with db.session() as session:  # the one view the histogram reads
            session.execute(text("REFRESH MATERIALIZED VIEW quality_counts"))
            session.commit()
        return elapsed
    finally:
        writer.score_models, pipeline.refresh_quality, pipeline.refresh_views = saved
        db.dispose()


def in_rollback(db: Database, prepare: Callable | None, step: Callable) -> Callable[[], object]:
    """A run of `step` (timed by the caller) after `prepare`, in a transaction rolled back after.
    Only `step` counts: `prepare` runs first, untimed, through a wrapper that times itself."""

    def run():
        with db.session() as session:
            if prepare:
                prepare(session)
            started = time.perf_counter()
            result = step(session)
            run.step_ms = (time.perf_counter() - started) * 1000  # type: ignore[attr-defined]
            session.rollback()
            return result

    return run


def step_median(db: Database, prepare: Callable | None, step: Callable, repeat: int) -> tuple[float, object]:
    run = in_rollback(db, prepare, step)
    times, result = [], None
    for _ in range(repeat):
        result = run()
        times.append(run.step_ms)  # type: ignore[attr-defined]
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--models", type=int, default=200_000)
    parser.add_argument("--changed", type=int, default=10_000, help="models a sync-like change touches")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--no-baseline", action="store_true", help="skip the ingest without the score")
    args = parser.parse_args()
    tag = uuid.uuid4().hex[:8]
    names = {"baseline": f"bench_quality_off_{tag}", "scored": f"bench_quality_{tag}"}
    try:
        urls = {kind: create(args.server_url, name) for kind, name in names.items()}
        print(f"{args.models:,} synthetic models; medians of {args.repeat} runs")
        if args.no_baseline:
            print(f"bulk ingest with the score      {timed_ingest(urls['scored'], args.models, True):8.1f} s")
        else:
            took = {kind: timed_ingest(urls[kind], args.models, kind == "scored") for kind in ("baseline", "scored")}
            print(f"bulk ingest without the score   {took['baseline']:8.1f} s")
            print(
                f"bulk ingest with the score      {took['scored']:8.1f} s  "
                f"({took['scored'] / took['baseline'] - 1:+.0%})"
            )
        drop(args.server_url, names.pop("baseline"))
        steps(Database.from_urls(urls["scored"]), args)
    finally:
        if not args.keep:
            for name in names.values():
                drop(args.server_url, name)


def steps(db: Database, args) -> None:
    """Reads first: the writes' rolled-back rows would be dead rows under the searches."""
    reads_of(db, args)
    batch = pipeline.DEFAULT_BATCH_SIZE

    def a_batch(session):  # as the ingest's merge_changed: a temporary table of the batch's ids
        session.execute(
            text(f"CREATE TEMP TABLE bench_changed AS SELECT id FROM models ORDER BY md5(id::text) LIMIT {batch}")
        )
        session.execute(text("ANALYZE bench_changed"))

    def forget_parts(session):
        a_batch(session)
        session.execute(text("UPDATE models SET quality_parts = NULL WHERE id IN (SELECT id FROM bench_changed)"))

    def score(session):
        return quality.score_models(session, "bench_changed")

    ms, written = step_median(db, forget_parts, score, args.repeat)
    print(f"record components, {batch:,} changed   {ms:8.1f} ms  ({written:,} written)")
    ms, written = step_median(db, a_batch, score, args.repeat)
    print(f"record components, {batch:,} unchanged {ms:8.1f} ms  ({written:,} written)")

    ms, written = step_median(db, None, quality.refresh_quality, args.repeat)
    print(f"whole catalog, nothing changed    {ms:8.1f} ms  ({written:,} written)")

    def sync_like(session):
        session.execute(
            text(
                "UPDATE models SET downloads = downloads * 3 + 100, likes = likes + 5 WHERE id IN "
                f"(SELECT id FROM models ORDER BY md5(id::text || 'sync') LIMIT {args.changed})"
            )
        )

    ms, written = step_median(db, sync_like, quality.refresh_quality, args.repeat)
    print(f"whole catalog, {args.changed:,} moved at random {ms:8.1f} ms  ({written:,} written)")

    def top_grow(session):  # what a sync's --top mostly sees: the most downloaded, a little more
        session.execute(
            text(
                "UPDATE models SET downloads = downloads + downloads / 20 + 1, likes = likes + 1 WHERE id IN "
                f"(SELECT id FROM model_search ORDER BY downloads DESC, id DESC LIMIT {args.changed})"
            )
        )

    ms, written = step_median(db, top_grow, quality.refresh_quality, args.repeat)
    print(f"whole catalog, top {args.changed:,} grew 5%  {ms:8.1f} ms  ({written:,} written)")

    def all_new(session):
        session.execute(text("UPDATE models SET quality = NULL"))

    ms, written = step_median(db, all_new, quality.refresh_quality, 1)
    print(f"whole catalog, every score new    {ms:8.1f} ms  ({written:,} written)")

    db.dispose()


def reads_of(db: Database, args) -> None:
    with db.session(read_only=True) as session:
        first = search(session, parse_query([("sort", "quality")]))
    SEARCHES["sort=quality page 2 (cursor)"] = f"sort=quality&cursor={first.next_cursor}"
    for label, query_text in SEARCHES.items():
        query = parse_query([tuple(pair.split("=", 1)) for pair in (query_text or "").split("&") if pair])

        def page(query=query):
            with db.session(read_only=True) as session:
                return search(session, query)

        page()  # warm
        ms, found = median_ms(page, args.repeat * 4)
        print(f"search {label:<28} {ms:8.1f} ms  (total {found.total:,})")
    for label, query_text in (("whole catalog", ""), ("text-generation", "pipeline_tag=text-generation")):
        query = parse_query([tuple(p.split("=", 1)) for p in query_text.split("&") if p])

        def histogram(query=query):
            with db.session(read_only=True) as session:
                return analytics.quality_histogram(session, query)

        ms, _ = median_ms(histogram, args.repeat * 2)
        print(f"histogram, {label:<24} {ms:8.1f} ms")


if __name__ == "__main__":
    main()
