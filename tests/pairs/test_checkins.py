"""Pair check-ins through the core: private to each side, one row under concurrency, editable until the next
meeting, the member's goal shown; a pair without a space hears everything by DM in each side's own zone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, FormValue
from bot.kernel.message_codec import decode
from bot.sessions.scripts import default_script
from storage.repositories.outbox import space_key
from storage.tables import DeliveryStatus, PairCheckIn
from tests.helpers import actor, deliver_due, form_of, plan, press, say, submit, text_of
from tests.pairs.world import answer, make_pair, pair_deliveries

FIRST = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta: the first meeting
WEEK = timedelta(days=7)


async def test_concurrent_double_submit_keeps_one_row_editable_until_the_next_meeting(
        app: App, clock: ManualClock) -> None:
    pair = await make_pair(app, fmt="one_on_one")
    assert "no pair check-in open" in text_of(await say(app, "MENTEE", "pair checkin"))
    clock.set(FIRST + timedelta(hours=2))
    opened = form_of(await say(app, "MENTEE", "pair checkin"))
    assert opened.form.state == f"{pair.id}.0" and "Did you meet MENTOR?" in opened.form.inputs[0].label
    orientation = default_script("one_on_one").stage("orientation").checkin or {}
    assert opened.form.inputs[2].label == orientation["en"]  # the first meeting's stage asks its own question
    values: list[dict[str, FormValue]] = [{"met": "yes", "usefulness": str(n), "progress": f"try {n}"}
                                          for n in (2, 5)]
    results = await asyncio.gather(*(submit(app, "MENTEE", opened.form.form_id, v, state=opened.form.state)
                                      for v in values))
    texts = sorted(text_of(r) for r in results)
    assert any("is saved" in t for t in texts) and any("is updated" in t for t in texts), texts
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(PairCheckIn))).all()
    assert len(rows) == 1 and rows[0].progress == f"try {rows[0].usefulness}" and rows[0].met
    # The form comes back filled in with their own answer, then closes when the next meeting starts.
    again = form_of(await press(app, "MENTEE", f"pair_checkin.open:{pair.id}.0"))
    assert again.form.inputs[2].initial == rows[0].progress  # type: ignore[union-attr]
    clock.set(FIRST + WEEK)
    late = await submit(app, "MENTEE", opened.form.form_id, values[0], state=opened.form.state)
    assert "The check-in for meeting 1 is not open" in text_of(late)
    bad = await submit(app, "MENTEE", opened.form.form_id, {"met": "maybe", "usefulness": "9"},
                       state=f"{pair.id}.1")
    assert {e for r in bad for e in getattr(r, "errors", {})} == {"met", "usefulness"}


async def test_the_other_side_and_strangers_never_see_an_answer(app: App, clock: ManualClock) -> None:
    pair = await make_pair(app, fmt="peer")
    clock.set(FIRST + timedelta(hours=2))
    reply = await answer(app, "MENTEE", f"pair_checkin.open:{pair.id}.0", met="no", usefulness="1",
                         progress="my partner keeps cancelling")
    assert "is saved" in reply and "cancelling" not in reply
    # The partner's own form starts empty: it is theirs, not a view of the other's answer.
    theirs = form_of(await press(app, "MENTOR", f"pair_checkin.open:{pair.id}.0"))
    assert [getattr(i, "initial", None) for i in theirs.form.inputs] == [None, None, ""]
    assert "cancelling" not in str(theirs)
    # Someone outside the pair cannot open or submit it.
    await say(app, "STRANGER", "help")
    assert "out of date" in text_of(await app.core.handle(Action(actor("STRANGER"),
                                                                     f"pair_checkin.open:{pair.id}.0")))
    forged = await submit(app, "STRANGER", "pair.checkin", {"met": "yes", "usefulness": "5"}, state=f"{pair.id}.0")
    assert "out of date" in text_of(forged)
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(PairCheckIn))).all()
    assert [(r.member_id, r.progress) for r in rows] == [(pair.mentee_member_id, "my partner keeps cancelling")]
    # Nothing queued for anyone carries it: not the partner's DMs, not the pair's space.
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    async with app.uow() as uow:
        from storage.tables import Delivery

        payloads = [decode(d.payload).text for d in (await uow.session.exec(select(Delivery))).all()]
    assert payloads and not [p for p in payloads if "cancelling" in p]


async def test_goal_set_works_in_a_pair_program_and_check_ins_show_it(app: App, clock: ManualClock,
                                                                      local: LocalMessenger) -> None:
    pair = await make_pair(app, fmt="reverse", program_slot=True)
    opened = form_of(await say(app, "MENTEE", "goal set"))
    assert "Leadership Circles" in opened.form.intro
    saved = await submit(app, "MENTEE", opened.form.form_id, {
        "specific": "Use AI tools for weekly reports", "measurable": "3 reports", "achievable": "with help",
        "relevant": "saves time", "due_on": "2026-03-01"}, state=opened.form.state)
    assert "saved" in text_of(saved).lower(), saved
    clock.set(FIRST + timedelta(hours=1, minutes=30))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    await deliver_due(app, local)
    dms = {d.target.rsplit(":", 1)[1]: decode(d.payload).text for d in await pair_deliveries(app, kinds=(
        "pair_checkin",)) if d.status == DeliveryStatus.SENT}
    assert "Your goal: Use AI tools for weekly reports" in dms["MENTEE"]
    assert "MENTOR" not in dms  # 04:30 in London: the mentor's DM waits for their working day
    clock.set(FIRST + timedelta(hours=6, minutes=30))  # 09:30 in London
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    await deliver_due(app, local)
    mentor_dm = [decode(d.payload).text for d in await pair_deliveries(app, kinds=("pair_checkin",))
                 if d.target.endswith(":MENTOR") and d.status == DeliveryStatus.SENT]
    assert len(mentor_dm) == 1 and "You have not set a goal yet" in mentor_dm[0]
    form = form_of(await press(app, "MENTEE", f"pair_checkin.open:{pair.id}.0"))
    assert "Use AI tools for weekly reports" in form.form.intro


async def test_a_pair_without_a_space_hears_by_dm_in_each_zone_and_a_paused_side_hears_nothing(
        app: App, clock: ManualClock, local: LocalMessenger) -> None:
    pair = await make_pair(app, fmt="one_on_one", program_slot=True)
    async with app.uow() as uow:
        stored = (await uow.pairs.of_program(workspace_id=1, program_id=pair.program_id))[0]
        stored.space = ""  # the platform could not open one: its space delivery failed for good
        uow.session.add(stored)
        opening = await uow.outbox.by_key(key=space_key("pair", stored.id or 0))
        assert opening is not None
        opening.status, opening.last_error = DeliveryStatus.FAILED, "missing_scope"
        uow.session.add(opening)
        await uow.commit()
    for moment in (FIRST - timedelta(hours=20), FIRST - timedelta(minutes=30)):
        clock.set(moment)
        await plan(app.services.uow, now=moment, config=app.services.config)
        await deliver_due(app, local)
    sent = {(d.kind, d.target.rsplit(":", 1)[1]): decode(d.payload).text
            for d in await pair_deliveries(app, status=DeliveryStatus.SENT)}
    assert set(sent) == {(k, u) for k in ("pair_prompt", "pair_reminder") for u in ("MENTOR", "MENTEE")}
    assert "with MENTEE starts in an hour" in sent[("pair_reminder", "MENTOR")]
    assert "Wed, 7 Jan 2026, 03:00 GMT" in sent[("pair_reminder", "MENTOR")]
    assert "Wed, 7 Jan 2026, 10:00" in sent[("pair_reminder", "MENTEE")]
    assert sent[("pair_prompt", "MENTOR")].split("\n")[1] == sent[("pair_prompt", "MENTEE")].split("\n")[1]
    # The mentee pauses over the second meeting: the mentor still hears, the mentee does not.
    clock.set(FIRST + timedelta(days=1))
    assert "until" in text_of(await say(app, "MENTEE", "pause until 2026-01-15"))
    clock.set(FIRST + WEEK - timedelta(minutes=30))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    await deliver_due(app, local)
    week_two = [(d.kind, d.target.rsplit(":", 1)[1], d.status, d.last_error)
                for d in await pair_deliveries(app) if d.key.split(":")[2] == "1"]
    assert sorted(week_two) == [("pair_prompt", "MENTEE", "skipped", "recipient paused"),
                                ("pair_prompt", "MENTOR", "sent", None),
                                ("pair_reminder", "MENTEE", "skipped", "recipient paused"),
                                ("pair_reminder", "MENTOR", "sent", None)]
