"""GET /api/v1/models/<repo_id>/similar: the models most like one, each with its reasons
(data.similar). Read from the index the last rebuild wrote; nothing is trained here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.docs import documented, parse_query
from app.api.errors import DATABASE_FAILURES, ApiError
from app.api.payload import payload
from data.similar.serve import DEFAULT_LIMIT, MAX_LIMIT, Suggestion, neighbours

NOT_TRAINED = "no similarity trained yet: `catalog similar rebuild` or the next `catalog sync` makes it"


class SimilarParams(BaseModel):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="how many models")


class SimilarMeta(BaseModel):
    id: str = Field(description="the model, as the catalog spells it")
    limit: int
    index: Literal["vector", "table"] | None = Field(
        description="what answered: pgvector's HNSW index or the precomputed top-k table; null before any training"
    )
    trained_at: str | None = Field(description="when the similarity was last trained (ISO 8601)")
    note: str | None = Field(None, description="why the list is empty, when it is for want of training")


@bp.get("/models/<path:repo_id>/similar")
@documented(
    summary="Models like this one, each with why",
    description=(
        "Nearest neighbours by cosine over vectors learned from the catalog itself (TF-IDF of id words, "
        "tags, task, library and card text, reduced by truncated SVD), best first; each says what it "
        "shares with the model (`reasons`: a base model, tags, task, library). An empty list with "
        "`meta.note` until the similarity is first trained."
    ),
    params=SimilarParams,
    response=list[Suggestion],
    meta=SimilarMeta,
    errors=["INVALID_PARAMETER", "MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def similar_models(repo_id: str):
    params = parse_query(SimilarParams)
    with database().session(read_only=True) as session:
        found = neighbours(session, repo_id, params.limit)
    if found is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    meta = SimilarMeta(
        id=found.id,
        limit=params.limit,
        index=found.index,
        trained_at=found.trained_at,
        note=None if found.index else NOT_TRAINED,
    )
    return envelope(payload(found.suggestions), **meta.model_dump())
