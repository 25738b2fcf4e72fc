"""Helpers for the intake tests: editing a program section by section, reading enrollments, planning at a clock."""

from __future__ import annotations

from datetime import datetime

from adapters.bootstrap import App
from bot.kernel.events import FormValue
from bot.kernel.replies import Response
from storage.tables import Enrollment, Program
from tests.helpers import WORKSPACE, form_of, plan, press, submit


async def program_named(app: App, slug: str) -> Program:
    async with app.uow() as uow:
        workspace = await uow.workspaces.find(platform="local", external_id=WORKSPACE)
        assert workspace is not None and workspace.id is not None
        program = await uow.programs.by_slug(workspace_id=workspace.id, slug=slug)
        assert program is not None
        return program


async def open_section(app: App, program: Program, section: str, user: str = "UADMIN",
                       locale: str = "en") -> dict[str, object]:
    """Press the section's button on the `program edit` card; returns the form's initial values by field."""
    opened = form_of(await press(app, user, f"program.edit:{program.id}:{section}", locale=locale))
    assert opened.form.state == f"{program.id}:{section}"
    return {i.name: getattr(i, "initial", None) for i in opened.form.inputs}


async def edit(app: App, program: Program, section: str, changes: dict[str, FormValue], *,
               user: str = "UADMIN", locale: str = "en") -> list[Response]:
    """Submit the section's form as the admin would: its current values, with `changes` typed over them."""
    initial = await open_section(app, program, section, user, locale)
    values: dict[str, FormValue] = {
        name: (value.isoformat() if hasattr(value, "isoformat") else "" if value is None else str(value))
        for name, value in initial.items()}
    values.update(changes)
    return await submit(app, user, "program.edit", values, state=f"{program.id}:{section}", locale=locale)


async def enrollments(app: App, program: Program) -> dict[str, Enrollment]:
    """Every enrollment of the program (any status), by the member's platform id."""
    async with app.uow() as uow:
        rows = await uow.enrollments.of_program(workspace_id=program.workspace_id, program_id=program.id or 0,
                                                active_only=False)
        members = await uow.members.many(workspace_id=program.workspace_id, member_ids=[r.member_id for r in rows])
    ids = {m.id: m.external_id for m in members}
    return {ids[r.member_id]: r for r in rows}


async def statuses(app: App, program: Program) -> dict[str, str]:
    return {user: row.status for user, row in (await enrollments(app, program)).items()}


async def plan_at(app: App, moment: datetime) -> None:
    await plan(app.services.uow, now=moment, config=app.services.config)
