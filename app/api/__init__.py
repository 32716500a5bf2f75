"""The JSON API under /api/v1. Handlers call `data` functions; this module only adapts HTTP."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException

from app.api.database_errors import DATABASE_ERRORS, database_failure
from app.api.errors import ApiError, error_response, invalid_parameter
from data.db import Database
from data.query import QueryError

PREFIX = "/api/v1"
log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix=PREFIX)


def database() -> Database:
    return current_app.extensions["catalog_db"]


def envelope(data, **meta):
    return {"data": data, "meta": meta}


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message, error.details)


@bp.errorhandler(QueryError)
def _invalid_query(error: QueryError):
    return _api_error(invalid_parameter(error.parameter, error.reason))


def _database_error(error: Exception):
    return database_failure(error) or _internal_error(error)


for _kind in DATABASE_ERRORS:
    bp.register_error_handler(_kind, _database_error)
    bp.app_errorhandler(_kind)(_database_error)  # the dashboard's callbacks too


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.response is not None:  # already answered in the envelope (say, the rate limit's 429)
        return error.response
    code = "NOT_FOUND" if error.code == 404 else error.name.upper().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or error.name)


@bp.errorhandler(Exception)
def _internal_error(error: Exception):
    log.exception("unhandled error on %s", request.path)
    return error_response(500, "INTERNAL_ERROR", "An internal error occurred.")


@bp.before_request
def _refuse_nul_characters():
    """PostgreSQL text cannot hold NUL: refuse it up front, for every route."""
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            raise invalid_parameter(key.replace("\x00", ""), "NUL characters are not allowed")


# strict_slashes=False: `/api/v1` itself is this 404, not an HTML redirect to `/api/v1/`.
@bp.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"], strict_slashes=False)
@bp.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _not_found(path: str):
    # Without this, Dash's catch-all route would answer unknown API paths with the dashboard.
    raise ApiError(404, "NOT_FOUND", f"No API route at {request.path}.", {"path": request.path})


from app.api import routes  # noqa: E402,F401  (registers the routes on bp)
from app.api import ancestry  # noqa: E402,F401  (registers the lineage route on bp)
from app.api import catalog  # noqa: E402,F401  (search, detail, trending, stats, authors)
