"""Settings from the environment: one object, validated at start."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from sqlalchemy.exc import ArgumentError

from data.db import normalise_url

# Environment variable → field name. README's settings table lists the same variables.
ENVIRONMENT = {
    "CATALOG_DATABASE_URL": "database_url",
    "CATALOG_READ_DATABASE_URL": "read_database_url",
    "CATALOG_DATA_DIR": "data_dir",
    "CATALOG_REDIS_URL": "redis_url",
    "CATALOG_LOG_LEVEL": "log_level",
    "CATALOG_LOG_FORMAT": "log_format",
    "CATALOG_CORS_ORIGINS": "cors_origins",
    "CATALOG_RATE_LIMIT": "rate_limit",
    "CATALOG_TRUSTED_PROXIES": "trusted_proxies",
    "HF_ENDPOINT": "hf_endpoint",
    "HF_TOKEN": "hf_token",
    "CATALOG_STATEMENT_TIMEOUT_MS": "statement_timeout_ms",
    "CATALOG_SECRET_KEY": "secret_key",
    "CATALOG_KEY_RATE_LIMIT": "key_rate_limit",
    "CATALOG_WEBHOOK_HOSTS": "webhook_hosts",
    "CATALOG_LIVE_STREAMS": "live_streams",
    "CATALOG_OIDC_ISSUER": "oidc_issuer",
    "CATALOG_OIDC_CLIENT_ID": "oidc_client_id",
    "CATALOG_OIDC_CLIENT_SECRET": "oidc_client_secret",
    "CATALOG_OIDC_NAME": "oidc_name",
}
FIELD_TO_VARIABLE = {field: variable for variable, field in ENVIRONMENT.items()}


class SettingsError(ValueError):
    """A setting has a bad value; the message names the environment variable."""


PERIOD_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_LIMIT_PATTERN = re.compile(r"(\d+)\s*/\s*(\d*)\s*(second|minute|hour|day)s?")
MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_HINT = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
ORIGIN_PATTERN = re.compile(r"https?://(\[[0-9a-f:.]+\]|[^/\s:,\[\]]+)(:\d{1,5})?")


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per `seconds` for one client."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit | None:
        """Parse e.g. "600/minute" or "100/10seconds"; "off" or zero requests means no limit."""
        text = text.strip().lower()
        if text == "off":
            return None
        match = RATE_LIMIT_PATTERN.fullmatch(text)
        if not match:
            raise ValueError('expected REQUESTS/PERIOD, e.g. "600/minute" or "50/10seconds", or "off"')
        requests, multiple, period = int(match[1]), int(match[2] or 1), match[3]
        if multiple == 0:
            raise ValueError("the period must be longer than zero")
        return cls(requests, multiple * PERIOD_SECONDS[period]) if requests else None


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    read_database_url: str | None = None
    data_dir: Path = Path(platformdirs.user_data_dir("model-catalog"))
    redis_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["json", "text"] | None = None  # None: text on a terminal, else JSON
    cors_origins: tuple[str, ...] = ()
    rate_limit: str = "600/minute"
    trusted_proxies: int = Field(0, ge=0, le=10)
    hf_endpoint: str = "https://huggingface.co"
    hf_token: str | None = None
    statement_timeout_ms: int = Field(5000, ge=0)  # per SQL statement of a request; 0: none
    # Signs session cookies, CSRF and API tokens; app.secrets resolves it (or keeps one embedded).
    secret_key: SecretStr | None = None
    key_rate_limit: str = "1200/minute"  # per API key, like rate_limit per address
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_name: str | None = None  # what the sign-in button says; the issuer's host by default
    webhook_hosts: tuple[str, ...] = ()  # host or host:port a webhook may call; none: no webhooks
    live_streams: int = Field(16, ge=0, le=1000)  # open live-update streams per app process; 0: browsers poll

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _postgresql_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            normalise_url(value)
        except (ArgumentError, ValueError) as error:
            raise ValueError(f"expected postgresql://user@host:port/dbname ({error})") from None
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db")
        return value

    @field_validator("hf_endpoint", "oidc_issuer")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("webhook_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        return tuple(item.strip().lower() for item in items if item.strip())

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        # Browsers send origins in lower case, without a trailing slash.
        origins = tuple(item.strip().rstrip("/").lower() for item in items if item.strip())
        for origin in origins:
            if origin != "*" and not ORIGIN_PATTERN.fullmatch(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: expected a comma list of scheme://host[:port] (no path), or *"
                )
        return origins

    @field_validator("rate_limit", "key_rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        RateLimit.parse(value)
        return value.strip().lower()

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_KEY_LENGTH} characters ({SECRET_KEY_HINT})")
        return value

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        given = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(given) and not all(given):
            raise ValueError(
                "CATALOG_OIDC_ISSUER, CATALOG_OIDC_CLIENT_ID and CATALOG_OIDC_CLIENT_SECRET go together: set all three"
            )
        return self

    @property
    def rate_limit_rule(self) -> RateLimit | None:
        return RateLimit.parse(self.rate_limit)

    @property
    def key_rate_limit_rule(self) -> RateLimit | None:
        return RateLimit.parse(self.key_rate_limit)

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        environ = os.environ if environ is None else environ
        values = {field: environ[var] for var, field in ENVIRONMENT.items() if environ.get(var)}
        values.update(overrides)
        try:
            return cls(**values)
        except ValidationError as error:
            raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if not item["loc"]:  # a rule over several settings names them itself
            problems.append(message)
            continue
        field = str(item["loc"][0])
        problems.append(f"{FIELD_TO_VARIABLE.get(field, field)}: {message}")
    return "invalid settings: " + "; ".join(problems)
