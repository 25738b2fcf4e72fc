"""The outbox: every message to someone other than the actor, queued in the same transaction as its cause."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from storage.tables.columns import json_column, utc_column


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed under a lease; a crashed sender's lease expires and it is retried
    SENT = "sent"
    FAILED = "failed"  # gave up after the last try; admins see these in the digest
    SKIPPED = "skipped"  # too stale to be useful, or the member paused / was erased


# `forget me` looks for a member's ids, name and quoted words in every delivery the workspace ever had (millions).
# These are the words of a row's text columns (ASCII letters lowered, JSON escapes and every other character a
# separator) in a GIN index, for settled rows only: a row enters it once, when it is sent, skipped or failed, so
# planning (inserts of pending rows) and claiming do not pay for it. storage/repositories/erasure.py searches pending
# rows by scan; migration f2b3c4d5e6f7 creates the same expression (PostgreSQL only).
SETTLED_STATUSES = ("failed", "sent", "skipped")
# ASCII letters lowered by hand (lower() depends on the locale), with the four characters Python's case-insensitive
# match takes for i, i, s and k, so a name written with them is still found. Written as PostgreSQL prints it back
# (tests/storage compares the index with what the migration made).
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ\u0130\u0131\u017f\u212a", "abcdefghijklmnopqrstuvwxyziisk"
_TEXT = "key::text"
for _column in ("kind", "target", "status", "claimed_by", "sent_ref", "last_error"):
    _value = f"{_column}::text" if _column in ("kind", "target", "status") else \
        f"COALESCE({_column}, ''::character varying)::text"
    _TEXT = f"(({_TEXT} || ' '::text) || {_value})"
_PAYLOAD = r"regexp_replace(payload::text, '\\(u[0-9a-fA-F]{4}|.)'::text, ' '::text, 'g'::text)"
DELIVERY_WORDS_SQL = (f"regexp_split_to_array(translate(({_TEXT} || ' '::text) || {_PAYLOAD}, '{_UPPER}'::text, "
                      f"'{_LOWER}'::text), '[^a-z0-9_-]+'::text)")
SETTLED_SQL = f"status IN ({', '.join(repr(s) for s in SETTLED_STATUSES)})"


class Delivery(SQLModel, table=True):
    """One message (or image) to one target. `key` is the idempotency key: planning twice inserts once."""

    # Claims look for due rows by status and time; the index keeps that cheap with millions of sent rows.
    # (workspace_id, kind): `forget me` drops the workspace's files (kind "file") among millions of deliveries.
    # target: `forget me` finds the member's direct messages by target too, not only by member_id.
    # (program_id, due_at): the planners read only a program's recent keys (bot/sessions/due_windows.KEYS_SINCE).
    __table_args__ = (UniqueConstraint("key"), Index("ix_delivery_status_due_at", "status", "due_at"),
                      Index("ix_delivery_workspace_id_kind", "workspace_id", "kind"),
                      Index("ix_delivery_program_id_due_at", "program_id", "due_at"),
                      Index("ix_delivery_target", "target"),
                      Index("ix_delivery_settled_words", text(DELIVERY_WORDS_SQL), postgresql_using="gin",
                            postgresql_where=text(SETTLED_SQL)).ddl_if(dialect="postgresql"))

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
