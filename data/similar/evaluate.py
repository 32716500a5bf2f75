"""Offline evaluation: how often a model's relatives rank in its top 10, against a baseline.

Relatives are lineage siblings (another derivative of one of its direct bases) and the family
(models sharing an ancestor with it, or its ancestors and descendants; lineage closure). For a
seeded sample of models that have siblings, recall@10 = relatives in the top 10 / min(10, relatives),
averaged. The baseline ranks the models of the same task and library by downloads, which is
what a catalog without a learned similarity would suggest."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

AT = 10

SIBLINGS_SQL = """
SELECT lower(base_model_id) AS base, array_agg(DISTINCT model_id) AS ids
FROM base_model_relations GROUP BY 1 HAVING count(DISTINCT model_id) > 1
"""
ROOTS_SQL = "SELECT ancestor FROM lineage_closure WHERE descendant = :id"
FAMILY_SIZE_SQL = """
SELECT count(*) FROM (SELECT descendant FROM lineage_closure WHERE ancestor = ANY(:roots)
                      UNION SELECT unnest(CAST(:roots AS integer[]))) family
"""
IN_FAMILY_SQL = """
SELECT DISTINCT c.id FROM unnest(CAST(:candidates AS integer[])) AS c(id)
WHERE c.id = ANY(:roots)
   OR EXISTS (SELECT FROM lineage_closure lc WHERE lc.descendant = c.id AND lc.ancestor = ANY(:roots))
"""
OWN_SQL = "SELECT pipeline_tag, library_name FROM model_search WHERE id = :id"
# Walks the (task, downloads) index: `=` where the model has a task, IS NULL where it has none.
BASELINE_SQL = """
SELECT id FROM model_search
WHERE {task} AND {library} AND id <> :id
ORDER BY downloads DESC, id DESC LIMIT :at
"""


@dataclass(frozen=True)
class Recall:
    siblings: float
    family: float


@dataclass(frozen=True)
class Evaluation:
    sample: int
    similarity: Recall
    baseline: Recall


def siblings(session: Session) -> dict[int, set[int]]:
    """Each model with siblings: the other derivatives of its direct bases."""
    found: dict[int, set[int]] = defaultdict(set)
    for row in session.execute(text(SIBLINGS_SQL)):
        for model in row.ids:
            found[model].update(other for other in row.ids if other != model)
    return found


def sample(session: Session, size: int, seed: int) -> tuple[list[int], dict[int, set[int]]]:
    related = siblings(session)
    chosen = sorted(related)
    return sorted(random.Random(seed).sample(chosen, min(size, len(chosen)))), related


def _family_hits(session: Session, model: int, top: list[int]) -> tuple[int, int]:
    roots = [row[0] for row in session.execute(text(ROOTS_SQL), {"id": model})] + [model]
    size = session.execute(text(FAMILY_SIZE_SQL), {"roots": roots}).scalar_one() - 1
    hits = session.execute(text(IN_FAMILY_SQL), {"candidates": top, "roots": roots}).all()
    return len(hits), size


def recall(
    session: Session, models: list[int], related: dict[int, set[int]], top: Callable[[int], list[int]]
) -> Recall:
    sibling_total = family_total = 0.0
    for model in models:
        found = [other for other in top(model) if other != model][:AT]
        sibling_total += len(set(found) & related[model]) / min(AT, len(related[model]))
        hits, size = _family_hits(session, model, found)
        family_total += hits / min(AT, size) if size else 1.0
    return Recall(sibling_total / len(models), family_total / len(models)) if models else Recall(0.0, 0.0)


def baseline(session: Session) -> Callable[[int], list[int]]:
    """The top 10 of the same task and library by downloads."""

    def top(model: int) -> list[int]:
        own = session.execute(text(OWN_SQL), {"id": model}).one()
        sql = BASELINE_SQL.format(
            task="pipeline_tag IS NULL" if own.pipeline_tag is None else "pipeline_tag = :task",
            library="library_name IS NULL" if own.library_name is None else "library_name = :library",
        )
        parameters = {"id": model, "at": AT, "task": own.pipeline_tag, "library": own.library_name}
        return [row[0] for row in session.execute(text(sql), parameters)]

    return top


def evaluate(session: Session, top: Callable[[int], list[int]], *, size: int = 500, seed: int = 0) -> Evaluation:
    """`top`: a model's row id -> the row ids of its nearest models, best first."""
    models, related = sample(session, size, seed)
    return Evaluation(
        len(models), recall(session, models, related, top), recall(session, models, related, baseline(session))
    )
