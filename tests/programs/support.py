"""A program and many enrolled members, for the lifecycle tests."""

from __future__ import annotations

from adapters.bootstrap import App
from tests.helpers import (
    enroll,
)

DEPARTMENTS = ["Finance", "Engineering", "Sales", "Legal"]


async def _program(app: App):  # type: ignore[no-untyped-def]
    async with app.uow() as uow:
        programs = await uow.programs.all_in(workspace_id=1)
        return programs[-1]


async def _enroll_many(app: App, count: int) -> list[str]:
    program = await _program(app)
    users = [f"U{i:02d}" for i in range(count)]
    for i, user in enumerate(users):
        await enroll(app, user, program, department=DEPARTMENTS[i % 4], seniority=str(i % 5))
    return users
