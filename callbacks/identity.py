"""Who the dashboard is showing a page to, read inside the request that builds it (a page load
or a callback): plain values for the components, which know nothing of Flask."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from data.accounts.audit import Actor
from data.accounts.users import Account


def signed_in() -> Account | None:
    """The signed-in account (its session live, re-read this request), or None; None outside a
    request too, where Dash builds its validation layout."""
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.account


def actor(account: Account) -> Actor:
    """The audit log's actor for what `account` does in this request (app.logs sets the id)."""
    return Actor(account.id, account.email, request.remote_addr, g.get("request_id"))


def oidc_label() -> str | None:
    """The single sign-on provider's name for its button, or None when none is configured."""
    settings = current_app.config.get("CATALOG_SETTINGS")
    if settings is None or not settings.oidc_enabled:
        return None
    return settings.oidc_name or urlsplit(settings.oidc_issuer).hostname or settings.oidc_issuer
