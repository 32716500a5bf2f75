"""Licence inheritance: every (model, ancestor) pair whose licences a rule condemns.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02 17:30:00

`licence_rule_pairs`: the rule table of data/licence_rules.toml expanded, one row per (base
licence, derivative licence) some rule judges (lower case; '' for a derivative declaring no
licence). data/licences.py rewrites it before each refresh, so that editing the file is enough.

`licence_conflicts` (materialized, refreshed after lineage_closure by data/lineage.py):
- model_id: the derivative whose licence conflicts; ancestor: the restricted model above it,
  in the catalog, at any depth along declared or inferred edges (lineage_closure).
- rule: the id of the rule condemning the pair; depth: the shortest chain's length.
- declared: whether the ancestor is reached along declared edges alone.
~37,000 rows (15,000 models) and ~0.5 s over the 760,000 real models.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

MAX_DEPTH = 50  # the closure's own bound (migration 0002)

# In a function, as lineage_closure's walk is, so that planner settings could be given it alone.
# The declared walk starts from the condemned models only: a few thousand, each with few bases.
STATEMENTS = (
    """CREATE TABLE licence_rule_pairs (
        base_licence text NOT NULL,
        derivative_licence text NOT NULL,
        rule text NOT NULL,
        CONSTRAINT pk_licence_rule_pairs PRIMARY KEY (base_licence, derivative_licence)
    )""",
    f"""
    CREATE FUNCTION licence_conflict_rows()
    RETURNS TABLE (model_id integer, ancestor integer, rule text, depth smallint, declared boolean)
    LANGUAGE sql STABLE
    SET search_path FROM CURRENT
    AS $$
    WITH RECURSIVE conflict AS MATERIALIZED (
        SELECT c.descendant, c.ancestor, c.depth, p.rule
        FROM licence_rule_pairs p
        JOIN models a ON lower(a.license) = p.base_licence
        JOIN lineage_closure c ON c.ancestor = a.id
        JOIN models d ON d.id = c.descendant
        WHERE lower(coalesce(d.license, '')) = p.derivative_licence
    ),
    declared_up (start, node, depth, path) AS (
        SELECT DISTINCT descendant, descendant, 0, ARRAY[descendant] FROM conflict
      UNION ALL
        SELECT DISTINCT ON (u.start, r.base_model_ref)
               u.start, r.base_model_ref, u.depth + 1, u.path || r.base_model_ref
        FROM declared_up u
        JOIN base_model_relations r ON r.model_id = u.node
        WHERE r.declared AND r.base_model_ref IS NOT NULL AND u.depth < {MAX_DEPTH}
              AND r.base_model_ref <> ALL (u.path)
    )
    SELECT c.descendant, c.ancestor, c.rule, c.depth,
           EXISTS (SELECT 1 FROM declared_up u WHERE u.start = c.descendant AND u.node = c.ancestor)
    FROM conflict c
    $$
    """,
    "CREATE MATERIALIZED VIEW licence_conflicts AS SELECT * FROM licence_conflict_rows()",
    # Unique, so that it refreshes CONCURRENTLY; answers "does model X conflict" and its rows.
    """CREATE UNIQUE INDEX ux_licence_conflicts_pair ON licence_conflicts (model_id, ancestor)
       INCLUDE (rule, depth, declared)""",
    # Conflicts per base family: the descendants of one restricted ancestor, by rule.
    "CREATE INDEX ix_licence_conflicts_ancestor ON licence_conflicts (ancestor, rule) INCLUDE (model_id)",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
    # The rules as the code has them now, so that the view is right from the start; every
    # refresh copies the rule file again (data/licences.py).
    from data.licences import store_rules

    store_rules(op.get_bind())
    op.execute("REFRESH MATERIALIZED VIEW licence_conflicts")
    op.execute("ANALYZE licence_conflicts")


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW licence_conflicts")
    op.execute("DROP FUNCTION licence_conflict_rows()")
    op.execute("DROP TABLE licence_rule_pairs")
