"""Throw-away PostgreSQL clusters on 127.0.0.1 that fault tests may stop: a primary of their own
(never the machine's server, which others use) and a streaming replica of it (pg_basebackup -R).

The server binaries are Debian's (`/usr/lib/postgresql/<version>/bin`); under root they run as
the `postgres` user, since PostgreSQL refuses to run as root."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from data.db import normalise_url
from tests.stack import free_port

BINARIES = ("initdb", "pg_ctl", "pg_basebackup")
# Test clusters trade durability for speed; the replica streams from the primary's WAL.
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_wal_senders = 4
wal_keep_size = 64MB
"""


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder that has every binary needed."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if all((folder / name).exists() for name in BINARIES):
            return folder
    return None


def missing() -> str | None:
    """Why clusters cannot be made here, or None."""
    if server_binaries() is None:
        return (
            "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed (apt-get install postgresql)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run PostgreSQL as"
        if not shutil.which("runuser"):
            return "running as root without runuser (util-linux) to run PostgreSQL as postgres"
    return None


def _as_owner(*command: str | Path) -> list[str]:
    arguments = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *arguments] if os.geteuid() == 0 else arguments


def _run(*command: str | Path) -> None:
    done = subprocess.run(_as_owner(*command), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}")


@dataclass
class Cluster:
    data: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        _run(
            server_binaries() / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.data.parent / f"{self.data.name}.log",
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends the sessions at once (clients see their connections die), as a crash would."""
        _run(server_binaries() / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def execute(self, sql: str, database: str = "postgres") -> list[tuple]:
        engine = create_engine(normalise_url(self.url(database)), poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                result = connection.execute(text(sql))
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def log(self) -> str:
        path = self.data.parent / f"{self.data.name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


class Clusters:
    """A folder of clusters, removed (servers stopped) by `remove()`."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="catalog-clusters-"))
        if os.geteuid() == 0:
            os.chown(self.root, pwd.getpwnam("postgres").pw_uid, -1)
        self.members: list[Cluster] = []

    def primary(self) -> Cluster:
        cluster = Cluster(self.root / f"primary{len(self.members)}", free_port())
        self.members.append(cluster)
        _run(
            server_binaries() / "initdb",
            "-D",
            cluster.data,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(port=cluster.port, sockets=self.root))
        cluster.start()
        return cluster

    def replica_of(self, primary: Cluster) -> Cluster:
        """A hot standby streaming from `primary` (its own port, same settings otherwise)."""
        cluster = Cluster(self.root / f"replica{len(self.members)}", free_port())
        self.members.append(cluster)
        _run(
            server_binaries() / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            cluster.data,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {cluster.port}\n")
        cluster.start()
        return cluster

    def remove(self) -> None:
        for cluster in self.members:
            if cluster.running():
                with contextlib.suppress(RuntimeError):
                    cluster.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for_replay(primary: Cluster, replica: Cluster, seconds: float = 30) -> None:
    """Until the replica has replayed everything the primary wrote so far."""
    target = primary.execute("SELECT pg_current_wal_insert_lsn()::text")[0][0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        caught_up = replica.execute(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0]
        if caught_up:
            return
        time.sleep(0.1)
    raise TimeoutError(f"the replica did not replay up to {target} within {seconds} s")
