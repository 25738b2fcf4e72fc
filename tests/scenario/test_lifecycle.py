"""Issue 14's "Done when": one invitation-only circle program from the org import through invitations, a late
joiner, the last session, the closing phase and the alumni circle, checking what members, moderators and admins
receive at each step, in English and (U3) Bahasa Indonesia, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from adapters.bootstrap import App
from adapters.local.messenger import LocalMessenger
from storage.tables import ProgramState
from tests.closing.support import rows
from tests.helpers import press, text_of
from tests.programs.intake_support import program_named, statuses
from tests.scenario.lifecycle_world import (
    BAHASA,
    CLOSING_ENDS,
    DECLINER,
    INVITED,
    LATE,
    MEMBERS,
    SLUG,
    World,
    actions,
    deliver,
    first_action,
    tick,
    until_reminded,
)

GIVING, CAREER = "growth-circles-giving-feedback-1", "growth-circles-career-growth-1"
ALUMNI = "growth-circles-alumni"


def _titles(world: World, user: str, after: str, until: str | None = None) -> list[str]:
    return [m.text.split("\n", 1)[0] for m in world.to(user, after, until)]


def _check_invitations(world: World) -> None:
    said = world.said
    assert "Applied to members: 9. Waiting for their member (not seen yet): 0. Rows with errors: 0." in said["import"]
    assert "voluntary → by invitation" in said["edit"] and "0 → 10" in said["edit"]
    assert "by invitation only" in said["join"] and said["invite"] == "Growth Circles: 8 invited."
    [announcement] = world.to("CANNOUNCE", "begin", "invited")
    assert "by invitation" in announcement.text and actions(announcement) == []  # no Join button
    invited = {s.target.ref: actions(s.message) for s in world.sent("begin", "invited") if s.target.kind == "user"}
    assert invited == {user: [f"invite:{world.program_id}:yes", f"invite:{world.program_id}:no"] for user in INVITED}


async def _check_enrollment(world: World) -> None:
    said = world.said
    assert [u for u in INVITED[:-1] if said[f"accept:{u}"].startswith("Welcome to Growth Circles! You're enrolled.")] \
        == [u for u in INVITED[:-1] if u != BAHASA]
    assert said[f"accept:{BAHASA}"].startswith("Selamat datang di Growth Circles! Pendaftaran Anda berhasil.")
    assert "Thank you for letting us know" in said["decline"]
    assert "closed with 7 members" in said["close"] and "Giving feedback: 4 votes" in said["close"]
    assert "2 circles formed, 7 members placed, 0 could not be placed" in said["form"]
    assert "Seats: 7 of 10 taken" in said["show"]
    assert "0 on the waitlist, 0 invited (no answer yet), 1 declined, 0 left" in said["show"]
    # The appointed mode took the most senior by the import: U1 and U5 moderate, named in the welcome and told.
    welcomes = sorted(s.message.text for s in world.sent("invited", "formed") if s.target.kind == "space")
    assert sorted(w.split("Moderator: ")[1].split(",")[0] for w in welcomes) == ["U1", "U5"]
    told = {s.target.ref for s in world.sent("invited", "formed") if s.message.text.startswith("You are the moderator")}
    assert told == {"U1", "U5"}
    assert "Moderator: U1" in said["info"]
    async with world.app.uow() as uow:
        circles = await uow.circles.of_program(workspace_id=1, program_id=world.program_id)
        moderators = await uow.members.many(workspace_id=1, member_ids=[c.moderator_member_id or 0 for c in circles])
    assert sorted(m.external_id for m in moderators) == ["U1", "U5"]


def _check_running(world: World) -> None:
    assert world.local.spaces == {GIVING: ["U1", "U2", "U3", "U6"], CAREER: ["U4", "U5", "U7", LATE]}
    assert "You're in Career growth 1" in world.said["late_accept"] and world.said["late_invite"].endswith(
        "1 invited.")
    assert [m.text for m in world.to(CAREER, "session1", "late")] == [f"Please welcome {LATE}, who joins Career "
                                                                        "growth 1 today."]
    [placed] = [m.text for m in world.to(LATE, "session1", "late") if m.text.startswith("You're in Career growth 1")]
    assert "Moderator: U5" in placed and "Next session: Wed, 21 Jan 2026, 10:00" in placed
    for space, welcomed in ((GIVING, 0), (CAREER, 1)):  # three sessions: a prompt, a reminder, a check-in each
        kinds = Counter(title.split(" ")[0] for title in _titles(world, space, "started", "sessions"))
        assert kinds == Counter({"Discussion": 3, "Reminder:": 3, "Check-in": 3, "Please": welcomed}), space
    assert world.said["log:0:U1"] == "Session 1 is logged: 3 of 4 members attended."  # from the check-ins
    assert world.said[f"checkin:0:{BAHASA}"].startswith("Terima kasih! Check-in Anda untuk sesi 1")
    polls = [s.target.ref for s in world.sent("started", "sessions") if first_action(s.message).startswith("poll.")]
    assert sorted(polls) == sorted(MEMBERS)  # the midpoint poll, the late joiner's too


def _check_closing_start(world: World) -> None:
    """Two hours after the last session: each member is told, then gets the final poll and the after assessment."""
    for user in MEMBERS:
        titles = _titles(world, user, "sessions", "closing")
        if user == BAHASA:
            assert titles == ["Growth Circles telah berakhir", "Growth Circles: Jajak pendapat akhir",
                              "Growth Circles: Penilaian diri setelah program"]
        else:
            assert sorted(titles) == ["Growth Circles has ended", "Growth Circles: Final poll",
                                      "Growth Circles: Self-assessment after the program"], (user, titles)
            assert titles[0] == "Growth Circles has ended"
    assert {s.target.ref for s in world.sent("sessions", "closing")} == set(MEMBERS)  # no one else, no circle


def _check_reminders(world: World) -> None:
    """A week in: one reminder per round, only to those who had not answered it."""
    reminded: dict[str, list[str]] = {}
    for s in world.sent("closing", "reminded"):
        reminded.setdefault(s.target.ref, []).append(actions(s.message)[0].split(":")[0])
    assert reminded == {"U1": ["assess.open"], "U4": ["assess.open"], "U5": ["poll.open", "assess.open"],
                        "U6": ["poll.open", "assess.open"], "U7": ["poll.open", "assess.open"]}
    assert all("You have not answered yet" in s.message.text for s in world.sent("closing", "reminded"))


async def test_from_invitations_to_the_closing_reminder(app: App, local: LocalMessenger) -> None:
    world = await until_reminded(app, local)
    _check_invitations(world)
    await _check_enrollment(world)
    _check_running(world)
    _check_closing_start(world)
    _check_reminders(world)
    program = await program_named(app, SLUG)
    assert program.state == ProgramState.CLOSING
    assert Counter((await statuses(app, program)).values()) == {"active": 8, "declined": 1}
    assert [m.text for m in world.to(DECLINER, "invited")] == []  # a no is a no: nothing more for U8
    # The admins' weekly digests (W03-W05): a declined invitation is no member who left.
    digests = [m.text for m in world.to("UADMIN", "invited") if m.text.startswith("Lingkar weekly digest")]
    assert len(digests) == 3
    assert all(re.search(r"0 paused, 0 (\(±0\) )?left", d) for d in digests), [d.split("\n")[2] for d in digests]


async def test_the_ending_and_the_alumni_circle(app: App, local: LocalMessenger) -> None:
    world = await until_reminded(app, local)
    await tick(app, CLOSING_ENDS + timedelta(minutes=1))
    world.mark("ended")
    assert (await program_named(app, SLUG)).state == ProgramState.CLOSED
    _check_summaries(world)
    _check_thanks_and_admins(world)
    for space in (GIVING, CAREER):
        [closing] = [m.text for m in world.to(space, "reminded")]
        assert "Growth Circles has ended" in closing and "This channel will be archived in an hour" in closing
    assert local.archived == []
    await tick(app, CLOSING_ENDS + timedelta(hours=1, minutes=2))
    assert local.archived == [GIVING, CAREER] and len(local.sent) == world.marks["ended"]
    world.mark("archived")
    await _check_manager_note(world)
    await _check_alumni(world)
    await _check_staying_in_touch(world)
    assert [m.text for m in world.to(DECLINER, "invited")] == []


def _check_summaries(world: World) -> None:
    """Each member's summary, in their language, with the what-next buttons of a circle program."""
    summaries = {s.target.ref: s.message for s in world.sent("reminded", "ended") if s.target.kind == "user"
                 and s.message.text.startswith(("Your summary of", "Ringkasan Anda untuk"))}
    assert set(summaries) == set(MEMBERS)
    pid = world.program_id
    assert all(actions(m) == [f"next:{pid}:alumni", f"next:{pid}:mentor_next", f"next:{pid}:stay_in_touch"]
               for m in summaries.values())
    text = {user: m.text for user, m in summaries.items()}
    assert "Sessions attended in Giving feedback 1: 3 of 3." in text["U1"] and "did not set a goal" in text["U1"]
    assert "Sessions attended in Giving feedback 1: 2 of 3." in text["U2"]
    assert "Your goal: Give feedback every week. Your progress over time: 0% → 60%, rising." in text["U2"]
    assert "public speaking: 2 → 4 (+2)" in text["U2"]
    assert "Sessions attended in Giving feedback 1: 0 of 3." in text["U6"] and "did not answer the self-assess" in \
        text["U6"]
    assert "Sessions attended in Career growth 1: 2 of 3." in text["U5"]
    assert "public speaking: 1 → 3 (+2)" in text[LATE]  # the late joiner answered both rounds too
    assert "Sessions attended in Career growth 1: 2 of 2." in text[LATE]  # placed after the first session
    bahasa = text[BAHASA]
    assert "Sesi yang Anda hadiri di Giving feedback 1: 2 dari 3." in bahasa and "public speaking: 2 → 3 (+1)" in bahasa
    assert "Gabung lingkaran alumni" in bahasa


