"""A paper's page: the models citing an arXiv paper (their `arxiv:` tag), grouped by family.

A model's family is named by its top-most ancestor in `lineage_closure`: the farthest one
(greatest depth), ties to the most downloaded, then the first repo id (lower-cased, by code point);
a model with no ancestor in the catalog heads its own family. Families are listed largest
first (then by their most-downloaded member), each with its count and most-downloaded
members; the root itself need not cite the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from data.arxiv import paper_tag
from data.catalog import SUMMARY_COLUMNS, ModelSummary, summary_of
from data.models import Model

FAMILIES_SHOWN = 50
MEMBERS_SHOWN = 5

# One row per family shown: its root, its size, its rank, and the ids of its top members.
FAMILIES_SQL = text("""
WITH citing AS MATERIALIZED (
    SELECT m.id, m.downloads, lower(m.repo_id) COLLATE "C" AS repo_key, m.has_base_model
    FROM model_tags t JOIN models m ON m.id = t.model_id
    WHERE t.tag_type = 'arxiv' AND t.tag = :tag
),
placed AS (
    SELECT c.id, c.downloads, c.repo_key, coalesce(top.ancestor, c.id) AS root,
           coalesce(top.repo_key, c.repo_key) AS root_key
    FROM citing c
    LEFT JOIN LATERAL (
        SELECT l.ancestor, lower(a.repo_id) COLLATE "C" AS repo_key
        FROM lineage_closure l JOIN models a ON a.id = l.ancestor
        WHERE c.has_base_model AND l.descendant = c.id  -- most citing models have no base: no probe
        ORDER BY l.depth DESC, a.downloads DESC, repo_key
        LIMIT 1
    ) top ON true
),
ranked AS (
    SELECT id, root, root_key, downloads, count(*) OVER (PARTITION BY root) AS members,
           row_number() OVER (PARTITION BY root ORDER BY downloads DESC, repo_key) AS place
    FROM placed
),
families AS (
    SELECT root, root_key, members, max(downloads) AS most_downloads, array_agg(id ORDER BY place) AS top,
           count(*) OVER () AS families, sum(members) OVER () AS models
    FROM ranked WHERE place <= :members_shown GROUP BY root, root_key, members
    ORDER BY members DESC, most_downloads DESC, root_key
    LIMIT :families_shown
)
SELECT f.root, r.repo_id AS root_repo_id, f.members, f.top, f.families, f.models
FROM families f JOIN models r ON r.id = f.root
ORDER BY f.members DESC, f.most_downloads DESC, f.root_key
""")


@dataclass(frozen=True)
class PaperFamily:
    root: str  # the family's top-most ancestor (repo id)
    models: int  # its models citing the paper
    top_models: list[ModelSummary]  # the most downloaded of them


@dataclass(frozen=True)
class Paper:
    arxiv_id: str
    models: int  # models citing it
    families: int  # families those fall in
    top_families: list[PaperFamily]  # the largest FAMILIES_SHOWN


def paper(session: Session, arxiv_id: str) -> Paper | None:
    """The paper `arxiv_id` (canonical, data.arxiv) and its models; None when none cites it."""
    rows = session.execute(
        FAMILIES_SQL,
        {"tag": paper_tag(arxiv_id), "members_shown": MEMBERS_SHOWN, "families_shown": FAMILIES_SHOWN},
    ).all()
    if not rows:
        return None
    summaries = _summaries(session, [model_id for row in rows for model_id in row.top])
    families = [PaperFamily(row.root_repo_id, row.members, [summaries[i] for i in row.top]) for row in rows]
    return Paper(arxiv_id, int(rows[0].models), int(rows[0].families), families)


def _summaries(session: Session, ids: list[int]) -> dict[int, ModelSummary]:
    rows = session.execute(select(Model.id, *SUMMARY_COLUMNS).where(Model.id.in_(ids)))
    return {model_id: summary_of(rest) for model_id, *rest in rows}
