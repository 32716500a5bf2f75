"""Sending saved searches' webhooks (data.accounts.webhooks) over HTTP: after each sync, and on
each look of the jobs worker (so retries go out on their backoff)."""

from __future__ import annotations

import logging

import requests

from app.settings import Settings
from data.accounts import webhooks
from data.db import Database

log = logging.getLogger("catalog.webhooks")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST without following redirects: a redirect could leave the allow-list."""
    try:
        return requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False).status_code
    except requests.RequestException as error:
        raise OSError(str(error)) from error


def dispatch(db: Database, settings: Settings, *, queue: bool = True) -> None:
    """Queue the new matches of each webhook (`queue`), then send what is due. Never raises: a
    webhook's trouble is its delivery log's, not the sync's."""
    try:
        if queue:
            with db.session() as session:
                queued = webhooks.queue_deliveries(session)
                session.commit()
            if queued:
                log.info("webhooks: %d deliveries queued", queued)
        sent = webhooks.deliver_due(db, settings.webhook_hosts, post)
        if any(sent.values()):
            log.info("webhooks: %s", ", ".join(f"{n} {outcome}" for outcome, n in sent.items()))
    except Exception:  # noqa: BLE001  the database went away, say: the next look tries again
        log.exception("webhooks: could not dispatch")
