"""Mentoring next time and new matches: invited once, by the next fitting program that enrolls, never the old one;
and two presses of "stay in touch" that could not see each other are put in touch by the planner."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.i18n import translate
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from storage.tables import (
    Delivery,
    Enrollment,
    ModeratorMode,
    Participation,
    Program,
    ProgramFormat,
    ProgramState,
)
from tests.alumni.world import World, build, choices, choose, dms, plan
from tests.helpers import form_of, press, text_of


async def new_program(app: App, world: World, name: str, *, state: str = ProgramState.ENROLLING,
                      **fields: object) -> int:
    async with app.uow() as uow:
        program = Program(workspace_id=world.workspace_id, name=name, slug=name.lower().replace(" ", "-"),
                          state=state, created_at=app.services.clock.now())
        for name_of_field, value in fields.items():
            setattr(program, name_of_field, value)
        uow.programs.add(program)
        await uow.commit()
        return program.id or 0


async def set_state(app: App, world: World, program_id: int, state: str) -> None:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=world.workspace_id, program_id=program_id)
        assert program is not None
        program.state = state
        uow.programs.add(program)
        await uow.commit()


async def invitations(app: App, user: str) -> list[tuple[str, tuple[str, ...]]]:
    """(text, button action ids) of the next-cohort invitations queued for a user."""
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(col(Delivery.key).startswith("next-cohort:"),
                                                              col(Delivery.target).endswith(f":user:{user}"))
                                       .order_by(col(Delivery.id)))).all()
    found = []
    for row in rows:
        message = decode(row.payload)
        buttons = tuple(b.action_id for block in message.blocks if isinstance(block, Buttons) for b in block.buttons)
        found.append((message.text.splitlines()[0], buttons))
    return found


async def test_the_next_fitting_program_invites_each_of_them_once(app: App) -> None:
    world = await build(app)
    pairs, circles = world.programs["pairs"], world.programs["circles"]
    await choose(app, "M1", pairs, "mentor_next")
    await choose(app, "M2", pairs, "new_match")
    await choose(app, "U1", circles, "mentor_next")
    draft = await new_program(app, world, "Mentoring 2026", state=ProgramState.DRAFT, format=ProgramFormat.ONE_ON_ONE)
    await plan(app)
    assert [await invitations(app, u) for u in ("M1", "M2", "U1")] == [[], [], []]  # not enrolling yet

    await set_state(app, world, draft, ProgramState.ENROLLING)
    await plan(app)
    await plan(app)
    join = (f"join:{draft}",)
    mentor = translate("alumni.invite.mentor", "en", program="Mentoring 2026", origin="Pairs 2025")
    assert await invitations(app, "M1") == [(mentor, join)]
    match = translate("alumni.invite.new_match", "en", program="Mentoring 2026", origin="Pairs 2025")
    assert await invitations(app, "M2") == [(match, join)]
    circle_mentor = translate("alumni.invite.mentor", "en", program="Mentoring 2026", origin="Circles 2025")
    assert await invitations(app, "U1") == [(circle_mentor, join)]
    assert all(used for *_, used in await choices(app))

    # A later program invites no one again: each wish was answered once.
    await new_program(app, world, "Circles 2026")
    await plan(app)
    assert [len(await invitations(app, u)) for u in ("M1", "M2", "U1")] == [1, 1, 1]
    # The Join button is the enrollment's own, and opens its questionnaire.
    assert form_of(await press(app, "M2", f"join:{draft}")).form.state == f"join:{draft}"


async def test_a_circles_program_invites_mentors_as_moderators_and_keeps_new_matches_waiting(app: App) -> None:
    world = await build(app)
    await choose(app, "M1", world.programs["pairs"], "mentor_next")
    await choose(app, "M2", world.programs["pairs"], "new_match")
    await new_program(app, world, "No Moderators", moderator_mode=ModeratorMode.NONE)
    await new_program(app, world, "By Invitation", participation=Participation.INVITATION,
                      format=ProgramFormat.PEER)
    await plan(app)
    assert await invitations(app, "M1") == [] and await invitations(app, "M2") == []
    circles = await new_program(app, world, "Circles 2026")
    await plan(app)
    moderator = translate("alumni.invite.moderator", "en", program="Circles 2026", origin="Pairs 2025")
    assert await invitations(app, "M1") == [(moderator, (f"join:{circles}",))]
    assert await invitations(app, "M2") == []  # a circles program has no matches
    assert [c[2:] for c in await choices(app)] == [("mentor_next", True), ("new_match", False)]
    peer = await new_program(app, world, "Peer 2026", format=ProgramFormat.PEER)
    await plan(app)
    assert [buttons for _, buttons in await invitations(app, "M2")] == [(f"join:{peer}",)]


async def test_never_for_the_program_they_came_from_nor_for_one_they_are_in(app: App) -> None:
    world = await build(app)
    pairs = world.programs["pairs"]
    await choose(app, "M1", pairs, "mentor_next")
    await choose(app, "M2", pairs, "new_match")
    await set_state(app, world, pairs, ProgramState.ENROLLING)  # reopened (by hand): still not a next cohort
    await plan(app)
    assert await invitations(app, "M1") == [] and await invitations(app, "M2") == []
    assert [used for *_, used in await choices(app)] == [False, False]
    await set_state(app, world, pairs, ProgramState.CLOSED)
    later = await new_program(app, world, "Mentoring 2026", format=ProgramFormat.REVERSE)
    async with app.uow() as uow:  # M2 found it on their own first
        uow.enrollments.add(Enrollment(workspace_id=world.workspace_id, program_id=later,
                                       member_id=world.members["M2"], joined_at=app.services.clock.now()))
        await uow.commit()
    await plan(app)
    assert len(await invitations(app, "M1")) == 1 and await invitations(app, "M2") == []
    assert [used for *_, used in await choices(app)] == [True, True]


async def test_the_invitation_speaks_the_members_language(app: App) -> None:
    world = await build(app)
    async with app.uow() as uow:
        member = await uow.members.get(workspace_id=world.workspace_id, member_id=world.members["M2"])
        assert member is not None
        member.locale = "id"
        uow.members.add(member)
        await uow.commit()
    await choose(app, "M2", world.programs["pairs"], "new_match", locale="id")
    await new_program(app, world, "Mentoring 2026", format=ProgramFormat.ONE_ON_ONE)
    await plan(app)
    text = translate("alumni.invite.new_match", "id", program="Mentoring 2026", origin="Pairs 2025")
    assert [t for t, _ in await invitations(app, "M2")] == [text]
    assert "Pendaftaran" in text


@pytest.mark.parametrize("program", ["circles", "pairs"])
async def test_choices_that_could_not_see_each_other_are_put_in_touch_by_the_planner(app: App, program: str) -> None:
    """Two presses at the same moment each commit without the other: the planner tells both, once."""
    world = await build(app)
    a, b = ("U1", "U2") if program == "circles" else ("M1", "M2")
    now = app.services.clock.now()
    async with app.uow() as uow:
        for user in (a, b):
            await uow.closing.choose(workspace_id=world.workspace_id, program_id=world.programs[program],
                                     member_id=world.members[user], choice="stay_in_touch", now=now)
        await uow.commit()
    await plan(app)
    await plan(app)
    name = "Circles 2025" if program == "circles" else "Pairs 2025"
    names = {"U1": "Ayu", "U2": "Budi", "M1": "Hana", "M2": "Indra"}
    assert await dms(app, a) == [translate("alumni.stay.too", "en", name=names[b], program=name)]
    assert await dms(app, b) == [translate("alumni.stay.too", "en", name=names[a], program=name)]
    assert all(used for *_, used in await choices(app))


async def test_the_planner_repeats_nothing_the_presses_already_said(app: App) -> None:
    world = await build(app)
    circles = world.programs["circles"]
    await choose(app, "U1", circles, "stay_in_touch")
    assert "Ayu" in text_of(await choose(app, "U2", circles, "stay_in_touch"))
    await plan(app)
    assert await dms(app, "U1") == [translate("alumni.stay.too", "en", name="Budi", program="Circles 2025")]
    assert await dms(app, "U2") == []
