"""The invites planner on a running circle program (SQLite and PostgreSQL): once per member and sequence, an update
when the schedule or the circle changes, a cancellation on leaving and for the sessions an early end took away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from adapters.bootstrap import App
from bot.kernel.calendar import session_time, session_times
from storage.tables import CircleMemberStatus, EnrollmentStatus, Program
from tests.calendar_files.support import event, events, invites, plan_invites_at
from tests.feedback.support import FIRST_SESSION, running_program
from tests.helpers import member_id, say, text_of

CIRCLE_A, CIRCLE_B = ["U1", "U2", "U3"], ["U4", "U5", "U6"]
FORMED = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


async def program_with_circles(app: App) -> Program:
    program = await running_program(app, [*CIRCLE_A, *CIRCLE_B], circles=[CIRCLE_A, CIRCLE_B],
                                    video_link="https://meet.example/abc", rules_duration="45 minutes")
    async with app.uow() as uow:  # U2 reads Indonesian
        member = await uow.members.get(workspace_id=1, member_id=await member_id(app, "U2"))
        assert member is not None
        member.locale = "id"
        uow.session.add(member)
        await uow.commit()
    return program


async def test_each_member_gets_their_circles_invite_once_in_their_language(app: App) -> None:
    program = await program_with_circles(app)
    assert await plan_invites_at(app, FORMED) == 6
    assert await plan_invites_at(app, FORMED + timedelta(minutes=1)) == 0  # planning again sends nothing more
    sent = await invites(app)
    assert len(sent) == 6 and len({event(cal)["uid"] for _, cal in sent}) == 6
    [(row, cal)] = await invites(app, user="U1")
    vevent = event(cal)
    assert cal["method"] == "REQUEST" and vevent["summary"] == "Circle A" and vevent["sequence"] == 0
    assert vevent.decoded("dtstart") == FIRST_SESSION and vevent["dtstart"].params["TZID"] == "Asia/Jakarta"
    assert vevent.decoded("dtstart").hour == 10 and vevent.decoded("duration") == timedelta(minutes=45)
    assert vevent["rrule"]["COUNT"] == [12] and vevent["rrule"]["INTERVAL"] == [1]
    assert vevent["location"] == "https://meet.example/abc"
    assert str(vevent["uid"]).startswith(f"lingkar-1-{program.id}-c") and row.member_id == await member_id(app, "U1")
    english = str(vevent["description"])
    assert "Program: Leadership Circles" in english and "Circle: Circle A" in english and "12 sessions" in english
    assert "Your sessions of Circle A" in row.payload["text"]
    [(row_id, cal_id)] = await invites(app, user="U2")
    indonesian = str(event(cal_id)["description"])
    assert "Lingkaran: Circle A" in indonesian and "setiap minggu" in indonesian and "kalender" in indonesian
    assert "buka berkas ini" in row_id.payload["text"]


async def test_a_new_time_a_move_and_a_leave_each_send_one_change(app: App) -> None:
    program = await program_with_circles(app)
    await plan_invites_at(app, FORMED)
    ids = {u: await member_id(app, u) for u in ("U1", "U2", "U3")}
    after_first = session_time(program, 0) + timedelta(hours=6)  # 16:00: after the first session, at 10 or 14
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
        assert fresh is not None
        fresh.meeting_time = "14:00"  # the admin moves every session to the afternoon
        uow.session.add(fresh)
        circles = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        [moved] = await uow.circles.membership_of(workspace_id=1, member_id=ids["U3"])
        moved.circle_id, moved.joined_at = circles[1].id or 0, after_first  # U3 moves to circle B
        [left] = await uow.circles.membership_of(workspace_id=1, member_id=ids["U2"])
        left.status = CircleMemberStatus.LEFT
        uow.session.add_all([moved, left])
        await uow.commit()
    assert await plan_invites_at(app, after_first) == 4 + 1 + 2  # four updates, U3 in circle B, U2 and U3 cancelled
    assert await plan_invites_at(app, after_first + timedelta(minutes=1)) == 0
    [_, (_, update)] = await invites(app, user="U1")
    assert update["method"] == "REQUEST" and event(update)["sequence"] == 1
    assert event(update).decoded("dtstart").hour == 14
    [(_, first), (_, gone)] = await invites(app, user="U2")
    assert gone["method"] == "CANCEL" and event(gone)["status"] == "CANCELLED"
    assert event(gone)["uid"] == event(first)["uid"] and event(gone)["sequence"] == 1
    u3 = [cal for _, cal in await invites(app, user="U3")]
    assert len(u3) == 3
    old, new = event(u3[0])["uid"], {event(c)["uid"] for c in u3[1:] if c["method"] == "REQUEST"}
    [cancel] = [c for c in u3[1:] if c["method"] == "CANCEL"]
    assert event(cancel)["uid"] == old and event(cancel)["sequence"] == 1 and old not in new
    [joined] = [c for c in u3[1:] if c["method"] == "REQUEST"]
    assert event(joined)["summary"] == "Circle B" and event(joined)["sequence"] == 0
    assert event(joined)["rrule"]["COUNT"] == [11]  # the first session was held before they came
    assert event(joined).decoded("dtstart") == session_time(program, 1) + timedelta(hours=4)  # 14:00 now
    async with app.uow() as uow:  # U1 leaves the program altogether
        enrollment = await uow.enrollments.get(workspace_id=1, program_id=program.id or 0, member_id=ids["U1"])
        assert enrollment is not None
        enrollment.status = EnrollmentStatus.LEFT
        uow.session.add(enrollment)
        await uow.commit()
    assert await plan_invites_at(app, after_first + timedelta(hours=1)) == 1
    last = (await invites(app, user="U1"))[-1][1]
    assert last["method"] == "CANCEL" and event(last)["sequence"] == 2


async def test_an_early_end_cancels_the_sessions_that_will_not_be_held(app: App) -> None:
    program = await program_with_circles(app)
    await plan_invites_at(app, FORMED)
    ended = session_time(program, 4) + timedelta(hours=3)
    app.services.clock.set(ended)  # type: ignore[attr-defined]
    assert "closing" in text_of(await say(app, "UADMIN", f"program end {program.slug}")).lower()
    assert await plan_invites_at(app, ended + timedelta(minutes=1)) == 6
    assert await plan_invites_at(app, ended + timedelta(minutes=2)) == 0
    [(_, first), (row, cancel)] = await invites(app, user="U1")
    assert cancel["method"] == "CANCEL" and "ended early" in row.payload["text"]
    cancelled = events(cancel)
    lost = session_times(program)[5:]
    assert [v.decoded("recurrence-id").astimezone(UTC) for v in cancelled] == lost
    assert {(str(v["uid"]), v["sequence"], str(v["status"])) for v in cancelled} == {
        (str(event(first)["uid"]), 1, "CANCELLED")}


async def test_late_membership_rows_without_sessions_left_get_nothing(app: App) -> None:
    program = await program_with_circles(app)
    late = session_times(program)[-1] + timedelta(minutes=30)
    async with app.uow() as uow:
        [row] = await uow.circles.membership_of(workspace_id=1, member_id=await member_id(app, "U6"))
        row.joined_at = late
        uow.session.add(row)
        await uow.commit()
    assert await plan_invites_at(app, late) == 5
    assert await invites(app, user="U6") == []


def _is_calendar(cal: Calendar) -> bool:
    return cal.name == "VCALENDAR"


async def test_calendar_sends_the_current_invites_again(app: App) -> None:
    await program_with_circles(app)
    await plan_invites_at(app, FORMED)
    assert "no scheduled sessions" in text_of(await say(app, "UNOBODY", "calendar"))
    reply = text_of(await say(app, "U1", "calendar"))
    assert "“Circle A”" in reply and ".ics" in reply
    [(row, again)] = await invites(app, user="U1", prefix="ics-again")
    [(_, planned)] = await invites(app, user="U1")
    assert _is_calendar(again) and event(again)["uid"] == event(planned)["uid"]
    assert event(again)["sequence"] == event(planned)["sequence"] == 0
    assert row.member_id == await member_id(app, "U1")
    assert "kalender untuk" in text_of(await say(app, "U2", "kalender", locale="id"))
