"""The `next` buttons checked as attacker-typed input, and what mentoring next time, a new match and staying in
touch do: recorded once, told only to whom they concern."""

from __future__ import annotations

import pytest

from adapters.bootstrap import App
from bot.kernel.events import Action, Command
from bot.kernel.i18n import translate
from bot.privacy.commands import my_data
from storage.tables import EnrollmentStatus
from tests.alumni.world import NAMES, build, choices, choose, dms
from tests.helpers import actor, text_of

STALE = translate("errors.stale_action", "en")
GARBAGE = ["", "abc", "7", "7:", ":alumni", "7:ALUMNI", "7:alumni:x", "7:vip", "-1:alumni", "²:alumni",
           "99999999999:alumni", "1;DROP TABLE program:alumni", "7\n:alumni"]


async def test_ids_and_choices_a_client_made_up_change_nothing(app: App) -> None:
    world = await build(app)
    other = await build(app, workspace="W2")
    for arg in GARBAGE:
        assert text_of(await app.core.handle(Action(actor("U1"), f"next:{arg}"))) == STALE, arg
    # Another workspace's program, and a program that exists nowhere, read the same.
    assert text_of(await choose(app, "U1", other.programs["circles"], "alumni")) == STALE
    assert text_of(await choose(app, "U1", 2147483000, "alumni")) == STALE
    assert text_of(await choose(app, "U1", world.programs["circles"], "alumni", workspace="W2")) == STALE
    assert await choices(app) == []


async def test_refusals_say_why(app: App) -> None:
    world = await build(app)
    running = await build(app, workspace="W3", state="running")
    circles, pairs = world.programs["circles"], world.programs["pairs"]
    cases = [
        ("U1", running.programs["circles"], "alumni", "alumni.not_ended", "W3"),
        ("U9", circles, "alumni", "alumni.not_enrolled", "W1"),  # never enrolled
        ("U6", circles, "mentor_next", "alumni.not_enrolled", "W1"),  # invited, never said yes
        ("U7", circles, "alumni", "alumni.not_enrolled", "W1"),  # declined the invitation
        ("U1", circles, "new_match", "alumni.no_new_match", "W1"),  # a circles program has no matches
        ("U5", circles, "stay_in_touch", "alumni.no_group", "W1"),  # enrolled, never in a circle
        ("M3", pairs, "stay_in_touch", "alumni.no_group", "W1"),  # never matched
    ]
    for user, program, choice, key, workspace in cases:
        name = "Circles 2025" if program in (circles, running.programs["circles"]) else "Pairs 2025"
        for locale in ("en", "id"):
            shown = text_of(await choose(app, user, program, choice, locale=locale, workspace=workspace))
            assert shown == translate(key, locale, program=name), (user, choice, locale)
    assert await choices(app) == []


async def test_left_members_may_still_choose(app: App) -> None:
    world = await build(app)
    async with app.uow() as uow:
        enrollment = await uow.enrollments.get(workspace_id=world.workspace_id, program_id=world.programs["circles"],
                                               member_id=world.members["U4"])
        assert enrollment is not None
        enrollment.status = EnrollmentStatus.LEFT
        uow.enrollments.add(enrollment)
        await uow.commit()
    reply = text_of(await choose(app, "U4", world.programs["circles"], "mentor_next"))
    assert reply == translate("alumni.mentor_next.noted", "en", program="Circles 2025")


@pytest.mark.parametrize("locale", ["en", "id"])
async def test_mentor_next_and_new_match_tell_what_will_happen(app: App, locale: str) -> None:
    world = await build(app)
    pairs = world.programs["pairs"]
    mentor = text_of(await choose(app, "M1", pairs, "mentor_next", locale=locale))
    assert mentor == translate("alumni.mentor_next.noted", locale, program="Pairs 2025")
    match = text_of(await choose(app, "M2", pairs, "new_match", locale=locale))
    assert match == translate("alumni.new_match.noted", locale, program="Pairs 2025")
    assert await choices(app) == [(pairs, world.members["M1"], "mentor_next", False),
                                  (pairs, world.members["M2"], "new_match", False)]
    assert await dms(app, "M1") == [] and await dms(app, "M2") == []  # nothing until a next program opens


async def test_stay_in_touch_is_shared_only_between_those_who_chose_it(app: App) -> None:
    world = await build(app)
    circles = world.programs["circles"]
    first = text_of(await choose(app, "U1", circles, "stay_in_touch"))
    assert first == translate("alumni.stay.noted", "en", program="Circles 2025")
    assert await dms(app, "U1") == []
    second = text_of(await choose(app, "U3", circles, "stay_in_touch", locale="id"))
    assert second == translate("alumni.stay.together", "id", program="Circles 2025", names="Ayu")
    third = text_of(await choose(app, "U4", circles, "stay_in_touch"))
    assert third == translate("alumni.stay.together", "en", program="Circles 2025", names="Ayu, Citra")
    too = [translate("alumni.stay.too", "en", name=NAMES[u], program="Circles 2025") for u in ("U3", "U4")]
    assert await dms(app, "U1") == too
    assert await dms(app, "U3") == [translate("alumni.stay.too", "en", name="Dimas", program="Circles 2025")]
    assert await dms(app, "U4") == []  # they read it in the reply
    # The circle member who did not choose it, an enrolled bystander and the admins learn nothing.
    for user in ("U2", "U5", "UADMIN"):
        assert await dms(app, user, kinds=None) == [], user
    shown = text_of(await app.core.handle(Command(actor("UADMIN"), "program show circles-2025")))
    assert "Circles 2025" in shown and "Ayu" not in shown and "stay" not in shown.lower()


async def test_a_pair_stays_in_touch_when_both_choose_it(app: App) -> None:
    world = await build(app)
    pairs = world.programs["pairs"]
    assert text_of(await choose(app, "M2", pairs, "stay_in_touch")) == translate(
        "alumni.stay.noted", "en", program="Pairs 2025")
    assert text_of(await choose(app, "M1", pairs, "stay_in_touch")) == translate(
        "alumni.stay.together", "en", program="Pairs 2025", names="Indra")
    assert await dms(app, "M2") == [translate("alumni.stay.too", "en", name="Hana", program="Pairs 2025")]
    assert await dms(app, "M3") == []


async def test_my_data_shows_the_choices_and_forget_me_deletes_them(app: App) -> None:
    world = await build(app)
    await choose(app, "U1", world.programs["circles"], "mentor_next")
    await choose(app, "U1", world.programs["circles"], "stay_in_touch")
    await choose(app, "U2", world.programs["circles"], "mentor_next")
    async with app.uow() as uow:
        member = await uow.members.get(workspace_id=world.workspace_id, member_id=world.members["U1"])
        assert member is not None
        data = await my_data(uow, member, now=app.services.clock.now())
    assert sorted(row["choice"] for row in data["what_next"]) == ["mentor_next", "stay_in_touch"]
    await app.core.handle(Action(actor("U1"), f"forget.confirm:{world.members['U1']}"))
    assert [(member, choice) for _, member, choice, _ in await choices(app)] == [(world.members["U2"], "mentor_next")]
