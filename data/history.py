"""A model's downloads and likes over time, as the syncs saw them (model_history): the past the
Hub does not keep. A row is written when a sync sees a change; older than data.sync.HISTORY_KEPT,
a row a week is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.catalog import find_model
from data.models import ModelHistory


@dataclass(frozen=True)
class HistoryPoint:
    observed_at: datetime
    downloads: int  # the Hub's count of the 30 days before, as of `observed_at`
    likes: int


@dataclass(frozen=True)
class History:
    id: str
    points: list[HistoryPoint]  # oldest first


def model_history(session: Session, repo_id: str) -> History | None:
    """The model's recorded counts, oldest first; None when there is no such model."""
    model = find_model(session, repo_id)
    if model is None:
        return None
    rows = session.execute(
        select(ModelHistory.observed_at, ModelHistory.downloads, ModelHistory.likes)
        .where(ModelHistory.model_id == model.id)
        .order_by(ModelHistory.observed_at)
    )
    return History(model.repo_id, [HistoryPoint(*row) for row in rows])
