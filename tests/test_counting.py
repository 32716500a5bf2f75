"""data/counting.py: counts of a dimension's values over the models a search selects, exact or
from a block sample, and the whole catalog's from the facet_counts view."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data import counting
from data.counting import Matches
from data.ingest.pipeline import ingest
from data.models import SearchRow


def record(repo_id, task=None, library=None, tags=(), created=None, parent=None, relation="finetune"):
    fields = {
        "id": repo_id,
        "downloads": 10,
        "pipeline_tag": task,
        "library_name": library,
        "createdAt": created,
        "tags": [*tags, *([f"base_model:{relation}:{parent}"] if parent else [])],
    }
    return {key: value for key, value in fields.items() if value is not None}


RECORDS = [
    record("a/one", "text-generation", "transformers", ["en", "fr", "license:mit"], "2024-01-15T10:00:00Z"),
    record(
        "a/two", "text-generation", "transformers", ["en", "license:apache-2.0"], "2024-01-20T10:00:00Z", parent="a/one"
    ),
    record("b/three", "text-generation", "gguf", ["license:mit"], "2024-03-02T10:00:00Z", "a/two", "quantized"),
    record("b/four", "image-classification", "timm", ["de", "license:mit"], "2024-02-10T10:00:00Z"),
    record("c/five", parent="a/one", relation="adapter"),  # no task, library, licence nor date
]
TEXT_GENERATION = [SearchRow.pipeline_tag == "text-generation"]


@pytest.fixture
def catalog(db):
    ingest(db, RECORDS)  # refreshes facet_counts too
    return db


def values(counts: counting.Counts) -> dict[str, int]:
    return {row["value"]: row["count"] for row in counts.values}


def count(db, name, conditions, limit=10, expected=None):
    with db.session(read_only=True) as session:
        return counting.count_values(session, name, conditions, limit, expected)


def test_exact_matches_scale_counts_by_one_and_samples_round_up_to_at_least_one():
    exact, sampled = Matches(rows=None, scale=1.0), Matches(rows=None, scale=2.5)
    assert exact.exact and not sampled.exact
    assert [exact.scaled(n) for n in (0, 1, 7)] == [0, 1, 7]
    assert [sampled.scaled(n) for n in (0, 1, 3, 4)] == [1, 2, 8, 10]  # round half to even: 2.5 → 2, 7.5 → 8


def test_a_filtered_count_of_few_matches_is_exact(catalog):
    libraries = count(catalog, "library", TEXT_GENERATION)
    assert libraries.exact
    assert libraries.values == [{"value": "transformers", "count": 2}, {"value": "gguf", "count": 1}]
    assert values(count(catalog, "license", TEXT_GENERATION)) == {"mit": 2, "apache-2.0": 1}
    assert values(count(catalog, "author", TEXT_GENERATION)) == {"a": 2, "b": 1}


def test_ties_are_broken_by_value_and_the_limit_cuts_the_rest(catalog):
    tasks = count(catalog, "pipeline_tag", [SearchRow.author.in_(["a", "b", "c"])])
    assert tasks.values == [{"value": "text-generation", "count": 3}, {"value": "image-classification", "count": 1}]
    authors = count(catalog, "author", [SearchRow.downloads > 0], limit=2)
    assert authors.values == [{"value": "a", "count": 2}, {"value": "b", "count": 2}]  # c (1) cut


def test_months_come_in_order_unlimited_and_models_without_a_date_are_not_counted(catalog):
    months = count(catalog, "created_month", [SearchRow.downloads > 0], limit=1)
    assert months.values == [
        {"value": "2024-01", "count": 2},
        {"value": "2024-02", "count": 1},
        {"value": "2024-03", "count": 1},
    ]


def test_languages_and_relation_types_are_counted_in_their_own_tables(catalog):
    assert values(count(catalog, "language", [SearchRow.author == "a"])) == {"en": 2, "fr": 1}
    assert values(count(catalog, "relation_type", [SearchRow.downloads > 0])) == {
        "finetune": 1,
        "quantized": 1,
        "adapter": 1,
    }
    assert count(catalog, "relation_type", [SearchRow.author == "b"]).values == [{"value": "quantized", "count": 1}]


def test_several_dimensions_from_one_read(catalog):
    with catalog.session(read_only=True) as session:
        found = counting.count_dimensions(session, ["library", "language", "created_month"], TEXT_GENERATION, 10)
    assert set(found) == {"library", "language", "created_month"}
    assert values(found["library"]) == {"transformers": 2, "gguf": 1}
    assert values(found["language"]) == {"en": 2, "fr": 1}
    assert values(found["created_month"]) == {"2024-01": 2, "2024-03": 1}
    assert all(counts.exact for counts in found.values())


def test_no_conditions_read_the_whole_catalogs_view(catalog):
    tasks = count(catalog, "pipeline_tag", [])
    assert tasks.exact
    assert tasks.values == [{"value": "text-generation", "count": 3}, {"value": "image-classification", "count": 1}]
    assert count(catalog, "library", [], limit=1).values == [{"value": "transformers", "count": 2}]
    assert values(count(catalog, "created_month", [], limit=1)) == {"2024-01": 2, "2024-02": 1, "2024-03": 1}


def test_the_view_is_what_was_last_refreshed(db):
    """The whole catalog's counts are the view's, not the table's, until the next refresh."""
    ingest(db, RECORDS[:1])
    with db.session() as session:
        session.execute(text("DELETE FROM models"))
        session.commit()
    assert values(count(db, "library", [])) == {"transformers": 1}
    assert count(db, "library", [SearchRow.downloads > 0]).values == []


