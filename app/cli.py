"""The `catalog` command."""

from __future__ import annotations

import logging

import click

from app.factory import resolve_database_url
from app.logs import configure_logging
from app.settings import Settings, SettingsError
from data import migrate

log = logging.getLogger("catalog")


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Model Catalog: discover, explore and analyse the models on the Hugging Face Hub."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    configure_logging(settings.log_level, log_format=settings.log_format)
    ctx.obj = settings


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@click.pass_obj
def db_upgrade(settings: Settings, revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    migrate.upgrade(resolve_database_url(settings), revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
@click.pass_obj
def db_downgrade(settings: Settings, revision: str) -> None:
    """Revert migrations down to REVISION ('base' for an empty schema)."""
    migrate.downgrade(resolve_database_url(settings), revision)
    click.echo(f"database at {revision}")


@db.command("check")
@click.pass_obj
def db_check(settings: Settings) -> None:
    """Fail when the models and the migrations disagree."""
    migrate.check(resolve_database_url(settings))
    click.echo("models and migrations agree")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers")
@click.option(
    "--fill/--no-fill",
    default=True,
    show_default=True,
    help="fill an empty catalog first (from the Hub, else a synthetic sample)",
)
@click.option(
    "--demo-size", default=20_000, show_default=True, type=click.IntRange(min=1), help="models in the synthetic sample"
)
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int, fill: bool, demo_size: int) -> None:
    """Serve the dashboard and the API (migrating and filling an empty database first)."""
    from pydantic import SecretStr

    from app.cli_schema import prepare_schema
    from app.factory import open_database, resolve_secret_key
    from app.first_run import fill_empty_catalog
    from app.server import run_gunicorn

    try:
        secret_key = SecretStr(resolve_secret_key(settings))  # before the embedded URL makes it "configured"
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    url = resolve_database_url(settings)
    prepare_schema(url)
    if fill:
        db = open_database(settings.model_copy(update={"database_url": url}))
        try:
            fill_empty_catalog(settings, db, demo_size)
        finally:
            db.dispose()
    click.echo(f"Model Catalog at http://{host}:{port}/  (API: http://{host}:{port}/api/v1/)")
    run_gunicorn(settings.model_copy(update={"database_url": url, "secret_key": secret_key}), host, port, workers)


@main.command("graphql-schema")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="write it here (default: stdout)")
def graphql_schema(output: str | None) -> None:
    """Print the GraphQL schema (SDL); the repository keeps it in app/graphql/schema.graphql."""
    from app.graphql.schema import schema_text

    if output:
        with open(output, "w", encoding="utf-8") as file:
            file.write(schema_text())
        click.echo(f"GraphQL schema written to {output}")
    else:
        click.echo(schema_text(), nl=False)


def _register_subcommands() -> None:
    from app.cli_ingest import export, ingest_group
    from app.cli_jobs import jobs_group
    from app.cli_similar import similar_group
    from app.cli_sync import sync
    from app.cli_users import users_group

    main.add_command(ingest_group)
    main.add_command(export)
    main.add_command(sync)
    main.add_command(users_group)
    main.add_command(jobs_group)
    main.add_command(similar_group)


_register_subcommands()

if __name__ == "__main__":
    main()
