"""An empty catalog is filled before serving: from the Hub when reachable, else a labelled sample."""

from click.testing import CliRunner

from app.cli import main
from app.first_run import fill_empty_catalog
from app.settings import Settings
from callbacks.router import page_for
from data.db import Database
from data.meta import is_synthetic
from tests.catalog_state import counts
from tests.family import FAMILY_JSON, family_records
from tests.hubserver import FakeHub
from tests.stack import TEST_SECRET_KEY


def test_unreachable_hub_gives_a_labelled_synthetic_sample_that_real_data_replaces(fresh_database_url, unused_port):
    settings = Settings(
        secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, hf_endpoint=f"http://127.0.0.1:{unused_port}"
    )
    db = Database.from_urls(fresh_database_url)
    fill_empty_catalog(settings, db, sample_size=500)
    assert counts(db)["models"] == 500
    with db.session() as session:
        assert is_synthetic(session)
    assert "Synthetic demo data" in str(page_for(db, "/"))

    result = CliRunner().invoke(
        main, ["ingest", "file", str(FAMILY_JSON)], env={"CATALOG_DATABASE_URL": fresh_database_url}
    )
    assert result.exit_code == 0, result.output
    assert "Replacing the synthetic demo data" in result.output
    assert counts(db)["models"] == 9
    with db.session() as session:
        assert not is_synthetic(session)
    assert "Synthetic demo data" not in str(page_for(db, "/"))
    db.dispose()


def test_a_reachable_hub_fills_the_catalog_with_its_most_downloaded(fresh_database_url):
    records = family_records()
    with FakeHub(records, page_size=4) as hub:
        settings = Settings(secret_key=TEST_SECRET_KEY, database_url=fresh_database_url, hf_endpoint=hub.url)
        db = Database.from_urls(fresh_database_url)
        fill_empty_catalog(settings, db)
        assert hub.requests[1]["query"]["sort"] == ["downloads"]
    assert counts(db)["models"] == 9
    with db.session() as session:
        assert not is_synthetic(session)
    fill_empty_catalog(settings, db)  # not empty any more: nothing happens
    assert counts(db)["models"] == 9
    db.dispose()