def _check_thanks_and_admins(world: World) -> None:
    """Moderators' thank-you (Tell my manager only where the import named one), and the admins' two messages."""
    thanks = {s.target.ref: s.message for s in world.sent("reminded", "ended")
              if s.message.text.startswith("Thank you for Growth Circles")}
    assert set(thanks) == {"U1", "U5"}
    assert ("moderated Giving feedback 1: 3 members besides the moderator; sessions logged: 3; check-ins answered: 7"
            in thanks["U1"].text)
    assert actions(thanks["U1"]) == [f"closing.manager:{world.program_id}"]
    assert "no manager is on record" in thanks["U5"].text and actions(thanks["U5"]) == []
    report, closed = [m.text for m in world.to("UADMIN", "reminded", "ended")]
    assert "Final poll: 5 answers, satisfaction 4.0/5" in report and "public speaking: 1.7 → 3.3 (+1.7)" in report
    assert "Growth Circles is closed" in closed
    assert "Personal summaries went to 8 members and thank-yous to 2 moderators and mentors." in closed
    assert "• U1 moderated Giving feedback 1: 3 members besides the moderator;" in closed
    assert "(offered a note to their manager)" in closed
    assert "• U5 moderated Career growth 1: 3 members besides the moderator; sessions logged: 3; check-ins" in closed
    assert "U5 has no manager on record, so was not offered a note to a manager." in closed
    assert "2 circle channels got the closing message and are archived" in closed


