"""Lineage closure: every (ancestor, descendant) pair of models at its shortest distance.

Also `lineage_counts`: the number of descendants of each model by relation type and depth.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 12:00:00

Columns:
- ancestor, descendant: models.id; never equal (a model in a cycle is not listed as its own
  descendant).
- depth: the length of the shortest path ancestor → descendant, 1..MAX_DEPTH.
- relation_type: how the descendant derives from its parent on a shortest path; when several
  shortest paths end in different relation types, the alphabetically first.
- downloads: the descendant's downloads when the view was refreshed, so that an index can
  hand out "the most-downloaded descendants of X" without sorting the whole family.

The walk follows base_model_relations.base_model_ref (bases absent from the catalog have no
descendants here). Guards: a path never revisits a model (cycles end), depth stops at
MAX_DEPTH, and each level keeps one row per (ancestor, descendant, relation_type): without
that, merges (several parents) multiply the paths exponentially in deep merge chains.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MAX_DEPTH = 50

# The walk runs in a function so that it gets its own planner settings. The planner takes the
# walk for far larger than it is and merge-joins every level against the whole edge list; one
# hash of the edges, built once, is ~2.5x faster, and the final sort wants memory. Set on the
# view's query itself, these settings would also reach REFRESH CONCURRENTLY's own diff queries,
# which compare whole rows (*=): that merge-joins but cannot hash, and turned quadratic.
STATEMENTS = (
    f"""
    CREATE FUNCTION lineage_closure_rows()
    RETURNS TABLE (ancestor integer, descendant integer, depth smallint, relation_type text,
                   downloads bigint)
    LANGUAGE sql STABLE
    SET enable_mergejoin = off
    SET work_mem = '512MB'
    SET search_path FROM CURRENT
    AS $$
    WITH RECURSIVE edge AS MATERIALIZED (
        SELECT r.base_model_ref AS parent, r.model_id AS child, r.relation_type, m.downloads
        FROM base_model_relations r
        JOIN models m ON m.id = r.model_id
        WHERE r.base_model_ref IS NOT NULL AND r.base_model_ref <> r.model_id
    ),
    walk (ancestor, descendant, depth, relation_type, downloads, path) AS (
        SELECT e.parent, e.child, 1, e.relation_type, e.downloads, ARRAY[e.parent, e.child]
        FROM edge e
      UNION ALL
        SELECT DISTINCT ON (w.ancestor, e.child, e.relation_type)
               w.ancestor, e.child, w.depth + 1, e.relation_type, e.downloads, w.path || e.child
        FROM walk w
        JOIN edge e ON e.parent = w.descendant
        WHERE w.depth < {MAX_DEPTH} AND e.child <> ALL (w.path)
    )
    SELECT DISTINCT ON (w.ancestor, w.descendant)
           w.ancestor, w.descendant, w.depth::smallint, w.relation_type, w.downloads
    FROM walk w
    ORDER BY w.ancestor, w.descendant, w.depth, w.relation_type
    $$
    """,
    "CREATE MATERIALIZED VIEW lineage_closure AS SELECT * FROM lineage_closure_rows()",
    # Unique, so the view can refresh CONCURRENTLY (readers are not blocked); the included
    # columns answer "how far is X below the root" from the index alone.
    """CREATE UNIQUE INDEX ux_lineage_closure_pair ON lineage_closure (ancestor, descendant)
       INCLUDE (depth, relation_type)""",
    # A family's most-downloaded descendants, filtered by depth and relation, from the index.
    """CREATE INDEX ix_lineage_closure_downloads ON lineage_closure
       (ancestor, downloads DESC, descendant DESC) INCLUDE (depth, relation_type)""",
    # The ancestors of a few descendants: what connects them to the root of a family.
    """CREATE INDEX ix_lineage_closure_descendant ON lineage_closure (descendant, ancestor)
       INCLUDE (depth)""",
    # Counting a family of 100,000+ from the closure takes 25-50 ms; these counts are read in
    # well under a millisecond. Refreshed right after the closure (data/lineage.py).
    """
    CREATE MATERIALIZED VIEW lineage_counts AS
    SELECT ancestor, relation_type, depth, count(*)::integer AS descendants
    FROM lineage_closure
    GROUP BY ancestor, relation_type, depth
    """,
    """CREATE UNIQUE INDEX ux_lineage_counts_key ON lineage_counts
       (ancestor, relation_type, depth) INCLUDE (descendants)""",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW lineage_counts")
    op.execute("DROP MATERIALIZED VIEW lineage_closure")
    op.execute("DROP FUNCTION lineage_closure_rows()")
