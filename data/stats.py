"""Statistics of the catalog, or of any search result (the same filters as search)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from data.models import BaseModelRelation, Model, ModelTag
from data.query import SearchQuery
from data.search import filters

DIMENSIONS = ("pipeline_tag", "library", "license", "language", "author", "relation_type", "created_month")
TOP = 50


def totals(session: Session) -> dict:
    models, with_base = session.execute(
        select(func.count(), func.count().filter(Model.has_base_model))
    ).one()
    authors = session.execute(text("SELECT count(*) FROM author_stats")).scalar_one()
    edges = dict(session.execute(
        select(BaseModelRelation.relation_type, func.count()).group_by(BaseModelRelation.relation_type)
    ).all())
    return {
        "models": models,
        "authors": authors,
        "lineage_edges": sum(edges.values()),
        "lineage_edges_by_type": edges,
        "share_with_base_model": round(with_base / models, 4) if models else 0.0,
    }


def dimension(session: Session, name: str, query: SearchQuery, limit: int = TOP) -> list[dict]:
    """Counts by `name` over the models `query` selects, largest first (months in order)."""
    matches = select(Model.id, Model.pipeline_tag, Model.library_name, Model.license,
                     Model.author, Model.created_at).where(*filters(session, query)).subquery()
    if name == "language":
        value = ModelTag.tag
        statement = select(value, func.count()).select_from(matches).join(
            ModelTag, (ModelTag.model_id == matches.c.id) & (ModelTag.tag_type == "language"))
    elif name == "relation_type":
        value = BaseModelRelation.relation_type
        statement = select(value, func.count()).select_from(matches).join(
            BaseModelRelation, BaseModelRelation.model_id == matches.c.id)
    elif name == "created_month":
        value = func.to_char(func.date_trunc("month", matches.c.created_at), "YYYY-MM")
        statement = select(value, func.count()).select_from(matches).where(matches.c.created_at.isnot(None))
        rows = session.execute(statement.group_by(value).order_by(value))
        return [{"value": v, "count": n} for v, n in rows]
    else:
        column = {"pipeline_tag": "pipeline_tag", "library": "library_name", "license": "license",
                  "author": "author"}[name]
        value = matches.c[column]
        statement = select(value, func.count()).select_from(matches).where(value.isnot(None))
    rows = session.execute(statement.group_by(value).order_by(func.count().desc(), value).limit(limit))
    return [{"value": v, "count": n} for v, n in rows]