def test_catalog_totals(catalog):
    with catalog.session(read_only=True) as session:
        totals = counting.catalog_totals(session)
    assert totals == {
        "total": {"models": 5, "with_base_model": 3, "authors": 3},
        "relation_type": {"finetune": 1, "quantized": 1, "adapter": 1},
    }


def test_the_catalog_size_is_the_planners_count(catalog):
    with catalog.session() as session:
        session.execute(text("ANALYZE model_search"))
        assert counting.catalog_size(session) == 5


def test_a_sampled_count_reads_every_block_of_a_small_table(catalog):
    """COUNT_SAMPLE_ROWS (8,000) is above the table's size: the sample is the whole table."""
    with catalog.session() as session:
        session.execute(text("ANALYZE model_search"))
        assert counting.sampled_count(session, TEXT_GENERATION) == 3
        assert counting.sampled_count(session, [SearchRow.author == "nobody"]) == 0


def test_few_expected_matches_are_read_whole(catalog):
    with catalog.session(read_only=True) as session:
        found = counting.matches(session, TEXT_GENERATION, [SearchRow.library_name], expected=19_999)
        assert found.exact and found.scale == 1.0
        rows = session.execute(found.rows.select().order_by(found.rows.c.library_name)).all()
    assert [row.library_name for row in rows] == ["gguf", "transformers", "transformers"]


def test_many_expected_matches_are_sampled_and_scaled(catalog):
    """20,000 expected matches and a sample aiming at 5,000: a quarter of the blocks, counts × 4."""
    with catalog.session() as session:
        session.execute(text("ANALYZE model_search"))
        found = counting.matches(session, TEXT_GENERATION, [], expected=20_000)
        assert not found.exact and found.scale == 4.0
        halved = counting.matches(session, TEXT_GENERATION, [], expected=20_000, sample_size=10_000)
        assert halved.scale == 2.0


def test_a_sample_reads_at_most_its_share_of_a_large_table(catalog, monkeypatch):
    """Over 40,000 models, 20,000 rows are half: even for a sample that aims at all matches."""
    monkeypatch.setattr(counting, "catalog_size", lambda session: 40_000)
    with catalog.session(read_only=True) as session:
        assert counting.matches(session, TEXT_GENERATION, [], expected=20_000, sample_size=20_000).scale == 2.0


def test_sampled_counts_are_marked_as_estimates(catalog, monkeypatch):
    monkeypatch.setattr(counting, "SAMPLE_ABOVE", 0)
    monkeypatch.setattr(counting, "SAMPLE_SIZE", 100)  # 100 of 100 expected: every block, scale 1
    exact_sample = count(catalog, "library", TEXT_GENERATION, expected=100)
    assert exact_sample.exact and values(exact_sample) == {"transformers": 2, "gguf": 1}
    monkeypatch.setattr(counting, "SAMPLE_SIZE", 50)  # half the blocks, counts × 2
    with catalog.session(read_only=True) as session:
        assert counting.matches(session, TEXT_GENERATION, [], expected=100).scale == 2.0
    assert not count(catalog, "library", TEXT_GENERATION, expected=100).exact
