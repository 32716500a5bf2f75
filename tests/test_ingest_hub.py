"""Ingestion from a Hub through huggingface_hub, against a fake Hub on 127.0.0.1."""

import pytest
from click.testing import CliRunner

from app.cli import main
from data.db import Database
from data.ingest.hub import HubError, HubSource
from data.ingest.pipeline import ingest
from tests.catalog_state import catalog_state, counts, model
from tests.family import family_records
from tests.hubserver import FakeHub


def family() -> list[dict]:
    records = family_records()
    for number, record in enumerate(records):  # list items carry lastModified when expanded
        record.setdefault("lastModified", f"2024-0{number % 9 + 1}-15T00:00:00.000Z")
    return records


@pytest.fixture
def hub():
    with FakeHub(family(), page_size=2) as fake:
        yield fake


def test_every_page_is_followed_and_stored(db, hub):
    summary = ingest(db, HubSource(hub.url, sort="downloads"))
    assert summary.new == 9 and summary.skipped == 0
    listing = [r for r in hub.requests if r["path"] == "/api/models"]
    assert len(listing) == 5  # 9 models, 2 a page, followed through Link headers
    first = listing[0]["query"]
    assert first["sort"] == ["downloads"] and "cardData" in first["expand[]"]
    assert model(db, "lab/base-7b-chat")["derivative_count"] == 2


def test_limit_stops_early(db, hub):
    summary = ingest(db, HubSource(hub.url, sort="downloads", limit=3))
    assert summary.new == 3
    assert counts(db)["models"] == 3
    assert model(db, "acme/base-7b")["downloads"] == 900000  # the most downloaded came first


def test_rate_limits_and_server_errors_are_retried(db, hub, no_waiting):
    hub.fail_next(429, retry_after=7)
    hub.fail_next(500, times=2)
    hub.fail_next(503)
    summary = ingest(db, HubSource(hub.url))
    assert summary.new == 9
    assert no_waiting[0] == 8  # Retry-After honoured (huggingface_hub adds a second)
    assert len(no_waiting) == 4


def test_a_garbled_page_is_asked_for_again(db, hub, monkeypatch):
    monkeypatch.setattr("data.ingest.hub.time.sleep", lambda seconds: None)
    hub.garble_next(times=2)
    assert ingest(db, HubSource(hub.url)).new == 9


def test_a_hub_that_keeps_failing_ends_the_run_with_a_clear_error(db, hub, no_waiting):
    hub.fail_next(500, times=100)
    with pytest.raises(HubError, match="refused"):
        ingest(db, HubSource(hub.url))


def test_a_stalled_hub_times_out_and_is_retried(db, hub, no_waiting):
    hub.delay_next(2.0)
    assert ingest(db, HubSource(hub.url, timeout=0.5)).new == 9


def test_details_bring_files_and_card_data(db, hub):
    records = family()
    records[0]["siblings"] = [{"rfilename": "model.safetensors", "size": 14_000_000_000}]
    records[0]["cardData"] = {"license": "apache-2.0", "datasets": ["acme/extra"]}
    hub.set_models(records)
    summary = ingest(db, HubSource(hub.url, details=True))
    assert summary.new == 9
    state = catalog_state(db)
    assert ("acme/base-7b", "model.safetensors", 14_000_000_000) in state["files"]
    assert ("acme/base-7b", "acme/extra", "card_data") in state["datasets"]
    details = [r for r in hub.requests if r["path"].startswith("/api/models/")]
    assert len(details) == 9 and details[0]["query"]["blobs"] == ["true"]


def test_details_bring_the_readme_as_the_searchable_card(db, hub):
    hub.readmes = {
        "acme/base-7b": "---\nlicense: mit\n---\n# Base\n"
        "Trained with <b>low-rank adaptation</b> on cats: loss < 2 & fast."
    }
    ingest(db, HubSource(hub.url, details=True))
    from data.query import SearchQuery
    from data.search import search

    with db.session() as session:
        found = search(session, SearchQuery(card='"low-rank adaptation" -dogs'))
        assert [m.repo_id for m in found.models] == ["acme/base-7b"]
        assert "<mark>low</mark>-<mark>rank</mark> <mark>adaptation</mark>" in found.models[0].snippet
        snippet = found.models[0].snippet
        assert "<b>" not in snippet and "&lt; 2 &amp; fast" in snippet  # the card's text is escaped
        assert search(session, SearchQuery(card="cats -trained")).models == []
    readmes = [r for r in hub.requests if r["path"].endswith("/README.md")]
    assert len(readmes) == 9  # one per model; those without a README answer 404 and keep no card


