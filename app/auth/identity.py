"""Who is asking: anonymous (a viewer), a signed-in user (session cookie), or an API client
(`Authorization: Bearer` with a key or a token). Resolved once per request.

The bearer is read under /api/v1 only; a bearer that does not authenticate is a 401 even on
routes that need no account (RFC 6750: a bad credential is never taken for none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Literal

from flask import current_app, g, request
from flask_login import current_user

from app.api import database, is_api_path
from app.api.errors import ApiError
from app.auth.tokens import TokenRejected, looks_like_token, read_token
from app.logs import current_request_id
from data.accounts.audit import Actor
from data.accounts.keys import KeyHolder, KeyRejected, key_holder, live_key_holder, looks_like_key

Via = Literal["anonymous", "session", "key", "token"]
ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}
WWW_AUTHENTICATE = 'Bearer realm="model-catalog"'
# The 401s of a bearer that does not authenticate, on any API route (openapi.json lists them on
# each): data.accounts.keys.check_key_live's and app.auth.tokens.read_token's codes.
BEARER_REJECTIONS = ("INVALID_CREDENTIALS", "KEY_REVOKED", "KEY_EXPIRED", "TOKEN_EXPIRED", "ACCOUNT_DISABLED")


@dataclass(frozen=True)
class Identity:
    via: Via
    role: str = "viewer"
    user_id: int | None = None
    email: str | None = None
    key_id: int | None = None

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None

    def actor(self) -> Actor:
        return Actor(self.user_id, self.email, request.remote_addr, current_request_id())


ANONYMOUS = Identity("anonymous")


def current_identity() -> Identity:
    """The request's identity; raises the 401 of a bearer that does not authenticate."""
    if "catalog_identity" not in g:
        try:
            g.catalog_identity = _resolve()
        except ApiError as error:
            g.catalog_identity = error
    found = g.catalog_identity
    if isinstance(found, ApiError):
        raise found
    return found


def authenticate_api_request() -> None:
    """Every API request: a bearer that does not authenticate is refused before any route."""
    if is_api_path(request.path) and request.method != "OPTIONS":
        current_identity()


def rate_limit_identity() -> Identity:
    """The identity for rate limiting: a failing bearer counts against its address."""
    try:
        return current_identity()
    except ApiError:
        return ANONYMOUS


def _resolve() -> Identity:
    authorization = request.headers.get("Authorization") if is_api_path(request.path) else None
    if authorization:
        return _bearer(authorization)
    if current_user.is_authenticated:
        account = current_user.account
        return Identity("session", account.role, account.id, account.email)
    return ANONYMOUS


def _bearer(authorization: str) -> Identity:
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise unauthenticated("INVALID_CREDENTIALS")
    via: Via = "key" if looks_like_key(credential) else "token"
    try:
        holder = _holder(credential, via)
    except (KeyRejected, TokenRejected) as rejected:
        raise unauthenticated(rejected.code) from None
    user = holder.user
    return Identity(via, user.role, user.id, user.email, holder.key_id)


def _holder(credential: str, via: Via) -> KeyHolder:
    with database().session() as session:
        if via == "key":
            holder = key_holder(session, credential)
            session.commit()  # last_used_at
            return holder
        if not looks_like_token(credential):
            raise KeyRejected("INVALID_CREDENTIALS")
        claims = read_token(current_app.secret_key, credential)  # type: ignore[arg-type]
        holder = live_key_holder(session, claims.key_id)
        if holder.user.id != claims.user_id:
            raise KeyRejected("INVALID_CREDENTIALS")
        return holder


def unauthenticated(code: str = "AUTHENTICATION_REQUIRED") -> ApiError:
    return ApiError(code, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


def check_role(identity: Identity, role: str) -> None:
    if not identity.signed_in:
        raise unauthenticated()
    if ROLE_RANK[identity.role] < ROLE_RANK[role]:
        raise ApiError("ROLE_REQUIRED", {"role": role, "current": identity.role})


def requires(role: str = "analyst", *, session_only: bool = False) -> Callable:
    """A route for accounts of `role` or above (`session_only`: not by key or token).
    Its answers are private: never cached, by us or on the way."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            g.catalog_private = True
            identity = current_identity()
            check_role(identity, role)
            if session_only and identity.via != "session":
                raise ApiError("SESSION_REQUIRED")
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]  # read by the docs and the access tests
        return guarded

    return decorate
