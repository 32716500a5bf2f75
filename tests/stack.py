"""The deployed stack on 127.0.0.1: nginx (deploy/nginx) in front of app processes under
gunicorn (`catalog serve`), sharing one PostgreSQL database and one Redis database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
# Every app the tests start signs with this key (a configured database needs one); conftest puts
# it in the environment too, for the `catalog` commands and servers they run.
TEST_SECRET_KEY = "test-secret-key-of-the-catalog-tests-only-0123456789"
NGINX = ROOT / "deploy" / "nginx"
MAIN_CONF = """
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $prefix/access.log;
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    include $prefix/catalog.conf;
}
"""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(
    url: str,
    process: subprocess.Popen,
    seconds: float = 60,
    headers: dict[str, str] | None = None,
    output: Callable[[], str] = str,
) -> tuple[Message, bytes]:
    """The first answer of `url` (its headers and body), asked until `process` serves it; what
    `output()` returns (the server's log) is told when the process exits or time runs out."""
    request = urllib.request.Request(url, headers=headers or {})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}: {output()}")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.headers, response.read()
        except OSError:  # refused, reset, timed out, or an error status while it starts
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds} s: {output()}")


@dataclass
class Stack:
    url: str  # nginx
    app_ports: list[int]
    database_url: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    prefix: Path | None = None

    def kill_app(self, index: int) -> None:
        """SIGKILL one app process and its gunicorn workers (no goodbye to nginx)."""
        os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait(10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if self.prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)


def start_app(port: int, environment: dict[str, str], log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "app.cli", "serve", "--no-fill", "--workers", "1", "--port", str(port)]
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=os.environ | environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def render_nginx(prefix: Path, listen: str, app_ports: list[int]) -> Path:
    """nginx.conf in `prefix`, with deploy/nginx's snippet rendered as the image renders it."""
    upstreams = " ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in app_ports)
    snippet = Template((NGINX / "catalog.conf.template").read_text()).safe_substitute(
        CATALOG_UPSTREAMS=upstreams, CATALOG_LISTEN=listen, CATALOG_ASSETS_DIR=str(ROOT / "assets")
    )
    (prefix / "catalog.conf").write_text(snippet)
    shutil.copy(NGINX / "catalog_proxy.conf", prefix / "catalog_proxy.conf")
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / folder).mkdir(parents=True, exist_ok=True)
        os.chmod(prefix / "temp" / folder, 0o777)  # nginx's workers run as nobody under root
    os.chmod(prefix, 0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(Template(MAIN_CONF).safe_substitute(prefix=str(prefix)))
    return conf


def start_stack(database_url: str, redis_url: str, apps: int = 2, **settings: str) -> Stack:
    prefix = Path(tempfile.mkdtemp(prefix="catalog-stack-"))
    ports = [free_port() for _ in range(apps)]
    environment = {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_REDIS_URL": redis_url,
        "CATALOG_LOG_LEVEL": "WARNING",
        "CATALOG_TRUSTED_PROXIES": "1",
        **settings,
    }
    stack = Stack(url="", app_ports=ports, database_url=database_url, prefix=prefix)
    try:
        for number, port in enumerate(ports):
            stack.processes.append(start_app(port, environment, prefix / f"app{number}.log"))
        for port, process in zip(ports, stack.processes, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}/api/v1/health", process)
        listen = free_port()
        conf = render_nginx(prefix, f"127.0.0.1:{listen}", ports)
        nginx = subprocess.Popen(
            ["nginx", "-p", str(prefix), "-c", str(conf)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=(prefix / "nginx.out").open("wb"),
        )
        stack.processes.append(nginx)
        stack.url = f"http://127.0.0.1:{listen}"
        wait_until_up(f"{stack.url}/nginx-health", nginx, 15)
    except Exception:
        logs = "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in [*prefix.glob("*.log*"), prefix / "nginx.out"]
            if p.exists()
        )
        stack.stop()
        raise RuntimeError(f"the stack did not start:\n{logs}") from None
    return stack
