import re

import pytest
from click.testing import CliRunner

from app.cli import main
from app.factory import SECRET_KEY_FILE, resolve_secret_key
from app.settings import ENVIRONMENT, Settings, SettingsError


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.hf_endpoint == "https://huggingface.co"
    assert settings.log_level == "INFO"
    assert settings.data_dir.name == "model-catalog"


def test_every_variable_is_read():
    environ = {
        "CATALOG_DATABASE_URL": "postgresql://u@db:5432/catalog",
        "CATALOG_READ_DATABASE_URL": "postgresql://u@replica:5432/catalog",
        "CATALOG_DATA_DIR": "/srv/catalog",
        "CATALOG_REDIS_URL": "redis://cache:6379/0",
        "CATALOG_LOG_LEVEL": "debug",
        "CATALOG_CORS_ORIGINS": "https://a.example, http://localhost:3000/",
        "CATALOG_RATE_LIMIT": "100/10seconds",
        "CATALOG_TRUSTED_PROXIES": "1",
        "CATALOG_LOG_FORMAT": "text",
        "HF_ENDPOINT": "http://127.0.0.1:9999/",
        "HF_TOKEN": "hf_x",
        "CATALOG_STATEMENT_TIMEOUT_MS": "2500",
        "CATALOG_SECRET_KEY": "s" * 40,
        "CATALOG_KEY_RATE_LIMIT": "50/minute",
        "CATALOG_OIDC_ISSUER": "https://huggingface.co/",
        "CATALOG_OIDC_CLIENT_ID": "client",
        "CATALOG_OIDC_CLIENT_SECRET": "shh",
        "CATALOG_OIDC_NAME": "Hugging Face",
        "CATALOG_WEBHOOK_HOSTS": "Hooks.Example.org, 127.0.0.1:9000,",
        "CATALOG_LIVE_STREAMS": "40",
    }
    settings = Settings.from_env(environ)
    assert set(environ) == set(ENVIRONMENT)
    assert settings.read_database_url.endswith("replica:5432/catalog")
    assert str(settings.data_dir) == "/srv/catalog"
    assert settings.log_level == "DEBUG"
    assert settings.live_streams == 40
    assert settings.cors_origins == ("https://a.example", "http://localhost:3000")
    assert (settings.rate_limit_rule.requests, settings.rate_limit_rule.seconds) == (100, 10)
    assert settings.hf_endpoint == "http://127.0.0.1:9999"
    assert settings.secret_key.get_secret_value() == "s" * 40 and "s" * 40 not in repr(settings)
    assert (settings.key_rate_limit_rule.requests, settings.key_rate_limit_rule.seconds) == (50, 60)
    assert settings.oidc_issuer == "https://huggingface.co" and settings.oidc_enabled
    assert "shh" not in repr(settings)
    assert settings.hf_token == "hf_x"
    assert (settings.trusted_proxies, settings.log_format) == (1, "text")
    assert settings.webhook_hosts == ("hooks.example.org", "127.0.0.1:9000")


def test_the_statement_timeout_is_a_few_seconds_unless_set():
    assert Settings.from_env({}).statement_timeout_ms == 5000
    assert Settings.from_env({"CATALOG_STATEMENT_TIMEOUT_MS": "2500"}).statement_timeout_ms == 2500
    assert Settings.from_env({"CATALOG_STATEMENT_TIMEOUT_MS": "0"}).statement_timeout_ms == 0  # off


@pytest.mark.parametrize(
    "variable, value",
    [
        ("CATALOG_STATEMENT_TIMEOUT_MS", "-1"),
        ("CATALOG_STATEMENT_TIMEOUT_MS", "5s"),
        ("CATALOG_LIVE_STREAMS", "-1"),
        ("CATALOG_LIVE_STREAMS", "many"),
        ("CATALOG_DATABASE_URL", "mysql://root@localhost/catalog"),
        ("CATALOG_DATABASE_URL", "not a url"),
        ("CATALOG_READ_DATABASE_URL", "sqlite:///x.db"),
        ("CATALOG_REDIS_URL", "http://cache:6379"),
        ("CATALOG_LOG_LEVEL", "LOUD"),
        ("CATALOG_CORS_ORIGINS", "https://a.example/path"),
        ("CATALOG_CORS_ORIGINS", "a.example"),
        ("CATALOG_RATE_LIMIT", "lots"),
        ("CATALOG_RATE_LIMIT", "10/fortnight"),
        ("HF_ENDPOINT", "ftp://hub"),
        ("CATALOG_TRUSTED_PROXIES", "-1"),
        ("CATALOG_TRUSTED_PROXIES", "nginx"),
        ("CATALOG_LOG_FORMAT", "xml"),
    ],
)
def test_bad_value_names_the_variable(variable, value):
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: value})


def test_cli_refuses_bad_settings_with_the_variable_name():
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"CATALOG_DATABASE_URL": "mysql://x/y"})
    assert result.exit_code != 0
    assert "CATALOG_DATABASE_URL" in result.output


@pytest.mark.parametrize(
    "environ, named",
    [
        ({"CATALOG_SECRET_KEY": "short"}, "CATALOG_SECRET_KEY: must be at least 32 characters"),
        ({"CATALOG_KEY_RATE_LIMIT": "lots"}, "CATALOG_KEY_RATE_LIMIT"),
        ({"CATALOG_OIDC_ISSUER": "https://id.example"}, "set all three"),
        (
            {"CATALOG_OIDC_ISSUER": "id.example", "CATALOG_OIDC_CLIENT_ID": "a", "CATALOG_OIDC_CLIENT_SECRET": "b"},
            "CATALOG_OIDC_ISSUER",
        ),
    ],
)
def test_account_settings_are_checked_at_start(environ, named):
    with pytest.raises(SettingsError, match=re.escape(named)):
        Settings.from_env(environ)


def test_a_configured_database_needs_a_secret_key_and_the_embedded_default_keeps_one(tmp_path):
    configured = Settings(database_url="postgresql://u@db:5432/catalog")
    with pytest.raises(SettingsError, match="CATALOG_SECRET_KEY is required"):
        resolve_secret_key(configured)
    embedded = Settings(data_dir=tmp_path)
    first = resolve_secret_key(embedded)
    assert len(first) >= 32 and resolve_secret_key(embedded) == first  # kept, not remade
    assert (tmp_path / SECRET_KEY_FILE).stat().st_mode & 0o077 == 0  # readable by its owner only
    assert resolve_secret_key(Settings(data_dir=tmp_path / "other")) != first
