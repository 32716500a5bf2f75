"""A model's neighbours, from whichever index the last rebuild wrote (data.similar.store).

One interface for both: the candidates come from pgvector's HNSW index (ORDER BY embedding <=>
the model's vector) or from the model's precomputed row; either way they are ranked by score
(rounded: the two compute the same cosine with different float rounding), then by the lower
row id, so both paths give the same list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from data.catalog import find_model
from data.meta import SIMILAR_INDEX, get_meta
from data.similar.reasons import Facts, Reason, bases_of, reasons
from data.similar.store import NEIGHBOURS, TOP_K, VECTORS, IndexKind

DEFAULT_LIMIT = 10
MAX_LIMIT = TOP_K
SCORE_DIGITS = 5
EXTRA_CANDIDATES = 10  # read past the limit, so that a tie at the limit falls the same way in both paths
EF_SEARCH = 100  # HNSW's candidate list per request (pgvector's default is 40): the exact neighbours, nearly always


@dataclass(frozen=True)
class Suggestion:
    id: str
    score: float  # cosine similarity, 1 = the same words
    pipeline_tag: str | None
    library_name: str | None
    downloads: int
    likes: int
    reasons: list[Reason]


@dataclass(frozen=True)
class Similar:
    id: str
    index: IndexKind | None  # which index answered; None: no similarity trained yet
    trained_at: str | None
    suggestions: list[Suggestion]


VECTOR_SQL = f"""
SELECT near.model_id AS id, 1 - (near.embedding <=> own.embedding) AS score
FROM {VECTORS} own
CROSS JOIN LATERAL (SELECT model_id, embedding FROM {VECTORS}
                    ORDER BY embedding <=> own.embedding LIMIT :candidates) near
WHERE own.model_id = :id AND near.model_id <> :id
"""
TABLE_SQL = f"""
SELECT n.id, n.score FROM {NEIGHBOURS} t, unnest(t.neighbour_ids, t.scores) AS n(id, score)
WHERE t.model_id = :id
"""
FACTS_SQL = """
SELECT id, repo_id, tags, pipeline_tag, library_name, downloads, likes FROM models WHERE id = ANY(:ids)
"""


def trained(session: Session) -> dict[str, Any] | None:
    """The current version's description (index, models, seed, trained_at …), or None."""
    return get_meta(session, SIMILAR_INDEX)


def candidates(session: Session, index: IndexKind, model_id: int, limit: int) -> list[tuple[int, float]]:
    """(row id, score) of the nearest models, best first, ties to the lower id."""
    wanted = limit + EXTRA_CANDIDATES
    if index == "vector":
        session.execute(text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(max(EF_SEARCH, wanted))})
        rows = session.execute(text(VECTOR_SQL), {"id": model_id, "candidates": wanted + 1})
    else:
        rows = session.execute(text(TABLE_SQL), {"id": model_id})
    found = [(row.id, round(float(row.score), SCORE_DIGITS)) for row in rows]
    found.sort(key=lambda pair: (-pair[1], pair[0]))
    return found[:limit]


def neighbours(session: Session, repo_id: str, limit: int = DEFAULT_LIMIT) -> Similar | None:
    """The `limit` models most like this one, with their reasons; None for an unknown model."""
    model = find_model(session, repo_id)
    if model is None:
        return None
    version = trained(session)
    if version is None:
        return Similar(model.repo_id, None, None, [])
    found = candidates(session, version["index"], model.id, limit)
    ids = [model.id] + [neighbour for neighbour, _ in found]
    rows = {row.id: row for row in session.execute(text(FACTS_SQL), {"ids": ids})}
    bases = bases_of(session, ids)
    facts = {
        row.id: Facts(row.repo_id, list(row.tags or ()), row.pipeline_tag, row.library_name, bases[row.id])
        for row in rows.values()
    }
    own = facts[model.id]
    suggestions = [
        Suggestion(
            rows[neighbour].repo_id,
            score,
            rows[neighbour].pipeline_tag,
            rows[neighbour].library_name,
            rows[neighbour].downloads,
            rows[neighbour].likes,
            reasons(own, facts[neighbour]),
        )
        for neighbour, score in found
        if neighbour in rows  # a model removed since the rebuild
    ]
    return Similar(model.repo_id, version["index"], version.get("trained_at"), suggestions)
