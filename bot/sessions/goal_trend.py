"""Goals over time: one goal's path as a short trend, and a group's goals in aggregate at K.

The member's summary shows their own trend (goal_path + goal_trend). Admins (the digest) and moderators (the
session kit) only ever get group_goals: counts and medians, withheld below K, never one member's goal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import NamedTuple

from bot.kernel.i18n import Translator
from bot.sessions.timing import format_day
from storage.tables import Goal, GoalUpdate
from storage.uow import UnitOfWork

TREND_POINTS = 5  # the last five values: enough to see a direction, short enough for one line
GOAL_START = 0  # every goal is set at 0% (storage's save_goal); its updates follow
ALL_UPDATES = 1000  # a goal gets an update a week or so: this is every one it will have


def goal_path(goal: Goal, updates: Iterable[GoalUpdate]) -> list[int]:
    """The goal's progress oldest first: where it was set, each update, ending at its current value."""
    ordered = sorted(updates, key=lambda u: (u.created_at, u.id or 0))
    path = [GOAL_START, *(u.progress for u in ordered)]
    if path[-1] != goal.progress:  # a value stored without an update row still ends the path
        path.append(goal.progress)
    return path


def goal_trend(t: Translator, path: Sequence[int], *, points: int = TREND_POINTS) -> str:
    """A goal's progress as one plain line in the reader's language (no sparkline: Slack and Teams both show it).

    `path`: the values oldest first (goal_path). Shows at most the last `points` (at least 2), with "…" when
    there were earlier ones: "20% → 45% → 60%, rising", "steady at 40%", "no updates yet".
    """
    if len(path) <= 1:
        return t("goals.trend.none")
    shown = list(path[-max(2, points):])
    if len(set(shown)) == 1:
        return t("goals.trend.steady", progress=shown[0])
    text = " → ".join(f"{value}%" for value in shown)
    if len(path) > len(shown):
        text = "… → " + text
    direction = "rising" if shown[-1] > shown[0] else "falling" if shown[-1] < shown[0] else "level"
    return t(f"goals.trend.{direction}", path=text)


async def goal_trend_of(uow: UnitOfWork, t: Translator, goal: Goal, *, points: int = TREND_POINTS) -> str:
    """goal_trend of a stored goal. For the member themselves only: it is their own goal."""
    return goal_trend(t, goal_path(goal, await uow.running.goal_updates(goal_id=goal.id or 0, limit=ALL_UPDATES)),
                      points=points)


def progress_at(goal: Goal, updates: Iterable[GoalUpdate], moment: datetime) -> int:
    """Where the goal stood at `moment`: its last update by then, else where it was set (also when set later)."""
    before = [u for u in updates if u.created_at <= moment]
    return max(before, key=lambda u: (u.created_at, u.id or 0)).progress if before else GOAL_START


@dataclass(frozen=True)
class GroupGoals:
    """A group's goals in aggregate. `before`/`now` are None when fewer than K members have a goal."""

    members: int  # members counted (the group, less anyone excluded)
    with_goal: int
    k: int
    before: int | None  # median progress at `since`; goals set later count at their start
    now: int | None  # median progress today

    @property
    def shown(self) -> bool:
        return self.now is not None


def aggregate(histories: Sequence[tuple[Goal, Sequence[GoalUpdate]]], *, members: int, since: datetime,
              k: int) -> GroupGoals:
    """Medians of the same goals then and now, so the change is progress rather than people coming and going."""
    if len(histories) < max(k, 1):
        return GroupGoals(members=members, with_goal=len(histories), k=k, before=None, now=None)
    before = round(median(progress_at(goal, updates, since) for goal, updates in histories))
    now = round(median(goal.progress for goal, _ in histories))
    return GroupGoals(members=members, with_goal=len(histories), k=k, before=before, now=now)


async def group_goals(uow: UnitOfWork, *, program_id: int, member_ids: Iterable[int], since: datetime, k: int,
                      exclude: int | None = None) -> GroupGoals:
    """The goals of `member_ids` in one program, at K. `exclude`: the reader (a moderator who is also a member),
    so they cannot take their own goal out of the median and learn someone else's."""
    return (await groups_goals(uow, program_id=program_id, groups=[Group(member_ids, since, exclude)], k=k))[0]


class Group(NamedTuple):
    """One group_goals question: whose goals, since when, and the reader left out."""

    member_ids: Iterable[int]
    since: datetime
    exclude: int | None = None


async def groups_goals(uow: UnitOfWork, *, program_id: int, groups: Sequence[Group], k: int) -> list[GroupGoals]:
    """`group_goals` for many groups of one program with one read of their goals and updates (the kits of
    thousands of circles due in one tick, issue 18)."""
    wanted = [sorted({m for m in g.member_ids if m != g.exclude}) for g in groups]
    everyone = sorted({m for ids in wanted for m in ids})
    goals = await uow.running.goals_of_members(program_id=program_id, member_ids=everyone)  # a few queries, not
    updates = await uow.running.updates_of_goals(goal_ids=[g.id or 0 for g in goals.values()],  # two per member
                                                 limit=ALL_UPDATES)
    found = []
    for group, ids in zip(groups, wanted, strict=True):
        histories: list[tuple[Goal, Sequence[GoalUpdate]]] = [(goals[m], updates.get(goals[m].id or 0, []))
                                                              for m in ids if m in goals]
        found.append(aggregate(histories, members=len(ids), since=group.since, k=k))
    return found


def circle_goals_line(t: Translator, found: GroupGoals, *, since_day: date) -> str:
    """For the moderator's kit: "6 of 7 members have a goal; median progress 30% → 50% since 4 Mar 2026".
    `since_day`: the day group_goals' `since` falls on, in the reader's zone."""
    if not found.shown:
        return t.n("goals.kit.withheld", found.with_goal, count=found.with_goal, members=found.members, k=found.k)
    return t("goals.kit.line", count=found.with_goal, members=found.members, before=found.before, now=found.now,
             day=format_day(since_day, locale=t.locale))
