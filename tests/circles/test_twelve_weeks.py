"""Twelve weeks of three running circles on a manual clock: every prompt, reminder and check-in exactly once,
at the right local time (London and New York across their March DST change, and Jakarta)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot import circles as running
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action
from bot.kernel.message_codec import decode
from storage.tables import Delivery, DeliveryStatus, PromptStatus
from tests import helpers
from tests.circles.world import Person, World, build_circle, deliveries
from tests.helpers import actor, deliver_due, form_of, plan, say, submit, text_of

START = date(2026, 2, 2)  # a Monday; both DST changes (8 March in New York, 29 March in London) fall inside
HOUR = timedelta(hours=1)
LONDON, JAKARTA, NEW_YORK = "Europe/London", "Asia/Jakarta", "America/New_York"

# London (channel check-ins): who answers which session's check-in.
LONDON_ANSWERS = {
    "L1": set(range(12)),
    "L2": {s for s in range(12) if s % 3 == 0},  # never three misses in a row
    "L3": set(range(12)),
    "L4": set(),  # never: flagged once
    "L5": {0, 1, 5, 9, 10, 11},  # misses 2-4 and 6-8: two streaks, two flags
}


def sessions(zone: str, weekday: int, at: time) -> list[datetime]:
    """Independent of bot.kernel.calendar: the meeting weekday's wall-clock time, week after week."""
    first = START + timedelta(days=(weekday - START.weekday()) % 7)
    return [datetime.combine(first + timedelta(weeks=i), at, tzinfo=ZoneInfo(zone)) for i in range(12)]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


async def _answer(app: App, user: str, circle_id: int, session: int) -> None:
    opened = form_of(await app.core.handle(Action(actor(user), f"checkin.open:{circle_id}.{session}")))
    reply = await submit(app, user, opened.form.form_id, {"attended": "yes", "usefulness": "4",
                                                          "progress": f"week {session}"}, state=opened.form.state)
    assert "is saved" in text_of(reply) or "sudah tersimpan" in text_of(reply), reply  # N3 reads Indonesian


def _ticks(start: datetime, end: datetime) -> list[datetime]:
    """Every 7 h 53 min (prompts, check-ins and flags catch up at the next tick), and hourly at :07 from three
    hours before to three hours after each session, where reminders have their one-hour window."""
    moments: set[datetime] = set()
    moment = start
    while moment < end:
        moments.add(moment)
        moment += timedelta(hours=7, minutes=53)
    for zone, weekday, at in ((LONDON, 0, time(9, 30)), (JAKARTA, 2, time(10, 0)), (NEW_YORK, 1, time(16, 0))):
        for session in sessions(zone, weekday, at):
            hour = utc(session).replace(minute=7)
            moments.update(hour + k * HOUR for k in range(-3, 4))
    return sorted(moments)


