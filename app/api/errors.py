"""The API's errors: one table of codes, one exception, one shape.

Every error answer, API and dashboard callbacks alike, is {"error": {"code", "message", "details"}}
with a code from `ERRORS`, which says its HTTP status and its message (a `str.format` template
over the details). The blueprint's handler, the guards, the rate limit, openapi.json and the
tests all read this table; nginx's own answers (deploy/nginx) use its codes too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, has_request_context, jsonify, request
from werkzeug.exceptions import HTTPException, default_exceptions
from werkzeug.http import HTTP_STATUS_CODES


@dataclass(frozen=True)
class ErrorCode:
    status: int
    message: str  # the message, or its template over the details
    http: bool = False  # the code of an HTTP error of this status that no route chose


ERRORS: dict[str, ErrorCode] = {
    # The request: the client can fix it.
    "INVALID_PARAMETER": ErrorCode(400, "Invalid {parameter}: {reason}."),
    "INVALID_CALLBACK_REQUEST": ErrorCode(400, "The callback's inputs are not what the dashboard sends."),
    "MODEL_NOT_FOUND": ErrorCode(404, "No model {id} in the catalog."),
    "AUTHOR_NOT_FOUND": ErrorCode(404, "No author {author} in the catalog."),
    "PAPER_NOT_FOUND": ErrorCode(404, "No model in the catalog cites arXiv paper {id}."),
    "INVALID_BODY": ErrorCode(400, "The request body must be a JSON object: {reason}."),
    "INVALID_QUERY": ErrorCode(400, "The GraphQL query is not valid: {reason}."),
    "QUERY_TOO_DEEP": ErrorCode(
        400, "The query nests {depth} fields deep, more than the {max_depth} allowed: split it into several queries."
    ),
    "QUERY_TOO_COMPLEX": ErrorCode(
        400,
        "The query could read about {cost} items, more than the {max_cost} allowed: ask for fewer models "
        "(`first`) or fewer nested lists.",
    ),
    "INVALID_FIELD": ErrorCode(400, "Invalid {field}: {reason}."),
    "AUTHENTICATION_REQUIRED": ErrorCode(
        401, "Sign in, or send `Authorization: Bearer KEY` with an API key from your account page."
    ),
    "LOGIN_FAILED": ErrorCode(401, "Wrong email or password."),
    "INVALID_CREDENTIALS": ErrorCode(
        401, "The bearer credential is neither a live API key nor a token this catalog issued."
    ),
    "KEY_REVOKED": ErrorCode(401, "This API key was revoked: create a new one on your account page."),
    "KEY_EXPIRED": ErrorCode(401, "This API key has expired: create a new one on your account page."),
    "TOKEN_EXPIRED": ErrorCode(
        401, "The token has expired: exchange your API key for a new one at POST /api/v1/auth/token."
    ),
    "ACCOUNT_DISABLED": ErrorCode(401, "This account is disabled: ask an admin."),
    "ROLE_REQUIRED": ErrorCode(403, "This needs the {role} role; you are {current}."),
    "SESSION_REQUIRED": ErrorCode(403, "This needs a signed-in session, not an API key or token."),
    "CSRF_FAILED": ErrorCode(
        403,
        "Refused without a valid CSRF token ({reason}): send the `X-CSRFToken` header with the "
        "token from GET /api/v1/auth/csrf (the `_csrf_token` cookie).",
    ),
    "USER_NOT_FOUND": ErrorCode(404, "No such user: {reason}."),
    "KEY_NOT_FOUND": ErrorCode(404, "No such API key: {reason}."),
    "JOB_NOT_FOUND": ErrorCode(404, "No such job: {reason}."),
    "SEARCH_NOT_FOUND": ErrorCode(404, "No such saved search: {reason}."),
    "COLLECTION_NOT_FOUND": ErrorCode(404, "No such collection: {reason}."),
    "COLLECTION_MODEL_NOT_FOUND": ErrorCode(404, "No such model here: {reason}."),
    "FEED_NOT_FOUND": ErrorCode(404, "No feed at this address: it was revoked, or never was."),
    "OIDC_NOT_CONFIGURED": ErrorCode(404, "Sign-in through an OIDC provider is not configured here."),
    # Where a sign-in through the OIDC provider ends on /login?error=CODE (app/api/oidc.py): fixed messages.
    "OIDC_DENIED": ErrorCode(401, "The sign-in provider did not sign you in: try again, or use your password."),
    "OIDC_SIGN_IN_EXPIRED": ErrorCode(
        400, "That sign-in was started in another browser or took too long: start it again."
    ),
    "OIDC_EMAIL_UNVERIFIED": ErrorCode(
        403, "The sign-in provider did not confirm your email address: verify it there, then sign in again."
    ),
    "EMAIL_TAKEN": ErrorCode(409, "An account already has this email address."),
    "LAST_ADMIN": ErrorCode(409, "This is the last admin: make another admin first."),
    "LOGIN_RATE_LIMITED": ErrorCode(
        429, "Too many failed sign-ins for this account from your address; retry in {retry_after_seconds} s."
    ),
    "RATE_LIMITED": ErrorCode(
        429,
        "Too many requests: the limit is {limit} per {period_seconds} s; retry in {retry_after_seconds} s.",
        http=True,
    ),
    # HTTP errors of the protocol (routing, methods, sizes) from Flask, gunicorn or nginx, named by
    # their reason phrase; every other status Werkzeug knows is added below by its name. The
    # message is the server's own.
    "NOT_FOUND": ErrorCode(404, "No API route at {path}.", http=True),
    "METHOD_NOT_ALLOWED": ErrorCode(405, "The method is not allowed for the requested URL.", http=True),
    "REQUEST_ENTITY_TOO_LARGE": ErrorCode(413, "The request body is too large.", http=True),
    "URI_TOO_LONG": ErrorCode(414, "The request line is too long.", http=True),  # gunicorn's and nginx's name
    "REQUEST_HEADER_FIELDS_TOO_LARGE": ErrorCode(431, "A request header is too large.", http=True),
    # The server: try again later, or report it.
    "INTERNAL_ERROR": ErrorCode(500, "An internal error occurred.", http=True),
    "OIDC_PROVIDER_FAILED": ErrorCode(502, "The sign-in provider did not answer as expected: try again later."),
    "LIVE_STREAM_UNAVAILABLE": ErrorCode(
        503, "This server keeps no more live streams open just now: poll {poll} instead, or retry later."
    ),
    "DATABASE_UNAVAILABLE": ErrorCode(503, "The database is unreachable; try again shortly."),
    "QUERY_TIMEOUT": ErrorCode(
        503,
        "The query took longer than {statement_timeout_ms} ms and was cancelled; "
        "narrow the request or try again shortly.",
    ),
    "MIGRATIONS_PENDING": ErrorCode(
        503,
        "The database schema is at {schema_revision} but this code needs "
        "{required_revision}: run `catalog db upgrade`.",
    ),
    "SCHEMA_NEWER_THAN_CODE": ErrorCode(
        503,
        "The database schema is at {schema_revision}, which this code does not know: deploy the code "
        "that migrated it, or run `catalog db downgrade {required_revision}` with that code.",
    ),
}


def _reason_code(reason: str) -> str:
    return re.sub(r"[^A-Z]+", "_", reason.upper()).strip("_")  # "URI Too Long" → URI_TOO_LONG


HTTP_CODES = {entry.status: code for code, entry in ERRORS.items() if entry.http}
for _status, _exception in sorted(default_exceptions.items()):
    if _status not in HTTP_CODES:
        HTTP_CODES[_status] = _reason_code(HTTP_STATUS_CODES[_status])
        ERRORS[HTTP_CODES[_status]] = ErrorCode(
            _status, _exception.description or HTTP_STATUS_CODES[_status], http=True
        )

# How a sign-in through the OIDC provider can end on /login?error=CODE (app/api/oidc.py).
SIGN_IN_FAILURES = (
    "OIDC_DENIED",
    "OIDC_SIGN_IN_EXPIRED",
    "OIDC_PROVIDER_FAILED",
    "OIDC_EMAIL_UNVERIFIED",
    "ACCOUNT_DISABLED",
)


def sign_in_failure(error: object) -> str | None:
    """The message for the login page's `?error=`, or None for anything else (never echoed)."""
    return ERRORS[error].message if isinstance(error, str) and error in SIGN_IN_FAILURES else None


