"""An embedded PostgreSQL (pgserver) for when no database URL is configured."""

from __future__ import annotations

from pathlib import Path

EMBEDDED_DATABASE = "catalog"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the PostgreSQL server kept in `data_dir/pgdata`; return its URL.

    The server stops when the last process using it exits.
    """
    import pgserver  # imported late: only the embedded mode needs it

    pgdata = data_dir / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    return server.get_uri(EMBEDDED_DATABASE)
