"""Models like this (#16): a similarity learned from the catalog itself, offline.

Each model is a document of its id's words, its tags, task and library and its card's text;
TF-IDF over those, reduced by truncated SVD and L2-normalised, gives a unit vector whose cosine
with another is their similarity (`train`). `rebuild` trains over the whole catalog and stores
the vectors one of two ways (`store`): where PostgreSQL has the `vector` extension (pgvector),
in a vector column with an HNSW index that answers nearest neighbours per request; elsewhere as
each model's precomputed top-k (`topk`). `neighbours` reads either the same way and says why
each suggestion is like the model (`reasons`). Training runs in the sync or `catalog similar
rebuild`, never inside a request; serving imports neither scikit-learn nor the training.
"""