# What any route that queries the catalog may answer when the database fails.
DATABASE_FAILURES = ("DATABASE_UNAVAILABLE", "QUERY_TIMEOUT")


class ApiError(Exception):
    """An error answer: its code (a key of ERRORS), details, and the message the table's template
    makes of them unless one is given."""

    def __init__(
        self,
        code: str,
        details: Mapping[str, Any] | None = None,
        *,
        message: str | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        entry = ERRORS[code]  # a code outside the table is a bug, found by the first test that meets it
        self.code, self.status, self.details = code, entry.status, dict(details or {})
        self.message = message or entry.message.format(**self.details)
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def response(self) -> Response:
        from app.api import GRAPHQL_PATH  # the package imports this module first

        body: dict[str, Any] = {"error": {"code": self.code, "message": self.message, "details": self.details}}
        if has_request_context() and request.path == GRAPHQL_PATH:  # in GraphQL's own shape
            body = {"errors": [{"message": self.message, "extensions": {"code": self.code, "details": self.details}}]}
        response = jsonify(body)
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def invalid_parameter(parameter: str, reason: str) -> ApiError:
    """The one 400 for a bad query parameter, whichever layer found it."""
    return ApiError("INVALID_PARAMETER", {"parameter": parameter, "reason": reason})


def http_code(status: int, reason: str) -> str:
    """The code of an HTTP error: the table's for its status, else its reason phrase in capitals."""
    return HTTP_CODES.get(status) or _reason_code(reason)


def http_error(error: HTTPException, details: Mapping[str, Any] | None = None) -> ApiError:
    """Werkzeug's HTTP errors (404, 405, 413…) in the envelope, with Werkzeug's description."""
    code = HTTP_CODES.get(error.code or 500, "INTERNAL_ERROR")
    return ApiError(code, details, message=error.description or error.name)
