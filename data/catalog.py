"""Read queries over the catalog, shared by the API and the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.ingest.state import is_synthetic
from data.models import Model


@dataclass(frozen=True)
class ModelSummary:
    repo_id: str
    author: str
    pipeline_tag: str | None
    library_name: str | None
    downloads: int
    likes: int
    created_at: datetime | None
    derivative_count: int

    def as_dict(self) -> dict:
        return asdict(self)


SUMMARY_COLUMNS = (
    Model.repo_id, Model.author, Model.pipeline_tag, Model.library_name,
    Model.downloads, Model.likes, Model.created_at, Model.derivative_count,
)


def top_models(session: Session, limit: int = 20) -> list[ModelSummary]:
    rows = session.execute(
        select(*SUMMARY_COLUMNS).order_by(Model.downloads.desc(), Model.id.desc()).limit(limit)
    )
    return [ModelSummary(*row) for row in rows]


def holds_synthetic_sample(session: Session) -> bool:
    """Whether the catalog holds the generated demo sample rather than the Hub's models."""
    return is_synthetic(session)
