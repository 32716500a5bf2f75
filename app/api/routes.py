"""Route handlers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy.exc import OperationalError

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.errors import error_response


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@bp.get("/health")
@documented(
    summary="Whether the API and its database answer",
    description="Never cached nor rate limited; 503 when the database is unreachable.",
    response=Health,
    errors=[503],
    tags=["service"],
)
def health():
    try:
        database().ping()
    except OperationalError:
        return error_response(
            503, "DATABASE_UNAVAILABLE", "The database is unreachable.", {"database": "unreachable"}
        )
    return envelope({"status": "ok", "database": "ok"})
