"""GET /api/v1/models/<repo_id>/ancestry: a model's lineage graph (data.lineage.ancestry)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.api import bp, database, envelope
from app.api.docs import documented, parse_query
from app.api.errors import DATABASE_FAILURES, ApiError
from app.api.payload import payload
from data.lineage import DEFAULT_LIMIT, MAX_DEPTH, MAX_LIMIT, ancestry
from data.vocabulary import RELATION_TYPES

GRAPH_FIELDS = ("root", "nodes", "edges")  # of data.lineage.Ancestry, the answer's data


class AncestryParams(BaseModel):
    direction: Literal["both", "up", "down"] = Field("both", description="Ancestors (up), descendants (down) or both.")
    depth: int = Field(MAX_DEPTH, ge=1, le=MAX_DEPTH, description="Levels to follow each way.")
    # Names are checked by data.lineage, so that an unknown one is reported as `relation`.
    relation: list[str] = Field(
        default_factory=list,
        description=f"Descendants of these relation types only (repeatable): {', '.join(RELATION_TYPES)}.",
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most descendants returned, the most-downloaded first."
    )


# Only paths ending in /ancestry: `/models/<path:repo_id>` alone is the model detail.
@bp.get("/models/<path:repo_id>/ancestry")
@documented(
    summary="A model's lineage: every ancestor and its most-downloaded descendants",
    description="Nodes and edges of the graph; meta counts the whole family exactly.",
    params=AncestryParams,
    errors=["INVALID_PARAMETER", "MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def model_ancestry(repo_id: str):
    params = parse_query(AncestryParams)
    with database().session(read_only=True) as session:  # a QueryError is the blueprint's 400
        found = ancestry(
            session,
            repo_id,
            direction=params.direction,
            depth=params.depth,
            relation=params.relation or None,
            limit=params.limit,
        )
    if found is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    fields = payload(found)
    return envelope({name: fields.pop(name) for name in GRAPH_FIELDS}, **fields)  # the counts are meta
