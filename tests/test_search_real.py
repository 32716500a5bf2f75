"""Search and statistics over real Hub models (the first 50 pages of ../shared: 50,000)."""

import random
import re
import uuid

import pytest
from sqlalchemy import text

from data.db import Database
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.conftest import TEMPLATE_DB, _admin, _database_url
from tests.test_ingest_shared import pages


@pytest.fixture(scope="module")
def real_db(server_url, template_url):
    files = pages(50)
    name = f"catalog_real_{uuid.uuid4().hex[:8]}"
    admin = _admin(server_url)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}"))
    db = Database.from_urls(_database_url(server_url, name))
    ingest(db, FileSource(files))
    yield db
    db.dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="module")
def real_client(real_db, shared_url):
    from app.factory import create_app
    from app.settings import Settings

    return create_app(Settings(database_url=shared_url, rate_limit="off"), database=real_db).test_client()


def fragments(db, count: int) -> list[str]:
    """Parts of real ids the way people type them: the first one to three words of a name."""
    with db.session(read_only=True) as session:
        ids = session.execute(text("SELECT repo_id FROM models ORDER BY md5(repo_id) LIMIT :n"), {"n": count}).scalars()
        rng = random.Random(5)
        found = []
        for repo_id in ids:
            parts = repo_id.split("/", 1)[1].replace("_", "-").split("-")
            found.append("-".join(parts[: rng.randint(1, min(3, len(parts)))]))
    return [f for f in found if len(f) >= 3]


def substring_top(db, fragment: str, limit: int) -> list[str]:
    """The truth, in Python: ids containing the fragment, separators `-_./ ` alike, by downloads."""
    def alike(text: str) -> str:
        return re.sub(r"[-_./ ]", "-", text.lower())

    if db not in _ROWS:
        with db.session(read_only=True) as session:
            _ROWS[db] = [(alike(r.repo_id), r.repo_id, r.downloads, r.id) for r in session.execute(
                text("SELECT repo_id, downloads, id FROM models ORDER BY downloads DESC, id DESC"))]
    return [repo_id for key, repo_id, _, _ in _ROWS[db] if alike(fragment) in key][:limit]


_ROWS: dict = {}  # the module's catalog, read once


def test_id_like_queries_agree_with_a_substring_match_ranked_by_downloads(real_db, real_client):
    disagreements = {}
    checked = fragments(real_db, 120)
    for fragment in checked:
        params = {"q": fragment, "sort": "downloads"}
        found = [m["id"] for m in real_client.get("/api/v1/models", query_string=params).json["data"]]
        expected = substring_top(real_db, fragment, 20)
        if found != expected:
            disagreements[fragment] = (expected[:3], found[:3])
    assert disagreements == {}


def exact_counts(db, column: str, where: str) -> dict[str, int]:
    with db.session(read_only=True) as session:
        rows = session.execute(text(f"SELECT {column}, count(*) FROM models WHERE {where} AND {column} IS NOT NULL GROUP BY 1"))
        return dict(rows.all())


def test_statistics_of_the_whole_catalog_are_exact(real_db, real_client):
    body = real_client.get("/api/v1/stats/library").json
    truth = exact_counts(real_db, "library_name", "true")
    assert body["meta"]["exact"] is True
    assert {row["value"]: row["count"] for row in body["data"]} == dict(sorted(truth.items(), key=lambda kv: (-kv[1], kv[0]))[:50])
    totals = real_client.get("/api/v1/stats").json["data"]
    assert totals["models"] == 50_000


def test_statistics_of_a_large_result_are_estimated_from_a_sample(real_db, real_client):
    body = real_client.get("/api/v1/stats/pipeline_tag", query_string={"has_base_model": "false"}).json
    truth = exact_counts(real_db, "pipeline_tag", "NOT has_base_model")
    assert sum(truth.values()) >= 20_000  # large enough to be sampled
    assert body["meta"]["exact"] is False
    estimated = {row["value"]: row["count"] for row in body["data"]}
    top = sorted(truth, key=truth.get, reverse=True)[:3]
    assert list(estimated)[0] == top[0]
    for value in top:
        assert abs(estimated[value] - truth[value]) <= 0.25 * truth[value], (value, estimated[value], truth[value])


def test_a_small_result_is_counted_exactly(real_db, real_client):
    body = real_client.get("/api/v1/stats/library", query_string={"pipeline_tag": "image-to-image"}).json
    assert body["meta"]["exact"] is True
    truth = exact_counts(real_db, "library_name", "pipeline_tag = 'image-to-image'")
    assert {row["value"]: row["count"] for row in body["data"]} == {k: v for k, v in truth.items() if k in {r["value"] for r in body["data"]}}
    assert len(body["data"]) == min(50, len(truth))


@pytest.mark.parametrize("q", ["stable diffusion", "llama 3", "bert base"])
def test_totals_of_words_typed_together_are_close(real_db, real_client, q):
    meta = real_client.get("/api/v1/models", query_string={"q": q}).json["meta"]
    with real_db.session(read_only=True) as session:
        from data.query import SearchQuery
        from data.search import filters
        from data.models import SearchRow
        from sqlalchemy import func, select

        truth = session.execute(select(func.count()).select_from(SearchRow).where(
            *filters(SearchQuery(q=q)))).scalar_one()
    assert meta["total_exact"] or abs(meta["total"] - truth) <= 0.5 * truth, (meta["total"], truth)
    if meta["total_exact"]:
        assert meta["total"] == truth
