"""Teams test helpers: programs in the Teams tenant, reading enrollments back from the database."""

from __future__ import annotations

from sqlmodel import select

from adapters.bootstrap import App
from storage.tables import ConversationRecord, Enrollment, Member, Program, ProgramState
from tests.teams.activities import TENANT


async def teams_program(app: App, *, name: str = "Leadership Circles", slug: str = "leadership") -> Program:
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="teams", external_id=TENANT, now=now)
        program = Program(workspace_id=workspace.id or 0, name=name, slug=slug, state=ProgramState.ENROLLING,
                          created_at=now)
        uow.programs.add(program)
        await uow.commit()
        return program


async def enrolled_member(app: App, aad: str) -> tuple[Member, list[Enrollment]]:
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="teams", external_id=TENANT,
                                                       now=app.services.clock.now())
        member = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id=aad)
        assert member is not None, f"no member {aad}"
        found = await uow.session.exec(select(Enrollment).where(Enrollment.member_id == member.id))
        return member, list(found.all())


async def references(app: App) -> list[ConversationRecord]:
    async with app.uow() as uow:
        found = await uow.session.exec(select(ConversationRecord).order_by(ConversationRecord.id))  # type: ignore[arg-type]
        return list(found.all())


async def enroll_directly(app: App, program: Program, aad: str, *, name: str = "") -> None:
    now = app.services.clock.now()
    async with app.uow() as uow:
        member = await uow.members.get_or_create(workspace_id=program.workspace_id, external_id=aad, now=now,
                                                 defaults={"display_name": name, "profile_completed": True})
        await uow.enrollments.enroll(workspace_id=program.workspace_id, program_id=program.id or 0,
                                     member_id=member.id or 0, now=now)
        await uow.commit()


async def make_admin(app: App, aad: str) -> None:
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="teams", external_id=TENANT, now=now)
        await uow.admins.add(workspace_id=workspace.id or 0, user_external_id=aad, added_by="test", now=now)
        await uow.commit()
