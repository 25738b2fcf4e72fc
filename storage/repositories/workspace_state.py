"""A workspace's life after install: marked inactive when the app is removed, and erased when an admin says so."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import SQLModel, col, select

from storage.tables import Delivery, Workspace, WorkspacePace, slack_bots, slack_installations
from storage.uow import UnitOfWork


async def mark_inactive(uow: UnitOfWork, *, platform: str, external_id: str, reason: str, now: datetime) -> bool:
    """Mark the workspace inactive (the first reason and time stay); False when Lingkar never knew it."""
    changed = await uow.session.exec(update(Workspace).where(
        col(Workspace.platform) == platform, col(Workspace.external_id) == external_id,
        col(Workspace.inactive_since).is_(None),
    ).values(inactive_since=now, inactive_reason=reason[:32]).execution_options(synchronize_session=False))
    found = await uow.session.exec(select(Workspace.id).where(
        col(Workspace.platform) == platform, col(Workspace.external_id) == external_id))
    return changed.rowcount > 0 or found.first() is not None


async def mark_active(uow: UnitOfWork, *, platform: str, external_id: str) -> None:
    """Installed again: deliveries planned from now on go out (the ones skipped meanwhile stay skipped)."""
    await uow.session.exec(update(Workspace).where(
        col(Workspace.platform) == platform, col(Workspace.external_id) == external_id,
    ).values(inactive_since=None, inactive_reason=None).execution_options(synchronize_session=False))


async def inactive_reasons(uow: UnitOfWork, rows: Iterable[Delivery]) -> dict[int, str]:
    """delivery id -> why its workspace gets nothing any more ("workspace app_uninstalled")."""
    deliveries = list(rows)
    ids = {d.workspace_id for d in deliveries}
    if not ids:
        return {}
    found = await uow.session.exec(select(Workspace.id, Workspace.inactive_reason).where(
        col(Workspace.id).in_(ids), col(Workspace.inactive_since).is_not(None)))
    inactive = {wid: f"workspace {reason or 'inactive'}" for wid, reason in found.all()}
    return {d.id or 0: inactive[d.workspace_id] for d in deliveries if d.workspace_id in inactive}


async def erase_workspace(uow: UnitOfWork, *, platform: str, external_id: str) -> int | None:
    """Delete every row of the workspace (children first) and its stored installation; None if it is unknown.
    The caller commits. Returns the rows deleted."""
    found = (await uow.session.exec(select(Workspace).where(
        col(Workspace.platform) == platform, col(Workspace.external_id) == external_id))).first()
    if found is None or found.id is None:
        return None
    deleted = 0
    for table in reversed(SQLModel.metadata.sorted_tables):
        if "workspace_id" in table.c:
            result = await uow.session.exec(delete(table).where(table.c.workspace_id == found.id))
            deleted += result.rowcount
    await uow.session.exec(delete(WorkspacePace).where(col(WorkspacePace.platform) == platform,
                                                        col(WorkspacePace.workspace) == external_id))
    if platform == "slack":
        for table in (slack_bots, slack_installations):
            await uow.session.exec(delete(table).where(table.c.team_id == external_id))
    await uow.session.exec(delete(Workspace).where(col(Workspace.id) == found.id))
    return deleted + 1
