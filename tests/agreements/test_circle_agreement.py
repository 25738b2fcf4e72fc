"""A circle's agreement needs every active member; confirmations at the same moment count once and apply once; the
first session brings an invitation to record one."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from bot.kernel.replies import Reply
from storage.tables import AgreementStatus, Circle, CircleMember, CircleMemberStatus
from tests.agreements.support import (
    FRIDAY_LONDON,
    agreement_messages,
    buttons_of,
    confirm_button,
    confirmations,
    propose,
    schedule_of,
    versions,
)
from tests.circles.world import Person, World, build_circle
from tests.conftest import START
from tests.helpers import form_of, plan, press, say, submit, text_of

PEOPLE = [Person("U1"), Person("U2", timezone="Europe/London"), Person("U3", locale="id"), Person("U4"),
          Person("U5")]


async def _circle(app: App) -> World:
    """Five placed, U1 moderating; U5 has left since, so four confirm. The first session: Wednesday 7 January."""
    world = await build_circle(app, slug="lead", timezone="Asia/Jakarta", weekday=2, at="10:00",
                               start=date(2026, 1, 5), people=PEOPLE, moderator="U1")
    async with app.uow() as uow:
        rows = await uow.circles.memberships(circle_id=world.circle_id)
        gone: CircleMember = next(r for r in rows if r.member_id == world.members["U5"])
        gone.status = CircleMemberStatus.LEFT
        uow.session.add(gone)
        await uow.commit()
    return world


async def test_a_circle_of_four_needs_all_four_and_who_left_is_not_asked(app: App) -> None:
    world = await _circle(app)
    reply = text_of(await propose(app, "U1", FRIDAY_LONDON, where=world.space))  # typed in the circle's channel
    assert "Name U2, Name U3, Name U4 will be asked" in reply, reply
    asked = {d.target.rsplit(":", 1)[1] for d in await agreement_messages(app)}
    assert asked == {"U2", "U3", "U4"}  # U5 left the circle: not asked, not needed
    # U3 reads Bahasa Indonesia; U2 sees the times in London.
    [for_u3] = await agreement_messages(app, "U3")
    assert "Setiap dua minggu" in decode(for_u3.payload).text and "Jumat" in decode(for_u3.payload).text
    [for_u2] = await agreement_messages(app, "U2")
    assert "Fri, 9 Jan 2026, 09:00 GMT" in decode(for_u2.payload).text
    for user in ("U2", "U3"):
        await press(app, user, await confirm_button(app, user), locale="id" if user == "U3" else "en")
    assert [v.status for v in await versions(app)] == [AgreementStatus.PROPOSED]
    assert await schedule_of(app, Circle, world.circle_id) == []
    assert "in force" in text_of(await press(app, "U4", await confirm_button(app, "U4")))
    assert [v.status for v in await versions(app)] == [AgreementStatus.CONFIRMED]
    assert [s["every"] for s in await schedule_of(app, Circle, world.circle_id)] == [2]
    [announced] = [d for d in await agreement_messages(app) if d.target == world.space]
    assert "Agreement in force" in decode(announced.payload).text


async def test_a_double_confirm_is_one_row_and_last_confirmations_at_once_apply_once(app: App) -> None:
    world = await _circle(app)
    await propose(app, "U1", FRIDAY_LONDON, where=world.space)
    button = await confirm_button(app, "U2")
    twice = await asyncio.gather(press(app, "U2", button), press(app, "U2", button))
    assert sorted("already confirmed" in text_of(r) for r in twice) == [False, True], twice
    assert len(await confirmations(app)) == 2  # U1 (who proposed) and U2, once
    # U3 and U4 are the last two and confirm at the same moment: the agreement is applied exactly once.
    last = await asyncio.gather(press(app, "U3", await confirm_button(app, "U3")),
                                press(app, "U4", await confirm_button(app, "U4")))
    assert any("in force" in text_of(r) or "kesepakatan berlaku" in text_of(r) for r in last), last
    assert len(await confirmations(app)) == 4
    assert [v.status for v in await versions(app)] == [AgreementStatus.CONFIRMED]
    assert len(await schedule_of(app, Circle, world.circle_id)) == 1
    assert len([d for d in await agreement_messages(app) if d.target == world.space]) == 1


async def test_two_proposals_at_once_end_as_one_version(app: App) -> None:
    world = await _circle(app)
    opened = [form_of(await say(app, user, "agreement")).form for user in ("U1", "U2")]
    results = await asyncio.gather(
        submit(app, "U1", opened[0].form_id, FRIDAY_LONDON, state=opened[0].state),
        submit(app, "U2", opened[1].form_id, {**FRIDAY_LONDON, "weekday": "0"}, state=opened[1].state))
    texts = [text_of(r) for r in results]
    assert sum("arrived while you were filling in the form" in t for t in texts) == 1, texts
    [only] = await versions(app)
    assert only.version == 1 and only.status == AgreementStatus.PROPOSED
    loser = next(r for r, t in zip(results, texts, strict=True) if "arrived" in t)
    reply = loser[0]
    assert isinstance(reply, Reply)
    offered = [b.action_id for block in reply.message.blocks if isinstance(block, Buttons) for b in block.buttons]
    assert offered == [f"agreement.confirm:{only.id}", f"agreement.open:circle.{world.circle_id}"]


async def test_the_first_session_brings_an_invitation_once(app: App, clock: ManualClock) -> None:
    world = await _circle(app)
    first = START + timedelta(days=2, hours=1)  # Wednesday 7 January, 10:00 in Jakarta
    await plan(app.services.uow, now=first - timedelta(minutes=5), config=app.services.config)
    assert await agreement_messages(app) == []  # not before the session starts
    for moment in (first, first + timedelta(minutes=30)):
        clock.set(moment)
        await plan(app.services.uow, now=moment, config=app.services.config)
    [invite] = await agreement_messages(app)
    assert invite.target.endswith(":user:U1")  # the moderator leads it
    assert buttons_of(invite) == [f"agreement.open:circle.{world.circle_id}"]
    form = form_of(await press(app, "U1", buttons_of(invite)[0])).form
    assert form.state == f"circle.{world.circle_id}.0"
    # Once it has an agreement (or a proposal), the circle is not invited again.
    await propose(app, "U1", FRIDAY_LONDON)
    clock.set(first + timedelta(hours=1))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    assert len(await agreement_messages(app, "U1")) == 1


async def test_when_the_last_one_waited_for_leaves_the_others_agreement_is_in_force(app: App) -> None:
    world = await _circle(app)
    await propose(app, "U1", FRIDAY_LONDON)
    for user in ("U2", "U3"):
        await press(app, user, await confirm_button(app, user))
    await plan(app.services.uow, now=START, config=app.services.config)
    assert [v.status for v in await versions(app)] == [AgreementStatus.PROPOSED]  # U4 has not answered yet
    leaving = form_of(await say(app, "U4", "circle leave")).form
    await submit(app, "U4", leaving.form_id, {"reason": ""}, state=leaving.state)
    async with app.uow() as uow:  # whichever way they left (the circle, the program, Lingkar)
        rows = await uow.circles.memberships(circle_id=world.circle_id)
        assert world.members["U4"] not in {r.member_id for r in rows}
    await plan(app.services.uow, now=START, config=app.services.config)
    assert [v.status for v in await versions(app)] == [AgreementStatus.CONFIRMED]
    assert len(await schedule_of(app, Circle, world.circle_id)) == 1
