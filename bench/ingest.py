"""Ingestion benchmark: the real 760 pages into an empty catalog, then again (all unchanged).

    python bench/ingest.py [--server-url postgresql://postgres@127.0.0.1:5432/postgres] [--pages N]

Each phase runs `catalog ingest file` in its own process, timed from the outside; peak memory
is that process's maximum resident size. A throw-away database is created and dropped on the
server (an embedded PostgreSQL when --server-url is not given).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "hf-snapshot" / "raw" / "stalnaker-hf-supply-chain" / "model_lists"


def page_files(count: int) -> list[str]:
    files = sorted(PAGES.glob("models_page*.json.gz"), key=lambda p: int(re.search(r"page(\d+)", p.name)[1]))
    if not files:
        sys.exit(f"no pages in {PAGES}: the benchmark reads the real Hub snapshot in ../shared")
    return [str(f) for f in files[:count]]


def server_url(given: str | None) -> str:
    if given:
        return given
    import pgserver

    return pgserver.get_server(Path(tempfile.mkdtemp()) / "pgdata", cleanup_mode="delete").get_uri("postgres")


def run_phase(name: str, url: str, files: list[str], models: int) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "ingest", "file", *files],
        env=os.environ | {"CATALOG_DATABASE_URL": url, "CATALOG_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if result.returncode:
        sys.exit(f"{name} failed:\n{result.stdout}\n{result.stderr}")
    summary = next(line for line in result.stdout.splitlines() if line.strip().startswith("new "))
    print(
        f"{name:<22} {elapsed:7.1f} s  {models / elapsed:8,.0f} models/s  "
        f"peak {max(peak, before) / 1024:6.0f} MiB  ({summary.strip()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", help="a PostgreSQL server to create the database on")
    parser.add_argument("--pages", type=int, default=760, help="how many of the 760 pages")
    args = parser.parse_args()
    files = page_files(args.pages)
    server = server_url(args.server_url)
    name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        server.replace("postgresql://", "postgresql+psycopg://", 1), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", server.split("://", 1)[1], count=1)
    url = server.split("://", 1)[0] + "://" + url
    try:
        subprocess.run(
            [sys.executable, "-m", "app.cli", "db", "upgrade"],
            check=True,
            cwd=ROOT,
            env=os.environ | {"CATALOG_DATABASE_URL": url},
            capture_output=True,
        )
        models = 1000 * len(files)
        print(f"{len(files)} pages, {models:,} models, {os.cpu_count()} cores")
        run_phase("empty catalog", url, files, models)
        run_phase("again, all unchanged", url, files, models)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


if __name__ == "__main__":
    main()
