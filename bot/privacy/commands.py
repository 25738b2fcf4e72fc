"""Privacy commands: `my data` (a JSON file of everything stored about the member) and `forget me`."""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.events import Action
from bot.kernel.messages import Button, Buttons, Header, Message
from bot.kernel.messages import Text as TextBlock
from bot.kernel.outbox import enqueue_file
from bot.kernel.replies import Reply, Response, UpdateSource
from bot.privacy.erasure import _sort_themes, erase_member, personal_rows
from bot.privacy.personal import PERSONAL_TABLES, PROFILE_FIELDS
from storage.tables import Member
from storage.uow import UnitOfWork


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes | memoryview):
        return None
    return value


async def my_data(uow: UnitOfWork, member: Member, *, now: datetime) -> dict[str, Any]:
    rows = await personal_rows(uow, member)
    sections = {spec.section: [{k: _plain(v) for k, v in row.items() if k != "workspace_id" and not isinstance(
        v, bytes | memoryview)} for row in rows.get(spec.table, [])] for spec in PERSONAL_TABLES}
    linked = await _programs_of(uow, member, sections)
    programs = {str(p.id): p.name for p in await uow.programs.all_in(workspace_id=member.workspace_id)
                if p.id in linked}
    return {"generated_at": now.isoformat(), "profile": {f: _plain(getattr(member, f)) for f in PROFILE_FIELDS},
            "program_names": programs, **sections}


async def _programs_of(uow: UnitOfWork, member: Member, sections: dict[str, list[dict[str, Any]]]) -> set[int]:
    """The programs the member's own data names (enrolled, in a circle or pair, created, written to): only those
    are named in the file, not every draft in the workspace."""
    linked = {row["id"] for row in sections.get("programs_created", [])}
    circles: set[int] = set()
    for rows in sections.values():
        for row in rows:
            if isinstance(row.get("program_id"), int):
                linked.add(row["program_id"])
            if isinstance(row.get("circle_id"), int):
                circles.add(row["circle_id"])
    for circle_id in circles:  # a membership row names its circle only
        circle = await uow.circles.get(workspace_id=member.workspace_id, circle_id=circle_id)
        if circle is not None:
            linked.add(circle.program_id)
    return linked


def _titles(titles: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f"“{title}”" for title in titles)


async def my_data_command(ctx: Ctx, args: str) -> list[Response]:
    data = json.dumps(await my_data(ctx.uow, ctx.member, now=ctx.now), ensure_ascii=False, indent=2, default=str)
    await enqueue_file(ctx.uow, workspace_id=ctx.workspace_id, key=f"mydata:{ctx.member_id}:{ctx.now.isoformat()}",
                       target=ctx.user_target(), data=data.encode("utf-8"), filename="lingkar-my-data.json",
                       title=ctx.t("privacy.my_data_title"), due_at=ctx.now, member_id=ctx.member_id)
    return [Reply(Message(text=ctx.t("privacy.my_data_queued")))]


async def forget_me(ctx: Ctx, args: str) -> list[Response]:
    title, text = ctx.t("privacy.forget_title"), ctx.t("privacy.forget_explain")
    text += "\n" + ctx.t("privacy.forget_quotes")
    shared, _ = await _sort_themes(ctx.uow, ctx.member)
    if shared:
        text += "\n" + ctx.t("privacy.forget_shared_themes", titles=_titles([t.title for t in shared]))
    buttons = Buttons((Button(ctx.t("privacy.forget_confirm"), f"forget.confirm:{ctx.member_id}", style="danger"),
                       Button(ctx.t("privacy.forget_cancel"), f"forget.cancel:{ctx.member_id}")))
    return [Reply(Message(text=f"{title}\n{text}", blocks=(Header(title), TextBlock(text), buttons)))]


async def forget_confirmed(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    if arg != str(ctx.member_id):
        raise UserError("errors.stale_action")  # someone else's button, or one from before an erasure
    erasure = await erase_member(ctx)
    text = ctx.t("privacy.forgotten")
    if erasure.kept_themes:
        text += "\n" + ctx.t("privacy.forgotten_shared_themes", titles=_titles(erasure.kept_themes))
    return [UpdateSource(Message(text=text))]


async def forget_cancelled(ctx: Ctx, action: Action, arg: str) -> list[Response]:
    return [UpdateSource(Message(text=ctx.t("privacy.forget_kept")))]
