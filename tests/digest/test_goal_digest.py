"""The digest's goals over time: counts and medians over the last four weeks once at least K members have a goal,
else withheld with the reason; never one member's goal (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adapters.bootstrap import App
from bot.digest.planner import plan_digest
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from storage.tables import EnrollmentStatus, GoalUpdate, Program
from tests.feedback.support import deliveries, run, running_program
from tests.helpers import member_id, say

MONDAY = datetime(2026, 2, 23, 2, 0, tzinfo=UTC)  # Monday 23 February, 09:00 in Jakarta; four weeks back: 26 Jan
EARLY, LATE = datetime(2026, 1, 14, 5, 0, tzinfo=UTC), datetime(2026, 2, 18, 5, 0, tzinfo=UTC)
USERS = ["U1", "U2", "U3", "U4", "U5"]
# (early update, late update): four weeks ago the medians stood at 20%, now at 40%.
PROGRESS = {"U1": (20, 60), "U2": (10, 40), "U3": (30, 30)}


async def _program_with_goals(app: App, users: list[str], **fields: object) -> Program:
    program = await running_program(app, USERS, circles=[USERS], **fields)
    await say(app, "UADMIN", "status")  # a configured admin gets DMs only where they are a member
    async with app.uow() as uow:
        for user in users:
            member = await member_id(app, user)
            await uow.running.save_goal(values={
                "workspace_id": 1, "program_id": program.id, "member_id": member, "specific": f"Secret goal of {user}",
                "measurable": "m", "achievable": "a", "relevant": "r", "due_on": date(2026, 3, 31)}, now=EARLY)
            goal = await uow.running.goal(program_id=program.id or 0, member_id=member)
            assert goal is not None
            for moment, value in zip((EARLY, LATE), PROGRESS[user], strict=True):
                uow.running.save(GoalUpdate(workspace_id=1, goal_id=goal.id or 0, progress=value, note="private",
                                            created_at=moment))
            goal.progress = PROGRESS[user][1]
            uow.running.save(goal)
        await uow.commit()
    return program


async def _digest(app: App, clock: ManualClock) -> str:
    clock.set(MONDAY)
    assert await run(app, plan_digest, MONDAY) == 1
    return decode((await deliveries(app, kind="digest"))[0].payload).text


async def test_goal_progress_over_four_weeks_at_k(app: App, clock: ManualClock) -> None:
    await _program_with_goals(app, ["U1", "U2", "U3"])  # K is 3 (the configured default)
    text = await _digest(app, clock)
    assert "Goals: 3 of 5 members have set a goal; median progress 20% → 40% over the last 4 weeks" in text
    assert "Secret goal" not in text and "private" not in text and "60%" not in text


async def test_goal_progress_withheld_below_k(app: App, clock: ManualClock) -> None:
    await _program_with_goals(app, ["U1", "U2"])
    text = await _digest(app, clock)
    assert ("Goals: 2 of 5 members have set a goal; progress is shown once at least 3 have one, so no one's goal "
            "can be singled out") in text
    assert "median" not in text and "Secret goal" not in text


async def test_the_programs_own_k_applies(app: App, clock: ManualClock) -> None:
    await _program_with_goals(app, ["U1", "U2", "U3"], k_anonymity=4)
    text = await _digest(app, clock)
    assert "Goals: 3 of 5 members have set a goal; progress is shown once at least 4 have one" in text
    assert "median" not in text


async def test_a_goal_of_someone_who_left_is_not_counted(app: App, clock: ManualClock) -> None:
    """The digest reads the program's goals at once (issue 18) and keeps those of its current members only."""
    PROGRESS["U4"] = (90, 100)
    try:
        program = await _program_with_goals(app, ["U1", "U2", "U3", "U4"])
    finally:
        del PROGRESS["U4"]
    async with app.uow() as uow:
        enrollment = await uow.enrollments.get(workspace_id=1, program_id=program.id or 0,
                                               member_id=await member_id(app, "U4"))
        assert enrollment is not None
        enrollment.status = EnrollmentStatus.LEFT
        uow.session.add(enrollment)
        await uow.commit()
    text = await _digest(app, clock)
    assert "Goals: 3 of 4 members have set a goal; median progress 20% → 40% over the last 4 weeks" in text
