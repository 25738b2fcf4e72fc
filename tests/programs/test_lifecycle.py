"""Circle lifecycle through the core: programs, themes, formation, circles and moderators (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from bot.kernel.clock import ManualClock
from bot.kernel.events import Action
from bot.kernel.replies import UpdateSource
from storage.tables import ElectionStatus, ThemeStatus
from tests.helpers import (
    actor,
    admin_creates_program,
    errors_of,
    form_of,
    plan,
    press,
    queued,
    say,
    submit,
    text_of,
)
from tests.programs.support import _enroll_many


async def test_members_cannot_run_admin_commands(app: App) -> None:
    for text in ("program create", "program open x", "admin add <@U2>", "theme reject 1"):
        assert "Only Lingkar admins" in text_of(await say(app, "U1", text))


async def test_admin_add_and_remove(app: App) -> None:
    assert "is now a Lingkar admin" in text_of(await say(app, "UADMIN", "admin add <@U7>"))
    assert "already a Lingkar admin" in text_of(await say(app, "UADMIN", "admin add <@U7>"))
    assert "program" in text_of(await say(app, "U7", "program list")).lower()  # U7 may now use admin commands
    assert "no longer" in text_of(await say(app, "UADMIN", "admin remove <@U7>"))
    assert "Only Lingkar admins" in text_of(await say(app, "U7", "program list"))
    assert "through LINGKAR_ADMINS" in text_of(await say(app, "UADMIN", "admin remove <@UADMIN>"))


async def test_program_form_validates_everything_at_once(app: App) -> None:
    opened = form_of(await say(app, "UADMIN", "program create"))
    errors = errors_of(await submit(app, "UADMIN", opened.form.form_id, {
        "name": "", "goal": "x", "start_date": "2020-01-01", "size_min": "6", "size_target": "4", "size_max": "8",
        "meeting_time": "25:99", "video_link": "javascript:alert(1)"}))
    assert set(errors) == {"name", "start_date", "size_target", "meeting_time", "video_link"}
    async with app.uow() as uow:
        assert await uow.programs.all_in(workspace_id=1) == []


async def test_state_transitions_are_checked(app: App, local: LocalMessenger) -> None:
    await admin_creates_program(app)
    assert "needs it to be open for enrollment" in text_of(await say(app, "UADMIN", "program close leadership-circles"))
    assert "Enrollment for Leadership Circles is open" in text_of(await say(app, "UADMIN",
                                                                          "program open leadership-circles"))
    announcements = await queued(app, kind="announcement")
    assert announcements and "Why: Grow leaders across departments" in announcements[0][2]
    assert announcements[0][1] == "local:W1:channel:CANNOUNCE"
    assert "needs it to be a draft" in text_of(await say(app, "UADMIN", "program open leadership-circles"))
    await _enroll_many(app, 2)
    too_few = text_of(await say(app, "UADMIN", "program close leadership-circles"))
    assert "has 2 members; a circle needs at least 3" in too_few
    # Ending a program that never ran cancels it (bot/closing: tests/closing/test_timeline.py has the rest).
    assert "cancelled and closed" in text_of(await say(app, "UADMIN", "program end leadership-circles"))


async def test_theme_proposals_dedupe_case_and_accents_and_escape_nothing_raw(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 3)
    assert "proposed as theme" in text_of(await say(app, "U00", "theme propose Café culture"))
    duplicate = text_of(await say(app, "U01", "theme propose   CAFE   Culture "))
    assert "already proposed" in duplicate
    assert "under 80 characters" in text_of(await say(app, "U01", "theme propose " + "x" * 81))
    assert "proposed" in text_of(await say(app, "U02", "theme propose Ask <@UADMIN> about <!channel>"))
    async with app.uow() as uow:
        themes = await uow.themes.of_program(workspace_id=1, program_id=1)
        assert [t.title for t in themes] == ["Café culture", "Ask @UADMIN about <!channel>"]  # no live mention


async def test_vote_change_and_limits(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 3)
    for title in ("Feedback", "Career growth", "Data skills", "Wellbeing"):
        await say(app, "U00", f"theme propose {title}")
    assert "at most 3 themes" in text_of(await say(app, "U01", "theme vote 1 2 3 4"))
    await say(app, "U01", "theme vote 1 2")
    ballot = text_of(await say(app, "U01", "theme vote 2 3"))  # change of mind
    assert "[ ] 1. Feedback" in ballot and "[x] 2. Career growth" in ballot and "[x] 3. Data skills" in ballot
    toggled = await press(app, "U01", "theme.vote:1", value="3")
    assert isinstance(toggled[0], UpdateSource) and "[ ] 3. Data skills" in toggled[0].message.text
    assert "no open theme with number 99" in text_of(await say(app, "U01", "theme vote 99"))


async def test_concurrent_double_vote_is_one_vote(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 3)
    await say(app, "U00", "theme propose Feedback")
    checkbox = Action(actor("U01"), "theme.vote:1", values=("1",))  # a checkbox sends the whole selection
    await asyncio.gather(app.core.handle(checkbox), say(app, "U01", "theme vote 1"), app.core.handle(checkbox))
    async with app.uow() as uow:
        votes = await uow.themes.votes_of_program(program_id=1)
        voter = await uow.members.by_external_id(workspace_id=1, external_id="U01")
    assert voter is not None and [(v.member_id, v.theme_id) for v in votes] == [(voter.id, 1)]


async def test_admin_merge_rename_reject(app: App) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    await _enroll_many(app, 3)
    await say(app, "U00", "theme propose Feedback")
    await say(app, "U00", "theme propose Giving feedback")
    await say(app, "U01", "theme vote 2")
    await say(app, "U02", "theme vote 1 2")
    assert "merged into" in text_of(await say(app, "UADMIN", "theme merge 2 into 1"))
    assert "is now \"Feedback culture\"" in text_of(await say(app, "UADMIN", "theme rename 1 Feedback culture"))
    async with app.uow() as uow:
        counts = await uow.themes.counts(program_id=1)
        theme = await uow.themes.get(workspace_id=1, theme_id=2)
    assert counts == {1: 2} and theme is not None and theme.status == ThemeStatus.MERGED
    assert "rejected" in text_of(await say(app, "UADMIN", "theme reject 1"))
    assert "already considered" in text_of(await say(app, "U01", "theme propose feedback culture"))


async def test_whole_lifecycle_to_running_circles_with_elected_moderators(
    app: App, local: LocalMessenger, clock: ManualClock
) -> None:
    await admin_creates_program(app)
    await say(app, "UADMIN", "program open leadership-circles")
    users = await _enroll_many(app, 13)  # an odd count: nobody may be left out
    await say(app, "U00", "theme propose Feedback")
    await say(app, "U01", "theme propose Career growth")
    await say(app, "U02", "theme propose Knitting")
    for index, user in enumerate(users):
        await say(app, user, "theme vote 1 2" if index % 2 else "theme vote 2 1")
    closed = text_of(await say(app, "UADMIN", "program close leadership-circles"))
    assert "Feedback: 13 votes" in closed and "Career growth: 13 votes" in closed and "Knitting" not in closed
    assert "votes and trying" not in closed
    assert "voting on themes" in text_of(await say(app, "U03", "theme vote 1")).lower()
    formed = text_of(await say(app, "UADMIN", "program form leadership-circles"))
    assert "13 members placed, 0 could not be placed" in formed
    async with app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=1)
        sizes = [len(await uow.circles.memberships(circle_id=c.id or 0)) for c in circles]
    assert sum(sizes) == 13 and all(3 <= s <= 5 for s in sizes)
    assert len(local.spaces) == len(circles)  # one private space per circle, with its members
    assert sorted(u for members in local.spaces.values() for u in members) == sorted(users)
    welcomes = await queued(app, kind="welcome")
    assert len(welcomes) == len(circles)
    assert "Why you're in this circle" in welcomes[0][2] and "10:00 WIB" in welcomes[0][2]
    assert "first choice" in welcomes[0][2] and "https://meet.example/abc" in welcomes[0][2]
    async with app.uow() as uow:
        themes = {c.theme_id for c in circles}
    assert themes == {1, 2}  # both popular themes run; members' first choices decide where they go

    # Election: nominations, a decline, votes by buttons, a tie broken by the earliest nomination.
    circle = circles[0]
    async with app.uow() as uow:
        first_members = await uow.members.many(workspace_id=1, member_ids=[
            m.member_id for m in await uow.circles.memberships(circle_id=circle.id or 0)])
    a, b, c = (m.external_id for m in first_members[:3])
    assert "nominated" in text_of(await say(app, a, "moderator stand"))
    assert "nominated" in text_of(await say(app, a, f"moderator nominate <@{b}>"))
    assert "nominated" in text_of(await say(app, b, f"moderator nominate <@{c}>"))
    assert "declined" in text_of(await say(app, c, "moderator decline"))
    clock.advance(timedelta(days=2, minutes=1))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    ballots = await queued(app, kind="election")
    assert any("Vote for your circle's moderator" in text for _, _, text in ballots)
    id_of = {m.external_id: m.id for m in first_members}
    await press(app, a, "elect.vote:1", value=str(id_of[b]))
    shown = await press(app, b, "elect.vote:1", value=str(id_of[a]))
    assert isinstance(shown[0], UpdateSource) and shown[0].message.blocks[-1].selected == (str(id_of[a]),)  # type: ignore[union-attr]
    clock.advance(timedelta(days=2))
    await plan(app.services.uow, now=clock.now(), config=app.services.config)
    async with app.uow() as uow:
        refreshed = await uow.circles.get(workspace_id=1, circle_id=circle.id or 0)
        election = (await uow.circles.elections(circle_id=circle.id or 0))[0]
    assert election.status == ElectionStatus.CLOSED
    assert refreshed is not None and refreshed.moderator_member_id == id_of[a]  # 1-1 tie: a stood first
    info = text_of(await say(app, b, "circle info"))
    assert "Moderator" in info and "10:00 WIB" in info
