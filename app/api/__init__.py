"""The JSON API under /api/v1. Handlers call `data` functions; this module only adapts HTTP."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter
from werkzeug.sansio.response import Response

from app.api.database_errors import DATABASE_ERRORS, database_failure
from app.api.errors import ApiError, http_error, invalid_parameter
from components.routes import API_GRAPHQL  # not `routes`: app.api.routes is a module of ours
from data.accounts.users import AccountError
from data.db import Database
from data.query import QueryError

PREFIX = "/api/v1"
GRAPHQL_PATH = API_GRAPHQL  # the GraphQL API beside REST (app/graphql)
log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix=PREFIX)
ROW_ID_CONVERTER = "row_id"


class RowIdConverter(BaseConverter):
    """A row id in a path: at most 18 digits, within PostgreSQL's bigint. A longer number is no
    match, so the path falls to the API's 404 whatever its method (int(max=) failing inside
    werkzeug's matcher answered some methods 405)."""

    regex = r"\d{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: object) -> str:
        return str(value)


@bp.record_once
def _add_row_id_converter(state) -> None:
    """Recorded before any route (the route modules load later): their rules need it."""
    state.app.url_map.converters[ROW_ID_CONVERTER] = RowIdConverter


DASH_CALLBACK_PATH = "/_dash-update-component"  # Dash's one route for every callback


def is_api_path(path: str) -> bool:
    """REST under /api/v1 and GraphQL: keys, rate limits, the cache and JSON errors alike."""
    return path in (PREFIX, GRAPHQL_PATH) or path.startswith(PREFIX + "/")


def database() -> Database:
    return current_app.extensions["catalog_db"]


def envelope(data, **meta):
    return {"data": data, "meta": meta}


def answer_error(error: Exception) -> Response:
    """The one answer to whatever a route raised, in the error envelope: its own ApiError, a
    QueryError's 400, a database failure's 503, an HTTP error by its status, else a 500."""
    if isinstance(error, HTTPException) and error.response is not None:
        return error.response  # already answered in the envelope (say, the rate limit's 429)
    if isinstance(error, QueryError):
        error = invalid_parameter(error.parameter, error.reason)
    elif isinstance(error, AccountError):
        error = ApiError(error.code, {"field": error.field, "reason": error.reason})
    elif isinstance(error, HTTPException):
        error = http_error(error)
    elif isinstance(error, DATABASE_ERRORS):
        error = database_failure(error) or error
    if not isinstance(error, ApiError):
        log.exception("unhandled error on %s", request.path, exc_info=error)
        error = ApiError("INTERNAL_ERROR")
    return error.response()


bp.register_error_handler(Exception, answer_error)
for _kind in DATABASE_ERRORS:
    bp.app_errorhandler(_kind)(answer_error)  # the dashboard's callbacks too


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
    raise ApiError("NOT_FOUND", {"path": request.path})


def load_routes() -> None:
    """Import the route modules, for what importing them does: they add their routes to `bp`.
    Called by the app factory, not at import: the route modules import app.auth, which imports
    this package, and any of the two must be importable first."""
    from app.api import (  # noqa: F401
        accounts,
        admin,
        ancestry,
        catalog,
        collections,
        compare,
        docs,
        family,
        live,
        oidc,
        papers,
        routes,
        searches,
        similar,
    )
