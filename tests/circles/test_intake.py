"""Late joiners in a running circle program: placed where their theme and working hours fit, or waiting in line,
placed when a place frees up, and never more than the maximum when two take the last place at once."""

from __future__ import annotations

import asyncio

from adapters.bootstrap import App
from bot.circles.fit import Newcomer, Opening, best_fits
from storage.tables import CircleMember
from tests.circles.intake_world import (
    NEW_YORK,
    dm_target,
    join_late,
    leave_circle,
    placed_in,
    running_program,
    sent_to,
    sizes,
    space_changes,
    voted,
)
from tests.circles.world import Person
from tests.helpers import PROFILE, actor, form_of, member_id, plan, say, submit, text_of

DAY = frozenset(range(1, 10))  # 08:00-17:00 in Jakarta, in UTC hours


def test_best_fits_ranks_theme_then_hours_then_size_and_says_why_none_fits() -> None:
    openings = [Opening(1, theme_id=10, size=3, shared=frozenset({2, 3}), departments=frozenset({"A"})),
                Opening(2, theme_id=20, size=2, shared=frozenset({2, 3, 4}), departments=frozenset({"A"})),
                Opening(3, theme_id=20, size=3, shared=frozenset({3, 4, 5, 6}), departments=frozenset({"B"})),
                Opening(4, theme_id=30, size=4, shared=DAY, departments=frozenset({"C"}))]
    fits, reason = best_fits(Newcomer((20, 10), DAY, "A"), openings, size_max=4, meeting_hour=3)
    assert reason == "" and [f.opening.circle_id for f in fits] == [3, 2, 1]  # theme 20 first, most hours first
    assert fits[0].code == "first_choice" and fits[-1].code == "second_choice"
    # Themes that have no circle do not count: a member whose themes all dropped goes where there is room.
    fits, _ = best_fits(Newcomer((99,), DAY, "A"), openings, size_max=4, meeting_hour=3)
    assert {f.code for f in fits} == {"themes_dropped"} and 4 not in {f.opening.circle_id for f in fits}
    assert best_fits(Newcomer((), DAY, "A"), openings, size_max=4, meeting_hour=3)[0][0].code == "no_preference"
    assert best_fits(Newcomer((30,), DAY, "A"), openings, size_max=4, meeting_hour=3) == ([], "theme")
    assert best_fits(Newcomer((20,), frozenset({12, 13}), "A"), openings, size_max=4, meeting_hour=3) == ([], "hours")
    assert best_fits(Newcomer((20,), DAY, "A"), openings, size_max=2, meeting_hour=3) == ([], "full")


async def test_a_late_joiner_goes_where_their_theme_and_hours_fit(app: App) -> None:
    arena = await running_program(app, circles={
        "Leadership 1": [Person("A1"), Person("A2"), Person("A3")],
        "Feedback 1": [Person("B1"), Person("B2"), Person("B3")]})
    await voted(app, arena, "N1", ["Feedback"])
    reply = await join_late(app, arena, "N1")
    assert "You're in Feedback 1" in reply
    assert await placed_in(app, arena, "N1") == "Feedback 1"
    [dm] = await sent_to(app, dm_target("N1"), kind="dm")
    assert "You're in Feedback 1, a circle of Program growth: Feedback was your first choice" in dm
    assert "Moderator: Name B1" in dm and "Next session: Wed, 7 Jan 2026, 10:00" in dm
    assert "https://meet.example/abc" in dm
    welcome = await sent_to(app, arena.spaces["Feedback 1"], kind="announcement")
    assert welcome == ["Please welcome N1, who joins Feedback 1 today."]
    [change] = await space_changes(app)
    assert change.target == arena.spaces["Feedback 1"] and change.payload["change"] == {
        "action": "add", "members": ["N1"]}
    # Outside working hours: the circles meet at 03:00 UTC, night in New York. An honest wait, first in line.
    await voted(app, arena, "N2", ["Feedback"])
    waiting = await join_late(app, arena, "N2", **NEW_YORK)
    assert "outside your working hours (09:00-17:00)" in waiting and "number 1 in line" in waiting
    assert "Tue, 6 Jan 2026, 22:00" in waiting  # the meeting in their own time (10:00 in Jakarta)
    assert await placed_in(app, arena, "N2") is None
    info = text_of(await say(app, "N2", "circle info"))  # not "circles are formed when enrollment closes"
    assert "waiting for a place, number 1 in line" in info
    # No preference: wherever there is room (Feedback is full now).
    assert "You're in Leadership 1" in await join_late(app, arena, "N3")
    async with app.uow() as uow:
        [row] = await uow.circles.membership_of(workspace_id=1, member_id=await member_id(app, "N3"))
    assert row.why["code"] == "no_preference" and row.why["late"] is True
    assert await sizes(app, arena) == {"Leadership 1": 4, "Feedback 1": 4}


