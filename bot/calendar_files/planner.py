"""The invites planner: each member's .ics once per (group, member, sequence); an update when the group or its
schedule changes, a cancellation when they leave it, and of the lost sessions when a program ends early."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from bot.calendar_files.seats import (
    CANCELLED,
    ENDED,
    Seat,
    Sent,
    cancellation,
    former_seat,
    history,
    program_seats,
    request,
    sent_key,
)
from bot.calendar_files.seats import PREFIX as KEY_PREFIX
from bot.kernel.calendar import closing_start, natural_closing_start
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.outbox import enqueue_file, user_target
from bot.kernel.planning import PlanContext, for_states
from bot.sessions.invites import Invite, build_ics
from storage.tables import ProgramState, Workspace
from storage.uow import UnitOfWork


async def queue_invite(uow: UnitOfWork, workspace: Workspace, seat: Seat, *, key: str, now: datetime,
                       make: Callable[[Translator], Invite]) -> bool:
    """The invite as a file in the member's DM, in their language; False when this key was queued before."""
    t = Translator(resolve_locale(seat.member.locale, workspace.locale))
    invite = make(t)
    if invite.method == "CANCEL":
        title = t("calendar.file_cancelled" if invite.whole else "calendar.file_ended", name=invite.summary)
    else:
        title = t("calendar.file_update" if invite.sequence else "calendar.file_new", name=invite.summary)
    return await enqueue_file(
        uow, workspace_id=seat.program.workspace_id, key=key, target=user_target(workspace, seat.member.external_id),
        data=build_ics(invite, stamp=now), filename=f"lingkar-{seat.program.slug}-{seat.tag}.ics", title=title,
        due_at=now, program_id=seat.program.id, member_id=seat.member.id)


def next_sent(last: Sent | None, fingerprint: str) -> Sent | None:
    """What to send for a seat whose invite now reads `fingerprint`: None when that is what they have."""
    if last is None:
        return Sent(0, fingerprint)
    return None if last.print == fingerprint else Sent(last.sequence + 1, fingerprint)


def _reachable(seat: Seat) -> bool:
    return seat.member.reachable and not seat.member.erased


@for_states(ProgramState.RUNNING, ProgramState.CLOSING)
async def plan_invites(pc: PlanContext) -> int:
    program = pc.program
    keys = await pc.uow.outbox.planned_keys(program_id=program.id or 0, prefixes=(f"{KEY_PREFIX}:{program.id}:",))
    sent = history(sorted(keys))
    seats = await program_seats(pc.uow, program)
    if program.state == ProgramState.CLOSING:
        return await _early_end(pc, seats, sent)
    queued = 0
    # The members of a circle placed before the same session share its print (a pair's two sides name each other:
    # the name is in the key): computed once per group and pass (issue 18: 100,000 seats a tick), then forgotten.
    prints: dict[tuple[str, str, datetime, int], str] = {}
    for seat in seats:
        if not seat.sessions or not _reachable(seat):
            continue  # placed after the last session: nothing to put in a calendar
        shared = (seat.tag, seat.name, seat.sessions[0], len(seat.sessions))
        if shared not in prints:
            prints[shared] = seat.print
        upcoming = next_sent(sent.get((seat.tag, seat.member.id or 0)), prints[shared])
        if upcoming is not None:
            queued += await _queue(pc, seat, upcoming, partial(request, seat, sequence=upcoming.sequence))
    here = {(seat.tag, seat.member.id) for seat in seats}
    for (tag, member_id), last in sent.items():
        if (tag, member_id) in here or last.print in (CANCELLED, ENDED):
            continue
        former = await former_seat(pc.uow, program, tag, member_id)  # left the group, the program, or moved
        if former is not None:
            gone = Sent(last.sequence + 1, CANCELLED)
            queued += await _queue(pc, former, gone, partial(cancellation, former, sequence=gone.sequence, whole=True))
    return queued


async def _early_end(pc: PlanContext, seats: list[Seat], sent: dict[tuple[str, int], Sent]) -> int:
    """`program end` before the last session: cancel, in each invite sent, the sessions that will not be held."""
    if closing_start(pc.program) >= natural_closing_start(pc.program):
        return 0
    queued = 0
    for seat in seats:
        last = sent.get((seat.tag, seat.member.id or 0))
        if last is None or last.print in (CANCELLED, ENDED) or not _reachable(seat):
            continue
        if seat.series.cancelled_after(seat.since):
            ended = Sent(last.sequence + 1, ENDED)
            queued += await _queue(pc, seat, ended, partial(cancellation, seat, sequence=ended.sequence, whole=False))
    return queued


async def _queue(pc: PlanContext, seat: Seat, sent: Sent, make: Callable[[Translator], Invite]) -> int:
    key = sent_key(seat.program.id, seat.tag, seat.member.id, sent)
    return int(await queue_invite(pc.uow, pc.workspace, seat, key=key, now=pc.now, make=make))

