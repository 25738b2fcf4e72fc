"""Issue 15's "Done when": an eight-week reverse pair and a twelve-week circle agree how they meet at their first
session and then run through every stage on the agreed cadence. The real planners and deliverer run hourly on a
manual clock; each person's prompt, agenda or kit, reminder and check-in is checked in their own language at the
agreed times (computed here, not by bot.kernel.calendar), and each person's .ics is parsed before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import FormValue
from bot.kernel.i18n import ordinal, translate
from bot.sessions.scripts import default_script, prompt_by_id
from storage.tables import Circle, Delivery, Pair, Program
from tests.agreements.support import agreement_messages, buttons_of, confirm_button, schedule_of
from tests.circles.world import Person, World, build_circle
from tests.helpers import form_of, press, say, submit, text_of
from tests.pairs.world import answer, checkin_button, make_pair
from tests.scenario.stages_world import (
    HOUR,
    calendars,
    held,
    hourly,
    index_of,
    live,
    on_time,
    sent,
    set_locale,
    text,
    to,
    weekly,
)

REVERSE = default_script("reverse")
PAIR_STAGES = ["orientation", "goal_setting", "midpoint_review", "implementation", "reflection_closing"]
# Formation put the pair inside both sides' hours: Tuesdays 16:00 in Jakarta (09:00 in London), weekly. At their
# first meeting the junior mentor proposes Thursdays 15:30 in Jakarta (08:30 in London), every two weeks, 45 min.
FIRST = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
OLD_SLOT = weekly(date(2026, 1, 6), time(16, 0), "Asia/Jakarta", every=1, count=8)
PAIR_MEETINGS = [FIRST, *weekly(date(2026, 1, 8), time(15, 30), "Asia/Jakarta", every=2, count=4)]
PAIR_TERMS: dict[str, FormValue] = {
    "every": "2", "weekday": "3", "time": "15:30", "zone": "Asia/Jakarta", "minutes": "45",
    "topics": "Alat AI untuk laporan mingguan", "contact": "Chat di ruang kita", "confidential": "yes"}
AGREED = timedelta(minutes=45)  # the agreed length: each check-in follows the meeting's end


async def _reverse_pair(app: App) -> Pair:
    """The junior mentor works in Jakarta and reads Bahasa Indonesia; the senior mentee works in London."""
    pair = await make_pair(app, fmt="reverse", weeks=8, mentor_zone="Asia/Jakarta", mentee_zone="Europe/London")
    await set_locale(app, "MENTOR", "id")
    opened = form_of(await say(app, "MENTEE", "goal set"))
    await submit(app, "MENTEE", opened.form.form_id, {
        "specific": "Automate the weekly report", "measurable": "3 reports", "achievable": "with help",
        "relevant": "saves time", "due_on": "2026-03-01"}, state=opened.form.state)
    return pair


async def _pair_agrees(app: App, pair: Pair) -> None:
    """The invitation reaches the pair's space once the first meeting starts; the mentor proposes, the mentee
    confirms."""
    [invitation] = await agreement_messages(app)
    assert invitation.target == pair.space and FIRST <= invitation.sent_at < FIRST + HOUR  # type: ignore[operator]
    assert "Time to agree how you meet" in text(invitation)
    form = form_of(await press(app, "MENTOR", buttons_of(invitation)[0], locale="id")).form
    proposed = text_of(await submit(app, "MENTOR", form.form_id, PAIR_TERMS, state=form.state, locale="id"))
    assert "MENTEE" in proposed
    [ask] = await agreement_messages(app, "MENTEE")
    assert "Every two weeks" in text(ask) and "Thu, 8 Jan 2026, 08:30 GMT" in text(ask), text(ask)
    assert "in force" in text_of(await press(app, "MENTEE", await confirm_button(app, "MENTEE")))
    assert (await schedule_of(app, Pair, pair.id or 0))[1:] == [  # formation's stretch stays for meeting 1
        {"from": 1, "first": "2026-01-08", "at": "15:30", "zone": "Asia/Jakarta", "every": 2, "minutes": 45}]


async def test_an_eight_week_reverse_pair_agrees_its_slot_and_runs_every_stage(
        app: App, clock: ManualClock, local: LocalMessenger) -> None:
    pair = await _reverse_pair(app)

    async def answer_checkin(row: Delivery) -> None:
        if row.kind == "pair_checkin":
            user = row.target.rsplit(":", 1)[1]
            await answer(app, user, checkin_button(row), progress=f"{user}-NOTE-{index_of(row)}")

    await live(app, clock, local, ticks=hourly(clock.now() + HOUR, FIRST + HOUR / 2), on_sent=answer_checkin)
    before = {user: await calendars(app, user) for user in ("MENTOR", "MENTEE")}
    for [vevent] in before.values():  # one invite each, for the weekly Tuesdays formation chose
        assert vevent["sequence"] == 0 and held(vevent) == OLD_SLOT
    await _pair_agrees(app, pair)
    await live(app, clock, local, ticks=hourly(clock.now() + HOUR, datetime(2026, 3, 1, tzinfo=UTC)),
               on_sent=answer_checkin)

    _check_pair_prompts(await sent(app, kinds=("pair_prompt",)), pair)
    _check_agendas(await sent(app, kinds=("pair_agenda",)))
    _check_pair_reminders(await sent(app, kinds=("pair_reminder",)), pair)
    _check_pair_checkins(await sent(app, kinds=("pair_checkin",)))
    for user, zone, hour in (("MENTEE", "Europe/London", (8, 30)), ("MENTOR", "Asia/Jakarta", (15, 30))):
        first, update = await calendars(app, user)
        assert first["uid"] == update["uid"] and update["sequence"] > first["sequence"]
        assert held(update) == PAIR_MEETINGS and update.decoded("duration") == timedelta(minutes=45)
        assert {(m.astimezone(ZoneInfo(zone)).hour, m.astimezone(ZoneInfo(zone)).minute)
                for m in held(update)[1:]} == {hour}
    assert "from Thu, 8 Jan 2026, 08:30 GMT" in str((await calendars(app, "MENTEE"))[-1]["description"])
    assert "mulai Kam, 8 Jan 2026, 15:30 WIB" in str((await calendars(app, "MENTOR"))[-1]["description"])


def _check_pair_prompts(rows: list[Delivery], pair: Pair) -> None:
    """One prompt per meeting in the pair's space the day before, by the reverse script's stage, never repeated,
    and none on the old Tuesday slot after the agreement."""
    assert [index_of(r) for r in rows] == list(range(5)) and {r.target for r in rows} == {pair.space}
    program = Program(id=1, workspace_id=1, name="x", slug="x", format="reverse", created_at=FIRST)
    seen: set[str] = set()
    for row, meeting, stage in zip(rows, PAIR_MEETINGS, PAIR_STAGES, strict=True):
        assert on_time(row, meeting - timedelta(days=1)), (row.key, row.due_at, row.sent_at)
        body = text(row)
        assert translate(f"scripts.stage.{stage}", "en") in body.splitlines()[0]
        found = [p for p in REVERSE.stage(stage).prompts if p.text["en"] in body]
        assert len(found) == 1 and found[0].id not in seen and prompt_by_id(program, found[0].id) is not None
        seen.add(found[0].id)
    assert PAIR_STAGES[-1] == "reflection_closing" and not {r.due_at for r in rows} & {
        m - timedelta(days=1) for m in OLD_SLOT[1:]}


def _check_agendas(rows: list[Delivery]) -> None:
    """Each side's own agenda by DM in their language: the mentor's with the stage's guidance, each with their
    own last check-in note to follow up and the mentee's open goal."""
    for user, locale in (("MENTOR", "id"), ("MENTEE", "en")):
        mine = [r for r in rows if r.target == to(user)]
        assert [index_of(r) for r in mine] == list(range(5))
        for row, meeting, stage in zip(mine, PAIR_MEETINGS, PAIR_STAGES, strict=True):
            index, body = index_of(row), text(row)
            assert on_time(row, meeting - timedelta(days=1))
            assert translate("scripts.agenda.private_title", locale, meeting=index + 1) in body
            guidance = REVERSE.stage(stage).guidance_in(locale)
            assert (guidance in body) == (user == "MENTOR"), (user, index)
            if index > 0:  # the note of the meeting before
                note = translate("scripts.agenda.followup", locale, note=f"{user}-NOTE-{index - 1}")
                assert note in body, body
        goal = "Your goal: Automate the weekly report (0% done)"
        assert all((goal in text(r)) == (user == "MENTEE") for r in mine)
    mentor_first = text(next(r for r in rows if r.target == to("MENTOR") and index_of(r) == 1))
    assert "Kam, 8 Jan 2026, 15:30 WIB" in mentor_first, mentor_first


