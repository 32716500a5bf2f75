"""`catalog ingest file` formats and the `catalog export` round trip."""

import gzip
import json
import zipfile

from click.testing import CliRunner

from app.cli import main
from data.db import Database
from data.ingest.files import FileSource
from data.ingest.pipeline import ingest
from tests.catalog_state import catalog_state
from tests.family import FAMILY_JSON, FIXTURES, family_records


def test_every_format_reads_the_same_records(tmp_path):
    records = family_records()
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page2.json").write_text(json.dumps(records[3:]))
    with gzip.open(tmp_path / "pages" / "page1.json.gz", "wt") as out:
        json.dump(records[:3], out)
    (tmp_path / "lines.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    with zipfile.ZipFile(tmp_path / "details.zip", "w") as archive:
        for number, record in enumerate(records):
            archive.writestr(f"model_{number}.json", json.dumps(record))
    (tmp_path / "one.json").write_text(json.dumps(records[0]))

    def ids(*paths):
        return [r["id"] for r in FileSource([tmp_path / p for p in paths])]

    expected = [r["id"] for r in records]
    assert ids("pages") == expected  # folders in natural order: page1 before page2
    assert ids("lines.jsonl") == expected
    assert ids("details.zip") == expected
    assert ids("one.json") == expected[:1]


def test_unreadable_input_is_reported_not_fatal(tmp_path):
    (tmp_path / "broken.json").write_text("[{")
    (tmp_path / "scalar.json").write_text("42")
    skips = list(FileSource([tmp_path / "broken.json", tmp_path / "scalar.json"]))
    names = ["broken.json", "scalar.json"]
    assert [s.where.endswith(name) for s, name in zip(skips, names, strict=True)] == [True, True]
    assert all(s.reason.startswith("invalid JSON") for s in skips)


def test_cli_ingests_files_and_prints_a_summary(fresh_database_url):
    result = CliRunner().invoke(
        main,
        ["ingest", "file", str(FAMILY_JSON), str(FIXTURES / "malformed.jsonl")],
        env={"CATALOG_DATABASE_URL": fresh_database_url},
    )
    assert result.exit_code == 0, result.output
    assert "new 10 · updated 0 · unchanged 0 · skipped 6" in result.output
    assert "self-loops dropped: 1" in result.output
    assert "bad/negative-downloads: downloads is negative" in result.output


def test_cli_fails_when_nothing_could_be_ingested(fresh_database_url, tmp_path):
    (tmp_path / "junk.jsonl").write_text("not json\n")
    result = CliRunner().invoke(
        main, ["ingest", "file", str(tmp_path / "junk.jsonl")], env={"CATALOG_DATABASE_URL": fresh_database_url}
    )
    assert result.exit_code == 1
    assert "nothing could be ingested" in result.output


def test_export_then_ingest_gives_the_same_catalog(make_database, tmp_path):
    source, target = make_database(), make_database()
    records = family_records()
    records[0]["siblings"] = [{"rfilename": "model.safetensors", "size": 123}, {"rfilename": "README.md"}]
    (tmp_path / "in.json").write_text(json.dumps(records))
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["ingest", "file", str(tmp_path / "in.json")], env={"CATALOG_DATABASE_URL": source}
        ).exit_code
        == 0
    )
    exported = runner.invoke(main, ["export", str(tmp_path / "out.jsonl.gz")], env={"CATALOG_DATABASE_URL": source})
    assert exported.exit_code == 0 and "wrote 9 models" in exported.output
    result = runner.invoke(
        main, ["ingest", "file", str(tmp_path / "out.jsonl.gz")], env={"CATALOG_DATABASE_URL": target}
    )
    assert result.exit_code == 0, result.output
    first, second = Database.from_urls(source), Database.from_urls(target)
    assert catalog_state(second) == catalog_state(first)
    assert catalog_state(first)["files"]  # files made the trip too
    first.dispose(), second.dispose()


def test_a_bulk_load_leaves_every_key_and_index_in_place(fresh_database_url):
    from data import migrate
    from data.ingest import bulk

    db = Database.from_urls(fresh_database_url)
    ingest(db, family_records())  # an empty catalog: constraints dropped, then rebuilt
    assert bulk.restore(db) == []  # nothing left to rebuild
    db.dispose()
    migrate.check(fresh_database_url)  # and no drift from the migrations
