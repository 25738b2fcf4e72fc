"""Seats and the waitlist, and what a member hears on joining a program that already formed: shared by enrollment
(join, accepted invitations, leave) and programs (`program enroll`, `program edit` raising the seats)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from bot.kernel.acting import as_member
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from storage.tables import Enrollment, EnrollmentStatus, Member, Program, ProgramFormat, ProgramState

# A member may join while enrollment is open and, as a late joiner, while the program forms or runs.
JOINING = (ProgramState.ENROLLING, ProgramState.FORMING, ProgramState.RUNNING)
LATE = (ProgramState.FORMING, ProgramState.RUNNING)


@dataclass(frozen=True)
class Seat:
    """Where a join left the member: active or waitlisted (position from 1); `fresh` False when they already were."""

    status: str
    position: int = 0
    fresh: bool = True
    rejoined: bool = False  # they had left before


async def waitlist_position(ctx: Ctx, program: Program, member_id: int) -> int:
    waiting = await ctx.uow.enrollments.waitlist(workspace_id=ctx.workspace_id, program_id=program.id or 0)
    return next((n for n, e in enumerate(waiting, start=1) if e.member_id == member_id), 0)


async def take_seat(ctx: Ctx, program: Program, member: Member) -> Seat:
    """Enroll `member`, or put them on the waitlist when every seat is taken. The program row is locked first, so
    concurrent joins count the seats one after another and never exceed them."""
    assert program.id is not None and member.id is not None
    locked = await ctx.uow.programs.lock(workspace_id=ctx.workspace_id, program_id=program.id)
    seats = locked.seats if locked is not None else program.seats
    existing = await ctx.uow.enrollments.get(workspace_id=ctx.workspace_id, program_id=program.id,
                                             member_id=member.id)
    if existing is not None and existing.status == EnrollmentStatus.ACTIVE:
        return Seat(EnrollmentStatus.ACTIVE, fresh=False)
    if existing is not None and existing.status == EnrollmentStatus.WAITLISTED:
        return Seat(EnrollmentStatus.WAITLISTED, await waitlist_position(ctx, program, member.id), fresh=False)
    active = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id)
    status = EnrollmentStatus.WAITLISTED if 0 < seats <= active else EnrollmentStatus.ACTIVE
    if existing is None:
        if not await ctx.uow.enrollments.enroll(workspace_id=ctx.workspace_id, program_id=program.id,
                                                member_id=member.id, now=ctx.now, status=status):
            return Seat(EnrollmentStatus.ACTIVE, fresh=False)  # unreachable under the lock; a twin won
        rejoined = False
    else:
        rejoined = existing.status == EnrollmentStatus.LEFT
        existing.status, existing.joined_at = status, ctx.now
        existing.left_at = existing.left_reason = None
        ctx.uow.enrollments.add(existing)
    await ctx.uow.flush()
    position = await waitlist_position(ctx, program, member.id) if status == EnrollmentStatus.WAITLISTED else 0
    return Seat(status, position, rejoined=rejoined)


async def joined_lines(ctx: Ctx, program: Program, member: Member) -> list[str]:
    """In a program that already formed, circles or pairs take the new member in (the on_join hooks) and say how;
    until one does, an honest line about when they will be placed. Nothing while enrollment is still open."""
    if program.state not in LATE:
        return []
    lines = [line for hook in ctx.hooks.on_join if (line := await hook(ctx, program, member))]
    if lines:
        return lines
    kind = "circles" if program.format == ProgramFormat.CIRCLES else "pairs"
    return [ctx.t(f"intake.wait.{program.state}_{kind}", program=program.name)]


async def promote(ctx: Ctx, program: Program) -> int:
    """Move waitlisted members up, first come first, while seats are free (a member left, the seats were raised).
    Each is told, in their language, with where circles or pairs placed them. Returns how many moved up."""
    if program.state not in JOINING or program.id is None:
        return 0
    locked = await ctx.uow.programs.lock(workspace_id=ctx.workspace_id, program_id=program.id)
    seats = locked.seats if locked is not None else program.seats
    active = await ctx.uow.enrollments.count_active(workspace_id=ctx.workspace_id, program_id=program.id)
    moved = 0
    for enrollment in await ctx.uow.enrollments.waitlist(workspace_id=ctx.workspace_id, program_id=program.id):
        if 0 < seats <= active:
            break
        member = await ctx.uow.members.get(workspace_id=ctx.workspace_id, member_id=enrollment.member_id)
        if member is None or member.erased:
            _let_go(ctx, enrollment)
            continue
        enrollment.status = EnrollmentStatus.ACTIVE
        ctx.uow.enrollments.add(enrollment)
        await ctx.uow.flush()
        active, moved = active + 1, moved + 1
        lines = await joined_lines(as_member(ctx, member), program, member)
        await dm(ctx, member=member, key=f"seat:{program.id}:{member.id}:{ctx.now.isoformat()}", kind="dm",
                 program_id=program.id, build=partial(_moved_up, program=program.name, lines=lines))
    return moved


def _moved_up(t: Translator, *, program: str, lines: list[str]) -> Message:
    return Message(text=" ".join([t("intake.moved_up", program=program), *lines]))


def _let_go(ctx: Ctx, enrollment: Enrollment) -> None:
    """An erased member still on the waitlist: they leave it instead of taking a seat."""
    enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, ctx.now
    ctx.uow.enrollments.add(enrollment)


async def free_seat(ctx: Ctx, program: Program) -> None:
    """The on_leave hook: a member left, so the first waitlisted may take their seat."""
    await promote(ctx, program)
