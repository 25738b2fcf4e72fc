"""Seats and the waitlist, late joiners, and what joining says by format (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import date

from adapters.bootstrap import App
from bot.kernel.context import Hooks
from bot.kernel.intake import joined_lines
from storage.tables import EnrollmentStatus, Member, Participation, ProgramState
from tests.helpers import PROFILE, enroll, form_of, make_program, member_id, press, queued, say, submit, text_of
from tests.programs.intake_support import edit, enrollments, statuses

WAITLISTED, ACTIVE, LEFT = EnrollmentStatus.WAITLISTED, EnrollmentStatus.ACTIVE, EnrollmentStatus.LEFT


async def _leave(app: App, user: str, slug: str) -> str:
    opened = form_of(await say(app, user, f"leave {slug}"))
    return text_of(await submit(app, user, "leave", {"reason": ""}, state=opened.form.state))


async def test_full_program_puts_joiners_on_the_waitlist_with_their_place(app: App) -> None:
    program = await make_program(app, seats=2, goal="g")
    for user in ("U1", "U2"):
        assert "Welcome to Leadership Circles" in text_of(await enroll(app, user, program))
    third = text_of(await enroll(app, "U3", program))
    assert "full right now, so you're on the waitlist, number 1" in third
    assert "number 2" in text_of(await enroll(app, "U4", program))
    assert "on the waitlist for Leadership Circles, number 2" in text_of(await say(app, "U4", "join leadership"))
    assert "on the waitlist (number 1)" in text_of(await say(app, "U3", "status"))
    id_text = text_of(await enroll(app, "U5", program, locale="id"))
    assert "daftar tunggu di urutan ketiga" in id_text
    assert await statuses(app, program) == {"U1": ACTIVE, "U2": ACTIVE, "U3": WAITLISTED, "U4": WAITLISTED,
                                            "U5": WAITLISTED}


async def test_a_seat_that_frees_goes_to_the_first_waitlisted_who_is_told(app: App) -> None:
    program = await make_program(app, seats=2, goal="g")
    for user in ("U1", "U2", "U3", "U4"):
        await enroll(app, user, program)
    assert "off the waitlist" in await _leave(app, "U4", "leadership")  # leaving the waitlist frees no seat
    assert await statuses(app, program) == {"U1": ACTIVE, "U2": ACTIVE, "U3": WAITLISTED, "U4": LEFT}
    assert "You've left Leadership Circles" in await _leave(app, "U1", "leadership")
    assert await statuses(app, program) == {"U1": LEFT, "U2": ACTIVE, "U3": ACTIVE, "U4": LEFT}
    told = [(target, text) for _, target, text in await queued(app, kind="dm")]
    assert told == [("local:W1:user:U3", "Good news: a seat opened in Leadership Circles and it's yours. "
                                         "You're enrolled.")]
    assert "Leadership Circles: Open for enrollment" in text_of(await say(app, "U3", "status"))


async def test_raising_the_seats_moves_the_waitlist_up(app: App) -> None:
    program = await make_program(app, seats=1, goal="g", start_date=date(2026, 2, 2))
    for user in ("U1", "U2", "U3", "U4"):
        await enroll(app, user, program)
    done = text_of(await edit(app, program, "enrollment", {"seats": "3"}))
    assert "1 → 3" in done and "2 people moved up from the waitlist" in done
    assert await statuses(app, program) == {"U1": ACTIVE, "U2": ACTIVE, "U3": ACTIVE, "U4": WAITLISTED}
    assert sorted(target for _, target, _ in await queued(app, kind="dm")) == ["local:W1:user:U2",
                                                                               "local:W1:user:U3"]
    lowered = text_of(await edit(app, program, "enrollment", {"seats": "2"}))
    assert "3 members are already enrolled, more than the 2 seats: nobody is removed" in lowered
    no_limit = text_of(await edit(app, program, "enrollment", {"seats": "0"}))
    assert "1 person moved up from the waitlist and was told" in no_limit
    assert set((await statuses(app, program)).values()) == {ACTIVE}


async def test_concurrent_joins_never_exceed_the_seats(app: App) -> None:
    program = await make_program(app, seats=3, goal="g")
    users = [f"U{i}" for i in range(8)]
    state = f"join:{program.id}"
    replies = await asyncio.gather(*(submit(app, user, "profile", PROFILE, state=state) for user in users))
    texts = [text_of(r) for r in replies]
    assert sum("Welcome to" in t for t in texts) == 3 and sum("waitlist" in t for t in texts) == 5
    rows = await enrollments(app, program)
    assert sorted(r.status for r in rows.values()) == [ACTIVE] * 3 + [WAITLISTED] * 5
    places = sorted(int(t.split("number ")[1].split(".")[0]) for t in texts if "waitlist" in t)
    assert places == [1, 2, 3, 4, 5]  # each told a different place, in the order they were written


async def test_join_without_seats_is_unlimited_and_closed_programs_refuse(app: App) -> None:
    program = await make_program(app, goal="g")
    for i in range(5):
        assert "Welcome to" in text_of(await enroll(app, f"U{i}", program))
    await make_program(app, name="Ending", slug="ending", state=ProgramState.CLOSING, goal="g")
    assert "not taking enrollments right now (it is closing)" in text_of(await say(app, "U1", "join ending"))


async def test_late_joiner_in_a_running_program_is_enrolled_and_told_what_happens(app: App) -> None:
    program = await make_program(app, state=ProgramState.RUNNING, goal="g", start_date=date(2026, 1, 1))
    replies = text_of(await enroll(app, "U1", program))
    assert replies.startswith("Welcome to Leadership Circles! You're enrolled.")
    assert "propose and vote" not in replies and len(replies) > len("Welcome to Leadership Circles! You're enrolled.")
    assert await statuses(app, program) == {"U1": ACTIVE}
    forming = await make_program(app, name="Forming", slug="forming", state=ProgramState.FORMING, goal="g")
    assert "Welcome to Forming" in text_of(await enroll(app, "U2", forming))


async def test_without_a_hook_that_places_them_the_late_joiner_hears_an_honest_default(app: App) -> None:
    program = await make_program(app, state=ProgramState.RUNNING, goal="g", format="peer")
    async with app.uow() as uow:
        member = await uow.members.get_or_create(workspace_id=1, external_id="U1", now=program.created_at)
        ctx = _ctx(app, uow, member)
        lines = await joined_lines(ctx, program, member)
        program.state = ProgramState.ENROLLING
        assert await joined_lines(ctx, program, member) == []  # nothing to say before enrollment closes
    assert lines == ["Pairs are already meeting: you'll be matched as soon as a match is possible, and I'll message "
                     "you."]


def _ctx(app: App, uow: object, member: Member):  # type: ignore[no-untyped-def]
    from bot.kernel.context import Ctx
    from bot.kernel.events import Actor
    from bot.kernel.i18n import Translator
    from storage.tables import Workspace

    workspace = Workspace(id=1, platform="local", external_id="W1", created_at=member.created_at)
    return Ctx(services=app.services, uow=uow, actor=Actor("local", "W1", "U1"), workspace=workspace,  # type: ignore[arg-type]
               member=member, t=Translator("en"), now=member.created_at, hooks=Hooks())


async def test_joining_a_pair_program_speaks_of_roles_not_themes(app: App) -> None:
    program = await make_program(app, name="Reverse Mentoring", slug="reverse", format="reverse", goal="g")
    text = text_of(await enroll(app, "U1", program, role="mentor"))
    assert "propose and vote on themes" not in text
    assert text.startswith("Welcome to Reverse Mentoring! Your role: Mentor (a junior colleague")
    assert "matched once enrollment closes" in text
    indonesian = text_of(await enroll(app, "U2", program, role="mentee", locale="id"))
    assert "tema" not in indonesian and "Anda terdaftar sebagai: Mentee" in indonesian
    fixed = await make_program(app, name="Fixed", slug="fixed", theme_mode="admin_fixed", goal="g")
    assert "propose" not in text_of(await enroll(app, "U3", fixed))
    circles = await make_program(app, name="Circles", slug="circles", goal="g")
    assert "propose and vote on themes" in text_of(await enroll(app, "U4", circles))


async def test_a_waitlisted_members_role_is_kept_for_when_they_move_up(app: App) -> None:
    program = await make_program(app, name="Pairs", slug="pairs", format="one_on_one", goal="g", seats=1)
    await enroll(app, "U1", program, role="mentor")
    assert "waitlist" in text_of(await enroll(app, "U2", program, role="mentee"))
    rows = await enrollments(app, program)
    assert (rows["U2"].status, rows["U2"].role) == (WAITLISTED, "mentee")


async def test_a_forgotten_member_frees_their_seat_and_a_forgotten_waiting_one_takes_none(app: App) -> None:
    program = await make_program(app, seats=1, goal="g")
    for user in ("U1", "U2", "U3"):
        await enroll(app, user, program)
    await say(app, "U2", "forget me")
    await press(app, "U2", f"forget.confirm:{await member_id(app, 'U2')}")  # waiting: nothing moves
    assert list((await statuses(app, program)).values()).count(ACTIVE) == 1
    await say(app, "U1", "forget me")
    await press(app, "U1", f"forget.confirm:{await member_id(app, 'U1')}")
    rows = await enrollments(app, program)
    assert rows["U3"].status == ACTIVE  # the seat went past the forgotten U2 to U3
    assert sum(r.status == ACTIVE for r in rows.values()) == 1


async def test_join_without_a_name_offers_programs_taking_late_joiners_when_none_is_enrolling(app: App) -> None:
    await make_program(app, name="Invited only", slug="invited", state=ProgramState.RUNNING, goal="g",
                       participation="invitation")
    assert "No program is open" in text_of(await say(app, "U1", "join"))
    running = await make_program(app, name="Rolling", slug="rolling", state=ProgramState.RUNNING, goal="g")
    assert form_of(await say(app, "U1", "join")).form.state == f"join:{running.id}"
    enrolling = await make_program(app, name="Next", slug="next", goal="g")
    assert form_of(await say(app, "U1", "join")).form.state == f"join:{enrolling.id}"


async def _forget(app: App, user: str) -> None:
    me = await member_id(app, user)
    await say(app, user, "forget me")
    await press(app, user, f"forget.confirm:{me}")


async def test_a_forgotten_member_leaves_the_waitlist_and_their_invitation_too(app: App) -> None:
    program = await make_program(app, seats=1, goal="g")
    invited = await make_program(app, name="Mentors", slug="mentors", goal="g",
                                 participation=Participation.INVITATION)
    for user in ("U1", "U2", "U3"):
        await enroll(app, user, program)
    await say(app, "UADMIN", "program invite mentors <@U2>")
    gone = await member_id(app, "U2")
    await _forget(app, "U2")  # waitlisted number 1, and invited: both end with them
    async with app.uow() as uow:
        rows = [e for p in (program, invited) for e in await uow.enrollments.of_program(
            workspace_id=1, program_id=p.id or 0, active_only=False) if e.member_id == gone]
    assert sorted(e.status for e in rows) == [LEFT, LEFT]
    assert "number 1" in text_of(await say(app, "U3", "status"))  # U3 is first in line now