async def test_twelve_weeks_of_running_circles(app: App, local: LocalMessenger, clock: ManualClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    clock.set(datetime(2026, 1, 30, 0, 7, tzinfo=UTC))
    london = await build_circle(app, slug="london", timezone=LONDON, weekday=0, at="09:30", start=START,
                                moderator="L1", people=[Person("L1", LONDON, work=(10, 18)),
                                                        *(Person(f"L{i}", LONDON) for i in range(2, 6))])
    jakarta = await build_circle(app, slug="jakarta", timezone=JAKARTA, weekday=2, at="10:00", start=START,
                                 moderator="J1", checkins_by_dm=True,
                                 people=[Person("J1"), Person("J2"), Person("J3"), Person("J4", LONDON)])
    new_york = await build_circle(app, slug="newyork", timezone=NEW_YORK, weekday=1, at="16:00", start=START,
                                  moderator="N1", people=[Person("N1", NEW_YORK), Person("N2", NEW_YORK),
                                                          Person("N3", JAKARTA, locale="id")])
    monkeypatch.setattr(helpers, "PLANNERS", running.RUNNING_PLANNERS)  # only ours: the others have own tests
    pause_at, paused_through = datetime(2026, 2, 16, 3, 0, tzinfo=UTC), date(2026, 3, 1)
    paused = False
    previous, seen = clock.now(), 0
    for now in _ticks(clock.now(), datetime(2026, 5, 1, tzinfo=UTC)):
        clock.set(now)
        if not paused and now >= pause_at:
            assert "Paused until 1 Mar 2026" in text_of(await say(app, "J3", f"pause until {paused_through}"))
            paused = True
        await plan(app.uow, now=now, config=app.services.config)
        for row in await deliveries(app, after_id=seen):
            # Queued at the first tick after it fell due: never early, never late.
            assert previous < row.due_at <= now, (row.key, row.due_at, previous, now)
            seen = row.id or 0
        for row in await deliver_due(app, local):
            if row.kind == "checkin":
                await _answer_checkin(app, row, london, jakarta, new_york)
        previous = now

    rows = await deliveries(app)
    by_key = {row.key: row for row in rows}
    assert len(by_key) == len(rows)  # one delivery per idempotency key

    await _check_prompts(app, rows, london, jakarta, new_york)
    _check_reminders(by_key, london, jakarta, new_york)
    _check_checkins(by_key, london, jakarta, new_york)
    _check_flags(rows, london, jakarta)
    # Everything planned was sent once, except the paused member's check-ins.
    skipped = sorted(row.key for row in rows if row.status == DeliveryStatus.SKIPPED)
    j3 = jakarta.members["J3"]
    assert skipped == [f"checkin:{jakarta.circle_id}:2:{j3}", f"checkin:{jakarta.circle_id}:3:{j3}"]
    assert all(row.status == DeliveryStatus.SENT for row in rows if row.key not in skipped)
    sent_counts = Counter((s.target.key(), s.message.text) for s in local.sent)
    assert max(sent_counts.values()) == 1
    # The circle was told nothing about the pause.
    for message in local.to("circle-jakarta", kind="space"):
        assert "Name J3" not in message.text and "pause" not in message.text.lower()


async def _answer_checkin(app: App, row: Delivery, *worlds: World) -> None:
    parts = row.key.split(":")
    circle_id, session = int(parts[1]), int(parts[2])
    london, jakarta, new_york = worlds
    if circle_id == london.circle_id:
        for user, answered in LONDON_ANSWERS.items():
            if session in answered:
                await _answer(app, user, circle_id, session)
    elif circle_id == new_york.circle_id:
        for user in new_york.members:
            await _answer(app, user, circle_id, session)
    else:
        user = next(u for u, mid in jakarta.members.items() if mid == row.member_id)
        if user != "J2":  # J2 never answers a check-in DM: flagged once
            await _answer(app, user, circle_id, session)


async def _check_prompts(app: App, rows: list[Delivery], *worlds: World) -> None:
    london, jakarta, new_york = worlds
    setups = ((london, LONDON, 0, time(9, 30)), (jakarta, JAKARTA, 2, time(10, 0)),
              (new_york, NEW_YORK, 1, time(16, 0)))
    for world, zone, weekday, at in setups:
        prompts = [r for r in rows if r.kind == "prompt" and r.target == world.space]
        expected = [utc(datetime.combine(s.date() - timedelta(days=1), at, tzinfo=ZoneInfo(zone)))
                    for s in sessions(zone, weekday, at)]
        assert [r.due_at for r in prompts] == expected
        assert [r.key for r in prompts] == [f"prompt:{world.circle_id}:{i}" for i in range(12)]
        texts = [decode(r.payload).text.splitlines()[1] for r in prompts]
        assert len(set(texts)) == 12 and all(texts)  # never a repeated prompt in a circle
        async with app.uow() as uow:
            used = await uow.running.prompts_of_circle(circle_id=world.circle_id)
        assert sorted(p.session_index or 0 for p in used if p.status == PromptStatus.POSTED) == list(range(12))
        assert all(p.status == PromptStatus.POSTED for p in used)  # nothing assigned and left over
    london_prompts = [r.due_at for r in rows if r.kind == "prompt" and r.target == london.space]
    # Same Sunday 09:30 on the wall clock, a different UTC hour once British Summer Time starts.
    assert {d.astimezone(ZoneInfo(LONDON)).strftime("%a %H:%M") for d in london_prompts} == {"Sun 09:30"}
    assert {d.strftime("%H:%M") for d in london_prompts} == {"09:30", "08:30"}
    new_york_prompts = [r.due_at for r in rows if r.kind == "prompt" and r.target == new_york.space]
    assert {d.astimezone(ZoneInfo(NEW_YORK)).strftime("%a %H:%M") for d in new_york_prompts} == {"Mon 16:00"}
    assert {d.strftime("%H:%M") for d in new_york_prompts} == {"21:00", "20:00"}
    jakarta_prompts = [r.due_at for r in rows if r.kind == "prompt" and r.target == jakarta.space]
    assert {d.strftime("%a %H:%M") for d in jakarta_prompts} == {"Tue 03:00"}  # no DST in Jakarta


def _check_reminders(by_key: dict[str, Delivery], *worlds: World) -> None:
    london, jakarta, new_york = worlds
    for world, zone, weekday, at in ((london, LONDON, 0, time(9, 30)), (jakarta, JAKARTA, 2, time(10, 0)),
                                     (new_york, NEW_YORK, 1, time(16, 0))):
        for i, moment in enumerate(sessions(zone, weekday, at)):
            row = by_key[f"reminder:{world.circle_id}:{i}"]
            assert row.due_at == utc(moment) - HOUR and row.target == world.space
            assert "https://meet.example/abc" in decode(row.payload).text
    first = decode(by_key[f"reminder:{jakarta.circle_id}:0"].payload).text
    # Each member's zone: Jakarta for most, London for J4; nobody is named.
    assert "Asia/Jakarta: Wed, 4 Feb 2026, 10:00" in first
    assert "Europe/London: Wed, 4 Feb 2026, 03:00 GMT" in first
    assert "Name " not in first
    after_dst = decode(by_key[f"reminder:{jakarta.circle_id}:8"].payload).text
    assert "Europe/London: Wed, 1 Apr 2026, 04:00 BST" in after_dst


def _check_checkins(by_key: dict[str, Delivery], *worlds: World) -> None:
    london, jakarta, new_york = worlds
    for world, zone, weekday, at in ((london, LONDON, 0, time(9, 30)), (new_york, NEW_YORK, 1, time(16, 0))):
        for i, moment in enumerate(sessions(zone, weekday, at)):
            row = by_key[f"checkin:{world.circle_id}:{i}"]
            assert row.due_at == utc(moment) + HOUR and row.target == world.space
            message = decode(row.payload)
            assert any(getattr(b, "buttons", None) for b in message.blocks)
    for i, moment in enumerate(sessions(JAKARTA, 2, time(10, 0))):
        for user in ("J1", "J2", "J3"):
            row = by_key[f"checkin:{jakarta.circle_id}:{i}:{jakarta.members[user]}"]
            assert row.due_at == utc(moment) + HOUR and row.target == f"local:W1:user:{user}"
        # J4 lives in London: the DM waits for 09:00 there, the morning of the session day.
        j4 = by_key[f"checkin:{jakarta.circle_id}:{i}:{jakarta.members['J4']}"]
        assert j4.due_at.astimezone(ZoneInfo(LONDON)).strftime("%H:%M") == "09:00"
        assert j4.due_at.astimezone(ZoneInfo(LONDON)).date() == moment.date()
        text = decode(by_key[f"checkin:{jakarta.circle_id}:{i}:{jakarta.members['J1']}"].payload).text
        assert "goal set" in text  # no goal yet: the check-in invites one


def _check_flags(rows: list[Delivery], london: World, jakarta: World) -> None:
    flags = sorted((r.key, r.due_at, r.target) for r in rows if r.kind == "flag")
    london_zone = ZoneInfo(LONDON)

    def at(day: date, hh: int, mm: int, zone: ZoneInfo) -> datetime:
        return utc(datetime.combine(day, time(hh, mm), tzinfo=zone))

    c, j = london.circle_id, jakarta.circle_id
    l4, l5, j2 = london.members["L4"], london.members["L5"], jakarta.members["J2"]
    expected = sorted([
        # L4 missed sessions 1-3; the third window closed when session 4 started (Mon 23 Feb, 09:30 London).
        (f"missed:{c}:{l4}:0:L1", at(date(2026, 2, 23), 10, 0, london_zone), "local:W1:user:L1"),  # L1 works 10-18
        (f"missed:{c}:{l4}:0:UADMIN", at(date(2026, 2, 23), 9, 30, london_zone), "local:W1:user:UADMIN"),
        (f"missed:{c}:{l5}:2:L1", at(date(2026, 3, 9), 10, 0, london_zone), "local:W1:user:L1"),
        (f"missed:{c}:{l5}:2:UADMIN", at(date(2026, 3, 9), 9, 30, london_zone), "local:W1:user:UADMIN"),
        (f"missed:{c}:{l5}:6:L1", at(date(2026, 4, 6), 10, 0, london_zone), "local:W1:user:L1"),  # BST by then
        (f"missed:{c}:{l5}:6:UADMIN", at(date(2026, 4, 6), 9, 30, london_zone), "local:W1:user:UADMIN"),
        (f"missed:{j}:{j2}:0:J1", at(date(2026, 2, 25), 10, 0, ZoneInfo(JAKARTA)), "local:W1:user:J1"),
        (f"missed:{j}:{j2}:0:UADMIN", at(date(2026, 2, 25), 10, 0, ZoneInfo(JAKARTA)), "local:W1:user:UADMIN"),
    ])
    assert flags == expected
    text = decode(next(r for r in rows if r.key == f"missed:{c}:{l4}:0:L1").payload).text
    assert "Name L4" in text and "3 check-ins in a row" in text and "sessions 1, 2, 3" in text
