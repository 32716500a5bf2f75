"""Train the similarity over the whole catalog and store it: `catalog similar rebuild`, and the
sync after an ingestion that changed data. Never inside a request."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from data.db import Database
from data.meta import SIMILAR_INDEX, set_meta
from data.similar import store, topk
from data.similar.progress import Progress
from data.similar.store import DIMENSIONS, IndexKind
from data.similar.train import DEFAULT_SEED, embed, read_corpus

log = logging.getLogger(__name__)

SIMILAR_LOCK = 0x73696D69  # advisory lock key ("simi"): one rebuild at a time


class SimilarBusy(RuntimeError):
    """Another rebuild is writing the similarity."""


@dataclass
class RebuildSummary:
    index: IndexKind
    models: int  # in the catalog
    vectors: int  # with a vector (a model whose every word is unique to it has none)
    vocabulary: int
    components: int
    seed: int
    seconds: dict[str, float] = field(default_factory=dict)  # by stage
    trained_at: str = ""


def rebuild(
    db: Database, *, seed: int = DEFAULT_SEED, index: IndexKind | None = None, progress: Progress | None = None
) -> RebuildSummary:
    """Train and store; `index` forces one path (default: pgvector where installed, else the
    top-k table). Raises SimilarBusy when another rebuild holds the lock."""
    with db.advisory_lock(SIMILAR_LOCK) as got:
        if not got:
            raise SimilarBusy("another similarity rebuild is running; this one did nothing")
        return _rebuild(db, seed, index, progress)


def _rebuild(db: Database, seed: int, index: IndexKind | None, progress: Progress | None) -> RebuildSummary:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    with db.session(read_only=False) as session:
        chosen: IndexKind = index or store.best_index(session)
        corpus = read_corpus(session, progress)
    seconds["read"] = time.monotonic() - started
    mark = time.monotonic()
    embeddings = embed(corpus, seed, progress)
    del corpus
    seconds["train"] = time.monotonic() - mark
    keep = np.flatnonzero(np.abs(embeddings.vectors).sum(axis=1) > 0)  # an empty document is like nothing
    ids, vectors = embeddings.ids[keep], embeddings.vectors[keep]
    mark = time.monotonic()
    with db.session() as session:
        if chosen == "vector":
            store.write_vectors(session, ids, vectors)
        else:
            neighbours, scores = topk.top_k(vectors, seed=seed, progress=progress)
            seconds["neighbours"] = time.monotonic() - mark
            mark = time.monotonic()
            store.write_neighbours(session, ids, neighbours, scores)
        summary = RebuildSummary(
            chosen, len(embeddings.ids), len(ids), embeddings.vocabulary, embeddings.components, seed, seconds
        )
        seconds["store"] = time.monotonic() - mark
        summary.trained_at = datetime.now(UTC).isoformat()
        set_meta(session, SIMILAR_INDEX, _description(summary))
        session.commit()
    seconds["total"] = time.monotonic() - started
    log.info("similarity rebuilt: %s", _description(summary))
    return summary


def _description(summary: RebuildSummary) -> dict:
    return {
        "index": summary.index,
        "models": summary.models,
        "vectors": summary.vectors,
        "dimensions": DIMENSIONS,
        "components": summary.components,
        "vocabulary": summary.vocabulary,
        "seed": summary.seed,
        "trained_at": summary.trained_at,
        "seconds": {stage: round(value, 1) for stage, value in summary.seconds.items()},
    }
