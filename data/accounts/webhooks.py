"""Webhooks of saved searches: after each sync, a JSON POST of the matches that arrived since the
last one, signed with HMAC-SHA256 under the search's secret, retried with backoff, every attempt
in a delivery log its owner reads. Only hosts on the allow-list (CATALOG_WEBHOOK_HOSTS) are ever
called: a URL elsewhere is refused when set, and again when sent (the list may have changed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.accounts.searches import own_search
from data.accounts.tables import SavedSearch, WebhookDelivery
from data.accounts.users import AccountError
from data.arrivals import count_matches, high_point, newest_matches
from data.catalog import ModelSummary
from data.db import Database

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Catalog-Signature"  # "sha256=" + the hex HMAC-SHA256 of the body under the secret
DELIVERY_HEADER = "X-Catalog-Delivery"  # the delivery's id: the same on each retry
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)  # then doubled: 30 s, 1, 2, 4, 8 minutes
TIMEOUT_SECONDS = 5.0
MODELS_PER_DELIVERY = 100  # the newest; `new_count` says how many arrived
MAX_URL_LENGTH = 2_000
DELIVERIES_LISTED = 50

# (url, body, headers, timeout) -> the answer's status code; raises OSError when nothing answers.
Post = Callable[[str, bytes, dict[str, str], float], int]


@dataclass(frozen=True)
class DeliveryInfo:
    id: int
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    new_count: int


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: object, allowed_hosts: Sequence[str]) -> str:
    """The URL if a webhook may call it: http(s), no credentials in it, its host (or host:port)
    on the allow-list; else an error that says which."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or any(c in url for c in "\x00\r\n "):
        raise AccountError("INVALID_FIELD", "webhook_url", f"an http(s) URL of at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AccountError("INVALID_FIELD", "webhook_url", "not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise AccountError("INVALID_FIELD", "webhook_url", "an http:// or https:// URL without credentials")
    host = parts.hostname.lower()
    if host not in allowed_hosts and f"{host}:{port}" not in allowed_hosts:
        listed = ", ".join(allowed_hosts) or "none"
        raise AccountError("INVALID_FIELD", "webhook_url", f"{host} is not on CATALOG_WEBHOOK_HOSTS ({listed})")
    return url


def set_webhook(session: Session, user_id: int, search_id: int, url: str | None, allowed: Sequence[str]) -> SavedSearch:
    """Point the search's webhook at `url` (None: no webhook). What matches now is not sent."""
    row = own_search(session, user_id, search_id)
    if url is None:
        row.webhook_url = row.webhook_secret = None
    else:
        row.webhook_url = check_url(url, allowed)
        row.webhook_secret = row.webhook_secret or secrets.token_urlsafe(32)
        row.webhook_up_to = high_point(session)
    session.flush()
    return row


def queue_deliveries(session: Session) -> int:
    """A delivery for each webhook whose search has new matches since the last; how many."""
    top, queued = high_point(session), 0
    for row in session.scalars(select(SavedSearch).where(SavedSearch.webhook_url.isnot(None)).with_for_update()):
        found = newest_matches(session, row.query, MODELS_PER_DELIVERY + 1, after=row.webhook_up_to, up_to=top)
        if found:
            count = (
                count_matches(session, row.query, row.webhook_up_to, top)
                if len(found) > MODELS_PER_DELIVERY
                else len(found)
            )
            body = _body(row, found[:MODELS_PER_DELIVERY], count)
            session.add(WebhookDelivery(search_id=row.id, url=row.webhook_url, body=body))
            queued += 1
        row.webhook_up_to = top
    session.flush()
    return queued


def deliver_due(db: Database, allowed: Sequence[str], post: Post, now: datetime | None = None) -> dict[str, int]:
    """Send every pending delivery that is due, each in its own transaction; counts by outcome."""
    outcomes = {"delivered": 0, "retry": 0, "failed": 0}
    while True:
        with db.session() as session:
            due = session.scalars(
                select(WebhookDelivery)
                .where(
                    WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= (now or datetime.now(UTC))
                )
                .order_by(WebhookDelivery.id)
                .limit(1)
                .with_for_update(skip_locked=True)  # several workers share the queue
            ).first()
            if due is None:
                return outcomes
            outcomes[_attempt(session, due, allowed, post, now or datetime.now(UTC))] += 1
            session.commit()


def list_deliveries(session: Session, user_id: int, search_id: int) -> list[DeliveryInfo]:
    row = own_search(session, user_id, search_id)
    rows = session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.search_id == row.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(DELIVERIES_LISTED)
    )
    return [
        DeliveryInfo(
            d.id,
            d.status,
            d.attempts,
            d.last_status_code,
            d.last_error,
            d.created_at,
            d.delivered_at,
            d.next_attempt_at if d.status == "pending" else None,
            json.loads(d.body)["new_count"],
        )
        for d in rows
    ]


def _attempt(session: Session, delivery: WebhookDelivery, allowed: Sequence[str], post: Post, now: datetime) -> str:
    search = session.get(SavedSearch, delivery.search_id)
    secret = search.webhook_secret if search else None
    delivery.attempts += 1
    try:
        check_url(delivery.url, allowed)
    except AccountError as refused:
        return _finish(delivery, "failed", error=refused.reason)  # never sent
    if secret is None:
        return _finish(delivery, "failed", error="the webhook was removed")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, body),
        DELIVERY_HEADER: str(delivery.id),
    }
    try:
        status = post(delivery.url, body, headers, TIMEOUT_SECONDS)
    except OSError as error:
        return _retry_or_fail(delivery, now, error=f"{type(error).__name__}: {error}"[:500])
    delivery.last_status_code = status
    if 200 <= status < 300:
        delivery.delivered_at = now
        return _finish(delivery, "delivered")
    return _retry_or_fail(delivery, now, error=f"answered {status}")


def _retry_or_fail(delivery: WebhookDelivery, now: datetime, error: str) -> str:
    delivery.last_error = error
    if delivery.attempts >= MAX_ATTEMPTS:
        return _finish(delivery, "failed", error=error)
    delivery.next_attempt_at = now + FIRST_RETRY * 2 ** (delivery.attempts - 1)
    return "retry"


def _finish(delivery: WebhookDelivery, status: str, error: str | None = None) -> str:
    delivery.status, delivery.next_attempt_at = status, None
    if error is not None:
        delivery.last_error = error
    log.log(logging.INFO if status == "delivered" else logging.WARNING, "webhook delivery %s %s", delivery.id, status)
    return status


def _body(row: SavedSearch, models: list[ModelSummary], count: int) -> str:
    return json.dumps(
        {
            "search": {"id": row.id, "name": row.name, "query": row.query},
            "new_count": count,
            "models": [_model(m) for m in models],
        },
        separators=(",", ":"),
    )


def _model(model: ModelSummary) -> dict:
    created = model.created_at.isoformat() if model.created_at else None
    facts = {"author": model.author, "pipeline_tag": model.pipeline_tag, "library_name": model.library_name}
    return {"id": model.repo_id, **facts, "downloads": model.downloads, "likes": model.likes, "created_at": created}
