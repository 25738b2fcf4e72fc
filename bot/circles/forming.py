"""`program form` for circle programs: formation from the votes, then every circle launched after the commit."""

from __future__ import annotations

from functools import partial

from bot.circles import formation
from bot.circles.hours_notices import outside_cases, own_time_summary, tell_outside
from bot.circles.launch import launch_circle
from bot.circles.own_time import give_own_time
from bot.circles.preview import formation_inputs, run_formation
from bot.circles.self_select import finish_self_select
from bot.circles.voters import Placed, recorded_why, tell_voters
from bot.kernel.context import Ctx
from bot.kernel.i18n import Translator
from bot.kernel.messages import Message
from bot.kernel.outbox import dm
from bot.kernel.ports import SpaceRef
from storage.tables import Circle, CircleMember, Member, Program, ProgramFormat, Theme, ThemeMode


async def form_program(ctx: Ctx, program: Program) -> str:
    assert program.id is not None
    if program.theme_mode == ThemeMode.SELF_SELECT:
        return await finish_self_select(ctx, program)
    # The same reading and the same call as the dashboard's preview, so what an admin confirmed is what forms.
    inputs = await formation_inputs(ctx.uow, workspace_id=ctx.workspace_id, program=program)
    result = run_formation(program, inputs)
    selected, members, votes, candidates = inputs.selected, inputs.members, inputs.votes, inputs.candidates
    circles, placed, outside = await _record(ctx, program, result, selected, votes, members)
    for circle in circles:
        await launch_circle(ctx, program, circle)
    cases = await outside_cases(ctx, program, outside)
    await tell_outside(ctx, program, cases, key=f"form:{program.id}")
    if result.unplaced:  # a step after the launch steps, so the deliveries keep their order
        ctx.after_commit(partial(_tell_unplaced, program=program, none_formed=not circles,
                                 unplaced=[(members[u.member_id], u.code) for u in result.unplaced]))
    await tell_voters(ctx, program, members=members, placed=placed, votes=votes)
    satisfaction = formation.preference_satisfaction(candidates=candidates, result=result)
    summary = ctx.t.n("formation.summary", len(circles), program=program.name, circles=len(circles),
                      placed=len(result.why), unplaced=len(result.unplaced), satisfaction=round(satisfaction * 100))
    return own_time_summary(ctx.t, summary, circles, outside=len(cases))


async def _record(ctx: Ctx, program: Program, result: formation.FormationResult, selected: dict[int, Theme],
                  votes: dict[int, tuple[int, ...]], members: dict[int, Member],
                  ) -> tuple[list[Circle], dict[int, Placed], list[tuple[Circle, tuple[Member, ...]]]]:
    """The formed circles and their members, each with why they are there (by all of their votes), and each
    circle's own time from its members' working hours, with who still meets outside theirs."""
    circles: list[Circle] = []
    outside: list[tuple[Circle, tuple[Member, ...]]] = []
    counters: dict[int, int] = {}
    placed: dict[int, Placed] = {}
    formed = {c.theme_id for c in result.circles}
    for found in result.circles:
        theme = selected[found.theme_id]
        counters[found.theme_id] = counters.get(found.theme_id, 0) + 1
        circle = Circle(workspace_id=ctx.workspace_id, program_id=program.id or 0, theme_id=theme.id,
                        name=f"{theme.title} {counters[found.theme_id]}", capacity=program.size_max,
                        created_at=ctx.now)
        outside.append((circle, give_own_time(program, circle, [members[m] for m in found.member_ids])))
        ctx.uow.circles.add(circle)
        await ctx.uow.flush()
        for member_id in found.member_ids:
            why = recorded_why(result.why[member_id], votes.get(member_id, ()), found.theme_id, formed)
            placed[member_id] = Placed(circle=circle, theme=theme.title, why=why)
            ctx.uow.circles.add(CircleMember(workspace_id=ctx.workspace_id, program_id=program.id or 0,
                                             circle_id=circle.id or 0, member_id=member_id, joined_at=ctx.now,
                                             why=why))
        circles.append(circle)
    await ctx.uow.flush()
    return circles, placed, outside


async def _tell_unplaced(ctx: Ctx, space: SpaceRef | None, *, program: Program, none_formed: bool,
                         unplaced: list[tuple[Member, str]]) -> None:
    for member, code in unplaced:
        await dm(ctx, member=member, key=f"unplaced:{program.id}:{member.id}", kind="dm", program_id=program.id,
                 build=partial(_unplaced_message, program=program, code=code, none_formed=none_formed))


def _unplaced_message(t: Translator, *, program: Program, code: str, none_formed: bool) -> Message:
    """Waiting for a place that frees up, or, when no circle formed at all, no promise of one."""
    key = "circles_intake.unplaced_no_circles" if none_formed else "formation.unplaced"
    return Message(text=t(key, program=program.name, reason=t(f"formation.unplaced.{code}")))


async def form_step(ctx: Ctx, program: Program) -> str | None:
    """`program form`'s part for circle programs; None for the others."""
    return await form_program(ctx, program) if program.format == ProgramFormat.CIRCLES else None
