"""Invitation programs: `program invite`, Accept / Decline (and forged answers), joining without an invitation, and
an onboarding program inviting newcomers once (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.message_codec import decode
from bot.kernel.messages import Buttons
from bot.kernel.replies import OpenForm
from storage.tables import Delivery, EnrollmentStatus, Participation, ProgramState
from tests.helpers import PROFILE, enroll, form_of, make_program, press, say, submit, text_of
from tests.programs.intake_support import plan_at, statuses

INVITED, DECLINED, ACTIVE = EnrollmentStatus.INVITED, EnrollmentStatus.DECLINED, EnrollmentStatus.ACTIVE


async def _invitations(app: App) -> dict[str, tuple[str, list[str]]]:
    """Invitation DMs by recipient: the text and the buttons' action ids."""
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(col(Delivery.key).startswith("invite:"))
                                       .order_by(col(Delivery.id)))).all()
    found = {}
    for row in rows:
        message = decode(row.payload)
        actions = [b.action_id for blk in message.blocks if isinstance(blk, Buttons) for b in blk.buttons]
        found[row.target.rsplit(":", 1)[1]] = (message.text, actions)
    return found


async def test_invite_sends_one_invitation_each_and_counts_the_rest(app: App) -> None:
    program = await make_program(app, participation=Participation.INVITATION, goal="Grow leaders")
    await enroll(app, "U9", await make_program(app, name="Other", slug="other", goal="g"))
    reply = text_of(await say(app, "UADMIN", "program invite leadership <@U1> <@U2> <@U1>"))
    assert reply == "Leadership Circles: 2 invited."
    sent = await _invitations(app)
    assert set(sent) == {"U1", "U2"}
    text, actions = sent["U1"]
    assert "You're invited to take part in Leadership Circles. Why: Grow leaders" in text
    assert actions == [f"invite:{program.id}:yes", f"invite:{program.id}:no"]
    await submit(app, "U1", "profile", PROFILE, state=f"join:{program.id}")  # U1 accepts
    again = text_of(await say(app, "UADMIN", "program undang leadership <@U1> <@U2> <@U3>"))
    assert again == "Leadership Circles: 1 already enrolled; 1 already invited (not sent again); 1 invited."
    assert len(await _invitations(app)) == 3
    assert await statuses(app, program) == {"U1": ACTIVE, "U2": INVITED, "U3": INVITED}


async def test_accepting_opens_the_questionnaire_and_enrolls_only_then(app: App) -> None:
    program = await make_program(app, participation=Participation.INVITATION, goal="g", seats=1)
    await say(app, "UADMIN", "program invite leadership <@U1> <@U2>")
    opened = form_of(await press(app, "U1", f"invite:{program.id}:yes"))
    assert opened.form.form_id == "profile" and opened.form.state == f"join:{program.id}"
    assert await statuses(app, program) == {"U1": INVITED, "U2": INVITED}  # opening the form is no yes yet
    assert "Welcome to Leadership Circles" in text_of(await submit(app, "U1", "profile", PROFILE,
                                                                   state=opened.form.state))
    second = form_of(await press(app, "U2", f"invite:{program.id}:yes"))
    assert "waitlist, number 1" in text_of(await submit(app, "U2", "profile", PROFILE, state=second.form.state))
    assert "already enrolled" in text_of(await press(app, "U1", f"invite:{program.id}:yes"))


async def test_declining_is_recorded_thanked_and_nothing_else(app: App) -> None:
    program = await make_program(app, participation=Participation.INVITATION, goal="g")
    await say(app, "UADMIN", "program invite leadership <@U1> <@U2>")
    assert "Thank you for letting us know" in text_of(await press(app, "U1", f"invite:{program.id}:no"))
    assert "Thank you" in text_of(await press(app, "U1", f"invite:{program.id}:no"))  # a double press
    assert await statuses(app, program) == {"U1": DECLINED, "U2": INVITED}
    indonesian = text_of(await press(app, "U2", f"invite:{program.id}:no", locale="id"))
    assert "Terima kasih atas kabarnya" in indonesian
    # Declined is not asked again, and a change of mind is still possible through the invitation's Accept.
    again = text_of(await say(app, "UADMIN", "program invite leadership <@U1>"))
    assert "1 declined earlier (not asked again)" in again
    assert isinstance((await press(app, "U1", f"invite:{program.id}:yes"))[0], OpenForm)
    async with app.uow() as uow:
        audit = await uow.audit.list(workspace_id=1, action="enrollment.declined")
    assert len(audit) == 2


