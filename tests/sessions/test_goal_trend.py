"""Goals over time: one goal's trend in the reader's language, and a circle's goals in aggregate at K (the moderator's
kit): pure wording, and the stored updates `goal update` writes (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from bot.sessions.goal_trend import aggregate, circle_goals_line, goal_path, goal_trend, goal_trend_of, group_goals
from storage.tables import Goal, GoalUpdate
from tests.feedback.support import running_program
from tests.helpers import member_id, say

EN, ID = Translator("en"), Translator("id")
SET = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)


def _goal(progress: int, *, goal_id: int = 1, created: datetime = SET) -> Goal:
    return Goal(id=goal_id, workspace_id=1, program_id=1, member_id=goal_id, specific="s", measurable="m",
                achievable="a", relevant="r", due_on=date(2026, 3, 31), progress=progress, created_at=created,
                updated_at=created)


def _updates(goal_id: int, values: list[int], *, start: datetime = SET) -> list[GoalUpdate]:
    return [GoalUpdate(id=goal_id * 100 + n, workspace_id=1, goal_id=goal_id, progress=value,
                       created_at=start + timedelta(weeks=n + 1)) for n, value in enumerate(values)]


@pytest.mark.parametrize(("path", "english", "indonesian"), [
    ([0], "no updates yet", "belum ada pembaruan"),
    ([0, 20, 45, 60], "0% → 20% → 45% → 60%, rising", "0% → 20% → 45% → 60%, naik"),
    ([0, 40, 40, 40, 40, 40], "steady at 40%", "tetap di 40%"),
    ([0, 60, 50], "0% → 60% → 50%, rising", "0% → 60% → 50%, naik"),
    ([0, 30, 40, 50, 60, 50, 30], "… → 40% → 50% → 60% → 50% → 30%, down a little",
     "… → 40% → 50% → 60% → 50% → 30%, sedikit turun"),
    ([0, 40, 0], "0% → 40% → 0%, back where it was", "0% → 40% → 0%, kembali ke angka semula"),
])
def test_trend_wording(path: list[int], english: str, indonesian: str) -> None:
    assert goal_trend(EN, path) == english
    assert goal_trend(ID, path) == indonesian


def test_many_points_show_the_last_five_with_an_ellipsis() -> None:
    path = [0, 10, 20, 30, 40, 50, 60, 70]
    assert goal_trend(EN, path) == "… → 30% → 40% → 50% → 60% → 70%, rising"
    assert goal_trend(EN, path, points=3) == "… → 50% → 60% → 70%, rising"
    assert goal_trend(EN, [0, 10, 20, 30, 40]) == "0% → 10% → 20% → 30% → 40%, rising"  # five: all of them


def test_path_is_in_time_order_and_ends_at_the_current_value() -> None:
    updates = _updates(1, [20, 45, 60])
    assert goal_path(_goal(60), list(reversed(updates))) == [0, 20, 45, 60]
    assert goal_path(_goal(75), updates) == [0, 20, 45, 60, 75]  # a value stored without an update row
    assert goal_path(_goal(0), []) == [0]


def test_aggregate_is_medians_of_the_same_goals_at_k_and_withheld_below() -> None:
    since = SET + timedelta(weeks=2, days=1)  # after the first two updates of each goal
    histories = [(_goal(60, goal_id=1), _updates(1, [20, 30, 60])), (_goal(50, goal_id=2), _updates(2, [10, 40, 50])),
                 (_goal(10, goal_id=3, created=since + timedelta(days=1)), [])]  # set later: counts from its start
    found = aggregate(histories, members=4, since=since, k=3)
    assert (found.with_goal, found.before, found.now, found.shown) == (3, 30, 50, True)
    line = circle_goals_line(EN, found, since_day=date(2026, 1, 22))
    assert line == "3 of 4 members have a goal; median progress 30% → 50% since 22 Jan 2026."
    below = aggregate(histories[:2], members=4, since=since, k=3)
    assert (below.before, below.now, below.shown) == (None, None, False)
    withheld = circle_goals_line(ID, below, since_day=date(2026, 1, 22))
    assert withheld.startswith("2 dari 4 anggota memiliki tujuan.") and "sedikitnya 3 anggota" in withheld
    assert "%" not in withheld


async def test_updates_from_goal_update_make_the_trend(app: App, clock: ManualClock) -> None:
    program = await running_program(app, ["U1", "U2", "U3", "U4"], circles=[["U1", "U2", "U3", "U4"]])
    ids = {user: await member_id(app, user) for user in ("U1", "U2", "U3", "U4")}
    async with app.uow() as uow:
        for user in ("U2", "U3", "U4"):
            await uow.running.save_goal(values={
                "workspace_id": 1, "program_id": program.id, "member_id": ids[user], "specific": f"Goal of {user}",
                "measurable": "m", "achievable": "a", "relevant": "r", "due_on": date(2026, 3, 31)}, now=SET)
        await uow.commit()
    for user, values in (("U2", (20, 45, 60)), ("U3", (10,)), ("U4", (30, 40))):
        for value in values:
            clock.advance(timedelta(days=7))
            await say(app, user, f"goal update {value}")
    async with app.uow() as uow:
        goal = await uow.running.goal(program_id=program.id or 0, member_id=ids["U2"])
        assert goal is not None
        assert await goal_trend_of(uow, EN, goal) == "0% → 20% → 45% → 60%, rising"
        assert await goal_trend_of(uow, ID, goal) == "0% → 20% → 45% → 60%, naik"
        everyone = list(ids.values())
        found = await group_goals(uow, program_id=program.id or 0, member_ids=everyone, since=SET, k=3)
        assert (found.members, found.with_goal, found.before, found.now) == (4, 3, 0, 40)
        # The moderator (U2) is left out of what they read: two goals are below K, so nothing is shown.
        kit = await group_goals(uow, program_id=program.id or 0, member_ids=everyone, since=SET, k=3,
                                exclude=ids["U2"])
        assert (kit.members, kit.with_goal, kit.shown) == (3, 2, False)
