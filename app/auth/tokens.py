"""Short-lived JWTs (PyJWT, HS256) that stand for an API key, for browser clients that should
not hold the key itself. Each names its key: a revoked key's tokens stop working at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import jwt

TOKEN_LIFETIME_SECONDS = 900
ISSUER = "model-catalog"
AUDIENCE = "model-catalog-api"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    key_id: int
    expires_at: int


class TokenRejected(Exception):
    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


def _signing_key(secret_key: str) -> bytes:
    # A key of its own, derived: a token can never pass for a session cookie, nor the reverse.
    return hmac.new(secret_key.encode(), b"catalog api tokens", hashlib.sha256).digest()


def looks_like_token(credential: str) -> bool:
    return credential.count(".") == 2


def issue_token(
    secret_key: str, user_id: int, key_id: int, *, lifetime: int = TOKEN_LIFETIME_SECONDS
) -> tuple[str, int]:
    """(the token, its expiry in Unix seconds)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "key": key_id,
        "iat": now,
        "exp": now + lifetime,
        "jti": secrets.token_urlsafe(12),
    }
    return jwt.encode(claims, _signing_key(secret_key), algorithm=ALGORITHM), now + lifetime


def read_token(secret_key: str, token: str) -> TokenClaims:
    try:
        claims = jwt.decode(
            token,
            _signing_key(secret_key),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
        return TokenClaims(int(claims["sub"]), int(claims["key"]), int(claims["exp"]))
    except jwt.ExpiredSignatureError:
        raise TokenRejected("TOKEN_EXPIRED") from None
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        raise TokenRejected("INVALID_CREDENTIALS") from None