def test_a_detail_that_fails_is_skipped_and_reported(db, hub, no_waiting):
    hub.fail_next(404, times=1, path_prefix="/api/models/odd/cycle-a")
    summary = ingest(db, HubSource(hub.url, details=True))
    assert summary.new == 8 and summary.skipped == 1
    assert summary.skip_examples[0][0] == "odd/cycle-a"


def cli(url: str, hub: FakeHub, *args: str):
    env = {"CATALOG_DATABASE_URL": url, "HF_ENDPOINT": hub.url}
    return CliRunner().invoke(main, ["ingest", "hub", *args], env=env)


def test_incremental_runs_fetch_only_what_changed(fresh_database_url, hub):
    first = cli(fresh_database_url, hub, "--sort", "lastModified")
    assert first.exit_code == 0, first.output
    assert "new 9" in first.output
    changed = family()
    changed[1] |= {"downloads": 1, "lastModified": "2025-06-01T00:00:00.000Z"}
    hub.set_models(changed)
    before = len(hub.requests)
    second = cli(fresh_database_url, hub, "--sort", "lastModified")
    assert second.exit_code == 0, second.output
    assert "new 0 · updated 1 · unchanged" in second.output
    assert "modified since 2024-11-05" in second.output
    assert len(hub.requests) - before == 1  # one page: the listing stops at the high-water mark
    db = Database.from_urls(fresh_database_url)
    assert model(db, "lab/base-7b-chat")["downloads"] == 1
    db.dispose()


def test_cli_reports_an_unreachable_hub_and_fails(fresh_database_url, unused_port, no_waiting):
    result = CliRunner().invoke(
        main,
        ["ingest", "hub", "--limit", "5"],
        env={"CATALOG_DATABASE_URL": fresh_database_url, "HF_ENDPOINT": f"http://127.0.0.1:{unused_port}"},
    )
    assert result.exit_code != 0
    assert "cannot reach the Hub" in result.output and "HF_ENDPOINT" in result.output


@pytest.fixture
def elsewhere():
    """Another server on 127.0.0.1: its request log says whether it was called, with what token."""
    with FakeHub(family(), page_size=2) as other:
        yield other


def authorizations(hub: FakeHub) -> list[str | None]:
    return [request["authorization"] for request in hub.requests]


def test_the_token_goes_to_the_hub_with_every_page(db, hub):
    assert ingest(db, HubSource(hub.url, token="hf_secret")).new == 9
    assert authorizations(hub) == ["Bearer hf_secret"] * 5


def test_a_next_link_off_the_hub_is_not_followed_and_no_token_goes_there(db, elsewhere):
    with FakeHub(family(), page_size=2, next_base=elsewhere.url) as hub:
        with pytest.raises(HubError, match=f"links its next page to '{elsewhere.url}/api/models?"):
            ingest(db, HubSource(hub.url, token="hf_secret"))
        assert authorizations(hub) == ["Bearer hf_secret"]
    assert elsewhere.requests == []
    assert counts(db)["models"] == 0


def test_a_redirect_off_the_hub_is_not_read_and_carries_no_token(db, hub, elsewhere):
    hub.redirect_next(f"{elsewhere.url}/api/models")
    with pytest.raises(HubError, match=f"was redirected to {elsewhere.url}/api/models"):
        ingest(db, HubSource(hub.url, token="hf_secret"))
    assert authorizations(elsewhere) == [None]  # httpx drops the token across origins


def test_a_page_over_the_size_cap_is_not_read(db, hub):
    with pytest.raises(HubError, match="answered more than 500 bytes; not read"):
        ingest(db, HubSource(hub.url, max_page_bytes=500))
    assert ingest(db, HubSource(hub.url, max_page_bytes=50_000)).new == 9


def test_a_page_with_more_models_than_asked_for_is_refused(db):
    with (
        FakeHub(family(), page_size=5, honour_limit=False) as hub,
        pytest.raises(HubError, match="answered 5 models for a page of 3; not read"),
    ):
        ingest(db, HubSource(hub.url, limit=3))


def test_a_page_cut_short_is_asked_for_again(db, hub, monkeypatch):
    monkeypatch.setattr("data.ingest.hub.time.sleep", lambda seconds: None)
    hub.cut_next(times=2)
    assert ingest(db, HubSource(hub.url)).new == 9


def test_a_page_that_stays_broken_ends_the_run_with_a_clear_error(db, hub, monkeypatch):
    monkeypatch.setattr("data.ingest.hub.time.sleep", lambda seconds: None)
    hub.garble_next(times=3)
    with pytest.raises(HubError, match="answered a body cut short or not JSON 3 times"):
        ingest(db, HubSource(hub.url))
