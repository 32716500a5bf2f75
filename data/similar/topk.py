"""Each model's nearest neighbours by cosine, precomputed: the top-k table's contents, for a
PostgreSQL without pgvector.

Up to EXACT_LIMIT models, exactly: blocks of rows against all (matrix products of unit vectors).
Beyond, within buckets: k-means (seeded, fitted on a sample) puts similar vectors together; each bucket's
models are compared with the models of its PROBES nearest buckets only — about PROBES × 1,000
candidates a model instead of 760,000, so the 760,000 real models take a minute, not hours, for
a recall of the exact neighbours that bench/similar.py measures. Ties go to the lower row id, as
in the HNSW path (data.similar.serve), so both give the same lists.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from sklearn.preprocessing import normalize

from data.similar.progress import Progress
from data.similar.store import TOP_K

EXACT_LIMIT = 40_000
BUCKET_SIZE = 1_000  # models per bucket on average
PROBES = 10  # buckets whose models are a bucket's candidates (its own included)
MAX_CANDIDATES = 30_000  # fewer probes around crowded buckets (the Hub has thousands of near-twins)
FIT_PER_BUCKET = 60  # the k-means is fitted on a seeded sample of this many vectors a bucket
BLOCK_CELLS = 32_000_000  # similarities computed at once (128 MB of float32)


def top_k(
    vectors: np.ndarray, k: int = TOP_K, seed: int = 0, progress: Progress | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(neighbour row indexes, their scores), each n × min(k, n - 1), best first, never itself."""
    n = len(vectors)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int32), np.zeros((n, 0), dtype=np.float32)
    if n <= EXACT_LIMIT:
        return _exact(vectors, k, progress)
    return _bucketed(vectors, k, seed, progress)


def _best(scores: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of each row of `scores` (columns are `candidates`), best first, ties to the lower id."""
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k] if scores.shape[1] > k else np.argsort(-scores, axis=1)
    chosen = np.take_along_axis(scores, part, axis=1)
    ids = candidates[part]
    order = np.lexsort((ids, -chosen), axis=1)  # score descending, then the lower id
    return np.take_along_axis(ids, order, axis=1)[:, :k], np.take_along_axis(chosen, order, axis=1)[:, :k]


def _compare(vectors: np.ndarray, rows: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best candidates of each row, in blocks of rows that keep the products bounded."""
    step = max(1, BLOCK_CELLS // max(1, len(candidates)))
    found_ids, found_scores = [], []
    pool = vectors[candidates]
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        scores = vectors[block] @ pool.T
        _exclude_self(scores, block, candidates)
        ids, best = _best(scores, candidates, k)
        found_ids.append(ids)
        found_scores.append(best)
    return np.vstack(found_ids), np.vstack(found_scores)


def _exclude_self(scores: np.ndarray, rows: np.ndarray, candidates: np.ndarray) -> None:
    """A model is no neighbour of itself (`candidates` is sorted)."""
    at = np.minimum(np.searchsorted(candidates, rows), len(candidates) - 1)
    own = candidates[at] == rows
    scores[np.flatnonzero(own), at[own]] = -np.inf


def _exact(vectors: np.ndarray, k: int, progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    everyone = np.arange(len(vectors), dtype=np.int32)
    ids, scores = _compare(vectors, everyone, everyone, k)
    if progress:
        progress("neighbours", len(vectors), len(vectors))
    return ids.astype(np.int32), scores.astype(np.float32)


def _bucketed(vectors: np.ndarray, k: int, seed: int, progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    n = len(vectors)
    buckets = max(2, n // BUCKET_SIZE)
    fit_on = np.random.default_rng(seed).choice(n, min(n, FIT_PER_BUCKET * buckets), replace=False)
    # Seeded random centres: k-means++ would choose them better but takes minutes for 760 of them.
    kmeans = MiniBatchKMeans(buckets, init="random", random_state=seed, batch_size=8192, n_init=1, max_iter=10)
    kmeans.fit(vectors[np.sort(fit_on)])
    centroids = normalize(kmeans.cluster_centers_).astype(np.float32)
    labels = _nearest_centroid(vectors, centroids)
    members = [np.flatnonzero(labels == b).astype(np.int32) for b in range(buckets)]
    near = np.argsort(-(centroids @ centroids.T), axis=1, kind="stable")
    ids = np.zeros((n, k), dtype=np.int32)
    scores = np.full((n, k), -np.inf, dtype=np.float32)
    done = 0
    for bucket in range(buckets):
        rows = members[bucket]
        if len(rows) == 0:
            continue
        candidates = _candidates(members, near[bucket], k)
        ids[rows], scores[rows] = _compare(vectors, rows, candidates, k)
        done += len(rows)
        if progress and bucket % 50 == 0:
            progress("neighbours", done, n)
    if progress:
        progress("neighbours", n, n)
    return ids, scores


def _nearest_centroid(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    step = max(1, BLOCK_CELLS // len(centroids))
    return np.concatenate(
        [np.argmax(vectors[start : start + step] @ centroids.T, axis=1) for start in range(0, len(vectors), step)]
    )


def _candidates(members: list[np.ndarray], nearest_buckets: np.ndarray, k: int) -> np.ndarray:
    """The models of the PROBES nearest buckets (fewer past MAX_CANDIDATES), more when they hold
    too few to choose k from."""
    chosen: list[np.ndarray] = []
    count = 0
    for probe, bucket in enumerate(nearest_buckets):
        if (probe >= PROBES or count >= MAX_CANDIDATES) and count > k:
            break
        chosen.append(members[bucket])
        count += len(members[bucket])
    return np.sort(np.concatenate(chosen))
