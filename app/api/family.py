"""A model's family under /api/v1/models/<repo_id>/lineage: its growth and its model tree
(data.family), the same answers the model page's Family tab draws; and its own history."""

from __future__ import annotations

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.errors import DATABASE_FAILURES, ApiError
from app.api.payload import payload
from data import family
from data.history import History, model_history
from data.sync import HISTORY_KEPT


@bp.get("/models/<path:repo_id>/lineage/timeline")
@documented(
    summary="A model's family growth: new descendants per month, by relation",
    description=(
        "Descendants at any depth, each in the UTC month it was created and under the relation of the "
        "edge into it on a shortest path; months gapless from the family's first to the catalog's newest. "
        "`undated`: descendants without a creation date."
    ),
    response=family.Timeline,
    errors=["MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def model_lineage_timeline(repo_id: str):
    with database().session(read_only=True) as session:
        found = family.timeline(session, repo_id)
    if found is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    return envelope(payload(found))


@bp.get("/models/<path:repo_id>/lineage/tree")
@documented(
    summary="A model's tree: its family counted by relation, its top derivatives and authors",
    description="Counts of direct derivatives and of descendants at any depth; the most downloaded "
    "descendants and the authors with the most descendants.",
    response=family.ModelTree,
    errors=["MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def model_lineage_tree(repo_id: str):
    with database().session(read_only=True) as session:
        found = family.model_tree(session, repo_id)
    if found is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    return envelope(payload(found))


@bp.get("/models/<path:repo_id>/history")
@documented(
    summary="A model's downloads and likes over time, as the syncs recorded them",
    description=(
        "A point each time a sync saw the counts change, oldest first; older than "
        f"{HISTORY_KEPT.days} days, the last point of each UTC week. `downloads` is the Hub's count of "
        "the 30 days before the point. Empty until `catalog sync` has run."
    ),
    response=History,
    errors=["MODEL_NOT_FOUND", *DATABASE_FAILURES],
    tags=["models"],
)
def model_history_route(repo_id: str):
    with database().session(read_only=True) as session:
        found = model_history(session, repo_id)
    if found is None:
        raise ApiError("MODEL_NOT_FOUND", {"id": repo_id})
    return envelope(payload(found), count=len(found.points))