def _check_pair_reminders(rows: list[Delivery], pair: Pair) -> None:
    assert [index_of(r) for r in rows] == list(range(5))
    for row, meeting in zip(rows, PAIR_MEETINGS, strict=True):
        assert row.target == pair.space and on_time(row, meeting - HOUR)
        assert "https://meet.example/abc" in text(row)
    second = text(rows[1])
    assert "Asia/Jakarta: Thu, 8 Jan 2026, 15:30" in second and "Europe/London: Thu, 8 Jan 2026, 08:30 GMT" in second


def _check_pair_checkins(rows: list[Delivery]) -> None:
    """A private check-in DM to each side when each meeting ends, in their language; the first meeting ended
    at 17:00 in Jakarta, after the mentor's day, so theirs waited for 09:00 the next morning."""
    for user, title in (("MENTOR", "Check-in setelah pertemuan {n:ordinal}"), ("MENTEE", "Check-in after meeting {n}")):
        mine = [r for r in rows if r.target == to(user)]
        assert [index_of(r) for r in mine] == list(range(5))
        for row, meeting in zip(mine, PAIR_MEETINGS, strict=True):
            due = meeting + (HOUR if meeting == FIRST else AGREED)  # after the agreed 45 minutes from then on
            if user == "MENTOR" and meeting == FIRST:
                due = datetime(2026, 1, 7, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")).astimezone(UTC)
            assert on_time(row, due), (user, row.key, row.due_at)
            n = index_of(row) + 1  # Indonesian: "pertemuan pertama", "kedua", ...
            assert text(row).startswith(title.replace("{n:ordinal}", ordinal(n, "id")).format(n=n)), text(row)


CIRCLES = default_script("circles")
CIRCLE_STAGES = ["orientation", "goal_setting", "implementation", "midpoint_review", "implementation",
                 "implementation", "reflection_closing"]
# The program's slot: Wednesdays 10:00 in Jakarta, weekly for twelve weeks. At its first session the circle agrees
# Thursdays 16:00 in Jakarta (09:00 in London, inside J4's hours), every two weeks, an hour: seven sessions.
CIRCLE_FIRST = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
CIRCLE_OLD = weekly(date(2026, 1, 7), time(10, 0), "Asia/Jakarta", every=1, count=12)
CIRCLE_SESSIONS = [CIRCLE_FIRST, *weekly(date(2026, 1, 8), time(16, 0), "Asia/Jakarta", every=2, count=6)]
CIRCLE_TERMS: dict[str, FormValue] = {
    "every": "2", "weekday": "3", "time": "16:00", "zone": "Asia/Jakarta", "minutes": "60",
    "topics": "Memimpin tim baru", "contact": "Kanal lingkaran", "confidential": "yes"}
LOCALES = {"J1": "id", "J2": "id", "J3": "id", "J4": "en"}  # J1 moderates; J4 works in London


async def _circle_agrees(app: App, world: World) -> None:
    """The moderator is invited at the first session and proposes; every other member confirms."""
    [invitation] = await agreement_messages(app)
    assert invitation.target == to("J1") and "Saatnya menyepakati" in text(invitation), text(invitation)
    form = form_of(await press(app, "J1", buttons_of(invitation)[0], locale="id")).form
    await submit(app, "J1", form.form_id, CIRCLE_TERMS, state=form.state, locale="id")
    [ask] = await agreement_messages(app, "J4")
    assert "Every two weeks" in text(ask) and "Thu, 8 Jan 2026, 09:00 GMT" in text(ask), text(ask)
    for user in ("J2", "J3", "J4"):
        reply = text_of(await press(app, user, await confirm_button(app, user), locale=LOCALES[user]))
    assert "in force" in reply, reply
    assert (await schedule_of(app, Circle, world.circle_id))[-1] == {
        "from": 1, "first": "2026-01-08", "at": "16:00", "zone": "Asia/Jakarta", "every": 2, "minutes": 60}


async def test_a_twelve_week_circle_agrees_every_two_weeks_and_runs_every_stage(
        app: App, clock: ManualClock, local: LocalMessenger) -> None:
    people = [Person(u, locale=loc) for u, loc in LOCALES.items() if u != "J4"]
    world = await build_circle(app, slug="stages", timezone="Asia/Jakarta", weekday=2, at="10:00",
                               start=date(2026, 1, 5), moderator="J1",
                               people=[*people, Person("J4", "Europe/London", locale="en")])
    asked: dict[tuple[str, int], str] = {}  # (user, session) -> the check-in form's progress question

    async def answer_checkin(row: Delivery) -> None:
        if row.kind == "checkin":
            for user, locale in LOCALES.items():
                opened = form_of(await press(app, user, f"checkin.open:{world.circle_id}.{index_of(row)}",
                                             locale=locale)).form
                asked[(user, index_of(row))] = next(i.label for i in opened.inputs if i.name == "progress")
                await submit(app, user, opened.form_id, {"attended": "yes", "usefulness": "4", "progress": "ok"},
                             state=opened.state, locale=locale)

    await live(app, clock, local, ticks=hourly(clock.now() + HOUR, CIRCLE_FIRST + HOUR / 2), on_sent=answer_checkin)
    for user in LOCALES:
        [vevent] = await calendars(app, user)
        assert vevent["sequence"] == 0 and held(vevent) == CIRCLE_OLD
    await _circle_agrees(app, world)
    await live(app, clock, local, ticks=hourly(clock.now() + HOUR, datetime(2026, 3, 21, tzinfo=UTC)),
               on_sent=answer_checkin)

    prompts = await _check_circle_posts(app, world)
    _check_kits(await sent(app, kinds=("kit",)), prompts)
    for (user, index), label in asked.items():  # each member's check-in form asks the stage's own question
        own = CIRCLES.stage(CIRCLE_STAGES[index]).checkin
        assert label == (own[LOCALES[user]] if own else translate("running.checkin.progress", LOCALES[user]))
    assert sorted({i for _, i in asked}) == list(range(7))
    for user in LOCALES:
        first, update = await calendars(app, user)
        assert first["uid"] == update["uid"] and update["sequence"] > first["sequence"]
        assert held(update) == CIRCLE_SESSIONS and update.decoded("duration") == timedelta(hours=1)
    j4 = {(m.astimezone(ZoneInfo("Europe/London")).hour, m.weekday()) for m in held(update)[1:]}
    assert j4 == {(9, 3)}  # J4 (the last user) sees Thursdays 09:00 in London


async def _check_circle_posts(app: App, world: World) -> list[str]:
    """Prompts (both languages, Indonesian first), reminders and check-ins in the circle's channel on the agreed
    cadence, by stage to the closing one, never repeated. Returns each session's prompt in Bahasa Indonesia."""
    rows = await sent(app, kinds=("prompt", "reminder", "checkin"))
    texts: list[str] = []
    async with app.uow() as uow:
        chosen = sorted(await uow.running.prompts_of_circle(circle_id=world.circle_id),
                        key=lambda r: r.session_index or 0)
    assert [r.session_index for r in chosen] == list(range(7)) and len({r.prompt_id for r in chosen}) == 7
    for kind, shift in (("prompt", -timedelta(days=1)), ("reminder", -HOUR), ("checkin", HOUR)):
        mine = [r for r in rows if r.kind == kind]
        assert [index_of(r) for r in mine] == list(range(7)) and {r.target for r in mine} == {world.space}
        assert all(on_time(r, s + shift) for r, s in zip(mine, CIRCLE_SESSIONS, strict=True)), kind
    for row, stage, used in zip([r for r in rows if r.kind == "prompt"], CIRCLE_STAGES, chosen, strict=True):
        [prompt] = [p for p in CIRCLES.stage(stage).prompts if p.id == used.prompt_id]
        body = text(row)
        assert body.startswith("Pertanyaan diskusi untuk sesi") and body.index(prompt.text["id"]) < body.index(
            prompt.text["en"])
        texts.append(prompt.text["id"])
    reminder = text(next(r for r in rows if r.kind == "reminder" and index_of(r) == 1))
    # In the channel's language (most members read Bahasa Indonesia), with J4's London time beside Jakarta's.
    assert "Asia/Jakarta: Kam, 8 Jan 2026, 16:00 WIB" in reminder, reminder
    assert "Europe/London: Kam, 8 Jan 2026, 09:00" in reminder, reminder
    return texts


def _check_kits(rows: list[Delivery], prompts: list[str]) -> None:
    """The moderator's kit by DM the day before each session, in Bahasa Indonesia: the opening round (what members
    hope for at the first, what they take away at the last), the session's prompt and tips."""
    assert [index_of(r) for r in rows] == list(range(7)) and {r.target for r in rows} == {to("J1")}
    for row, session, prompt in zip(rows, CIRCLE_SESSIONS, prompts, strict=True):
        body = text(row)
        assert on_time(row, session - timedelta(days=1)) and prompt in body
        assert translate("kit.session.tips_title", "id") in body
    assert translate("kit.opening.0", "id") in text(rows[0])
    assert translate("kit.opening.last", "id") in text(rows[-1])
