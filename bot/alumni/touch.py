"""Staying in touch: shared only between people of one circle or pair who both chose it; nobody else learns of it.

Each pair of such people hears of the other once: the later one in the reply to their press, the earlier one by a
DM. Both are on record under `touch_key(program, to, about)` (the reply as a skipped delivery, so it is never sent
again), and `settle_touch` fills in whatever two presses at the same moment could not see of each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator
from bot.kernel.message_codec import encode
from bot.kernel.messages import Message
from bot.kernel.outbox import dm, user_target
from storage.tables import CircleMemberStatus, ClosingChoice, Member, NextStep, Program

KIND = "what_next"  # one kind for all of this capability's DMs: a failure count reveals no one's choice
WAS_IN = (CircleMemberStatus.ACTIVE, CircleMemberStatus.LEFT)  # a place on a circle's waitlist is not being in it


def touch_key(program_id: int, to_id: int, about_id: int) -> str:
    return f"stay:{program_id}:{to_id}:{about_id}"


async def companions(scope: Scope, program: Program, member_id: int) -> set[int] | None:
    """Everyone who shared a circle or a pair with the member in this program; None when they were in neither."""
    found: set[int] = set()
    grouped = False
    for membership in await scope.uow.circles.membership_of(workspace_id=scope.workspace_id, member_id=member_id,
                                                            program_id=program.id):
        if membership.status in WAS_IN:
            grouped = True
            found |= {m.member_id for m in await scope.uow.circles.memberships(circle_id=membership.circle_id,
                                                                              statuses=WAS_IN)}
    for pair in await scope.uow.pairs.of_member(workspace_id=scope.workspace_id, member_id=member_id,
                                                active_only=False):
        if pair.program_id == program.id:
            grouped = True
            found |= {pair.mentor_member_id, pair.mentee_member_id}
    found.discard(member_id)
    return found if grouped else None


async def _choosers(scope: Scope, program: Program, among: set[int]) -> list[Member]:
    chosen = {c.member_id for c in await scope.uow.closing.of_program(program_id=program.id or 0,
                                                                       choices=(NextStep.STAY_IN_TOUCH,))}
    return [m for m in await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                    member_ids=sorted(chosen & among)) if not m.erased]


def _told(t: Translator, *, program: Program, about: str) -> Message:
    return Message(text=t("alumni.stay.too", name=about, program=program.name))


async def _tell(scope: Scope, program: Program, *, to: Member, about: Member) -> bool:
    return await dm(scope, member=to, key=touch_key(program.id or 0, to.id or 0, about.id or 0), kind=KIND,
                    build=partial(_told, program=program, about=about.name), program_id=program.id)


async def stay_in_touch(ctx: Ctx, program: Program, group: set[int]) -> str:
    """The member chose to stay in touch: name those of their circle or pair who chose it before, tell each of them."""
    others = await _choosers(ctx, program, group)
    for other in others:
        await _tell(ctx, program, to=other, about=ctx.member)
        await ctx.uow.outbox.add_skipped(
            workspace_id=ctx.workspace_id, program_id=program.id, key=touch_key(program.id or 0, ctx.member_id,
                                                                                other.id or 0),
            kind=KIND, target=user_target(ctx.workspace, ctx.member.external_id).key(), member_id=ctx.member_id,
            due_at=ctx.now, stale_at=None, now=ctx.now, reason="told in the reply", payload=encode(Message(text="")))
    if not others:
        return ctx.t("alumni.stay.noted", program=program.name)
    return ctx.t("alumni.stay.together", program=program.name, names=", ".join(m.name for m in others))


async def settle_touch(scope: Scope, program: Program, waiting: Sequence[ClosingChoice]) -> int:
    """Make sure each pair of choosers heard of each other (both presses at once see neither), then mark them done."""
    told = 0
    for choice in waiting:
        member = next(iter(await scope.uow.members.many(workspace_id=scope.workspace_id,
                                                         member_ids=[choice.member_id])), None)
        group = await companions(scope, program, choice.member_id) if member and not member.erased else None
        for other in await _choosers(scope, program, group or set()):
            assert member is not None
            for to, about in ((other, member), (member, other)):
                if not await scope.uow.outbox.exists(key=touch_key(program.id or 0, to.id or 0, about.id or 0)):
                    told += await _tell(scope, program, to=to, about=about)
    await scope.uow.closing.mark_used(choice_ids=[c.id for c in waiting if c.id is not None], now=scope.now)
    return told
