"""Sign-in through the OIDC provider: two browser navigations, not JSON calls.

GET /auth/oidc/login?next=/path → 302 to the provider; GET /auth/oidc/callback (the provider
sends the browser back) → the session cookie and 302 to `next` (else /account).

Answers: what is wrong with the request itself is refused in the envelope before the browser
leaves the site (404 OIDC_NOT_CONFIGURED; 400 INVALID_PARAMETER for a `next` that is not a path
of this site: no open redirect). Whatever goes wrong once signing in is under way (the provider
unreachable, a denial, a stale state, an id_token that fails its checks, no verified email, a
disabled account) ends on /login?error=CODE&next=…, CODE one of app.api.errors.SIGN_IN_FAILURES,
whose message the login page shows; the reason goes to the log and the audit log.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import g, redirect, request, url_for
from flask import session as cookie_session
from werkzeug.wrappers import Response

from app.api import bp, database
from app.api.accounts import new_session, sign_in
from app.api.errors import ApiError, invalid_parameter
from app.auth import SignedIn, auth_layer
from app.auth.identity import current_identity
from app.auth.oidc import ProviderIdentity, SignInFailed, finish_sign_in, oidc_configured, start_sign_in
from components.routes import ACCOUNT, LOGIN, local_path
from data.accounts import audit
from data.accounts.users import AccountError, user_for_identity

NEXT_KEY = "catalog_oidc_next"  # in the Flask session, from the login to its callback
log = logging.getLogger(__name__)


@bp.get("/auth/oidc/login")
def oidc_login():
    _refuse_unless_configured()
    next_path = local_path(request.args.get("next", ACCOUNT), default="")
    if not next_path:
        raise invalid_parameter("next", "must be a path on this site, such as /account")
    cookie_session[NEXT_KEY] = next_path
    try:
        return start_sign_in(url_for("api.oidc_callback", _external=True))
    except SignInFailed as failure:
        return _failed(failure, next_path)


@bp.get("/auth/oidc/callback")
def oidc_callback():
    _refuse_unless_configured()
    next_path = local_path(cookie_session.pop(NEXT_KEY, ACCOUNT))
    try:
        signed_in = _signed_in_as(finish_sign_in())
    except SignInFailed as failure:
        return _failed(failure, next_path)
    sign_in(signed_in)
    return redirect(next_path)


def _refuse_unless_configured() -> None:
    g.catalog_private = True  # a sign-in's answers are never cached
    if not oidc_configured():
        raise ApiError("OIDC_NOT_CONFIGURED")


def _signed_in_as(identity: ProviderIdentity) -> SignedIn:
    """The account the identity signs in as (made or linked on first sign-in), and its new
    session; the sign-in's audit row in the same transaction."""
    actor = current_identity().actor()
    with database().session() as session:
        try:
            user, created = user_for_identity(session, identity.issuer, identity.subject, identity.email)
        except AccountError as error:
            code = "OIDC_EMAIL_UNVERIFIED" if identity.email is None else "OIDC_PROVIDER_FAILED"
            raise SignInFailed(code, f"{error.field} {error.reason}") from None
        if user.disabled_at is not None:
            raise SignInFailed("ACCOUNT_DISABLED", f"user {user.id} is disabled")
        user.last_login_at = datetime.now(UTC)
        by = audit.Actor.of(user, actor.address, actor.request_id)
        audit.record(
            session,
            "auth.oidc_login",
            by,
            target_type="user",
            target_id=user.id,
            issuer=identity.issuer,
            created=created,
        )
        signed_in = new_session(session, user)
        session.commit()
    return signed_in


def _failed(failure: SignInFailed, next_path: str) -> Response:
    log.warning("OIDC sign-in refused: %s (%s)", failure.code, failure.reason)
    with database().session() as session:
        issuer = auth_layer().settings.oidc_issuer
        actor = current_identity().actor()
        audit.record(session, "auth.oidc_failed", actor, issuer=issuer, code=failure.code, reason=failure.reason)
        session.commit()
    return redirect(f"{LOGIN}?{urlencode({'error': failure.code, 'next': next_path})}")
