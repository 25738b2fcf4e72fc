"""Issue 15 §0 for circles: whoever still meets outside their working hours is told (in their language), and the
admins are warned once with the exact command that moves them to a circle that fits, or that none does; late
joiners and admins' moves leave the circle's time as it is."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from adapters.bootstrap import App
from bot.circles.fit import Newcomer, Opening, best_fits
from bot.kernel.calendar import group_timetable, session_time
from bot.kernel.ports import Target
from storage.tables import Circle, Program
from tests.helpers import WORKSPACE, enroll, make_program, press, queued, say, text_of

SLUG = "picking"
WEST = {"NY": "America/New_York", "AMS": "Europe/Amsterdam", "LDN": "Europe/London"}
JAKARTA = ("J1", "J2", "J3")  # the default profile: Jakarta, 08-17
NINE_TO_FIVE = {"work_start_hour": "9", "work_end_hour": "17"}


def dm_of(user: str) -> str:
    return Target(platform="local", workspace_id=WORKSPACE, kind="user", ref=user).key()


async def circles_of(app: App, program: Program) -> dict[str, Circle]:
    async with app.uow() as uow:
        return {c.name: c for c in await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)}


async def picked(app: App) -> tuple[Program, dict[str, Circle], str]:
    """Self-select: New York, Amsterdam, London and Tokyo (09-17, reads Indonesian) pick Feedback 1; three members
    in Jakarta pick Career growth 1. No hour suits all four of the first circle."""
    program = await make_program(app, slug=SLUG, theme_mode="self_select", size_min=3, size_target=3, size_max=4,
                                 start_date=date(2026, 1, 5))
    for user, zone in WEST.items():
        await enroll(app, user, program, timezone=zone, **NINE_TO_FIVE)
    await enroll(app, "TOKYO", program, timezone="Asia/Tokyo", locale="id", **NINE_TO_FIVE)
    for user in JAKARTA:
        await enroll(app, user, program)
    await say(app, "NY", "theme propose Feedback")
    await say(app, "J1", "theme propose Career growth")
    for user in (*WEST, "TOKYO"):
        await say(app, user, "theme vote 1")
    for user in JAKARTA:
        await say(app, user, "theme vote 2")
    await say(app, "UADMIN", f"program close {SLUG}")
    circles = await circles_of(app, program)
    for user in (*WEST, "TOKYO"):
        joined = text_of(await press(app, user, f"circle.pick:{circles['Feedback 1'].id}"))
        assert "You're in" in joined or "Anda bergabung" in joined
    for user in JAKARTA:
        assert "You're in" in text_of(await press(app, user, f"circle.pick:{circles['Career growth 1'].id}"))
    reply = text_of(await say(app, "UADMIN", f"program form {SLUG}"))
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
    assert fresh is not None
    return fresh, await circles_of(app, program), reply


async def test_who_cannot_fit_is_told_and_the_admin_gets_the_move(app: App) -> None:
    program, circles, reply = await picked(app)
    feedback, career = circles["Feedback 1"], circles["Career growth 1"]
    assert feedback.schedule and career.schedule == []  # Jakarta's circle keeps the program's Wednesday 10:00
    first = group_timetable(program, feedback).moment(0)
    for zone in WEST.values():
        assert 9 <= first.astimezone(ZoneInfo(zone)).hour < 17
    assert "Members whose sessions still fall outside their working hours: 1." in reply
    # Tokyo hears it in Indonesian, with the time in Tokyo, their hours and what they can do.
    tokyo = [text for _, target, text in await queued(app, kind="dm")
             if target == dm_of("TOKYO") and "di luar jam kerja" in text]
    assert len(tokyo) == 1
    local = first.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"Lingkaran Anda, Feedback 1 dalam Leadership Circles, bertemu pada Rab, {local.day} Jan 2026" in tokyo[0]
    assert f"{local:%H:%M} JST waktu Anda" in tokyo[0] and "(09:00-17:00)" in tokyo[0] and "`profil`" in tokyo[0]
    # Nobody else is told.
    told = {target for _, target, text in await queued(app, kind="dm")
            if "outside the working hours" in text or "di luar jam kerja" in text}
    assert told == {dm_of("TOKYO")}
    # One warning to the admin, naming the circle that meets inside Tokyo's hours and has room.
    warnings = [text for _, target, text in await queued(app, kind="admin") if "outside their working hours" in text]
    assert len(warnings) == 1
    assert f"Feedback 1 (#{feedback.id})" in warnings[0]
    assert f"Career growth 1 meets inside their hours and has room: to move them, type `circle add <@TOKYO> " \
           f"{career.id} move`" in warnings[0]
    # The offered command works as written, and Tokyo's new circle fits them: nothing more to warn about.
    moved = text_of(await say(app, "UADMIN", f"circle add <@TOKYO> {career.id} move"))
    assert "Career growth 1" in moved
    assert 9 <= session_time(program, 0).astimezone(ZoneInfo("Asia/Tokyo")).hour < 17
    after = [text for _, _, text in await queued(app, kind="admin") if "outside their working hours" in text]
    assert after == warnings


async def test_a_late_joiner_outside_the_circle_s_hours_is_told_and_no_circle_fits(app: App) -> None:
    program, circles, _ = await picked(app)
    feedback, career = circles["Feedback 1"], circles["Career growth 1"]
    await enroll(app, "LA", program, timezone="America/Los_Angeles", **NINE_TO_FIVE)
    # Neither circle meets inside Los Angeles' hours: the newcomer waits, told when the circles meet.
    assert feedback.schedule == (await circles_of(app, program))["Feedback 1"].schedule
    reply = text_of(await say(app, "UADMIN", f"circle add <@LA> {career.id}"))
    assert "Career growth 1" in reply
    # The circle keeps its time (its members have their invites already)...
    assert (await circles_of(app, program))["Career growth 1"].schedule == []
    # ...and the newcomer is told; the admins hear that no other circle with room fits.
    la = [text for _, target, text in await queued(app, kind="dm")
          if target == dm_of("LA") and "outside the working hours" in text]
    assert len(la) == 1 and "Career growth 1" in la[0] and "`profile`" in la[0]
    late = [text for _, _, text in await queued(app, kind="admin")
            if "outside their working hours" in text and "LA meets" in text]
    assert len(late) == 1
    assert "No other circle of this program with room meets inside their hours." in late[0]


def test_a_newcomer_is_placed_by_each_circle_s_own_hour() -> None:
    """Intake reads each circle's own meeting hour: New York (14-22 UTC) fits the circle that meets at 15 UTC, not
    the one on the program's 03 UTC."""
    on_program = Opening(1, 10, 2, frozenset(), frozenset({"A"}))
    own = Opening(2, 10, 2, frozenset(range(14, 17)), frozenset({"B"}), meeting_hour=15)
    new_york = Newcomer((10,), frozenset(range(14, 22)), "C")
    fits, reason = best_fits(new_york, [on_program, own], size_max=4, meeting_hour=3)
    assert [f.opening.circle_id for f in fits] == [2] and reason == ""
    assert best_fits(new_york, [on_program], size_max=4, meeting_hour=3) == ([], "hours")
