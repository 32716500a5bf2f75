"""The quality score (data/quality.py): each component on hand-made facts, then the whole path on
a real PostgreSQL (ingest → parts and percentiles → search, the API, the model page, analytics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from callbacks import analytics as analytics_page
from callbacks import model as model_page
from components import model_page as page
from data import analytics, quality
from data.ingest.pipeline import ingest
from data.quality import COMPONENTS, ModelFacts, Standing, catalog_parts, record_parts
from data.query import SearchQuery
from tests.dash_tree import text_of, walk

# --- each component on hand-made facts --------------------------------------------------------


def test_the_weights_add_up_to_100_and_every_component_has_a_rule():
    assert sum(c.weight for c in COMPONENTS) == 100
    assert [c.name for c in COMPONENTS] == [
        *("card", "licence", "lineage", "datasets", "evaluations", "safetensors", "recent", "downloads", "likes")
    ]
    assert all(c.rule and c.label for c in COMPONENTS)
    assert "| `evaluations` | 15 |" in quality.describe()


def test_the_readmes_table_has_the_modules_weights():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert all(f"| `{c.name}` | {c.weight} |" in readme for c in COMPONENTS)


@pytest.mark.parametrize(
    "facts, points",
    [
        (ModelFacts(), 0),
        (ModelFacts(card_data=True), 5),  # metadata alone: a quarter of 20
        (ModelFacts(card_chars=0, card_data=True), 5),
        (ModelFacts(card_chars=1500), 13),  # 20 × (0.25 + 0.75 × 0.5) = 12.5, rounded up
        (ModelFacts(card_chars=3000), 20),
        (ModelFacts(card_chars=90_000), 20),
    ],
)
def test_card_counts_a_readme_by_its_length(facts, points):
    assert record_parts(facts)["card"] == points


@pytest.mark.parametrize(
    "licence, points", [("apache-2.0", 10), ("MIT", 10), ("llama3", 10), ("other", 3), ("my-own", 3), (None, 0)]
)
def test_licence_is_worth_most_when_recognised(licence, points):
    assert record_parts(ModelFacts(licence=licence))["licence"] == points


@pytest.mark.parametrize("lineage, points", [("declared", 10), ("inferred", 5), (None, 0)])
def test_lineage_declared_beats_inferred(lineage, points):
    assert record_parts(ModelFacts(lineage=lineage))["lineage"] == points


def test_datasets_named():
    assert record_parts(ModelFacts(datasets=0))["datasets"] == 0
    assert record_parts(ModelFacts(datasets=2))["datasets"] == 10


@pytest.mark.parametrize(
    "facts, points",
    [
        (ModelFacts(card_data=True, model_index=[{"name": "m", "results": [{"task": {"type": "x"}}]}]), 15),
        (ModelFacts(card_data=True, model_index=[{"name": "m", "results": []}], tags=["model-index"]), 0),
        (ModelFacts(card_data=True, model_index={"results": [1]}), 0),  # not a list: no model-index
        (ModelFacts(tags=["model-index"]), 15),  # no card data: the Hub's tag says it
        (ModelFacts(), 0),
    ],
)
def test_evaluations_are_results_in_the_model_index(facts, points):
    assert record_parts(facts)["evaluations"] == points


def test_safetensors_from_files_or_the_tag():
    assert record_parts(ModelFacts(safetensors_files=True))["safetensors"] == 10
    assert record_parts(ModelFacts(tags=["transformers", "safetensors"]))["safetensors"] == 10
    assert record_parts(ModelFacts(tags=["pytorch"]))["safetensors"] == 0


@pytest.mark.parametrize(
    "standing, parts",
    [
        (Standing(), {"recent": 0, "downloads": 0, "likes": 0}),
        (Standing(age_days=30, downloads_rank=1.0, likes_rank=1.0), {"recent": 10, "downloads": 10, "likes": 5}),
        (Standing(age_days=410, downloads_rank=0.74, likes_rank=0.9), {"recent": 5, "downloads": 7, "likes": 5}),
        (Standing(age_days=1000, downloads_rank=1 / 3, likes_rank=1 / 3), {"recent": 0, "downloads": 3, "likes": 2}),
        (Standing(age_days=-0.5), {"recent": 10, "downloads": 0, "likes": 0}),
    ],
)
def test_the_catalogs_components(standing, parts):
    assert catalog_parts(standing) == parts


# --- through ingestion, on a real PostgreSQL --------------------------------------------------

NEWEST = datetime(2024, 7, 1, tzinfo=UTC)
TASK = "text-generation"


def day(days_before: int) -> str:
    return (NEWEST - timedelta(days=days_before)).isoformat().replace("+00:00", "Z")


MODEL_INDEX = [{"name": "full", "results": [{"task": {"type": TASK}, "metrics": [{"type": "acc", "value": 0.5}]}]}]
RECORDS = [
    {"id": "a/root", "pipeline_tag": TASK, "downloads": 0, "likes": 0, "createdAt": day(410), "tags": []},
    {
        "id": "a/full",
        "pipeline_tag": TASK,
        "downloads": 30,
        "likes": 3,
        "createdAt": day(0),
        "lastModified": day(0),
        "tags": ["license:apache-2.0", "dataset:squad", "base_model:finetune:a/root"],
        "cardData": {"license": "apache-2.0", "model-index": MODEL_INDEX},
        "card": "x" * 3000,
        "siblings": [{"rfilename": "model.safetensors"}, {"rfilename": "README.md"}],
    },
    {
        "id": "b/inferred",
        "pipeline_tag": TASK,
        "downloads": 10,
        "likes": 1,
        "createdAt": day(1000),
        "tags": ["base_model:a/root", "license:other", "model-index"],
    },
    {
        "id": "c/card-data",
        "pipeline_tag": TASK,
        "downloads": 20,
        "likes": 2,
        "createdAt": day(30),
        "tags": ["model-index"],
        "cardData": {"license": "mit", "model-index": [{"name": "c", "results": []}]},
        "siblings": [{"rfilename": "pytorch_model.bin"}],
    },
    {
        "id": "d/alone",
        "pipeline_tag": "image-classification",
        "downloads": 5,
        "likes": 9,
        "createdAt": day(410),
        "tags": ["safetensors"],
    },
]
# Written down from the rules: the percentiles among the four text-generation models (downloads
# 0, 10, 20, 30 and likes 0, 1, 2, 3 rank 0, 1/3, 2/3, 1); d/alone is the only model of its task.
EXPECTED = {
    "a/full": {
        **{"card": 20, "licence": 10, "lineage": 10, "datasets": 10, "evaluations": 15, "safetensors": 10},
        **{"recent": 10, "downloads": 10, "likes": 5},
    },
    "a/root": {
        **{"card": 0, "licence": 0, "lineage": 0, "datasets": 0, "evaluations": 0, "safetensors": 0},
        **{"recent": 5, "downloads": 0, "likes": 0},
    },
    "b/inferred": {
        **{"card": 0, "licence": 3, "lineage": 5, "datasets": 0, "evaluations": 15, "safetensors": 0},
        **{"recent": 0, "downloads": 3, "likes": 2},
    },
    "c/card-data": {
        **{"card": 5, "licence": 10, "lineage": 0, "datasets": 0, "evaluations": 0, "safetensors": 0},
        **{"recent": 10, "downloads": 7, "likes": 3},
    },
    "d/alone": {
        **{"card": 0, "licence": 0, "lineage": 0, "datasets": 0, "evaluations": 0, "safetensors": 10},
        **{"recent": 5, "downloads": 0, "likes": 0},
    },
}
TOTALS = {"a/full": 100, "c/card-data": 35, "b/inferred": 28, "d/alone": 15, "a/root": 5}


@pytest.fixture
def scored(db):
    ingest(db, RECORDS)
    return db


def stored(db) -> dict[str, tuple[int | None, dict, int | None]]:
    with db.session() as session:
        rows = session.execute(
            text("SELECT m.repo_id, m.quality, m.quality_parts, s.quality FROM models m JOIN model_search s USING (id)")
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_ingest_scores_every_component_and_the_total(scored):
    found = stored(scored)
    assert {repo_id: parts for repo_id, (_, parts, _) in found.items()} == EXPECTED
    assert {repo_id: total for repo_id, (total, _, _) in found.items()} == TOTALS
    assert all(total == mirrored for total, _, mirrored in found.values())  # model_search follows


def test_a_list_record_keeps_the_stored_cards_points_and_others_move_with_the_catalog(scored):
    # a/full again without card, card data or files (a list page): its stored ones still count.
    # b/inferred's downloads pass c/card-data's: the percentiles of both change, c's with no record.
    ingest(
        scored,
        [
            {**RECORDS[1], "downloads": 31, "card": None, "cardData": None, "siblings": None},
            {**RECORDS[2], "downloads": 25},
        ],
    )
    found = stored(scored)
    assert found["a/full"][:2] == (100, EXPECTED["a/full"])
    assert found["b/inferred"][1]["downloads"] == 7 and found["b/inferred"][0] == 32
    assert found["c/card-data"][1]["downloads"] == 3 and found["c/card-data"][0] == 31
    assert found["c/card-data"][2] == 31


def test_an_unchanged_catalog_writes_no_score(scored):
    with scored.session() as session:
        assert quality.refresh_quality(session) == 0
        assert not quality.stale_scores(session)


def test_a_run_cut_short_before_scoring_is_scored_by_the_next(scored):
    with scored.session() as session:
        session.execute(text("UPDATE models SET quality = NULL WHERE repo_id = 'a/root'"))
        session.commit()
    ingest(scored, RECORDS)  # nothing new: every record is unchanged
    assert stored(scored)["a/root"][0] == 5


# --- search and the API -----------------------------------------------------------------------


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json
    return [model["id"] for model in response.json["data"]]


def test_sort_by_quality_both_ways_and_by_cursor(client, scored):
    ranked = sorted(TOTALS, key=lambda repo_id: -TOTALS[repo_id])
    assert ids(client.get("/api/v1/models?sort=quality")) == ranked
    assert ids(client.get("/api/v1/models?sort=quality&order=asc")) == ranked[::-1]
    first = client.get("/api/v1/models?sort=quality&per_page=2")
    assert ids(first) == ranked[:2]
    cursor = first.json["meta"]["next_cursor"]
    assert ids(client.get(f"/api/v1/models?sort=quality&per_page=2&cursor={cursor}")) == ranked[2:4]
    assert [m["quality"] for m in client.get("/api/v1/models?sort=quality").json["data"]] == [100, 35, 28, 15, 5]


@pytest.mark.parametrize("least", [0, 15, 16, 35, 100])
def test_min_quality_keeps_the_models_scored_at_least_that(client, scored, least):
    expected = {repo_id for repo_id, total in TOTALS.items() if total >= least}
    assert set(ids(client.get(f"/api/v1/models?min_quality={least}"))) == expected
    with_task = ids(client.get(f"/api/v1/models?min_quality={least}&pipeline_tag=image-classification"))
    assert set(with_task) == expected & {"d/alone"}


@pytest.mark.parametrize("value", ["101", "-1", "high", "5.5"])
def test_a_bad_min_quality_is_a_400_naming_it(client, scored, value):
    response = client.get(f"/api/v1/models?min_quality={value}")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "INVALID_PARAMETER"
    assert response.json["error"]["details"]["parameter"] == "min_quality"


def test_the_detail_has_the_score_and_its_breakdown(client, scored):
    data = client.get("/api/v1/models/b/inferred").json["data"]
    assert data["quality"] == 28
    breakdown = data["quality_breakdown"]
    assert [part["component"] for part in breakdown] == [c.name for c in COMPONENTS]
    assert {part["component"]: part["points"] for part in breakdown} == EXPECTED["b/inferred"]
    assert breakdown[0] == {"component": "card", "label": "Model card", "points": 0, "weight": 20}
    assert sum(part["points"] for part in breakdown) == data["quality"]


def test_every_listed_model_carries_its_score(client, scored):
    assert {m["id"]: m["quality"] for m in client.get("/api/v1/models").json["data"]} == TOTALS
    trending = client.get("/api/v1/trending").json["data"]
    assert trending and all(m["quality"] == TOTALS[m["id"]] for m in trending)
    author = client.get("/api/v1/authors/a").json["data"]
    assert {m["id"]: m["quality"] for m in author["top_models"]} == {"a/full": 100, "a/root": 5}


def test_openapi_documents_the_sort_the_filter_and_the_components(client):
    document = client.get("/api/v1/openapi.json").json
    search = {p["name"]: p for p in document["paths"]["/api/v1/models"]["get"]["parameters"]}
    assert "quality" in search["sort"]["schema"]["anyOf"][0]["enum"]
    assert search["min_quality"]["schema"]["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 100}
    detail = document["paths"]["/api/v1/models/{repo_id}"]["get"]["description"]
    assert all(f"| `{c.name}` | {c.weight} |" in detail for c in COMPONENTS)


# --- dashboard --------------------------------------------------------------------------------


def test_the_model_page_shows_the_score_and_each_components_points(scored):
    children, _ = model_page.layout(scored, [], repo_id="c/card-data")
    parts = [c for c in walk(children) if getattr(c, "className", None) == "quality-part"]
    rows = {getattr(c, "data-component"): text_of(c) for c in parts}
    assert list(rows) == [c.name for c in COMPONENTS]
    assert rows["card"].startswith("Model card 5 / 20") and "README" in rows["card"]
    assert rows["downloads"].startswith("Downloads within its task 7 / 10")
    assert "quality 35/100" in text_of(children)


def test_a_model_not_scored_yet_says_so():
    assert "Not computed yet" in text_of(page.quality(None, quality.breakdown(None)))


def test_the_analytics_histogram_counts_models_per_10_points(scored):
    with scored.session(read_only=True) as session:
        whole = analytics.quality_histogram(session, SearchQuery())
        tasks = analytics.quality_histogram(session, SearchQuery(pipeline_tag=[TASK]))
    # 5, 15, 28, 35, 100: buckets 0-9 … 90-100, empty ones between included.
    assert [(b.low, b.high, b.count) for b in whole.buckets] == [
        (0, 9, 1),
        (10, 19, 1),
        (20, 29, 1),
        (30, 39, 1),
        *((low, low + 9, 0) for low in range(40, 90, 10)),
        (90, 100, 1),
    ]
    assert [(b.low, b.count) for b in tasks.buckets if b.count] == [(0, 1), (20, 1), (30, 1), (90, 1)]
    body = analytics_page.chart(scored, "quality", "pipeline_tag=text-generation")
    figure = next(c for c in walk(body) if getattr(c, "figure", None) is not None).figure
    assert figure.data[0].customdata[0] == "/?min_quality=0&order=asc&pipeline_tag=text-generation&sort=quality"


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture
def site(fresh_database_url, live_server):
    from app.factory import create_app
    from app.settings import Settings
    from data.db import Database
    from tests.stack import TEST_SECRET_KEY

    database = Database.from_urls(fresh_database_url)
    ingest(database, RECORDS)
    yield live_server(create_app(Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url), database))
    database.dispose()


def test_the_model_page_draws_the_breakdown_in_a_browser(browser, site):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.server_url = site
    browser.driver.get(f"{site}/models/b/inferred")
    WebDriverWait(browser.driver, 10).until(lambda driver: driver.find_elements("css selector", ".quality-total"))
    assert browser.find_element(".quality-total").text == "28"
    points = [cell.text for cell in browser.driver.find_elements("css selector", ".model-quality .quality-points")]
    assert points == [f"{EXPECTED['b/inferred'][c.name]} / {c.weight}" for c in COMPONENTS]
    assert "quality 28/100" in browser.find_element(".model-badges").text
    assert browser.get_logs() == []
