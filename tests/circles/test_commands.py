"""Moderator prompt commands, check-ins, session logs, goals and pause through the core (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Command, FormValue
from bot.kernel.message_codec import decode
from bot.kernel.ports import Target
from bot.kernel.replies import FormErrors, OpenForm, Response
from storage.tables import CheckIn, Enrollment, PausePeriod
from tests.circles.world import Person, World, build_circle, deliveries
from tests.helpers import actor, deliver_due, errors_of, form_of, plan, press, say, submit, text_of

START = date(2026, 1, 5)  # Monday; the circle meets on Wednesdays at 10:00 in Jakarta (03:00 UTC)
FIRST_SESSION = datetime(2026, 1, 7, 3, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)
OURS = ("prompt", "reminder", "checkin", "flag")


async def _circle(app: App, **overrides: object) -> World:
    people = [Person("M1"), Person("M2"), Person("M3"), Person("M4", locale="id")]
    return await build_circle(app, slug="c", timezone="Asia/Jakarta", weekday=2, at="10:00", start=START,
                              people=people, moderator="M1", **overrides)  # type: ignore[arg-type]


async def in_channel(app: App, world: World, user: str, text: str) -> list[Response]:
    return await app.core.handle(Command(actor(user), text, where=Target.from_key(world.space)))


async def test_only_the_moderator_or_an_admin_steers_prompts(app: App) -> None:
    world = await _circle(app)
    for text in ("prompt next", "prompt skip", "prompt add Something to discuss"):
        assert "Only the moderator of Circle c (or an admin)" in text_of(await say(app, "M2", text))
    assert "Hanya moderator Circle c (atau admin)" in text_of(await say(app, "M4", "topik lewati"))
    assert "You are not in a circle yet" in text_of(await say(app, "OUTSIDER", "prompt next"))
    # The moderator in a DM, an admin in the circle's channel: both find the circle and see the same prompt.
    mine = text_of(await say(app, "M1", "prompt next"))
    assert "Next prompt for Circle c (session 1" in mine
    admins = text_of(await in_channel(app, world, "UADMIN", "prompt next"))
    assert mine.splitlines()[1] == admins.splitlines()[1]


async def test_skip_and_add_change_what_is_posted_and_nothing_repeats(app: App, clock: ManualClock) -> None:
    world = await _circle(app)
    first = text_of(await say(app, "M1", "prompt next")).splitlines()[1]
    skipped = text_of(await say(app, "M1", "prompt skip"))
    assert "Skipped. The prompt for session 1" in skipped
    second = skipped.splitlines()[1]
    assert second != first
    assert text_of(await say(app, "M1", "prompt next")).splitlines()[1] == second
    assert "Write the prompt after the command" in text_of(await say(app, "M1", "prompt add"))
    assert "too long" in text_of(await say(app, "M1", "prompt add " + "x" * 501))
    added = text_of(await say(app, "M1", "prompt add What did a mistake teach you this month?"))
    assert "Your prompt will be posted for session 1" in added
    assert "Added. It will be used after" in text_of(await say(app, "M1", "prompt add And what would you try next?"))
    posted: list[str] = []
    for week in range(4):
        clock.set(FIRST_SESSION + week * WEEK - timedelta(hours=20))  # after each prompt fell due
        await plan(app.uow, now=clock.now(), config=app.services.config)
        await plan(app.uow, now=clock.now(), config=app.services.config)  # planning twice queues once
    for row in await deliveries(app, kinds=("prompt",)):
        posted.append(decode(row.payload).text.splitlines()[1])
    assert posted[:2] == ["What did a mistake teach you this month?", "And what would you try next?"]
    assert len(posted) == 4 and len(set(posted)) == 4
    assert first not in posted  # a skipped prompt never comes back
    # The one that gave way to the custom prompts belonged to session 1's stage (orientation): later sessions take
    # prompts of their own stages, so it is not shown after all.
    assert second not in posted
    # Once the prompt of session 1 is posted, `prompt next` is about session 2.
    assert "session 5" in text_of(await say(app, "M1", "prompt next"))
    assert world.space.endswith("circle-c")


async def test_checkin_concurrent_double_submit_keeps_one_row(app: App, clock: ManualClock) -> None:
    world = await _circle(app)
    clock.set(FIRST_SESSION + timedelta(hours=2))
    opened = form_of(await press(app, "M2", f"checkin.open:{world.circle_id}.0"))
    assert opened.form.intro.startswith("You have not set a goal yet")
    values: list[dict[str, FormValue]] = [{"attended": "yes", "usefulness": str(n), "progress": f"try {n}"}
                                          for n in (2, 5)]
    results = await asyncio.gather(*(submit(app, "M2", opened.form.form_id, v, state=opened.form.state)
                                      for v in values))
    texts = sorted(text_of(r) for r in results)
    assert any("is saved" in t for t in texts) and any("is updated" in t for t in texts)
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(CheckIn))).all()
    assert len(rows) == 1 and rows[0].usefulness in (2, 5) and rows[0].progress == f"try {rows[0].usefulness}"
    # Editable until the next session starts: the form comes back filled in, then closes.
    again = form_of(await say(app, "M2", "checkin"))
    assert again.form.state == f"{world.circle_id}.0"
    clock.set(FIRST_SESSION + WEEK)
    late = await submit(app, "M2", opened.form.form_id, values[0], state=opened.form.state)
    assert "The check-in for session 1 is closed" in text_of(late)
    assert "Check-in ini untuk anggota Circle c" in text_of(await press(app, "M9", f"checkin.open:{world.circle_id}.1",
                                                                     locale="id"))
    bad = await submit(app, "M3", opened.form.form_id, {"attended": "maybe", "usefulness": "9"},
                       state=f"{world.circle_id}.1")
    assert set(errors_of(bad)) == {"attended", "usefulness"}


async def test_checkin_before_a_session_starts_is_refused(app: App, clock: ManualClock) -> None:
    world = await _circle(app)
    assert "no check-in open" in text_of(await say(app, "M2", "checkin"))
    assert "is closed" in text_of(await press(app, "M2", f"checkin.open:{world.circle_id}.0"))
    assert "out of date" in text_of(await press(app, "M2", f"checkin.open:{world.circle_id}.x"))
    assert "out of date" in text_of(await press(app, "M2", f"checkin.open:{world.circle_id}.99"))


async def test_session_log_by_the_moderator_and_history_for_members(app: App, clock: ManualClock) -> None:
    world = await _circle(app)
    assert "No session of Circle c has started yet" in text_of(await say(app, "M1", "session log"))
    clock.set(FIRST_SESSION + timedelta(hours=2))
    opened = form_of(await press(app, "M3", f"checkin.open:{world.circle_id}.0"))
    await submit(app, "M3", opened.form.form_id, {"attended": "yes", "usefulness": "4"}, state=opened.form.state)
    assert "Only the moderator of Circle c" in text_of(await say(app, "M2", "session log"))
    form = form_of(await say(app, "M1", "session log")).form
    attendance = form.fields_by_name["attendees"]
    assert attendance.initial == (str(world.members["M3"]),)  # type: ignore[union-attr]  # from check-ins
    wrong = await submit(app, "M1", form.form_id, {"session": "0", "attendees": ["999"], "outcomes": ""},
                         state=form.state)
    assert set(errors_of(wrong)) == {"attendees"}
    future = await submit(app, "M1", form.form_id, {"session": "3", "attendees": [], "outcomes": ""},
                          state=form.state)
    assert set(errors_of(future)) == {"session"}
    ids = [str(world.members[u]) for u in ("M1", "M3")]
    saved = await submit(app, "M1", form.form_id, {"session": "0", "attendees": ids,
                                                   "outcomes": "Agreed to shadow a 1:1 each"}, state=form.state)
    assert "Session 1 is logged: 2 of 4 members attended" in text_of(saved)
    history = text_of(await say(app, "M2", "session history"))
    assert "Session 1 (7 Jan 2026): 2 attended: M1, M3" in history  # names as the platform gave them
    assert "Agreed to shadow a 1:1 each" in history
    assert "Riwayat sesi Circle c" in text_of(await say(app, "M4", "sesi riwayat"))


async def test_goals_set_update_list_and_the_checkin_reminder(app: App, clock: ManualClock) -> None:
    world = await _circle(app, checkins_by_dm=True)
    assert "You have no goal for Program c yet" in text_of(await say(app, "M2", "goal update 10"))
    form = form_of(await say(app, "M2", "goal set")).form
    assert form.state == str(world.program_id)
    errors = errors_of(await submit(app, "M2", form.form_id, {"specific": "Lead a retro", "measurable": "",
                                                               "achievable": "x", "relevant": "y",
                                                               "due_on": "2025-12-01"}, state=form.state))
    assert set(errors) == {"measurable", "due_on"} and "after today" in errors["due_on"]
    garbage = errors_of(await submit(app, "M2", form.form_id, {"due_on": "soon"}, state=form.state))
    assert "YYYY-MM-DD" in garbage["due_on"] and garbage["specific"] == "Please fill this in."
    goal: dict[str, FormValue] = {"specific": "Lead a team retro", "measurable": "Two retros with notes",
                                  "achievable": "I facilitate", "relevant": "I want to lead", "due_on": "2026-03-31"}
    assert "Your goal for Program c is saved" in text_of(await submit(app, "M2", form.form_id, goal,
                                                                      state=form.state))
    assert "Progress recorded: 40%" in text_of(await say(app, "M2", "goal update 40% ran the first one"))
    assert "whole number from 0 to 100" in text_of(await say(app, "M2", "goal update 140"))
    assert "Write the progress as a number" in text_of(await say(app, "M2", "goal update soon"))
    update = form_of(await say(app, "M2", "goal update")).form
    assert set(errors_of(await submit(app, "M2", update.form_id, {"progress": "-3"}, state=update.state))) == {
        "progress"}
    listed = text_of(await say(app, "M2", "goal list"))
    assert "Lead a team retro" in listed and "40%" in listed and "ran the first one" in listed
    assert "31 Mar 2026" in listed
    assert "You have no goals yet" in text_of(await say(app, "M3", "goal list"))
    clock.set(FIRST_SESSION + timedelta(hours=1, minutes=5))
    await plan(app.uow, now=clock.now(), config=app.services.config)
    dms = {row.target: decode(row.payload).text for row in await deliveries(app, kinds=("checkin",))}
    assert "Your goal: Lead a team retro (40% done, by 31 Mar 2026)" in dms["local:W1:user:M2"]
    assert "goal set" in dms["local:W1:user:M3"]
    assert "Anda belum menetapkan tujuan" in dms["local:W1:user:M4"]  # in M4's own language


async def test_pause_validates_dates_and_resume_ends_it(app: App, clock: ManualClock) -> None:
    await _circle(app)
    assert "Tell me until when" in text_of(await say(app, "M2", "pause"))
    assert '"next-week" is not a date' in text_of(await say(app, "M2", "pause until next-week"))
    assert "2026-02-30" in text_of(await say(app, "M2", "pause until 2026-02-30"))
    assert "4 Jan 2026 has already passed" in text_of(await say(app, "M2", "pause until 2026-01-04"))
    assert "at most 366 days" in text_of(await say(app, "M2", "pause until 2027-06-01"))
    assert "not in a program" in text_of(await say(app, "NOBODY", "pause until 2026-02-01"))
    assert "Nothing to resume: your check-ins" in text_of(await say(app, "M2", "resume"))
    indonesian = text_of(await say(app, "M4", "jeda sampai 2026-01-20"))
    assert indonesian.startswith("Dijeda sampai 20 Jan 2026")
    assert "Paused until 20 Jan 2026 (inclusive)" in text_of(await say(app, "M2", "pause until 2026-01-20"))
    assert "Paused until 25 Jan 2026" in text_of(await say(app, "M2", "pause until 2026-01-25"))  # extends it
    async with app.uow() as uow:
        periods = (await uow.session.exec(select(PausePeriod).order_by(PausePeriod.id))).all()  # type: ignore[arg-type]
        enrollments = {e.member_id: e.paused_until for e in (await uow.session.exec(select(Enrollment))).all()}
    assert [(p.starts_on, p.until) for p in periods] == [(date(2026, 1, 5), date(2026, 1, 20)),
                                                         (date(2026, 1, 5), date(2026, 1, 25))]
    assert date(2026, 1, 25) in enrollments.values()
    clock.set(datetime(2026, 1, 9, 3, 0, tzinfo=UTC))
    assert "Welcome back" in text_of(await say(app, "M2", "resume"))
    async with app.uow() as uow:
        period = (await uow.session.exec(select(PausePeriod).where(PausePeriod.until == date(2026, 1, 25)))).one()
    assert period.ended_on == date(2026, 1, 9)
    assert "Nothing to resume: your check-ins" in text_of(await say(app, "M2", "resume"))


async def test_paused_members_get_no_checkin_dms_and_the_circle_hears_nothing(app: App, clock: ManualClock) -> None:
    world = await _circle(app, checkins_by_dm=True)
    await say(app, "M3", "pause until 2026-01-07")  # covers session 1's day
    clock.set(FIRST_SESSION + timedelta(hours=1, minutes=1))
    await plan(app.uow, now=clock.now(), config=app.services.config)
    targets = sorted(row.target for row in await deliveries(app, kinds=("checkin",)) if row.status == "pending")
    assert targets == ["local:W1:user:M1", "local:W1:user:M2", "local:W1:user:M4"]
    clock.set(FIRST_SESSION + timedelta(days=2))  # back, and the window is still open: no late DM for it
    await plan(app.uow, now=clock.now(), config=app.services.config)
    assert "local:W1:user:M3" not in [r.target for r in await deliveries(app, kinds=("checkin",))
                                      if r.status == "pending"]
    clock.set(FIRST_SESSION + WEEK + timedelta(hours=1, minutes=1))
    await plan(app.uow, now=clock.now(), config=app.services.config)
    week2 = [r.target for r in await deliveries(app, kinds=("checkin",)) if r.key.split(":")[2] == "1"]
    assert "local:W1:user:M3" in week2
    for row in await deliveries(app, kinds=("prompt", "reminder", "checkin")):
        if row.target == world.space:
            assert "Name M3" not in decode(row.payload).text


async def test_late_planner_catches_up_once_and_skips_what_went_stale(app: App, clock: ManualClock,
                                                                        local: LocalMessenger) -> None:
    world = await _circle(app)
    # The scheduler was down from before session 1 until 30 minutes into it.
    clock.set(FIRST_SESSION + timedelta(minutes=30))
    first = await plan(app.uow, now=clock.now(), config=app.services.config)
    again = await plan(app.uow, now=clock.now(), config=app.services.config)
    assert first.queued.get("plan_prompts") == 0 and first.queued.get("plan_reminders") == 0 and again.total == 0
    assert await deliveries(app, kinds=("prompt", "reminder", "checkin")) == []  # too late for both, check-in early
    clock.set(FIRST_SESSION + timedelta(days=3))  # the check-in is late but still useful: sent once
    queued = await plan(app.uow, now=clock.now(), config=app.services.config)
    await plan(app.uow, now=clock.now(), config=app.services.config)
    assert queued.queued.get("plan_checkins") == 1
    sent = await deliver_due(app, local)
    assert [row.kind for row in sent if row.kind in OURS] == ["checkin"]  # (other capabilities post polls)
    # When the next prompt and reminder windows open, the ones that went stale are noted once as skipped.
    for moment in (FIRST_SESSION + WEEK - timedelta(hours=20), FIRST_SESSION + WEEK - timedelta(minutes=30)):
        clock.set(moment)
        await plan(app.uow, now=clock.now(), config=app.services.config)
        await plan(app.uow, now=clock.now(), config=app.services.config)
    rows = {row.key: row.status for row in await deliveries(app, kinds=("prompt", "reminder"))}
    c = world.circle_id
    assert rows == {f"prompt:{c}:0": "skipped", f"prompt:{c}:1": "pending", f"reminder:{c}:0": "skipped",
                    f"reminder:{c}:1": "pending"}
    assert [row.kind for row in await deliver_due(app, local) if row.kind in OURS] == ["prompt", "reminder"]


async def test_forms_answer_stale_states_politely(app: App) -> None:
    await _circle(app)
    for form_id in ("checkin.answer", "session.log", "goal.set", "goal.update"):
        replies = await submit(app, "M2", form_id, {}, state="nonsense")
        assert not any(isinstance(r, (OpenForm, FormErrors)) for r in replies)
        assert text_of(replies)
    assert text_of(await app.core.handle(Action(actor("M2"), "checkin.open:1")))


async def test_concurrent_prompt_next_assigns_one_prompt(app: App) -> None:
    world = await _circle(app)
    replies = await asyncio.gather(say(app, "M1", "prompt next"), in_channel(app, world, "UADMIN", "prompt next"),
                                   say(app, "M1", "prompt next"))
    shown = {text_of(r).splitlines()[1] for r in replies}
    assert len(shown) == 1
    async with app.uow() as uow:
        rows = await uow.running.prompts_of_circle(circle_id=world.circle_id)
    assert [(r.session_index, r.status) for r in rows] == [(0, "assigned")]


async def test_home_fields_show_pause_waiting_checkin_and_goal(app: App, clock: ManualClock) -> None:
    from bot.circles.home import home_fields

    world = await _circle(app)
    form = form_of(await say(app, "M2", "goal set")).form
    await submit(app, "M2", form.form_id, {"specific": "Run a retro", "measurable": "one", "achievable": "yes",
                                           "relevant": "growth", "due_on": "2026-03-01"}, state=form.state)
    await say(app, "M2", "pause until 2026-01-06")
    clock.set(FIRST_SESSION + timedelta(hours=2))

    async def fields(user: str) -> dict[str, str]:
        async with app.uow() as uow:
            from bot.kernel.core import Core  # the context the core builds for any event

            core: Core = app.core
            ctx = await core._context(uow, Command(actor(user), "home"))
            return dict(await home_fields(ctx))

    assert await fields("M2") == {"Check-in": "session 1 is waiting for your answer: type `checkin`",
                                  "Goal (Program c)": "Run a retro (0% done, by 1 Mar 2026)"}
    await say(app, "M2", "pause until 2026-01-10")
    assert (await fields("M2"))["Paused"].startswith("until 10 Jan 2026")
    opened = form_of(await press(app, "M2", f"checkin.open:{world.circle_id}.0"))
    await submit(app, "M2", opened.form.form_id, {"attended": "no", "usefulness": "3"}, state=opened.form.state)
    assert "Check-in" not in await fields("M2")
    assert await fields("OUTSIDER") == {}
