"""The outbox: every message to someone other than the actor, queued in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed under a lease; a crashed sender's lease expires and it is retried
    SENT = "sent"
    FAILED = "failed"  # gave up after the last try; admins see these in the digest
    SKIPPED = "skipped"  # too stale to be useful, or the member paused / was erased


class Delivery(SQLModel, table=True):
    """One message (or image) to one target. `key` is the idempotency key: planning twice inserts once."""

    # Claims look for due rows by status and time; the index keeps that cheap with millions of sent rows.
    # (workspace_id, kind): `forget me` drops the workspace's files (kind "file") among millions of deliveries.
    __table_args__ = (UniqueConstraint("key"), Index("ix_delivery_status_due_at", "status", "due_at"),
                      Index("ix_delivery_workspace_id_kind", "workspace_id", "kind"))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    program_id: int | None = Field(default=None, index=True)
    key: str = Field(max_length=255)
    kind: str = Field(max_length=32)  # announcement, welcome, prompt, reminder, checkin, poll, digest, dm, ...
    target: str = Field(max_length=600)  # Target.key(): platform:workspace:kind:ref
    member_id: int | None = Field(default=None, index=True)  # the recipient, for DMs (pause / erasure)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=json_column())  # encoded Message
    image: bytes | None = Field(default=None)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16, index=True)
    due_at: datetime = Field(sa_column=utc_column(index=True))
    stale_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    lease_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    claimed_by: str | None = Field(default=None, max_length=64)
    sent_ref: str | None = Field(default=None, max_length=600)  # the platform's message id
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
