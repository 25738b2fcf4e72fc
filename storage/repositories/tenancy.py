"""Workspaces, members, admins and audit entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AuditEntry, Member, Workspace, WorkspaceAdmin
from storage.upsert import insert_ignore


class WorkspaceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(self, *, platform: str, external_id: str, now: datetime, locale: str = "en") -> Workspace:
        """`locale` is the language of what the workspace's shared spaces get (a circle's welcome, a ballot): the
        deployment's default language, so an Indonesian company's channels speak Indonesian from the start."""
        # SELECT first: an INSERT that inserts nothing still takes SQLite's write lock on every event.
        found = await self.find(platform=platform, external_id=external_id)
        if found is not None:
            return found
        await insert_ignore(
            self._session,
            Workspace,
            values={"platform": platform, "external_id": external_id, "created_at": now, "name": "",
                    "locale": locale, "timezone": "Asia/Jakarta"},
            conflict=("platform", "external_id"),
        )
        created = await self.find(platform=platform, external_id=external_id)
        assert created is not None
        return created

    async def find(self, *, platform: str, external_id: str) -> Workspace | None:
        found = await self._session.exec(
            select(Workspace).where(Workspace.platform == platform, Workspace.external_id == external_id)
        )
        return found.first()

    async def with_member(
        self, *, platform: str, external_id: str, member_external_id: str
    ) -> tuple[Workspace | None, Member | None]:
        """The workspace and the member in one query: the common case for every event from a known member."""
        found = await self._session.exec(
            select(Workspace, Member)
            .outerjoin(Member, (col(Member.workspace_id) == Workspace.id) & (Member.external_id == member_external_id))
            .where(Workspace.platform == platform, Workspace.external_id == external_id)
        )
        row = found.first()
        return (None, None) if row is None else (row[0], row[1])

    async def get(self, workspace_id: int) -> Workspace | None:
        return await self._session.get(Workspace, workspace_id)


class MemberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(
        self, *, workspace_id: int, external_id: str, now: datetime, defaults: dict[str, Any] | None = None
    ) -> Member:
        existing = await self.by_external_id(workspace_id=workspace_id, external_id=external_id)
        if existing is not None:
            return existing
        values: dict[str, Any] = {
            "workspace_id": workspace_id, "external_id": external_id, "created_at": now,
            "skills_offered": [], "skills_wanted": [], "interests": [],
        }
        values.update(defaults or {})
        await insert_ignore(self._session, Member, values=values, conflict=("workspace_id", "external_id"))
        created = await self.by_external_id(workspace_id=workspace_id, external_id=external_id)
        assert created is not None
        return created

    async def get(self, *, workspace_id: int, member_id: int) -> Member | None:
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id, Member.id == member_id)
        )
        return found.first()

    async def by_external_id(self, *, workspace_id: int, external_id: str) -> Member | None:
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id, Member.external_id == external_id)
        )
        return found.first()

    async def many(self, *, workspace_id: int, member_ids: Sequence[int]) -> list[Member]:
        if not member_ids:
            return []
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id, col(Member.id).in_(list(member_ids)))
        )
        return list(found.all())

    async def all_in(self, *, workspace_id: int) -> list[Member]:
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id).order_by(col(Member.id))
        )
        return list(found.all())

    async def started_between(self, *, workspace_id: int, since: date, until: date) -> list[Member]:
        """Members who joined the company in [since, until] (the org import's start date), reachable and not
        erased: whom an onboarding program invites."""
        found = await self._session.exec(
            select(Member).where(Member.workspace_id == workspace_id, col(Member.start_date) >= since,
                                 col(Member.start_date) <= until, col(Member.erased).is_(False),
                                 col(Member.reachable).is_(True)).order_by(col(Member.id))
        )
        return list(found.all())

    def add(self, member: Member) -> None:
        self._session.add(member)


class AdminRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_admin(self, *, workspace_id: int, user_external_id: str) -> bool:
        found = await self._session.exec(
            select(WorkspaceAdmin.id).where(
                WorkspaceAdmin.workspace_id == workspace_id,
                WorkspaceAdmin.user_external_id == user_external_id,
            )
        )
        return found.first() is not None

    async def add(self, *, workspace_id: int, user_external_id: str, added_by: str, now: datetime) -> bool:
        new_id = await insert_ignore(
            self._session,
            WorkspaceAdmin,
            values={"workspace_id": workspace_id, "user_external_id": user_external_id,
                    "added_by": added_by, "created_at": now},
            conflict=("workspace_id", "user_external_id"),
        )
        return new_id is not None

    async def remove(self, *, workspace_id: int, user_external_id: str) -> bool:
        found = await self._session.exec(
            select(WorkspaceAdmin).where(
                WorkspaceAdmin.workspace_id == workspace_id,
                WorkspaceAdmin.user_external_id == user_external_id,
            )
        )
        row = found.first()
        if row is None:
            return False
        await self._session.delete(row)
        return True

    async def list(self, *, workspace_id: int) -> list[str]:
        found = await self._session.exec(
            select(WorkspaceAdmin.user_external_id)
            .where(WorkspaceAdmin.workspace_id == workspace_id)
            .order_by(col(WorkspaceAdmin.id))
        )
        return list(found.all())


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def record(
        self, *, workspace_id: int, at: datetime, action: str, actor_member_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self._session.add(
            AuditEntry(workspace_id=workspace_id, at=at, action=action, actor_member_id=actor_member_id,
                       detail=detail or {})
        )

    async def list(self, *, workspace_id: int, action: str | None = None) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        found = await self._session.exec(query.order_by(col(AuditEntry.id)))
        return list(found.all())
