"""slack_sdk's installation, bot and OAuth state tables (its SQLAlchemy stores read and write them), on our schema.

The columns mirror slack_sdk.oauth.installation_store.sqlalchemy and state_store.sqlalchemy, so Alembic owns the
tables and slack_sdk's stores work on them unchanged. Token columns are Text: Lingkar stores them Fernet-encrypted
(adapters/slack/installations.py), which is longer than Slack's 200-character columns allow for."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text
from sqlmodel import SQLModel

from storage.types import UTCDateTime


def _team_columns() -> list[Column[object]]:
    return [Column("client_id", String(32), nullable=False), Column("app_id", String(32), nullable=False),
            Column("enterprise_id", String(32)), Column("enterprise_name", String(200)),
            Column("team_id", String(32)), Column("team_name", String(200))]


def _bot_columns() -> list[Column[object]]:
    return [Column("bot_token", Text), Column("bot_id", String(32)), Column("bot_user_id", String(32)),
            Column("bot_scopes", String(1000)), Column("bot_refresh_token", Text),
            Column("bot_token_expires_at", DateTime)]


slack_installations = Table(
    "slack_installations", SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_team_columns(),
    Column("enterprise_url", String(200)),
    *_bot_columns(),
    Column("user_id", String(32), nullable=False),
    Column("user_token", Text),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", Text),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

slack_bots = Table(
    "slack_bots", SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    *_team_columns(),
    *_bot_columns(),
    Column("is_enterprise_install", Boolean, nullable=False, default=False),
    Column("installed_at", DateTime, nullable=False),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

slack_oauth_states = Table(
    "slack_oauth_states", SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)

# Lingkar's own: which Enterprise Grid org each workspace belongs to, learnt from its requests and installs. An
# org-wide install has no team id in the tables above, so an org-wide removal finds the org's workspaces here, and
# so does every replica (and a restarted one) looking for the org install that serves a workspace.
slack_team_orgs = Table(
    "slack_team_orgs", SQLModel.metadata,
    Column("team_id", String(32), primary_key=True),
    Column("enterprise_id", String(32), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Index("slack_team_orgs_enterprise_idx", "enterprise_id"),
)
