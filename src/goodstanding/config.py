"""Settings: environment variables ``GOODSTANDING_*`` over an optional TOML file.

The TOML file is named by ``GOODSTANDING_CONFIG``; environment variables win over it. Settings are
validated once at start-up: a bad value stops the process with one line that names the setting.
"""

from __future__ import annotations

import base64
import binascii
import os
import tomllib
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PositiveInt, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SUPPORTED_DATABASE_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line meant for an operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOODSTANDING_", extra="forbid")

    environment: Literal["development", "production", "demo", "test"] = "development"
    database_url: str = "sqlite:///goodstanding.db"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = Field(default="dev-only-change-me-dev-only-change-me", min_length=32)
    # base64 of 32 random bytes; encrypts documents and second-factor secrets at rest.
    encryption_key: str = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE="
    log_format: Literal["json", "console"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    default_locale: Literal["en", "es"] = "en"
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    session_idle_minutes: int = Field(default=60 * 24 * 14, gt=0)
    trust_forwarded_proto: bool = False

    job_store: Literal["sqlite", "redis", "memory"] = "sqlite"
    job_sqlite_path: str = "goodstanding-jobs.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    jobs_immediate: bool = False

    password_blocklist_file: Path | None = None
    closed_account_retention_days: int = Field(default=30, ge=0)
    recovery_waiting_hours: int = Field(default=72, ge=0)
    recovery_document_retention_days: int = Field(default=30, ge=0)

    email_backend: Literal["smtp", "memory"] = "smtp"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=8025, gt=0, lt=65536)
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    mail_from: str = "goodstanding <no-reply@goodstanding.local>"

    demo_mailbox_dir: str = "goodstanding-mailbox"

    sms_provider: Literal["sink", "twilio", "memory"] = "sink"
    sms_sink_path: str = "goodstanding-sms.jsonl"
    sms_api_url: str = "https://api.twilio.com"
    sms_account_sid: str | None = None
    sms_auth_token: str | None = None
    sms_from: str = "+10000000000"

    # An operator's policy file merged over the shipped defaults; checked at start (line named).
    policy_file: Path | None = None

    # Review work. How long a case may wait for a decision before it shows as overdue (the
    # marketplace's "expect a reply within two days"), with per-queue exceptions by case kind.
    queue_sla_hours: int = Field(default=48, gt=0)
    queue_sla_hours_by_kind: dict[str, PositiveInt] = Field(default_factory=dict)
    # Orders in the last 180 days from which deciding a seller's selling privileges needs a
    # second reviewer (suspending them, or reinstating them).
    four_eyes_orders_threshold: int = Field(default=1000, ge=0)
    # After this many refused appeals for the same violations, a new appeal must bring a
    # supporting document it did not bring before.
    appeal_refusals_before_new_evidence: int = Field(default=2, ge=1)
    # Reviewers see documents inline only; an operator may allow downloading them.
    console_documents_downloadable: bool = False

    @field_validator("password_blocklist_file")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no file at {value}")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in SUPPORTED_DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database {value!r}: use sqlite:///PATH or postgresql://HOST/DB"
            )
        return value

    @field_validator("policy_file")
    @classmethod
    def _valid_policy_file(cls, value: Path | None) -> Path | None:
        if value is not None:
            from goodstanding.policy.schema import PolicyFileError, load_policies

            try:
                load_policies(value)
            except PolicyFileError as error:
                more = len(error.problems) - 1
                raise ValueError(
                    str(error.problems[0]) + (f" (and {more} more problems)" if more else "")
                ) from None
        return value

    @field_validator("encryption_key")
    @classmethod
    def _is_32_byte_key(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError("must be base64") from exc
        if len(raw) != 32:
            raise ValueError("must be base64 of exactly 32 bytes")
        return value

    @model_validator(mode="after")
    def _no_development_keys_in_production(self) -> Settings:
        if self.environment == "production":
            for name in ("secret_key", "encryption_key"):
                if getattr(self, name) == type(self).model_fields[name].default:
                    raise ValueError(f"{name}: set a real value for production")
        return self

    def queue_sla(self, kind: str) -> timedelta:
        """How long a case of ``kind`` may wait for a decision before it is overdue."""
        return timedelta(hours=self.queue_sla_hours_by_kind.get(kind, self.queue_sla_hours))

    @property
    def encryption_key_bytes(self) -> bytes:
        return base64.b64decode(self.encryption_key)

    @property
    def is_demo(self) -> bool:
        return self.environment == "demo"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self.database_url

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("GOODSTANDING_CONFIG")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    name = ".".join(str(part) for part in first["loc"])
    if not name and ": " in message:  # a check across settings names its field in the message
        name, message = message.split(": ", 1)
    setting = f"GOODSTANDING_{(name or 'settings').upper()}"
    if first["type"] == "extra_forbidden":
        return f"unknown setting {setting}"
    return f"invalid setting {setting}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning every failure into a one-line :class:`SettingsError`."""
    config_file = os.environ.get("GOODSTANDING_CONFIG")
    if config_file and not Path(config_file).is_file():
        raise SettingsError(f"invalid setting GOODSTANDING_CONFIG: no file at {config_file}")
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"invalid settings file {config_file}: {error}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
