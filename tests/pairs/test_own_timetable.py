"""Issue 15 §0 for pairs: a pair meets on its own timetable, inside both sides' working hours, and everything it
receives (welcome, prompts and agendas, reminders, check-ins, `pair info`) follows that timetable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import col, select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.calendar import group_timetable
from bot.kernel.clock import ManualClock
from bot.kernel.message_codec import decode
from bot.kernel.timetable import stretch_from
from bot.pairs.agenda import meeting_stage
from bot.pairs.scope import PairRun
from bot.sessions.timing import in_working_hours
from storage.tables import Delivery, Member, Pair, Program
from tests.helpers import actor, deliver_due, form_of, plan, press, say, text_of
from tests.pairs.world import make_pair, pair_deliveries

# The program: Wednesdays 10:00 Jakarta (03:00 in London), eight weeks from Monday 5 January 2026.
PROGRAM_FIRST = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
# London 09-17 and Jakarta 09-17 share one hour (Jakarta 16-17): the pair's meetings move to Tuesday 16:00 Jakarta.
OWN_FIRST = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)
HOURS_9_17 = {"work_start_hour": "9", "work_end_hour": "17"}


async def _loaded(app: App, pair_id: int) -> tuple[Pair, Program, Member, Member]:
    async with app.uow() as uow:
        pair = next(p for p in await uow.pairs.of_program(workspace_id=1, program_id=1, active_only=False)
                    if p.id == pair_id)
        program = await uow.programs.get(workspace_id=1, program_id=pair.program_id)
        people = {m.id: m for m in await uow.members.many(
            workspace_id=1, member_ids=[pair.mentor_member_id, pair.mentee_member_id])}
    assert program is not None
    return pair, program, people[pair.mentor_member_id], people[pair.mentee_member_id]


async def _by_key(app: App, prefix: str) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(col(Delivery.key).startswith(prefix))
                                            .order_by(col(Delivery.id)))).all())


async def _plan_at(app: App, moments: list[datetime]) -> None:
    for moment in moments:
        await plan(app.services.uow, now=moment, config=app.services.config)


async def test_a_reverse_pair_in_london_and_jakarta_meets_inside_both_sides_hours(
        app: App, clock: ManualClock, local: LocalMessenger) -> None:
    made = await make_pair(app, fmt="reverse", mentee_profile=HOURS_9_17)
    pair, program, mentor, mentee = await _loaded(app, made.id or 0)
    own = group_timetable(program, pair)
    assert pair.schedule and own.moment(0) == OWN_FIRST and own.count() == 8
    for moment in own.times():  # every meeting inside both sides' hours; the program's slot was inside neither's
        assert in_working_hours(mentor, moment, fallback="UTC") and in_working_hours(mentee, moment, fallback="UTC")
    assert not in_working_hours(mentor, PROGRAM_FIRST, fallback="UTC")
    assert await _by_key(app, f"pair-outside:{pair.id}") == []  # nobody is told: the slot suits both
    # The welcome in the pair's space states the pair's own time in each side's zone.
    clock.set(clock.now() + timedelta(minutes=1))
    await deliver_due(app, local)
    welcome = decode((await _by_key(app, f"pair-welcome:{pair.id}"))[0].payload).text
    assert "Tuesday at 16:00 WIB · Tuesday at 09:00 GMT, every week" in welcome, welcome
    assert "Wednesday" not in welcome

    # Prompts (with each side's agenda) a day ahead, reminders an hour ahead, check-ins after: at the pair's times.
    await _plan_at(app, [OWN_FIRST - timedelta(hours=23), OWN_FIRST - timedelta(minutes=30),
                         OWN_FIRST + timedelta(hours=1, minutes=5), OWN_FIRST + timedelta(hours=20),
                         OWN_FIRST + WEEK - timedelta(hours=23), OWN_FIRST + WEEK - timedelta(minutes=30)])
    rows = await pair_deliveries(app, kinds=("pair_prompt", "pair_agenda", "pair_reminder", "pair_checkin"))
    due = {(r.kind, int(r.key.split(":")[2])) for r in rows}
    assert due >= {("pair_prompt", 0), ("pair_agenda", 0), ("pair_reminder", 0), ("pair_checkin", 0),
                   ("pair_prompt", 1), ("pair_reminder", 1)}
    for row in rows:
        meeting = own.moment(int(row.key.split(":")[2]))
        at = row.due_at.replace(tzinfo=UTC)
        if row.kind in ("pair_prompt", "pair_agenda"):
            assert at == meeting - timedelta(days=1), row.key
        elif row.kind == "pair_reminder":
            assert at == meeting - timedelta(hours=1), row.key
        else:  # in each side's working hours, after the meeting and before the next one
            assert meeting + timedelta(hours=1) <= at < meeting + WEEK, row.key
    reminder = next(decode(r.payload).text for r in rows if r.kind == "pair_reminder")
    assert "Tue, 6 Jan 2026, 16:00" in reminder and "Tue, 6 Jan 2026, 09:00" in reminder, reminder

    # The check-in of meeting 1 opens at the pair's own meeting, a day before the program's slot would have.
    clock.set(OWN_FIRST + timedelta(hours=2))
    assert form_of(await press(app, "MENTEE", f"pair_checkin.open:{pair.id}.0")).form.state == f"{pair.id}.0"
    info = text_of(await say(app, "MENTOR", "pair info"))
    assert "Your next meeting: Tue, 13 Jan 2026, 09:00" in info, info
    home = (await app.core.home(actor("MENTEE"))).text  # the mentee's own zone: Jakarta
    assert "Next pair meeting" in home and "Tue, 13 Jan 2026, 16:00" in home, home


async def test_a_pair_whose_program_slot_fits_keeps_the_program_wide_schedule(app: App) -> None:
    made = await make_pair(app, fmt="one_on_one", mentor_zone="Asia/Singapore", mentee_zone="Asia/Jakarta")
    pair, program, _, _ = await _loaded(app, made.id or 0)
    assert pair.schedule == []
    assert group_timetable(program, pair).moment(0) == PROGRAM_FIRST
    assert await _by_key(app, f"pair-outside:{pair.id}") == []


async def test_a_side_who_still_meets_outside_their_hours_is_told_in_their_language_and_the_admin_warned(
        app: App) -> None:
    # Jakarta 09-17 and Los Angeles 09-17 share no hour: the program's slot suits the mentor and is kept.
    made = await make_pair(app, fmt="one_on_one", mentor_zone="Asia/Jakarta", mentee_zone="America/Los_Angeles",
                           mentor_profile=HOURS_9_17, mentee_profile={**HOURS_9_17, "locale": "id"})
    pair, _, mentor, mentee = await _loaded(app, made.id or 0)
    assert pair.schedule == []
    told = await _by_key(app, f"pair-outside:{pair.id}")
    by_target = {row.target: decode(row.payload).text for row in told}
    assert set(by_target) == {"local:W1:user:MENTEE", "local:W1:user:UADMIN"}  # not the mentor: it suits them
    side = by_target["local:W1:user:MENTEE"]
    # Wednesday 10:00 in Jakarta is Tuesday 19:00 in Los Angeles: in the mentee's zone, in Bahasa Indonesia.
    assert "Selasa pukul 19:00 PST waktu Anda" in side and "di luar jam kerja Anda (09:00–17:00)" in side
    assert "`kesepakatan`" in side and mentor.name in side
    admin = by_target["local:W1:user:UADMIN"]
    assert f"{mentee.name} (09:00–17:00, America/Los_Angeles)" in admin and "Asia/Jakarta)," not in admin
    assert "`agreement`" in admin and "`pair set leadership-circles @mentor @mentee`" in admin
    assert "Their meetings: Wednesday at 10:00 WIB · Tuesday at 19:00 PST" in admin, admin


async def test_an_agreed_biweekly_slot_from_meeting_3_moves_its_meetings_stages_and_check_in_windows(
        app: App, clock: ManualClock) -> None:
    made = await make_pair(app, fmt="reverse", mentee_profile=HOURS_9_17)
    pair, program, mentor, mentee = await _loaded(app, made.id or 0)
    agreed_at = OWN_FIRST + WEEK + timedelta(days=1)  # after meeting 2 (13 Jan) started
    stretch = stretch_from(group_timetable(program, pair), now=agreed_at, weekday=4, at=time(9), zone="Europe/London",
                           every_weeks=2)
    assert stretch.start == 2 and stretch.first_day == date(2026, 1, 16)
    async with app.uow() as uow:
        pair.schedule = [*pair.schedule, stretch.to_json()]
        uow.pairs.add(pair)
        await uow.commit()
    own = group_timetable(program, pair)
    fridays = [datetime(2026, 1, 16, 9, tzinfo=UTC), datetime(2026, 1, 30, 9, tzinfo=UTC),
               datetime(2026, 2, 13, 9, tzinfo=UTC)]  # the program's last session is 25 Feb: none after it
    assert own.times() == [OWN_FIRST, OWN_FIRST + WEEK, *fridays]
    run = PairRun(pair=pair, program=program, mentor=mentor, mentee=mentee)
    assert [meeting_stage(run, i) for i in range(5)] == [
        "orientation", "goal_setting", "midpoint_review", "implementation", "reflection_closing"]

    # Reminders go an hour before the new Fridays; none at the old Tuesday times.
    await _plan_at(app, [agreed_at, *(f - timedelta(minutes=30) for f in fridays),
                         OWN_FIRST + 2 * WEEK - timedelta(minutes=30)])
    reminders = await pair_deliveries(app, kinds=("pair_reminder",))
    later = {int(r.key.split(":")[2]): r.due_at.replace(tzinfo=UTC) for r in reminders}
    assert {i: later[i] for i in (2, 3, 4)} == {2 + n: f - timedelta(hours=1) for n, f in enumerate(fridays)}

    # Meeting 2's check-in closes when meeting 3 starts on Friday 16 Jan, not on the old Tuesday the 20th.
    clock.set(datetime(2026, 1, 15, 12, tzinfo=UTC))
    assert form_of(await press(app, "MENTOR", f"pair_checkin.open:{pair.id}.1")).form.state == f"{pair.id}.1"
    clock.set(datetime(2026, 1, 17, 12, tzinfo=UTC))
    assert "is not open" in text_of(await press(app, "MENTOR", f"pair_checkin.open:{pair.id}.1"))
    # ... and meeting 3's is open already: under the old slot it would not start until the 20th.
    assert form_of(await press(app, "MENTOR", f"pair_checkin.open:{pair.id}.2")).form.state == f"{pair.id}.2"
