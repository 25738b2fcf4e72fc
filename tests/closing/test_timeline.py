"""The closing phase on the clock: entering it after the last session or by `program end`, the final round, the
reminder, the end at F and the program closed (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.bootstrap import App
from bot.closing import CAPABILITY
from bot.closing.finish import plan_closing_end
from bot.closing.phase import plan_closing_start, plan_closing_told
from bot.feedback.planner import plan_final_reminder
from bot.kernel.clock import ManualClock
from storage.tables import ProgramState
from tests.closing.support import (
    FINAL_CLOSES,
    LAST_SESSION,
    NATURAL_START,
    USERS,
    closing_program,
    message,
    program_state,
    rows,
    tick,
)
from tests.feedback.support import answer_poll, running_program
from tests.helpers import enroll, make_program, planners, say, submit, text_of


def test_the_closing_planners_are_wired_in_order() -> None:
    assert CAPABILITY.planners == (plan_closing_start, plan_closing_told, plan_closing_end)
    assert plan_final_reminder in planners()


async def _final_invitations(app: App) -> list[str]:
    polls = {p.id: p.kind for p in await _polls(app)}
    return sorted(r.key for r in await rows(app, kind="poll") if polls.get(int(r.key.split(":")[1])) == "final")


async def _polls(app: App) -> list:  # type: ignore[type-arg]
    async with app.uow() as uow:
        return await uow.feedback.polls_of_program(workspace_id=1, program_id=1)


async def test_not_ending_gives_the_final_round_and_one_report_per_admin(app: App) -> None:
    """The issue's numbers without `program end`: 6 final invitations and 1 report."""
    program = await running_program(app, USERS)
    await say(app, "UADMIN", "status")  # a configured admin is written to once they are a member here
    await tick(app, LAST_SESSION + timedelta(hours=1))
    assert (await program_state(app, program)).state == ProgramState.RUNNING
    await tick(app, NATURAL_START + timedelta(minutes=1))
    fresh = await program_state(app, program)
    assert fresh.state == ProgramState.CLOSING and fresh.closing_started_at == NATURAL_START
    assert len(await _final_invitations(app)) == 6
    told = await rows(app, prefix="closing-told:")
    assert len(told) == 6 and all(r.due_at == NATURAL_START for r in told)
    await tick(app, FINAL_CLOSES)
    assert [r.target for r in await rows(app, kind="report")] == ["local:W1:user:UADMIN"]
    assert (await program_state(app, program)).state == ProgramState.CLOSED


async def test_ending_right_after_the_last_session_loses_nothing(app: App) -> None:
    """The issue's numbers with `program end` an hour after the last session: still 6 and 1 (it was 0 and 0)."""
    program = await running_program(app, USERS)
    await say(app, "UADMIN", "status")
    app.services.clock.set(LAST_SESSION + timedelta(hours=1))  # type: ignore[attr-defined]
    reply = text_of(await say(app, "UADMIN", "program end leadership"))
    assert "Leadership Circles is now closing (6 active members)" in reply and "Wed, 8 Apr 2026" in reply
    fresh = await program_state(app, program)
    assert fresh.state == ProgramState.CLOSING and fresh.closing_started_at == LAST_SESSION + timedelta(hours=1)
    await tick(app, LAST_SESSION + timedelta(hours=1, minutes=1))
    assert len(await _final_invitations(app)) == 6
    final = next(p for p in await _polls(app) if p.kind == "final")
    assert final.opens_at == LAST_SESSION + timedelta(hours=1)
    await tick(app, final.closes_at)
    assert len(await rows(app, kind="report")) == 1
    assert (await program_state(app, program)).state == ProgramState.CLOSED


async def test_ending_early_opens_the_final_round_at_once_and_stops_the_sessions(app: App) -> None:
    program = await running_program(app, USERS, circles=[USERS[:3], USERS[3:]])
    week5 = datetime(2026, 2, 4, 6, 0, tzinfo=UTC)  # after the fifth session
    await tick(app, week5 - timedelta(hours=3))
    app.services.clock.set(week5)  # type: ignore[attr-defined]
    assert "is now closing" in text_of(await say(app, "UADMIN", "program end leadership"))
    for hour in range(0, 24 * 7 * 3, 6):  # three weeks of ticks after the end
        await tick(app, week5 + timedelta(minutes=1, hours=hour))
    polls = {p.key: p for p in await _polls(app)}
    assert polls["final"].opens_at == week5 and polls["after"].opens_at == week5
    assert polls["final"].closes_at == week5 + timedelta(days=14)
    assert not [key for key in polls if key.startswith(("pulse", "midpoint")) and polls[key].opens_at >= week5]
    session_kinds = ("prompt", "reminder", "checkin", "flag")
    after = [r for kind in session_kinds for r in await rows(app, kind=kind) if r.created_at >= week5
             and r.last_error != "stale before it was planned"]  # old sessions' check-ins, noted as never sent
    assert after == []  # nothing session-related is planned once the program is closing
    told = await rows(app, prefix="closing-told:")
    assert len(told) == 6 and all(r.due_at == week5 for r in told)
    assert (await program_state(app, program)).state == ProgramState.CLOSED


