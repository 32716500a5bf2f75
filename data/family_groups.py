"""A family as groups, for drawing families too big to draw model by model.

Descendants are grouped by generation (depth below the root) and relation type, as the
closure records them; the links say which models of one generation have derivatives in which
group of the next. Also the family's authors by relation type, and a model's direct
derivatives by declared/inferred. All from `lineage_closure` and `base_model_relations`.
The links per group come from a sample of the family (LINK_SAMPLE); those per model only
probe the models asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
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
    """Derivatives in `child` of a model one generation above it, or of all the members of
    `parent_group` together (parent None: counted over the whole family)."""

    parent: str | None  # a model's repo id (the root for generation 1); None: the group's members
    parent_group: Group | None  # None: the parent is the root
    child: Group
    children: int  # derivatives (per group: (derivative, parent) pairs, of the sample)


@dataclass(frozen=True)
class FamilyGroups:
    sizes: dict[Group, int]  # the whole family
    links: list[GroupLink]  # into the generations asked for: of the root and the models named, and per group


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


# Parents are the derivatives' bases one generation above them (on a shortest path from the
# root). Per group from generation 2 (the first's parent is the root), over the family's
# LINK_SAMPLE most downloaded there: exact for smaller families; for a larger one a pair of
# groups linked only through rarely downloaded models goes unseen. (Walking a family of
# 430,000 takes 2-5 s; the sample, read from the downloads index, about 0.1 s.)
LINK_SAMPLE = 5_000
# The sample's relations by key (`= ANY` of an array): left to a join, the planner reads the
# whole relation table instead of probing it a few thousand times.
GROUP_LINKS_SQL = """
WITH c AS MATERIALIZED (
    SELECT descendant, depth, relation_type FROM lineage_closure
    WHERE ancestor = :root AND depth BETWEEN 2 AND :bound
    ORDER BY downloads DESC, descendant DESC
    LIMIT :sample
)
SELECT p.depth AS parent_depth, p.relation_type AS parent_relation, c.depth, c.relation_type,
       count(*) AS children
FROM c
JOIN base_model_relations r ON r.model_id = c.descendant AND r.model_id = ANY(ARRAY(SELECT descendant FROM c))
JOIN lineage_closure p ON p.ancestor = :root AND p.descendant = r.base_model_ref AND p.depth = c.depth - 1
GROUP BY 1, 2, 3, 4
"""

# Per model, for a few models of the family: probes by parent, not a walk of the family.
MODEL_LINKS_SQL = """
SELECT pm.repo_id AS parent, p.depth AS parent_depth, p.relation_type AS parent_relation,
       c.depth, c.relation_type, count(DISTINCT c.descendant) AS children
FROM models pm
JOIN lineage_closure p ON p.ancestor = :root AND p.descendant = pm.id
JOIN base_model_relations r ON r.base_model_ref = pm.id
JOIN lineage_closure c ON c.ancestor = :root AND c.descendant = r.model_id AND c.depth = p.depth + 1
WHERE pm.repo_id = ANY(CAST(:parents AS text[])) AND c.depth <= :bound
GROUP BY 1, 2, 3, 4, 5
"""


def family_sizes(session: Session, repo_id: str) -> dict[Group, int] | None:
    """The number of descendants in each group of the family (exact, from `lineage_counts`)."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    return {Group(depth, kind): n for (kind, depth), n in family_counts(session, found[0]).counts.items()}


def family_groups(session: Session, repo_id: str, generations: int, parents: Iterable[str] = ()) -> FamilyGroups | None:
    """The sizes of every group of the family; the links into groups down to `generations`
    per group, and per model for the root and `parents` (repo ids of descendants)."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    root_id, root = found
    sizes = {Group(depth, kind): n for (kind, depth), n in family_counts(session, root_id).counts.items()}
    links = [GroupLink(root, None, group, n) for group, n in sizes.items() if group.depth == 1]
    bound = {"root": root_id, "bound": generations}
    for row in session.execute(text(GROUP_LINKS_SQL), bound | {"sample": LINK_SAMPLE}):
        parent_group = Group(row.parent_depth, row.parent_relation)
        links.append(GroupLink(None, parent_group, Group(row.depth, row.relation_type), row.children))
    for row in session.execute(text(MODEL_LINKS_SQL), bound | {"parents": sorted(set(parents))}):
        parent_group = Group(row.parent_depth, row.parent_relation)
        links.append(GroupLink(row.parent, parent_group, Group(row.depth, row.relation_type), row.children))
    return FamilyGroups(sizes, sorted(links, key=lambda link: (link.child, link.parent or "")))


# Authors are counted among the family's AUTHOR_SAMPLE most downloaded (all of a smaller
# family): joining 430,000 descendants to their models takes 2-4 s. Each relation type's total
# stays exact (lineage_counts); what the named authors leave of it is "others".
AUTHOR_SAMPLE = 20_000
AUTHORS_SQL = """
WITH c AS MATERIALIZED (
    SELECT descendant, relation_type FROM lineage_closure
    WHERE ancestor = :root
    ORDER BY downloads DESC, descendant DESC
    LIMIT :sample
), counted AS (
    SELECT c.relation_type, coalesce(m.author, '') AS author, count(*) AS models
    FROM c JOIN models m ON m.id = c.descendant AND m.id = ANY(ARRAY(SELECT descendant FROM c))
    GROUP BY 1, 2
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY relation_type ORDER BY models DESC, author) AS rank FROM counted
)
SELECT relation_type, author, models::integer AS models FROM ranked WHERE rank <= :top
"""


def family_authors(session: Session, repo_id: str, top: int) -> list[AuthorCount] | None:
    """The family's descendants by relation type and author: each type's `top` authors, the
    rest as one (author None); largest first within a type."""
    found = find_model(session, repo_id)
    if found is None:
        return None
    totals = family_counts(session, found[0]).by_relation()
    rows = session.execute(text(AUTHORS_SQL), {"root": found[0], "top": top, "sample": AUTHOR_SAMPLE})
    counts = [AuthorCount(row.relation_type, row.author, row.models) for row in rows]
    named: Counter[str] = Counter()
    for count in counts:
        named[count.relation] += count.models
    counts += [AuthorCount(kind, None, total - named[kind]) for kind, total in totals.items() if total > named[kind]]
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
