"""Feedback polls and self-assessments through the core (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from sqlmodel import select

from adapters.bootstrap import App
from bot.feedback.planner import plan_feedback, plan_final_report
from bot.feedback.results import round_label
from bot.feedback.schedule import rounds
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons, Select
from bot.kernel.replies import FormErrors
from storage.tables import Poll, PollResponse, Program
from tests.feedback.support import answer_poll, deliveries, run, running_program
from tests.helpers import form_of, member_id, planners, press, say, submit, text_of

PULSE_4 = datetime(2026, 2, 4, 5, 0, tzinfo=UTC)  # week 5, 12:00 in Jakarta: two hours after that session
USERS = ["U1", "U2", "U3", "U4"]


def _program(**fields: object) -> Program:
    return Program(workspace_id=1, name="P", slug="p", start_date=date(2026, 1, 5), meeting_weekday=2,
                   meeting_time="10:00", timezone="Asia/Jakarta", weeks=12, created_at=PULSE_4, **fields)


def test_rounds_of_a_twelve_week_program() -> None:
    found = [(r.key, r.opens_at, r.closes_at) for r in rounds(_program())]
    assert found == [
        ("before", datetime(2025, 12, 31, 3, 0, tzinfo=UTC), datetime(2026, 1, 21, 3, 0, tzinfo=UTC)),
        ("pulse-4", PULSE_4, datetime(2026, 2, 11, 5, 0, tzinfo=UTC)),
        ("midpoint", datetime(2026, 2, 18, 5, 0, tzinfo=UTC), datetime(2026, 2, 25, 5, 0, tzinfo=UTC)),
        ("pulse-8", datetime(2026, 3, 4, 5, 0, tzinfo=UTC), datetime(2026, 3, 11, 5, 0, tzinfo=UTC)),
        ("after", datetime(2026, 3, 25, 5, 0, tzinfo=UTC), datetime(2026, 4, 8, 5, 0, tzinfo=UTC)),
        ("final", datetime(2026, 3, 25, 5, 0, tzinfo=UTC), datetime(2026, 4, 8, 5, 0, tzinfo=UTC)),
    ]
    # Every two weeks: pulses next to the midpoint (week 6) and the final poll (week 11) are dropped.
    assert [r.key for r in rounds(_program(pulse_every_weeks=2)) if r.kind == "pulse"] == ["pulse-2", "pulse-4",
                                                                                       "pulse-8"]
    assert [r.kind for r in rounds(_program(pulse_every_weeks=0))] == ["before", "midpoint", "after", "final"]


def test_feedback_planners_are_wired() -> None:
    assert plan_feedback in planners() and plan_final_report in planners()


def test_every_round_and_risk_has_words_in_both_languages() -> None:
    for locale, expected in (("en", "Midpoint poll"), ("id", "Jajak pendapat tengah program")):
        t = Translator(locale)
        labels = [round_label(t, r_poll) for r_poll in (
            Poll(workspace_id=1, program_id=1, kind=kind, key=key, opens_at=PULSE_4, closes_at=PULSE_4,
                 created_at=PULSE_4) for kind, key in (("pulse", "pulse-4"), ("midpoint", "midpoint"),
                                                      ("final", "final"), ("before", "before"), ("after", "after")))]
        assert len(set(labels)) == 5 and expected in labels
        for reason in ("quiet", "small", "low_rating"):
            assert t(f"digest.risk.{reason}", size=2, minimum=3)
        for n in range(1, 6):
            assert t(f"feedback.satisfaction.{n}").startswith(str(n)) and t(f"feedback.level.{n}").startswith(str(n))
        for phase in ("before", "after"):
            assert t(f"feedback.assess_invite_{phase}", program="X")


async def test_one_invitation_per_member_and_round_not_to_paused_members(app: App) -> None:
    program = await running_program(app, USERS)
    async with app.uow() as uow:
        paused = await uow.enrollments.get(workspace_id=1, program_id=program.id or 0,
                                           member_id=await member_id(app, "U4"))
        assert paused is not None
        paused.paused_until = date(2026, 2, 10)
        uow.session.add(paused)
        await uow.commit()
    assert await run(app, plan_feedback, PULSE_4) == 3
    assert await run(app, plan_feedback, PULSE_4) == 0
    assert await run(app, plan_feedback, datetime(2026, 2, 5, 9, 0, tzinfo=UTC)) == 0
    sent = await deliveries(app, kind="poll")
    assert sorted(d.target for d in sent) == ["local:W1:user:U1", "local:W1:user:U2", "local:W1:user:U3"]
    message = decode(sent[0].payload)
    assert "Leadership Circles: Pulse poll (week 5)" in message.text
    assert "Totals are shown once the poll has closed, and only when at least 3 people answered" in message.text
    buttons = [b for block in message.blocks if isinstance(block, Buttons) for b in block.buttons]
    assert [b.action_id for b in buttons] == [f"poll.open:{sent[0].key.split(':')[1]}"]
    assert all(d.stale_at == datetime(2026, 2, 11, 5, 0, tzinfo=UTC) for d in sent)


async def test_after_a_gap_only_the_open_round_is_planned_once(app: App) -> None:
    await running_program(app, USERS[:3], pulse_every_weeks=1)
    assert await run(app, plan_feedback, datetime(2026, 2, 5, 0, 0, tzinfo=UTC)) == 3  # pulses 1-3 are stale
    assert await run(app, plan_feedback, datetime(2026, 2, 12, 0, 0, tzinfo=UTC)) == 0  # pulse-4 closed, no new one
    async with app.uow() as uow:
        keys = [p.key for p in await uow.feedback.polls_of_program(workspace_id=1, program_id=1)]
    assert keys == ["pulse-4"]


async def test_answer_edit_validate_and_close(app: App, clock: ManualClock) -> None:
    await running_program(app, USERS[:3])
    clock.set(PULSE_4)
    await run(app, plan_feedback, PULSE_4)
    opened = form_of(await press(app, "U1", "poll.open:1"))
    assert opened.form.form_id == "feedback.poll" and [i.name for i in opened.form.inputs] == [
        "satisfaction", "recommend", "keep", "improve"]
    errors = [r for r in await submit(app, "U1", "feedback.poll", {"satisfaction": "7", "recommend": "x"},
                                      state="1") if isinstance(r, FormErrors)]
    assert set(errors[0].errors) == {"satisfaction", "recommend"}
    assert "Thank you!" in await answer_poll(app, "U1", 1, satisfaction=4, recommend=9, keep="the prompts")
    again = form_of(await press(app, "U1", "poll.open:1")).form
    assert [i.initial for i in again.inputs if isinstance(i, Select)] == ["4", "9"]
    assert "updated" in await answer_poll(app, "U1", 1, satisfaction=5, recommend=10, improve="start on time")
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(PollResponse))).all()
    assert [(r.satisfaction, r.recommend, r.keep, r.improve) for r in rows] == [(5, 10, None, "start on time")]
    assert "only for members" in text_of(await press(app, "U9", "poll.open:1"))
    clock.set(datetime(2026, 2, 11, 5, 0, tzinfo=UTC))
    assert "is closed" in await answer_poll(app, "U2", 1, satisfaction=3, recommend=5)
    assert "Nothing is waiting" in text_of(await say(app, "U2", "feedback"))


async def test_concurrent_double_submit_is_one_answer(app: App, clock: ManualClock) -> None:
    await running_program(app, USERS[:3])
    clock.set(PULSE_4)
    await run(app, plan_feedback, PULSE_4)
    replies = await asyncio.gather(*(answer_poll(app, "U2", 1, satisfaction=s, recommend=8) for s in (2, 4, 3)))
    assert all("Thank you!" in r or "updated" in r for r in replies), replies
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(PollResponse))).all()
    assert len(rows) == 1 and rows[0].member_id == await member_id(app, "U2") and rows[0].satisfaction in {2, 3, 4}


async def test_k_anonymity_and_no_answers_for_anyone(app: App, clock: ManualClock) -> None:
    await running_program(app, USERS)
    clock.set(PULSE_4)
    await run(app, plan_feedback, PULSE_4)
    await answer_poll(app, "U1", 1, satisfaction=5, recommend=10, keep="the mix of departments")
    await answer_poll(app, "U2", 1, satisfaction=4, recommend=8, improve="start on time")
    two = text_of(await say(app, "U3", "feedback results leadership"))
    assert "Pulse poll (week 5): 2 answers so far; results when the poll closes (Wed, 11 Feb 2026" in two
    await answer_poll(app, "U3", 1, satisfaction=3, recommend=6)
    three = text_of(await say(app, "UADMIN", "feedback results leadership"))
    assert "3 answers so far" in three and "satisfaction 4.0" not in three  # open: the count only, admins too
    clock.set(datetime(2026, 2, 11, 5, 0, tzinfo=UTC))  # closed: the figures, the same for everyone
    member = text_of(await say(app, "U3", "feedback results leadership"))
    assert "Pulse poll (week 5): 3 answers, satisfaction 4.0/5, would recommend 8.0/10 (NPS +0)" in member
    assert "start on time" not in member and "mix of departments" not in member
    admin = text_of(await say(app, "UADMIN", "feedback results leadership"))
    assert "3 answers, satisfaction 4.0/5" in admin
    # One comment each: below K, so not even admins read them; no answer is ever listed on its own.
    assert "What to keep: too few to show (1 of the 3 needed)." in admin
    assert "start on time" not in admin and "mix of departments" not in admin and "10/10" not in admin
    assert not any(user in admin for user in ("U1", "U2", "U3"))
    assert "only for members" in text_of(await say(app, "U9", "feedback results leadership"))


async def test_before_and_after_self_assessment(app: App, clock: ManualClock) -> None:
    program = await make_with_skills(app)
    assert await run(app, plan_feedback, clock.now()) == 3  # the "before" round is open a week ahead
    invite = decode((await deliveries(app, kind="poll"))[0].payload)
    assert "Self-assessment before the program" in invite.text
    form = form_of(await press(app, "U1", "assess.open:1")).form
    assert [i.label for i in form.inputs] == ["Public speaking", "negotiation"]  # as the members typed them
    for user, (a, b) in zip(("U1", "U2", "U3"), ((2, 1), (2, 2), (3, 1)), strict=True):
        await submit(app, user, "feedback.assessment", {"skill_0": str(a), "skill_1": str(b)}, state="1")
    end = datetime(2026, 3, 25, 6, 0, tzinfo=UTC)
    clock.set(end)
    await run(app, plan_feedback, end)
    after = next(p for p in await polls(app, program) if p.key == "after")
    for user, (a, b) in zip(("U1", "U2"), ((4, 3), (4, 3)), strict=True):
        await submit(app, user, "feedback.assessment", {"skill_0": str(a), "skill_1": str(b)}, state=str(after.id))
    partial = text_of(await say(app, "U1", "feedback results"))
    assert "3 before and 2 after so far: compared once both self-assessments have closed." in partial
    await submit(app, "U3", "feedback.assessment", {"skill_0": "5", "skill_1": "2"}, state=str(after.id))
    assert "change" not in text_of(await say(app, "UADMIN", "feedback results leadership"))  # still open
    clock.set(datetime(2026, 4, 8, 5, 0, tzinfo=UTC))  # the "after" round closes
    full = text_of(await say(app, "U1", "feedback results"))
    assert "Overall: 1.8 before (3 people), 3.5 after (3 people), change +1.7" in full
    assert "• Public speaking: 2.3 → 4.3 (+2.0)" in full and "• negotiation: 1.3 → 2.7 (+1.3)" in full
    report_time = datetime(2026, 4, 8, 5, 0, tzinfo=UTC)  # the final poll closes: admins get the report
    await say(app, "UADMIN", "status")
    assert await run(app, plan_final_report, report_time) == 1
    assert await run(app, plan_final_report, report_time) == 0
    report = (await deliveries(app, kind="report"))[0]
    assert report.target == "local:W1:user:UADMIN" and "change +1.7" in decode(report.payload).text


async def make_with_skills(app: App) -> Program:
    return await running_program(app, ["U1", "U2", "U3"], profile={"skills_wanted": "Public speaking, negotiation"})


async def polls(app: App, program: Program) -> list[Poll]:
    async with app.uow() as uow:
        return await uow.feedback.polls_of_program(workspace_id=1, program_id=program.id or 0)


async def test_admins_set_the_pulse_cadence(app: App) -> None:
    program = await running_program(app, ["U1"])
    assert "Only Lingkar admins" in text_of(await say(app, "U1", "feedback every leadership 2"))
    assert "weeks from 0 (no pulse polls) to 12" in text_of(await say(app, "UADMIN", "feedback every leadership 13"))
    assert "a pulse poll every 2 weeks" in text_of(await say(app, "UADMIN", "feedback every leadership 2"))
    assert "no pulse polls" in text_of(await say(app, "UADMIN", "feedback every Leadership Circles 0"))
    async with app.uow() as uow:
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
    assert fresh is not None and fresh.pulse_every_weeks == 0


async def test_feedback_command_opens_what_is_waiting(app: App, clock: ManualClock) -> None:
    await make_with_skills(app)
    await run(app, plan_feedback, clock.now())
    opened = form_of(await say(app, "U2", "feedback")).form
    assert opened.form_id == "feedback.assessment" and opened.state == "1"
    clock.set(datetime(2026, 1, 14, 5, 0, tzinfo=UTC))  # week 2: the before round is still open
    async with app.uow() as uow:
        await uow.feedback.ensure_poll(workspace_id=1, program_id=1, kind="pulse", key="pulse-1",
                                       opens_at=clock.now(), closes_at=PULSE_4, now=clock.now())
        await uow.commit()
    both = await say(app, "U2", "umpan balik")
    buttons = [b.action_id for r in both for block in r.message.blocks  # type: ignore[union-attr]
               if isinstance(block, Buttons) for b in block.buttons]
    assert buttons == ["assess.open:1", "poll.open:2"]
