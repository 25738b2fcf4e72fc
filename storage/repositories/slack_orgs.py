"""Which Enterprise Grid org a Slack workspace belongs to, in the database so every replica (and a restart) knows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.tables.slack_oauth import slack_bots, slack_team_orgs
from storage.uow import UnitOfWork


async def remember_org(uow: UnitOfWork, *, team_id: str, enterprise_id: str, now: datetime) -> None:
    """Record (or move) the workspace's org; the caller commits. An upsert: two replicas seeing the same team's first
    requests at once both succeed."""
    connection = await uow.session.connection()  # a Core table, not a model
    module: Any = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(slack_team_orgs).values(team_id=team_id, enterprise_id=enterprise_id, seen_at=now)
    await connection.execute(statement.on_conflict_do_update(
        index_elements=[slack_team_orgs.c.team_id], set_={"enterprise_id": enterprise_id, "seen_at": now}))


async def org_of(uow: UnitOfWork, *, team_id: str) -> str | None:
    connection = await uow.session.connection()
    found = await connection.execute(select(slack_team_orgs.c.enterprise_id).where(
        slack_team_orgs.c.team_id == team_id))
    return found.scalar_one_or_none()


async def teams_served_by_org(uow: UnitOfWork, *, client_id: str, enterprise_id: str,
                              also: str | None = None) -> list[str]:
    """The org's workspaces (and `also`, the one an event named) that have no installation of their own: the org's
    install was what served them."""
    connection = await uow.session.connection()
    in_org = set((await connection.execute(select(slack_team_orgs.c.team_id).where(
        slack_team_orgs.c.enterprise_id == enterprise_id))).scalars())
    candidates = in_org | ({also} if also else set())
    if not candidates:
        return []
    own = set((await connection.execute(select(slack_bots.c.team_id).where(
        slack_bots.c.client_id == client_id, slack_bots.c.team_id.in_(candidates)))).scalars())
    return sorted(str(team) for team in candidates - own)


async def forget_team(uow: UnitOfWork, *, team_id: str) -> None:
    """Part of erasing a workspace; the caller commits."""
    connection = await uow.session.connection()
    await connection.execute(delete(slack_team_orgs).where(slack_team_orgs.c.team_id == team_id))