async def test_waiting_members_take_places_that_free_up_longest_waiting_first(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person(f"A{i}") for i in range(1, 5)]})
    first = await join_late(app, arena, "N1")
    assert "every circle is full" in first and "number 1 in line" in first
    second = await join_late(app, arena, "N2", locale="id")
    assert "semua lingkaran sudah penuh" in second and "urutan kedua dalam antrean" in second
    home = await app.core.home(actor("N2", locale="id"))
    assert "Program growth: menunggu tempat (urutan kedua dalam antrean)" in home.text
    await leave_circle(app, "A2")
    assert await placed_in(app, arena, "N1") == "Leadership 1" and await placed_in(app, arena, "N2") is None
    assert any("You're in Leadership 1" in text for text in await sent_to(app, dm_target("N1"), kind="dm"))
    posts = await sent_to(app, arena.spaces["Leadership 1"], kind="announcement")
    assert posts == ["A member has left the circle. The rest of you carry on as planned.",
                     "Please welcome N1, who joins Leadership 1 today."]
    # Leaving the program frees a place too; the next in line takes it, in their language.
    opened = form_of(await say(app, "A3", "leave"))
    await submit(app, "A3", opened.form.form_id, {"reason": ""}, state=opened.form.state)
    # A2 left their circle but stays in the program: they chose to, and are not put back in line.
    assert await placed_in(app, arena, "N2") == "Leadership 1" and await placed_in(app, arena, "A2") is None
    assert any("Anda kini anggota Leadership 1" in text for text in await sent_to(app, dm_target("N2"), kind="dm"))
    assert await sizes(app, arena) == {"Leadership 1": 4}


async def test_two_late_joiners_racing_for_the_last_place_leave_the_circle_at_its_maximum(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person("A1"), Person("A2"), Person("A3")]})
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=arena.program_id)
    assert program is not None
    forms = {user: form_of(await say(app, user, f"join {program.slug}")).form for user in ("N1", "N2")}
    replies = await asyncio.gather(*(submit(app, user, "profile", dict(PROFILE), state=form.state)
                                     for user, form in forms.items()))
    texts = sorted(text_of(r) for r in replies)
    assert sum("You're in Leadership 1" in t for t in texts) == 1, texts
    assert sum("number 1 in line" in t for t in texts) == 1, texts
    assert await sizes(app, arena) == {"Leadership 1": 4}
    async with app.uow() as uow:
        rows = await uow.circles.of_program_members(workspace_id=1, program_id=arena.program_id)
    assert len(rows) == 4 and all(isinstance(r, CircleMember) for r in rows)


async def test_a_place_that_opens_without_anyone_leaving_goes_to_the_waiting_on_the_next_tick(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person(f"A{i}") for i in range(1, 5)]})
    assert "number 1 in line" in await join_late(app, arena, "N1")
    await plan(app.uow, now=app.services.clock.now(), config=app.services.config)
    assert await placed_in(app, arena, "N1") is None  # still no room: the planner's two counts say so
    async with app.uow() as uow:  # what `program edit` does when an admin raises the maximum
        program = await uow.programs.get(workspace_id=1, program_id=arena.program_id)
        assert program is not None
        program.size_max = 5
        uow.programs.add(program)
        await uow.commit()
    await plan(app.uow, now=app.services.clock.now(), config=app.services.config)
    await plan(app.uow, now=app.services.clock.now(), config=app.services.config)  # twice: placed once
    assert await placed_in(app, arena, "N1") == "Leadership 1" and await sizes(app, arena) == {"Leadership 1": 5}
    assert sum("You're in Leadership 1" in t for t in await sent_to(app, dm_target("N1"), kind="dm")) == 1
