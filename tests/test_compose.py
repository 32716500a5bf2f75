"""docker-compose.yml cannot be run here (no Docker engine): check it against the settings."""

import re
from pathlib import Path
from typing import get_args

import click
import pytest
import yaml
from pydantic import SecretStr

from app.cli import main
from app.factory import resolve_secret_key
from app.settings import ENVIRONMENT, FIELD_TO_VARIABLE, Settings

ROOT = Path(__file__).resolve().parents[1]
WORKERS = ("app", "migrate", "sync", "jobs")  # the services that run `catalog`


def _secret(annotation: object) -> bool:
    return annotation is SecretStr or SecretStr in get_args(annotation)


# The settings held as SecretStr, and the Hub's token: never written in the file.
SECRETS = {FIELD_TO_VARIABLE[name] for name, field in Settings.model_fields.items() if _secret(field.annotation)}
SECRETS |= {"HF_TOKEN"}
# Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}.
VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(LookupError):
    pass


def interpolate(value: str, environ: dict[str, str]) -> str:
    """`value` as compose reads it with `environ` as the shell's environment."""

    def one(match: re.Match) -> str:
        name, operator, argument = match[1], match[2], match[3]
        empty_counts_as_unset = operator is not None and operator.startswith(":")
        if name in environ and not (empty_counts_as_unset and environ[name] == ""):
            return environ[name]
        if operator is not None and operator.endswith("?"):
            raise MissingVariable(f"{name}: {argument}")
        return argument or ""

    return VARIABLE.sub(one, value)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_environment(environ: dict[str, str]) -> dict[str, str]:
    return {name: interpolate(value, environ) for name, value in compose()["services"]["app"]["environment"].items()}


def test_services_and_health_checks():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "sync", "jobs", "nginx"}
    assert services["postgres"]["image"] == "postgres:15"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("postgres", "redis", "app", "sync", "jobs", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    assert "/api/v1/health" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["command"][:2] == ["catalog", "serve"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["catalog", "db", "upgrade"]
    assert services["sync"]["command"][:2] == ["catalog", "sync"]
    assert services["jobs"]["command"] == ["catalog", "jobs", "work"]
    assert services["jobs"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_app_scales_behind_nginx():
    services = compose()["services"]
    assert "ports" not in services["app"]  # several replicas cannot share a host port
    port = services["app"]["command"][services["app"]["command"].index("--port") + 1]
    assert services["app"]["expose"] == [port]
    nginx = services["nginx"]
    assert nginx["environment"]["CATALOG_UPSTREAMS"].startswith(f"server app:{port} ")
    assert nginx["ports"] == [f"8080:{nginx['environment']['CATALOG_LISTEN']}"]
    assert "/nginx-health" in " ".join(nginx["healthcheck"]["test"])


def test_nginx_gets_the_repository_config_and_every_variable_it_uses():
    nginx = compose()["services"]["nginx"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in nginx["volumes"]}
    template = ROOT / "deploy" / "nginx" / "catalog.conf.template"
    assert mounts["./deploy/nginx/catalog.conf.template"].startswith("/etc/nginx/templates/")
    assert mounts["./deploy/nginx/catalog_proxy.conf"] == "/etc/nginx/catalog_proxy.conf"  # `include` is relative
    assert mounts["./assets"] == nginx["environment"]["CATALOG_ASSETS_DIR"]
    used = set(re.findall(r"\$\{(\w+)\}", template.read_text()))
    assert used and used <= set(nginx["environment"])


def test_app_environment_is_exactly_the_settings_table():
    services = compose()["services"]
    for name in WORKERS:
        assert set(services[name]["environment"]) == set(ENVIRONMENT), name
    assert services["app"]["environment"]["CATALOG_REDIS_URL"].startswith("redis://redis:6379")


def test_app_environment_values_are_valid_settings():
    secret_key = "k" * 48
    settings = Settings.from_env(app_environment({"CATALOG_SECRET_KEY": secret_key}))
    db = compose()["services"]["postgres"]["environment"]
    assert settings.database_url == (
        f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@postgres:5432/{db['POSTGRES_DB']}"
    )
    assert resolve_secret_key(settings) == secret_key  # the one every process signs with
    assert settings.key_rate_limit_rule is not None and settings.rate_limit_rule is not None
    assert not settings.oidc_enabled and settings.hf_token is None  # left out: their defaults


def test_secrets_come_from_the_environment():
    environment = compose()["x-app-environment"]
    for variable in SECRETS:
        assert VARIABLE.fullmatch(environment[variable])[1] == variable, variable  # only a reference to it
    with pytest.raises(MissingVariable, match="CATALOG_SECRET_KEY: set CATALOG_SECRET_KEY"):
        app_environment({})  # compose refuses to start without the key
    with pytest.raises(MissingVariable):
        app_environment({"CATALOG_SECRET_KEY": ""})


def test_oidc_and_the_hub_token_pass_through():
    given = {
        "CATALOG_SECRET_KEY": "k" * 48,
        "CATALOG_OIDC_ISSUER": "https://huggingface.co",
        "CATALOG_OIDC_CLIENT_ID": "catalog-client",
        "CATALOG_OIDC_CLIENT_SECRET": "client-secret-from-the-shell",
        "CATALOG_OIDC_NAME": "Hugging Face",
        "HF_TOKEN": "hf_from_the_shell",
    }
    settings = Settings.from_env(app_environment(given))
    assert settings.oidc_enabled and settings.oidc_issuer == "https://huggingface.co"
    assert settings.oidc_client_secret.get_secret_value() == "client-secret-from-the-shell"
    assert (settings.oidc_client_id, settings.oidc_name, settings.hf_token) == (
        "catalog-client",
        "Hugging Face",
        "hf_from_the_shell",
    )


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    for variable in ENVIRONMENT:
        assert f"`{variable}`" in readme, variable


def command_paths(group: click.Group, prefix: str = "catalog") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        paths += command_paths(command, path) if isinstance(command, click.Group) else [path]
    return paths


def test_readme_lists_every_command():
    readme = (ROOT / "README.md").read_text()
    paths = command_paths(main)
    assert "catalog users create" in paths
    assert [path for path in paths if f"`{path}" not in readme] == []


def test_dockerfile_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("app", "components", "callbacks", "data", "migrations", "assets"):
        assert f"COPY {package} {package}" in dockerfile
