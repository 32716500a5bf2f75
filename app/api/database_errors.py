"""The answer to a database failure, for every route and Dash callback alike: 503 in the error
envelope with Retry-After, never a 500 nor a hang."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.exc import DBAPIError, OperationalError

from app.api.errors import error_response

log = logging.getLogger(__name__)

QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
RETRY_AFTER_SECONDS = 1


def database_failure(error: DBAPIError):
    """The 503 for a database that is unreachable or a query the statement timeout cancelled;
    None for any other database error (a bug: the caller answers 500)."""
    if getattr(error.orig, "sqlstate", None) == QUERY_CANCELED:
        timeout = current_app.config["CATALOG_SETTINGS"].statement_timeout_ms
        log.warning("query cancelled after %s ms: %s", timeout, error.statement)
        return _with_retry_after(error_response(
            503, "QUERY_TIMEOUT", f"The query took longer than {timeout} ms and was cancelled; "
            "narrow the request or try again shortly.", {"statement_timeout_ms": timeout}))
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("database unavailable: %s", error.orig)
        return _with_retry_after(error_response(
            503, "DATABASE_UNAVAILABLE", "The database is unreachable; try again shortly."))
    return None


def _with_retry_after(answer):
    response, status = answer
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, status
