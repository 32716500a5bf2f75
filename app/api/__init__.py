"""The JSON API under /api/v1. Handlers call `data` functions; this module only adapts HTTP."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.api.database_errors import database_failure
from app.api.errors import ApiError, error_response
from data.db import Database

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


@bp.errorhandler(DBAPIError)
@bp.app_errorhandler(DBAPIError)  # the dashboard's callbacks too
def _database_error(error: DBAPIError):
    return database_failure(error) or _internal_error(error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
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
            name = key.replace("\x00", "")
            raise ApiError(400, "INVALID_PARAMETER", f"Invalid {name}: NUL characters are not allowed.",
                           {"parameter": name, "reason": "NUL characters are not allowed"})
    if "\x00" in request.path:
        raise ApiError(404, "NOT_FOUND", "No API route at a path with NUL characters.", {})


@bp.app_errorhandler(404)
def _unrouted(error: HTTPException):
    # Paths no URL rule can match at all (say, with a newline) never reach _not_found below.
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        return error_response(404, "NOT_FOUND", f"No API route at {request.path!r}.", {"path": request.path})
    return error


@bp.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _not_found(path: str):
    # Without this, Dash's catch-all route would answer unknown API paths with the dashboard.
    raise ApiError(404, "NOT_FOUND", f"No API route at {request.path}.", {"path": request.path})


from app.api import routes  # noqa: E402,F401  (registers the routes on bp)
from app.api import ancestry  # noqa: E402,F401  (registers the lineage route on bp)
from app.api import catalog  # noqa: E402,F401  (search, detail, trending, stats, authors)
