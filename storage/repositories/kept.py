"""Kept forms and seen event ids (shared by every replica), and the sweep of what has expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.forms import UsedForm
from storage.tables.kept import KeptForm, SeenEvent


@dataclass(frozen=True)
class Swept:
    forms: int
    events: int
    used_forms: int


class KeptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> Any:
        bind = self._session.bind
        return postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert

    async def keep_form(self, *, token: str, workspace_id: int, user_key: str, form: dict[str, Any],
                        expires_at: datetime) -> None:
        table = KeptForm.__table__  # type: ignore[attr-defined]
        statement = self._insert()(table).values(token=token, workspace_id=workspace_id, user_key=user_key,
                                                  form=form, expires_at=expires_at)
        await self._session.exec(statement.on_conflict_do_nothing(index_elements=["token"]))

    async def take_form(self, *, token: str, workspace_id: int, now: datetime) -> dict[str, Any] | None:
        """The form, removed in the same statement: of two presses on two replicas exactly one gets it."""
        table = KeptForm.__table__  # type: ignore[attr-defined]
        statement = (delete(KeptForm).where(col(KeptForm.token) == token, col(KeptForm.workspace_id) == workspace_id)
                     .returning(table.c.form, table.c.expires_at))
        row = (await self._session.exec(statement)).first()  # type: ignore[call-overload]
        if row is None or row[1] < now:
            return None
        return dict(row[0])

    async def first_sight(self, *, event_id: str, now: datetime) -> bool:
        """True the first time `event_id` is seen by any replica. INSERT … ON CONFLICT DO NOTHING: of two
        concurrent deliveries of one event the database lets exactly one through."""
        table = SeenEvent.__table__  # type: ignore[attr-defined]
        statement = (self._insert()(table).values(event_id=event_id, seen_at=now)
                     .on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.event_id))
        return (await self._session.exec(statement)).first() is not None

    async def sweep(self, *, now: datetime, events_before: datetime, used_before: datetime) -> Swept:
        """Delete expired kept forms, event ids older than Slack's retries and form nonces older than a form's
        signature is valid (a replay that old fails verification before its nonce is looked at)."""
        forms = await self._session.exec(delete(KeptForm).where(col(KeptForm.expires_at) < now))
        events = await self._session.exec(delete(SeenEvent).where(col(SeenEvent.seen_at) < events_before))
        used = await self._session.exec(delete(UsedForm).where(col(UsedForm.used_at) < used_before))
        return Swept(forms=forms.rowcount, events=events.rowcount, used_forms=used.rowcount)
