"""/api/v1/live: the catalog's latest change, polled or pushed (Server-Sent Events). Browsers
recount what is new for them from its `high_point` (data.arrivals)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response, current_app

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.errors import DATABASE_FAILURES, ApiError
from app.live import LiveHub
from components import routes
from data.live import POLL_SECONDS, Change, current

BUSY_RETRY_SECONDS = 30
TAGS = ["live updates"]


def hub() -> LiveHub:
    return current_app.extensions["catalog_live"]


def now() -> Change:
    with database().session(read_only=True) as session:
        return current(session)


@bp.get("/live")
@documented(
    summary="The catalog's latest change: its highest model row id and data version",
    description=f"What a client without the stream polls (browsers every {POLL_SECONDS} s): models "
    "with a row id above a `high_point` it saw arrived since. Never cached.",
    response=Change,
    errors=DATABASE_FAILURES,
    tags=TAGS,
)
def live_state():
    return envelope(asdict(now()), stream=routes.API_LIVE_STREAM, poll_seconds=POLL_SECONDS)


@bp.get("/live/stream")
@documented(
    summary="The catalog's changes as they happen (Server-Sent Events)",
    description="`hello` with the catalog as it is, then a `change` after each ingestion batch "
    "that changed data (at most one a second), `: keepalive` comments in between. A stream ends "
    "after a few minutes and the client reconnects (`retry:`). When the server keeps no more "
    f"streams open it answers 503 LIVE_STREAM_UNAVAILABLE: poll {routes.API_LIVE} instead.",
    other_formats={"text/event-stream": "events whose data is the change, as JSON"},
    errors=["LIVE_STREAM_UNAVAILABLE", *DATABASE_FAILURES],
    tags=TAGS,
)
def live_stream():
    stream = hub().open_stream(now())
    if stream is None:
        raise ApiError(
            "LIVE_STREAM_UNAVAILABLE", {"poll": routes.API_LIVE}, headers={"Retry-After": str(BUSY_RETRY_SECONDS)}
        )
    response = Response(stream, mimetype="text/event-stream")
    response.direct_passthrough = True  # streamed: no ETag, no compression of the whole body
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx passes each event on as it comes
    return response
