"""Members who missed three check-ins in a row: told privately to the moderator and the admins, once per streak."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from bot.circles.scope import CircleRun, circle_pass
from bot.kernel.admins import admin_recipients
from bot.kernel.calendar import Timed, group_timetable, session_count
from bot.kernel.i18n import Translator, resolve_locale
from bot.kernel.messages import Message
from bot.kernel.outbox import enqueue, note_stale, user_target
from bot.kernel.planning import PlanContext
from bot.kernel.timetable import Timetable
from bot.sessions.due_windows import any_open, due_state
from bot.sessions.series import SeriesPass
from bot.sessions.timing import checkin_closes, checkin_due, is_paused, local_day, paused_on, session_day, working_due
from storage.tables import Circle, Member, PausePeriod

STREAK = 3
# A streak can only start when a check-in window closes, so its flag is news for a while after that:
# long enough for the recipient's next working morning, short enough that a new admin is not sent old news.
FLAG_WINDOW = timedelta(days=2)


def missed_streaks(program: Timed, now: datetime, *, answered: set[int], pauses: list[PausePeriod],
                   joined_at: datetime) -> list[list[int]]:
    """Each run of STREAK closed check-ins in a row without an answer (sessions while paused do not count), on
    the circle's timetable (`program`)."""
    found: list[list[int]] = []
    streak: list[int] = []
    for index in range(session_count(program)):
        if checkin_closes(program, index) > now:
            break
        if checkin_due(program, index) < joined_at or paused_on(pauses, session_day(program, index)):
            continue  # not in the circle yet, or away with notice
        if index in answered:
            streak = []
            continue
        streak.append(index)
        if len(streak) == STREAK:
            found.append(list(streak))
    return found


async def plan_missed_checkins(pc: PlanContext) -> int:
    work = await circle_pass(pc)  # the circles alone (no members): planners share it within a tick
    tables = {circle.id or 0: group_timetable(pc.program, circle) for circle in work.units}
    closing = {circle_id: _closes(table) for circle_id, table in tables.items()}
    flagging = [c for c in work.units
                if any_open(pc.now, [(at, at + FLAG_WINDOW) for at in closing[c.id or 0][STREAK - 1:]])]
    if not flagging:
        return 0
    await work.load_keys()
    queued = 0
    admins: list[str] | None = None
    for circle in flagging:
        table, closes = tables[circle.id or 0], closing[circle.id or 0]
        run = await work.loaded(circle)
        answered: dict[int, set[int]] = {}
        for answer in await pc.uow.running.checkins_of_circle(circle_id=circle.id or 0):
            answered.setdefault(answer.member_id, set()).add(answer.session_index)
        pauses: dict[int, list[PausePeriod]] = {}
        for period in await pc.uow.running.pauses_of(workspace_id=pc.workspace_id, member_ids=sorted(run.member_ids())):
            pauses.setdefault(period.member_id, []).append(period)
        joined = {cm.member_id: cm.joined_at for cm in run.memberships}
        for member in run.members:
            mid = member.id or 0
            for streak in missed_streaks(table, pc.now, answered=answered.get(mid, set()),
                                         pauses=pauses.get(mid, []), joined_at=joined.get(mid, pc.now)):
                raised = closes[streak[-1]]
                if not raised <= pc.now < raised + FLAG_WINDOW:
                    continue
                if admins is None:  # the one rule: configured ids never seen in this workspace hear nothing
                    admins = [external_id for external_id, _ in await admin_recipients(pc, config=pc.config)]
                queued += await _flag(work, run, member, streak, raised, admins)
    return queued


@lru_cache(maxsize=4096)
def _closes(table: Timetable) -> tuple[datetime, ...]:
    """When each session's check-in closes: a streak can only be raised then. Once per distinct timetable: most
    of a program's circles share its own."""
    return tuple(checkin_closes(table, i) for i in range(session_count(table)))


def _recipients(run: CircleRun, member: Member, admins: list[str]) -> list[str]:
    """The moderator (a circle member) and every admin, by platform user id; never the member themselves."""
    found = [m.external_id for m in run.members if m.id == run.circle.moderator_member_id and m.id != member.id]
    return list(dict.fromkeys([*found, *(a for a in admins if a != member.external_id)]))


async def _flag(work: SeriesPass[Circle, CircleRun], run: CircleRun, member: Member, streak: list[int],
                raised: datetime, admins: list[str]) -> int:
    pc = work.pc
    queued = 0
    for external_id in _recipients(run, member, admins):
        key = f"missed:{run.circle.id}:{member.id}:{streak[0]}:{external_id}"
        if work.planned(key):
            continue
        recipient = next((m for m in run.members if m.external_id == external_id), None) or (
            await pc.uow.members.by_external_id(workspace_id=pc.workspace_id, external_id=external_id))
        fallback = pc.program.timezone
        due = working_due(recipient, raised, fallback=fallback) if recipient else raised
        stale = raised + FLAG_WINDOW
        target = user_target(pc.workspace, external_id)
        state = due_state(pc.now, due=due, stale=stale)
        if state == "early":
            continue
        if state == "stale":
            await note_stale(pc, key=key, kind="flag", target=target, due=due, stale=stale,
                             member_id=recipient.id if recipient else None)
            continue
        if recipient is not None and is_paused(run.enrollments.get(recipient.id or 0),
                                               local_day(recipient, pc.now, fallback=fallback)):
            continue  # a paused moderator hears about it if back within the window; admins hear now
        t = Translator(resolve_locale(recipient.locale if recipient else None, pc.workspace.locale))
        text = t("running.missed.flag", name=member.name, circle=run.circle.name, count=len(streak),
                 sessions=", ".join(str(i + 1) for i in streak))
        queued += await enqueue(pc.uow, workspace_id=pc.workspace_id, key=key, kind="flag", target=target,
                                message=Message(text=text), due_at=due, stale_at=stale, program_id=pc.program.id,
                                member_id=recipient.id if recipient else None)
    return queued
