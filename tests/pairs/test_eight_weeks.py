"""Eight weeks of a reverse-mentoring pair on a manual clock, planned and delivered by the scheduler's own code:
prompts by stage without repeats, reminders with both zones, private check-ins at each side's local time,
a planning gap caught up once, and a pause respected."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger, Sent
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.sessions.prompt_library import prompts_for
from bot.sessions.scripts import default_script
from storage.tables import Delivery, DeliveryStatus, Pair
from tests.helpers import say, text_of
from tests.pairs.world import live_through, make_pair, pair_deliveries

JAKARTA, LONDON = ZoneInfo("Asia/Jakarta"), ZoneInfo("Europe/London")
# The program meets on Wednesdays at 10:00 in Jakarta from the week of 5 January 2026: eight meetings.
MEETINGS = [datetime.combine(date(2026, 1, 7) + timedelta(weeks=i), time(10), tzinfo=JAKARTA).astimezone(UTC)
            for i in range(8)]
GAP = (datetime(2026, 1, 19, tzinfo=UTC), datetime(2026, 1, 22, tzinfo=UTC))  # the scheduler was down: meeting 3
PAUSED_MEETING = 4  # the mentee is away that week
DM = "local:W1:user:"


def _ticks(start: datetime, end: datetime) -> list[datetime]:
    """Hourly at :30 on Tuesdays and Wednesdays (UTC), every six hours otherwise; nothing during the gap."""
    found = []
    moment = start.replace(minute=30)
    while moment < end:
        busy = moment.weekday() in (1, 2)
        if not GAP[0] <= moment < GAP[1] and (busy or moment.hour % 6 == 2):
            found.append(moment)
        moment += timedelta(hours=1)
    return found


async def test_an_eight_week_reverse_mentoring_pair(app: App, clock: ManualClock, local: LocalMessenger) -> None:
    pair = await make_pair(app, fmt="reverse", weeks=8, program_slot=True)  # the program's slot: London at 03:00
    ticks = _ticks(clock.now(), MEETINGS[-1] + timedelta(weeks=1, days=1))
    answered = await live_through(app, clock, local, ticks=ticks, pause_at=datetime(2026, 2, 2, tzinfo=UTC),
                                  pause="pause until 2026-02-05")

    space = pair.space
    sent = await pair_deliveries(app, status=DeliveryStatus.SENT)
    skipped = await pair_deliveries(app, status=DeliveryStatus.SKIPPED)

    # Prompts: the day before each meeting, in the pair's space, by stage from the reverse script (then the
    # pair_reverse family), never the same twice.
    prompts = [d for d in sent if d.kind == "pair_prompt"]
    assert [int(d.key.split(":")[2]) for d in prompts] == [0, 1, 3, 4, 5, 6, 7]
    assert {d.target for d in prompts} == {space}
    script = default_script("reverse")
    library = {p.in_locale("en") for p in [*script.prompts().values(), *prompts_for(family="pair_reverse")]}
    texts = [decode(d.payload).text.split("\n")[1] for d in prompts]
    assert set(texts) <= library and len(set(texts)) == len(texts)
    for delivery in prompts:
        meeting = MEETINGS[int(delivery.key.split(":")[2])]
        assert meeting - timedelta(days=1) <= delivery.sent_at < meeting  # type: ignore[operator]
    async with app.uow() as uow:
        rows = await uow.pair_running.prompts_of_pair(pair_id=pair.id or 0)
    assert [r.meeting_index for r in rows] == [0, 1, 3, 4, 5, 6, 7]
    assert len({r.prompt_id for r in rows}) == 7 and all(r.prompt_id.startswith(("reverse-", "pair_reverse-"))
                                                          for r in rows)
    assert rows[0].prompt_id == script.stage("orientation").prompts[0].id

    # Reminders: within the hour before each meeting, with the time in both sides' zones.
    reminders = [d for d in sent if d.kind == "pair_reminder"]
    assert [int(d.key.split(":")[2]) for d in reminders] == [0, 1, 3, 4, 5, 6, 7]
    for delivery in reminders:
        meeting = MEETINGS[int(delivery.key.split(":")[2])]
        assert delivery.target == space and meeting - timedelta(hours=1) <= delivery.sent_at < meeting  # type: ignore[operator]
        text = decode(delivery.payload).text
        assert "starts in an hour" in text and "https://meet.example/abc" in text
        assert f"Asia/Jakarta: {meeting.astimezone(JAKARTA):%a, %-d %b %Y}, 10:00" in text
        assert f"Europe/London: {meeting.astimezone(LONDON):%a, %-d %b %Y}, 03:00" in text
    # Meeting 3 fell in the gap: its prompt and reminder went stale and were noted once, never sent late.
    assert sorted(d.key for d in skipped if d.kind != "pair_checkin") == [
        f"pair-prompt:{pair.id}:2", f"pair-reminder:{pair.id}:2"]

    by_user = _check_checkins(pair, sent, skipped, ticks)
    # Nothing was sent twice to the platform either.
    sent_texts = Counter((s.target.key(), s.message.text) for s in local.sent)
    assert max(sent_texts.values()) == 1
    assert sorted(answered) == sorted((u, m) for u, ms in by_user.items() for m in ms)

    # Confidentiality: an answer reaches only its author (their own agenda's follow-up), never the space or the
    # other side.
    def leaks(s: Sent) -> bool:
        return any(f"{u}-SECRET" in s.message.text for u in ("MENTOR", "MENTEE") if s.target.key() != f"{DM}{u}")

    assert local.sent and not [s for s in local.sent if leaks(s)]
    assert [s for s in local.sent if s.target.key() == f"{DM}MENTEE" and "MENTEE-SECRET" in s.message.text]
    digest = text_of(await say(app, "UADMIN", "digest now"))
    assert "Pairs: 1 active · 0 never met · 0 at risk · 0 ended this week" in digest
    assert "SECRET" not in digest


def _check_checkins(pair: Pair, sent: list[Delivery], skipped: list[Delivery],
                    ticks: list[datetime]) -> dict[str, list[int]]:
    # Check-ins: each side by DM at their own local time (London's mentor at 09:00, the start of their day).
    checkins = [d for d in sent if d.kind == "pair_checkin"]
    by_user: dict[str, list[int]] = {}
    for delivery in checkins:
        user, number = delivery.target.rsplit(":", 1)[1], int(delivery.key.split(":")[2])
        by_user.setdefault(user, []).append(number)
        session = MEETINGS[number]
        if user == "MENTEE":
            assert delivery.due_at == session + timedelta(hours=1)  # 11:00 in Jakarta, inside working hours
        else:
            local_day = session.astimezone(LONDON).date()
            assert delivery.due_at == datetime.combine(local_day, time(9), tzinfo=LONDON).astimezone(UTC)
        if number == 2:  # caught up once after the gap, still in its window
            assert delivery.sent_at == min(t for t in ticks if t >= GAP[1])
        else:
            assert delivery.due_at <= delivery.sent_at < delivery.due_at + timedelta(hours=1)  # type: ignore[operator]
        assert "Your answers are private" in decode(delivery.payload).text
    # The mentor's check-in for the last meeting waits for 09:00 in London, after the closing phase began (two hours
    # after that meeting): check-ins of sessions held before it still go out during the closing phase.
    assert by_user == {"MENTOR": list(range(8)), "MENTEE": [0, 1, 2, 3, 5, 6, 7]}
    assert [(d.key, d.last_error) for d in skipped if d.kind == "pair_checkin"] == [
        (f"pair-checkin:{pair.id}:{PAUSED_MEETING}:{d.member_id}", "recipient paused")
        for d in skipped if d.kind == "pair_checkin"] and len([d for d in skipped if d.kind == "pair_checkin"]) == 1
    return by_user
