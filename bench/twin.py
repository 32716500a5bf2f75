"""The SQLite FTS5 twin of a catalog, for bench/peer.py, and Datasette serving it.

    from twin import bench_venv, twin_of, datasette, fts_query, token_match

`bench_venv()` makes `.bench-venv/` (git-ignored) with datasette and sqlite-utils, the
benchmark's own environment: neither is a dependency of the app. `twin_of(url)` builds, with
sqlite-utils, `bench/results/peer/<database>.db`: the catalog's models (id, author, task,
library, licence, downloads, likes, created) plus `id_tokens`, the id split on `/ - _ .` and
between letters and digits (`Qwen/Qwen2.5-7B` → `qwen qwen 2 5 7 b`), indexed by FTS5 and
with an index on each sort and filter column. The file is kept with the catalog's size and
`data_version` and reused while they stay the same. `datasette(path)` serves it immutable.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
from browser import ROOT, free_port

VENV = ROOT / ".bench-venv"
PACKAGES = ["datasette==0.65.5", "sqlite-utils==4.2.1"]
TWINS = ROOT / "bench" / "results" / "peer"
SCRATCH = Path("/dev/shm")  # built in memory when it can be: random writes to a busy disk crawl
TABLE = "models"
COLUMNS = {
    "id": "text",
    "author": "text",
    "pipeline_tag": "text",
    "library_name": "text",
    "license": "text",
    "downloads": "integer",
    "likes": "integer",
    "created_at": "text",
    "id_tokens": "text",
}
INDEXED = ["downloads", "likes", "pipeline_tag", "library_name", "author"]
TOKEN = re.compile(r"[a-z]+|[0-9]+")  # anything else separates; so does a letter/digit boundary
SQL_TIME_LIMIT_MS = 60_000  # Datasette's default of 1 s would cut slow searches short


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def fts_query(q: str) -> str:
    """FTS5 syntax for `q`: each word a phrase of its tokens, the last one a prefix; words ANDed."""
    phrases = [" ".join(found) for found in map(tokens, q.split()) if found]
    return " ".join(f'"{phrase}"*' for phrase in phrases)


def token_match(repo_id: str, q: str) -> bool:
    """Whether FTS5 finds `repo_id` for `fts_query(q)`: each word's tokens appear in a row in
    the id's tokens, the last one as a prefix."""
    have = tokens(repo_id)

    def found(want: list[str]) -> bool:
        *whole, last = want
        return any(
            have[i : i + len(whole)] == whole and have[i + len(whole)].startswith(last)
            for i in range(len(have) - len(whole))
        )

    return all(found(want) for want in map(tokens, q.split()) if want)


def bench_venv() -> Path:
    """The benchmark's own environment, made once; its bin folder."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "datasette").exists() or not (bin_dir / "sqlite-utils").exists():
        print(f"installing {', '.join(PACKAGES)} into {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "--quiet", *PACKAGES], check=True)
    return bin_dir


def catalog_version(url: str) -> str:
    """What the twin is kept by: the catalog's size and data_version."""
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM models").fetchone()[0]
        version = conn.execute("SELECT value FROM catalog_meta WHERE key = 'data_version'").fetchone()
    return f"{count} models, data_version {version[0] if version else 'none'}"


def twin_of(url: str) -> Path:
    """The SQLite twin of the catalog at `url`: reused when its version matches, else rebuilt."""
    version = catalog_version(url)
    path = TWINS / f"{psycopg.conninfo.conninfo_to_dict(url).get('dbname', 'catalog')}.db"
    if path.exists() and _stored_version(path) == version:
        return path
    TWINS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=SCRATCH if SCRATCH.is_dir() else TWINS) as scratch:
        building = Path(scratch) / path.name
        _build(url, building, bench_venv() / "sqlite-utils")
        with contextlib.closing(sqlite3.connect(building)) as conn, conn:
            conn.execute("CREATE TABLE twin_meta (version TEXT)")
            conn.execute("INSERT INTO twin_meta VALUES (?)", (version,))
        copied = path.with_suffix(".copying")  # renamed only when complete
        shutil.copyfile(building, copied)
    copied.replace(path)
    print(f"built {path} ({version}) in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def _stored_version(path: Path) -> str | None:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            return conn.execute("SELECT version FROM twin_meta").fetchone()[0]
        except sqlite3.Error:
            return None


def _build(url: str, path: Path, sqlite_utils: Path) -> None:
    run = lambda *arguments: subprocess.run([str(sqlite_utils), *arguments], check=True)  # noqa: E731
    run("create-table", str(path), TABLE, *(word for pair in COLUMNS.items() for word in pair), "--pk", "id")
    insert = subprocess.Popen(
        [str(sqlite_utils), "insert", str(path), TABLE, "-", "--nl", "--batch-size", "10000"],
        stdin=subprocess.PIPE,
        text=True,
    )
    for row in _models(url):
        insert.stdin.write(json.dumps(row) + "\n")
    insert.stdin.close()
    if insert.wait():
        raise SystemExit(f"sqlite-utils insert failed ({insert.returncode})")
    for column in INDEXED:
        run("create-index", str(path), TABLE, column)
    run("enable-fts", str(path), TABLE, "id_tokens", "--fts5")
    run("analyze", str(path))


def _models(url: str) -> Iterator[dict]:
    with psycopg.connect(url) as conn, conn.cursor(name="twin") as cursor:
        cursor.itersize = 20_000
        cursor.execute(
            "SELECT repo_id, author, pipeline_tag, library_name, license, downloads, likes,"
            " created_at FROM models ORDER BY id"
        )
        for repo_id, author, task, library, licence, downloads, likes, created in cursor:
            yield {
                "id": repo_id,
                "author": author,
                "pipeline_tag": task,
                "library_name": library,
                "license": licence,
                "downloads": downloads,
                "likes": likes,
                "created_at": created.isoformat() if created else None,
                "id_tokens": " ".join(tokens(repo_id)),
            }


@contextlib.contextmanager
def datasette(path: Path) -> Iterator[str]:
    """Stock Datasette serving `path` immutable on a free port; yields the table's JSON address."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(bench_venv() / "datasette"),
            "serve",
            "--immutable",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            str(SQL_TIME_LIMIT_MS),
            "--setting",
            "suggest_facets",
            "off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                sys.exit(f"datasette exited with code {process.returncode}")
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("datasette did not start")
        yield f"{base}/{path.stem}/{TABLE}.json"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
