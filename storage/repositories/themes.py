"""Themes and the votes members give them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Theme, ThemeStatus, ThemeVote
from storage.upsert import insert_ignore


class ThemeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, theme: Theme) -> None:
        self._session.add(theme)

    async def propose(self, *, workspace_id: int, program_id: int, title: str, title_key: str, member_id: int,
                      now: datetime) -> bool:
        """True when this call created the theme; False when one with the same key exists (the database
        arbitrates concurrent proposals)."""
        new_id = await insert_ignore(self._session, Theme, values={
            "workspace_id": workspace_id, "program_id": program_id, "title": title, "title_key": title_key,
            "status": ThemeStatus.PROPOSED, "proposed_by_member_id": member_id, "created_at": now,
        }, conflict=("program_id", "title_key"))
        return new_id is not None

    async def add_vote(self, *, workspace_id: int, program_id: int, theme_id: int, member_id: int,
                       created_at: datetime) -> None:
        """An approval, unless the member already approves this theme (the database arbitrates double votes)."""
        await insert_ignore(self._session, ThemeVote, values={
            "workspace_id": workspace_id, "program_id": program_id, "theme_id": theme_id,
            "member_id": member_id, "created_at": created_at}, conflict=("theme_id", "member_id"))

    async def of_program(
        self, *, workspace_id: int, program_id: int, statuses: Sequence[str] | None = None
    ) -> list[Theme]:
        query = select(Theme).where(Theme.workspace_id == workspace_id, Theme.program_id == program_id)
        if statuses is not None:
            query = query.where(col(Theme.status).in_(list(statuses)))
        found = await self._session.exec(query.order_by(col(Theme.id)))
        return list(found.all())

    async def get(self, *, workspace_id: int, theme_id: int) -> Theme | None:
        found = await self._session.exec(select(Theme).where(Theme.workspace_id == workspace_id, Theme.id == theme_id))
        return found.first()

    async def by_key(self, *, program_id: int, title_key: str) -> Theme | None:
        found = await self._session.exec(
            select(Theme).where(Theme.program_id == program_id, Theme.title_key == title_key))
        return found.first()

    async def votes_of_member(self, *, program_id: int, member_id: int) -> list[ThemeVote]:
        found = await self._session.exec(
            select(ThemeVote).where(ThemeVote.program_id == program_id, ThemeVote.member_id == member_id)
            .order_by(col(ThemeVote.id)))
        return list(found.all())

    async def votes_of_program(self, *, program_id: int) -> list[ThemeVote]:
        found = await self._session.exec(
            select(ThemeVote).where(ThemeVote.program_id == program_id).order_by(col(ThemeVote.id)))
        return list(found.all())

    async def counts(self, *, program_id: int, member_ids: set[int] | None = None) -> Counter[int]:
        votes = await self.votes_of_program(program_id=program_id)
        return Counter(v.theme_id for v in votes if member_ids is None or v.member_id in member_ids)

    async def remove_votes(self, *, theme_id: int, member_id: int | None = None) -> None:
        statement = delete(ThemeVote).where(col(ThemeVote.theme_id) == theme_id)
        if member_id is not None:
            statement = statement.where(col(ThemeVote.member_id) == member_id)
        await self._session.exec(statement)

    async def selected(self, *, workspace_id: int, program_id: int) -> list[Theme]:
        return await self.of_program(workspace_id=workspace_id, program_id=program_id,
                                     statuses=(ThemeStatus.SELECTED,))

    async def proposed_by(self, *, workspace_id: int, member_id: int) -> list[Theme]:
        found = await self._session.exec(
            select(Theme).where(Theme.workspace_id == workspace_id, Theme.proposed_by_member_id == member_id)
            .order_by(col(Theme.id)))
        return list(found.all())

    async def voter_ids(self, *, theme_id: int) -> set[int]:
        found = await self._session.exec(select(ThemeVote.member_id).where(ThemeVote.theme_id == theme_id))
        return set(found.all())

    async def merged_into(self, *, theme_id: int) -> list[Theme]:
        """Themes an admin merged into this one (their voters now vote for it)."""
        found = await self._session.exec(select(Theme).where(Theme.merged_into_id == theme_id))
        return list(found.all())

    async def delete(self, *, theme_id: int) -> None:
        """The theme and its votes (erasure of a theme nobody else took up)."""
        await self.remove_votes(theme_id=theme_id)
        await self._session.exec(delete(Theme).where(col(Theme.id) == theme_id))
