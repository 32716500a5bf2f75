"""Route handlers."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from app.api import bp, database, envelope
from app.api.errors import error_response
from data import catalog


@bp.get("/health")
def health():
    try:
        database().ping()
    except OperationalError:
        return error_response(
            503, "DATABASE_UNAVAILABLE", "The database is unreachable.", {"database": "unreachable"}
        )
    return envelope({"status": "ok", "database": "ok"})
