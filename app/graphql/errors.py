"""GraphQL's errors in GraphQL's own shape, `{"message", "locations", "path", "extensions":
{"code", "details"}}`, with the codes and messages of the API's one table (app/api/errors.py):
a bad argument is INVALID_PARAMETER (named as in GraphQL), a failing database DATABASE_UNAVAILABLE or QUERY_TIMEOUT,
a query past the limits QUERY_TOO_DEEP or QUERY_TOO_COMPLEX; anything else is logged and
answered INTERNAL_ERROR without its text."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError

from app.api.database_errors import DATABASE_ERRORS, database_failure
from app.api.errors import ApiError, invalid_parameter
from app.graphql.grammar import argument_name
from data.query import QueryError

log = logging.getLogger(__name__)
INVALID_QUERY = "INVALID_QUERY"  # GraphQL's own syntax and validation errors (its message kept)


def described(error: GraphQLError) -> None:
    """Give `error` its code, details and message, in place."""
    original = error.original_error
    if original is None:
        error.extensions = {"code": INVALID_QUERY, **(error.extensions or {})}
        return
    known = _api_error(original)
    if known is None:
        log.error("unhandled error in GraphQL at %s", error.path, exc_info=original)
        known = ApiError("INTERNAL_ERROR")
    error.message = known.message
    error.extensions = {"code": known.code, "details": known.details}


def _api_error(original: Exception) -> ApiError | None:
    if isinstance(original, ApiError):
        return original
    if isinstance(original, QueryError):
        return invalid_parameter(argument_name(original.parameter), original.reason)
    if isinstance(original, DATABASE_ERRORS):
        return database_failure(original)
    return None


class CatalogSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        for error in errors:
            described(error)
