"""Accounts under /api/v1: sign-up, sign-in and -out, the CSRF token, the caller's own account
and API keys, and tokens for keys. The dashboard's account pages call these same functions."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

from flask import g, request
from flask import session as cookie_session
from flask_login import current_user, login_user, logout_user
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.api import ROW_ID_CONVERTER, bp, database, envelope
from app.api.docs import documented, parse_body
from app.api.errors import ApiError
from app.auth import SignedIn, auth_layer
from app.auth.csrf import csrf_token
from app.auth.identity import Identity, current_identity, requires
from app.auth.tokens import issue_token
from data.accounts import audit
from data.accounts.keys import KeyInfo, create_key, list_keys, revoke_key
from data.accounts.passwords import MAX_PASSWORD_LENGTH
from data.accounts.sessions import open_session, revoke_all_sessions, revoke_session
from data.accounts.tables import User
from data.accounts.users import Account, authenticate, create_user

BODY_ERRORS = ["INVALID_BODY", "INVALID_FIELD"]
# A route for accounts only; a bearer's own 401s are on every route (app.api.docs adds them).
SIGNED_IN_ERRORS = ["AUTHENTICATION_REQUIRED"]
MAX_ID = 2**63 - 1  # PostgreSQL bigint: a larger id would be the database's error, not a 404
ID = ROW_ID_CONVERTER  # the route converter of a row id (app.api)


class Credentials(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class SignOut(BaseModel):
    everywhere: bool = Field(False, description="End every session of the account, not only this one.")


class NewKey(BaseModel):
    name: str = Field(description="What the key is for, to tell keys apart (1–100 characters).")


class Me(BaseModel):
    id: int | None
    email: str | None
    role: Literal["viewer", "analyst", "admin"]
    authenticated_by: Literal["anonymous", "session", "key", "token"]
    key_id: int | None = None


class Key(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters: the key itself is shown only once.")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class CreatedKey(Key):
    key: str = Field(description="The key, shown this once: keep it (only a hash of it is stored).")


class Token(BaseModel):
    token: str
    token_type: Literal["Bearer"]
    expires_at: int = Field(description="Unix seconds.")
    expires_in: int = Field(description="Seconds from now.")


class CsrfToken(BaseModel):
    csrf_token: str = Field(description="Send it as the `X-CSRFToken` header (it is also the `_csrf_token` cookie).")


def me_of(identity: Identity) -> dict:
    return Me(
        id=identity.user_id,
        email=identity.email,
        role=identity.role,
        authenticated_by=identity.via,
        key_id=identity.key_id,
    ).model_dump()


def _key(info: KeyInfo, **extra) -> dict:
    return {**Key.model_validate(info, from_attributes=True).model_dump(mode="json"), **extra}


def new_session(session: Session, user: User) -> SignedIn:
    """A session for `user`, opened in the caller's transaction; `sign_in` it once committed."""
    token = open_session(session, user, address=request.remote_addr, user_agent=request.headers.get("User-Agent"))
    return SignedIn(Account.of(user), token)


def sign_in(signed_in: SignedIn) -> Identity:
    """Give this request's answer the session's cookie; the request's identity from now on."""
    login_user(signed_in)
    account = signed_in.account
    g.catalog_identity = Identity("session", account.role, account.id, account.email)
    return g.catalog_identity


@bp.get("/auth/csrf")
@documented(
    summary="The CSRF token to send with state-changing requests made with a session cookie",
    response=CsrfToken,
    tags=["accounts"],
)
def auth_csrf():
    return envelope({"csrf_token": csrf_token()}), 200, {"Cache-Control": "no-store"}


@bp.post("/auth/signup")
@documented(
    summary="Create an account (role analyst) and sign in",
    body=Credentials,
    response=Me,
    status=201,
    errors=[*BODY_ERRORS, "EMAIL_TAKEN"],
    tags=["accounts"],
)
def auth_signup():
    body = parse_body(Credentials)
    with database().session() as session:
        user = create_user(session, body.email, body.password)
        actor = current_identity().actor()
        audit.record(
            session,
            "auth.signup",
            audit.Actor.of(user, actor.address, actor.request_id),
            target_type="user",
            target_id=user.id,
        )
        signed_in = new_session(session, user)
        session.commit()
    return envelope(me_of(sign_in(signed_in))), 201


