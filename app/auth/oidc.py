"""Sign-in through an OAuth2/OIDC provider, with authlib's Flask client: the authorization-code
flow with PKCE (S256) and a nonce; the id_token checked against the provider's JWKS, issuer,
our client id, its expiry and the nonce.

The discovery document is read on the first sign-in, never at start: an unreachable provider
must not stop the catalog. authlib keeps a flow's state, nonce and PKCE verifier in the Flask
session (the `catalog_session` cookie: SameSite=Lax still travels on the provider's top-level
redirect back). One flow per browser at a time keeps that cookie small.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response, current_app, request, session
from joserfc.errors import JoseError

from app.api.errors import SIGN_IN_FAILURES
from app.settings import Settings

CLIENT_NAME = "oidc"  # authlib's registry name; its state keys start with "_state_oidc_"
SCOPE = "openid email profile"
PROVIDER_TIMEOUT_SECONDS = 10  # each request to the provider: discovery, JWKS, token, userinfo
EXTENSION = "authlib.integrations.flask_client"  # where authlib's OAuth registers itself
STATE_PREFIX = f"_state_{CLIENT_NAME}_"

PROVIDER_ERRORS = (requests.RequestException, ValueError, RuntimeError, KeyError, OAuthError, JoseError)


class SignInFailed(Exception):
    """A sign-in through the provider that cannot go on: `code` for the page, `reason` for the log."""

    def __init__(self, code: str, reason: str):
        assert code in SIGN_IN_FAILURES
        self.code, self.reason = code, reason
        super().__init__(f"{code}: {reason}")


@dataclass(frozen=True)
class ProviderIdentity:
    issuer: str
    subject: str
    email: str | None  # only when the provider says it is verified


def init_oidc(server: Flask, settings: Settings) -> None:
    """Register the provider's client when CATALOG_OIDC_* are set; nothing is fetched yet."""
    if not settings.oidc_enabled:
        return
    assert settings.oidc_client_secret is not None  # the settings require all three
    logging.getLogger("authlib").setLevel(logging.INFO)  # its DEBUG lines print the PKCE verifier
    OAuth(server).register(
        CLIENT_NAME,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": PROVIDER_TIMEOUT_SECONDS},
    )


def oidc_configured() -> bool:
    return EXTENSION in current_app.extensions


def start_sign_in(redirect_uri: str) -> Response:
    """The redirect to the provider's authorization endpoint (a new state, nonce and verifier)."""
    _forget_flows()
    client = _client()
    try:
        _metadata(client)
        return client.authorize_redirect(redirect_uri)
    except PROVIDER_ERRORS as error:
        raise SignInFailed("OIDC_PROVIDER_FAILED", f"discovery: {_describe(error)}") from None


def finish_sign_in() -> ProviderIdentity:
    """The identity the provider's answer on the callback vouches for, all of it checked."""
    if request.args.get("error"):
        _forget_flows()
        denied = f"{request.args['error'][:100]}: {request.args.get('error_description', '')[:200]}"
        raise SignInFailed("OIDC_DENIED", f"the provider answered {denied}")
    client = _client()
    try:
        issuer = _metadata(client)["issuer"]
        options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client.client_id}}
        token = client.authorize_access_token(claims_options=options)
    except MismatchingStateError:
        raise SignInFailed("OIDC_SIGN_IN_EXPIRED", "no sign-in of this browser has that state") from None
    except PROVIDER_ERRORS as error:
        raise SignInFailed("OIDC_PROVIDER_FAILED", _describe(error)) from None
    finally:
        _forget_flows()
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed("OIDC_PROVIDER_FAILED", "the token answer held no id_token")
    email, verified = claims.get("email"), claims.get("email_verified")
    if email is None or verified is None:
        email, verified = _userinfo_email(client, token, claims["sub"])
    verified = verified is True or verified == "true"  # some providers send the string
    return ProviderIdentity(claims["iss"], claims["sub"], email if verified and isinstance(email, str) else None)


def _client():
    return current_app.extensions[EXTENSION].create_client(CLIENT_NAME)


def _metadata(client) -> dict:
    """The discovery document (authlib caches it once read), checked to be our issuer's."""
    metadata = client.load_server_metadata()
    configured = current_app.config["CATALOG_SETTINGS"].oidc_issuer
    named = str(metadata.get("issuer", ""))
    if named.rstrip("/") != configured:
        raise RuntimeError(f"the discovery document names issuer {named[:200]!r}, not {configured!r}")
    return metadata


def _userinfo_email(client, token: dict, subject: str) -> tuple[object, object]:
    """Email and email_verified from the userinfo endpoint, for providers that leave either out
    of the id_token; only when userinfo speaks of the same subject (OIDC Core 5.3.2)."""
    try:
        info = client.userinfo(token=token)
    except PROVIDER_ERRORS as error:
        raise SignInFailed("OIDC_PROVIDER_FAILED", f"userinfo: {_describe(error)}") from None
    if info.get("sub") != subject:
        raise SignInFailed("OIDC_PROVIDER_FAILED", "userinfo is about another subject than the id_token")
    return info.get("email"), info.get("email_verified")


def _forget_flows() -> None:
    for key in [key for key in session if key.startswith(STATE_PREFIX)]:
        session.pop(key)


def _describe(error: Exception) -> str:
    """What went wrong, for the log: the error's kind and text, never a token (none is in either)."""
    if isinstance(error, OAuthError):
        return f"{error.error}: {error.description or ''}"[:300]
    return f"{type(error).__name__}: {error}"[:300]
