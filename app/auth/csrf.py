"""CSRF protection by signed double-submit cookie (OWASP's pattern).

The `_csrf_token` cookie holds a random value and its HMAC under the secret key; a
state-changing request must repeat it in the `X-CSRFToken` header, which a page on another
site cannot read nor set. Dash's renderer sends that header from that cookie by itself.

Checked: every POST, PUT, PATCH and DELETE under /api/v1 that carries no bearer credential
(a bearer is never sent by a browser on its own), sign-in included, except GraphQL's (which only
reads); and every Dash callback
of a browser with a session cookie (callbacks act for the signed-in user).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Flask, Response, current_app, request

from app.api import DASH_CALLBACK_PATH, GRAPHQL_PATH, is_api_path
from app.api.errors import ApiError

CSRF_COOKIE = "_csrf_token"  # the name dash-renderer reads
CSRF_HEADER = "X-CSRFToken"
NOT_FOUND_ENDPOINT = "api._not_found"  # the API's catch-all 404 (app.api)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _mac(secret_key: str, nonce: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_token(secret_key: str) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_mac(secret_key, nonce)}"


def token_valid(secret_key: str, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    return bool(nonce) and hmac.compare_digest(mac, _mac(secret_key, nonce))


def csrf_token() -> str:
    """The request's valid token (its cookie's), or a new one (set on the way out)."""
    secret_key = current_app.secret_key
    assert isinstance(secret_key, str)
    existing = request.cookies.get(CSRF_COOKIE, "")
    if existing and token_valid(secret_key, existing):
        return existing
    token = request.environ.get("catalog.new_csrf_token") or new_token(secret_key)
    request.environ["catalog.new_csrf_token"] = token
    return token


def init_csrf(server: Flask, session_cookie: str) -> None:
    def check() -> None:
        if request.method in SAFE_METHODS or not _needs_check(session_cookie):
            return
        reason = _problem(server.secret_key)  # type: ignore[arg-type]
        if reason:
            raise ApiError("CSRF_FAILED", {"reason": reason})

    def set_cookie(response: Response) -> Response:
        if request.method == "GET" and response.mimetype == "text/html":
            csrf_token()  # every page a browser loads hands it the token
        token = request.environ.get("catalog.new_csrf_token")
        if token:
            response.set_cookie(CSRF_COOKIE, token, secure=request.is_secure, httponly=False, samesite="Lax")
        return response

    server.before_request(check)
    server.after_request(set_cookie)


def _needs_check(session_cookie: str) -> bool:
    if request.routing_exception is not None or request.endpoint == NOT_FOUND_ENDPOINT:
        return False  # nothing is there to act: the request's own 404 or 405 tells better
    if request.path == GRAPHQL_PATH:
        return False  # queries only (the schema has no mutation): nothing to forge
    if is_api_path(request.path):
        return not request.headers.get("Authorization")
    return request.path == DASH_CALLBACK_PATH and session_cookie in request.cookies


def _problem(secret_key: str) -> str | None:
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not header:
        return f"no {CSRF_HEADER} header"
    if not cookie:
        return f"no {CSRF_COOKIE} cookie"
    if not hmac.compare_digest(header, cookie) or not token_valid(secret_key, cookie):
        return "the header does not match the cookie"
    return None
