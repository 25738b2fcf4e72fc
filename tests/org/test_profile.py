"""Profiles after an org import: imported fields shown read-only with whom to ask, editable only where a program of
the member's allows it, forged answers for fields not offered ignored; the join questionnaire still works."""

from __future__ import annotations

from datetime import date

from adapters.bootstrap import App
from bot.kernel.messages import Form
from bot.kernel.replies import Reply
from tests.helpers import PROFILE, errors_of, form_of, make_program, say, submit, text_of
from tests.org.support import csv_bytes, member, send_import

ROWS = csv_bytes("platform_id,department,team,manager,seniority,start_date",
                 "U1,Finance,Payments,UBOSS,senior,2021-05-01")


def _inputs(form: Form) -> set[str]:
    return {i.name for i in form.inputs}


async def test_imported_fields_are_shown_read_only_with_whom_to_ask(app: App) -> None:
    await say(app, "UBOSS", "status")  # the manager has used Lingkar: named by their display name
    await send_import(app, ROWS)
    form = form_of(await say(app, "U1", "profile")).form
    assert {"department", "team", "seniority"}.isdisjoint(_inputs(form))
    assert {"job_title", "skills_offered", "timezone", "locale"} <= _inputs(form)
    for shown in ("Department: Finance", "Team: Payments", "Seniority: Senior", "Manager: UBOSS",
                  "Start date: 2021-05-01", "To change them, ask UADMIN"):
        assert shown in form.intro, form.intro
    indonesian = form_of(await say(app, "U1", "profil", locale="id")).form
    assert "Dari data organisasi Anda: Departemen: Finance · Tim: Payments" in indonesian.intro
    assert "silakan hubungi UADMIN" in indonesian.intro


async def test_answers_for_fields_the_form_did_not_offer_change_nothing(app: App) -> None:
    await send_import(app, ROWS)
    replies = await submit(app, "U1", "profile", {**PROFILE, "department": "Forged", "team": "Elsewhere",
                                                  "seniority": "0", "job_title": "Controller"})
    assert "Your profile is saved" in text_of(replies)
    u1 = await member(app, "U1")
    assert (u1.department, u1.team, u1.seniority, u1.job_title) == ("Finance", "Payments", 2, "Controller")


async def test_a_program_that_allows_it_lets_members_correct_department_and_team(app: App) -> None:
    await send_import(app, ROWS)
    program = await make_program(app, org_fields_editable=True)
    opened = form_of(await say(app, "U1", f"join {program.slug}")).form
    assert {"department", "team", "seniority"} <= _inputs(opened)
    assert "a later org import sets them again" in opened.intro
    replies = await submit(app, "U1", "profile", {**PROFILE, "department": "Finance", "team": "  Treasury  Ops "},
                           state=opened.state)
    assert "Finance / Treasury Ops" in str([r.message.blocks for r in replies if isinstance(r, Reply)])
    u1 = await member(app, "U1")
    assert (u1.team, u1.start_date, u1.manager_external_id) == ("Treasury Ops", date(2021, 5, 1), "UBOSS")
    too_long = await submit(app, "U1", "profile", {**PROFILE, "team": "T" * 101}, state=opened.state)
    assert set(errors_of(too_long)) == {"team"}


async def test_the_join_questionnaire_works_for_imported_and_unimported_members(app: App) -> None:
    await send_import(app, ROWS)
    program = await make_program(app)
    opened = form_of(await say(app, "U1", "join")).form
    assert "department" not in _inputs(opened)
    welcome = text_of(await submit(app, "U1", "profile", PROFILE, state=opened.state))
    assert "Leadership Circles" in welcome
    assert (await member(app, "U1")).department == "Finance"  # PROFILE's "Finance" or not, the import's stays
    fresh = form_of(await say(app, "U2", "join")).form
    assert {"department", "seniority"} <= _inputs(fresh) and "team" not in _inputs(fresh)
    await submit(app, "U2", "profile", {**PROFILE, "department": "Legal", "team": "Typed"}, state=fresh.state)
    u2 = await member(app, "U2")
    assert (u2.department, u2.team) == ("Legal", "")  # a typed team could dodge the same-team exclusion
    async with app.uow() as uow:
        assert await uow.enrollments.count_active(workspace_id=1, program_id=program.id or 0) == 2
