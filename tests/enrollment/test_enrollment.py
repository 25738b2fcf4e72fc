"""Enrollment end to end through the core: join, profile, leave, status, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from adapters.bootstrap import App
from bot.kernel.events import Actor, Command
from storage.tables import EnrollmentStatus, Member, Workspace
from tests.helpers import (
    PROFILE,
    enroll,
    errors_of,
    form_of,
    make_program,
    press,
    say,
    submit,
    text_of,
)


async def test_join_opens_profile_form_and_enrolls(app: App) -> None:
    program = await make_program(app)
    opened = form_of(await say(app, "U1", "join"))
    assert opened.form.form_id == "profile"
    assert {i.name for i in opened.form.inputs} >= {"department", "seniority", "skills_offered", "skills_wanted",
                                                     "interests", "timezone", "locale"}
    replies = await submit(app, "U1", "profile", PROFILE, state=opened.form.state)
    assert "Welcome to Leadership Circles" in text_of(replies)
    async with app.uow() as uow:
        member = await uow.members.by_external_id(workspace_id=program.workspace_id, external_id="U1")
        assert member is not None
        assert member.department == "Finance"
        assert member.skills_offered == ["Excel", "budgeting"]  # as typed
        assert (member.work_start_hour, member.work_end_hour) == (8, 17)
        rows = await uow.enrollments.of_program(workspace_id=program.workspace_id, program_id=program.id or 0)
        assert [r.member_id for r in rows] == [member.id]


async def test_join_when_nothing_is_open(app: App) -> None:
    await make_program(app, state="draft")
    assert "No program is open" in text_of(await say(app, "U1", "join"))


async def test_join_a_closed_program_by_name_is_refused(app: App) -> None:
    await make_program(app, name="Old Program", slug="old", state="closed")
    assert "not taking enrollments" in text_of(await say(app, "U1", "join Old Program"))


async def test_join_unknown_program(app: App) -> None:
    await make_program(app)
    assert "can't find a program" in text_of(await say(app, "U1", "join nonexistent"))


async def test_several_open_programs_offer_a_choice(app: App) -> None:
    first = await make_program(app, name="Leadership", slug="leadership")
    await make_program(app, name="Digital Skills", slug="digital")
    replies = await say(app, "U1", "join")
    assert "Several programs are open" in text_of(replies)
    opened = form_of(await press(app, "U1", f"join:{first.id}"))
    assert opened.form.state == f"join:{first.id}"


async def test_joining_twice_keeps_one_row_and_says_so(app: App) -> None:
    program = await make_program(app)
    await enroll(app, "U1", program)
    assert "already enrolled" in text_of(await say(app, "U1", "join"))
    # Submitting the same form again (a double click) is also friendly and still one row.
    again = await submit(app, "U1", "profile", PROFILE, state=f"join:{program.id}")
    assert "already enrolled" in text_of(again)
    async with app.uow() as uow:
        assert await uow.enrollments.count_active(workspace_id=program.workspace_id, program_id=program.id or 0) == 1


async def test_concurrent_double_join_ends_as_one_enrollment(app: App) -> None:
    program = await make_program(app)
    state = f"join:{program.id}"
    first, second = await asyncio.gather(
        submit(app, "U1", "profile", PROFILE, state=state),
        submit(app, "U1", "profile", PROFILE, state=state),
    )
    texts = sorted([text_of(first), text_of(second)])
    assert any("Welcome to" in t for t in texts)
    assert any("already enrolled" in t for t in texts)
    async with app.uow() as uow:
        rows = await uow.enrollments.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                                active_only=False)
        assert len(rows) == 1


async def test_invalid_profile_shows_field_errors_and_saves_nothing(app: App) -> None:
    program = await make_program(app)
    bad = {**PROFILE, "department": "", "work_start_hour": "25", "timezone": "Mars/Olympus"}
    errors = errors_of(await submit(app, "U1", "profile", bad, state=f"join:{program.id}"))
    assert set(errors) == {"department", "work_start_hour", "timezone"}
    async with app.uow() as uow:
        assert await uow.enrollments.count_active(workspace_id=program.workspace_id, program_id=program.id or 0) == 0


async def test_errors_are_localised(app: App) -> None:
    program = await make_program(app)
    errors = errors_of(await submit(app, "U1", "profile", {**PROFILE, "department": ""},
                                    state=f"join:{program.id}", locale="id"))
    assert errors["department"] == "Kolom ini wajib diisi."


async def test_profile_language_choice_is_used_from_then_on(app: App) -> None:
    program = await make_program(app)
    replies = await enroll(app, "U1", program, locale="id")
    assert "Selamat datang" in text_of(replies)
    assert "Program Anda" in text_of(await say(app, "U1", "status", locale="en"))


async def test_leave_with_private_reason_and_rejoin(app: App) -> None:
    program = await make_program(app)
    await enroll(app, "U1", program)
    opened = form_of(await say(app, "U1", "leave"))
    done = await submit(app, "U1", "leave", {"reason": "Too busy this quarter"}, state=opened.form.state)
    assert "You've left Leadership Circles" in text_of(done)
    assert "Too busy" not in text_of(done)
    async with app.uow() as uow:
        row = await uow.enrollments.get(workspace_id=program.workspace_id, program_id=program.id or 0, member_id=1)
        assert row is not None and row.status == EnrollmentStatus.LEFT
        assert row.left_reason == "Too busy this quarter"
        audit = await uow.audit.list(workspace_id=program.workspace_id, action="enrollment.left")
        assert len(audit) == 1 and "Too busy" not in str(audit[0].detail)
    assert "not enrolled in any program" in text_of(await say(app, "U1", "leave"))
    assert "Welcome back" in text_of(await enroll(app, "U1", program))


async def test_leaving_a_program_you_are_not_in(app: App) -> None:
    await make_program(app)
    assert "not enrolled in Leadership Circles" in text_of(await say(app, "U1", "leave leadership"))


async def test_status_lists_programs(app: App) -> None:
    assert "not enrolled in any program" in text_of(await say(app, "U1", "status"))
    program = await make_program(app)
    await enroll(app, "U1", program)
    status = text_of(await say(app, "U1", "status"))
    assert "Leadership Circles" in status and "Open for enrollment" in status


async def test_profile_command_edits_profile(app: App) -> None:
    opened = form_of(await say(app, "U1", "profile"))
    assert opened.form.state == ""
    replies = await submit(app, "U1", "profile", {**PROFILE, "department": "Engineering"})
    assert "profile is saved" in text_of(replies)
    reopened = form_of(await say(app, "U1", "profil"))
    department = next(i for i in reopened.form.inputs if i.name == "department")
    assert getattr(department, "initial", None) == "Engineering"


async def test_unknown_command_answers_with_help(app: App) -> None:
    text = text_of(await say(app, "U1", "frobnicate now"))
    assert "didn't understand" in text and "join [program]" in text


async def test_stale_button_gets_a_clear_reply(app: App) -> None:
    assert "out of date" in text_of(await press(app, "U1", "join:99999"))
    assert "out of date" in text_of(await press(app, "U1", "nonsense:1"))


async def test_typed_mentions_in_forms_stay_plain_text(app: App) -> None:
    program = await make_program(app)
    await submit(app, "U1", "profile", {**PROFILE, "department": "Ops <@U999>"}, state=f"join:{program.id}")
    async with app.uow() as uow:
        member = await uow.members.by_external_id(workspace_id=program.workspace_id, external_id="U1")
    assert member is not None and member.department == "Ops @U999"


async def test_first_contacts_at_once_end_as_one_workspace_and_one_member(app: App) -> None:
    # The core reads first and inserts only what is missing; two first events racing must still make one row each.
    newcomer = Actor("local", "TNEW", "UNEW", display_name="Nur Aini", locale="id")
    answers = await asyncio.gather(*(app.core.handle(Command(newcomer, "status")) for _ in range(4)))
    assert all("belum terdaftar" in text_of(a) for a in answers)  # every one answered, in the member's language
    async with app.uow() as uow:
        workspaces = (await uow.session.exec(select(Workspace).where(Workspace.external_id == "TNEW"))).all()
        assert len(workspaces) == 1
        members = await uow.session.exec(select(func.count()).select_from(Member).where(
            Member.workspace_id == workspaces[0].id, Member.external_id == "UNEW"))
        assert members.one() == 1
        member = await uow.members.by_external_id(workspace_id=workspaces[0].id or 0, external_id="UNEW")
        assert member is not None and member.display_name == "Nur Aini"
