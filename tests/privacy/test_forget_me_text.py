"""`forget me` leaves none of the member's text behind: not in themes, circle names or queued and sent messages."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from adapters.bootstrap import App
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action, Command
from bot.kernel.message_codec import decode, encode
from bot.kernel.messages import Header, Message, Text
from bot.kernel.replies import Reply, UpdateSource
from storage.tables import (
    CheckIn,
    Circle,
    CircleMember,
    CirclePrompt,
    Delivery,
    DeliveryStatus,
    Goal,
    GoalUpdate,
    Program,
    ProgramState,
    SessionLog,
    Theme,
    ThemeStatus,
)
from tests.feedback.support import enroll_as, person
from tests.helpers import admin_creates_program, enroll, member_id, say, text_of
from tests.privacy.test_privacy import _everything_stored

USER, NAME = "UFORGET8", "Ratna Sulistyowati"
ME = person(USER, NAME)
SHARED = "Kestrel Mentoring 4411"  # she proposed it, five others voted for it and circles are named after it
LONE = "Zebra Weaving 7731"  # she proposed it and nobody else wanted it
SOLO = "Heron Solitude 5520"  # names a circle nobody but her was ever in
WRITTEN = "Quokka-Note-2287"  # in everything she wrote
OTHERS = ["U01", "U02", "U03", "U04", "U05"]
NOTES = f"We practised {WRITTEN} feedback today\nNext time: role play"


def message(text: str) -> dict[str, object]:
    return encode(Message(text=text, blocks=(Header("Lingkar"), Text(text))))


async def plant(app: App, clock: ManualClock) -> tuple[int, dict[str, int]]:
    """Themes through the real commands (vote, close, form); her writing, and messages quoting it, as rows."""
    await _themes_through_commands(app)
    me, now = await member_id(app, USER), clock.now()
    async with app.uow() as uow:
        s = uow.session
        mine = await uow.circles.membership_of(workspace_id=1, member_id=me)
        circle = await uow.circles.get(workspace_id=1, circle_id=mine[0].circle_id)
        assert circle is not None and circle.name.startswith(SHARED)
        solo_program, solo = await _solo_circle(s, me, now)
        await _her_writing(s, circle, me, now)
        rows = _messages_quoting_her(circle, solo_program, solo, me, now)
        for row in rows.values():
            s.add(row)
        await uow.commit()
        ids = {name: row.id or 0 for name, row in rows.items()}
    return me, ids


async def _themes_through_commands(app: App) -> None:
    """She proposes SHARED and LONE, everyone votes for SHARED, and the program closes and forms."""
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    async with app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=1)
    for user in OTHERS:
        await enroll(app, user, program)
    await enroll_as(app, ME, program)
    for title in (SHARED, LONE):
        assert title in text_of(await app.core.handle(Command(ME, f"theme propose {title}")))
    await app.core.handle(Command(ME, "theme vote 1 2"))
    for user in OTHERS:
        await say(app, user, "theme vote 1")
    assert f"{SHARED}: 6 votes" in text_of(await say(app, "UADMIN", "program close leadership-circles"))
    assert "6 members placed" in text_of(await say(app, "UADMIN", "program form leadership-circles"))


async def _solo_circle(s: AsyncSession, me: int, now: datetime) -> tuple[Program, Circle]:
    """A program whose one circle, named after her SOLO theme, only she was ever in."""
    solo_program = Program(workspace_id=1, name="Solo Round", slug="solo", state=ProgramState.RUNNING,
                           created_at=now)
    s.add(solo_program)
    await s.flush()
    solo_theme = Theme(workspace_id=1, program_id=solo_program.id or 0, title=SOLO, title_key=SOLO.lower(),
                       status=ThemeStatus.SELECTED, proposed_by_member_id=me, created_at=now)
    s.add(solo_theme)
    await s.flush()
    solo = Circle(workspace_id=1, program_id=solo_program.id or 0, theme_id=solo_theme.id, name=f"{SOLO} 1",
                  space="local:W1:space:solo", created_at=now)
    s.add(solo)
    await s.flush()
    s.add(CircleMember(workspace_id=1, program_id=solo_program.id or 0, circle_id=solo.id or 0, member_id=me,
                       joined_at=now))
    return solo_program, solo


async def _her_writing(s: AsyncSession, circle: Circle, me: int, now: datetime) -> None:
    """A check-in, a goal and its update, session notes and a custom prompt, each holding WRITTEN."""
    where = dict(workspace_id=1, program_id=circle.program_id)
    s.add(CheckIn(**where, circle_id=circle.id or 0, member_id=me, session_index=1, attended=True,
                  usefulness=4, progress=f"{WRITTEN} progress on listening", created_at=now, updated_at=now))
    goal = Goal(**where, member_id=me, specific=f"Lead a {WRITTEN} workshop", measurable="two sessions",
                achievable="with my manager", relevant="for my growth", due_on=date(2026, 3, 1),
                created_at=now, updated_at=now)
    s.add(goal)
    await s.flush()
    s.add(GoalUpdate(workspace_id=1, goal_id=goal.id or 0, progress=40, note=f"Half of the {WRITTEN} slides",
                     created_at=now))
    s.add(SessionLog(**where, circle_id=circle.id or 0, session_index=1, logged_by_member_id=me,
                     attendee_member_ids=[me], outcomes=NOTES, created_at=now, updated_at=now))
    s.add(CirclePrompt(**where, circle_id=circle.id or 0, prompt_id="custom-1", status="queued",
                       custom_text=f"What would {WRITTEN} change for you?", added_by_member_id=me,
                       created_at=now))


def _messages_quoting_her(circle: Circle, solo_program: Program, solo: Circle, me: int,
                          now: datetime) -> dict[str, Delivery]:
    """Messages quoting her, queued and sent, to her circle, to an admin and to her."""
    where = dict(workspace_id=1, program_id=circle.program_id)
    return {
        # queued for her circle: her own prompt, and a summary quoting one line of her session notes
        "prompt": Delivery(**where, key="prompt:x", kind="prompt", target=circle.space, due_at=now,
                           payload=message(f"This week: What would {WRITTEN} change for you?"), created_at=now),
        "notes": Delivery(**where, key="notes:x", kind="announcement", target=circle.space, due_at=now,
                          payload=message(f"Last session: We practised {WRITTEN} feedback today"),
                          status=DeliveryStatus.SENT, created_at=now, sent_at=now),
        # sent to an admin: her check-in and the themes people proposed, with her name
        "digest": Delivery(**where, key="digest:x", kind="digest", target="local:W1:user:UADMIN",
                           payload=message(f"{NAME}: {WRITTEN} progress on listening. Themes proposed: "
                                           f"{SHARED}, {LONE}."), status=DeliveryStatus.SENT, due_at=now,
                           created_at=now, sent_at=now),
        "solo": Delivery(workspace_id=1, program_id=solo_program.id, key="welcome:solo", kind="welcome",
                         target=solo.space, payload=message(f"Welcome to {SOLO} 1"), status=DeliveryStatus.SENT,
                         due_at=now, created_at=now, sent_at=now),
        # to her: queued (never to go out) and sent, both quoting her goal
        "to_me_queued": Delivery(**where, key="goal:q", kind="reminder", target=f"local:W1:user:{USER}",
                                 member_id=me, payload=message(f"Your goal: Lead a {WRITTEN} workshop"),
                                 due_at=now, created_at=now),
        "to_me_sent": Delivery(**where, key="goal:s", kind="reminder", target=f"local:W1:user:{USER}",
                               member_id=me, payload=message(f"Your goal: Lead a {WRITTEN} workshop"),
                               status=DeliveryStatus.SENT, due_at=now, created_at=now, sent_at=now),
    }


async def test_forget_me_leaves_no_text_behind_and_says_what_stays_shared(app: App, clock: ManualClock) -> None:
    me, ids = await plant(app, clock)
    before = {d.id for d in await _deliveries(app)}
    asked = await app.core.handle(Command(ME, "forget me"))
    assert isinstance(asked[0], Reply)
    assert "your name and anything they quote from what you wrote are blanked out" in asked[0].message.text
    assert "stay as shared content of the program" in asked[0].message.text and f"“{SHARED}”" in asked[0].message.text
    assert LONE not in asked[0].message.text and SOLO not in asked[0].message.text

    done = await app.core.handle(Action(ME, f"forget.confirm:{me}"))
    assert isinstance(done[0], UpdateSource)
    confirmation = done[0].message.text
    assert "forgotten you" in confirmation
    assert f"These themes you proposed were kept as shared content, because other members voted for them or a " \
           f"circle with other members is named after them: “{SHARED}”" in confirmation
    assert "those circles keep their names" in confirmation and "nobody else took up were deleted" in confirmation

    needles = (NAME, USER, WRITTEN, LONE, SOLO, "role play")
    leaks = [(table, column, text[:100]) for table, column, text in await _everything_stored(app)
             if any(needle.lower() in text.lower() for needle in needles)]
    assert leaks == [], "\n".join(map(str, leaks))
    kept = {(table, column) for table, column, text in await _everything_stored(app) if SHARED.lower() in text.lower()}
    # the shared theme is all that stays of her words: disclosed above
    assert kept <= {("theme", "title"), ("theme", "title_key"), ("circle", "name"), ("circle", "space"),
                    ("delivery", "payload"), ("delivery", "target")}, kept

    rows = {d.id: d for d in await _deliveries(app)}
    assert before <= set(rows)  # every message stays on record for delivery accounting, scrubbed
    text = {name: decode(rows[i].payload).text for name, i in ids.items()}
    assert text["prompt"] == "This week: …" and rows[ids["prompt"]].status == DeliveryStatus.PENDING
    assert text["notes"] == "Last session: …"
    assert text["digest"] == f"…: …. Themes proposed: {SHARED}, …."
    assert text["solo"] == "Welcome to … 1"
    assert rows[ids["to_me_queued"]].status == DeliveryStatus.SKIPPED and text["to_me_queued"] == ""
    assert rows[ids["to_me_sent"]].status == DeliveryStatus.SENT and text["to_me_sent"] == ""

    async with app.uow() as uow:
        themes = list((await uow.session.exec(select(Theme).order_by(col(Theme.id)))).all())
        circles = list((await uow.session.exec(select(Circle).order_by(col(Circle.id)))).all())
        votes = await uow.themes.counts(program_id=1)
    assert [(t.title, t.proposed_by_member_id) for t in themes] == [(SHARED, None)]
    assert votes == {themes[0].id: 6}  # her vote stays with the others, anonymous
    assert [c.name for c in circles if c.theme_id is None] == ["… 1"]
    assert all(c.name.startswith(SHARED) for c in circles if c.theme_id is not None)


async def test_a_theme_nobody_else_took_up_goes_without_a_word_about_shared_themes(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    async with app.uow() as uow:
        [program] = await uow.programs.all_in(workspace_id=1)
    await enroll_as(app, ME, program)
    await app.core.handle(Command(ME, f"theme propose {LONE}"))
    await app.core.handle(Command(ME, "theme vote 1"))
    me = await member_id(app, USER)
    asked = await app.core.handle(Command(ME, "forget me"))
    assert isinstance(asked[0], Reply) and "shared content" not in asked[0].message.text
    done = await app.core.handle(Action(ME, f"forget.confirm:{me}"))
    assert isinstance(done[0], UpdateSource) and "shared content" not in done[0].message.text
    async with app.uow() as uow:
        assert list((await uow.session.exec(select(Theme))).all()) == []
        assert await uow.themes.counts(program_id=program.id or 0) == {}


async def _deliveries(app: App) -> list[Delivery]:
    async with app.uow() as uow:
        return list((await uow.session.exec(select(Delivery).order_by(col(Delivery.id)))).all())
