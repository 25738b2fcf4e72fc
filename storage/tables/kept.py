"""What any replica may need for the next request: Slack forms waiting for their button, Slack event ids seen."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from storage.tables.columns import json_column, utc_column


class KeptForm(SQLModel, table=True):
    """A form too big for a message, waiting for its member to press the button that opens it (Slack opens a
    modal only with a fresh trigger). Kept in the database because the press may reach another replica than the
    one that sent the button; taken (deleted) when opened, swept when expired."""

    __tablename__ = "kept_form"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)  # what the button carries back, never guessable
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_key: str = Field(default="", max_length=255, index=True)  # the member's external id; "" for a channel
    form: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())  # the form and its metadata
    expires_at: datetime = Field(sa_column=utc_column(index=True))


class SeenEvent(SQLModel, table=True):
    """A Slack event id already taken: Slack retries an event it thinks was missed, maybe on another replica.
    Holds no personal data: Slack's id of the event and a time."""

    __tablename__ = "seen_event"

    event_id: str = Field(primary_key=True, max_length=128)
    seen_at: datetime = Field(sa_column=utc_column(index=True))
