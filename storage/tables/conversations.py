"""Conversation references: where a platform lets the bot message a user, a channel or a thread proactively."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class ConversationScope(StrEnum):
    USER = "user"  # a member's 1:1 chat with the bot (or, before one exists, how to start it)
    CHANNEL = "channel"  # a team channel or group chat the bot is installed in
    SPACE = "space"  # a circle's thread


class ConversationRecord(SQLModel, table=True):
    """One stored reference per (workspace, scope, key): Teams can only message where the bot was installed."""

    __tablename__ = "conversation_reference"
    __table_args__ = (UniqueConstraint("workspace_id", "scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    scope: str = Field(max_length=16)
    key: str = Field(max_length=255)  # member external id, channel id or thread id
    alias: str | None = Field(default=None, max_length=255, index=True)  # the platform's other id for a user
    name: str = Field(default="", max_length=200)  # display name, for rendering mentions
    reference: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())
    reachable: bool = Field(default=True)  # false once the platform refused (blocked, uninstalled)
    updated_at: datetime = Field(sa_column=utc_column())


class PendingFile(SQLModel, table=True):
    """A file waiting for its member's consent: Teams lets a bot put a file in someone's OneDrive only after they
    press Allow on a consent card, which may be days later. Removed once uploaded or declined."""

    __tablename__ = "pending_file"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    token: str = Field(max_length=64, unique=True)  # what the consent card carries back, never guessable
    user_key: str = Field(max_length=255, index=True)  # the member's external id
    filename: str = Field(max_length=255)
    title: str = Field(default="", max_length=500)
    data: bytes
    created_at: datetime = Field(sa_column=utc_column())
