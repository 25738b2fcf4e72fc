"""A running circle program for the closing tests: two circles with moderators, sessions logged, goals and answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons, Message
from storage.tables import Delivery, Program
from tests.feedback.support import running_program
from tests.helpers import member_id, plan, say

# The support program: Wednesdays 10:00 in Jakarta from 7 January 2026, weekly for 12 weeks.
LAST_SESSION = datetime(2026, 3, 25, 3, 0, tzinfo=UTC)
NATURAL_START = LAST_SESSION + timedelta(hours=2)  # S: the final poll and the after self-assessment open
FINAL_CLOSES = NATURAL_START + timedelta(days=14)  # F: summaries, thanks, the closing report; then closed
CIRCLE_A, CIRCLE_B = ["U1", "U2", "U3"], ["U4", "U5", "U6"]
USERS = CIRCLE_A + CIRCLE_B


async def closing_program(app: App, **fields: Any) -> Program:
    """Six members in two circles; U1 moderates A (manager UBOSS, who reads Indonesian) and U4 moderates B (no
    manager on record). U1 speaks Indonesian; U1 and U2 set goals; sessions were logged and checked in."""
    program = await running_program(app, USERS, circles=[CIRCLE_A, CIRCLE_B], **fields)
    await say(app, "UADMIN", "status")  # a configured admin is written to once they are a member here
    now = app.services.clock.now()
    ids = {user: await member_id(app, user) for user in [*USERS]}
    async with app.uow() as uow:
        boss = await uow.members.get_or_create(workspace_id=1, external_id="UBOSS", now=now)
        boss.locale, boss.display_name = "id", "Pak Bos"
        uow.session.add(boss)
        for user, locale, manager in (("U1", "id", "UBOSS"), ("U4", "en", None)):
            member = await uow.members.get(workspace_id=1, member_id=ids[user])
            assert member is not None
            member.locale, member.manager_external_id = locale, manager
            uow.session.add(member)
        circles = await uow.circles.of_program(workspace_id=1, program_id=program.id or 0)
        for circle, moderator, people in ((circles[0], "U1", CIRCLE_A), (circles[1], "U4", CIRCLE_B)):
            circle.moderator_member_id = ids[moderator]
            uow.session.add(circle)
            for index in range(10):  # ten sessions logged; the first two members came to all of them
                await uow.running.save_log(values={
                    "workspace_id": 1, "program_id": program.id, "circle_id": circle.id, "session_index": index,
                    "attendee_member_ids": [ids[u] for u in people[:2]], "outcomes": "", "logged_by_member_id":
                    ids[moderator]}, now=now)
            await uow.running.save_checkin(values={
                "workspace_id": 1, "program_id": program.id, "circle_id": circle.id, "member_id": ids[people[2]],
                "session_index": 11, "attended": True, "usefulness": 4, "progress": ""}, now=now)
        for user, progress in (("U1", 100), ("U2", 40)):
            await uow.running.save_goal(values={
                "workspace_id": 1, "program_id": program.id, "member_id": ids[user], "specific": f"Goal of {user}",
                "measurable": "m", "achievable": "a", "relevant": "r", "due_on": date(2026, 3, 31)}, now=now)
            goal = await uow.running.goal(program_id=program.id or 0, member_id=ids[user])
            assert goal is not None
            goal.progress = progress
            uow.session.add(goal)
        await uow.commit()
    return program


async def tick(app: App, at: datetime) -> None:
    """One scheduler planning pass with every capability's planners, the clock set to `at`."""
    app.services.clock.set(at)  # type: ignore[attr-defined]
    await plan(app.services.uow, now=at, config=app.services.config)


async def rows(app: App, *, kind: str | None = None, prefix: str | None = None) -> list[Delivery]:
    async with app.uow() as uow:
        query = select(Delivery).order_by(col(Delivery.id))
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        if prefix is not None:
            query = query.where(col(Delivery.key).startswith(prefix))
        return list((await uow.session.exec(query)).all())


def message(row: Delivery) -> Message:
    return decode(row.payload)


def buttons(row: Delivery) -> list[tuple[str, str]]:
    return [(b.label, b.action_id) for block in message(row).blocks if isinstance(block, Buttons)
            for b in block.buttons]


async def program_state(app: App, program: Program) -> Program:
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
        assert fresh is not None
        return fresh
