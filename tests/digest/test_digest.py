"""The admin digest: its figures, its chart, and when it is due (SQLite and PostgreSQL)."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

from adapters.bootstrap import App
from bot.digest.planner import plan_digest
from bot.feedback.planner import plan_feedback
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from storage.tables import CheckIn, Delivery, DeliveryStatus, Program, SessionLog
from tests.feedback.support import answer_poll, deliveries, run, running_program
from tests.helpers import member_id, planners, say, submit, text_of

MONDAY = datetime(2026, 1, 26, 2, 0, tzinfo=UTC)  # Monday 26 January, 09:00 in Jakarta
PULSE_2 = datetime(2026, 1, 21, 5, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def leave(app: App, user: str, program: Program) -> None:
    replies = await submit(app, user, "leave", {"reason": ""}, state=str(program.id))
    assert "left" in text_of(replies), replies


async def busy_program(app: App, clock: ManualClock) -> Program:
    """Circle A (U1-U4) met three times; circle B (U5, U6) never logged a session and is below the minimum;
    U3 is paused, U7 left; three of circle A answered the week-3 pulse poll, unhappily."""
    users = [f"U{i}" for i in range(1, 8)]
    program = await running_program(app, users, circles=[users[:4], users[4:6]], pulse_every_weeks=2)
    await say(app, "UADMIN", "status")  # a configured admin gets DMs only where they are a member
    await leave(app, "U7", program)
    ids = {user: await member_id(app, user) for user in users}
    async with app.uow() as uow:
        paused = await uow.enrollments.get(workspace_id=1, program_id=program.id or 0, member_id=ids["U3"])
        assert paused is not None
        paused.paused_until = date(2026, 2, 28)
        uow.session.add(paused)
        for index, came in ((0, ["U1", "U2", "U3"]), (1, ["U1", "U2", "U4"]), (2, ["U1", "U2"])):
            uow.session.add(SessionLog(workspace_id=1, program_id=program.id or 0, circle_id=1, session_index=index,
                                       attendee_member_ids=[ids[u] for u in came], outcomes="Good talk",
                                       created_at=MONDAY, updated_at=MONDAY))
        for user in ("U1", "U2"):
            uow.session.add(CheckIn(workspace_id=1, program_id=program.id or 0, circle_id=1, member_id=ids[user],
                                    session_index=2, attended=True, usefulness=4, created_at=MONDAY,
                                    updated_at=MONDAY))
        for kind, due in (("prompt", MONDAY - timedelta(days=2)), ("poll", MONDAY - timedelta(days=1)),
                          ("prompt", MONDAY - timedelta(days=9))):  # the last one is from the week before
            uow.session.add(Delivery(workspace_id=1, key=f"failed:{kind}:{due.isoformat()}", kind=kind,
                                     target="local:W1:user:U1", status=DeliveryStatus.FAILED, due_at=due,
                                     created_at=due))
        await uow.commit()
    clock.set(PULSE_2)
    assert await run(app, plan_feedback, PULSE_2) == 5  # everyone active, not U3 (paused) or U7 (left)
    for user, (satisfaction, recommend) in (("U1", (2, 5)), ("U2", (2, 6)), ("U4", (3, 9))):
        await answer_poll(app, user, 1, satisfaction=satisfaction, recommend=recommend)
    return program


async def test_digest_figures_on_monday_morning(app: App, clock: ManualClock) -> None:
    await busy_program(app, clock)
    assert await run(app, plan_digest, MONDAY) == 1
    digest = (await deliveries(app, kind="digest"))[0]
    assert digest.target == "local:W1:user:UADMIN" and digest.due_at == MONDAY
    assert digest.key == "digest:1:UADMIN:2026-W05"
    text = decode(digest.payload).text
    assert "Lingkar weekly digest, 19\u2009–\u200925 Jan 2026" in text  # the days it covers, not "2026-W05"
    assert "Members: 6 enrolled, 5 active, 1 paused, 1 left" in text
    assert "Circles that met: 1 of 2" in text  # only circle A logged the session of 21 January
    assert "Attendance: 67%" in text  # 2 of circle A's 3 members who are not paused came
    assert "Check-ins answered: 40%" in text  # 2 of the 5 members who are not paused answered
    # The poll closes on Wednesday: until then the count and the rate, no figure and no rating flag.
    assert ("Feedback: Pulse poll (week 3): 3 answers so far; results when the poll closes "
            "(Wed, 28 Jan 2026, 12:00 WIB) · response rate 60%") in text
    assert "satisfaction" not in text and "low satisfaction" not in text
    assert "Circles that need attention (1):" in text
    assert "• Circle B: no session logged for two weeks; below the minimum size (2 of 3)" in text
    assert "2 messages could not be delivered this week (poll: 1, prompt: 1)." in text
    assert "No figures from last week to compare with yet." in text


async def test_trend_against_last_week(app: App, clock: ManualClock) -> None:
    program = await busy_program(app, clock)
    await run(app, plan_digest, MONDAY)
    clock.set(MONDAY + timedelta(days=3))
    await leave(app, "U4", program)  # after the poll closed: U4's answer still counts
    next_monday = MONDAY + timedelta(days=7)
    assert await run(app, plan_digest, next_monday) == 1
    text = decode((await deliveries(app, kind="digest"))[1].payload).text
    assert "Members: 5 (-1) enrolled, 4 (-1) active, 1 paused, 2 (+1) left" in text
    assert ("Feedback: Pulse poll (week 3): 3 answers, satisfaction 2.3/5, would recommend 6.7/10 (NPS -33) "
            "· response rate 60%") in text
    assert "• Circle A: low satisfaction in the latest closed poll" in text
    assert "vs last week" not in text  # last week's digest had no published satisfaction to compare with
    assert "No figures from last week" not in text
    assert await run(app, plan_digest, next_monday + timedelta(days=7)) == 1
    text = decode((await deliveries(app, kind="digest"))[2].payload).text
    assert "satisfaction +0.0 vs last week" in text


async def test_chart_is_a_png_sent_as_an_image(app: App, clock: ManualClock) -> None:
    await busy_program(app, clock)
    await run(app, plan_digest, MONDAY)
    chart = (await deliveries(app, kind="digest_chart"))[0]
    assert chart.key == "digest-chart:1:UADMIN:2026-W05" and chart.target == "local:W1:user:UADMIN"
    assert decode(chart.payload).text == "Participation per week"
    png = chart.image or b""
    assert png[:8] == PNG_SIGNATURE and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == 1080 and height > 900 and len(png) > 10_000  # phone-wide: one program's panel, portrait


async def test_digest_now_for_admins_only(app: App, clock: ManualClock) -> None:
    await busy_program(app, clock)
    clock.set(MONDAY + timedelta(days=2))
    assert "Only Lingkar admins" in text_of(await say(app, "U1", "digest now"))
    text = text_of(await say(app, "UADMIN", "digest now"))
    assert "Lingkar weekly digest, 21\u2009–\u200927 Jan 2026" in text and "Members: 6 enrolled, 5 active" in text
    charts = await deliveries(app, kind="digest_chart")
    assert len(charts) == 1 and (charts[0].image or b"")[:8] == PNG_SIGNATURE
    assert await deliveries(app, kind="digest") == []  # on demand: the answer, not a weekly delivery
    assert app.core.is_slow("digest now") and app.core.is_slow("export leadership")
    assert plan_digest in planners()


async def _admins_in_two_zones(app: App) -> None:
    await running_program(app, ["U1"])
    await say(app, "UADMIN", "status")
    await say(app, "UEU", "status")
    assert "is now a Lingkar admin" in text_of(await say(app, "UADMIN", "admin add <@UEU>"))
    async with app.uow() as uow:
        european = await uow.members.by_external_id(workspace_id=1, external_id="UEU")
        assert european is not None
        european.timezone = "Europe/Amsterdam"
        uow.members.add(european)
        await uow.commit()


async def test_due_once_a_week_at_nine_on_monday_in_each_admins_zone(app: App) -> None:
    await _admins_in_two_zones(app)
    first_seen: dict[str, datetime] = {}
    tick = datetime(2026, 3, 15, 0, 0, tzinfo=UTC)  # Europe moves its clocks on Sunday 29 March
    while tick < datetime(2026, 4, 7, 0, 0, tzinfo=UTC):
        await run(app, plan_digest, tick)
        for delivery in await deliveries(app, kind="digest"):
            first_seen.setdefault(delivery.key, tick)
        tick += timedelta(hours=1)
    rows = {d.key: d.due_at for d in await deliveries(app, kind="digest")}
    jakarta = {f"digest:1:UADMIN:2026-W{w}": datetime(2026, 3, d, 2, 0, tzinfo=UTC)
               for w, d in ((12, 16), (13, 23), (14, 30))} | {
        "digest:1:UADMIN:2026-W15": datetime(2026, 4, 6, 2, 0, tzinfo=UTC)}
    amsterdam = {"digest:1:UEU:2026-W12": datetime(2026, 3, 16, 8, 0, tzinfo=UTC),  # 09:00 CET
                 "digest:1:UEU:2026-W13": datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
                 "digest:1:UEU:2026-W14": datetime(2026, 3, 30, 7, 0, tzinfo=UTC),  # 09:00 CEST
                 "digest:1:UEU:2026-W15": datetime(2026, 4, 6, 7, 0, tzinfo=UTC)}
    assert rows == jakarta | amsterdam
    assert first_seen == rows  # planned at the first tick at or after nine, never before
    # A program of one member has no circle, so nothing was held: the digest says so in a sentence and no chart of
    # empty axes follows it.
    assert await deliveries(app, kind="digest_chart") == []
    assert all("No chart this week" in decode(d.payload).text for d in await deliveries(app, kind="digest"))


async def test_configured_admins_get_digests_only_where_they_are_members(app: App) -> None:
    await running_program(app, ["U1"])
    assert await run(app, plan_digest, MONDAY) == 0  # LINGKAR_ADMINS=UADMIN, who never wrote in workspace W1
    await say(app, "UADMIN", "status")
    assert await run(app, plan_digest, MONDAY) == 1


async def test_catch_up_once_after_a_short_gap_skip_after_a_long_one(app: App) -> None:
    await _admins_in_two_zones(app)
    sunday = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
    assert await run(app, plan_digest, sunday) == 0
    tuesday = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)  # the scheduler was down all Monday
    assert await run(app, plan_digest, tuesday) == 2
    assert await run(app, plan_digest, tuesday + timedelta(hours=5)) == 0
    assert {d.due_at for d in await deliveries(app, kind="digest")} == {
        datetime(2026, 3, 16, 2, 0, tzinfo=UTC), datetime(2026, 3, 16, 8, 0, tzinfo=UTC)}
    thursday = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)  # down from Sunday 22 to Thursday 26: too late
    assert await run(app, plan_digest, thursday) == 0
    assert await run(app, plan_digest, datetime(2026, 3, 30, 7, 0, tzinfo=UTC)) == 2
