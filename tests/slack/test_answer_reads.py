"""What a slash command's answer costs in database work: `status` reads as much for ten programs as for one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from adapters.bootstrap import App
from storage.tables import EnrollmentStatus, Program, ProgramState
from tests.slack.conftest import TEAM, Slack


@contextmanager
def statements(app: App) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block (their text only: no parameters)."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(app.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", note)


async def enroll_in_programs(app: App, user: str, states: Sequence[tuple[str, str]]) -> None:
    """One program per (program state, enrollment status), the member enrolled in each."""
    now = app.services.clock.now()
    async with app.uow() as uow:
        workspace = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        member = await uow.members.by_external_id(workspace_id=workspace.id or 0, external_id=user)
        assert member is not None and member.id is not None
        for number, (state, status) in enumerate(states):
            program = Program(workspace_id=workspace.id or 0, name=f"Program {user} {number}",
                              slug=f"p-{user.lower()}-{number}", state=state, format="circles", created_at=now)
            uow.programs.add(program)
            await uow.flush()
            await uow.enrollments.enroll(workspace_id=workspace.id or 0, program_id=program.id or 0,
                                         member_id=member.id, now=now, status=status)
        await uow.commit()


async def status_reads(slack: Slack, app: App, user: str) -> tuple[int, str]:
    await slack.command("status", user=user)  # the member exists and their Slack profile is cached
    with statements(app) as seen:
        status, answer = await slack.command("status", user=user)
    assert status == 200
    return len(seen), answer.get("text", "")


async def test_status_reads_the_same_for_one_program_or_ten(slack: Slack, lingkar: App) -> None:
    await slack.command("status", user="U1")
    await slack.command("status", user="U2")
    await enroll_in_programs(lingkar, "U1", [(ProgramState.RUNNING, EnrollmentStatus.ACTIVE)])
    many = [(ProgramState.RUNNING, EnrollmentStatus.ACTIVE)] * 6 + [
        (ProgramState.ENROLLING, EnrollmentStatus.INVITED),
        (ProgramState.ENROLLING, EnrollmentStatus.ACTIVE),
        (ProgramState.RUNNING, EnrollmentStatus.LEFT),
        (ProgramState.RUNNING, EnrollmentStatus.ACTIVE),
    ]
    await enroll_in_programs(lingkar, "U2", many)
    one, one_answer = await status_reads(slack, lingkar, "U1")
    ten, ten_answer = await status_reads(slack, lingkar, "U2")
    assert one == ten, "status reads per program: one query per enrollment is what made it slow at scale"
    assert "Program U1 0" in one_answer
    listed = [n for n in range(10) if f"Program U2 {n}" in ten_answer]
    assert listed == [0, 1, 2, 3, 4, 5, 6, 7, 9]  # the program they left is not listed
    assert "p-u2-6" in ten_answer  # the invitation says how to accept it


async def test_status_lists_only_programs_of_its_workspace(slack: Slack, lingkar: App) -> None:
    await slack.command("status", user="U1")
    await enroll_in_programs(lingkar, "U1", [(ProgramState.RUNNING, EnrollmentStatus.ACTIVE)])
    now = lingkar.services.clock.now()
    async with lingkar.uow() as uow:  # an enrollment row of U1's workspace that (wrongly) names another's program
        home = await uow.workspaces.get_or_create(platform="slack", external_id=TEAM, now=now)
        member = await uow.members.by_external_id(workspace_id=home.id or 0, external_id="U1")
        other = await uow.workspaces.get_or_create(platform="slack", external_id="T2", now=now)
        elsewhere = Program(workspace_id=other.id or 0, name="Elsewhere", slug="elsewhere",
                            state=ProgramState.RUNNING, format="circles", created_at=now)
        uow.programs.add(elsewhere)
        await uow.flush()
        assert member is not None and member.id is not None
        await uow.enrollments.enroll(workspace_id=home.id or 0, program_id=elsewhere.id or 0, member_id=member.id,
                                     now=now)
        await uow.commit()
    _, answer = await status_reads(slack, lingkar, "U1")
    assert "Program U1 0" in answer and "Elsewhere" not in answer
