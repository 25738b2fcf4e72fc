"""The alumni circle: one space per program, opened for its first member, joined by the rest, whatever the timing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import translate
from bot.kernel.ports import DeliveryError
from storage.tables import DeliveryStatus, ProgramState
from tests.alumni.world import build, choices, choose, deliver, deliveries, dms, tick
from tests.helpers import text_of

SPACE = "circles-2025-alumni"


async def test_first_member_opens_the_space_and_later_ones_are_added(app: App, local: LocalMessenger) -> None:
    world = await build(app)
    circles = world.programs["circles"]
    first = text_of(await choose(app, "U1", circles, "alumni"))
    assert first == translate("alumni.joined", "en", program="Circles 2025", space=SPACE)
    assert local.spaces == {SPACE: ["U1"]}  # opened right after the commit, for the first member only
    await tick(app)
    welcome = local.to(SPACE)
    assert [m.text for m in welcome] == [translate("alumni.welcome", "en", program="Circles 2025")]

    # Later members (from the circle or not, even one who was never in a circle) are added to the same space.
    for user in ("U3", "U5"):
        assert SPACE in text_of(await choose(app, user, circles, "alumni"))
    await deliver(app)
    assert local.spaces == {SPACE: ["U1", "U3", "U5"]}
    assert len(await deliveries(app, kinds=("space",))) == 1
    await tick(app)
    assert len(local.to(SPACE)) == 1  # welcomed once
    assert all(used for *_, used in await choices(app))


async def test_the_space_is_named_in_the_members_language(app: App, local: LocalMessenger) -> None:
    world = await build(app)
    reply = text_of(await choose(app, "U2", world.programs["circles"], "alumni", locale="id"))
    assert reply == translate("alumni.joined", "id", program="Circles 2025", space=SPACE)
    assert "lingkaran alumni" in reply


async def test_a_double_press_is_one_choice_and_a_kind_word(app: App, local: LocalMessenger) -> None:
    world = await build(app)
    await choose(app, "U1", world.programs["circles"], "alumni")
    again = text_of(await choose(app, "U1", world.programs["circles"], "alumni"))
    assert again.startswith(translate("alumni.already", "en", program="Circles 2025"))
    assert SPACE in again
    assert len(await choices(app)) == 1
    assert local.spaces == {SPACE: ["U1"]}


async def test_concurrent_presses_make_one_row_and_one_space(app: App, local: LocalMessenger) -> None:
    world = await build(app)
    circles = world.programs["circles"]
    same = await asyncio.gather(*(choose(app, "U1", circles, "alumni") for _ in range(3)))
    assert sorted(text_of(r).startswith(translate("alumni.already", "en", program="Circles 2025"))
                  for r in same) == [False, True, True]
    assert len(await choices(app)) == 1
    # Several first joiners at once (the space not yet open for anyone else): one space, nobody lost.
    others = await asyncio.gather(*(choose(app, u, circles, "alumni") for u in ("U2", "U3", "U4", "U5")))
    assert all(SPACE in text_of(r) for r in others)
    for _ in range(2):
        await tick(app)
    assert list(local.spaces) == [SPACE]
    assert sorted(local.spaces[SPACE]) == ["U1", "U2", "U3", "U4", "U5"]
    assert len(await deliveries(app, kinds=("space",))) == 1
    assert len(await choices(app)) == 5


async def test_members_choosing_while_the_space_is_being_opened_are_added_once_it_is(
        app: App, local: LocalMessenger, clock: ManualClock) -> None:
    """The platform is down at the first press: the opening waits for the deliverer, later choosers for it."""
    world = await build(app)
    circles = world.programs["circles"]
    opened = local.open_space

    async def down(**kwargs: object) -> object:
        raise DeliveryError("platform down")

    local.open_space = down  # type: ignore[method-assign, assignment]
    await choose(app, "U1", circles, "alumni")
    await choose(app, "U2", circles, "alumni")
    assert local.spaces == {}
    local.open_space = opened  # type: ignore[method-assign]
    clock.advance(timedelta(minutes=5))
    await tick(app)  # the deliverer opens it (for U1), then the next plan adds U2
    await tick(app)
    assert local.spaces == {SPACE: ["U1", "U2"]}
    assert len(local.to(SPACE)) == 1


async def test_a_space_the_platform_refuses_is_told_to_the_admins_once(app: App, local: LocalMessenger) -> None:
    world = await build(app)
    circles = world.programs["circles"]

    async def refused(**kwargs: object) -> object:
        raise DeliveryError("missing_scope", permanent=True)

    local.open_space = refused  # type: ignore[method-assign, assignment]
    await choose(app, "U1", circles, "alumni")
    assert [d.status for d in await deliveries(app, kinds=("space",))] == [DeliveryStatus.FAILED]
    later = text_of(await choose(app, "U2", circles, "alumni"))
    assert later == translate("alumni.joined_later", "en", program="Circles 2025")
    for _ in range(3):
        await tick(app)
    refusal = translate("alumni.space_failed", "en", program="Circles 2025", cause="DeliveryError: missing_scope")
    assert [t for t in await dms(app, "UADMIN", kinds=("admin",)) if t == refusal] == [refusal]
    assert local.spaces == {}


@pytest.mark.parametrize("state", [ProgramState.CLOSING, ProgramState.CLOSED])
async def test_both_ends_of_the_closing_phase_take_alumni(app: App, local: LocalMessenger, state: str) -> None:
    world = await build(app, state=state)
    await choose(app, "M2", world.programs["pairs"], "alumni")
    await tick(app)
    assert local.spaces == {"pairs-2025-alumni": ["M2"]}
