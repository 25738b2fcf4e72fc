"""Settings, read once from the environment and `.env` (pydantic-settings). Every one is in .env.example."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.kernel.config import CoreConfig
from scheduler.pacing import RateLimit
from scheduler.runner import SchedulerOptions


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    # Lingkar's own settings are prefixed LINGKAR_.
    database_url: str = Field("sqlite+aiosqlite:///lingkar.db", alias="LINGKAR_DATABASE_URL")
    admins: str = Field("", alias="LINGKAR_ADMINS")  # comma-separated platform user ids
    workspace_admins_are_admins: bool = Field(True, alias="LINGKAR_WORKSPACE_ADMINS_ARE_ADMINS")
    default_locale: str = Field("en", alias="LINGKAR_DEFAULT_LOCALE")
    default_timezone: str = Field("Asia/Jakarta", alias="LINGKAR_DEFAULT_TIMEZONE")
    k_anonymity: int = Field(3, alias="LINGKAR_K_ANONYMITY", ge=2)
    host: str = Field("0.0.0.0", alias="LINGKAR_HOST")
    port: int = Field(3000, alias="LINGKAR_PORT")
    log_level: str = Field("INFO", alias="LINGKAR_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", alias="LINGKAR_LOG_FORMAT")
    # /metrics answers only `Authorization: Bearer <this>`; empty: /metrics is not served (404).
    metrics_token: str = Field("", alias="LINGKAR_METRICS_TOKEN", repr=False)
    scheduler_tick_seconds: int = Field(60, alias="LINGKAR_SCHEDULER_TICK_SECONDS", ge=1)
    delivery_max_attempts: int = Field(8, alias="LINGKAR_DELIVERY_MAX_ATTEMPTS", ge=1)
    delivery_concurrency: int = Field(16, alias="LINGKAR_DELIVERY_CONCURRENCY", ge=1)
    delivery_lease_seconds: int = Field(300, alias="LINGKAR_DELIVERY_LEASE_SECONDS", ge=30)
    slack_workspace_rate: float = Field(10.0, alias="LINGKAR_SLACK_WORKSPACE_RATE", gt=0)
    teams_tenant_rate: float = Field(30.0, alias="LINGKAR_TEAMS_TENANT_RATE", gt=0)
    # Signs what buttons, cards and modals carry back; empty: a random key per process (logged as a warning).
    secret_key: str = Field("", alias="LINGKAR_SECRET_KEY", repr=False)

    # Slack: the names Slack's SDKs and docs use.
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")
    slack_command: str = Field("/circle", alias="LINGKAR_SLACK_COMMAND")
    slack_api_url: str = Field("https://slack.com/api/", alias="LINGKAR_SLACK_API_URL")

    # Teams: the names the Bot Framework SDK and docs use.
    microsoft_app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"),
                                  alias="MicrosoftAppId")
    microsoft_app_password: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"),
        alias="MicrosoftAppPassword")
    microsoft_app_type: str = Field("MultiTenant",
                                    validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"),
                                    alias="MicrosoftAppType")
    microsoft_app_tenant_id: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"),
        alias="MicrosoftAppTenantId")
    # Local mode: /api/messages without authentication, for the Bot Framework Emulator on this machine only.
    teams_local: bool = Field(False, alias="LINGKAR_TEAMS_LOCAL")

    @model_validator(mode="after")
    def _local_mode_alone(self) -> Settings:
        if self.teams_local and self.microsoft_app_id:
            raise ValueError("LINGKAR_TEAMS_LOCAL=true and MicrosoftAppId are both set: local mode turns off "
                             "authentication for the Bot Framework Emulator; unset one of them")
        return self

    def scheduler_options(self) -> SchedulerOptions:
        limits = {"slack": RateLimit(target_interval=1.0, workspace_rate=self.slack_workspace_rate),
                  "teams": RateLimit(workspace_rate=self.teams_tenant_rate)}
        return SchedulerOptions(
            tick_seconds=self.scheduler_tick_seconds, max_attempts=self.delivery_max_attempts,
            concurrency=self.delivery_concurrency, lease_seconds=self.delivery_lease_seconds,
            # A send may take a while (the Teams adapter retries inside it), but must end well inside the lease.
            send_timeout=min(60.0, self.delivery_lease_seconds / 4), limits=limits,
        )

    def core_config(self) -> CoreConfig:
        return CoreConfig(
            admins=frozenset(a.strip() for a in self.admins.split(",") if a.strip()),
            workspace_admins_are_admins=self.workspace_admins_are_admins,
            k_anonymity=self.k_anonymity,
            default_locale=self.default_locale,
            default_timezone=self.default_timezone,
        )
