"""Train the similarity: TF-IDF over the catalog's documents, truncated SVD, unit vectors.

Rows are streamed from PostgreSQL (a server-side cursor) into two lists of strings, one per
vocabulary; the vocabularies are bounded (`max_features`, `min_df`) and every matrix is float32,
so the 760,000 real models train in a few minutes within a few GiB. The result depends only on
the catalog and the seed: same rows, same seed, same vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sqlalchemy import text
from sqlalchemy.orm import Session

from data.similar.features import CARD_CHARS, card_document, metadata_document
from data.similar.progress import Progress
from data.similar.store import DIMENSIONS

DEFAULT_SEED = 0
CARD_WEIGHT = 0.5  # a card says more words than an id, and vaguer ones: it counts half
STREAM_ROWS = 20_000
# Bounded vocabularies: a term in fewer than min_df documents cannot relate two models anyway.
METADATA_VOCABULARY = {"max_features": 300_000, "min_df": 2}
CARD_VOCABULARY = {"max_features": 50_000, "min_df": 3, "max_df": 0.5, "stop_words": "english"}


ROWS_SQL = """
SELECT m.id, m.repo_id, m.tags, m.pipeline_tag, m.library_name, left(c.card, :card_chars) AS card
FROM models m LEFT JOIN model_cards c ON c.id = m.id
ORDER BY m.id
"""


@dataclass
class Embeddings:
    ids: np.ndarray  # int32 model row ids, ascending
    vectors: np.ndarray  # float32, one unit row of DIMENSIONS per id (a zero row for an empty document)
    vocabulary: int  # terms kept over both vocabularies
    components: int  # SVD components actually fitted (<= DIMENSIONS)


@dataclass
class Corpus:
    ids: list[int]
    metadata: list[str]
    cards: list[str]


def read_corpus(session: Session, progress: Progress | None = None, *, exclude_lineage: bool = False) -> Corpus:
    """Every model's documents, in id order. `exclude_lineage` leaves out the base_model tags
    (for the offline evaluation: how well the rest predicts lineage)."""

    total = session.execute(text("SELECT count(*) FROM models")).scalar_one()
    corpus = Corpus([], [], [])
    rows = session.execute(
        text(ROWS_SQL), {"card_chars": CARD_CHARS}, execution_options={"stream_results": True, "yield_per": STREAM_ROWS}
    )
    for row in rows:
        tags = [t for t in row.tags or () if not t.startswith("base_model:")] if exclude_lineage else row.tags
        corpus.ids.append(row.id)
        corpus.metadata.append(metadata_document(row.repo_id, tags, row.pipeline_tag, row.library_name))
        corpus.cards.append(card_document(row.card))
        if progress and len(corpus.ids) % STREAM_ROWS == 0:
            progress("reading models", len(corpus.ids), total)
    if progress:
        progress("reading models", len(corpus.ids), total)
    return corpus


def _tfidf(documents: list[str], bounds: dict) -> sparse.csr_matrix | None:
    """Sublinear TF-IDF rows, L2-normalised, of documents already split into space-separated
    tokens; None when no term passes the bounds."""
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, dtype=np.float32, **bounds)
    try:
        return vectorizer.fit_transform(documents)
    except ValueError:  # "empty vocabulary", or min_df above the corpus: nobody has that field
        return None


def embed(corpus: Corpus, seed: int = DEFAULT_SEED, progress: Progress | None = None) -> Embeddings:
    """Fit TF-IDF and SVD over the corpus; one unit vector per model."""
    ids = np.asarray(corpus.ids, dtype=np.int32)
    report = progress or (lambda stage, done, total: None)
    report("weighing words", 0, 2)
    metadata = _tfidf(corpus.metadata, METADATA_VOCABULARY)
    report("weighing words", 1, 2)
    cards = _tfidf(corpus.cards, CARD_VOCABULARY)
    report("weighing words", 2, 2)
    parts = [part for part in (metadata, cards * CARD_WEIGHT if cards is not None else None) if part is not None]
    if not parts or len(ids) < 2:
        return Embeddings(ids, np.zeros((len(ids), DIMENSIONS), dtype=np.float32), 0, 0)
    matrix = sparse.hstack(parts, format="csr", dtype=np.float32)
    components = min(DIMENSIONS, matrix.shape[1] - 1, len(ids) - 1)
    report("reducing", 0, 1)
    reduced = TruncatedSVD(components, algorithm="randomized", n_iter=5, random_state=seed).fit_transform(matrix)
    report("reducing", 1, 1)
    vectors = np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
    vectors[:, :components] = normalize(reduced).astype(np.float32)
    return Embeddings(ids, vectors, matrix.shape[1], components)
