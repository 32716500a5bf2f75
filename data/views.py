"""Materialized views derived from the whole catalog, refreshed after it changes."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.lineage import refresh_lineage

# Migrations 0003 (facet_counts), 0005 (the analytics charts' counts), 0013 (edges by lineage),
# 0015 (size_quant_counts), 0020 (quality_counts).
SUMMARY_VIEWS = (
    "author_stats",
    "facet_counts",
    "size_quant_counts",
    "quality_counts",
    "monthly_task_counts",
    "monthly_edge_counts",
    "downloads_magnitude_counts",
    "lineage_edge_counts",
)
# Drawn from lineage_counts and lineage_closure: refreshed after them (0005, 0013).
LINEAGE_SUMMARY_VIEWS = ("family_sizes", "family_months", "family_authors", "family_growth")


def refresh_views(session: Session, *, concurrently: bool = True) -> None:
    """Recompute every view; concurrently (the default) readers are never blocked."""
    how = "CONCURRENTLY " if concurrently else ""
    for view in SUMMARY_VIEWS:
        session.execute(text(f"REFRESH MATERIALIZED VIEW {how}{view}"))
    refresh_lineage(session, concurrently=concurrently)
    for view in LINEAGE_SUMMARY_VIEWS:
        session.execute(text(f"REFRESH MATERIALIZED VIEW {how}{view}"))
        session.execute(text(f"ANALYZE {view}"))  # family_sizes, family_growth: walked by their statistics
