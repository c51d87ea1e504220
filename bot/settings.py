"""Settings from the environment (never from files in the repository), validated once."""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "leerbot"


class Settings(BaseSettings):
    """Every setting, with its environment variable. Secrets are SecretStr: never printed."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        None, validation_alias=AliasChoices("LEERBOT_DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; default: SQLite in the data directory",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        validation_alias=AliasChoices("LEERBOT_DATA_DIR", "data_dir"),
    )
    lang: str = Field("nl", validation_alias=AliasChoices("LEERBOT_LANG", "lang"))
    workspace: str = Field(
        "local", validation_alias=AliasChoices("LEERBOT_WORKSPACE", "workspace"),
        description="workspace the CLI acts on (a Slack team id or Microsoft Teams tenant id)",
    )
    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_client_id: str | None = Field(None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, validation_alias="SLACK_CLIENT_SECRET")
    secret_key: SecretStr | None = Field(
        None, validation_alias="LEERBOT_SECRET_KEY",
        description="Fernet key that encrypts Slack installations (tokens) at rest")
    public_url: str | None = Field(
        None, validation_alias="LEERBOT_PUBLIC_URL",
        description="public https base URL; Microsoft Teams cards link images and exports "
                    "there")
    slack_rate: float = Field(
        5.0, gt=0, validation_alias="LEERBOT_SLACK_RATE",
        description="scheduled messages per second per Slack workspace (Slack: several "
                    "hundred chat.postMessage per minute per workspace)")
    msteams_rate: float = Field(
        50.0, gt=0, validation_alias="LEERBOT_TEAMS_RATE",
        description="scheduled messages per second per Microsoft Teams tenant (Teams: 50 "
                    "requests/s per app per tenant)")
    lease: float = Field(
        6.0, ge=2, le=300,
        validation_alias=AliasChoices("LEERBOT_LEASE", "LEERBOT_DELIVERY_LEASE", "lease",
                                      "delivery_lease"),
        description="seconds a claimed inbox event or delivery stays with its worker unless "
                    "the worker renews the claim (its heartbeat does, every sixth of it); the "
                    "work of a process that died is taken over after at most this long")
    retention_days: int = Field(
        7, ge=1, le=3650,
        validation_alias=AliasChoices("LEERBOT_RETENTION_DAYS", "retention_days"),
        description="days handled inbox events, finished deliveries and seen mailbox messages "
                    "are kept before the delivery worker removes them")
    wakeups: bool = Field(
        True, validation_alias=AliasChoices("LEERBOT_WAKEUPS", "wakeups"),
        description="PostgreSQL: wake the workers of every replica with LISTEN/NOTIFY when work "
                    "is queued (off: they find it by polling, once a second; needed behind a "
                    "proxy that does not pass LISTEN on, such as PgBouncer in transaction mode)")
    ready_timeout: float = Field(
        3.0, gt=0, le=60,
        validation_alias=AliasChoices("LEERBOT_READY_TIMEOUT", "ready_timeout"),
        description="seconds /readyz waits for its test write before it answers 503")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=AliasChoices("LEERBOT_LOG_LEVEL", "log_level"),
        description="what `leerbot serve` logs (to standard error); libraries log from INFO")
    access_log: bool = Field(
        False, validation_alias=AliasChoices("LEERBOT_ACCESS_LOG", "access_log"),
        description="log every HTTP request (off: Slack and Teams traffic would drown the log)")
    microsoft_app_id: str | None = Field(None, validation_alias="MICROSOFT_APP_ID")
    microsoft_app_password: SecretStr | None = Field(None,
                                                     validation_alias="MICROSOFT_APP_PASSWORD")
    microsoft_app_tenant_id: str | None = Field(None, validation_alias="MICROSOFT_APP_TENANT_ID")
    microsoft_app_type: str = Field("MultiTenant", validation_alias="MICROSOFT_APP_TYPE")
    clock: datetime | None = Field(
        None, validation_alias=AliasChoices("LEERBOT_CLOCK", "clock"),
        description="time travel for trying things locally: the moment the dialogs and the "
                    "scheduler take as now, e.g. 2027-06-01 (noon UTC) or 2027-06-01T09:00; it "
                    "runs on from there")

    @field_validator("clock", mode="before")
    @classmethod
    def _clock_moment(cls, value: object) -> object:
        from bot.clock import moment

        return moment(value) if isinstance(value, str) and value.strip() else value or None
    msteams_emulator: bool = Field(
        False, validation_alias=AliasChoices("LEERBOT_TEAMS_EMULATOR", "msteams_emulator"),
        description="the Bot Framework Emulator: its loopback serviceUrl is allowed, and "
                    "without MICROSOFT_APP_ID unauthenticated /api/messages traffic is "
                    "accepted, only from 127.0.0.1 and never through a proxy or tunnel (off: "
                    "without an app id every request is refused)")
    msteams_service_hosts: str = Field(
        "smba.trafficmanager.net,*.botframework.com,*.teams.microsoft.com,"
        "*.teams.microsoft.us",
        validation_alias=AliasChoices("LEERBOT_TEAMS_SERVICE_HOSTS", "msteams_service_hosts"),
        description="comma-separated hosts (``*.`` for any subdomain) an activity's serviceUrl "
                    "may name: Leerbot posts replies there, over https only; loopback is "
                    "added in emulator mode")
    msteams_openid_url: str | None = Field(
        None, validation_alias=AliasChoices("LEERBOT_TEAMS_OPENID_URL", "msteams_openid_url"),
        description="OpenID metadata that signs Bot Framework tokens (default: Microsoft's; "
                    "tests point it at a fake)")

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def msteams_hosts(self) -> tuple[str, ...]:
        """The serviceUrl hosts Leerbot may post to (the Emulator's loopback not included)."""
        return tuple(h.strip().casefold() for h in self.msteams_service_hosts.split(",")
                     if h.strip())

    @property
    def delivery_lease(self) -> float:
        """The lease under its earlier name (LEERBOT_DELIVERY_LEASE is still read)."""
        return self.lease

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'leerbot.db'}"


@cache
def get_settings() -> Settings:
    return Settings()
