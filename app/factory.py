"""The app factory: one Flask server carrying the Dash dashboard and the /api/v1 blueprint."""

from __future__ import annotations

import logging
import os
import secrets
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.settings import SECRET_KEY_HINT, Settings, SettingsError
from data.db import Database
from data.embedded import start_embedded_postgres

if TYPE_CHECKING:
    from app.api.http import HttpOptions
    from app.live import LiveHub
    from data.live import Change

log = logging.getLogger(__name__)


def resolve_database_url(settings: Settings) -> str:
    """The configured URL, or else the embedded PostgreSQL's (started on demand)."""
    if settings.database_url:
        return settings.database_url
    url = start_embedded_postgres(settings.data_dir)
    log.info("no CATALOG_DATABASE_URL set: using embedded PostgreSQL in %s", settings.data_dir)
    return url


SECRET_KEY_FILE = "secret_key"


def resolve_secret_key(settings: Settings) -> str:
    """CATALOG_SECRET_KEY; without it, the embedded default keeps one of its own in
    CATALOG_DATA_DIR (made on first start). A configured database needs it set: every app
    process must sign and check cookies and tokens with the same key."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    if settings.database_url:
        raise SettingsError(f"CATALOG_SECRET_KEY is required when CATALOG_DATABASE_URL is set: {SECRET_KEY_HINT}")
    path = settings.data_dir / SECRET_KEY_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        log.info("made a secret key for the embedded catalog in %s", path)
    return path.read_text().strip()


def open_database(settings: Settings, *, for_requests: bool = False) -> Database:
    """Requests read from the replica (when configured) under the statement timeout; jobs
    (ingestion, sync, export) use the primary alone, unbounded, and read what they wrote."""
    if not for_requests:
        return Database.from_urls(resolve_database_url(settings))
    return Database.from_urls(
        resolve_database_url(settings),
        settings.read_database_url,
        statement_timeout_ms=settings.statement_timeout_ms or None,
    )


def live_hub(db: Database, settings: Settings) -> LiveHub:
    from app.live import LiveHub
    from data.live import current

    def read_current() -> Change:
        with db.session() as session:
            return current(session)

    return LiveHub(db.primary_conninfo, read_current, settings.live_streams)


def create_app(settings: Settings, database: Database | None = None, http: HttpOptions | None = None) -> Flask:
    from app.api import bp as api_blueprint  # imported here: no module-level app anywhere
    from app.api import load_routes
    from app.api.http import HttpOptions, init_http
    from app.auth import init_auth
    from app.auth.identity import authenticate_api_request
    from app.auth.oidc import init_oidc
    from app.auth.throttle import LoginThrottle
    from app.dashboard import create_dash
    from app.graphql import init_graphql
    from app.guards import init_guards
    from app.logs import init_request_logging
    from app.metrics import init_metrics  # imported late: `catalog serve` sets its directory first
    from app.rate_limit import storage_options, storage_uri
    from app.security_headers import init_security_headers

    server = Flask(__name__)
    server.config["CATALOG_SETTINGS"] = settings
    db = database or open_database(settings, for_requests=True)
    server.extensions["catalog_db"] = db
    init_request_logging(server)  # first in, last out: every answer gets an id and a log line
    init_metrics(server, db)
    load_routes()
    server.register_blueprint(api_blueprint)
    init_graphql(server)
    http = http or HttpOptions()
    redis_url, prefix = settings.redis_url, http.redis_prefix
    throttle = LoginThrottle.build(storage_uri(redis_url), prefix, storage_options(redis_url, prefix))
    init_auth(server, settings, resolve_secret_key(settings), db, throttle)  # sessions, CSRF
    init_oidc(server, settings)  # the OIDC provider's client, when configured (fetches nothing yet)
    init_http(server, settings, http, authenticate_api_request)  # CORS, rate limit, cache, ETag, compression
    server.extensions["catalog_live"] = live_hub(db, settings)
    server.extensions["dash"] = create_dash(server, db)
    init_guards(server, server.extensions["dash"])
    init_security_headers(server, server.extensions["dash"].csp_hashes())
    if settings.trusted_proxies:
        # The client is what the nearest N proxies say it is, and nobody further left.
        # Flask's documented way to wrap the WSGI app; mypy takes wsgi_app for a method only.
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    return server
