"""Statistics of the catalog, or of any search result (the same filters as search)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.counting import DIMENSIONS, Counts, catalog_totals, count_values
from data.query import SearchQuery
from data.search import expected_matches, filters
from data.vocabulary import LINEAGES

__all__ = ["DIMENSIONS", "Counts", "dimension", "totals"]
TOP = 50


def totals(session: Session) -> dict:
    found = catalog_totals(session)
    models, edges = found["total"].get("models", 0), found["relation_type"]
    return {
        "models": models,
        "authors": found["total"].get("authors", 0),
        "lineage_edges": sum(edges.values()),
        "lineage_edges_by_type": edges,
        "lineage_edges_by_lineage": edges_by_lineage(session),
        "share_with_base_model": round(found["total"].get("with_base_model", 0) / models, 4) if models else 0.0,
    }


def edges_by_lineage(session: Session) -> dict[str, dict[str, int]]:
    """Lineage edges declared by their derivative's author (typed tag, card data) and inferred
    (an untyped tag), by relation type; from the lineage_edge_counts view (migration 0013)."""
    found: dict[str, dict[str, int]] = {lineage: {} for lineage in LINEAGES}
    rows = session.execute(text("SELECT relation_type, declared, edges FROM lineage_edge_counts"))
    for relation_type, declared, edges in rows:
        found["declared" if declared else "inferred"][relation_type] = edges
    return found


def dimension(session: Session, name: str, query: SearchQuery, limit: int = TOP) -> Counts:
    """Counts by `name` over the models `query` selects, largest first (months in order);
    estimated from a sample when the result is large (`Counts.exact` is then false)."""
    conditions = filters(query)
    return count_values(session, name, conditions, limit, expected_matches(session, conditions))
