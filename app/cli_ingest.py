"""`catalog ingest …` and `catalog export`: filling the catalog and writing it out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import click

from app.cli_schema import open_current_database
from app.progress import IngestProgress, summary_text
from app.settings import Settings
from data.db import Database
from data.ingest import synthetic
from data.ingest.bulk import catalog_is_empty
from data.ingest.files import FileSource, export_jsonl
from data.ingest.hub import SORTS, HubError, HubSource
from data.ingest.pipeline import IngestSummary, ingest
from data.ingest.state import clear_catalog, mark_synthetic, write_state
from data.meta import HIGH_WATER_MARK, is_synthetic, read_state


def run_ingest(db: Database, records, fraction=lambda: None, *, sample: bool = False) -> IngestSummary:
    """Ingest with progress and a summary; real data replaces a synthetic demo sample."""
    with db.session() as session:
        empty = catalog_is_empty(session)
        if not sample and is_synthetic(session):
            click.echo("Replacing the synthetic demo data with real data")
            clear_catalog(session)
        session.commit()
    progress = IngestProgress(fraction)
    try:
        summary = ingest(db, records, progress=progress)
    finally:
        progress.close()
    click.echo(summary_text(summary))
    if summary.stored == 0:
        raise click.ClickException("nothing could be ingested")
    if sample and empty:
        with db.session() as session:
            mark_synthetic(session, True)
            session.commit()
    return summary


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    db = open_current_database(settings)
    try:
        yield db
    finally:
        db.dispose()


@click.group("ingest")
def ingest_group() -> None:
    """Fill the catalog: from the Hub, from files of the Hub's JSON, or synthetic data."""


@ingest_group.command("file")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def ingest_file(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Read /api/models pages, model details or JSONL (.json, .jsonl, .gz, .zip, folders)."""
    source = FileSource(list(paths))
    with _database(settings) as db:
        run_ingest(db, source, lambda: source.done / source.total if source.total else None)


@ingest_group.command("synthetic")
@click.argument("count", type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.pass_obj
def ingest_synthetic(settings: Settings, count: int, seed: int) -> None:
    """Generate COUNT Hub-like models (deterministic for a seed) and ingest them."""
    state = {"done": 0}

    def records():
        for state["done"], record in enumerate(synthetic.generate(count, seed), start=1):
            yield record

    with _database(settings) as db:
        run_ingest(db, records(), lambda: state["done"] / count, sample=True)


@ingest_group.command("hub")
@click.option("--limit", type=click.IntRange(min=1), help="stop after this many models")
@click.option("--sort", type=click.Choice(SORTS), default="downloads", show_default=True)
@click.option("--since", type=click.DateTime(), help="only models modified since (ISO date)")
@click.option("--details", is_flag=True, help="also fetch each model's card data and file sizes")
@click.pass_obj
def ingest_hub(settings: Settings, limit, sort: str, since: datetime | None, details: bool) -> None:
    """Fetch models from the Hub at HF_ENDPOINT.

    Sorted by lastModified without --since, only what changed since the last such run is
    fetched (the high-water mark is kept in the database).
    """
    with _database(settings) as db:
        if sort == "lastModified" and since is None:
            since = read_state(db, HIGH_WATER_MARK)  # incremental: what changed since last time
        elif since is not None and since.tzinfo is None:
            since = since.astimezone()
        source = HubSource(
            settings.hf_endpoint, settings.hf_token, sort=sort, limit=limit, since=since, details=details
        )
        click.echo(
            f"Reading {settings.hf_endpoint} (sort={sort}"
            + (f", modified since {since.isoformat()})" if since else ")")
        )
        try:
            summary = run_ingest(db, source, lambda: source.seen / limit if limit else None)
        except HubError as error:
            raise click.ClickException(str(error)) from None
        # Only a completed run moves the mark: a cut-short one is fetched again next time.
        if sort == "lastModified" and source.newest_modified and summary.stored:
            write_state(db, HIGH_WATER_MARK, source.newest_modified)


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export(settings: Settings, path: Path) -> None:
    """Write the catalog as JSONL in the Hub's JSON shape (`ingest file` reads it back)."""
    with _database(settings) as db, db.session(read_only=True) as session:
        count = export_jsonl(session, path)
    click.echo(f"wrote {count:,} models to {path}")
