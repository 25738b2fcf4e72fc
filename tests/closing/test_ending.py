"""What each person receives when the final round closes: members' summaries with "what next", moderators' thanks
and the note to their manager they may ask for, the admins' recognition list, the circles' closing message and the
archive after it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from adapters.bootstrap import App
from bot.closing.records import Contribution, ProgramRecord
from bot.closing.report import Outcome, admin_closing
from bot.kernel.clock import ManualClock
from bot.kernel.i18n import Translator
from storage.tables import Program
from tests.closing.support import FINAL_CLOSES, NATURAL_START, buttons, closing_program, message, rows, tick
from tests.feedback.support import running_program
from tests.helpers import member_id, press, say, submit, text_of


async def _close(app: App) -> Program:
    program = await closing_program(app)
    await tick(app, NATURAL_START)
    await tick(app, NATURAL_START + timedelta(minutes=1))
    after = next(p for p in await _polls(app) if p.kind == "after")
    before = await _before_poll(app, program)
    for user, first, last in (("U2", "2", "4"), ("U3", "3", "3")):
        await _assess(app, user, before, first)
        app.services.clock.set(NATURAL_START + timedelta(hours=1))  # type: ignore[attr-defined]
        await submit(app, user, "feedback.assessment", {"skill_0": last}, state=str(after.id))
    await tick(app, FINAL_CLOSES)
    return program


async def _polls(app: App) -> list:  # type: ignore[type-arg]
    async with app.uow() as uow:
        return await uow.feedback.polls_of_program(workspace_id=1, program_id=1)


async def _before_poll(app: App, program: Program) -> int:
    """The "before" round, opened the way the planner would have in the first week."""
    async with app.uow() as uow:
        poll, _ = await uow.feedback.ensure_poll(
            workspace_id=1, program_id=program.id or 0, kind="before", key="before",
            opens_at=NATURAL_START - timedelta(days=90), closes_at=NATURAL_START - timedelta(days=70),
            now=NATURAL_START)
        await uow.commit()
        return poll.id or 0


async def _assess(app: App, user: str, poll_id: int, score: str) -> None:
    async with app.uow() as uow:
        await uow.feedback.save_assessment(values={
            "workspace_id": 1, "program_id": 1, "poll_id": poll_id, "member_id": await member_id(app, user),
            "phase": "before", "ratings": [{"skill": "public speaking", "score": int(score)}]}, now=NATURAL_START)
        await uow.commit()


def _for(found: list, user: str):  # type: ignore[no-untyped-def,type-arg]
    return next(r for r in found if r.target == f"local:W1:user:{user}")


async def test_each_member_gets_a_summary_in_their_language_with_what_next(app: App) -> None:
    program = await _close(app)
    summaries = await rows(app, kind="summary")
    assert sorted(r.target.rsplit(":", 1)[1] for r in summaries) == ["U1", "U2", "U3", "U4", "U5", "U6"]
    u2 = message(_for(summaries, "U2")).text
    assert "Your summary of Leadership Circles" in u2 and "Sessions attended in Circle A: 10 of 12." in u2
    assert "Your goal: Goal of U2. Your progress over time: 0% → 40%, rising." in u2
    assert "• public speaking: 2 → 4 (+2)" in u2
    u3 = message(_for(summaries, "U3")).text
    assert "Sessions attended in Circle A: 1 of 12." in u3 and "did not set a goal" in u3
    assert "• public speaking: 3 → 3 (+0)" in u3
    assert "did not answer the self-assessments" in message(_for(summaries, "U5")).text
    u1 = message(_for(summaries, "U1")).text
    assert "Ringkasan Anda untuk Leadership Circles" in u1 and "Tujuan Anda: Goal of U1. Anda telah mencapainya" in u1
    assert "Sesi yang Anda hadiri di Circle A: 10 dari 12." in u1
    pid = program.id
    assert buttons(_for(summaries, "U2")) == [
        ("Join the alumni circle", f"next:{pid}:alumni"), ("Mentor in the next cohort", f"next:{pid}:mentor_next"),
        ("Stay in touch", f"next:{pid}:stay_in_touch")]  # a circle program: no "new match"
    assert [label for label, _ in buttons(_for(summaries, "U1"))] == [
        "Gabung lingkaran alumni", "Menjadi mentor di angkatan berikutnya", "Tetap terhubung"]
    assert all(r.due_at == FINAL_CLOSES for r in summaries)


async def test_moderators_are_thanked_and_may_tell_their_manager(app: App) -> None:
    program = await _close(app)
    thanks = await rows(app, kind="thanks")
    assert sorted(r.target for r in thanks) == ["local:W1:user:U1", "local:W1:user:U4"]
    u4 = message(_for(thanks, "U4")).text
    assert "Thank you for Leadership Circles" in u4
    # Its circle had three members: the moderator and two more, and the text says the moderator is not counted.
    assert ("moderated Circle B: 2 members besides the moderator; sessions logged: 10; check-ins answered: 1."
            in u4)
    assert "no manager is on record" in u4 and buttons(_for(thanks, "U4")) == []
    u1 = message(_for(thanks, "U1")).text
    assert "Terima kasih untuk Leadership Circles" in u1 and "memoderatori Circle A: 2 anggota selain moderator" in u1
    assert buttons(_for(thanks, "U1")) == [("Beri tahu atasan saya", f"closing.manager:{program.id}")]

    sent = text_of(await press(app, "U1", f"closing.manager:{program.id}", locale="id"))
    assert "atasan Anda akan menerima catatan singkat" in sent
    again = text_of(await press(app, "U1", f"closing.manager:{program.id}", locale="id"))
    assert "sudah menerima catatan" in again
    notes = await rows(app, kind="recognition")
    assert [r.target for r in notes] == ["local:W1:user:UBOSS"]
    note = message(notes[0]).text  # in the manager's language (Indonesian), with the same figures
    assert "Apresiasi untuk U1" in note and "U1 meminta kami memberi tahu Anda: di Leadership Circles beliau" in note
    assert "memoderatori Circle A: 2 anggota selain moderator; sesi tercatat: 10; check-in terisi: 1." in note
    told = [message(r).text for r in await rows(app, prefix=f"manager-note-admin:{program.id}:")]
    assert told == ["U1 asked for a recognition note to their manager for Leadership Circles; it has been sent."]


async def test_the_manager_note_refuses_what_an_attacker_types(app: App) -> None:
    program = await _close(app)
    other = await running_program(app, ["U7"], name="Other", slug="other")
    for user, action in (("U4", f"closing.manager:{program.id}"),  # a moderator without a manager on record
                         ("U2", f"closing.manager:{program.id}"),  # a member who moderated nothing
                         ("U1", f"closing.manager:{other.id}"),  # a program they led nothing in (and running)
                         ("U1", "closing.manager:999"), ("U1", "closing.manager:1x"), ("U1", "closing.manager:")):
        reply = text_of(await press(app, user, action))
        assert "Your manager gets" not in reply, (user, action)
    assert "No manager is on record for you" in text_of(await press(app, "U4", f"closing.manager:{program.id}"))
    assert "out of date" in text_of(await press(app, "U2", f"closing.manager:{program.id}"))
    assert "belum berakhir" in text_of(await press(app, "U1", f"closing.manager:{other.id}"))  # U1 reads Indonesian
    assert await rows(app, kind="recognition") == []


async def test_admins_get_the_recognition_list_and_what_could_not_run(app: App) -> None:
    await _close(app)
    admin = message((await rows(app, prefix="closing-admin:1:"))[0]).text
    assert "Leadership Circles is closed" in admin
    assert "Personal summaries went to 6 members and thank-yous to 2 moderators and mentors." in admin
    assert ("• U1 moderated Circle A: 2 members besides the moderator; sessions logged: 10; check-ins answered: 1."
            " (offered a note to their manager)\n") in admin
    # Who has no manager on record is said once, after the list, not after every name.
    assert "• U4 moderated Circle B: 2 members besides the moderator; sessions logged: 10;" in admin
    assert "U4 has no manager on record, so was not offered a note to a manager." in admin
    assert admin.count("manager on record") == 1 and "You will hear when someone asks" in admin
    assert "2 circle channels got the closing message and are archived at Wed, 8 Apr 2026, 13:00" in admin
    assert "The final poll had 0 answers, fewer than the 3 needed" in admin
    assert len(await rows(app, kind="report")) == 1  # the figures come in feedback's closing report


async def test_each_circle_gets_a_closing_message_then_its_channel_is_archived(app: App) -> None:
    await _close(app)
    posts = await rows(app, prefix="closing-circle:")
    assert sorted(r.target for r in posts) == ["local:W1:space:circle-0", "local:W1:space:circle-1"]
    assert "This channel will be archived in an hour. It stays readable" in message(posts[1]).text
    archives = await rows(app, kind="space_change")
    assert sorted(r.target for r in archives) == ["local:W1:space:circle-0", "local:W1:space:circle-1"]
    assert all(r.payload["change"]["action"] == "archive" for r in archives)
    assert all(a.due_at == FINAL_CLOSES + timedelta(hours=1) > p.due_at for a, p in zip(archives, posts,
                                                                                        strict=True))


async def test_a_circle_without_a_space_and_unreachable_members_are_said_plainly(app: App) -> None:
    program = await closing_program(app)
    async with app.uow() as uow:
        circle = (await uow.circles.of_program(workspace_id=1, program_id=program.id or 0))[1]
        circle.space = ""
        uow.session.add(circle)
        gone = await uow.members.get(workspace_id=1, member_id=await member_id(app, "U6"))
        assert gone is not None
        gone.reachable = False
        uow.session.add(gone)
        await uow.commit()
    await tick(app, NATURAL_START)
    await tick(app, FINAL_CLOSES)
    admin = message((await rows(app, prefix="closing-admin:1:"))[0]).text
    assert "1 members could not be reached" in admin and "No channel to post the closing message in for: Circle B" \
        in admin
    assert len(await rows(app, kind="summary")) == 5 and len(await rows(app, prefix="closing-circle:")) == 1


def test_on_teams_the_admins_read_that_threads_are_not_archived() -> None:
    program = Program(workspace_id=1, name="P", slug="p", created_at=FINAL_CLOSES)
    outcome = Outcome(k=3, summaries=4, archived=2, archive_at=FINAL_CLOSES, archive_supported=False,
                      final_answers=5)
    record = ProgramRecord(program=program, contributions={1: Contribution(1, "mentor", (), 4, 2, 0)})
    for locale, expected in (("en", "Teams cannot archive a channel thread"), ("id", "Teams tidak dapat mengarsipkan")):
        text = admin_closing(Translator(locale), program, record, {}, outcome, zone="Asia/Jakarta",
                             ended=FINAL_CLOSES).text
        assert expected in text and "fewer than" not in text and "kurang dari" not in text


async def test_a_program_k_shows_results_from_its_own_k(app: App, clock: ManualClock) -> None:
    await closing_program(app, k_anonymity=2)
    await tick(app, NATURAL_START)
    await tick(app, NATURAL_START + timedelta(minutes=1))
    final = next(p for p in await _polls(app) if p.kind == "final")
    for user in ("U2", "U3"):
        await submit(app, user, "feedback.poll", {"satisfaction": "4", "recommend": "9", "keep": "", "improve": ""},
                     state=str(final.id))
    invite = message(next(r for r in await rows(app, kind="poll") if r.target.endswith(":U2"))).text
    assert "only when at least 2 people answered" in invite
    clock.set(FINAL_CLOSES)
    results = text_of(await say(app, "UADMIN", "feedback results leadership"))
    assert "Final poll: 2 answers, satisfaction 4.0/5" in results
    await tick(app, FINAL_CLOSES)
    assert "2 answers, satisfaction 4.0/5" in message((await rows(app, kind="report"))[0]).text


def test_without_any_manager_on_record_the_list_says_so_once() -> None:
    from bot.closing.records import Contribution, ProgramRecord
    from bot.closing.report import recognition_lines
    from bot.kernel.i18n import Translator
    from storage.tables import Member

    people = {i: Member(id=i, workspace_id=1, external_id=f"U{i}", created_at=FINAL_CLOSES) for i in range(1, 7)}
    record = ProgramRecord(program=None)  # type: ignore[arg-type]
    record.contributions = {i: Contribution(i, "moderator", (f"Circle {i}",), 3, 5, 17) for i in people}
    for locale, once in (("en", "Nobody here has a manager on record"), ("id", "Atasan mereka semua tidak tercatat")):
        lines = recognition_lines(Translator(locale), record, people)
        assert len(lines) == 7 and lines[-1].startswith(once)
        assert "\n".join(lines).count("on record") + "\n".join(lines).count("tidak tercatat") == 1
    assert "U1 moderated Circle 1: 5 members besides the moderator;" in recognition_lines(
        Translator("en"), record, people)[0]
