"""Circles whose space the platform has not opened yet: a member placed meanwhile is added once it opens, and a
circle merged away meanwhile gets its space archived instead of a welcome."""

from __future__ import annotations

from sqlmodel import select

from adapters.bootstrap import App
from bot.kernel.ports import Target
from bot.kernel.replies import UpdateSource
from storage.repositories.outbox import space_key
from storage.tables import Circle, Delivery, DeliveryStatus
from tests.circles.intake_world import (
    Arena,
    dm_target,
    join_late,
    placed_in,
    running_program,
    sent_to,
    space_changes,
)
from tests.circles.world import Person
from tests.helpers import WORKSPACE, plan, press, say


async def _not_open_yet(app: App, arena: Arena, name: str) -> str:
    """The circle's space delivery is queued with its members of the moment; the platform has not opened it."""
    circle_id = arena.circles[name]
    async with app.uow() as uow:
        circle = await uow.circles.get(workspace_id=1, circle_id=circle_id)
        assert circle is not None
        circle.space = ""
        uow.circles.add(circle)
        members = [m.external_id for m in await uow.members.many(workspace_id=1, member_ids=[
            cm.member_id for cm in await uow.circles.memberships(circle_id=circle_id)])]
        waiting = Target(platform="local", workspace_id=WORKSPACE, kind="space", ref=f"new:{circle_id}").key()
        await uow.outbox.add(workspace_id=1, key=space_key("circle", circle_id), kind="space", target=waiting,
                             program_id=arena.program_id, due_at=app.services.clock.now(), payload={
                                 "round": 0, "space": {"name": name, "members": members, "private": True,
                                                       "parent": None, "group_chat": False}})
        await uow.commit()
    return arena.spaces[name]


async def _opened(app: App, circle_id: int, space: str) -> None:
    """What the deliverer records once the platform opened the space."""
    async with app.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(Delivery.key == space_key("circle", circle_id)))).one()
        row.status, row.sent_ref = DeliveryStatus.SENT, space
        uow.session.add(row)
        await uow.commit()
    await plan(app.uow, now=app.services.clock.now(), config=app.services.config)


async def test_a_member_placed_before_the_space_opens_is_added_when_it_opens(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person("A1"), Person("A2"), Person("A3")]})
    space = await _not_open_yet(app, arena, "Leadership 1")
    assert "You're in Leadership 1" in await join_late(app, arena, "N1")
    assert await space_changes(app) == [] and await sent_to(app, space, kind="announcement") == []
    await _opened(app, arena.circles["Leadership 1"], space)
    [change] = await space_changes(app)
    assert (change.target, change.payload["change"]) == (space, {"action": "add", "members": ["N1"]})
    [welcome] = await sent_to(app, space, kind="welcome")
    assert "and N1\n" in welcome.split("Why you're")[0]  # the circle's welcome names everyone placed by then
    assert await placed_in(app, arena, "N1") == "Leadership 1"


async def test_a_circle_merged_away_before_its_space_opens_has_it_archived(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person("A1"), Person("A2")],
                                                "Leadership 2": [Person("C1"), Person("C2")]})
    one, two = arena.circles["Leadership 1"], arena.circles["Leadership 2"]
    space = await _not_open_yet(app, arena, "Leadership 2")
    await say(app, "UADMIN", f"circle merge {one} {two}")
    [done] = await press(app, "UADMIN", f"circle.merge:{one}.{two}")
    assert isinstance(done, UpdateSource) and "merged into Leadership 1" in done.message.text
    # No channel to read a farewell in: each member of the merged circle hears it directly.
    [told] = await sent_to(app, dm_target("C1"), kind="dm")
    assert "Your circle merged into Leadership 1 (Program growth)" in told and "Moderator: Name A1" in told
    await _opened(app, two, space)
    [add, archive] = await space_changes(app)
    assert add.payload["change"]["members"] == ["C1", "C2"] and add.target == arena.spaces["Leadership 1"]
    assert (archive.target, archive.payload["change"]["action"]) == (space, "archive")
    assert await sent_to(app, space, kind="welcome") == []
    async with app.uow() as uow:
        merged = (await uow.session.exec(select(Circle).where(Circle.id == two))).one()
    assert merged.space == space
