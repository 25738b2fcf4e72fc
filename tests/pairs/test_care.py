"""Reverse-mentoring care through the core: the senior's hopes at intake, the junior mentor's private engagement
check (timing, privacy, forged ids, K aggregates for admins)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action
from bot.kernel.i18n import translate
from storage.tables import EngagementCheck, Enrollment, Pair, ProgramState
from tests.helpers import PROFILE, actor, admin_creates_program, enroll, form_of, plan, press, queued, say, submit
from tests.helpers import text_of as texts_of
from tests.pairs.world import checkin_button, keep_program_slot, pair_deliveries

FIRST = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta: the first meeting
WEEK = timedelta(days=7)
SLUG = "leadership-circles"
HOPES = "How your generation uses AI tools and chat at work"
STALE = translate("errors.stale_action", "en")


async def reverse_pair(app: App, *, hopes: str = HOPES, mentor_hopes: str = "") -> Pair:
    """A running reverse program matched directly: MENTOR (junior, London 9-17), MENTEE (senior, Jakarta 8-17)."""
    await admin_creates_program(app, format="reverse", weeks="8", pair_matching="direct")
    await say(app, "UADMIN", f"program open {SLUG}")
    async with app.uow() as uow:
        program = (await uow.programs.all_in(workspace_id=1))[-1]
    for user, role, seniority, zone, start, wish in (("MENTOR", "mentor", "0", "Europe/London", "9", mentor_hopes),
                                                     ("MENTEE", "mentee", "4", "Asia/Jakarta", "8", hopes)):
        replies = await enroll(app, user, program, role=role, seniority=seniority, capacity="1", hopes=wish,
                               skills_offered="ai tools", skills_wanted="ai tools", timezone=zone,
                               work_start_hour=start)
        assert "Welcome" in texts_of(replies), replies
    await say(app, "UADMIN", f"program close {SLUG}")
    await say(app, "UADMIN", f"program form {SLUG}")
    async with app.uow() as uow:
        pairs = await uow.pairs.of_program(workspace_id=1, program_id=program.id or 0)
    assert len(pairs) == 1
    return await keep_program_slot(app, pairs[0])  # these tests are about the mentor's 04:00 London meetings


async def engagement_rows(app: App) -> list[EngagementCheck]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(EngagementCheck))).all())


async def test_only_reverse_mentees_are_asked_their_hopes_and_their_mentor_reads_them(app: App) -> None:
    await admin_creates_program(app, name="Coaching", format="one_on_one")
    await say(app, "UADMIN", "program open coaching")
    plain = form_of(await say(app, "MENTEE", "join coaching"))
    assert "hopes" not in [i.name for i in plain.form.inputs]
    too_long = await submit(app, "MENTEE", "profile", {**PROFILE, "role": "mentee", "hopes": "x" * 1001},
                            state=plain.form.state)
    assert "Welcome" in texts_of(too_long)  # a forged answer where nothing was asked is ignored
    pair = await reverse_pair(app, mentor_hopes="I am the junior: nothing to keep")
    async with app.uow() as uow:
        rows = {e.member_id: e.hopes for e in (await uow.session.exec(select(Enrollment))).all()
                if e.program_id == pair.program_id}
        coaching = [e for e in (await uow.session.exec(select(Enrollment))).all() if e.program_id != pair.program_id]
    assert rows == {pair.mentor_member_id: "", pair.mentee_member_id: HOPES}
    assert [e.hopes for e in coaching] == [""]
    # The junior mentor reads it once, by DM; the senior is not sent their own words back.
    hopes = [(target, text) for kind, target, text in await queued(app) if HOPES in text]
    assert hopes == [("local:W1:user:MENTOR", hopes[0][1])] and "MENTEE" in hopes[0][1]
    assert f"What you hope to learn: {HOPES}" in texts_of(await say(app, "MENTEE", "pair info"))
    assert f"What your mentee hopes to learn: {HOPES}" in texts_of(await say(app, "MENTOR", "pair info"))


async def test_hopes_over_the_limit_are_refused_in_the_form(app: App) -> None:
    await admin_creates_program(app, format="reverse", weeks="8", pair_matching="direct")
    await say(app, "UADMIN", f"program open {SLUG}")
    opened = form_of(await say(app, "MENTEE", f"join {SLUG}"))
    asked = next(i for i in opened.form.inputs if i.name == "hopes")
    assert "learn from a junior colleague" in asked.label and asked.optional  # type: ignore[union-attr]
    refused = await submit(app, "MENTEE", "profile", {**PROFILE, "role": "mentee", "hopes": "x" * 1001},
                           state=opened.form.state)
    assert {e for r in refused for e in getattr(r, "errors", {})} == {"hopes"}


async def test_the_engagement_check_goes_to_the_junior_mentor_alone_after_meeting_2_and_the_midpoint(
        app: App, clock: ManualClock) -> None:
    pair = await reverse_pair(app)
    for week in range(8):  # after each meeting, at night and in London's morning, twice: one DM per check
        for hours in (2, 2, 7, 7):
            await plan(app.services.uow, now=FIRST + week * WEEK + timedelta(hours=hours), config=app.services.config)
    checks = await pair_deliveries(app, kinds=("pair_engagement",))
    assert [(d.target, d.key) for d in checks] == [
        ("local:W1:user:MENTOR", f"pair-engagement:{pair.id}:1:{pair.mentor_member_id}"),
        ("local:W1:user:MENTOR", f"pair-engagement:{pair.id}:3:{pair.mentor_member_id}")]
    # 04:00 in London is outside the mentor's hours: it waits for 09:00 there, like a check-in.
    assert checks[0].due_at.replace(tzinfo=UTC) == datetime(2026, 1, 14, 9, 0, tzinfo=UTC)
    mentee_texts = [text for kind, target, text in await queued(app) if target == "local:W1:user:MENTEE"]
    assert mentee_texts and not [t for t in mentee_texts if "private question" in t or "engaged" in t]


async def test_engagement_answers_are_the_mentors_alone_and_forged_ids_are_refused(
        app: App, clock: ManualClock) -> None:
    pair = await reverse_pair(app)
    clock.set(FIRST + timedelta(hours=2))  # meeting 2 has not happened yet
    assert "not open" in texts_of(await press(app, "MENTOR", f"pair_engagement.open:{pair.id}.1"))
    assert texts_of(await press(app, "MENTOR", f"pair_engagement.open:{pair.id}.0")) == STALE  # not a check
    clock.set(FIRST + WEEK + timedelta(hours=7))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    [check] = await pair_deliveries(app, kinds=("pair_engagement",))
    opened = form_of(await press(app, "MENTOR", checkin_button(check)))
    assert [i.name for i in opened.form.inputs] == ["making_time", "engaged"]
    results = await asyncio.gather(*(submit(app, "MENTOR", "pair.engagement", {"making_time": n, "engaged": "3"},
                                            state=opened.form.state) for n in ("2", "4")))
    assert sorted("saved" in texts_of(r) for r in results) == [False, True]
    [row] = await engagement_rows(app)
    assert (row.member_id, row.round, row.engaged) == (pair.mentor_member_id, 1, 3)
    again = form_of(await press(app, "MENTOR", checkin_button(check)))
    assert again.form.inputs[0].initial == str(row.making_time)  # type: ignore[union-attr]
    bad = await submit(app, "MENTOR", "pair.engagement", {"making_time": "9", "engaged": ""},
                       state=opened.form.state)
    assert {e for r in bad for e in getattr(r, "errors", {})} == {"making_time", "engaged"}
    # The mentee (and a stranger) cannot open or answer it, and learns nothing from trying.
    await say(app, "STRANGER", "help")
    for user in ("MENTEE", "STRANGER"):
        assert texts_of(await app.core.handle(Action(actor(user), checkin_button(check)))) == STALE
        forged = await submit(app, user, "pair.engagement", {"making_time": "1", "engaged": "1"},
                              state=opened.form.state)
        assert texts_of(forged) == STALE
    assert [(r.making_time, r.engaged) for r in await engagement_rows(app)] == [(row.making_time, 3)]
    assert "engag" not in texts_of(await say(app, "MENTEE", "pair info")).lower()
    mentee = [text for kind, target, text in await queued(app) if target == "local:W1:user:MENTEE"]
    assert not [t for t in mentee if "private question" in t or "making time" in t]


async def _more_pairs(app: App, pair: Pair, mentors: list[str]) -> list[Pair]:
    """More reverse pairs in the same program, formed with the first: one per (mentor, new senior)."""
    made = []
    async with app.uow() as uow:
        for n, mentor in enumerate(mentors):
            people = [await uow.members.get_or_create(workspace_id=1, external_id=user, now=pair.started_at)
                      for user in (mentor, f"SENIOR{n}")]
            await uow.flush()
            made.append(Pair(workspace_id=1, program_id=pair.program_id, mentor_member_id=people[0].id or 0,
                             mentee_member_id=people[1].id or 0, started_at=pair.started_at))
        uow.session.add_all(made)
        await uow.commit()
    return made


async def _answer(app: App, pairs: list[Pair], round: int, *, making_time: int, engaged: int) -> None:
    async with app.uow() as uow:
        for pair in pairs:
            await uow.care.save_engagement(values={
                "workspace_id": 1, "program_id": pair.program_id, "pair_id": pair.id, "round": round,
                "member_id": pair.mentor_member_id, "making_time": making_time, "engaged": engaged}, now=FIRST)
        await uow.commit()


async def _set_program(app: App, pair: Pair, **fields: object) -> None:
    async with app.uow() as uow:
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        assert program is not None
        for name, value in fields.items():
            setattr(program, name, value)
        uow.programs.add(program)
        await uow.commit()


async def test_admins_see_engagement_only_as_averages_from_k_mentors(app: App, clock: ManualClock) -> None:
    first = await reverse_pair(app)
    await _set_program(app, first, k_anonymity=3)
    second, third, fourth = await _more_pairs(app, first, ["JUNIOR1", "JUNIOR2", "JUNIOR2"])
    await _answer(app, [first, second], 1, making_time=2, engaged=4)
    await _answer(app, [third], 1, making_time=5, engaged=1)
    # At the midpoint JUNIOR2 answered for two seniors: three answers from two mentors are still too few.
    await _answer(app, [first, third, fourth], 3, making_time=4, engaged=4)
    # While the program runs an answer can still change, and two readings would reveal it: no figures yet.
    report = texts_of(await say(app, "UADMIN", f"pair engagement {SLUG}"))
    assert "once its sessions have ended" in report and "3.0" not in report
    await _set_program(app, first, state=ProgramState.CLOSING)
    report = texts_of(await say(app, "UADMIN", f"pair engagement {SLUG}"))
    assert "After meeting 2: 3 answers · making time 3.0 · engaged 3.0" in report
    assert "At the midpoint: not enough answers yet to show (at least 3)" in report
    refused = texts_of(await say(app, "MENTOR", f"pair engagement {SLUG}"))
    assert refused == translate("errors.admin_only", "en") and "3.0" not in refused
