"""A family as groups, for drawing families too big to draw model by model.

Descendants are grouped by generation (depth below the root) and relation type, as the
closure records them; the links say which models of one generation have derivatives in which
group of the next. Also the family's authors by relation type, and a model's direct
derivatives by declared/inferred. All from `lineage_closure` and `base_model_relations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.lineage import family_counts, find_model


class Group(NamedTuple):
    depth: int  # generations below the root, 1..
    relation: str  # the relation type into its members (the closure's relation_type)


@dataclass(frozen=True)
class GroupLink:
    parent: str  # the repo id of a model one generation above `child` (the root for generation 1)
    parent_group: Group | None  # None: the parent is the root
    child: Group
    children: int  # the parent's direct derivatives in `child`


@dataclass(frozen=True)
class FamilyGroups:
    sizes: dict[Group, int]  # the whole family
    links: list[GroupLink]  # down to the generation asked for


@dataclass(frozen=True)
class AuthorCount:
    relation: str
    author: str | None  # None: the authors outside the top ones, together
    models: int


@dataclass(frozen=True)
class DirectDerivatives:
    counts: dict[tuple[str, bool], int]  # (relation type, declared) -> derivatives one step below

    def of(self, relation: str, declared: bool) -> int:
        return self.counts.get((relation, declared), 0)


# One row per (parent, child group): parents are the derivatives' bases on a shortest path
# from the root, i.e. one generation above them (the root itself for generation 1).
LINKS_SQL = """
SELECT pm.repo_id AS parent, g.parent_depth, g.parent_relation, g.depth, g.relation_type, g.children
FROM (
    SELECT r.base_model_ref AS parent_id, p.depth AS parent_depth, p.relation_type AS parent_relation,
           c.depth, c.relation_type, count(DISTINCT c.descendant) AS children
    FROM lineage_closure c
    JOIN base_model_relations r ON r.model_id = c.descendant
    LEFT JOIN lineage_closure p ON p.ancestor = c.ancestor AND p.descendant = r.base_model_ref
    WHERE c.ancestor = :root AND c.depth <= :bound
      AND (c.depth = 1 AND r.base_model_ref = c.ancestor OR p.depth = c.depth - 1)
    GROUP BY 1, 2, 3, 4, 5
) g
JOIN models pm ON pm.id = g.parent_id  -- after grouping: one lookup per parent, not per derivative
"""


def family_groups(session: Session, repo_id: str, generations: int) -> FamilyGroups | None:
    """The sizes of every group of the family, and the links into groups down to `generations`."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    root_id = found[0]
    sizes = {Group(depth, kind): n for (kind, depth), n in family_counts(session, root_id).counts.items()}
    rows = session.execute(text(LINKS_SQL), {"root": root_id, "bound": generations})
    links = [
        GroupLink(
            row.parent,
            None if row.parent_depth is None else Group(row.parent_depth, row.parent_relation),
            Group(row.depth, row.relation_type),
            row.children,
        )
        for row in rows
    ]
    return FamilyGroups(sizes, sorted(links, key=lambda link: (link.child, link.parent)))


AUTHORS_SQL = """
WITH counted AS (
    SELECT c.relation_type, coalesce(m.author, '') AS author, count(*) AS models
    FROM lineage_closure c JOIN models m ON m.id = c.descendant
    WHERE c.ancestor = :root
    GROUP BY 1, 2
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY relation_type ORDER BY models DESC, author) AS rank FROM counted
)
SELECT relation_type, CASE WHEN rank <= :top THEN author END AS author, sum(models)::integer AS models
FROM ranked
GROUP BY 1, 2
"""


def family_authors(session: Session, repo_id: str, top: int) -> list[AuthorCount] | None:
    """The family's descendants by relation type and author: each type's `top` authors, the
    rest as one (author None); largest first within a type."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    rows = session.execute(text(AUTHORS_SQL), {"root": found[0], "top": top})
    counts = [AuthorCount(row.relation_type, row.author, row.models) for row in rows]
    return sorted(counts, key=lambda c: (c.relation, c.author is None, -c.models, c.author or ""))


def direct_derivatives(session: Session, repo_id: str) -> DirectDerivatives | None:
    """The models naming this one as their base, by relation type and declared/inferred."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    rows = session.execute(
        text("""
        SELECT relation_type, declared, count(DISTINCT model_id) AS models FROM base_model_relations
        WHERE base_model_ref = :root AND model_id <> :root
        GROUP BY 1, 2"""),
        {"root": found[0]},
    )
    return DirectDerivatives({(row.relation_type, row.declared): row.models for row in rows})
