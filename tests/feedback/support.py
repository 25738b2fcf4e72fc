"""Shared set-up for the feedback, digest, export and privacy tests: a running program with circles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.events import Actor, Command, FormSubmitted
from bot.kernel.planning import PlanContext, Planner
from storage.tables import Circle, CircleMember, Delivery, Program, ProgramState
from tests.helpers import PROFILE, WORKSPACE, enroll, form_of, make_program, member_id, submit

# Wednesdays 10:00 in Jakarta from 7 January 2026, weekly for 12 weeks.
FIRST_SESSION = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)


async def running_program(app: App, users: Sequence[str], *, circles: Sequence[Sequence[str]] = (),
                          profile: dict[str, str] | None = None, people: Sequence[Actor] = (),
                          **fields: Any) -> Program:
    """A program with `users` enrolled (through the real questionnaire) and `circles` of them, now running."""
    settings: dict[str, Any] = {"start_date": date(2026, 1, 5), "meeting_weekday": 2, "meeting_time": "10:00",
                                "timezone": "Asia/Jakarta", "weeks": 12, "size_min": 3, **fields}
    program = await make_program(app, **settings)
    for user in users:
        await enroll(app, user, program, **(profile or {}))
    for who in people:
        await enroll_as(app, who, program, **(profile or {}))
    now = app.services.clock.now()
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
        assert fresh is not None
        fresh.state = ProgramState.RUNNING
        uow.session.add(fresh)
        for index, members in enumerate(circles):
            circle = Circle(workspace_id=program.workspace_id, program_id=program.id or 0,
                            name=f"Circle {chr(65 + index)}", space=f"local:W1:space:circle-{index}", created_at=now)
            uow.circles.add(circle)
            await uow.flush()
            for user in members:
                uow.circles.add(CircleMember(workspace_id=program.workspace_id, program_id=program.id or 0,
                                             circle_id=circle.id or 0, member_id=await member_id(app, user),
                                             joined_at=now))
        await uow.commit()
        return fresh


async def run(app: App, planner: Planner, now: datetime) -> int:
    """Plan like bot.kernel.planning.plan does, for one planner: every running program in its own unit of work."""
    queued = 0
    async with app.uow() as uow:
        programs = await uow.programs.running_everywhere()
    for program in programs:
        async with app.uow() as uow:
            workspace = await uow.workspaces.get(program.workspace_id)
            fresh = await uow.programs.get(workspace_id=program.workspace_id, program_id=program.id or 0)
            assert workspace is not None and fresh is not None
            queued += await planner(PlanContext(uow=uow, program=fresh, workspace=workspace, now=now,
                                                config=app.services.config))
            await uow.commit()
    return queued


async def deliveries(app: App, *, kind: str | None = None) -> list[Delivery]:
    async with app.uow() as uow:
        query = select(Delivery).order_by(col(Delivery.id))
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return list((await uow.session.exec(query)).all())


async def answer_poll(app: App, user: str, poll_id: int, *, satisfaction: int, recommend: int, keep: str = "",
                      improve: str = "") -> str:
    from tests.helpers import text_of

    return text_of(await submit(app, user, "feedback.poll", {
        "satisfaction": str(satisfaction), "recommend": str(recommend), "keep": keep, "improve": improve},
        state=str(poll_id)))


def person(user: str, name: str) -> Actor:
    return Actor(platform="local", workspace_id=WORKSPACE, user_id=user, display_name=name, locale="en")


async def enroll_as(app: App, who: Actor, program: Program, **profile: str) -> None:
    """Join through the questionnaire as someone with a real display name."""
    opened = form_of(await app.core.handle(Command(who, f"join {program.slug}")))
    await app.core.handle(FormSubmitted(who, "profile", state=opened.form.state, values={**PROFILE, **profile}))
