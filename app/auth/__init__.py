"""Accounts on the server: session cookies (Flask-Login over revocable server-side sessions),
CSRF, bearer keys and tokens, and the sign-in throttle. `init_auth` wires them in."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin

from app.api.errors import ApiError
from app.auth.csrf import init_csrf
from app.auth.identity import unauthenticated
from app.auth.throttle import LoginThrottle
from app.settings import Settings
from data.accounts.sessions import session_user
from data.accounts.users import Account
from data.db import Database

SESSION_COOKIE = "catalog_session"


class SignedIn(UserMixin):
    """Flask-Login's user: the account, and the session token its cookie holds."""

    def __init__(self, account: Account, token: str):
        self.account, self.token = account, token

    def get_id(self) -> str:
        return self.token


class TlsAwareSessions(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over TLS (directly, or through a
    trusted proxy's X-Forwarded-Proto): behind TLS in production, still usable on plain
    http://127.0.0.1 for a newcomer."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure


@dataclass
class AuthLayer:
    throttle: LoginThrottle
    settings: Settings
    secret_key: str


def init_auth(server: Flask, settings: Settings, secret_key: str, db: Database, throttle: LoginThrottle) -> None:
    server.secret_key = secret_key
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    server.session_interface = TlsAwareSessions()
    manager = LoginManager()
    manager.session_protection = None  # sessions are revoked server-side; an address may change
    manager.user_loader(lambda token: _load(db, token))
    manager.unauthorized_handler(lambda: unauthenticated().response())
    manager.init_app(server)
    server.extensions["catalog_auth"] = AuthLayer(throttle, settings, secret_key)
    init_csrf(server, SESSION_COOKIE)
    server.register_error_handler(ApiError, lambda error: error.response())


def _load(db: Database, token: str) -> SignedIn | None:
    with db.session() as session:
        user = session_user(session, token)
        if user is None:
            return None
        account = Account.of(user)
        session.commit()  # last_seen_at
    return SignedIn(account, token)


def auth_layer() -> AuthLayer:
    from flask import current_app

    return current_app.extensions["catalog_auth"]
