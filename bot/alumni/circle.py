"""The alumni circle: one space per program for those who chose it, opened for the first and joined by the rest.

A member's `alumni` choice stays unused until they are in the open space: the opening lists them, or a space change
adds them. Whoever chose while the space was still being opened (or two first joiners at once, of which the opening
lists one) is added by `settle_alumni` once it is open, so no one is lost and the space opens once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope, SpaceRequest
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import post
from bot.kernel.payload import announcement_channel
from bot.kernel.ports import SpaceRef, Target
from bot.kernel.spaces import open_after_commit, queue_space, queue_space_change, tell_admins
from bot.kernel.text_keys import slugify
from storage.repositories.outbox import read_opened, space_key
from storage.tables import ClosingChoice, Delivery, DeliveryStatus, Member, Program

GIVEN_UP = (DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)  # refused for good, or no such space on the platform


def alumni_key(program_id: int) -> str:
    return space_key("alumni", program_id)


def space_name(program: Program) -> str:
    return slugify(f"{program.slug}-alumni", max_length=70)


def _asked(row: Delivery) -> set[str]:
    """Whom the space's opening lists (the platform adds them as it opens it)."""
    return {str(m) for m in (row.payload.get("space") or {}).get("members") or []}


async def join_alumni(ctx: Ctx, program: Program, choice_id: int) -> str:
    """The member chose the alumni circle: open it for them, or add them to it; the reply says where it is."""
    key = alumni_key(program.id or 0)
    me = ctx.member.external_id
    row = await ctx.uow.outbox.by_key(key=key)
    if row is None:
        request = SpaceRequest(name=space_name(program), members=(me,), private=True, key=key,
                               parent=announcement_channel(ctx.workspace, program))
        await open_after_commit(ctx, partial(_opened, program_id=program.id or 0), request=request,
                                program_id=program.id)
        # Two first joiners at once: the database keeps one opening, which lists only one of them.
        row = await ctx.uow.outbox.by_key(key=key)
    if row is not None and row.status == DeliveryStatus.SENT and row.sent_ref and me not in _asked(row):
        await _add(ctx, program, read_opened(row.sent_ref)[0], ctx.member)
        await ctx.uow.closing.mark_used(choice_ids=[choice_id], now=ctx.now)
    elif row is not None and row.status in GIVEN_UP:
        return ctx.t("alumni.joined_later", program=program.name)
    return ctx.t("alumni.joined", program=program.name, space=space_name(program))


async def _add(scope: Scope, program: Program, space: str, member: Member) -> None:
    await queue_space_change(scope, space=space, key=f"space-add:alumni:{program.id}:{member.id}", action="add",
                             members=(member.external_id,), program_id=program.id)


async def _opened(ctx: Ctx, space: SpaceRef | None, *, program_id: int) -> None:
    """Right after the commit the platform opened the space: welcome it, add whoever chose meanwhile."""
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=program_id)
    if program is None or space is None:
        return
    waiting = await ctx.uow.closing.of_program(program_id=program_id, choices=("alumni",), unused_only=True)
    await settle_alumni(ctx, ctx.services.config, program, waiting)


async def settle_alumni(scope: Scope, config: CoreConfig, program: Program, waiting: Sequence[ClosingChoice]) -> int:
    """Bring the alumni who are not in the space yet into it; the first time it is open, welcome them there.
    A space the platform refused for good is told to the admins once, with the platform's reason."""
    row = await scope.uow.outbox.by_key(key=alumni_key(program.id or 0))
    members = [m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                       member_ids=[c.member_id for c in waiting]) if not m.erased]
    if row is None:  # its first joiner's opening is gone (they were erased): the next one opens it
        if members:
            request = SpaceRequest(name=space_name(program), members=tuple(m.external_id for m in members),
                                   private=True, key=alumni_key(program.id or 0),
                                   parent=announcement_channel(scope.workspace, program))
            await queue_space(scope, request=request, program_id=program.id)
        return 0
    if row.status in GIVEN_UP:
        await _tell_refused(scope, config, program, row)
        return 0
    if row.status != DeliveryStatus.SENT or not row.sent_ref:
        return 0  # still being opened: next time
    space = read_opened(row.sent_ref)[0]
    t = Translator(resolve_locale(scope.workspace.locale))
    await post(scope, target=Target.from_key(space), key=f"welcome:alumni:{program.id}", kind="welcome",
               program_id=program.id, message=Message(text=t("alumni.welcome", program=program.name)))
    asked = _asked(row)
    for member in members:
        if member.external_id not in asked:
            await _add(scope, program, space, member)
    await scope.uow.closing.mark_used(choice_ids=[c.id for c in waiting if c.id is not None], now=scope.now)
    return len(waiting)


async def _tell_refused(scope: Scope, config: CoreConfig, program: Program, row: Delivery) -> None:
    notice = f"alumni-space-failed:{program.id}:{row.payload.get('round', 0)}"
    if await scope.uow.outbox.planned_keys(program_id=program.id or 0, prefixes=(notice + ":",)):
        return  # told already: planners run every tick
    await tell_admins(scope, config, key=notice, program_id=program.id, build=lambda t: Message(
        text=t("alumni.space_failed", program=program.name, cause=row.last_error or "?")))
