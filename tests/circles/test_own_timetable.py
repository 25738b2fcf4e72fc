"""Issue 15 §0 for circles: a program meeting Wednesday 10:00 Jakarta time no longer sends members in New York,
Amsterdam and London to 22:00, 04:00 and 03:00 sessions. Formation gives their circle its own time inside their
shared working hours, and its prompt, reminder and check-ins follow that time; a circle the program's slot fits
keeps the program-wide schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot import circles as running
from bot.circles.missed import plan_missed_checkins
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.sessions.timing import checkin_closes
from storage.tables import Circle, Delivery, Program
from tests import helpers
from tests.circles.world import deliveries
from tests.helpers import deliver_due, enroll, make_program, plan, queued, say, text_of

SLUG = "leadership"
START_DAY = date(2026, 1, 5)  # Monday; the program meets on Wednesdays at 10:00 in Jakarta (03:00 UTC)
WEST = {"NY": "America/New_York", "AMS": "Europe/Amsterdam", "LDN": "Europe/London"}
JAKARTA = ("J1", "J2", "J3")  # the default profile: Jakarta, 08-17


def local_hour(moment: datetime, zone: str) -> int:
    return moment.astimezone(ZoneInfo(zone)).hour


async def formed(app: App, *, checkins_by_dm: bool = True) -> tuple[Program, dict[str, Circle], str]:
    """Three members in New York, Amsterdam and London (09-17) vote for one theme, three in Jakarta for
    another; the admin forms the circles. Returns the program, its circles by name, and the formation reply."""
    program = await make_program(app, slug=SLUG, size_min=3, size_target=3, size_max=4, start_date=START_DAY,
                                 checkins_by_dm=checkins_by_dm)
    for user, zone in WEST.items():
        await enroll(app, user, program, timezone=zone, work_start_hour="9", work_end_hour="17")
    for user in JAKARTA:
        await enroll(app, user, program)
    await say(app, "NY", "theme propose Feedback")
    await say(app, "J1", "theme propose Career growth")
    for user in WEST:
        await say(app, user, "theme vote 1")
    for user in JAKARTA:
        await say(app, user, "theme vote 2")
    await say(app, "UADMIN", f"program close {SLUG}")
    reply = text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
        circles = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
    assert fresh is not None
    return fresh, {c.name: c for c in circles}, reply


async def test_formation_gives_the_atlantic_circle_its_own_time_inside_everyone_s_hours(app: App) -> None:
    program, circles, reply = await formed(app)
    west, jakarta = circles["Feedback 1"], circles["Career growth 1"]
    # The program's own slot is night or dawn for all three (the complaint)...
    assert all(not 9 <= local_hour(session_time(program, 0), zone) < 17 for zone in WEST.values())
    # ...so their circle has its own, and every one of its sessions is inside each member's hours.
    assert west.schedule and jakarta.schedule == []
    table = group_timetable(program, west)
    assert table.count() == 12
    for moment in table.times():
        for zone in WEST.values():
            assert 9 <= local_hour(moment, zone) < 17, (moment, zone)
    # None of its sessions comes after the program's last one.
    assert table.times()[-1] <= session_time(program, 11)
    assert "Circles meeting at their own time, inside their members' working hours: 1." in reply
    assert "outside their working hours" not in reply  # everyone fits: nobody told, no admin warned
    assert not [q for q in await queued(app) if "outside the working hours" in q[2] or "own_time" in q[2]]
    assert not [q for q in await queued(app, kind="admin") if "outside their working hours" in q[2]]
    # The welcome gives the first session at the circle's own time, in each member's zone.
    welcome = next(text for _, target, text in await queued(app, kind="welcome") if target == west.space)
    for user, zone in WEST.items():  # one line per local time, naming who has it
        line = next(line for line in welcome.splitlines() if user in line)
        assert line.startswith(f"• {table.moment(0).astimezone(ZoneInfo(zone)):%a, %-d %b %Y, %H:%M} "), line


async def test_its_prompt_reminder_and_check_ins_come_at_its_own_time(app: App, local: LocalMessenger,
                                                                     clock: ManualClock,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    program, circles, _ = await formed(app)
    west, jakarta = circles["Feedback 1"], circles["Career growth 1"]
    session = group_timetable(program, west).moment(0)
    monkeypatch.setattr(helpers, "PLANNERS", running.RUNNING_PLANNERS)
    now = clock.now()
    while now < session + timedelta(days=1):
        now += timedelta(minutes=37)
        clock.set(now)
        await plan(app.uow, now=now, config=app.services.config)
        await deliver_due(app, local)
    async with app.uow() as uow:
        rows = {r.key: r for r in (await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))).all()}
        members = {m.external_id: m for m in await uow.members.many(
            workspace_id=1, member_ids=[cm.member_id for cm in await uow.circles.memberships(circle_id=west.id or 0)])}
    assert set(members) == set(WEST)
    prompt, reminder = rows[f"prompt:{west.id}:0"], rows[f"reminder:{west.id}:0"]
    # The day before at the same time, an hour before: both from the circle's time, not the program's.
    assert prompt.due_at.replace(tzinfo=UTC) == session - timedelta(days=1)
    assert reminder.due_at.replace(tzinfo=UTC) == session - timedelta(hours=1)
    assert rows[f"prompt:{jakarta.id}:0"].due_at.replace(tzinfo=UTC) == session_time(program, 0) - timedelta(days=1)
    reminder_text = decode(reminder.payload).text
    for zone in WEST.values():
        assert f"{zone}: {session.astimezone(ZoneInfo(zone)):%a, %-d %b %Y, %H:%M}" in reminder_text
    assert "Asia/Jakarta" not in reminder_text  # nobody in this circle lives there
    when_line = decode(prompt.payload).text.splitlines()[-1]
    assert session.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%-d %b %Y, %H:%M") in when_line
    # Check-ins by DM: each after the session, inside the member's own working hours.
    for user, zone in WEST.items():
        row = rows[f"checkin:{west.id}:0:{members[user].id}"]
        due = row.due_at.replace(tzinfo=UTC)
        assert due >= session + timedelta(hours=1) and 9 <= local_hour(due, zone) < 17, (user, due)
    # Everything was sent to the circle's channel and its members, once.
    assert len(local.to(west.space.rsplit(":", 1)[1], kind="space")) >= 3  # welcome, prompt, reminder


async def test_the_circle_s_own_time_reaches_its_commands(app: App, clock: ManualClock) -> None:
    program, circles, _ = await formed(app)
    west = circles["Feedback 1"]
    session = group_timetable(program, west).moment(0)
    info = text_of(await say(app, "AMS", "circle info"))
    assert f"Next session: {session.astimezone(ZoneInfo(WEST['AMS'])):%a, %-d %b %Y, %H:%M}" in info
    clock.set(session + timedelta(minutes=30))
    # The check-in of the circle's session is open now, though the program's session 0 is still a day away.
    assert session < session_time(program, 0)
    form = helpers.form_of(await say(app, "LDN", "checkin"))
    assert form.form.state == f"{west.id}.0"


async def test_missed_check_ins_are_counted_on_the_circle_s_own_sessions(app: App, clock: ManualClock,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    program, circles, _ = await formed(app, checkins_by_dm=False)
    west = circles["Feedback 1"]
    raised = checkin_closes(group_timetable(program, west), 2)  # nobody answers: three missed when session 4 starts
    assert raised + timedelta(hours=11) < checkin_closes(program, 2)  # the program's session 4 is later
    monkeypatch.setattr(helpers, "PLANNERS", (plan_missed_checkins,))
    flagged = []
    for moment in (raised - timedelta(minutes=1), raised + timedelta(minutes=1), raised + timedelta(hours=11)):
        clock.set(moment)
        await plan(app.uow, now=moment, config=app.services.config)
        flagged.append(sorted(r.key for r in await deliveries(app, kinds=("flag",))
                              if r.key.startswith(f"missed:{west.id}:") and r.key.endswith(":UADMIN")))
    assert flagged[0] == []
    assert len(flagged[-1]) == 3  # each member of the circle, to the admin, in the admin's working hours