@bp.post("/auth/login")
@documented(
    summary="Sign in with email and password: sets the session cookie",
    description="Failed attempts are limited per account and address (`LOGIN_RATE_LIMITED`, with `Retry-After`).",
    body=Credentials,
    response=Me,
    errors=[*BODY_ERRORS, "LOGIN_FAILED", "LOGIN_RATE_LIMITED"],
    tags=["accounts"],
)
def auth_login():
    body = parse_body(Credentials)
    address = request.remote_addr or ""
    throttle = auth_layer().throttle
    retry = throttle.retry_after(address, body.email)
    if retry is not None:
        raise ApiError("LOGIN_RATE_LIMITED", {"retry_after_seconds": retry}, headers={"Retry-After": str(retry)})
    actor = current_identity().actor()
    with database().session() as session:
        user = authenticate(session, body.email, body.password)
        if user is None:
            audit.record(session, "auth.login_failed", actor, email=body.email.strip().lower()[:254])
            session.commit()
            throttle.failed(address, body.email)
            raise ApiError("LOGIN_FAILED")
        audit.record(session, "auth.login", audit.Actor.of(user, actor.address, actor.request_id))
        signed_in = new_session(session, user)
        session.commit()
    return envelope(me_of(sign_in(signed_in)))


@bp.post("/auth/logout")
@documented(
    summary="Sign out: this session, or every session of the account",
    body=SignOut,
    response=Me,
    errors=[*BODY_ERRORS, *SIGNED_IN_ERRORS, "SESSION_REQUIRED"],
    tags=["accounts"],
)
@requires("analyst", session_only=True)
def auth_logout():
    body = parse_body(SignOut) if request.get_data() else SignOut()
    identity = current_identity()
    with database().session() as session:
        if body.everywhere:
            ended = revoke_all_sessions(session, identity.user_id)  # type: ignore[arg-type]
            audit.record(session, "auth.logout_everywhere", identity.actor(), sessions=ended)
        else:
            revoke_session(session, current_user.token)
            audit.record(session, "auth.logout", identity.actor())
        session.commit()
    logout_user()
    cookie_session.clear()
    g.catalog_identity = Identity("anonymous")
    return envelope(me_of(g.catalog_identity))


@bp.post("/auth/token")
@documented(
    summary="Exchange an API key (`Authorization: Bearer KEY`) for a short-lived token",
    description="The token (a JWT) stands for the key for 15 minutes: revoking the key ends it too.",
    response=Token,
    errors=SIGNED_IN_ERRORS,
    tags=["accounts"],
)
def auth_token():
    identity = current_identity()
    if identity.via != "key" or identity.key_id is None or identity.user_id is None:
        raise ApiError("AUTHENTICATION_REQUIRED", headers={"WWW-Authenticate": 'Bearer realm="model-catalog"'})
    token, expires_at = issue_token(auth_layer().secret_key, identity.user_id, identity.key_id)
    with database().session() as session:
        audit.record(session, "auth.token", identity.actor(), target_type="key", target_id=identity.key_id)
        session.commit()
    lifetime = expires_at - int(time.time())
    answer = {"token": token, "token_type": "Bearer", "expires_at": expires_at, "expires_in": lifetime}
    return envelope(answer), 200, {"Cache-Control": "no-store"}


@bp.get("/me")
@documented(
    summary="Who the request is: anonymous, or the account of its session, key or token",
    response=Me,
    tags=["accounts"],
)
def me():
    g.catalog_private = True
    return envelope(me_of(current_identity()))


@bp.get("/me/keys")
@documented(
    summary="Your API keys (never the keys themselves)", response=list[Key], errors=SIGNED_IN_ERRORS, tags=["accounts"]
)
@requires("analyst")
def my_keys():
    with database().session(read_only=True) as session:
        keys = list_keys(session, current_identity().user_id)  # type: ignore[arg-type]
    return envelope([_key(info) for info in keys], count=len(keys))


@bp.post("/me/keys")
@documented(
    summary="Create an API key: the answer shows it this once",
    body=NewKey,
    response=CreatedKey,
    status=201,
    errors=[*BODY_ERRORS, *SIGNED_IN_ERRORS, "SESSION_REQUIRED"],
    tags=["accounts"],
)
@requires("analyst", session_only=True)
def create_my_key():
    body = parse_body(NewKey)
    identity = current_identity()
    with database().session() as session:
        row, key = create_key(session, identity.user_id, body.name)  # type: ignore[arg-type]
        info = KeyInfo.of(row)
        audit.record(session, "key.create", identity.actor(), target_type="key", target_id=row.id, name=row.name)
        session.commit()
    return envelope(_key(info, key=key)), 201


@bp.delete(f"/me/keys/<{ID}:key_id>")
@documented(
    summary="Revoke one of your API keys (it and its tokens stop working at once)",
    response=Key,
    errors=[*SIGNED_IN_ERRORS, "SESSION_REQUIRED", "KEY_NOT_FOUND"],
    tags=["accounts"],
)
@requires("analyst", session_only=True)
def revoke_my_key(key_id: int):
    identity = current_identity()
    with database().session() as session:
        info, revoked_now = revoke_key(session, identity.user_id, key_id)  # type: ignore[arg-type]
        if revoked_now:
            audit.record(session, "key.revoke", identity.actor(), target_type="key", target_id=key_id, name=info.name)
        session.commit()
    return envelope(_key(info))
