"""A pair records its agreement: both sides confirm, and its reminders and prompts move to the agreed slot."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.kernel.messages import Select, TextInput
from storage.tables import AgreementStatus, AuditEntry, Pair
from tests.agreements.support import (
    FRIDAY_LONDON,
    agreement_messages,
    buttons_of,
    confirm_button,
    confirmations,
    propose,
    schedule_of,
    show,
    versions,
)
from tests.helpers import deliver_due, form_of, plan, press, say, text_of
from tests.pairs.world import make_pair, pair_deliveries

# The program meets on Wednesdays at 10:00 in Jakarta from Monday 5 January 2026 (tests/conftest START).
OLD_PROMPT = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)  # the day before Wednesday's 10:00 WIB
NEW_PROMPT = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)  # Thursday 09:00 London: the day before Friday's meeting
NEW_REMINDER = datetime(2026, 1, 9, 8, 0, tzinfo=UTC)  # an hour before Friday 9 January, 09:00 London
SECOND_REMINDER = datetime(2026, 1, 23, 8, 0, tzinfo=UTC)  # two weeks later


async def test_both_sides_confirm_and_the_pair_meets_at_the_agreed_slot(
        app: App, clock: ManualClock, local: LocalMessenger) -> None:
    pair = await make_pair(app, fmt="one_on_one", program_slot=True)  # on the program slot (formation may move it)
    # The form opens filled in with the pair's slot now: Wednesdays 10:00 in Jakarta, weekly.
    opened = form_of(await say(app, "MENTEE", "agreement")).form
    initial = {i.name: i.initial for i in opened.inputs if isinstance(i, Select | TextInput)}
    assert (initial["every"], initial["weekday"], initial["time"], initial["zone"]) == ("1", "2", "10:00",
                                                                                        "Asia/Jakarta")
    reply = text_of(await propose(app, "MENTEE", FRIDAY_LONDON))
    assert "MENTOR will be asked to confirm" in reply, reply
    [proposal] = await versions(app)
    assert (proposal.status, proposal.version, proposal.group) == (AgreementStatus.PROPOSED, 1, f"pair:{pair.id}")
    assert await schedule_of(app, Pair, pair.id or 0) == []  # nothing moves before both sides confirm
    # The mentor is asked by DM, with the first sessions in their own zone (London).
    [ask] = await agreement_messages(app, "MENTOR")
    text = decode(ask.payload).text
    assert "MENTEE proposes" in text and "Every two weeks" in text and "Fri, 9 Jan 2026, 09:00 GMT" in text, text
    assert buttons_of(ask) == [f"agreement.confirm:{proposal.id}", f"agreement.open:pair.{pair.id}"]
    assert "Confirmed: MENTEE. Not yet: MENTOR." in await show(app, "MENTOR")

    done = text_of(await press(app, "MENTOR", await confirm_button(app, "MENTOR")))
    assert "MENTOR & MENTEE is in force" in done, done
    [agreed] = await versions(app)
    assert agreed.status == AgreementStatus.CONFIRMED and agreed.decided_at is not None
    assert await schedule_of(app, Pair, pair.id or 0) == [
        {"from": 0, "first": "2026-01-09", "at": "09:00", "zone": "Europe/London", "every": 2, "minutes": 60}]
    assert {c.member_id for c in await confirmations(app)} == {pair.mentor_member_id, pair.mentee_member_id}
    # The pair's space hears it, with the times in the agreed zone and in each side's own.
    [announced] = [d for d in await agreement_messages(app) if "Agreement in force" in decode(d.payload).text]
    assert announced.target == pair.space
    assert "Fri, 9 Jan 2026, 09:00 GMT / Fri, 9 Jan 2026, 16:00 WIB" in decode(announced.payload).text
    async with app.uow() as uow:
        audit = await uow.audit.list(workspace_id=1)
    actions = [a.action for a in audit if a.action.startswith("agreement.")]
    assert actions == ["agreement.proposed", "agreement.confirmed"]
    assert all("Career" not in str(a.detail) for a in audit if isinstance(a, AuditEntry))

    # The old slot (Wednesday 10:00 WIB) is gone; prompts and reminders follow Fridays 09:00 London.
    for moment in (OLD_PROMPT, NEW_PROMPT, NEW_REMINDER, SECOND_REMINDER):
        clock.set(moment)
        await plan(app.services.uow, now=moment, config=app.services.config)
        await deliver_due(app, local)
    planned = [(d.kind, d.key.split(":")[2], d.due_at) for d in await pair_deliveries(
        app, kinds=("pair_prompt", "pair_reminder"))]
    assert ("pair_prompt", "0", NEW_PROMPT) in planned and ("pair_reminder", "0", NEW_REMINDER) in planned
    assert ("pair_reminder", "1", SECOND_REMINDER) in planned
    assert all(due >= NEW_PROMPT for _, _, due in planned), planned


async def test_a_change_supersedes_and_only_the_current_proposal_can_be_confirmed(app: App) -> None:
    pair = await make_pair(app, fmt="peer")
    await propose(app, "MENTEE", FRIDAY_LONDON)
    await press(app, "MENTOR", await confirm_button(app, "MENTOR"))
    first_stretch = await schedule_of(app, Pair, pair.id or 0)
    # The mentor proposes weekly Tuesdays; before the mentee answers, the mentee proposes Thursdays instead.
    await propose(app, "MENTOR", {**FRIDAY_LONDON, "every": "1", "weekday": "1", "time": "08:30"})
    stale_button = await confirm_button(app, "MENTEE")
    await propose(app, "MENTEE", {**FRIDAY_LONDON, "every": "4", "weekday": "3", "time": "14:00", "minutes": "90"})
    assert [(v.version, v.status) for v in await versions(app)] == [
        (1, AgreementStatus.CONFIRMED), (2, AgreementStatus.SUPERSEDED), (3, AgreementStatus.PROPOSED)]
    assert "out of date" in text_of(await press(app, "MENTEE", stale_button))
    assert await schedule_of(app, Pair, pair.id or 0) == first_stretch  # version 1 still in force
    assert "In force (version 1)" in await show(app, "MENTEE")
    assert "in force" in text_of(await press(app, "MENTOR", await confirm_button(app, "MENTOR")))
    assert [v.status for v in await versions(app)] == [AgreementStatus.SUPERSEDED, AgreementStatus.SUPERSEDED,
                                                       AgreementStatus.CONFIRMED]
    # The new stretch replaces the first (both start at the next session not yet held), monthly from Thursday.
    assert await schedule_of(app, Pair, pair.id or 0) == [
        {"from": 0, "first": "2026-01-08", "at": "14:00", "zone": "Europe/London", "every": 4, "minutes": 90}]
