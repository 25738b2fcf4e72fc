"""The "before" self-assessment reaches each member ahead of their own first session, never after it: the rule in
bot/sessions/timing, the first sessions in bot/sessions/first_session, applied by feedback's planner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from bot.feedback.planner import plan_feedback
from bot.kernel.calendar import program_timetable
from bot.sessions.first_session import first_sessions
from bot.sessions.timing import before_assessment_due, first_session_from
from storage.tables import Program
from tests.feedback.support import FIRST_SESSION, deliveries, run, running_program
from tests.helpers import member_id

MONDAY = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # program start, two days before the first Wednesday session
THURSDAY = FIRST_SESSION + timedelta(days=1)  # the "before" round is still open (until 21 Jan) but sessions began


def test_the_rule_asks_only_while_the_first_session_is_ahead() -> None:
    assert before_assessment_due(FIRST_SESSION, FIRST_SESSION - timedelta(minutes=1))
    assert not before_assessment_due(FIRST_SESSION, FIRST_SESSION)
    assert not before_assessment_due(FIRST_SESSION, THURSDAY)
    assert before_assessment_due(None, THURSDAY)  # not placed yet: no session to come after


def test_a_late_joiner_starts_with_the_next_session() -> None:
    table = program_timetable(Program(workspace_id=1, name="P", slug="p", start_date=MONDAY.date(),
                                      meeting_weekday=2, meeting_time="10:00", timezone="Asia/Jakarta", weeks=12,
                                      created_at=MONDAY))
    assert first_session_from(table, MONDAY) == FIRST_SESSION
    assert first_session_from(table, THURSDAY) == FIRST_SESSION + timedelta(weeks=1)


async def test_the_before_assessment_goes_ahead_of_the_first_session_and_expires_with_it(app: App) -> None:
    program = await running_program(app, ["U1", "U2", "U3", "U4"], circles=[["U1", "U2", "U3"]])
    async with app.uow() as uow:
        firsts = await first_sessions(uow, program)
    assert firsts == {await member_id(app, u): FIRST_SESSION for u in ("U1", "U2", "U3")}  # U4 is not placed
    assert await run(app, plan_feedback, MONDAY) == 4
    invites = await deliveries(app, kind="poll")
    placed = {await member_id(app, u) for u in ("U1", "U2", "U3")}
    # Not delivered by the time the session starts, it is not delivered at all.
    assert {d.stale_at for d in invites if d.member_id in placed} == {FIRST_SESSION}
    assert [d.stale_at for d in invites if d.member_id not in placed] == [datetime(2026, 1, 21, 3, 0, tzinfo=UTC)]


async def test_after_the_first_session_only_members_without_one_are_still_asked(app: App) -> None:
    await running_program(app, ["U1", "U2", "U3", "U4"], circles=[["U1", "U2", "U3"]])
    assert await run(app, plan_feedback, THURSDAY) == 1  # the round is open, but the circle has met
    [invite] = await deliveries(app, kind="poll")
    assert invite.member_id == await member_id(app, "U4")
