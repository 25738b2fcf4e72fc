"""The demo's scenes, in order; each drives the core through real events and prints what members see."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from adapters.demo import ADMIN, WORKSPACE, Demo, members_table
from bot.replies import OpenForm
from storage.tables import Program, ProgramState


async def enrollment(demo: Demo) -> None:
    demo.heading("Enrollment: employees join the program and fill in their profile")
    clock = demo.clock
    async with demo.app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=clock.now())
        uow.programs.add(Program(
            workspace_id=workspace.id or 0, name="Lingkar Kepemimpinan 2026", slug="kepemimpinan-2026",
            goal="Grow the next generation of leaders across departments", state=ProgramState.ENROLLING,
            created_at=clock.now(),
        ))
        await uow.commit()
    for index, person in enumerate(demo.people):
        show = index < 2  # print the first two conversations in full, the rest as a table
        responses = await demo.say(person.user_id, "join" if person.locale == "en" else "gabung", show=show)
        form = next(r for r in responses if isinstance(r, OpenForm)).form
        await demo.submit(person.user_id, form.form_id, dict(person.profile()), state=form.state, show=show)
    await demo.say(demo.people[0].user_id, "join", show=True)  # joining twice: a friendly reply, one row
    await demo.say(demo.people[0].user_id, "status")
    await demo.say(ADMIN, "what can you do?")
    async with demo.app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="local", external_id=WORKSPACE, now=clock.now())
        members = {m.id: m for m in await uow.members.all_in(workspace_id=workspace.id or 0)}
        rows = []
        for program in await uow.programs.all_in(workspace_id=workspace.id or 0):
            for enrollment in await uow.enrollments.of_program(workspace_id=workspace.id or 0,
                                                               program_id=program.id or 0):
                m = members[enrollment.member_id]
                rows.append((m.display_name, m.department, str(m.seniority), m.timezone, m.locale or "",
                             ", ".join(m.skills_offered), ", ".join(m.skills_wanted)))
    demo.console.print(members_table(f"Enrolled members ({len(rows)})", rows,
                                     ("name", "department", "seniority", "time zone", "lang", "offers", "wants")))


SCENES: list[Callable[[Demo], Awaitable[None]]] = [enrollment]
