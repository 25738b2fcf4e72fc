"""The member's summary at the program's end shows their goal's path over time, not only the last figure, in their
language; what nobody else's summary says (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from storage.tables import GoalUpdate
from tests.closing.support import FINAL_CLOSES, LAST_SESSION, NATURAL_START, closing_program, message, rows, tick
from tests.helpers import member_id


async def _record_updates(app: App, user: str, values: list[int]) -> None:
    """`values` as weekly updates before the last session, the goal ending at the last one."""
    async with app.uow() as uow:
        goal = await uow.running.goal(program_id=1, member_id=await member_id(app, user))
        assert goal is not None
        for n, value in enumerate(values):
            uow.running.save(GoalUpdate(workspace_id=1, goal_id=goal.id or 0, progress=value,
                                        created_at=LAST_SESSION - timedelta(weeks=len(values) - n)))
        goal.progress = values[-1]
        uow.running.save(goal)
        await uow.commit()


async def _summaries(app: App) -> dict[str, str]:
    await tick(app, NATURAL_START)
    await tick(app, FINAL_CLOSES)
    return {row.target.rsplit(":", 1)[1]: message(row).text for row in await rows(app, kind="summary")}


async def test_summary_shows_the_goal_trend_in_the_members_language(app: App) -> None:
    await closing_program(app)  # U1 (Indonesian) and U2 set goals; U3 did not
    await _record_updates(app, "U2", [40, 10, 20, 35, 50, 55])  # six updates: the last five are shown
    await _record_updates(app, "U1", [30, 70, 100])
    text = await _summaries(app)
    assert "Your goal: Goal of U2. Your progress over time: … → 10% → 20% → 35% → 50% → 55%, rising." in text["U2"]
    assert "40%" not in text["U2"]  # the sixth point back is left out
    assert ("Tujuan Anda: Goal of U1. Anda telah mencapainya, selamat! Kemajuan Anda dari waktu ke waktu: "
            "0% → 30% → 70% → 100%, naik.") in text["U1"]
    assert "did not set a goal" in text["U3"] and "Goal of" not in text["U3"]


async def test_summary_of_a_goal_never_updated_or_holding_steady(app: App) -> None:
    await closing_program(app)
    await _record_updates(app, "U2", [40, 40, 40, 40, 40])
    async with app.uow() as uow:  # U1's goal is back to where every goal is set, with no update
        goal = await uow.running.goal(program_id=1, member_id=await member_id(app, "U1"))
        assert goal is not None
        goal.progress = 0
        uow.running.save(goal)
        await uow.commit()
    text = await _summaries(app)
    assert "Your goal: Goal of U2. Your progress over time: steady at 40%." in text["U2"]
    assert "Tujuan Anda: Goal of U1. Kemajuan Anda dari waktu ke waktu: belum ada pembaruan." in text["U1"]