async def test_members_are_told_at_the_start_in_their_language(app: App) -> None:
    await closing_program(app)
    await tick(app, NATURAL_START)
    by_target = {r.target: message(r).text for r in await rows(app, prefix="closing-told:")}
    assert len(by_target) == 6
    english, bahasa = by_target["local:W1:user:U2"], by_target["local:W1:user:U1"]
    assert "Leadership Circles has ended" in english and "final poll and your after-program self-assessment" in english
    assert "Wed, 8 Apr 2026, 12:00" in english and "personal summary" in english
    assert "Leadership Circles telah berakhir" in bahasa and "jajak pendapat akhir" in bahasa
    assert "Rab, 8 Apr 2026" in bahasa
    await tick(app, NATURAL_START + timedelta(hours=1))
    assert len(await rows(app, prefix="closing-told:")) == 6  # once each


async def test_one_reminder_a_week_in_to_those_who_have_not_answered(app: App, clock: ManualClock) -> None:
    await closing_program(app)
    await tick(app, NATURAL_START)
    await tick(app, NATURAL_START + timedelta(minutes=1))
    polls = {p.kind: p for p in await _polls(app)}
    clock.set(NATURAL_START + timedelta(days=1))
    for user in ("U2", "U3"):
        assert "Thank you!" in await answer_poll(app, user, polls["final"].id or 0, satisfaction=4, recommend=9)
    await submit(app, "U2", "feedback.assessment", {"skill_0": "4"}, state=str(polls["after"].id))
    await tick(app, NATURAL_START + timedelta(days=6))
    assert await rows(app, prefix="poll-reminder:") == []  # not yet
    week = NATURAL_START + timedelta(days=7)
    await tick(app, week)
    await tick(app, week + timedelta(hours=3))
    reminders = await rows(app, prefix="poll-reminder:")
    final = {r.target.rsplit(":", 1)[1] for r in reminders if r.key.startswith(f"poll-reminder:{polls['final'].id}:")}
    after = {r.target.rsplit(":", 1)[1] for r in reminders if r.key.startswith(f"poll-reminder:{polls['after'].id}:")}
    assert final == {"U1", "U4", "U5", "U6"} and after == {"U1", "U3", "U4", "U5", "U6"}
    assert all(r.stale_at == FINAL_CLOSES for r in reminders)
    text = message(next(r for r in reminders if r.target.endswith(":U4"))).text
    assert "Final poll closes on Wed, 8 Apr 2026" in text
    assert "Jajak pendapat akhir ditutup pada" in message(next(r for r in reminders if r.target.endswith(":U1"))).text


async def test_replanning_sends_each_once_and_nothing_after_closed(app: App) -> None:
    program = await closing_program(app)
    for at in (NATURAL_START, NATURAL_START + timedelta(minutes=1), FINAL_CLOSES, FINAL_CLOSES):
        await tick(app, at)
    counted = len(await rows(app))
    fresh = await program_state(app, program)
    assert fresh.state == ProgramState.CLOSED and fresh.closed_at == FINAL_CLOSES
    for days in (1, 8, 30):
        await tick(app, FINAL_CLOSES + timedelta(days=days))
    assert len(await rows(app)) == counted
    keys = [r.key for r in await rows(app)]
    assert len(keys) == len(set(keys))


async def test_a_program_found_long_after_its_end_is_closed_quietly(app: App) -> None:
    program = await closing_program(app)
    await tick(app, FINAL_CLOSES + timedelta(days=20))  # e.g. the scheduler was down for weeks
    assert (await program_state(app, program)).state == ProgramState.CLOSED
    assert await rows(app, kind="summary") == [] and await rows(app, prefix="closing-told:") == []
    admin = message((await rows(app, prefix="closing-admin:"))[0]).text
    assert "days before Lingkar could act on it" in admin


async def test_program_end_in_every_other_state(app: App, clock: ManualClock) -> None:
    enrolling = await make_program(app, name="Spring Circles", slug="spring", start_date=clock.now().date())
    for user in ("U1", "U2"):
        await enroll(app, user, enrolling)
    reply = text_of(await say(app, "UADMIN", "program end spring"))
    assert "had not started yet, so it is cancelled and closed. 2 people" in reply
    cancelled = await rows(app, prefix="cancelled:")
    assert sorted(r.target for r in cancelled) == ["local:W1:user:U1", "local:W1:user:U2"]
    assert "cancelled before it started" in message(cancelled[0]).text
    assert "already closed" in text_of(await say(app, "UADMIN", "program end spring"))
    await make_program(app, name="Draft", slug="draft", state=ProgramState.DRAFT)
    assert "0 people" in text_of(await say(app, "UADMIN", "program end draft"))
    await running_program(app, ["U3"])
    await say(app, "UADMIN", "program end leadership")
    again = text_of(await say(app, "UADMIN", "program end leadership"))
    assert "already closing: the final round closes on" in again
    assert "Only Lingkar admins" in text_of(await say(app, "U3", "program end leadership"))
