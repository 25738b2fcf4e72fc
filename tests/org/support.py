"""Sending an org import through the core as the adapters do: `admin import` with the CSV attached."""

from __future__ import annotations

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.events import Actor, Attachment, Command
from bot.kernel.replies import Response
from storage.tables import Member, OrgRecord
from tests.helpers import WORKSPACE, actor


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


async def send_import(app: App, data: bytes | None, *, directory: dict[str, str] | None = None,
                      user: str = "UADMIN", locale: str = "en", text: str = "admin import") -> list[Response]:
    attachment = None if data is None else Attachment("org.csv", data, dict(directory or {}))
    return await app.core.handle(Command(actor(user, locale=locale), text, attachment=attachment))


def with_email(user: str, email: str, *, locale: str = "en") -> Actor:
    """A member as the adapters present them once the platform told their email (Slack profile, Teams UPN)."""
    return Actor(platform="local", workspace_id=WORKSPACE, user_id=user, display_name=user, locale=locale,
                 email=email)


async def member(app: App, user: str) -> Member:
    async with app.uow() as uow:
        found = await uow.members.by_external_id(workspace_id=1, external_id=user)
        assert found is not None, user
        return found


async def records(app: App) -> dict[str, OrgRecord]:
    """Every org record of the workspace by key."""
    async with app.uow() as uow:
        found = await uow.session.exec(select(OrgRecord).order_by(col(OrgRecord.id)))
        return {row.key: row for row in found.all()}
