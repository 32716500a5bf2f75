"""Family growth: a family's derivatives by month, its authors, its recent growth; edges by lineage.

Each answers from a few indexed rows what would otherwise join a whole family to `models`: on
the 760,000 real models the largest family (Mistral-7B-v0.1, 5,194 descendants) took 30 ms for
its months and 17 ms for its authors, the largest of the 3,000,000 synthetic ones (Qwen2.5-7B,
430,334) 6.8 s and 4.5 s; ranking every family by its last 90 days took 400 ms at 760,000
(173,000 recent models joined to the closure). From the views: 2-6 ms each at 760,000
(bench/family.py). Their price is the refresh, after the closure's, as family_sizes is
(data/views.py): about 1.4, 1.3 and 0.7 s at 760,000 (28,000, 56,000 and 7,000 rows); at
3,000,000 their queries alone take 35, 31 and 13 s (990,000, 3.6 million and 265,000 rows).

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-02 17:00:00

Views (ancestor: models.id of the family's root; descendants at any depth, from lineage_closure,
each counted once under the relation of the edge into it on a shortest path):
- family_months (ancestor, month, relation_type, descendants): by the UTC month ('YYYY-MM') the
  descendant was created; undated descendants are left out.
- family_authors (ancestor, author, descendants).
- family_growth (ancestor, recent, finetune, adapter, quantized, merge, window_start,
  window_end): descendants created in the last 90 UTC days of the data, the window ending on
  the day of the newest created_at in the catalog (not today: a snapshot does not age); only
  families that grew in it.
- lineage_edge_counts (relation_type, declared, edges): base_model_relations by relation type
  and whether its author declared the edge.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

WINDOW_DAYS = 90

VIEWS = {
    "family_months": """
        SELECT c.ancestor, to_char(date_trunc('month', m.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
               c.relation_type, count(*)::integer AS descendants
        FROM lineage_closure c JOIN models m ON m.id = c.descendant
        WHERE m.created_at IS NOT NULL
        GROUP BY c.ancestor, date_trunc('month', m.created_at AT TIME ZONE 'UTC'), c.relation_type""",
    "family_authors": """
        SELECT c.ancestor, m.author, count(*)::integer AS descendants
        FROM lineage_closure c JOIN models m ON m.id = c.descendant
        GROUP BY c.ancestor, m.author""",
    "family_growth": f"""
        WITH window_days AS (
            SELECT newest - {WINDOW_DAYS - 1} AS window_start, newest AS window_end
            FROM (SELECT (max(created_at) AT TIME ZONE 'UTC')::date AS newest FROM models) AS catalog
            WHERE newest IS NOT NULL
        )
        SELECT c.ancestor, count(*)::integer AS recent,
               (count(*) FILTER (WHERE c.relation_type = 'finetune'))::integer AS finetune,
               (count(*) FILTER (WHERE c.relation_type = 'adapter'))::integer AS adapter,
               (count(*) FILTER (WHERE c.relation_type = 'quantized'))::integer AS quantized,
               (count(*) FILTER (WHERE c.relation_type = 'merge'))::integer AS merge,
               w.window_start, w.window_end
        FROM window_days w
        JOIN models m ON m.created_at >= w.window_start::timestamp AT TIME ZONE 'UTC'
        JOIN lineage_closure c ON c.descendant = m.id
        GROUP BY c.ancestor, w.window_start, w.window_end""",
    "lineage_edge_counts": """
        SELECT relation_type, declared, count(*)::integer AS edges
        FROM base_model_relations GROUP BY relation_type, declared""",
}
# One per view, as REFRESH … CONCURRENTLY requires; each also the index its readers walk.
UNIQUE_KEYS = {
    "family_months": "(ancestor, month, relation_type) INCLUDE (descendants)",
    "family_authors": "(ancestor, author) INCLUDE (descendants)",
    "family_growth": "(ancestor)",
    "lineage_edge_counts": "(relation_type, declared)",
}


def upgrade() -> None:
    for view, query in VIEWS.items():
        op.execute(f"CREATE MATERIALIZED VIEW {view} AS {query}")
        op.execute(f"CREATE UNIQUE INDEX ux_{view}_key ON {view} {UNIQUE_KEYS[view]}")
    # A family's top authors without sorting all of them; the fastest-growing families walked from
    # the fastest, as family_sizes is walked from the largest (data/analytics.py).
    op.execute("CREATE INDEX ix_family_authors_top ON family_authors (ancestor, descendants DESC, author)")
    op.execute("CREATE INDEX ix_family_growth_fastest ON family_growth (recent DESC, ancestor)")
    op.execute("ANALYZE family_growth")


def downgrade() -> None:
    for view in reversed(VIEWS):
        op.execute(f"DROP MATERIALIZED VIEW {view}")
