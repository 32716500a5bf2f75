"""Analytics, trending and author pages: aggregations on a real PostgreSQL, figures, callbacks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from dash import dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import text

from callbacks import analytics as analytics_page
from callbacks import author as author_page
from callbacks import trending as trending_page
from components import analytics as view
from components import pages
from data import analytics, counting
from data import catalog as catalog_module
from data.analytics import Bucket, Family, Histogram, MonthlyCounts, Series
from data.ingest.pipeline import ingest
from data.models import Model
from data.query import SearchQuery
from data.search import estimate_rows, filters
from tests.dash_tree import find
from tests.factories import add_models


def record(repo_id, task=None, created=None, downloads=0, library=None, parents=(), relation="finetune", trending=None):
    fields = {
        "id": repo_id,
        "downloads": downloads,
        "pipeline_tag": task,
        "library_name": library,
        "createdAt": created,
        "trendingScore": trending,
        "tags": [f"base_model:{relation}:{parent}" for parent in parents],
    }
    return {key: value for key, value in fields.items() if value is not None}


# A family a/base ← a/chat ← b/gguf and a/base ← b/lora, plus unrelated models.
RECORDS = [
    record("a/base", "text-generation", "2024-01-15T10:00:00Z", 1_000_000, "transformers", trending=50),
    record("a/chat", "text-generation", "2024-01-20T10:00:00Z", 5_000, "transformers", ["a/base"], trending=10),
    record("b/gguf", "text-generation", "2024-03-02T10:00:00Z", 50, "gguf", ["a/chat"], "quantized"),
    # 02:00 UTC on 1 April: still March in New York, April for the catalog (months are UTC).
    record("b/lora", None, "2024-04-01T02:00:00Z", 0, "peft", ["a/base"], "adapter"),
    record("c/vision", "image-classification", "2024-02-10T10:00:00Z", 300, "timm", trending=5),
    record("c/vision2", "image-classification", "2024-03-10T10:00:00Z", 1, "timm"),
    record("d/undated", "text-generation", None, 7, "transformers"),
]


@pytest.fixture
def catalog(db):
    ingest(db, RECORDS)  # also refreshes lineage_counts and author_stats
    return db


def run(db, function, **query):
    with db.session(read_only=True) as session:
        return function(session, SearchQuery(**query))


def by_label(counts: MonthlyCounts) -> dict[str, list[int]]:
    return {s.label: s.counts for s in counts.series}


# --- data ----------------------------------------------------------------------------------


def test_tasks_by_month_counts_every_dated_model_once(catalog):
    counts = run(catalog, analytics.tasks_by_month)
    assert counts.months == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert by_label(counts) == {
        "text-generation": [2, 0, 1, 0],
        "image-classification": [0, 1, 1, 0],
        "no task": [0, 0, 0, 1],
    }
    assert [s.value for s in counts.series] == ["text-generation", "image-classification", None]


def test_tasks_beyond_the_top_fold_into_other(catalog):
    with catalog.session(read_only=True) as session:
        counts = analytics.tasks_by_month(session, SearchQuery(), top=1)
    assert by_label(counts) == {"text-generation": [2, 0, 1, 0], "other": [0, 1, 1, 0], "no task": [0, 0, 0, 1]}


def test_tasks_by_month_honours_the_search_filters(catalog):
    counts = run(catalog, analytics.tasks_by_month, pipeline_tag=["image-classification"])
    assert counts.months == ["2024-02", "2024-03"]
    assert by_label(counts) == {"image-classification": [1, 1]}


def test_months_are_utc_whatever_the_session_time_zone(catalog):
    with catalog.session(read_only=True) as session:
        session.execute(text("SET timezone = 'America/New_York'"))
        counts = analytics.tasks_by_month(session, SearchQuery(library=["peft"]))
    assert counts.months == ["2024-04"]


def test_edges_by_month_go_by_the_derivatives_month(catalog):
    counts = run(catalog, analytics.edges_by_month)
    assert counts.months == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert by_label(counts) == {"finetune": [1, 0, 0, 0], "adapter": [0, 0, 0, 1], "quantized": [0, 0, 1, 0]}


def test_edges_by_month_of_derivatives_of_one_base(catalog):
    # base_model filters with a subquery on the same edge table: it must not bind to the joined edge
    counts = run(catalog, analytics.edges_by_month, base_model="a/base", relation=["adapter"])
    assert by_label(counts) == {"adapter": [1]}
    assert run(catalog, analytics.edges_by_month, base_model="a/base").months == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]


def test_downloads_histogram_has_every_order_of_magnitude(catalog):
    histogram = run(catalog, analytics.downloads_histogram)
    assert histogram.exact
    assert [(b.low, b.high, b.count) for b in histogram.buckets] == [
        (0, 0, 1),
        (1, 9, 2),
        (10, 99, 1),
        (100, 999, 1),
        (1000, 9999, 1),
        (10_000, 99_999, 0),
        (100_000, 999_999, 0),
        (1_000_000, 9_999_999, 1),
    ]
    filtered = run(catalog, analytics.downloads_histogram, library=["timm"])
    assert [(b.low, b.count) for b in filtered.buckets] == [(1, 1), (10, 0), (100, 1)]
    assert filtered.exact


def test_downloads_histogram_of_nothing_is_empty(catalog):
    assert run(catalog, analytics.downloads_histogram, author=["nobody"]) == Histogram([], True)


def test_largest_families_count_descendants_at_any_depth(catalog):
    families = run(catalog, analytics.largest_families)
    assert families == [
        Family("a/base", {"finetune": 1, "adapter": 1, "quantized": 1, "merge": 0}),
        Family("a/chat", {"finetune": 0, "adapter": 0, "quantized": 1, "merge": 0}),
    ]
    assert families[0].total == 3
    assert [f.repo_id for f in run(catalog, analytics.largest_families, library=["gguf", "peft"])] == []
    assert [f.repo_id for f in run(catalog, analytics.largest_families, q="chat")] == ["a/chat"]


def test_trending_tasks_count_only_trending_models(catalog):
    with catalog.session(read_only=True) as session:
        assert analytics.trending_tasks(session) == [
            {"value": "text-generation", "count": 2},
            {"value": "image-classification", "count": 1},
        ]


# --- whole catalog from the views, large results from a sample ------------------------------


def varied_records(count: int, offset: int = 0) -> list[dict]:
    """Models over many months, tasks (some none), downloads and lineage; some undated."""
    tasks = ["text-generation", "image-classification", "translation", None]
    records = []
    for i in range(offset, offset + count):
        created = None if i % 11 == 0 else f"20{21 + i % 3}-{1 + i % 12:02}-{1 + i % 28:02}T23:30:00Z"
        parents = [f"v/model-{i // 3}"] if i % 3 and i >= 3 else []
        records.append(
            record(
                f"v/model-{i}",
                tasks[i % 4],
                created,
                (7 ** (i % 9)) * (i % 2),
                parents=parents,
                relation=("finetune", "adapter", "quantized", "merge")[i % 4],
            )
        )
    return records


def sql_cells(db, statement: str) -> dict:
    with db.session(read_only=True) as session:
        return {tuple(row[:-1]): row[-1] for row in session.execute(text(statement))}


def nonzero_cells(counts: MonthlyCounts) -> dict:
    return {(month, s.label): n for s in counts.series for month, n in zip(counts.months, s.counts, strict=True) if n}


def assert_views_count_like_sql(db):
    everything = SearchQuery()
    tasks = run(db, lambda session, query: analytics.tasks_by_month(session, query, top=100))
    assert tasks.exact and nonzero_cells(tasks) == sql_cells(
        db,
        """
        SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM'), coalesce(pipeline_tag, 'no task'), count(*)
        FROM models WHERE created_at IS NOT NULL GROUP BY 1, 2""",
    )
    edges = run(db, analytics.edges_by_month)
    assert edges.exact and nonzero_cells(edges) == sql_cells(
        db,
        """
        SELECT to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM'), r.relation_type, count(*)
        FROM base_model_relations r JOIN models m ON m.id = r.model_id
        WHERE m.created_at IS NOT NULL GROUP BY 1, 2""",
    )
    histogram = run(db, analytics.downloads_histogram)
    magnitudes = sql_cells(db, "SELECT length(downloads::text) * sign(downloads), count(*) FROM models GROUP BY 1")
    assert histogram.exact and {
        (len(str(b.high)) if b.high else 0,): b.count for b in histogram.buckets if b.count
    } == {(int(d),): n for (d,), n in magnitudes.items()}
    with db.session(read_only=True) as session:
        assert analytics.largest_families(session, everything) == analytics.largest_families(
            session, SearchQuery(min_downloads=0)
        )  # the filtered path, not using the views' totals


def test_the_whole_catalog_is_read_from_views_that_each_ingest_refreshes(db):
    ingest(db, varied_records(60))
    assert_views_count_like_sql(db)
    ingest(db, varied_records(40, offset=60))  # a second, concurrent refresh
    assert_views_count_like_sql(db)
    assert sum(b.count for b in run(db, analytics.downloads_histogram).buckets) == 100
    add_models(db, "x/unrefreshed", created_at=None)  # not ingested: the views do not see it yet
    assert sum(b.count for b in run(db, analytics.downloads_histogram).buckets) == 100


def test_a_filter_with_few_matches_is_counted_exactly(catalog):
    tasks = run(catalog, analytics.tasks_by_month, library=["transformers"])
    assert tasks.exact and by_label(tasks) == {"text-generation": [2]}
    edges = run(catalog, analytics.edges_by_month, q="chat")
    assert edges.exact and by_label(edges) == {"finetune": [1]}  # a/chat, derived from a/base


def test_a_filter_with_many_matches_is_estimated_from_a_sample(catalog, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ABOVE", 0)
    monkeypatch.setattr(counting, "SAMPLE_SIZE", 0.5)  # below one match: always a part of the table
    broad = {"pipeline_tag": ["text-generation"]}
    with catalog.session(read_only=True) as session:
        assert estimate_rows(session, filters(SearchQuery(**broad))) == 1  # the planner's guess
    # The sample aims at 0.5 of 1 expected match: half the blocks, counts × 2. The bulk load wrote the
    # 7 models into one block, which the seeded sample takes: each count is the exact one doubled.
    tasks = run(catalog, analytics.tasks_by_month, **broad)
    assert not tasks.exact
    assert by_label(tasks) == {"text-generation": [4, 0, 2]}  # exactly 2, 0, 1
    histogram = run(catalog, analytics.downloads_histogram, **broad)
    assert not histogram.exact and [b.count for b in histogram.buckets] == [2, 2, 0, 2, 0, 0, 2]
    assert not run(catalog, analytics.edges_by_month, **broad).exact
    body = analytics_page.chart(catalog, "downloads", "pipeline_tag=text-generation")
    assert "estimated from a sample" in str(body)


def test_a_chart_of_estimates_says_so():
    figure = view.downloads_figure(Histogram([Bucket(0, 0, 1)]), SearchQuery())
    assert "estimated from a sample" in str(view.chart_body("downloads", figure, exact=False))
    assert "estimated" not in str(view.chart_body("downloads", figure))


# --- figures -------------------------------------------------------------------------------


def query_of(href: str) -> dict[str, list[str]]:
    parts = urlsplit(href)
    assert parts.path == "/"
    return parse_qs(parts.query)


MONTHLY = MonthlyCounts(
    ["2024-02", "2024-03"], [Series("text-generation", "text-generation", [3, 0]), Series("other", None, [1, 2])]
)


def test_a_month_bar_opens_the_search_of_its_month_and_task_within_the_filters():
    figure = view.tasks_figure(MONTHLY, SearchQuery(library=["peft"]))
    task, other = figure.data
    assert (task.name, list(task.y), other.name) == ("text-generation", [3, 0], "other")
    assert figure.layout.barmode == "stack"
    assert query_of(task.customdata[0]) == {
        "library": ["peft"],
        "pipeline_tag": ["text-generation"],
        "created_from": ["2024-02-01"],
        "created_to": ["2024-02-29"],
    }
    assert query_of(other.customdata[1]) == {
        "library": ["peft"],
        "created_from": ["2024-03-01"],
        "created_to": ["2024-03-31"],
    }


def test_a_lineage_bar_opens_the_derivatives_of_its_month():
    figure = view.lineage_figure(MonthlyCounts(["2023-12"], [Series("merge", "merge", [4])]), SearchQuery())
    assert query_of(figure.data[0].customdata[0]) == {
        "has_base_model": ["true"],
        "created_from": ["2023-12-01"],
        "created_to": ["2023-12-31"],
    }


def test_a_ranking_bar_replaces_its_own_filter_and_keeps_the_others():
    query = SearchQuery(library=["gguf"], min_likes=3, cursor="abc", page=4)
    figure = view.ranking_figure(
        [{"value": "transformers", "count": 9}, {"value": "peft", "count": 2}], query, "library"
    )
    assert list(figure.data[0].y) == ["transformers", "peft"]
    assert query_of(figure.data[0].customdata[0]) == {"library": ["transformers"], "min_likes": ["3"]}


def test_a_downloads_bar_lists_its_models_from_the_smallest():
    figure = view.downloads_figure(Histogram([Bucket(0, 0, 4), Bucket(1000, 9999, 2)]), SearchQuery())
    assert list(figure.data[0].x) == ["0", "1k+"]
    assert query_of(figure.data[0].customdata[1]) == {
        "min_downloads": ["1000"],
        "sort": ["downloads"],
        "order": ["asc"],
    }


def test_a_family_bar_lists_the_roots_direct_derivatives():
    figure = view.families_figure(
        [Family("a/base", {"finetune": 2, "adapter": 0, "quantized": 1, "merge": 0})], SearchQuery(author=["a"])
    )
    assert [trace.name for trace in figure.data] == ["finetune", "adapter", "quantized", "merge"]
    assert query_of(figure.data[2].customdata[0]) == {"base_model": ["a/base"]}


@pytest.mark.parametrize(
    "build",
    [
        lambda: view.tasks_figure(MonthlyCounts([], []), SearchQuery()),
        lambda: view.ranking_figure([], SearchQuery(), "license"),
        lambda: view.downloads_figure(Histogram([]), SearchQuery()),
        lambda: view.families_figure([]),
    ],
)
def test_nothing_to_draw_is_no_figure(build):
    assert build() is None


def test_an_empty_chart_is_said_in_words():
    body = view.chart_body("authors", None)
    assert "Nothing to chart" in str(body)
    assert isinstance(
        view.chart_body("authors", view.downloads_figure(Histogram([Bucket(0, 0, 1)]), SearchQuery())), dcc.Graph
    )


def test_the_filter_bar_removes_one_filter_at_a_time_and_links_to_search():
    bar = view.filter_bar(SearchQuery(pipeline_tag=["a", "b"], min_likes=2, sort="likes"), 12, True)
    links = {link.children[0].strip(): link.href for link in bar.children if isinstance(link, dcc.Link)}
    assert links["Task: a"] == "/analytics?min_likes=2&pipeline_tag=b"
    assert links["Likes ≥: 2"] == "/analytics?pipeline_tag=a&pipeline_tag=b"
    refine = [c for c in bar.children if isinstance(c, dcc.Link) and "analytics-refine" in c.className][0]
    assert refine.href == "/?min_likes=2&pipeline_tag=a&pipeline_tag=b&sort=likes"
    assert "12 models" in str(bar)


def test_the_filter_bar_says_when_nothing_matches():
    assert "No models match" in str(view.filter_bar(SearchQuery(author=["x"]), 0, True))
    assert "No models match" not in str(view.filter_bar(SearchQuery(), 5, False))


# --- callbacks, called directly --------------------------------------------------------------


def test_the_analytics_layout_keeps_the_canonical_query_and_ignores_junk(db):
    page, title = analytics_page.layout(db, [("pipeline_tag", "x"), ("min_downloads", "lots"), ("junk", "1")])
    assert title == "Analytics"
    store = find(page, lambda c: getattr(c, "id", None) == view.QUERY)
    assert store.data == "pipeline_tag=x"


def test_a_chart_callback_draws_the_filtered_result(catalog):
    graph = analytics_page.chart(catalog, "libraries", "pipeline_tag=text-generation")
    assert list(graph.figure.data[0].y) == ["transformers", "gguf"]
    assert list(graph.figure.data[0].x) == [3, 1]
    families = analytics_page.chart(catalog, "families", "author=a")
    assert list(families.figure.data[0].y) == ["a/base", "a/chat"]


def test_a_chart_of_nothing_is_an_empty_state(catalog):
    body = analytics_page.chart(catalog, "tasks", "author=nobody")
    assert isinstance(body, html.Div) and "Nothing to chart" in str(body)


def test_the_filter_bar_callback_counts_the_result(catalog):
    assert "2 models" in str(analytics_page.filter_bar(catalog, "library=timm"))


def test_the_charts_follow_the_address_bar_only_on_this_page():
    assert analytics_page.follow_address_bar("?library=b&library=a&x=1", "/analytics", "") == "library=a&library=b"
    for search, path, current in (
        ("?library=a", "/", ""),
        (None, "/analytics", ""),
        ("?library=a", "/analytics", "library=a"),
    ):
        with pytest.raises(PreventUpdate):
            analytics_page.follow_address_bar(search, path, current)


def test_a_click_yields_the_bars_search_url():
    assert analytics_page.href_of({"points": [{"customdata": "/?library=peft"}]}) == "/?library=peft"
    for click in (None, {"points": []}, {"points": [{"customdata": "javascript:alert(1)"}]}):
        with pytest.raises(PreventUpdate):
            analytics_page.href_of(click)


def test_the_trending_page_lists_trending_models_of_the_task(catalog):
    page, title = trending_page.layout(catalog, [("pipeline_tag", "image-classification")])
    assert title == "Trending"
    picker = find(page, lambda c: getattr(c, "id", None) == pages.TRENDING_TASKS)
    assert picker.value == ["image-classification"]
    assert "c/vision" in str(trending_page.results(catalog, ["image-classification"]))
    everything = str(trending_page.results(catalog, []))
    shown = [m for m in ("a/base", "a/chat", "c/vision", "b/gguf") if m in everything]
    assert shown == ["a/base", "a/chat", "c/vision"]
    assert "No trending models" in str(trending_page.results(catalog, ["translation"]))


def test_the_trending_page_says_what_it_ranks_by_and_shows_that_score(catalog, db):
    scored = trending_page.results(catalog, [])
    assert f"Ranked by {catalog_module.TREND_BASES['hub']}." in str(scored)
    with db.session() as session:  # a catalog without scores: a snapshot, no sync yet
        session.execute(text("UPDATE models SET trending_score = NULL, computed_trending = NULL"))
        session.commit()
    unscored = trending_page.results(catalog, [])
    assert f"Ranked by {catalog_module.TREND_BASES['likes_per_day']}." in str(unscored)
    rows = find(unscored, lambda c: getattr(c, "id", None) == pages.TRENDING_GRID).rowData
    with db.session(read_only=True) as session:
        expected = catalog_module.trending(session, trending_page.LIMIT, [])
    assert [(r["id"], r["trending"]) for r in rows] == [(m.repo_id, f"{m.trend.score:,.1f}/day") for m in expected]
    assert rows


def test_picked_tasks_go_to_the_address_bar_and_back():
    sync = trending_page.sync
    assert sync(pages.TRENDING_TASKS, ["b", "a"], "", "/trending") == (
        trending_page.no_update,
        "?pipeline_tag=a&pipeline_tag=b",
    )
    assert sync(pages.TRENDING_TASKS, [], "?pipeline_tag=a", "/trending") == (trending_page.no_update, "")
    assert sync(pages.TRENDING_URL, ["a"], "?pipeline_tag=c", "/trending") == (["c"], trending_page.no_update)
    for search, path in (("?pipeline_tag=a", "/trending"), ("?pipeline_tag=c", "/"), (None, "/trending")):
        with pytest.raises(PreventUpdate):
            sync(pages.TRENDING_URL, ["a"], search, path)


def test_the_author_page_shows_totals_and_top_models(catalog):
    page, title = author_page.layout(catalog, [], author="A")  # authors match whatever the case
    assert title == "a"
    shown = str(page)
    assert "1,005,000" in shown  # downloads of a/base and a/chat
    assert shown.index("a/base") < shown.index("a/chat")
    search = find(page, lambda c: "author-search" in (getattr(c, "className", None) or ""))
    assert search.href == "/?author=a"


def test_an_unknown_author_is_a_friendly_not_found(db):
    add_models(db, "someone/model")
    page, title = author_page.layout(db, [], author="nobody")
    assert title == "Author not found"
    assert "no models by “nobody”" in str(page)


def test_trending_tasks_include_models_ranked_by_our_own_score(catalog):
    from sqlalchemy import update

    with catalog.session() as session:  # a model the Hub gives no score, scored by data/sync.py
        session.execute(
            update(Model)
            .where(Model.pipeline_tag == "image-classification")
            .values(trending_score=None, computed_trending=5.0)
        )
        session.commit()
    with catalog.session(read_only=True) as session:
        tasks = {row["value"]: row["count"] for row in analytics.trending_tasks(session)}
        ranked = catalog_module.trending(session, 10, ["image-classification"])
    assert tasks["image-classification"] == len(ranked) >= 1
