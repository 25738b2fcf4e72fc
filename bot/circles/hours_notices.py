"""Whoever meets outside their working hours is told by DM in their language, and the program's admins are warned
once per formation (or placement), per circle, with the exact command that moves each person to a circle that fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.circles.own_time import fitting_circle, outside_of, session_outside
from bot.kernel.config import CoreConfig
from bot.kernel.context import Ctx, Scope
from bot.kernel.i18n import Translator, format_moment
from bot.kernel.messages import Header, Message, Text
from bot.kernel.outbox import dm
from bot.kernel.planning import PlanContext
from bot.kernel.spaces import tell_admins
from bot.sessions.timing import zone
from storage.tables import Circle, CircleStatus, Member, Program


@dataclass(frozen=True)
class Outside:
    """One member whose circle meets outside their working hours, and where they could go instead."""

    circle: Circle
    member: Member
    when: datetime | None  # their first session from now on outside their hours
    move_to: Circle | None  # another circle with room that meets inside their hours; None: none fits


def hours_text(member: Member) -> str:
    return f"{member.work_start_hour:02d}:00-{member.work_end_hour:02d}:00"


def when_text(t: Translator, program: Program, case: Outside) -> str:
    """The member's session outside their hours, in their own zone and language."""
    if case.when is None:
        return "-"
    where = zone(case.member.timezone, fallback=program.timezone).key
    return format_moment(case.when, timezone=where, locale=t.locale)


async def outside_cases(scope: Scope, program: Program,
                        found: Sequence[tuple[Circle, Sequence[Member]]]) -> list[Outside]:
    """For each circle, its members (of `found`) meeting outside their hours, each with a circle that would fit
    them; a circle offered once counts the person as taking a place in it."""
    if not any(members for _, members in found):
        return []
    circles = [c for c in await scope.uow.circles.of_program(workspace_id=scope.workspace_id,
                                                             program_id=program.id or 0)
               if c.status == CircleStatus.ACTIVE]
    sizes = {c.id or 0: len(await scope.uow.circles.memberships(circle_id=c.id or 0)) for c in circles}
    cases = []
    for circle, members in found:
        for member in members:
            other = fitting_circle(program, member, current=circle,
                                   circles=[(c, sizes[c.id or 0]) for c in circles])
            if other is not None:
                sizes[other.id or 0] += 1
            cases.append(Outside(circle=circle, member=member, when=session_outside(program, circle, member, scope.now),
                                 move_to=other))
    return cases


def member_message(t: Translator, *, program: Program, case: Outside) -> Message:
    return Message(text=t("own_time.outside_dm", circle=case.circle.name, when=when_text(t, program, case),
                          hours=hours_text(case.member), program=program.name))


def admin_message(t: Translator, *, program: Program, cases: Sequence[Outside]) -> Message:
    title = t("own_time.admin_title", program=program.name, count=len(cases))
    intro = t("own_time.admin_intro")
    sections = []
    for circle in dict.fromkeys(case.circle.id for case in cases):
        mine = [case for case in cases if case.circle.id == circle]
        lines = [t("own_time.admin_circle", circle=mine[0].circle.name, id=circle)]
        for case in mine:
            facts = {"name": case.member.name, "when": when_text(t, program, case), "hours": hours_text(case.member)}
            if case.move_to is None:
                lines.append(t("own_time.admin_no_fit", **facts))
            else:
                command = f"circle add <@{case.member.external_id}> {case.move_to.id} move"
                lines.append(t("own_time.admin_move", other=case.move_to.name, command=command, **facts))
        sections.append("\n".join(lines))
    return Message(text="\n\n".join([title, intro, *sections]),
                   blocks=(Header(title), Text(intro), *(Text(section) for section in sections)))


def own_time_summary(t: Translator, summary: str, circles: list[Circle], *, outside: int) -> str:
    """The formation reply says how many circles meet at their own time, and how many members still meet outside
    their working hours (the admins have a message with the move for each)."""
    lines = [summary]
    own = sum(1 for circle in circles if circle.schedule)
    if own:
        lines.append(t("own_time.summary", count=own))
    if outside:
        lines.append(t("own_time.summary_outside", count=outside))
    return "\n".join(lines)


def config_of(scope: Scope) -> CoreConfig:
    """Who the admins are is configured too (LINGKAR_ADMINS): a member's handler and a planner both know it."""
    if isinstance(scope, PlanContext):
        return scope.config
    if isinstance(scope, Ctx):
        return scope.services.config
    return CoreConfig()  # a shell scope: the admins stored for the workspace


async def tell_outside(scope: Scope, program: Program, cases: Sequence[Outside], *, key: str,
                       members_told: bool = False) -> None:
    """Each member by DM (unless `members_told`: a message of theirs already says it), once per `key`; every
    admin one warning listing them all."""
    for case in cases if not members_told else ():
        await dm(scope, member=case.member, key=f"outside-hours:{key}:{case.circle.id}:{case.member.id}", kind="dm",
                 program_id=program.id, build=partial(member_message, program=program, case=case))
    if cases:
        await tell_admins(scope, config_of(scope), key=f"outside-hours:{key}", program_id=program.id,
                          build=partial(admin_message, program=program, cases=list(cases)))


async def joiners_outside(scope: Scope, program: Program, circle: Circle,
                          members: Sequence[Member]) -> list[Outside]:
    """Late joiners and moves: the circle keeps its slot (its members have invites already); who of `members`
    meets outside their hours there, each with a move offer."""
    return await outside_cases(scope, program, [(circle, outside_of(program, circle, members))])


def outside_line(t: Translator, *, program: Program, case: Outside) -> str:
    """The line a placement message adds for a member placed outside their hours."""
    return t("own_time.outside_line", when=when_text(t, program, case), hours=hours_text(case.member))
