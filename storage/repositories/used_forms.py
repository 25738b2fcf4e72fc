"""Single-use forms: a submission claims its form's nonce in the transaction that does the form's work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables.forms import UsedForm


class UsedFormRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, *, nonce: str, workspace_id: int, now: datetime) -> bool:
        """True for the first submission of this form; False when it was already handled. INSERT … ON CONFLICT DO
        NOTHING, so of two concurrent submissions the database lets exactly one through (the other waits for the
        first transaction and then finds the row)."""
        table = UsedForm.__table__  # type: ignore[attr-defined]
        bind = self._session.bind
        module: Any = postgresql if bind is not None and bind.dialect.name == "postgresql" else sqlite
        statement = (module.insert(table).values(nonce=nonce, workspace_id=workspace_id, used_at=now)
                     .on_conflict_do_nothing(index_elements=["nonce"]).returning(table.c.nonce))
        result = await self._session.exec(statement)
        return result.first() is not None

    async def release(self, *, nonce: str) -> None:
        """The submission was refused with errors to fix: the same form may be sent again."""
        await self._session.exec(delete(UsedForm).where(col(UsedForm.nonce) == nonce))
