"""Enrollment opens and closes on its dates by itself, in the program's time zone, exactly as the commands do, with
the admins told (once when it cannot close, and why). SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from bot.kernel.planning import plan as kernel_plan
from storage.tables import ProgramState, ThemeStatus
from tests.helpers import PLANNERS, admin_creates_program, enroll, make_program, queued, say
from tests.programs.intake_support import plan_at, program_named

# Jakarta is UTC+7: 17:30 UTC on the 6th is already 00:30 on the 7th there.
JAN_6_2300_JAKARTA = datetime(2026, 1, 6, 16, 0, tzinfo=UTC)
JAN_7_0030_JAKARTA = datetime(2026, 1, 6, 17, 30, tzinfo=UTC)


async def test_enrollment_opens_on_its_day_in_the_programs_zone(app: App) -> None:
    await admin_creates_program(app, enrollment_opens="2026-01-07", start_date="2026-01-19")
    await plan_at(app, JAN_6_2300_JAKARTA)
    assert (await program_named(app, "leadership-circles")).state == ProgramState.DRAFT
    await plan_at(app, JAN_7_0030_JAKARTA)
    assert (await program_named(app, "leadership-circles")).state == ProgramState.ENROLLING
    await plan_at(app, JAN_7_0030_JAKARTA + timedelta(minutes=1))  # planning again changes nothing
    announcements = await queued(app, kind="announcement")
    assert len(announcements) == 1 and "is open for enrollment" in announcements[0][2]
    assert announcements[0][1] == "local:W1:channel:CANNOUNCE"
    told = await queued(app, kind="admin")
    assert [(target, text) for _, target, text in told] == [(
        "local:W1:user:UADMIN",
        "As scheduled (2026-01-07): Enrollment for Leadership Circles is open and announced. "
        "Members join with `join leadership-circles`.")]


async def test_enrollment_closes_the_day_after_its_last_day(app: App) -> None:
    await admin_creates_program(app, enrollment_closes="2026-01-09", start_date="2026-01-19")
    await say(app, "UADMIN", "program open leadership-circles")
    program = await program_named(app, "leadership-circles")
    for user in ("U1", "U2", "U3"):
        await enroll(app, user, program)
    await say(app, "U1", "theme propose Giving feedback")
    for user in ("U1", "U2", "U3"):
        await say(app, user, "theme vote 1")
    await plan_at(app, datetime(2026, 1, 9, 16, 0, tzinfo=UTC))  # 23:00 on the 9th in Jakarta: still the last day
    assert (await program_named(app, "leadership-circles")).state == ProgramState.ENROLLING
    await plan_at(app, datetime(2026, 1, 9, 17, 30, tzinfo=UTC))
    assert (await program_named(app, "leadership-circles")).state == ProgramState.FORMING
    async with app.uow() as uow:
        themes = await uow.themes.of_program(workspace_id=1, program_id=program.id or 0)
    assert [(t.title, t.status) for t in themes] == [("Giving feedback", ThemeStatus.SELECTED)]  # the close step ran
    told = [text for _, _, text in await queued(app, kind="admin")]
    assert len(told) == 1 and told[0].startswith("As scheduled (the last day was 2026-01-09): Enrollment for "
                                                 "Leadership Circles is closed with 3 members.")
    assert "Giving feedback" in told[0]


async def test_a_close_that_cannot_happen_keeps_it_open_and_tells_admins_once(app: App) -> None:
    await admin_creates_program(app, enrollment_closes="2026-01-09", start_date="2026-01-19")
    await say(app, "UADMIN", "program open leadership-circles")
    program = await program_named(app, "leadership-circles")
    await enroll(app, "U1", program, locale="id")
    after = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    for minutes in (0, 1, 60):
        await plan_at(app, after + timedelta(minutes=minutes))
    assert (await program_named(app, "leadership-circles")).state == ProgramState.ENROLLING
    told = [text for _, _, text in await queued(app, kind="admin")]
    assert len(told) == 1
    assert "was due to close after 2026-01-09, but it cannot close yet: Leadership Circles has 1 members; " \
           "a circle needs at least 3." in told[0]
    assert "`program close leadership-circles`" in told[0] and "`program edit leadership-circles`" in told[0]
    for user in ("U2", "U3"):  # enough members join later: the next pass closes it
        await enroll(app, user, program)
    await plan_at(app, after + timedelta(hours=2))
    assert (await program_named(app, "leadership-circles")).state == ProgramState.FORMING
    assert len(await queued(app, kind="admin")) == 2


async def test_a_pair_program_without_mentors_says_so_in_the_admins_language(app: App) -> None:
    await say(app, "UADMIN", "admin add <@UIBU>")
    await say(app, "UIBU", "status", locale="id")
    program = await make_program(app, name="Mentoring", slug="mentoring", format="one_on_one", goal="g",
                                 enrollment_closes=datetime(2026, 1, 6).date(), start_date=datetime(2026, 2, 2).date())
    await enroll(app, "U1", program, role="mentee")
    await plan_at(app, JAN_7_0030_JAKARTA)
    assert (await program_named(app, "mentoring")).state == ProgramState.ENROLLING
    told = {target: text for _, target, text in await queued(app, kind="admin")}
    assert "needs at least one mentor and one mentee (now 0 mentors, 1 mentees)" in told["local:W1:user:UADMIN"]
    assert "belum dapat ditutup" in told["local:W1:user:UIBU"]


async def test_without_the_cores_hooks_the_step_waits(app: App) -> None:
    """A planning pass given no hooks (as a test narrowing planners might) leaves the program as it is."""
    await say(app, "UADMIN", "status")
    await make_program(app, state=ProgramState.DRAFT, goal="g", enrollment_opens=datetime(2026, 1, 5).date())
    await kernel_plan(app.services.uow, now=JAN_7_0030_JAKARTA, config=app.services.config, planners=PLANNERS)
    assert (await program_named(app, "leadership")).state == ProgramState.DRAFT
    await app.plan(now=JAN_7_0030_JAKARTA)  # bootstrap's pass has them
    assert (await program_named(app, "leadership")).state == ProgramState.ENROLLING


async def test_two_passes_at_once_close_it_once(app: App) -> None:
    """Replicas plan at the same tick: the program row is locked, so the self-select circles open once."""
    await admin_creates_program(app, enrollment_closes="2026-01-09", start_date="2026-01-19",
                                theme_mode="self_select")
    await say(app, "UADMIN", "program open leadership-circles")
    program = await program_named(app, "leadership-circles")
    for user in ("U1", "U2", "U3"):
        await enroll(app, user, program)
    await say(app, "U1", "theme propose Giving feedback")
    after = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    await asyncio.gather(plan_at(app, after), plan_at(app, after),
                         say(app, "UADMIN", "program close leadership-circles"))
    async with app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
    assert len(circles) == 1 and (await program_named(app, "leadership-circles")).state == ProgramState.FORMING
    assert len(await queued(app, kind="admin")) <= 1  # told by the pass that closed it, or the admin closed it
