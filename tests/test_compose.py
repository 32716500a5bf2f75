"""docker-compose.yml cannot be run here (no Docker engine): check it against the settings."""

import re
from pathlib import Path

import yaml

from app.settings import ENVIRONMENT, Settings

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_health_checks():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "sync", "nginx"}
    assert services["postgres"]["image"] == "postgres:15"
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("postgres", "redis", "app", "sync", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    assert "/api/v1/health" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["command"][:2] == ["catalog", "serve"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["catalog", "db", "upgrade"]
    assert services["sync"]["command"][:2] == ["catalog", "sync"]


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
    for name in ("app", "migrate", "sync"):
        assert set(services[name]["environment"]) == set(ENVIRONMENT), name
    assert services["app"]["environment"]["CATALOG_REDIS_URL"].startswith("redis://redis:6379")


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
