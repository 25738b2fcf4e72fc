"""`circle add` and `circle merge` for admins: refusals that say what to do, ids typed or forged by anyone, the
circles told, and the space changes queued for the deliverer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.messages import Buttons
from bot.kernel.replies import Reply, UpdateSource
from storage.tables import CircleStatus
from tests.circles.intake_world import (
    FIRST_SESSION,
    NEW_YORK,
    dm_target,
    enrolled_without_circle,
    placed_in,
    running_program,
    sent_to,
    sizes,
    space_changes,
)
from tests.circles.world import Person
from tests.helpers import plan, press, say, text_of

ADMIN_ONLY = "Only Lingkar admins can do that"
STALE = "That button or form is out of date"


async def test_circle_add_places_an_enrolled_member_and_refuses_clearly(app: App) -> None:
    arena = await running_program(app, circles={
        "Leadership 1": [Person("A1"), Person("A2")],
        "Feedback 1": [Person("B1"), Person("B2"), Person("B3"), Person("B4")]})
    lead, feedback = arena.circles["Leadership 1"], arena.circles["Feedback 1"]
    await enrolled_without_circle(app, arena, Person("W1", timezone=NEW_YORK["timezone"]))  # never fits the hours
    foreign = await running_program(app, circles={"Other 1": [Person("X1")]}, slug="elsewhere", workspace="W2")
    assert ADMIN_ONLY in text_of(await say(app, "A1", f"circle add <@W1> {lead}"))
    assert "Type `circle add @person <circle number>`" in text_of(await say(app, "UADMIN", f"circle add {lead}"))
    for forged in ("999999", "abc", str(foreign.circles["Other 1"]), "99999999999999999999"):
        assert "There is no active circle" in text_of(await say(app, "UADMIN", f"circle add <@W1> {forged}"))
    stranger = text_of(await say(app, "UADMIN", f"circle add <@STRANGER> {lead}"))
    assert "<@STRANGER> is not enrolled in Program growth" in stranger and "`program invite growth @person`" in stranger
    full = text_of(await say(app, "UADMIN", f"circle add <@W1> {feedback}"))
    assert "Feedback 1 is full: it has the program's maximum of 4 members" in full
    added = text_of(await say(app, "UADMIN", f"circle add <@W1> {lead}"))
    assert "Name W1 is now in Leadership 1 (3 of 4 members)" in added
    assert await placed_in(app, arena, "W1") == "Leadership 1"
    [dm] = await sent_to(app, dm_target("W1"), kind="dm")
    assert "an organiser placed you in Leadership" in dm and "Moderator: Name A1" in dm
    assert "Please welcome Name W1" in (await sent_to(app, arena.spaces["Leadership 1"], kind="announcement"))[0]
    assert "already in Leadership 1" in text_of(await say(app, "UADMIN", f"circle add <@W1> {lead}"))
    # Someone in another circle is moved only when the admin says so.
    elsewhere = text_of(await say(app, "UADMIN", f"circle add <@B2> {lead}"))
    assert "Name B2 is in Feedback 1, another circle of this program" in elsewhere
    assert f"`circle add <@B2> {lead} move`" in elsewhere and await placed_in(app, arena, "B2") == "Feedback 1"
    moved = text_of(await say(app, "UADMIN", f"lingkaran tambah <@B2> {lead} pindah", locale="id"))
    assert "Name B2 dipindahkan dari Feedback 1 ke Leadership 1 (4 dari 4 anggota)" in moved
    assert await sizes(app, arena) == {"Leadership 1": 4, "Feedback 1": 3}
    assert "A member has left" in (await sent_to(app, arena.spaces["Feedback 1"], kind="announcement"))[-1]
    assert [(c.target, c.payload["change"]["members"]) for c in await space_changes(app)] == [
        (arena.spaces["Leadership 1"], ["W1"]), (arena.spaces["Leadership 1"], ["B2"])]


async def test_circle_merge_previews_then_moves_everyone_and_archives_the_old_channel(
        app: App, clock: ManualClock) -> None:
    arena = await running_program(app, circles={
        "Leadership 1": [Person("A1"), Person("A2")], "Leadership 2": [Person("C1"), Person("C2")],
        "Feedback 1": [Person("B1"), Person("B2"), Person("B3")]})
    other = await running_program(app, circles={"Other 1": [Person("X1")]}, slug="second")
    one, two, feedback = (arena.circles[n] for n in ("Leadership 1", "Leadership 2", "Feedback 1"))
    [preview] = await say(app, "UADMIN", f"circle merge {one} {two}")
    assert isinstance(preview, Reply)
    assert "These members move to Leadership 1: Name C1, Name C2. Leadership 1 will have 4 members" in (
        preview.message.text)
    [buttons] = [b for b in preview.message.blocks if isinstance(b, Buttons)]
    assert buttons.buttons[0].action_id == f"circle.merge:{one}.{two}"
    assert "more than the program's maximum of 4" in text_of(await say(app, "UADMIN", f"circle merge {one} {feedback}"))
    assert "the same circle" in text_of(await say(app, "UADMIN", f"circle merge {one} {one}"))
    assert "Type `circle merge" in text_of(await say(app, "UADMIN", f"circle merge {one}"))
    # The button is typed by an attacker: the role, the ids and the circles are all checked again.
    assert ADMIN_ONLY in text_of(await press(app, "A1", f"circle.merge:{one}.{two}"))
    assert STALE in text_of(await press(app, "UADMIN", "circle.merge:x.y"))
    assert STALE in text_of(await press(app, "UADMIN", f"circle.merge:{one}"))
    assert "different programs" in text_of(await press(app, "UADMIN", f"circle.merge:{one}.{other.circles['Other 1']}"))
    assert STALE in text_of(await press(app, "UADMIN", f"circle.merge:{one}.424242"))
    assert await sizes(app, arena) == {"Leadership 1": 2, "Leadership 2": 2, "Feedback 1": 3}
    [done] = await press(app, "UADMIN", f"circle.merge:{one}.{two}")
    assert isinstance(done, UpdateSource)
    assert "Leadership 2 merged into Leadership 1: 2 members moved, and Leadership 1 now has 4 members" in (
        done.message.text)
    assert [await placed_in(app, arena, u) for u in ("A1", "A2", "C1", "C2")] == ["Leadership 1"] * 4
    async with app.uow() as uow:
        merged = await uow.circles.get(workspace_id=1, circle_id=two)
        kept = await uow.circles.get(workspace_id=1, circle_id=one)
    assert merged is not None and merged.status == CircleStatus.CLOSED
    assert kept is not None and kept.moderator_member_id == arena.members["A1"]  # a's moderator stays
    farewell = await sent_to(app, arena.spaces["Leadership 2"], kind="announcement")
    assert farewell == ["Leadership 2 has merged into Leadership 1. You've been added to Leadership 1's channel, "
                        "where your sessions go on; this channel will be archived and stays readable."]
    assert "Name C1, Name C2 join Leadership 1 from Leadership 2" in (
        await sent_to(app, arena.spaces["Leadership 1"], kind="announcement"))[0]
    add, archive = await space_changes(app)
    assert (add.target, add.payload["change"]) == (arena.spaces["Leadership 1"], {"action": "add",
                                                                                  "members": ["C1", "C2"]})
    assert (archive.target, archive.payload["change"]["action"]) == (arena.spaces["Leadership 2"], "archive")
    assert archive.due_at > clock.now()  # after the farewell has been read
    assert STALE in text_of(await press(app, "UADMIN", f"circle.merge:{one}.{two}"))  # the circle merged away
    # The merged circle's sessions go on in the first circle only.
    clock.set(FIRST_SESSION - timedelta(hours=20))
    await plan(app.uow, now=clock.now(), config=app.services.config)
    prompted = {target for target in (arena.spaces["Leadership 1"], arena.spaces["Leadership 2"])
                if await sent_to(app, target, kind="prompt")}
    assert prompted == {arena.spaces["Leadership 1"]}


async def test_two_admins_adding_into_the_last_place_at_once_leave_the_circle_at_its_maximum(app: App) -> None:
    arena = await running_program(app, circles={"Leadership 1": [Person("A1"), Person("A2"), Person("A3")]})
    for user in ("W1", "W2"):
        await enrolled_without_circle(app, arena, Person(user, timezone=NEW_YORK["timezone"]))
    async with app.uow() as uow:  # a second admin, so the two commands share no row but the circle's
        await uow.admins.add(workspace_id=1, user_external_id="UHR", added_by="UADMIN", now=app.services.clock.now())
        await uow.commit()
    for admin in ("UADMIN", "UHR"):
        await say(app, admin, "help")  # both known already: their own rows are not written in the race below
    lead = arena.circles["Leadership 1"]
    answers = await asyncio.gather(*(say(app, admin, f"circle add <@{user}> {lead}")
                                     for admin, user in (("UADMIN", "W1"), ("UHR", "W2"))))
    texts = [text_of(a) for a in answers]
    assert sum("is now in Leadership 1 (4 of 4 members)" in t for t in texts) == 1, texts
    assert sum("Leadership 1 is full" in t for t in texts) == 1, texts
    assert await sizes(app, arena) == {"Leadership 1": 4}
