"""Stored conversation references: save on contact, look up for proactive messages, mark unreachable."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import ConversationRecord, PendingFile, Workspace
from storage.upsert import insert_ignore


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def workspace_id(self, *, platform: str, external_id: str) -> int | None:
        """The workspace of a tenant, without creating it (reads must not write)."""
        found = await self._session.exec(
            select(Workspace.id).where(Workspace.platform == platform, Workspace.external_id == external_id)
        )
        return found.first()

    async def save(
        self, *, workspace_id: int, scope: str, key: str, reference: dict[str, Any], now: datetime,
        alias: str | None = None, name: str = "", replace: bool = True,
    ) -> ConversationRecord:
        """Insert or refresh one reference. `replace=False` only fills in a row that does not exist yet
        (a roster entry must never overwrite a real 1:1 conversation)."""
        new_id = await insert_ignore(
            self._session, ConversationRecord,
            values={"workspace_id": workspace_id, "scope": scope, "key": key, "reference": reference,
                    "alias": alias, "name": name[:200], "reachable": True, "updated_at": now},
            conflict=("workspace_id", "scope", "key"),
        )
        row = await self.get(workspace_id=workspace_id, scope=scope, key=key)
        assert row is not None
        if new_id is None:
            if replace:
                row.reference = reference
                row.reachable = True
            if alias:
                row.alias = alias
            if name:
                row.name = name[:200]
            row.updated_at = now
            self._session.add(row)
        return row

    async def get(self, *, workspace_id: int, scope: str, key: str) -> ConversationRecord | None:
        found = await self._session.exec(
            select(ConversationRecord).where(
                ConversationRecord.workspace_id == workspace_id, ConversationRecord.scope == scope,
                ConversationRecord.key == key,
            )
        )
        return found.first()

    async def by_alias(self, *, workspace_id: int, scope: str, alias: str) -> ConversationRecord | None:
        found = await self._session.exec(
            select(ConversationRecord).where(
                ConversationRecord.workspace_id == workspace_id, ConversationRecord.scope == scope,
                ConversationRecord.alias == alias,
            )
        )
        return found.first()

    async def many(self, *, workspace_id: int, scope: str, keys: Sequence[str]) -> list[ConversationRecord]:
        if not keys:
            return []
        found = await self._session.exec(
            select(ConversationRecord).where(
                ConversationRecord.workspace_id == workspace_id, ConversationRecord.scope == scope,
                col(ConversationRecord.key).in_(list(keys)),
            )
        )
        return list(found.all())

    async def named(self, *, workspace_id: int, scope: str) -> list[ConversationRecord]:
        """The reachable conversations of a scope that carry a name (team channels read from a team's channel
        list), by name: where a program can live."""
        found = await self._session.exec(
            select(ConversationRecord).where(
                ConversationRecord.workspace_id == workspace_id, ConversationRecord.scope == scope,
                col(ConversationRecord.reachable).is_(True), ConversationRecord.name != "",
            ).order_by(col(ConversationRecord.name), col(ConversationRecord.id))
        )
        return list(found.all())

    async def latest(self, *, workspace_id: int) -> ConversationRecord | None:
        """The most recently refreshed reference of a workspace (its service URL and bot account)."""
        found = await self._session.exec(
            select(ConversationRecord).where(ConversationRecord.workspace_id == workspace_id)
            .order_by(col(ConversationRecord.updated_at).desc(), col(ConversationRecord.id).desc())
        )
        return found.first()

    async def set_reachable(
        self, *, workspace_id: int, scope: str, key: str, reachable: bool, now: datetime
    ) -> bool:
        row = await self.get(workspace_id=workspace_id, scope=scope, key=key)
        if row is None:
            return False
        row.reachable = reachable
        row.updated_at = now
        self._session.add(row)
        return True

    # -- files waiting for a member's consent ---------------------------------------------------------------------

    def keep_file(self, pending: PendingFile) -> None:
        self._session.add(pending)

    async def pending_file(self, *, workspace_id: int, token: str) -> PendingFile | None:
        found = await self._session.exec(
            select(PendingFile).where(PendingFile.workspace_id == workspace_id, PendingFile.token == token)
        )
        return found.first()

    async def drop_file(self, pending: PendingFile) -> None:
        await self._session.delete(pending)

    async def drop_files_before(self, *, before: datetime) -> None:
        """Files nobody accepted in time: their consent cards answer "no longer available"."""
        await self._session.exec(delete(PendingFile).where(col(PendingFile.created_at) < before))
