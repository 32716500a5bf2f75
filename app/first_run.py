"""The first `catalog serve` on an empty catalog fills it, so nobody lands on an empty dashboard."""

from __future__ import annotations

import click

from app.cli_ingest import run_ingest
from app.settings import Settings
from data.db import Database
from data.ingest import synthetic
from data.ingest.bulk import catalog_is_empty
from data.ingest.hub import HubError, HubSource, probe

HUB_MODELS = 10_000  # the most downloaded: a useful catalog in a minute or two
DEMO_SAMPLE = 20_000


def fill_empty_catalog(settings: Settings, db: Database, sample_size: int = DEMO_SAMPLE) -> None:
    with db.session(read_only=True) as session:
        if not catalog_is_empty(session):
            return
    endpoint = settings.hf_endpoint
    reason = probe(endpoint, settings.hf_token)
    if reason is None:
        click.echo(f"The catalog is empty: fetching the {HUB_MODELS:,} most downloaded models from {endpoint}")
        source = HubSource(endpoint, settings.hf_token, sort="downloads", limit=HUB_MODELS)
        try:
            run_ingest(db, source, lambda: source.seen / HUB_MODELS)
            return
        except (HubError, click.ClickException) as error:
            reason = str(error)
    click.echo(
        f"The catalog is empty and the Hub at {endpoint} is not reachable ({reason}).\n"
        f"Loading {sample_size:,} synthetic demo models instead; the dashboard marks them as such. "
        "`catalog ingest hub` (or `catalog ingest file …`) replaces them with real data."
    )
    run_ingest(db, synthetic.generate(sample_size, seed=0), sample=True)
