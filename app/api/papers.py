"""GET /api/v1/papers/<id>: the models citing an arXiv paper, grouped by family (data.papers)."""

from __future__ import annotations

from app.api import bp, database, envelope
from app.api.docs import documented
from app.api.errors import DATABASE_FAILURES, ApiError, invalid_parameter
from app.api.payload import payload
from components import routes
from data.arxiv import arxiv_id
from data.papers import FAMILIES_SHOWN, MEMBERS_SHOWN, paper
from data.query import SearchQuery


# <path:…>: old-style ids hold a "/" (hep-th/9901001).
@bp.get("/papers/<path:paper_id>")
@documented(
    summary="An arXiv paper's models, grouped by family",
    description=(
        "The models citing the paper (their `arxiv:` tag), grouped by family (a model's top-most "
        f"ancestor, or itself): the {FAMILIES_SHOWN} largest families, each with its count and its "
        f"{MEMBERS_SHOWN} most-downloaded models. The id in any spelling: 2106.09685, "
        "arxiv:2106.09685v2, hep-th/9901001. The same models as `/models?arxiv=ID`."
    ),
    errors=["INVALID_PARAMETER", "PAPER_NOT_FOUND", *DATABASE_FAILURES],
    tags=["papers"],
)
def paper_models(paper_id: str):
    try:
        canonical = arxiv_id(paper_id)
    except ValueError as error:
        raise invalid_parameter("id", str(error)) from None
    with database().session(read_only=True) as session:
        found = paper(session, canonical)
    if found is None:
        raise ApiError("PAPER_NOT_FOUND", {"id": canonical})
    return envelope(payload(found), search=routes.api_models_href(SearchQuery(arxiv=[canonical])))