async def _check_manager_note(world: World) -> None:
    app, pid = world.app, world.program_id
    assert "your manager gets a short note" in text_of(await press(app, "U1", f"closing.manager:{pid}"))
    await deliver(app)
    [note] = world.to("MGR1", "archived")
    assert "Recognition for U1" in note.text
    assert "3 members besides the moderator; sessions logged: 3; check-ins answered: 7" in note.text
    assert [m.text for m in world.to("UADMIN", "archived")] == [
        "U1 asked for a recognition note to their manager for Growth Circles; it has been sent."]
    world.mark("noted")


async def _check_alumni(world: World) -> None:
    """The first member's press opens the alumni space; later ones (the late joiner too) are added to it."""
    app, pid = world.app, world.program_id
    first = text_of(await press(app, "U1", f"next:{pid}:alumni"))
    assert f"Look for the private space {ALUMNI}" in first and world.local.spaces[ALUMNI] == ["U1"]
    await tick(app, CLOSING_ENDS + timedelta(hours=2))
    assert [m.text.split(".")[0] for m in world.to(ALUMNI, "noted")] == ["Welcome to the alumni circle of Growth "
                                                                         "Circles"]
    assert ALUMNI in text_of(await press(app, LATE, f"next:{pid}:alumni"))
    assert "lingkaran alumni" in text_of(await press(app, BAHASA, f"next:{pid}:alumni", locale="id"))
    await tick(app, CLOSING_ENDS + timedelta(hours=3))
    assert world.local.spaces[ALUMNI] == ["U1", LATE, BAHASA] and len(world.to(ALUMNI, "noted")) == 1
    assert len(await rows(app, kind="space", prefix=f"space:alumni:{pid}")) == 1  # opened once
    world.mark("alumni")


async def _check_staying_in_touch(world: World) -> None:
    """U2 and U3 of one circle both choose it: each hears of the other, nobody else hears anything."""
    app, pid = world.app, world.program_id
    assert "When one of them chooses it too" in text_of(await press(app, "U2", f"next:{pid}:stay_in_touch"))
    second = text_of(await press(app, BAHASA, f"next:{pid}:stay_in_touch", locale="id"))
    assert "orang berikut juga ingin tetap berhubungan: U2" in second
    await tick(app, CLOSING_ENDS + timedelta(hours=4))
    assert [(s.target.ref, s.message.text) for s in world.sent("alumni")] == [
        ("U2", "U3, from your circle or pair in Growth Circles, wants to stay in touch too. Send them a message!")]
