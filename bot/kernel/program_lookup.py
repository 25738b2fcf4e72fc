"""Finding the program a member means: by slug or by name, else the only open one."""

from __future__ import annotations

from bot.kernel.context import Ctx
from bot.kernel.errors import UserError
from bot.kernel.payload import Unavailable, int_id
from bot.kernel.text_keys import fold, slugify
from storage.tables import Program, ProgramState


async def find_program(ctx: Ctx, text: str) -> Program:
    wanted = fold(text)
    wanted_slug = slugify(text)
    for program in await ctx.uow.programs.all_in(workspace_id=ctx.workspace_id):
        if program.slug == wanted_slug or fold(program.name) == wanted:
            return program
    raise UserError("programs.not_found", name=text[:60])


async def open_programs(ctx: Ctx) -> list[Program]:
    return await ctx.uow.programs.in_states(workspace_id=ctx.workspace_id, states=(ProgramState.ENROLLING,))


async def program_by_id(ctx: Ctx, arg: str) -> Program:
    """A program a button or form names: only one of the actor's workspace, else the calm 'out of date' reply."""
    program = await ctx.uow.programs.get(workspace_id=ctx.workspace_id, program_id=int_id(arg))
    if program is None:
        raise Unavailable()
    return program
