"""The answer to a database failure, for every route and Dash callback alike: 503 in the error
envelope with Retry-After, never a 500 nor a hang."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.api.errors import ApiError

log = logging.getLogger(__name__)

DATABASE_ERRORS = (DBAPIError, PoolTimeout)  # what the handler below is registered for
QUERY_CANCELED = "57014"  # SQLSTATE of a statement stopped by statement_timeout
# SQLSTATE classes of a database that failed whatever the query: connection exception, transaction
# rollback (a replica's recovery conflict), insufficient resources, operator intervention (shutdown,
# cancel), system error.
FAILURE_CLASSES = ("08", "40", "53", "57", "58")
RETRY_AFTER_SECONDS = 1


def is_database_failure(error: Exception) -> bool:
    """The database is unreachable, struggling or cancelled the query, whatever the request was
    (not the request's fault, nor a bug)."""
    if isinstance(error, PoolTimeout):  # no pooled connection came free in time
        return True
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    # No statement: the error came while connecting (refused, timed out, too many connections).
    return error.connection_invalidated or error.statement is None or sqlstate.startswith(FAILURE_CLASSES)


def database_failure(error: Exception) -> ApiError | None:
    """The 503 for a database failure; None for any other error (a bug: the caller answers 500)."""
    retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if getattr(getattr(error, "orig", None), "sqlstate", None) == QUERY_CANCELED:
        timeout = current_app.config["CATALOG_SETTINGS"].statement_timeout_ms
        log.warning("query cancelled after %s ms: %s", timeout, getattr(error, "statement", None))
        return ApiError("QUERY_TIMEOUT", {"statement_timeout_ms": timeout}, headers=retry)
    if is_database_failure(error):
        log.warning("database unavailable: %s", getattr(error, "orig", None) or error)
        return ApiError("DATABASE_UNAVAILABLE", headers=retry)
    return None
