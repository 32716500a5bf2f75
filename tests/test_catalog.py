"""data/catalog.py: the read queries the API and the dashboard share (summaries, a model's
detail, trending, an author's profile)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from data import analytics, catalog
from data.ingest.pipeline import ingest
from data.ingest.state import mark_synthetic
from data.models import Model

BASE = {
    "id": "org/Base",
    "downloads": 5_000,
    "downloadsAllTime": 90_000,
    "likes": 40,
    "gated": "manual",
    "sha": "abc123",
    "pipeline_tag": "text-generation",
    "library_name": "transformers",
    "trendingScore": 7,
    "createdAt": "2024-01-15T10:00:00Z",
    "lastModified": "2024-02-01T10:00:00Z",
    "cardData": {"license": "mit"},
    "tags": ["transformers", "text-generation", "fr", "en", "license:mit", "dataset:z/corpus", "dataset:a/corpus"],
    "siblings": [
        {"rfilename": "weights.bin", "size": 300},
        {"rfilename": "README.md", "size": 20},
        {"rfilename": "config.json"},
    ],
}
RECORDS = [
    BASE,
    {
        "id": "org/chat",
        "downloads": 900,
        "likes": 3,
        "usedStorage": 12_345,
        "trendingScore": 30,
        "tags": ["base_model:finetune:org/base", "base_model:adapter:gone/deleted"],
    },
    {"id": "org/quant", "downloads": 900, "likes": 1, "tags": ["base_model:quantized:org/base"]},
    {"id": "other/lora", "downloads": 50, "likes": 0, "tags": ["base_model:adapter:org/base"]},
    {"id": "other/quiet", "downloads": 10_000, "likes": 0, "tags": []},
]


@pytest.fixture
def catalog_db(db):
    ingest(db, RECORDS)
    return db


def test_top_models_by_downloads_then_the_newest_row(catalog_db):
    with catalog_db.session(read_only=True) as session:
        top = catalog.top_models(session, limit=4)
        scored = catalog.model_detail(session, "org/Base").quality
    # org/chat and org/quant tie on 900 downloads: the one stored later comes first
    assert [m.repo_id for m in top] == ["other/quiet", "org/Base", "org/quant", "org/chat"]
    assert top[1] == catalog.ModelSummary(
        "org/Base",
        "org",
        "text-generation",
        "transformers",
        "mit",
        5_000,
        40,
        7.0,
        datetime(2024, 1, 15, 10, tzinfo=UTC),
        datetime(2024, 2, 1, 10, tzinfo=UTC),
        "manual",
        False,
        3,
        quality=scored,  # the score the detail gives (data/quality.py's own tests judge it)
    )
    assert isinstance(scored, int)


def test_find_model_ignores_case_and_no_id_holds_nul(catalog_db):
    with catalog_db.session(read_only=True) as session:
        assert catalog.find_model(session, "org/BASE").repo_id == "org/Base"
        assert catalog.find_model(session, "org/nothing") is None
        assert catalog.find_model(session, "org/base\x00") is None


def test_the_detail_of_a_model(catalog_db):
    with catalog_db.session(read_only=True) as session:
        detail = asdict(catalog.model_detail(session, "org/base"))
    assert {
        key: detail[key]
        for key in (
            "repo_id",
            "author",
            "name",
            "downloads",
            "downloads_all_time",
            "likes",
            "gated",
            "private",
            "sha",
            "card_data",
            "has_base_model",
        )
    } == {
        "repo_id": "org/Base",
        "author": "org",
        "name": "Base",
        "downloads": 5_000,
        "downloads_all_time": 90_000,
        "likes": 40,
        "gated": "manual",
        "private": False,
        "sha": "abc123",
        "card_data": {"license": "mit"},
        "has_base_model": False,
    }
    assert detail["tags"] == {
        "dataset": ["dataset:a/corpus", "dataset:z/corpus"],
        "language": ["en", "fr"],
        "library": ["transformers"],
        "license": ["license:mit"],
        "other": ["text-generation"],
    }
    assert detail["files"] == [
        {"name": "README.md", "size": 20},
        {"name": "config.json", "size": None},
        {"name": "weights.bin", "size": 300},
    ]
    assert detail["total_file_size"] == 320  # a file of unknown size counts as none
    assert detail["datasets"] == ["a/corpus", "z/corpus"]
    assert detail["base_models"] == []
    assert detail["derivatives_by_relation"] == {"finetune": 1, "quantized": 1, "adapter": 1}
    assert detail["derivative_count"] == 3


def test_base_models_in_the_catalog_and_missing_from_it(catalog_db):
    with catalog_db.session(read_only=True) as session:
        detail = asdict(catalog.model_detail(session, "ORG/CHAT"))
    assert detail["repo_id"] == "org/chat" and detail["has_base_model"] is True
    assert detail["base_models"] == [
        {
            "id": "gone/deleted",
            "relation_type": "adapter",
            "declared": True,
            "source": "typed_tag",
            "in_catalog": False,
        },
        {"id": "org/Base", "relation_type": "finetune", "declared": True, "source": "typed_tag", "in_catalog": True},
    ]
    assert detail["files"] == [] and detail["total_file_size"] == 12_345  # no file list: the Hub's storage
    assert detail["tags"] == {"base_model": ["base_model:adapter:gone/deleted", "base_model:finetune:org/base"]}
    assert detail["datasets"] == [] and detail["derivatives_by_relation"] == {}


def test_no_detail_for_an_unknown_model(catalog_db):
    with catalog_db.session(read_only=True) as session:
        assert catalog.model_detail(session, "org/unknown") is None
        assert catalog.model_detail(session, "\x00") is None


def test_trending_ranks_the_hubs_scores_first_then_ours(catalog_db):
    with catalog_db.session() as session:
        session.execute(update(Model).where(Model.repo_id == "other/quiet").values(computed_trending=99.0))
        session.execute(update(Model).where(Model.repo_id == "other/lora").values(computed_trending=1.0))
        session.execute(update(Model).where(Model.repo_id == "org/chat").values(computed_trending=500.0))
        session.commit()
        ranked = catalog.trending(session, 10, [])
        assert [m.repo_id for m in ranked] == ["org/chat", "org/Base", "other/quiet", "other/lora"]
        assert [m.repo_id for m in catalog.trending(session, 2, [])] == ["org/chat", "org/Base"]
        assert [m.repo_id for m in catalog.trending(session, 10, ["text-generation"])] == ["org/Base"]
        assert catalog.trending(session, 10, ["translation"]) == []


def test_an_authors_profile_ignores_case(catalog_db):
    with catalog_db.session(read_only=True) as session:
        profile = asdict(catalog.author_profile(session, "ORG", top=2))
    assert profile["author"] == "org"
    assert profile["model_count"] == 3 and profile["total_downloads"] == 6_800 and profile["total_likes"] == 44
    assert profile["derived_model_count"] == 2
    assert [m["repo_id"] for m in profile["top_models"]] == ["org/Base", "org/quant"]
    assert profile["top_models"][1]["downloads"] == 900 and profile["top_models"][1]["has_base_model"] is True


def test_an_author_with_no_models_has_no_profile(catalog_db):
    with catalog_db.session(read_only=True) as session:
        assert catalog.author_profile(session, "nobody") is None


def test_the_catalog_says_whether_it_holds_the_synthetic_sample(db):
    with db.session() as session:
        assert catalog.holds_synthetic_sample(session) is False
        mark_synthetic(session, True)
        assert catalog.holds_synthetic_sample(session) is True
        mark_synthetic(session, False)
        assert catalog.holds_synthetic_sample(session) is False


# --- trending without scores: likes per day since creation ----------------------------------

UNSCORED = [  # no trendingScore anywhere, as in the 2024 snapshot; the newest is 2024-07-20
    {
        "id": "new/hit",
        "likes": 90,
        "downloads": 10,
        "createdAt": "2024-07-11T00:00:00Z",
        "pipeline_tag": "text-generation",
    },
    {
        "id": "new/steady",
        "likes": 300,
        "downloads": 5,
        "createdAt": "2024-06-25T00:00:00Z",
        "pipeline_tag": "translation",
    },
    {
        "id": "new/today",
        "likes": 4,
        "downloads": 99,
        "createdAt": "2024-07-20T00:00:00Z",
        "pipeline_tag": "translation",
    },
    {"id": "new/quiet", "likes": 0, "downloads": 70, "createdAt": "2024-07-19T00:00:00Z"},
    {"id": "new/silent", "likes": 0, "downloads": 7, "createdAt": "2024-07-19T00:00:00Z"},
    {"id": "old/famous", "likes": 9_000, "downloads": 10**6, "createdAt": "2024-06-19T23:59:00Z"},  # 30 days + 1 min
    {"id": "no/date", "likes": 500, "downloads": 1},
]


def likes_per_day_truth(records: list[dict], task: str | None = None) -> list[tuple[str, float]]:
    """The ranking, worked out here from the records themselves."""
    dated = [r for r in records if "createdAt" in r]
    newest = max(datetime.fromisoformat(r["createdAt"]) for r in dated)
    scored = []
    for r in dated:
        age_days = (newest - datetime.fromisoformat(r["createdAt"])).total_seconds() / 86_400
        if age_days <= 30 and (task is None or r.get("pipeline_tag") == task):
            days = max(age_days, 1)
            scored.append((-r["likes"] / days, -r["downloads"] / days, r["id"]))
    return [(repo_id, -likes) for likes, _, repo_id in sorted(scored)]


def ranked(session, limit: int = 10, tasks: list[str] | None = None) -> list[tuple[str, float]]:
    found = catalog.trending(session, limit, tasks or [])
    assert {m.trend.basis for m in found} <= {"likes_per_day"}
    return [(m.repo_id, round(m.trend.score, 6)) for m in found]


def test_without_scores_recent_models_rank_by_likes_per_day(db):
    ingest(db, UNSCORED)
    rounded = [(repo_id, round(score, 6)) for repo_id, score in likes_per_day_truth(UNSCORED)]
    with db.session(read_only=True) as session:
        assert ranked(session) == rounded
        assert rounded[:2] == [("new/steady", 12.0), ("new/hit", 10.0)]  # 300 likes in 25 days, 90 in 9
        assert "old/famous" not in dict(rounded) and "no/date" not in dict(rounded)
        assert ranked(session, 2) == rounded[:2]
        translation = [(i, round(s, 6)) for i, s in likes_per_day_truth(UNSCORED, "translation")]
        assert ranked(session, tasks=["translation"]) == translation
        assert analytics.trending_tasks(session) == [
            {"value": "translation", "count": 2},
            {"value": "text-generation", "count": 1},
        ]


def test_once_the_sync_scores_a_model_its_growth_takes_over(db):
    ingest(db, UNSCORED)
    with db.session() as session:
        session.execute(update(Model).where(Model.repo_id == "new/quiet").values(computed_trending=12.0))
        session.commit()
        found = catalog.trending(session, 10, [])
        assert [(m.repo_id, m.trend.basis, m.trend.score) for m in found] == [("new/quiet", "growth", 12.0)]
        assert analytics.trending_tasks(session) == []  # new/quiet has no task


def test_an_empty_catalog_trends_nothing(db):
    with db.session(read_only=True) as session:
        assert catalog.trending(session, 10, []) == [] and analytics.trending_tasks(session) == []
