"""Circles after formation: appointments, leaving, handover, rotation, self-select, mandatory programs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from tests.helpers import (
    admin_creates_program,
    form_of,
    member_id,
    plan,
    press,
    queued,
    say,
    submit,
    text_of,
)
from tests.programs.support import _enroll_many


async def test_no_candidates_asks_admin_to_appoint(app: App, clock: ManualClock) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 4)
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    clock.advance(timedelta(days=3))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    asks = [q for q in await queued(app, kind="admin") if "Nobody stood" in q[2]]
    assert asks and asks[0][1] == "local:W1:user:UADMIN"
    assert "is now the moderator" in text_of(await say(app, "UADMIN", "moderator appoint 1 <@U02>"))


async def test_circle_leave_is_private_and_flags_small_circles(app: App) -> None:
    await admin_creates_program(app, size_min="3", size_target="3", size_max="4")
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 3)
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    opened = form_of(await say(app, "U00", "circle leave"))
    done = await submit(app, "U00", "circle.leave", {"reason": "my manager disapproves"}, state=opened.form.state)
    assert "You've left" in text_of(done)
    posts = await queued(app, kind="announcement")
    assert any("A member has left" in text for _, _, text in posts)
    assert all("manager disapproves" not in text and "U00" not in text for _, _, text in posts)
    flags = [q for q in await queued(app, kind="admin") if "below the minimum" in q[2]]
    assert len(flags) == 1 and "manager" not in flags[0][2]
    async with app.uow() as uow:
        row = (await uow.circles.membership_of(workspace_id=1, member_id=await member_id(app, "U00")))[0]
    assert row.left_reason == "my manager disapproves"
    assert "not in a circle" in text_of(await say(app, "U00", "circle info"))


async def test_moderator_handover_needs_the_moderator(app: App) -> None:
    await admin_creates_program(app, moderator_mode="appointed")
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 4)
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    async with app.uow() as uow:
        circle = (await uow.circles.of_program(workspace_id=1, program_id=1))[0]
        moderator = await uow.members.get(workspace_id=1, member_id=circle.moderator_member_id or 0)
    assert moderator is not None and moderator.seniority == 3  # the most senior of seniorities 0-3 by default
    other = next(u for u in ("U00", "U01", "U02", "U03") if u != moderator.external_id)
    assert "Only the circle's moderator" in text_of(await say(app, other, f"moderator handover <@{other}>"))
    assert "now this circle's moderator" in text_of(await say(app, moderator.external_id,
                                                              f"moderator handover <@{other}>"))


async def test_rotating_moderators_are_announced_each_session(app: App, clock: ManualClock) -> None:
    await admin_creates_program(app, moderator_mode="rotating")
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 4)
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    clock.set(datetime(2026, 1, 6, 12, tzinfo=UTC))  # Tuesday: the day before the first Wednesday session
    for _ in range(3):
        await plan(app.services.uow, now=clock.now(), config=app.services.config)
        await plan(app.services.uow, now=clock.now(), config=app.services.config)  # planning twice: no repeats
        clock.advance(timedelta(days=7))
    names = [text for _, _, text in await queued(app, kind="election") if "moderates session" in text]
    assert [n.split(" moderates ")[1] for n in names] == ["session 1. Thank you!", "session 2. Thank you!",
                                                          "session 3. Thank you!"]
    assert len({n.split(" moderates")[0] for n in names}) == 3  # a different member each session


async def test_self_select_first_come_first_served_with_waitlist(app: App) -> None:
    await admin_creates_program(app, theme_mode="self_select", size_min="2", size_target="2", size_max="2")
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 4)
    await say(app, "U00", "theme propose Feedback")
    for user in ("U00", "U01", "U02", "U03"):
        await say(app, user, "theme vote 1")
    await say(app, "UADMIN", "program close leadership-circles")
    async with app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=1)
    first = circles[0].id
    assert "You're in" in text_of(await press(app, "U00", f"circle.pick:{first}"))
    assert "You're in" in text_of(await press(app, "U01", f"circle.pick:{first}"))
    assert "waitlist" in text_of(await press(app, "U02", f"circle.pick:{first}"))
    assert "already picked" in text_of(await press(app, "U02", f"circle.pick:{first}"))
    summary = text_of(await say(app, "UADMIN", "program form leadership-circles"))
    assert "1 circle started;" in summary
    unplaced = [q for q in await queued(app, kind="dm") if "waiting list" in q[2]]
    assert {q[1].rsplit(":", 1)[1] for q in unplaced} == {"U02"}


async def test_leaving_the_program_leaves_the_circle(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 4)
    await say(app, "UADMIN", "program close leadership-circles")
    await say(app, "UADMIN", "program form leadership-circles")
    opened = form_of(await say(app, "U01", "leave"))
    await submit(app, "U01", "leave", {"reason": ""}, state=opened.form.state)
    async with app.uow() as uow:
        rows = await uow.circles.membership_of(workspace_id=1, member_id=await member_id(app, "U01"))
    assert rows[0].status == "left"


async def test_mandatory_program_enrolls_listed_members(app: App) -> None:
    await admin_creates_program(app, participation="mandatory")
    text = text_of(await say(app, "UADMIN", "program enroll leadership-circles <@U05> <@U06>"))
    assert "2 members enrolled" in text
    dms = await queued(app, kind="dm")
    assert {d[1] for d in dms} == {"local:W1:user:U05", "local:W1:user:U06"}
    assert "Why: Grow leaders" in dms[0][2]
