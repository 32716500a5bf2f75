"""Whole-catalog counts behind the analytics charts: per month and task, per month and relation,
per order of magnitude of downloads; and family sizes, ranked.

Grouping all models by month and task scans the table (~600 ms at 760,000 models), edges by
their derivative's month ~300 ms, downloads by magnitude ~100 ms; these views answer the
unfiltered charts in a millisecond or two (filtered ones count or sample the matches instead,
see data/analytics.py). The largest families among a broad result took ~100 ms (summing
lineage_counts per ancestor, then looking up every ancestor's model); with the sizes summed
and indexed by size, PostgreSQL walks families from the largest and stops at the first 15
that match. All are refreshed (concurrently) after each changing ingest.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 15:30:00

Views:
- monthly_task_counts (month, pipeline_tag, models): models created per UTC month ('YYYY-MM')
  and task; models without a task form their own row (pipeline_tag NULL); undated models are
  left out.
- monthly_edge_counts (month, relation_type, edges): lineage edges by the UTC month their
  derivative was created; edges of undated derivatives are left out.
- downloads_magnitude_counts (digits, models): models by the number of digits of their
  downloads, 0 for no downloads (digits d: downloads from 10^(d-1) to 10^d - 1).
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONTH = "to_char(date_trunc('month', {0} AT TIME ZONE 'UTC'), 'YYYY-MM')"

VIEWS = {
    "monthly_task_counts": f"""
        SELECT {MONTH.format("created_at")} AS month, pipeline_tag, count(*) AS models
        FROM models WHERE created_at IS NOT NULL
        GROUP BY date_trunc('month', created_at AT TIME ZONE 'UTC'), pipeline_tag""",
    "monthly_edge_counts": f"""
        SELECT {MONTH.format("m.created_at")} AS month, r.relation_type, count(*) AS edges
        FROM base_model_relations r JOIN models m ON m.id = r.model_id
        WHERE m.created_at IS NOT NULL
        GROUP BY date_trunc('month', m.created_at AT TIME ZONE 'UTC'), r.relation_type""",
    "downloads_magnitude_counts": """
        SELECT CASE WHEN downloads = 0 THEN 0 ELSE length(downloads::text) END AS digits,
               count(*) AS models
        FROM models GROUP BY 1""",
    "family_sizes": """
        SELECT ancestor, sum(descendants)::integer AS total,
               (coalesce(sum(descendants) FILTER (WHERE relation_type = 'finetune'), 0))::integer AS finetune,
               (coalesce(sum(descendants) FILTER (WHERE relation_type = 'adapter'), 0))::integer AS adapter,
               (coalesce(sum(descendants) FILTER (WHERE relation_type = 'quantized'), 0))::integer AS quantized,
               (coalesce(sum(descendants) FILTER (WHERE relation_type = 'merge'), 0))::integer AS merge
        FROM lineage_counts GROUP BY ancestor""",
}
# One per view, as REFRESH … CONCURRENTLY requires; NULLS NOT DISTINCT so that the "no task"
# row of a month is matched, not deleted and inserted again, by each concurrent refresh.
UNIQUE_KEYS = {
    "monthly_task_counts": "(month, pipeline_tag) NULLS NOT DISTINCT",
    "monthly_edge_counts": "(month, relation_type)",
    "downloads_magnitude_counts": "(digits)",
    "family_sizes": "(ancestor)",
}


def upgrade() -> None:
    for view, query in VIEWS.items():
        op.execute(f"CREATE MATERIALIZED VIEW {view} AS {query}")
        op.execute(f"CREATE UNIQUE INDEX ux_{view}_key ON {view} {UNIQUE_KEYS[view]}")
    op.execute("CREATE INDEX ix_family_sizes_largest ON family_sizes (total DESC, ancestor)")
    op.execute("ANALYZE family_sizes")  # the planner chooses to walk it by size from its statistics


def downgrade() -> None:
    for view in reversed(VIEWS):
        op.execute(f"DROP MATERIALIZED VIEW {view}")