async def test_forged_answers_are_out_of_date(app: App) -> None:
    program = await make_program(app, participation=Participation.INVITATION, goal="g")
    other = await make_program(app, name="Other", slug="other", participation=Participation.INVITATION, goal="g")
    await say(app, "UADMIN", "program invite leadership <@U1>")
    for action in (f"invite:{other.id}:yes", f"invite:{other.id}:no", f"invite:{program.id}:maybe",
                   f"invite:{program.id}", "invite:x:yes", "invite:99999:yes", f"invite:{program.id}:yes:no"):
        assert "out of date" in text_of(await press(app, "U1", action)), action
    assert "out of date" in text_of(await press(app, "U2", f"invite:{program.id}:yes"))  # never invited
    assert await statuses(app, program) == {"U1": INVITED}
    assert await statuses(app, other) == {}


async def test_an_invitation_program_cannot_be_joined_without_an_invitation(app: App) -> None:
    program = await make_program(app, participation=Participation.INVITATION, goal="g")
    assert "by invitation only" in text_of(await say(app, "U1", "join leadership"))
    assert "by invitation only" in text_of(await press(app, "U1", f"join:{program.id}"))
    forged = await submit(app, "U1", "profile", PROFILE, state=f"join:{program.id}")
    assert "by invitation only" in text_of(forged)
    assert await statuses(app, program) == {}


async def test_invite_refuses_mandatory_and_programs_not_taking_people(app: App) -> None:
    await make_program(app, participation=Participation.MANDATORY, goal="g")
    refused = text_of(await say(app, "UADMIN", "program invite leadership <@U1>"))
    assert "is mandatory: enroll people with `program enroll leadership" in refused
    await make_program(app, name="Draft", slug="draft", state=ProgramState.DRAFT, goal="g")
    assert "Open it first with `program open draft`" in text_of(await say(app, "UADMIN", "program invite draft <@U1>"))
    assert "program invite <program> @person" in text_of(await say(app, "UADMIN", "program invite draft"))
    assert "Only Lingkar admins" in text_of(await say(app, "U1", "program invite draft <@U2>"))


async def test_mandatory_programs_enroll_directly_and_say_why(app: App) -> None:
    program = await make_program(app, participation=Participation.MANDATORY, goal="Safety first", seats=1)
    reply = text_of(await say(app, "UADMIN", "program enroll leadership <@U1> <@U2>"))
    assert "1 member enrolled and told" in reply and "1 is on the waitlist" in reply
    assert await statuses(app, program) == {"U1": ACTIVE, "U2": EnrollmentStatus.WAITLISTED}


async def test_onboarding_program_invites_newcomers_once(app: App) -> None:
    program = await make_program(app, name="Buddy", slug="buddy", format="peer", goal="A buddy for your start",
                                 participation=Participation.INVITATION, invite_new_within_days=45)
    starts = {"UNEW": date(2025, 12, 1), "UOLD": date(2025, 10, 1), "UGONE": date(2025, 12, 20),
              "UAWAY": date(2025, 12, 21), "UNONE": None, "UIN": date(2025, 12, 22)}
    async with app.uow() as uow:
        for user, started in starts.items():
            member = await uow.members.get_or_create(workspace_id=1, external_id=user, now=program.created_at)
            member.start_date, member.erased, member.reachable = started, user == "UGONE", user != "UAWAY"
            uow.members.add(member)
        await uow.commit()
    await say(app, "UADMIN", "program invite buddy <@UIN>")  # invited by hand already: not twice
    now = datetime(2026, 1, 6, 3, 0, tzinfo=UTC)
    for minutes in (0, 1):
        await plan_at(app, now.replace(minute=minutes))
    sent = await _invitations(app)
    assert set(sent) == {"UNEW", "UIN"}
    assert "Because you joined the company in the last 45 days, you're invited to Buddy" in sent["UNEW"][0]
    await press(app, "UNEW", f"invite:{program.id}:no")
    await plan_at(app, datetime(2026, 1, 7, 3, 0, tzinfo=UTC))
    assert set(await _invitations(app)) == {"UNEW", "UIN"}  # a no stays a no
    assert await statuses(app, program) == {"UNEW": DECLINED, "UIN": INVITED}
