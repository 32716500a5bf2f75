"""docker-compose.yml cannot be run here (no Docker engine): check it against the settings."""

from pathlib import Path

import yaml

from app.settings import ENVIRONMENT, Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_health_checks():
    services = compose()["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("postgres", "app"):
        assert services[name]["healthcheck"]["test"], name
    assert "/api/v1/health" in " ".join(services["app"]["healthcheck"]["test"])
    assert "app.wsgi:server" in services["app"]["command"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["catalog", "db", "upgrade"]


def test_app_environment_is_exactly_the_settings_table():
    services = compose()["services"]
    for name in ("app", "migrate"):
        assert set(services[name]["environment"]) == set(ENVIRONMENT), name


def test_app_environment_values_are_valid_settings():
    environment = compose()["services"]["app"]["environment"]
    values = {k: v for k, v in environment.items() if v and "${" not in v}
    settings = Settings.from_env(values)
    db = compose()["services"]["postgres"]["environment"]
    assert settings.database_url == (
        f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@postgres:5432/{db['POSTGRES_DB']}"
    )


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text()
    for variable in ENVIRONMENT:
        assert f"`{variable}`" in readme, variable


def test_dockerfile_copies_every_package():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("app", "components", "callbacks", "data", "migrations", "assets"):
        assert f"COPY {package} {package}" in dockerfile
