"""Lineage closure with `declared`: whether the last edge of a shortest path was declared.

`lineage=declared|inferred` with `descendant_of` asks about the edge into each result on its
path from the root, which only the walk knows; so the closure carries it, and lineage_counts
counts by it (family totals under `lineage=` stay a lookup), and by the descendants' task
and library. Everything else as in 0002: same rows, same indexes (the unique pair index
keeps REFRESH CONCURRENTLY working), with `declared` included where `relation_type` is. family_sizes (0005) reads lineage_counts, so it
is dropped and made again, unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:00:00

Columns added:
- lineage_closure.declared: the edge into the descendant on a shortest path, of the relation
  type chosen (alphabetically first), was declared; true when any such edge was.
- lineage_counts.declared, .pipeline_tag, .library_name: counts split by them and by the
  descendant's task and library (sum over them for the old counts).
"""

from importlib import import_module

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MAX_DEPTH = 50

# As in 0002 (see there why the walk is a function with its own settings). A level keeps one
# row per (ancestor, descendant, relation_type, declared): at most twice 0002's rows, and both
# kinds of edge survive until the final choice prefers the declared one.
FUNCTION = f"""
    CREATE FUNCTION lineage_closure_rows()
    RETURNS TABLE (ancestor integer, descendant integer, depth smallint, relation_type text,
                   declared boolean, downloads bigint)
    LANGUAGE sql STABLE
    SET enable_mergejoin = off
    SET work_mem = '512MB'
    SET search_path FROM CURRENT
    AS $$
    WITH RECURSIVE edge AS MATERIALIZED (
        SELECT r.base_model_ref AS parent, r.model_id AS child, r.relation_type, r.declared, m.downloads
        FROM base_model_relations r
        JOIN models m ON m.id = r.model_id
        WHERE r.base_model_ref IS NOT NULL AND r.base_model_ref <> r.model_id
    ),
    walk (ancestor, descendant, depth, relation_type, declared, downloads, path) AS (
        SELECT e.parent, e.child, 1, e.relation_type, e.declared, e.downloads, ARRAY[e.parent, e.child]
        FROM edge e
      UNION ALL
        SELECT DISTINCT ON (w.ancestor, e.child, e.relation_type, e.declared)
               w.ancestor, e.child, w.depth + 1, e.relation_type, e.declared, e.downloads, w.path || e.child
        FROM walk w
        JOIN edge e ON e.parent = w.descendant
        WHERE w.depth < {MAX_DEPTH} AND e.child <> ALL (w.path)
    )
    SELECT DISTINCT ON (w.ancestor, w.descendant)
           w.ancestor, w.descendant, w.depth::smallint, w.relation_type, w.declared, w.downloads
    FROM walk w
    ORDER BY w.ancestor, w.descendant, w.depth, w.relation_type, w.declared DESC
    $$
    """

CLOSURE_INDEXES = (
    """CREATE UNIQUE INDEX ux_lineage_closure_pair ON lineage_closure (ancestor, descendant)
       INCLUDE (depth, relation_type, declared)""",
    """CREATE INDEX ix_lineage_closure_downloads ON lineage_closure
       (ancestor, downloads DESC, descendant DESC) INCLUDE (depth, relation_type, declared)""",
    """CREATE INDEX ix_lineage_closure_descendant ON lineage_closure (descendant, ancestor)
       INCLUDE (depth)""",
)

# Counted by the derivative's task and library too: a family filtered by them is counted
# exactly by a lookup (counting Qwen2.5-7B's 430,000 descendants by task took 2 s at 3,000,000
# models). As of the last refresh, as the family itself is.
COUNTS = """
    CREATE MATERIALIZED VIEW lineage_counts AS
    SELECT c.ancestor, c.relation_type, c.depth, c.declared, s.pipeline_tag, s.library_name,
           count(*)::integer AS descendants
    FROM lineage_closure c JOIN model_search s ON s.id = c.descendant
    GROUP BY c.ancestor, c.relation_type, c.depth, c.declared, s.pipeline_tag, s.library_name
    """
COUNTS_KEY = """CREATE UNIQUE INDEX ux_lineage_counts_key ON lineage_counts
       (ancestor, relation_type, depth, declared, pipeline_tag, library_name)
       INCLUDE (descendants) NULLS NOT DISTINCT"""

# 0005's family sizes, unchanged.
FAMILY_SIZES = """
    CREATE MATERIALIZED VIEW family_sizes AS
    SELECT ancestor, sum(descendants)::integer AS total,
           (coalesce(sum(descendants) FILTER (WHERE relation_type = 'finetune'), 0))::integer AS finetune,
           (coalesce(sum(descendants) FILTER (WHERE relation_type = 'adapter'), 0))::integer AS adapter,
           (coalesce(sum(descendants) FILTER (WHERE relation_type = 'quantized'), 0))::integer AS quantized,
           (coalesce(sum(descendants) FILTER (WHERE relation_type = 'merge'), 0))::integer AS merge
    FROM lineage_counts GROUP BY ancestor"""
FAMILY_SIZES_INDEXES = (
    "CREATE UNIQUE INDEX ux_family_sizes_key ON family_sizes (ancestor)",
    "CREATE INDEX ix_family_sizes_largest ON family_sizes (total DESC, ancestor)",
)


def _drop() -> None:
    op.execute("DROP MATERIALIZED VIEW family_sizes")
    op.execute("DROP MATERIALIZED VIEW lineage_counts")
    op.execute("DROP MATERIALIZED VIEW lineage_closure")
    op.execute("DROP FUNCTION lineage_closure_rows()")


def _family_sizes() -> None:
    op.execute(FAMILY_SIZES)
    for statement in FAMILY_SIZES_INDEXES:
        op.execute(statement)
    op.execute("ANALYZE lineage_closure, lineage_counts, family_sizes")


def upgrade() -> None:
    _drop()
    op.execute(FUNCTION)
    op.execute("CREATE MATERIALIZED VIEW lineage_closure AS SELECT * FROM lineage_closure_rows()")
    for statement in (*CLOSURE_INDEXES, COUNTS, COUNTS_KEY):
        op.execute(statement)
    _family_sizes()


def downgrade() -> None:
    """Back to 0002's closure and counts (its own statements), and 0005's family sizes."""
    _drop()
    for statement in import_module("migrations.versions.0002_lineage_closure").STATEMENTS:
        op.execute(statement)
    _family_sizes()
