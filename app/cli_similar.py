"""`catalog similar rebuild`: train the "models like this" similarity over the whole catalog."""

from __future__ import annotations

import click

from app.cli_schema import open_current_database
from app.progress import StageProgress
from app.settings import Settings
from data.db import Database


@click.group("similar")
def similar_group() -> None:
    """The "models like this" similarity (data/similar)."""


@similar_group.command("rebuild")
@click.option("--seed", default=0, show_default=True, type=int, help="the same catalog and seed give the same vectors")
@click.option(
    "--index",
    type=click.Choice(["auto", "vector", "table"]),
    default="auto",
    show_default=True,
    help="vector: pgvector's HNSW index; table: precomputed top k; auto: vector where pgvector is installed",
)
@click.pass_obj
def rebuild_command(settings: Settings, seed: int, index: str) -> None:
    """Train over every model (TF-IDF, truncated SVD) and store the vectors or neighbours."""
    db = open_current_database(settings)
    try:
        summary = run_rebuild(db, seed=seed, index=None if index == "auto" else index)
    finally:
        db.dispose()
    stages = " · ".join(f"{stage} {seconds:.1f}s" for stage, seconds in summary.seconds.items())
    click.echo(
        f"Similarity of {summary.vectors:,} of {summary.models:,} models in the {summary.index} index "
        f"({summary.components} components over {summary.vocabulary:,} terms, seed {summary.seed}): {stages}"
    )


def run_rebuild(db: Database, **options):
    """Rebuild with a progress bar; a busy lock is a one-line error."""
    from data.similar.rebuild import SimilarBusy, rebuild  # scikit-learn is loaded only to train

    progress = StageProgress()
    try:
        return rebuild(db, progress=progress, **options)
    except SimilarBusy as busy:
        raise click.ClickException(str(busy)) from None
    finally:
        progress.close()
