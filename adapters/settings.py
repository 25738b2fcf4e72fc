"""Settings, read once from the environment and `.env` (pydantic-settings). Every one is in .env.example."""

from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.kernel.config import CoreConfig
from bot.kernel.i18n import LOCALES
from scheduler.pacing import RateLimit
from scheduler.runner import SchedulerOptions
from storage.engine import normalise_url

# The drivers Lingkar is built and tested on; the error names the forms people paste, which normalise_url accepts.
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # the logging module's names
# The Azure Bot types botbuilder's ConfigurationServiceClientCredentialFactory knows (it compares them lower-cased).
APP_TYPES = ("SingleTenant", "UserAssignedMSI", "MultiTenant")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    # Lingkar's own settings are prefixed LINGKAR_.
    database_url: str = Field("sqlite+aiosqlite:///lingkar.db", alias="LINGKAR_DATABASE_URL")
    # Comma-separated user ids: Slack member ids (U0…), Teams members' Entra object ids (GUIDs, any case).
    admins: str = Field("", alias="LINGKAR_ADMINS")
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
    # false: this replica serves requests only and never plans or sends (docs/deploy.md: web replicas stay small);
    # at least one replica on the database must keep it true, or nothing is ever planned or sent.
    scheduler_enabled: bool = Field(True, alias="LINGKAR_SCHEDULER_ENABLED")
    delivery_max_attempts: int = Field(8, alias="LINGKAR_DELIVERY_MAX_ATTEMPTS", ge=1)
    delivery_concurrency: int = Field(16, alias="LINGKAR_DELIVERY_CONCURRENCY", ge=1)
    delivery_lease_seconds: int = Field(300, alias="LINGKAR_DELIVERY_LEASE_SECONDS", ge=30)
    slack_workspace_rate: float = Field(10.0, alias="LINGKAR_SLACK_WORKSPACE_RATE", gt=0)
    teams_tenant_rate: float = Field(30.0, alias="LINGKAR_TEAMS_TENANT_RATE", gt=0)
    # On SIGTERM/SIGINT: how long requests, background replies and sends in flight get to finish.
    shutdown_grace_seconds: float = Field(20.0, alias="LINGKAR_SHUTDOWN_GRACE_SECONDS", ge=0)
    # Signs what buttons, cards and modals carry back; empty: a random key per process (logged as a warning).
    secret_key: str = Field("", alias="LINGKAR_SECRET_KEY", repr=False)

    # Slack: the names Slack's SDKs and docs use.
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")
    slack_command: str = Field("/circle", alias="LINGKAR_SLACK_COMMAND")
    slack_api_url: str = Field("https://slack.com/api/", alias="LINGKAR_SLACK_API_URL")
    # "Add to Slack" (docs/slack.md): with SLACK_CLIENT_ID, every workspace that installs the app gets its own bot
    # token, stored encrypted with the first of LINGKAR_SLACK_TOKEN_KEYS (the others still decrypt: key rotation).
    slack_client_id: str = Field("", alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field("", alias="SLACK_CLIENT_SECRET", repr=False)
    slack_token_keys: str = Field("", alias="LINGKAR_SLACK_TOKEN_KEYS", repr=False)

    # Teams: the names the Bot Framework SDK and docs use.
    microsoft_app_id: str = Field("", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"),
                                  alias="MicrosoftAppId")
    microsoft_app_password: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"),
        alias="MicrosoftAppPassword")
    # SingleTenant (with MicrosoftAppTenantId) is what Azure lets new bots be; UserAssignedMSI signs in as a managed
    # identity (no password); MultiTenant only for bots registered before Azure stopped offering it.
    microsoft_app_type: str = Field("SingleTenant",
                                    validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"),
                                    alias="MicrosoftAppType")
    microsoft_app_tenant_id: str = Field(
        "", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID"),
        alias="MicrosoftAppTenantId")
    # Local mode: /api/messages without authentication, for the Bot Framework Emulator on this machine only.
    teams_local: bool = Field(False, alias="LINGKAR_TEAMS_LOCAL")
    # Hosts (and their subdomains) an org import file sent in Teams may be fetched from, comma-separated.
    teams_file_hosts: str = Field("sharepoint.com", alias="LINGKAR_TEAMS_FILE_HOSTS")
    # Microsoft Graph (docs/teams.md): with the Teams app's catalog id, each circle and pair on Teams meets in a
    # private group chat. Graph is asked as LINGKAR_GRAPH_CLIENT_ID/SECRET, else as the bot's own Entra app.
    graph_teams_app_id: str = Field("", alias="LINGKAR_GRAPH_TEAMS_APP_ID")
    graph_client_id: str = Field("", alias="LINGKAR_GRAPH_CLIENT_ID")
    graph_client_secret: str = Field("", alias="LINGKAR_GRAPH_CLIENT_SECRET", repr=False)
    graph_url: str = Field("https://graph.microsoft.com/v1.0/", alias="LINGKAR_GRAPH_URL")
    graph_authority: str = Field("https://login.microsoftonline.com", alias="LINGKAR_GRAPH_AUTHORITY")
    graph_ca_file: str = Field("", alias="LINGKAR_GRAPH_CA_FILE")  # extra CA bundle (a TLS-inspecting proxy)

    # The admin dashboard (docs/dashboard.md), served at /admin. Without a session key it is not served: /admin says
    # so. The key encrypts the session cookie (a Fernet key: `lingkar slack token-key` makes one).
    dashboard_session_key: str = Field("", alias="LINGKAR_DASHBOARD_SESSION_KEY", repr=False)
    dashboard_session_hours: float = Field(8.0, alias="LINGKAR_DASHBOARD_SESSION_HOURS", gt=0, le=24 * 7)
    # Where browsers reach this server (https://lingkar.example.com): the identity providers' redirect URIs are
    # built from it. Only http://127.0.0.1 or http://localhost may be plain HTTP (then the cookie is not Secure).
    public_url: str = Field("", alias="LINGKAR_PUBLIC_URL")
    # Sign in with Slack (OpenID Connect): the Slack app's client id and secret; empty: SLACK_CLIENT_ID/_SECRET.
    dashboard_slack_client_id: str = Field("", alias="LINGKAR_DASHBOARD_SLACK_CLIENT_ID")
    dashboard_slack_client_secret: str = Field("", alias="LINGKAR_DASHBOARD_SLACK_CLIENT_SECRET", repr=False)
    slack_openid_url: str = Field("https://slack.com/openid/connect/authorize", alias="LINGKAR_SLACK_OPENID_URL")
    # Sign in with Microsoft (Entra ID, MSAL): an app registration of its own, or the bot's; tenant: a tenant id,
    # or "organizations" for any work account (the tenant still has to be a Teams workspace Lingkar knows).
    dashboard_entra_client_id: str = Field("", alias="LINGKAR_DASHBOARD_ENTRA_CLIENT_ID")
    dashboard_entra_client_secret: str = Field("", alias="LINGKAR_DASHBOARD_ENTRA_CLIENT_SECRET", repr=False)
    dashboard_entra_tenant: str = Field("organizations", alias="LINGKAR_DASHBOARD_ENTRA_TENANT")
    entra_authority: str = Field("https://login.microsoftonline.com", alias="LINGKAR_ENTRA_AUTHORITY")
    entra_ca_file: str = Field("", alias="LINGKAR_ENTRA_CA_FILE")  # extra CA bundle (tests; a TLS-inspecting proxy)

    @model_validator(mode="after")
    def _local_mode_alone(self) -> Settings:
        if self.teams_local and self.microsoft_app_id:
            raise ValueError("LINGKAR_TEAMS_LOCAL=true and MicrosoftAppId are both set: local mode turns off "
                             "authentication for the Bot Framework Emulator; unset one of them")
        return self

    @model_validator(mode="after")
    def _graph_credentials(self) -> Settings:
        if self.graph_teams_app_id and not ((self.graph_client_id or self.microsoft_app_id)
                                            and (self.graph_client_secret or self.microsoft_app_password)):
            raise ValueError("LINGKAR_GRAPH_TEAMS_APP_ID is set without credentials for Microsoft Graph: set "
                             "MicrosoftAppId and MicrosoftAppPassword (or LINGKAR_GRAPH_CLIENT_ID and _SECRET)")
        return self

    # Each check below runs at `lingkar check` and at start: `_settings()` in adapters/cli.py turns a failure into one
    # line naming the variable (pydantic puts the alias in the error's location). No message repeats the value:
    # a database URL carries its password.
    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        expected = ("expected sqlite+aiosqlite:///path/to/lingkar.db or "
                    "postgresql+asyncpg://user:password@host:5432/database")
        try:
            url = make_url(normalise_url(value.strip()))
        except ArgumentError:
            raise ValueError(f"not a database URL; {expected}") from None
        if url.drivername not in DRIVERS:
            raise ValueError(f"unsupported database {url.drivername!r}; {expected}")
        return value.strip()

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in LOCALES:
            raise ValueError(f"unknown locale; expected one of {', '.join(LOCALES)}")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; expected an IANA name such as Asia/Jakarta or Europe/Amsterdam") \
                from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"unknown log level; expected one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("slack_command")
    @classmethod
    def _slash_command(cls, value: str) -> str:
        if not value.startswith("/") or len(value) < 2 or any(c.isspace() for c in value):
            raise ValueError("expected a slash command such as /circle (a leading /, no spaces)")
        return value

    @field_validator("microsoft_app_type")
    @classmethod
    def _known_app_type(cls, value: str) -> str:
        known = {t.lower(): t for t in APP_TYPES}
        if value.strip().lower() not in known:
            raise ValueError(f"unknown bot type; expected one of {', '.join(APP_TYPES)}")
        return known[value.strip().lower()]

    @model_validator(mode="after")
    def _credentials_in_pairs(self) -> Settings:
        if self.microsoft_app_id:
            self._teams_credentials_complete()
        if self.slack_bot_token and not (self.slack_signing_secret or self.slack_app_token):
            raise ValueError("SLACK_BOT_TOKEN is set without SLACK_SIGNING_SECRET: set the signing secret for HTTP "
                             "events, or SLACK_APP_TOKEN for Socket Mode")
        return self

    @model_validator(mode="after")
    def _slack_oauth(self) -> Settings:
        if not self.slack_client_id:
            return self
        if self.slack_bot_token:
            raise ValueError("SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: one workspace with one token, or "
                             "'Add to Slack' for many (each install brings its token); unset one of them")
        if not (self.slack_client_secret and self.slack_signing_secret):
            raise ValueError("SLACK_CLIENT_ID is set without SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET: "
                             "'Add to Slack' needs both (Basic Information > App Credentials)")
        if not self.slack_token_key_list():
            raise ValueError("SLACK_CLIENT_ID is set without LINGKAR_SLACK_TOKEN_KEYS: bot tokens are stored "
                             "encrypted; make a key with `lingkar slack token-key`")
        for key in self.slack_token_key_list():
            try:
                Fernet(key)
            except ValueError:
                raise ValueError("LINGKAR_SLACK_TOKEN_KEYS holds a value that is not a Fernet key (32 url-safe "
                                 "base64-encoded bytes); make one with `lingkar slack token-key`") from None
        return self

    @model_validator(mode="after")
    def _dashboard(self) -> Settings:
        if not self.dashboard_session_key:
            return self
        try:
            Fernet(self.dashboard_session_key)
        except ValueError:
            raise ValueError("LINGKAR_DASHBOARD_SESSION_KEY is not a Fernet key (32 url-safe base64-encoded bytes); "
                             "make one with `lingkar slack token-key`") from None
        url = urlsplit(self.public_url.strip())
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("LINGKAR_DASHBOARD_SESSION_KEY is set without LINGKAR_PUBLIC_URL: the dashboard needs the "
                             "address browsers use (https://lingkar.example.com) for the sign-in redirects")
        if url.scheme == "http" and url.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("LINGKAR_PUBLIC_URL must be https:// (plain http only for 127.0.0.1 or localhost): the "
                             "dashboard's session cookie is Secure")
        if bool(self.dashboard_entra_client_id) != bool(self.dashboard_entra_client_secret):
            raise ValueError("LINGKAR_DASHBOARD_ENTRA_CLIENT_ID and LINGKAR_DASHBOARD_ENTRA_CLIENT_SECRET go together")
        return self

    def dashboard_slack_credentials(self) -> tuple[str, str] | None:
        """Sign in with Slack's client id and secret (the dashboard's own, else the Slack app's), or None."""
        client_id = self.dashboard_slack_client_id or self.slack_client_id
        secret = self.dashboard_slack_client_secret or self.slack_client_secret
        return (client_id, secret) if client_id and secret else None

    def dashboard_base_url(self) -> str:
        return self.public_url.strip().rstrip("/")

    def slack_token_key_list(self) -> tuple[str, ...]:
        """The newest key first: it encrypts; all of them decrypt."""
        return tuple(k.strip() for k in self.slack_token_keys.split(",") if k.strip())

    def _teams_credentials_complete(self) -> None:
        """What botbuilder needs for each bot type, named before the first request fails with its own exception."""
        managed = self.microsoft_app_type == "UserAssignedMSI"
        if not managed and not self.microsoft_app_password:
            raise ValueError("MicrosoftAppId is set without MicrosoftAppPassword: set the app's client secret too "
                             "(or MicrosoftAppType=UserAssignedMSI for a managed identity, or unset MicrosoftAppId to "
                             "turn Teams off)")
        if self.microsoft_app_type != "MultiTenant" and not self.microsoft_app_tenant_id.strip():
            raise ValueError(f"MicrosoftAppType={self.microsoft_app_type} needs MicrosoftAppTenantId: the Directory "
                             "(tenant) ID shown on the app registration's overview")

    def teams_file_host_list(self) -> tuple[str, ...]:
        return tuple(h.strip().lower().lstrip(".") for h in self.teams_file_hosts.split(",") if h.strip())

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
            admins=frozenset(admin_id(a) for a in self.admins.split(",") if a.strip()),
            workspace_admins_are_admins=self.workspace_admins_are_admins,
            k_anonymity=self.k_anonymity,
            default_locale=self.default_locale,
            default_timezone=self.default_timezone,
        )


def admin_id(given: str) -> str:
    """An Entra object id as Teams sends it (a lower-case GUID, however it was pasted); any other id as written."""
    value = given.strip()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value
