"""Org records (an admin's import of department, team, manager, seniority, start date) and the members they meet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Member, OrgRecord

# SQLite allows 32,766 parameters and PostgreSQL 32,767: IN lists are sent in chunks well below either.
_CHUNK = 500
UPDATABLE = frozenset({"email", "department", "team", "manager", "seniority", "start_date"})


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start:start + _CHUNK])


class OrgRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self) -> Any:
        bind = self._session.bind
        return postgresql.insert if bind is not None and bind.dialect.name == "postgresql" else sqlite.insert

    async def upsert(self, *, workspace_id: int, key: str, values: Mapping[str, Any], external_id: str | None,
                     now: datetime) -> None:
        """One row per (workspace, key), whoever imports it at the same time: INSERT … ON CONFLICT DO UPDATE.
        Only the columns in `values` change on a re-import (a file without a seniority column keeps the one
        imported before); a known member stays linked when this import could not tell who it is."""
        unknown = set(values) - UPDATABLE
        if unknown:
            raise ValueError(f"not an org record column: {sorted(unknown)}")
        table = OrgRecord.__table__  # type: ignore[attr-defined]
        row = {"workspace_id": workspace_id, "key": key, "email": "", "department": "", "team": "", "manager": "",
               "seniority": None, "start_date": None, **values, "external_id": external_id, "imported_at": now}
        statement = self._insert()(table).values(**row)
        changes = {name: statement.excluded[name] for name in (*values, "imported_at")}
        changes["external_id"] = func.coalesce(statement.excluded.external_id, table.c.external_id)
        await self._session.exec(statement.on_conflict_do_update(index_elements=["workspace_id", "key"],
                                                                 set_=changes))

    async def by_keys(self, *, workspace_id: int, keys: Sequence[str]) -> dict[str, OrgRecord]:
        found: dict[str, OrgRecord] = {}
        for chunk in _chunks(sorted(set(keys))):
            rows = await self._session.exec(select(OrgRecord).where(
                OrgRecord.workspace_id == workspace_id, col(OrgRecord.key).in_(chunk))
                .execution_options(populate_existing=True))  # fresh after an upsert in this transaction
            found.update({row.key: row for row in rows.all()})
        return found

    async def by_key(self, *, workspace_id: int, key: str) -> OrgRecord | None:
        return (await self.by_keys(workspace_id=workspace_id, keys=[key])).get(key)

    async def for_member(self, *, workspace_id: int, external_id: str) -> OrgRecord | None:
        """The record that applies to this member: the latest imported, should two name them."""
        found = await self._session.exec(
            select(OrgRecord).where(OrgRecord.workspace_id == workspace_id, OrgRecord.external_id == external_id)
            .order_by(col(OrgRecord.imported_at).desc(), col(OrgRecord.id).desc()))
        return found.first()

    async def managed_by(self, *, workspace_id: int, managers: Sequence[str]) -> list[OrgRecord]:
        """Records of known members whose manager column names one of these emails or platform ids."""
        found: list[OrgRecord] = []
        for chunk in _chunks(sorted(set(managers))):
            rows = await self._session.exec(
                select(OrgRecord).where(OrgRecord.workspace_id == workspace_id, col(OrgRecord.manager).in_(chunk),
                                        col(OrgRecord.external_id).is_not(None)).order_by(col(OrgRecord.id)))
            found += rows.all()
        return found

    def link(self, *, record: OrgRecord, external_id: str) -> None:
        record.external_id = external_id
        self._session.add(record)

    async def supersede(self, *, workspace_id: int, keep: Mapping[str, str]) -> int:
        """Each member keeps one record: the one this import matched them with (external id -> key); older rows
        naming them under another key (their platform id before their email was known) are removed."""
        stale: list[int] = []
        for chunk in _chunks(sorted(keep)):
            rows = await self._session.exec(select(OrgRecord.id, OrgRecord.external_id, OrgRecord.key).where(
                OrgRecord.workspace_id == workspace_id, col(OrgRecord.external_id).in_(chunk)))
            stale += [row_id or 0 for row_id, external_id, key in rows.all() if keep[external_id or ""] != key]
        if stale:
            await self._session.exec(delete(OrgRecord).where(col(OrgRecord.id).in_(stale)))
        return len(stale)

    async def member_by_email(self, *, workspace_id: int, email: str) -> Member | None:
        """The member the platform told us has this (lower-cased) email; erased members have none."""
        if not email:
            return None
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id, Member.email == email,
                                 col(Member.erased).is_(False)).order_by(col(Member.id)))
        return found.first()

    async def count(self, *, workspace_id: int, pending: bool | None = None) -> int:
        query = select(func.count()).select_from(OrgRecord).where(OrgRecord.workspace_id == workspace_id)
        if pending is not None:
            column = col(OrgRecord.external_id)
            query = query.where(column.is_(None) if pending else column.is_not(None))
        return int((await self._session.exec(query)).one())
