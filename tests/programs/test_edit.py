"""`program edit`: a card of sections, each a prefilled form; validation with the other settings as they are, state
rules, the confirmation and audit, and settings that are honoured where they act (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from adapters.bootstrap import App
from bot.kernel.messages import Buttons
from bot.kernel.planning import PlanContext
from bot.kernel.replies import Reply
from bot.pairs.pool import load_pool
from bot.programs.edit import SECTIONS
from bot.programs.inputs import SETTINGS
from storage.tables import AuditEntry, Pair, Program, ProgramState
from tests.conftest import START
from tests.helpers import (
    admin_creates_program,
    enroll,
    errors_of,
    make_program,
    press,
    say,
    submit,
    text_of,
)
from tests.programs.intake_support import edit, open_section, program_named

TODAY = START.date()


def test_every_setting_is_in_exactly_one_section() -> None:
    placed = [name for names in SECTIONS.values() for name in names]
    assert sorted(placed) == sorted(SETTINGS) and len(placed) == len(set(placed))


async def test_card_offers_the_sections_of_the_format(app: App) -> None:
    await admin_creates_program(app)
    replies = await say(app, "UADMIN", "program edit leadership-circles")
    buttons = [b for r in replies if isinstance(r, Reply) for blk in r.message.blocks if isinstance(blk, Buttons)
               for b in blk.buttons]
    assert [b.label for b in buttons] == ["Basics", "Enrollment", "Schedule", "Circles", "Feedback"]
    await say(app, "UADMIN", "admin add <@UIBU>")
    ubah = await say(app, "UIBU", "program ubah leadership-circles", locale="id")  # an admin who speaks Indonesian
    assert "Apa yang ingin Anda ubah" in text_of(ubah)
    assert "Only Lingkar admins" in text_of(await say(app, "U1", "program edit leadership-circles"))


async def test_section_form_is_prefilled_with_current_values(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    schedule = await open_section(app, program, "schedule")
    assert schedule == {"start_date": TODAY, "weeks": 12, "cadence": "weekly", "meeting_weekday": "2",
                        "meeting_time": "10:00", "timezone": "Asia/Jakarta"}
    groups = await open_section(app, program, "groups")
    assert groups["size_max"] == 5 and groups["max_theme_votes"] == 3


async def test_errors_show_on_the_fields_of_the_section_and_nothing_is_saved(app: App) -> None:
    await admin_creates_program(app, enrollment_closes=(TODAY + timedelta(days=10)).isoformat(),
                                start_date=(TODAY + timedelta(days=20)).isoformat())
    program = await program_named(app, "leadership-circles")
    errors = errors_of(await edit(app, program, "schedule", {"meeting_time": "25:00", "weeks": "99"}))
    assert set(errors) == {"meeting_time", "weeks"}
    # The start date before enrollment closes: the rule's error lands on the field of this form, named.
    errors = errors_of(await edit(app, program, "schedule", {"start_date": (TODAY + timedelta(days=3)).isoformat()}))
    assert set(errors) == {"start_date"} and errors["start_date"].startswith("Enrollment closes: ")
    errors = errors_of(await edit(app, program, "enrollment", {
        "enrollment_opens": (TODAY + timedelta(days=11)).isoformat(), "seats": "-1"}))
    assert set(errors) == {"enrollment_opens", "seats"}
    errors = errors_of(await edit(app, program, "groups", {"size_min": "6", "size_target": "4"}))
    assert set(errors) == {"size_target"}
    errors = errors_of(await edit(app, program, "feedback", {"k_anonymity": "1"}))
    assert set(errors) == {"k_anonymity"}  # K may be raised, never lowered below the deployment's
    assert (await program_named(app, "leadership-circles")).model_dump() == program.model_dump()


async def test_a_change_is_saved_listed_and_audited_by_field_name_only(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    done = text_of(await edit(app, program, "schedule", {"weeks": "8", "meeting_time": "9:30"}))
    assert "Leadership Circles is updated" in done
    assert "Number of weeks: 12 → 8" in done and "Meeting time (HH:MM): 10:00 → 09:30" in done
    goal = text_of(await edit(app, program, "basics", {"goal": "A secret goal text"}))
    assert "(new text)" in goal and "secret" not in goal
    feedback = text_of(await edit(app, program, "feedback", {"k_anonymity": "5", "checkins_by_dm": "yes"}))
    assert "5" in feedback and "Yes" in feedback
    assert "Nothing changed" in text_of(await edit(app, program, "feedback", {}))
    saved = await program_named(app, "leadership-circles")
    assert (saved.weeks, saved.meeting_time, saved.k_anonymity, saved.checkins_by_dm) == (8, "09:30", 5, True)
    async with app.uow() as uow:
        audit = await uow.audit.list(workspace_id=1, action="program.edited")
    assert [e.detail["fields"] for e in audit] == [["weeks", "meeting_time"], ["goal"],
                                                    ["k_anonymity", "checkins_by_dm"]]
    assert "secret" not in str([e.detail for e in audit])


async def test_indonesian_confirmation(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    await say(app, "UADMIN", "admin add <@UIBU>")
    done = text_of(await edit(app, program, "enrollment", {"seats": "20"}, user="UIBU", locale="id"))
    assert "sudah diperbarui" in done and "0 → 20" in done


async def test_settings_that_cannot_change_in_this_state_say_why(app: App) -> None:
    program = await make_program(app, state=ProgramState.RUNNING, start_date=TODAY - timedelta(days=14), goal="g")
    errors = errors_of(await edit(app, program, "schedule", {"start_date": TODAY.isoformat(), "weeks": "10"}))
    assert set(errors) == {"start_date", "weeks"}
    assert "can no longer change now that Leadership Circles is running" in errors["start_date"]
    assert "a draft, open for enrollment, forming circles" in errors["start_date"]
    errors = errors_of(await edit(app, program, "basics", {"format": "peer"}))
    assert set(errors) == {"format"}
    # What still may change, does, though the start date kept from before lies in the past.
    assert "updated" in text_of(await edit(app, program, "basics", {"name": "Leaders 2026"}))
    assert "updated" in text_of(await edit(app, program, "groups", {"size_max": "9"}))
    closed = await make_program(app, name="Old", slug="old", state=ProgramState.CLOSED, goal="g")
    assert "is closed" in text_of(await say(app, "UADMIN", "program edit old"))
    assert "is closed" in text_of(await submit(app, "UADMIN", "program.edit", {"name": "x"},
                                               state=f"{closed.id}:basics"))


async def test_forged_states_and_buttons_are_refused(app: App) -> None:
    program = await make_program(app, goal="g")
    for state in (f"{program.id}:nope", f"{program.id}", "x:basics", f"{program.id}9:basics", ""):
        assert "out of date" in text_of(await submit(app, "UADMIN", "program.edit", {"name": "x"}, state=state))
        assert "out of date" in text_of(await press(app, "UADMIN", f"program.edit:{state}"))
    # A member who is not an admin, pressing an admin's button or submitting its form.
    assert "Only Lingkar admins" in text_of(await press(app, "U1", f"program.edit:{program.id}:basics"))
    assert "Only Lingkar admins" in text_of(await submit(app, "U1", "program.edit", {"name": "Mine"},
                                                         state=f"{program.id}:basics"))
    assert (await program_named(app, "leadership")).name == "Leadership Circles"


async def test_fields_of_another_section_are_ignored(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    await edit(app, program, "feedback", {"pulse_every_weeks": "2", "seats": "1", "name": "Sneaky"})
    saved = await program_named(app, "leadership-circles")
    assert (saved.pulse_every_weeks, saved.seats, saved.name) == (2, 0, "Leadership Circles")


async def test_vote_count_is_honoured_by_themes(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    await say(app, "UADMIN", "program open leadership-circles")
    await enroll(app, "U1", program)
    for title in ("Feedback", "Careers"):
        await say(app, "U1", f"theme propose {title}")
    assert "updated" in text_of(await edit(app, program, "groups", {"max_theme_votes": "1"}))
    assert "at most 1 themes" in text_of(await say(app, "U1", "theme vote 1 2"))
    assert "[x] 1. Feedback" in text_of(await say(app, "U1", "theme vote 1"))


async def test_cool_down_is_honoured_by_pair_matching(app: App) -> None:
    old = await make_program(app, name="Old pairs", slug="old-pairs", format="one_on_one", goal="g",
                             state=ProgramState.CLOSED)
    program = await make_program(app, name="Pairs", slug="pairs", format="one_on_one", goal="g", start_date=TODAY)
    await enroll(app, "U1", program, role="mentor")
    await enroll(app, "U2", program, role="mentee")
    async with app.uow() as uow:
        mentor = await uow.members.by_external_id(workspace_id=1, external_id="U1")
        mentee = await uow.members.by_external_id(workspace_id=1, external_id="U2")
        assert mentor is not None and mentee is not None
        uow.session.add(Pair(workspace_id=1, program_id=old.id or 0, mentor_member_id=mentor.id or 0,
                             mentee_member_id=mentee.id or 0, started_at=START - timedelta(days=100)))
        await uow.commit()
    earlier = {(mentor.id, mentee.id)}
    assert await _recent(app, program) == earlier  # 100 days ago is inside the default 180
    assert "180 → 90" in text_of(await edit(app, program, "pairs", {"pair_cooldown_days": "90"}))
    assert await _recent(app, program) == set()


async def _recent(app: App, program: Program) -> set[tuple[int, int]]:
    """The earlier pairs the matcher keeps apart, as the pairs capability loads them."""
    async with app.uow() as uow:
        workspace = await uow.workspaces.get(1)
        fresh = await uow.programs.get(workspace_id=1, program_id=program.id or 0)
        assert workspace is not None and fresh is not None
        scope = PlanContext(uow=uow, program=fresh, workspace=workspace, now=START, config=app.services.config)
        pool = await load_pool(scope, fresh)
        return set(pool.rules.recent_pairs)


async def test_create_takes_the_opening_date(app: App) -> None:
    await admin_creates_program(app, enrollment_opens=(TODAY + timedelta(days=3)).isoformat(),
                                enrollment_closes=(TODAY + timedelta(days=9)).isoformat(),
                                start_date=(TODAY + timedelta(days=14)).isoformat())
    program = await program_named(app, "leadership-circles")
    assert (program.enrollment_opens, program.enrollment_closes) == (date(2026, 1, 8), date(2026, 1, 14))
    shown = text_of(await say(app, "UADMIN", "program show leadership-circles"))
    assert "enrollment opens 2026-01-08, closes 2026-01-14; starts 2026-01-19" in shown
    assert "voluntary" in shown and "no limit (0 enrolled)" in shown


async def test_audit_detail_names_no_values(app: App) -> None:
    await admin_creates_program(app)
    program = await program_named(app, "leadership-circles")
    await edit(app, program, "basics", {"rules_topics": "Confidential: what is said here stays here"})
    async with app.uow() as uow:
        rows = (await uow.session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert rows[-1].detail == {"program_id": program.id, "fields": ["rules_topics"]}


async def test_help_lists_the_new_commands_for_admins_only(app: App) -> None:
    shown = text_of(await say(app, "UADMIN", "help"))
    assert "program edit <program> (or program ubah)" in shown and "program invite <program> @a @b" in shown
    assert "program edit" not in text_of(await say(app, "U1", "help"))
    await say(app, "UADMIN", "admin add <@UIBU>")
    assert "program invite <program> @a @b (atau program undang)" in text_of(await say(app, "UIBU", "bantuan",
                                                                                      locale="id"))
